package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/loaders"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open("", Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func load(t *testing.T, db *DB, paths ...string) *Summary {
	t.Helper()
	ins, err := loaders.Inputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.Load(context.Background(), ins, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Records != f.Loaded+f.Versions+f.Duplicates+f.Rejected+f.Skipped {
			t.Errorf("%s: records %d != loaded %d + versions %d + duplicates %d + rejected %d + skipped %d", f.Path, f.Records, f.Loaded, f.Versions, f.Duplicates, f.Rejected, f.Skipped)
		}
	}
	return sum
}

func queryRows(t *testing.T, db *DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.SQL.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = strings.TrimSpace(strings.ReplaceAll(fmtValue(v), "\n", " "))
			}
		}
		out = append(out, row)
	}
	return out
}

// comparable columns: everything a format carries, not provenance or write time.
const sameEventColumns = `log_type, id, created_at, correlation_id, user_id, user_principal_name, user_display_name,
	user_type, app_id, app_display_name, resource_id, resource_display_name, service_principal_id, managed_identity_type,
	ip_address, city, state, country, latitude, longitude, error_code, failure_reason, status, client_app_used, user_agent,
	browser, operating_system, device_id, device_name, device_compliant, device_managed, device_trust_type,
	authentication_requirement, conditional_access_status, mfa_auth_method, risk_level_during_signin, risk_state,
	risk_event_types, is_interactive, processing_time_ms`

func TestSameEventsFromEveryJSONFormat(t *testing.T) {
	var want [][]string
	for _, sub := range []string{"graph", "admin", "diagnostic"} {
		db := openTemp(t)
		sum := load(t, db, "../../testdata/json/same-events/"+sub)
		if sum.Totals.Loaded != 3 || sum.Totals.Rejected != 0 {
			t.Fatalf("%s: loaded %d rejected %d, want 3 and 0", sub, sum.Totals.Loaded, sum.Totals.Rejected)
		}
		if got := sum.Totals.ByLogType; got[loaders.Interactive] != 2 || got[loaders.ManagedIdent] != 1 {
			t.Errorf("%s: by log type %v", sub, got)
		}
		got := queryRows(t, db, "SELECT "+sameEventColumns+" FROM signins ORDER BY id")
		ca := queryRows(t, db, "SELECT s.id, p.policy_name, p.result, p.enforced_grant_controls FROM signin_ca_policies p JOIN signins s USING (signin_key) ORDER BY 1, 2")
		steps := queryRows(t, db, "SELECT s.id, a.step_index, a.method, a.succeeded, a.requirement FROM signin_auth_steps a JOIN signins s USING (signin_key) ORDER BY 1, 2")
		if len(ca) != 2 || ca[0][1] != "Block legacy authentication" || ca[0][2] != "notApplied" || ca[1][3] != "[Mfa]" {
			t.Errorf("%s: CA policies %v", sub, ca)
		}
		if len(steps) != 2 || steps[0][2] != "Password" || steps[1][2] != "Mobile app notification" || steps[1][4] != "Multifactor authentication" {
			t.Errorf("%s: auth steps %v", sub, steps)
		}
		if want == nil {
			want = got
			continue
		}
		if !reflect.DeepEqual(got, want) {
			for i := range want {
				if i < len(got) && !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("%s row %d differs from graph:\n got %v\nwant %v", sub, i, got[i], want[i])
				}
			}
		}
	}
	// Spot-check values against the fixture, by hand.
	if want[0][1] != "11111111-0000-0000-0000-000000000001" || want[0][2] != "2025-06-10 08:00:00.123456 +0000 UTC" || want[0][18] != "52.37" {
		t.Errorf("first row %v", want[0])
	}
	// 0,0 coordinates mean unknown and are stored as NULL.
	if want[2][18] != "NULL" || want[2][19] != "NULL" || want[2][13] != "systemAssigned" {
		t.Errorf("managed identity row %v", want[2])
	}
}

func TestOverlappingExportsLoadOnce(t *testing.T) {
	db := openTemp(t)
	sum := load(t, db, "../../testdata/json/same-events")
	// 7 files: 2 Graph pages (3 events), 2 admin arrays (3), 3 diagnostic hours (3). The
	// Graph pages say what the admin arrays say: copies. The diagnostic records also carry
	// the tenant id (and an ingestion time): further versions, merged into the sign-ins.
	if sum.Totals.Files != 7 || sum.Totals.Records != 9 || sum.Totals.Loaded != 3 || sum.Totals.Duplicates != 3 || sum.Totals.Versions != 3 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	// Input order is lexical: admin first, so admin rows are the ones kept.
	if sum.Files[0].Loaded != 2 || !strings.HasSuffix(sum.Files[0].Path, "InteractiveSignIns_2025-06-10_2025-06-11.json") {
		t.Errorf("first file %s loaded %d", sum.Files[0].Path, sum.Files[0].Loaded)
	}
	n, _ := db.Count(context.Background())
	if n != 3 {
		t.Errorf("%d rows in signins", n)
	}
	// Child rows are not duplicated either.
	if got := queryRows(t, db, "SELECT count(*) FROM signin_ca_policies"); got[0][0] != "2" {
		t.Errorf("%s CA policy rows", got[0][0])
	}
}

func TestReloadIntoFileDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.duckdb")
	for round := 1; round <= 2; round++ {
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		sum := load(t, db, "../../testdata/json/same-events/graph")
		want := [2]int64{3, 0}
		if round == 2 {
			want = [2]int64{0, 3}
		}
		if sum.Totals.Loaded != want[0] || sum.Totals.Duplicates != want[1] {
			t.Errorf("round %d: loaded %d duplicates %d, want %v", round, sum.Totals.Loaded, sum.Totals.Duplicates, want)
		}
		db.Close()
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := queryRows(t, db, "SELECT source_id, records, loaded, duplicates, first_event FROM sources ORDER BY source_id")
	if len(got) != 4 || got[2][0] != "3" || got[2][3] != "2" || got[0][4] != "2025-06-10 08:00:00.123456 +0000 UTC" {
		t.Errorf("sources %v", got)
	}
	if got := queryRows(t, db, "SELECT max(signin_key), count(*) FROM signins"); got[0][0] != "3" || got[0][1] != "3" {
		t.Errorf("keys %v", got)
	}
}

func TestProblemsAndSkipsRecorded(t *testing.T) {
	db := openTemp(t)
	sum := load(t, db, "../../testdata/json/shapes")
	byName := map[string]*FileResult{}
	for _, f := range sum.Files {
		byName[filepath.Base(f.Path)] = f
	}
	d := byName["diagnostic-mixed.PT1H.json"]
	if d.Loaded != 5 || d.Skipped != 0 || d.Rejected != 1 || d.LogTypes[loaders.AuditLog] != 1 || len(d.SkippedCategories) != 0 {
		t.Errorf("diagnostic-mixed: %+v", d)
	}
	if len(d.Problems) != 1 || d.Problems[0].Line != 6 {
		t.Errorf("problems %+v", d.Problems)
	}
	got := queryRows(t, db, "SELECT line, record, reason LIKE 'invalid JSON%' FROM load_problems WHERE path LIKE '%diagnostic-mixed%'")
	if len(got) != 1 || got[0][0] != "6" || got[0][1] != "6" || got[0][2] != "true" {
		t.Errorf("load_problems %v", got)
	}
	e := byName["empty.json"]
	if e.Format != "empty" || e.Records != 0 || e.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty: %+v", e)
	}
}

func TestSettingsKeepTheEngineOffline(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for name, want := range map[string]string{
		"autoinstall_known_extensions": "false",
		"autoload_known_extensions":    "false",
		"TimeZone":                     "UTC",
		"preserve_insertion_order":     "false",
	} {
		got, err := db.Setting(ctx, name)
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
	tmp, _ := db.Setting(ctx, "temp_directory")
	if !strings.HasPrefix(tmp, os.TempDir()) {
		t.Errorf("temp_directory %q is not under %s", tmp, os.TempDir())
	}
}

func TestInputsAreNotModified(t *testing.T) {
	dir := t.TempDir()
	src, _ := os.ReadFile("../../testdata/json/same-events/graph/graph-page-1.json")
	p := filepath.Join(dir, "page.json")
	os.WriteFile(p, src, 0o444)
	before, _ := os.Stat(p)
	sumBefore := sha256.Sum256(src)
	db := openTemp(t)
	sum := load(t, db, dir)
	after, _ := os.Stat(p)
	now, _ := os.ReadFile(p)
	sumAfter := sha256.Sum256(now)
	if before.Size() != after.Size() || !before.ModTime().Equal(after.ModTime()) || sumBefore != sumAfter {
		t.Errorf("input changed")
	}
	if sum.Files[0].SHA256 != hex.EncodeToString(sumBefore[:]) {
		t.Errorf("recorded sha256 %s", sum.Files[0].SHA256)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files appeared next to the evidence: %v", entries)
	}
}

// sharedSamples is the folder of real public samples: ../shared/samples beside the
// repository, or one level further up when the repository is a worktree in a folder of its
// own. The test is skipped when neither is present.
func sharedSamples(t *testing.T) string {
	t.Helper()
	for _, root := range []string{"../../../shared/samples", "../../../../shared/samples"} {
		if _, err := os.Stat(root); err == nil {
			return root
		}
	}
	t.Skip("../shared/samples not present")
	return ""
}

func TestSharedSamples(t *testing.T) {
	root := sharedSamples(t)
	db := openTemp(t)
	sum := load(t, db, root+"/diagnostic-settings-json", root+"/graph-api-json")
	type want struct {
		loaded, dup, rejected, skipped int64
		types                          map[string]int64
	}
	// Counted by hand from the files (grep of each record's category).
	wants := map[string]want{
		"elastic-managed-identity-sample-first5.log":            {5, 0, 0, 0, map[string]int64{loaders.ManagedIdent: 5}},
		"elastic-noninteractive-user-sample-first4.log":         {4, 0, 0, 0, map[string]int64{loaders.NonInteractive: 4}},
		"elastic-serviceprincipal-alt-time-duration-string.log": {1, 0, 0, 0, map[string]int64{loaders.ServicePrinc: 1}},
		"elastic-serviceprincipal-sample-first4.log":            {4, 0, 0, 0, map[string]int64{loaders.ServicePrinc: 4}},
		"elastic-signinlogs-interactive-sample.log":             {2, 0, 0, 0, map[string]int64{loaders.Interactive: 2}},
		// All five records share one id and time; the MicrosoftServicePrincipalSignInLogs copy
		// equals the ServicePrincipalSignInLogs one (same id, log type, time, code).
		"elastic-signinlogs-raw-5-categories.log": {4, 1, 0, 0, map[string]int64{loaders.Interactive: 1, loaders.NonInteractive: 1, loaders.ServicePrinc: 1, loaders.ManagedIdent: 1}},
		// Synthetic fragments with only time and category: no sign-in in them.
		"elastic-time-formats-corner-cases.log": {0, 0, 11, 0, map[string]int64{}},
		// 11 AuditLogs records (distinct ids) are loaded; 3 MicrosoftGraphActivityLogs and 3
		// UserRiskEvents stay skipped.
		"sekoia-azure-ad-other-category-records.jsonl":         {11, 0, 0, 6, map[string]int64{loaders.AuditLog: 11}},
		"sekoia-azure-ad-signin-records.jsonl":                 {7, 0, 0, 0, map[string]int64{loaders.Interactive: 5, loaders.NonInteractive: 1, loaders.ServicePrinc: 1}},
		"wazuh-storage-blob-records-wrapper-auditlogs.json":    {2, 0, 0, 0, map[string]int64{loaders.AuditLog: 2}},
		"msdocs-graph-beta-signins-list-response-example.json": {1, 0, 0, 0, map[string]int64{loaders.Interactive: 1}},
		"msdocs-graph-v1.0-signins-list-response-example.json": {1, 0, 0, 0, map[string]int64{loaders.Interactive: 1}},
		"sekoia-graph-directoryaudit-records.jsonl":            {78, 0, 0, 0, map[string]int64{loaders.AuditLog: 78}},
		"sekoia-graph-signin-record.json":                      {1, 0, 0, 0, map[string]int64{loaders.Interactive: 1}},
	}
	seen := 0
	for _, f := range sum.Files {
		name := filepath.Base(f.Path)
		w, ok := wants[name]
		if !ok {
			if name != "PROVENANCE.md" { // listed as ignored
				t.Errorf("unexpected file %s", name)
			}
			continue
		}
		seen++
		if f.Loaded != w.loaded || f.Duplicates != w.dup || f.Rejected != w.rejected || f.Skipped != w.skipped {
			t.Errorf("%s: loaded %d dup %d rejected %d skipped %d, want %v", name, f.Loaded, f.Duplicates, f.Rejected, f.Skipped, w)
		}
		for lt, n := range w.types {
			if f.LogTypes[lt] != n {
				t.Errorf("%s: %s %d, want %d", name, lt, f.LogTypes[lt], n)
			}
		}
	}
	if seen != len(wants) {
		t.Errorf("saw %d of %d sample files", seen, len(wants))
	}
	// The other-category records are reported by category.
	got := queryRows(t, db, `SELECT skipped_categories->>'$.UserRiskEvents', skipped_categories->>'$.MicrosoftGraphActivityLogs'
		FROM sources WHERE path LIKE '%other-category%'`)
	if len(got) != 1 || got[0][0] != "3" || got[0][1] != "3" {
		t.Errorf("skipped categories %v", got)
	}
	// The beta example's duplicate keys and display spelling are normalized.
	got = queryRows(t, db, `SELECT user_type, incoming_token_type FROM signins WHERE source_file LIKE '%beta%'`)
	if len(got) != 1 || got[0][0] != "member" {
		t.Errorf("beta example %v", got)
	}
}
