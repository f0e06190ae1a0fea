package analyze

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// TestTopAccounts builds a report whose detections find two things: a password spray with
// carol's E05, E06 (failed) and E08 (succeeded) from 192.0.2.50 as evidence, and a low
// finding about alice. By hand: carol 10 (high) + 2 (one detection) + 5 (success after
// failures) = 17; alice 1 (low) + 2 = 3.
func TestTopAccounts(t *testing.T) {
	db, sum := rptLoad(t, catalogueGraph)
	detect := func(ctx context.Context, sdb *sql.DB, p Params, asOf time.Time, _ string) ([]Finding, []DetectionRun, error) {
		key := func(n int) int64 { return signinKey(t, sdb, n) }
		fs := []Finding{
			{Detection: "password-spray", Severity: "high", IPAddress: "192.0.2.50", FirstSeen: time.Date(2025, 6, 9, 12, 0, 0, 0, time.UTC),
				LastSeen: time.Date(2025, 6, 9, 13, 10, 0, 0, time.UTC), Evidence: []int64{key(5), key(6), key(8)}},
			{Detection: "new-country", Severity: "low", UserPrincipalName: "alice@contoso.example", FirstSeen: time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC),
				LastSeen: time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC), Evidence: []int64{key(16)}},
		}
		q, _ := queries.Get("password-spray")
		return fs, []DetectionRun{{Query: q, Findings: 2}}, nil
	}
	r, err := Build(context.Background(), db, sum, Params{}, ReportOptions{Version: "test", GeneratedAt: rptGenerated, Detect: detect})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"carol@contoso.example (user): score 17, 1 finding (1 high): password-spray; a success after failures; suspicious from 2025-06-09 12:00 UTC to 2025-06-09 13:10 UTC",
		"alice@contoso.example (user): score 3, 1 finding (1 low): new-country; suspicious at 2025-06-10 12:00 UTC",
	}
	if !slices.Equal(r.TopAccounts, want) {
		t.Errorf("top accounts:\n%q\nwant\n%q", r.TopAccounts, want)
	}
	if s := r.Section("accounts"); s == nil || s.Table == nil || len(s.Table.Rows) != 2 {
		t.Errorf("accounts section: %+v", s)
	}
}
