package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadJSONSummary(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	code, out, errOut := runCLI(t, "load", "--json", "--db", db, "../../testdata/json/same-events/graph", "../../testdata/json/shapes/diagnostic-mixed.PT1H.json")
	if code != exitOK {
		t.Fatalf("code %d stderr %s", code, errOut)
	}
	var got struct {
		Files []struct {
			Path     string           `json:"path"`
			SHA256   string           `json:"sha256"`
			Bytes    int64            `json:"bytes"`
			Format   string           `json:"format"`
			LogTypes map[string]int64 `json:"log_types"`
			Records  int64            `json:"records"`
			Loaded   int64            `json:"loaded"`
			Rejected int64            `json:"rejected"`
			Skipped  int64            `json:"skipped"`
			Problems []struct {
				Line   int64  `json:"line"`
				Reason string `json:"reason"`
			} `json:"problems"`
		} `json:"files"`
		Totals struct {
			Records, Loaded, Duplicates, Rejected, Skipped int64
			ByLogType                                      map[string]int64 `json:"by_log_type"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got.Files) != 3 {
		t.Fatalf("%d files", len(got.Files))
	}
	d := got.Files[2]
	// 4 sign-ins and an audit event are loaded.
	if d.Format != "diagnostic-jsonl" || d.Records != 6 || d.Loaded != 5 || d.Rejected != 1 || d.Skipped != 0 || len(d.SHA256) != 64 || d.Bytes != 1448 {
		t.Errorf("diagnostic file %+v", d)
	}
	if len(d.Problems) != 1 || d.Problems[0].Line != 6 {
		t.Errorf("problems %+v", d.Problems)
	}
	tt := got.Totals
	if tt.Records != 9 || tt.Loaded != 8 || tt.Rejected != 1 || tt.Skipped != 0 || tt.Duplicates != 0 {
		t.Errorf("totals %+v", tt)
	}
	want := map[string]int64{"interactiveUser": 3, "nonInteractiveUser": 1, "servicePrincipal": 1, "managedIdentity": 2, "audit": 1, "provisioning": 0}
	for k, v := range want {
		if tt.ByLogType[k] != v {
			t.Errorf("by_log_type %s = %d, want %d", k, tt.ByLogType[k], v)
		}
	}
}

func TestSQLFormats(t *testing.T) {
	src := "../../testdata/json/same-events/graph"
	code, out, errOut := runCLI(t, "sql", "--format", "json", src, "SELECT id, created_at, error_code, risk_event_types FROM signins ORDER BY id")
	if code != 0 {
		t.Fatalf("code %d %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rows) != 3 || rows[1]["error_code"] != float64(50126) || rows[0]["created_at"] != "2025-06-10T08:00:00.123456Z" {
		t.Errorf("rows %v", rows)
	}
	code, out, _ = runCLI(t, "sql", "--format", "csv", src, "SELECT '=1+1' AS f, '-3' AS n ORDER BY 1")
	if code != 0 || out != "f,n\n'=1+1,-3\n" {
		t.Errorf("csv injection guard: %q", out)
	}
	code, out, _ = runCLI(t, "sql", "--format", "markdown", "--tz", "Europe/Berlin", src, "SELECT created_at FROM signins ORDER BY 1 LIMIT 1")
	if code != 0 || !strings.Contains(out, "2025-06-10T10:00:00.123+02:00") {
		t.Errorf("markdown in Berlin time: %q", out)
	}
	if code, _, errOut := runCLI(t, "sql", "--format", "xml", src, "SELECT 1"); code != exitUsage || !strings.Contains(errOut, "table, csv, json, markdown") {
		t.Errorf("bad format: %d %q", code, errOut)
	}
}
