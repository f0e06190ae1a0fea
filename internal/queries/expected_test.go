package queries_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// The fixture under testdata/queries/catalogue holds 20 hand-written sign-ins (its README
// lists them) in every export format the loaders read. The expected results under
// expected/ were counted by hand from that list, not produced by running the queries.

// fixtureFormats are the same events in each export format. Adding a format is one line;
// lossy formats run the seven seed queries only (the admin-center CSV has no risk fields
// and no per-policy Conditional Access results), or skip the queries whose answer they
// cannot give in full.
var fixtureFormats = []struct {
	name     string
	dir      string
	seedOnly bool
	skip     map[string]string // query id -> why this format cannot match the expected rows
}{
	{"graph-page", "graph", false, nil},
	{"admin-json", "admin", false, nil},
	{"diagnostic-jsonl", "diagnostic", false, nil},
	{"admin-csv", "admin-csv", true, nil},
	{"la-csv", "la-csv", false, map[string]string{"guests": "the Log Analytics tables have no HomeTenantName column"}},
}

// seedQueries must give identical output from every format.
var seedQueries = []string{"app-users", "failed-signins", "browsers", "operating-systems", "workload-access", "log-types", "who-how-what"}

// expectation is one run of a query with its hand-counted result.
type expectation struct {
	query  string
	golden string // file under expected/
	params queries.Params
}

func expectations(t *testing.T) []expectation {
	var out []expectation
	for _, q := range all(t) {
		if q.Kind != "query" || q.ID == "user-timeline" || q.AfterDetections || readsOtherLogs(q) {
			continue
		}
		out = append(out, expectation{query: q.ID, golden: q.ID + ".csv"})
	}
	return append(out,
		expectation{query: "app-users", golden: "app-users.app-azure-portal.csv", params: queries.Params{App: "azure portal"}},
		expectation{query: "app-users", golden: "app-users.app-azure-portal.csv", params: queries.Params{App: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"}},
		expectation{query: "browsers", golden: "browsers.by-version.csv", params: queries.Params{Set: map[string]string{"browsers.by_version": "true"}}},
		expectation{query: "user-timeline", golden: "user-timeline.alice.csv", params: queries.Params{User: "alice@contoso.example"}},
		expectation{query: "user-timeline", golden: "user-timeline.alice.csv", params: queries.Params{User: "aaaaaaaa-0000-0000-0000-000000000001"}},
	)
}

func TestQueriesOnFixture(t *testing.T) {
	ctx := context.Background()
	for _, f := range fixtureFormats {
		t.Run(f.name, func(t *testing.T) {
			db := openDB(t, filepath.Join(fixtureDir, f.dir))
			asOf, err := queries.LatestEvent(ctx, db.SQL)
			if err != nil {
				t.Fatal(err)
			}
			if want := "2025-06-10T12:00:00Z"; queries.FormatTime(asOf, time.UTC) != want {
				t.Fatalf("latest event %s, want %s", asOf, want)
			}
			for _, e := range expectations(t) {
				if f.seedOnly && !slices.Contains(seedQueries, e.query) {
					continue
				}
				if _, lossy := f.skip[e.query]; lossy && !slices.Contains(seedQueries, e.query) {
					continue
				}
				q, ok := queries.Get(e.query)
				if !ok {
					t.Fatalf("no query %s", e.query)
				}
				tab, _, err := queries.Run(ctx, db.SQL, q, e.params, asOf)
				if err != nil {
					t.Errorf("%s: %v", e.golden, err)
					continue
				}
				compareCSV(t, e.golden, csvText(t, tab))
			}
		})
	}
}

// csvText writes tab as CSV the plain way: a header of column names, then each value's
// queries.Text in UTC. Golden files hold what an analyst reads, so the writers' cell
// escaping is not part of this comparison.
func csvText(t *testing.T, tab *queries.Table) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := make([]string, len(tab.Columns))
	for i, c := range tab.Columns {
		head[i] = c.Name
	}
	w.Write(head)
	for _, r := range tab.Rows {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = queries.Text(v, time.UTC)
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// compareCSV compares cell by cell, so that the golden file may quote as it likes.
func compareCSV(t *testing.T, golden, got string) {
	t.Helper()
	compareCSVIn(t, fixtureDir, golden, got)
}

// compareCSVIn is compareCSV for the expected results of the fixture in dir.
func compareCSVIn(t *testing.T, dir, golden, got string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "expected", golden))
	if err != nil {
		t.Errorf("%s: %v", golden, err)
		return
	}
	compareCSVText(t, golden, got, string(raw))
}

// compareCSVText is compareCSV against the expected CSV text itself.
func compareCSVText(t *testing.T, golden, got, wantText string) {
	t.Helper()
	want, err := csv.NewReader(strings.NewReader(wantText)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", golden, err)
	}
	have, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatalf("%s: result is not CSV: %v", golden, err)
	}
	if len(have) != len(want) {
		t.Errorf("%s: %d lines, want %d\n got:\n%s", golden, len(have), len(want), got)
		return
	}
	for i := range want {
		if !slices.Equal(have[i], want[i]) {
			t.Errorf("%s line %d:\n got  %q\n want %q", golden, i+1, have[i], want[i])
		}
	}
}

// auditFixtureDir holds hand-written audit and provisioning events (its README lists them)
// and the audit and provisioning queries' expected results, counted by hand.
const auditFixtureDir = "../../testdata/queries/audits"

// readsOtherLogs says whether q reads the audit or provisioning log rather than the sign-ins.
func readsOtherLogs(q *queries.Query) bool {
	return slices.Contains(q.LogTypes, "audit") || slices.Contains(q.LogTypes, "provisioning")
}

func TestAuditQueriesOnFixture(t *testing.T) {
	ctx := context.Background()
	runs := []expectation{
		{query: "role-changes", golden: "role-changes.user-bob.csv", params: queries.Params{User: "BOB@contoso.example"}},
		{query: "password-changes", golden: "password-changes.user-bob-id.csv", params: queries.Params{User: "bbbbbbbb-0000-0000-0000-000000000002"}},
	}
	n := 0
	for _, q := range all(t) {
		if q.Kind == "query" && readsOtherLogs(q) {
			runs = append(runs, expectation{query: q.ID, golden: q.ID + ".csv"})
			n++
		}
	}
	if n != 10 {
		t.Errorf("%d audit and provisioning queries, want 10", n)
	}
	// The same events as Graph JSON lines, diagnostic-settings records and Log Analytics rows.
	for _, dir := range []string{"graph", "diagnostic", "la-json"} {
		t.Run(dir, func(t *testing.T) {
			db := openDB(t, filepath.Join(auditFixtureDir, dir))
			asOf, err := queries.LatestEvent(ctx, db.SQL)
			if err != nil {
				t.Fatal(err)
			}
			if want := "2025-06-10T11:30:00Z"; queries.FormatTime(asOf, time.UTC) != want {
				t.Fatalf("latest event %s, want %s (A20)", asOf, want)
			}
			for _, e := range runs {
				q, ok := queries.Get(e.query)
				if !ok {
					t.Fatalf("no query %s", e.query)
				}
				tab, _, err := queries.Run(ctx, db.SQL, q, e.params, asOf)
				if err != nil {
					t.Errorf("%s: %v", e.golden, err)
					continue
				}
				compareCSVIn(t, auditFixtureDir, e.golden, csvText(t, tab))
			}
		})
	}
}

// The real directory audit records among the shared samples (78 Graph directoryAudit
// objects, counted by activity with grep): every one appears in audit-activity, and the four
// device registrations among them in registered-devices.
func TestAuditQueriesOnRealSample(t *testing.T) {
	path := ""
	for _, root := range []string{"../../../shared/samples", "../../../../shared/samples"} {
		if _, err := os.Stat(root); err == nil {
			path = filepath.Join(root, "graph-api-json", "sekoia-graph-directoryaudit-records.jsonl")
		}
	}
	if path == "" {
		t.Skip("../shared/samples not present")
	}
	ctx := context.Background()
	db := openDB(t, path)
	asOf, err := queries.LatestEvent(ctx, db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := queries.Get("audit-activity")
	tab, _, err := queries.Run(ctx, db.SQL, q, queries.Params{}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	total := int64(0)
	for _, r := range tab.Rows {
		got = append(got, fmt.Sprintf("%v|%v|%v|%v", r[0], r[1], r[2], r[3]))
		total += r[2].(int64)
	}
	want := []string{
		"UserManagement|Update user|44|0", "Device|Update device|12|0", "GroupManagement|Add member to group|6|0",
		"GroupManagement|Remove member from group|4|0", "GroupManagement|Update group|4|0",
		"Device|Recover device local administrator password|2|0",
		"ApplicationManagement|Create application – Certificates and secrets management |1|0",
		"Device|Add device|1|0", "Device|Add registered owner to device|1|0", "Device|Add registered users to device|1|0",
		"Device|Delete device|1|0", "UserManagement|Add member to group|1|0",
	}
	if total != 78 || !slices.Equal(got, want) {
		t.Errorf("audit-activity: %d events\n got %q\nwant %q", total, got, want)
	}
	q, _ = queries.Get("registered-devices")
	tab, _, err = queries.Run(ctx, db.SQL, q, queries.Params{}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, r := range tab.Rows {
		got = append(got, fmt.Sprint(r[1]))
	}
	slices.Sort(got)
	if want := []string{"Add device", "Add registered owner to device", "Add registered users to device", "Delete device"}; !slices.Equal(got, want) {
		t.Errorf("registered-devices: %q, want %q", got, want)
	}
}
