package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/store"
)

const sprayQuiet = "../../testdata/detections/password-spray/quiet/graph-page.json"

type findingRow struct {
	Detection          string  `json:"detection"`
	Severity           string  `json:"severity"`
	Title              string  `json:"title"`
	UserPrincipalName  string  `json:"user_principal_name"`
	IPAddress          string  `json:"ip_address"`
	ServicePrincipalID string  `json:"service_principal_id"`
	FirstSeen          *string `json:"first_seen"`
	LastSeen           *string `json:"last_seen"`
	Events             int64   `json:"events"`
	Details            string  `json:"details"`
}

func findingsJSON(t *testing.T, out string) []findingRow {
	t.Helper()
	var rows []findingRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return rows
}

func only(rows []findingRow, detection string) []findingRow {
	var out []findingRow
	for _, r := range rows {
		if r.Detection == detection {
			out = append(out, r)
		}
	}
	return out
}

// The quiet spray fixture has 9 users within an hour: nothing by default, one high finding
// with --set password-spray.min_users=9 (10 failures 08:00..09:00:01, then u04 succeeds).
func TestFindingsSetChangesThreshold(t *testing.T) {
	code, out, errOut := runCLI(t, "findings", "--quiet", "--format", "json", sprayQuiet)
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	rows := findingsJSON(t, out)
	if len(only(rows, "password-spray")) != 0 {
		t.Errorf("default threshold found a spray: %+v", rows)
	}
	// Only interactive sign-ins in the file: the three other logs are missing (low).
	if got := only(rows, "missing-log-type"); len(got) != 3 {
		t.Errorf("missing-log-type: %+v", got)
	}
	code, out, errOut = runCLI(t, "findings", "--quiet", "--format", "json", "--set", "password-spray.min_users=9", sprayQuiet)
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	spray := only(findingsJSON(t, out), "password-spray")
	if len(spray) != 1 {
		t.Fatalf("--set min_users=9: %+v", spray)
	}
	s := spray[0]
	if s.Severity != "high" || s.IPAddress != "198.51.100.7" || s.Events != 10 || s.UserPrincipalName != "" ||
		s.FirstSeen == nil || *s.FirstSeen != "2025-06-10T08:00:00Z" || *s.LastSeen != "2025-06-10T09:00:01Z" {
		t.Errorf("finding %+v", s)
	}
	// The first row is the highest severity.
	if rows := findingsJSON(t, out); rows[0].Detection != "password-spray" {
		t.Errorf("first row %+v", rows[0])
	}
}

func TestFindingsConfigFileUnderSet(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "tuning.conf")
	os.WriteFile(conf, []byte("# lab tenant\npassword-spray.min_users = 9\n"), 0o644)
	code, out, errOut := runCLI(t, "findings", "--quiet", "--format", "json", "--config", conf, sprayQuiet)
	if code != exitOK || len(only(findingsJSON(t, out), "password-spray")) != 1 {
		t.Fatalf("--config: code %d stderr %s out %s", code, errOut, out)
	}
	// --set wins over the file.
	code, out, _ = runCLI(t, "findings", "--quiet", "--format", "json", "--config", conf, "--set", "password-spray.min_users=10", sprayQuiet)
	if code != exitOK || len(only(findingsJSON(t, out), "password-spray")) != 0 {
		t.Fatalf("--set over --config: code %d out %s", code, out)
	}
	os.WriteFile(conf, []byte("password-spray.min_users = nine\n"), 0o644)
	code, _, errOut = runCLI(t, "findings", "--quiet", "--config", conf, sprayQuiet)
	if code != exitFailure || !strings.Contains(errOut, "tuning.conf:1: password-spray.min_users: want a whole number") {
		t.Errorf("bad config: code %d stderr %s", code, errOut)
	}
}

func TestFindingsUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"findings", "--format", "xml", sprayQuiet},
		{"findings", "--min-severity", "critical", sprayQuiet},
		{"findings", "--fail-on", "urgent", sprayQuiet},
		{"findings", "--set", "password-spray.min_users=many", sprayQuiet},
		{"findings", "--set", "password-spray.min_user=5", sprayQuiet},
		{"findings", "--set", "no-such-detection.x=1", sprayQuiet},
		{"findings"},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != exitUsage || !strings.Contains(errOut, "signinlens: error: ") || !strings.Contains(errOut, "hint: try: ") {
			t.Errorf("%v: code %d stderr %q", args, code, errOut)
		}
	}
}

// A detection whose fields the export cannot carry says so on stderr instead of finding
// nothing. The database is made to look like an admin-center CSV load: no risk fields.
func TestFindingsSaysWhatCouldNotRun(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "case.duckdb")
	if code, _, errOut := runCLI(t, "load", "--quiet", "--db", dbPath, "../../testdata/detections/identity-protection-risk/fire/graph-page.json"); code != exitOK {
		t.Fatalf("load: %d %s", code, errOut)
	}
	db, err := store.Open(dbPath, store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE signins SET risk_level_during_signin = NULL, risk_level_aggregated = NULL, risk_state = NULL`,
		`UPDATE sources SET unavailable_fields = ['risk_level_during_signin', 'risk_level_aggregated', 'risk_state']`,
	} {
		if _, err := db.SQL.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	code, out, errOut := runCLI(t, "findings", "--db", dbPath, "--format", "json")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if len(only(findingsJSON(t, out), "identity-protection-risk")) != 0 {
		t.Errorf("identity-protection-risk reported findings without risk fields")
	}
	if !strings.Contains(errOut, "signinlens: warning: detection identity-protection-risk did not run: risk fields are not available") {
		t.Errorf("stderr %q", errOut)
	}
}
