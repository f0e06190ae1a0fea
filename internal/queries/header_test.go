package queries_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

const headerBase = "-- id: x\n-- title: X\n-- question: What?\n-- window: all\n"
const headerSQL = "SELECT 1 AS n, 'a' AS name FROM scoped($since, $until, $app, $user, $ip, $log_types) ORDER BY n\n"

// Every new header key is parsed strictly: a malformed or unknown value is an error at
// its file:line.
func TestHeaderKeysAreStrict(t *testing.T) {
	cols := "-- column: n integer | a count\n-- column: name text | a name\n"
	for _, c := range []struct{ header, msg string }{
		{"-- log-types: all\n-- column: n whole | a count\n", "questions/x.sql:6: column wants 'name kind | meaning'"},
		{"-- log-types: all\n-- column: n | a count\n", "questions/x.sql:6: column wants 'name kind | meaning'"},
		{cols, "questions/x.sql:1: log-types is required"},
		{"-- log-types: interactive\n" + cols, "questions/x.sql:5: log-types wants all or some of interactiveUser"},
		{"-- log-types: interactiveUser, nonInteractiveUser, servicePrincipal, managedIdentity\n" + cols, "questions/x.sql:5: log-types names all four log types: write all"},
		{"-- log-types: all\n-- needs-filter: tenant\n" + cols, "questions/x.sql:6: needs-filter must be user, app or ip"},
		{"-- log-types: all\n-- needs-input: feed\n" + cols, "questions/x.sql:6: needs-input must be intel"},
		{"-- log-types: all\n-- note: count them\n" + cols, "questions/x.sql:6: note wants one SELECT statement"},
		{"-- log-types: all\n-- chart: category=name value=n | Names\n" + cols, "questions/x.sql:6: chart wants 'rank=N"},
		{"-- log-types: all\n-- chart: rank=1 category=name value=n colour=red | Names\n" + cols, "\"colour=red\" is none of these"},
		{"-- log-types: all\n-- chart: rank=1 category=nom value=n | Names\n" + cols, "questions/x.sql:6: chart names column nom"},
		{"-- log-types: all\n-- summary: {{title}}\n" + cols, "questions/x.sql:6: summary wants 'rank=N | template'"},
		{"-- log-types: all\n-- summary: rank=1 | {{title\n" + cols, "questions/x.sql:6: summary template"},
		{"-- log-types: all\n-- summary: rank=1 | {{sum \"total\"}}\n" + cols, "questions/x.sql:6: summary names column total"},
		{"-- log-types: all\n-- summary: rank=1 | {{with first}}{{.nom}}{{end}}\n" + cols, "questions/x.sql:6: summary names column nom"},
	} {
		_, err := queries.Parse("questions/x.sql", headerBase+c.header+headerSQL)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q:\n got %v\nwant %q", c.header, err, c.msg)
		}
	}
	q, err := queries.Parse("questions/x.sql", headerBase+"-- log-types: nonInteractiveUser, interactiveUser\n-- needs-filter: app\n-- needs-input: intel\n"+
		"-- chart: rank=9 category=name value=n describe=name add-up | Names\n-- summary: rank=3 | {{title}} in {{window}}\n"+cols+headerSQL)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(q.LogTypes, ",") != "interactiveUser,nonInteractiveUser" || q.NeedsFilter != "app" || q.NeedsInput != "intel" ||
		q.Chart.Rank != 9 || q.Chart.Title != "Names" || q.Chart.Category != "name" || q.Chart.Value != "n" || q.Chart.Describe != "name" || !q.Chart.AddUp ||
		q.Summary.Rank != 3 || q.Columns[0].Kind != "integer" || q.Columns[1].Kind != "text" {
		t.Errorf("parsed %+v chart %+v summary %+v", q, q.Chart, q.Summary)
	}
}

// The charts and the Summary lines come in the order their headers rank them.
func TestChartsAndSummaryOrder(t *testing.T) {
	var got []string
	charts, err := queries.Charts()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range charts {
		got = append(got, q.ID)
	}
	if want := "app-users browsers operating-systems locations failed-signins"; strings.Join(got, " ") != want {
		t.Errorf("charts %v, want %s", got, want)
	}
	got = nil
	lines, err := queries.Summarized()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range lines {
		got = append(got, q.ID)
	}
	if want := "log-types app-users failed-signins browsers operating-systems workload-access who-how-what audit-activity role-changes security-info-changes app-consents credential-changes ca-policy-changes provisioning-activity"; strings.Join(got, " ") != want {
		t.Errorf("summary %v, want %s", got, want)
	}
}

// Summary lines on the catalogue fixture, counted by hand from its README.
func TestSummaryLines(t *testing.T) {
	db := openDB(t, fixtureDir+"/graph")
	ctx := context.Background()
	asOf := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	for id, want := range map[string]string{
		"log-types":      "20 sign-ins in all events up to 2025-06-10 12:00 UTC: interactiveUser 14, nonInteractiveUser 2, servicePrincipal 3, managedIdentity 1; 9 failed",
		"app-users":      "3 users signed into Microsoft Teams in the 7 days ending 2025-06-10 12:00 UTC (the most of the 4 applications users signed in to or tried)",
		"failed-signins": "6 user sign-ins failed (non-zero error code) in the 24 hours ending 2025-06-10 12:00 UTC; most often 50126 ",
	} {
		q, _ := queries.Get(id)
		tab, b, err := queries.Run(ctx, db.SQL, q, queries.Params{}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		got, err := q.Summary.Line(q, tab, b, time.UTC)
		if err != nil || !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, %v\nwant %q...", id, got, err, want)
		}
	}
}
