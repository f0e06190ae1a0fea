package csvtest

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/signinlens/signinlens/internal/store/storetest"
)

const sameEvents = "../../../testdata/csv/same-events"

// openDB parses with two workers, so the comparisons across formats also cover the
// parallel readers.
func openDB(t *testing.T) *store.DB { return storetest.OpenWith(t, store.Options{Threads: 2}) }

func load(t *testing.T, db *store.DB, paths ...string) *store.Summary {
	t.Helper()
	return storetest.Load(t, db, paths...)
}

func query(t *testing.T, db *store.DB, q string) string {
	t.Helper()
	rows, err := db.SQL.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// checkAdmin asserts what the admin download of the same events loads to (hand-counted:
// six sign-ins, six auth-detail rows of which one belongs to no sign-in).
func checkAdmin(t *testing.T, db *store.DB, sum *store.Summary) {
	t.Helper()
	if sum.Totals.Loaded != 12 || sum.Totals.Rejected != 0 || sum.OrphanAuthSteps != 1 {
		t.Errorf("loaded %d rejected %d orphans %d", sum.Totals.Loaded, sum.Totals.Rejected, sum.OrphanAuthSteps)
	}
	if got := sum.Totals.ByLogType; got[loaders.Interactive] != 3 || got[loaders.NonInteractive] != 1 || got[loaders.ServicePrinc] != 1 || got[loaders.ManagedIdent] != 1 {
		t.Errorf("by log type %v", got)
	}
	var steps int64
	for _, f := range sum.Files {
		steps += f.AuthSteps
	}
	if steps != 6 {
		t.Errorf("auth steps %d", steps)
	}
	// The steps joined to their sign-ins by Request ID, in file order; the orphan kept.
	got := query(t, db, `SELECT coalesce(s.id, 'NO SIGN-IN ' || a.request_id) || ' ' || a.step_index || ' ' || a.method || ' ' || coalesce(a.succeeded::VARCHAR, '?') || ' ' || a.log_type
		FROM signin_auth_steps a LEFT JOIN signins s USING (signin_key) ORDER BY a.request_id, a.step_index`)
	want := strings.Join([]string{
		"33333333-0000-0000-0000-000000000001 1 Password true interactiveUser",
		"33333333-0000-0000-0000-000000000001 2 Mobile app notification true interactiveUser",
		"33333333-0000-0000-0000-000000000002 1 Password false interactiveUser",
		"33333333-0000-0000-0000-000000000003 1 Previously satisfied true nonInteractiveUser",
		"33333333-0000-0000-0000-000000000006 1 Password true interactiveUser",
		"NO SIGN-IN 99999999-0000-0000-0000-000000000099 1 Password true interactiveUser",
	}, "\n")
	if got != want {
		t.Errorf("auth steps:\n%s\nwant\n%s", got, want)
	}
	// What the files cannot carry is recorded with them.
	got = query(t, db, `SELECT format || ' ' || list_contains(unavailable_fields, 'risk_state')::VARCHAR || ' ' || list_contains(unavailable_fields, 'city')::VARCHAR
		FROM sources WHERE path LIKE '%InteractiveSignIns_2025%' ORDER BY path`)
	if got != "admin-csv true false\nadmin-csv true false" {
		t.Errorf("unavailable fields:\n%s", got)
	}
	got = query(t, db, `SELECT id || ' ' || status || ' ' || coalesce(city, '-') || ' ' || coalesce(state, '-') || ' ' || coalesce(country, '-') FROM signins ORDER BY id`)
	want = strings.Join([]string{
		"33333333-0000-0000-0000-000000000001 success Amsterdam Noord-Holland NL",
		"33333333-0000-0000-0000-000000000002 failure Sydney New South Wales AU",
		"33333333-0000-0000-0000-000000000003 success Amsterdam Noord-Holland NL",
		"33333333-0000-0000-0000-000000000004 failure Washington, D.C. District of Columbia US",
		"33333333-0000-0000-0000-000000000005 success - - -",
		"33333333-0000-0000-0000-000000000006 interrupted São Paulo São Paulo BR",
	}, "\n")
	if got != want {
		t.Errorf("sign-ins:\n%s\nwant\n%s", got, want)
	}
}

func TestAdminDownloadEndToEnd(t *testing.T) {
	db := openDB(t)
	sum := load(t, db, filepath.Join(sameEvents, "admin"))
	checkAdmin(t, db, sum)
}

// The same files delivered as the admin center's zip, with one member that tries to leave
// the archive: read in place, the refused member reported, everything else loaded.
func TestAdminZipEndToEnd(t *testing.T) {
	dir := t.TempDir()
	zp := filepath.Join(dir, "contoso_2025-06-10_2025-06-11_1_1.zip")
	f, err := os.Create(zp)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	files, _ := filepath.Glob(filepath.Join(sameEvents, "admin", "*.csv"))
	add := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.Base(p), b)
	}
	add("../InteractiveSignIns_evil.csv", []byte("Date (UTC),Request ID\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db := openDB(t)
	sum := load(t, db, zp)
	if len(sum.Files) != 7 {
		t.Fatalf("%d files", len(sum.Files))
	}
	refused := sum.Files[0]
	if refused.Path != zp+"!../InteractiveSignIns_evil.csv" || !strings.Contains(refused.Error, "points outside the archive") || len(refused.Problems) != 1 {
		t.Errorf("refused member: %+v", refused)
	}
	for _, f := range sum.Files[1:] {
		if !strings.HasPrefix(f.Path, zp+"!") || f.Error != "" || len(f.SHA256) != 64 {
			t.Errorf("member %s: %+v", f.Path, f)
		}
	}
	checkAdmin(t, db, sum)
	if got := query(t, db, `SELECT count(*)::VARCHAR FROM load_problems WHERE reason LIKE 'zip member refused%'`); got != "1" {
		t.Errorf("load_problems: %s", got)
	}
}

func TestDamagedFileEndToEnd(t *testing.T) {
	db := openDB(t)
	sum := load(t, db, "../../../testdata/csv/damage/InteractiveSignIns_damaged-rows.csv")
	f := sum.Files[0]
	if f.Loaded != 3 || f.Rejected != 4 || f.Records != 7 {
		t.Errorf("loaded %d rejected %d records %d", f.Loaded, f.Rejected, f.Records)
	}
	got := query(t, db, `SELECT line::VARCHAR || ' ' || coalesce(field, '-') FROM load_problems ORDER BY line`)
	if got != "3 -\n6 -\n7 Sign-in error code\n8 Date (UTC)" {
		t.Errorf("problems:\n%s", got)
	}
	if got := query(t, db, `SELECT id || '@' || source_line FROM signins ORDER BY source_line`); got != "r1@2\nr3@4\nr7@9" {
		t.Errorf("loaded:\n%s", got)
	}
}

func TestLogAnalyticsEndToEnd(t *testing.T) {
	db := openDB(t)
	sum := load(t, db, filepath.Join(sameEvents, "la"))
	if sum.Totals.Loaded != 6 || sum.Totals.Rejected != 0 {
		t.Errorf("loaded %d rejected %d", sum.Totals.Loaded, sum.Totals.Rejected)
	}
	// Interactive E1 has two CA policies and two steps; the workspace id stays out of tenant_id.
	got := query(t, db, `SELECT (SELECT count(*) FROM signin_ca_policies)::VARCHAR || ' ' || (SELECT count(*) FROM signin_auth_steps WHERE signin_key IS NOT NULL)::VARCHAR
		|| ' ' || (SELECT count(*) FROM signins WHERE tenant_id = '81a662b5-8541-481b-977d-5d956616ac5e')::VARCHAR`)
	if got != "3 5 0" {
		t.Errorf("children: %s", got)
	}
}
