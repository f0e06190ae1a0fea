package report

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// TestFindingsTable: the findings table that query-style output renders (findings
// --format) keeps its JSON keys and values in every table format.
func TestFindingsTable(t *testing.T) {
	f := queries.Finding{Detection: "brute-force", Severity: "high", Title: "t", UserPrincipalName: "bob@contoso.example",
		FirstSeen: time.Date(2025, 6, 10, 8, 0, 0, 0, time.UTC), Events: 20, Details: "d", Evidence: []int64{1, 2}}
	tab := queries.FindingsTable([]queries.Finding{f})
	var b bytes.Buffer
	if err := RenderTable(&b, tab, "json", RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"details", "detection", "events", "first_seen", "ip_address", "last_seen", "service_principal_id", "severity", "title", "user_principal_name"}
	var keys []string
	for k := range rows[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("JSON keys %v", keys)
	}
	if rows[0]["first_seen"] != "2025-06-10T08:00:00Z" || rows[0]["last_seen"] != nil || rows[0]["events"] != float64(20) || rows[0]["ip_address"] != "" {
		t.Errorf("row %v", rows[0])
	}
	for _, format := range TableFormats() {
		if err := RenderTable(io.Discard, tab, format, RenderOptions{}); err != nil {
			t.Errorf("%s: %v", format, err)
		}
	}
}
