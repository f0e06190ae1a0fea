package queries

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/loaders"

	"github.com/signinlens/signinlens/internal/reference"
	"github.com/signinlens/signinlens/internal/store"
)

// catalogueFixture is the hand-written export of the catalogue tests (see its README).
const catalogueFixture = "../../testdata/queries/catalogue"

// fixtureAsOf is its latest event, the default as-of.
var fixtureAsOf = time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)

// openCatalogueDB opens path ("" for in memory), loads inputs and prepares the catalogue.
func openCatalogueDB(t *testing.T, path string, inputs ...string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if len(inputs) > 0 {
		in, err := loaders.Inputs(inputs)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Load(ctx, in, store.LoadOptions{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := Prepare(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	return db
}

func mustQuery(t *testing.T, id string) *Query {
	t.Helper()
	q, ok := Get(id)
	if !ok {
		t.Fatalf("no catalogue entry %s", id)
	}
	return q
}

func TestPrepareErrorCodes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.duckdb")
	db := openCatalogueDB(t, path)
	if n := db.SQL.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("Prepare left %d open connections allowed; temp objects need exactly one", n)
	}
	ctx := context.Background()
	var n int
	if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM error_codes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(reference.Codes()) {
		t.Errorf("error_codes holds %d rows, reference has %d", n, len(reference.Codes()))
	}
	var class, meaning string
	if err := db.SQL.QueryRowContext(ctx, "SELECT class, meaning FROM error_codes WHERE code = 50140").Scan(&class, &meaning); err != nil {
		t.Fatal(err)
	}
	if want, _ := reference.LookupCode(50140); class != "interrupted" || meaning != want.Meaning {
		t.Errorf("50140: %s %q", class, meaning)
	}
	// Prepare twice (a second run on the same pool) must not fail.
	if err := Prepare(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Temporary: nothing was written to the database file.
	again, err := store.Open(path, store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.SQL.QueryRowContext(ctx, "SELECT count(*) FROM error_codes").Scan(&n); err == nil {
		t.Error("error_codes survived in the database file; it must be a temporary table")
	}
}

// TestWindowBoundaries: a window W ending at as-of holds as_of - W < created_at <= as_of.
// The fixture has E05 at exactly 2025-06-09T12:00:00Z and E16 at the as-of.
func TestWindowBoundaries(t *testing.T) {
	db := openCatalogueDB(t, "", catalogueFixture+"/graph")
	ctx := context.Background()
	q := mustQuery(t, "log-types")
	count := func(p Params, asOf time.Time) int64 {
		t.Helper()
		tab, _, err := Run(ctx, db.SQL, q, p, asOf)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, r := range tab.Rows {
			if r[0] == "interactiveUser" {
				n = r[1].(int64)
			}
		}
		return n
	}
	for _, c := range []struct {
		name string
		p    Params
		asOf time.Time
		want int64
	}{
		{"whole export", Params{}, fixtureAsOf, 14},
		{"24h excludes the event at as-of minus 24h", Params{Window: 24 * time.Hour}, fixtureAsOf, 10},
		{"as-of one second earlier drops E16 and takes E05", Params{Window: 24 * time.Hour}, fixtureAsOf.Add(-time.Second), 10},
		{"as-of one second later: E05 still out, E16 still in", Params{Window: 24 * time.Hour}, fixtureAsOf.Add(time.Second), 10},
		{"since is exclusive", Params{Since: time.Date(2025, 6, 9, 12, 0, 0, 0, time.UTC)}, fixtureAsOf, 10},
		{"since one second earlier takes E05", Params{Since: time.Date(2025, 6, 9, 11, 59, 59, 0, time.UTC)}, fixtureAsOf, 11},
		{"until is inclusive", Params{Until: time.Date(2025, 6, 9, 12, 0, 0, 0, time.UTC)}, fixtureAsOf, 4},
		{"all ignores the window", Params{All: true, Window: time.Hour}, fixtureAsOf, 14},
	} {
		if got := count(c.p, c.asOf); got != c.want {
			t.Errorf("%s: %d interactive sign-ins, want %d", c.name, got, c.want)
		}
	}
}

// TestFiltersAreBound: filter values reach DuckDB as parameters, so text that would be
// SQL is only ever compared as a value.
func TestFiltersAreBound(t *testing.T) {
	db := openCatalogueDB(t, "", catalogueFixture+"/graph")
	ctx := context.Background()
	for _, p := range []Params{
		{App: "x' OR '1'='1"},
		{User: "alice@contoso.example'; DROP TABLE signins; --"},
		{IP: "203.0.113.10' --"},
	} {
		tab, b, err := Run(ctx, db.SQL, mustQuery(t, "log-types"), p, fixtureAsOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) != 0 {
			t.Errorf("%+v matched %d rows", p, len(tab.Rows))
		}
		if b.Args["app"] == nil && p.App != "" {
			t.Errorf("app not recorded in the bound arguments: %v", b.Args)
		}
	}
	if n, _ := db.Count(ctx); n != 20 {
		t.Errorf("signins holds %d rows after the attempts, want 20", n)
	}
}

func TestCheckParams(t *testing.T) {
	browsers := mustQuery(t, "browsers")
	for set, want := range map[string]string{
		"browsers.by_version=true":  "",
		"browsers.by_version=maybe": "want true or false",
		"browsers.by_versoin=true":  `no parameter "by_versoin" (it has by_version)`,
		"app-users.x=1":             "", // another entry's setting: not ours to judge
	} {
		k, v, _ := strings.Cut(set, "=")
		err := CheckParams(browsers, Params{Set: map[string]string{k: v}})
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", set, err, want)
		}
	}
	if err := CheckParams(mustQuery(t, "app-users"), Params{Set: map[string]string{"app-users.x": "1"}}); err == nil || !strings.Contains(err.Error(), "has no parameters") {
		t.Errorf("app-users.x: %v", err)
	}
}

func TestNeedsFilter(t *testing.T) {
	if f := NeedsFilter(mustQuery(t, "user-timeline")); f != "user" {
		t.Errorf("user-timeline needs %q", f)
	}
	if f := NeedsFilter(mustQuery(t, "app-users")); f != "" {
		t.Errorf("app-users needs %q", f)
	}
	// Without the filter it answers nothing rather than everyone's events.
	db := openCatalogueDB(t, "", catalogueFixture+"/graph")
	tab, _, err := Run(context.Background(), db.SQL, mustQuery(t, "user-timeline"), Params{}, fixtureAsOf)
	if err != nil || len(tab.Rows) != 0 {
		t.Errorf("user-timeline without --user: %d rows, %v", len(tab.Rows), err)
	}
}

func TestNotes(t *testing.T) {
	db := openCatalogueDB(t, "", catalogueFixture+"/graph")
	ctx := context.Background()
	for _, c := range []struct {
		id   string
		p    Params
		loc  *time.Location
		want []string
	}{
		{"failed-signins", Params{}, time.UTC, []string{
			"window: 2025-06-09T12:00:00Z < event time <= 2025-06-10T12:00:00Z",
			"6 failed user sign-ins (non-zero error code): interactiveUser 5, nonInteractiveUser 1"}},
		{"failed-signins", Params{LogTypes: []string{"nonInteractiveUser"}, Window: 7 * 24 * time.Hour}, time.UTC, []string{
			"window: 2025-06-03T12:00:00Z < event time <= 2025-06-10T12:00:00Z",
			"1 failed user sign-ins (non-zero error code): interactiveUser 0, nonInteractiveUser 1"}},
		{"log-types", Params{}, time.FixedZone("UTC+2", 2*3600), []string{
			"window: every event up to 2025-06-10T14:00:00+02:00"}},
	} {
		q := mustQuery(t, c.id)
		_, b, err := Run(ctx, db.SQL, q, c.p, fixtureAsOf)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Notes(ctx, db.SQL, q, b, c.loc)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s notes:\n got  %q\n want %q", c.id, got, c.want)
		}
	}
}

func TestQueryLogTypes(t *testing.T) {
	for id, want := range map[string]string{
		"app-users":       "interactiveUser,nonInteractiveUser",
		"workload-access": "managedIdentity,servicePrincipal",
		"app-credentials": "servicePrincipal",
		"locations":       "",
		"log-types":       "", // names all four, but only to order them
		"risky-signins":   "interactiveUser,nonInteractiveUser",
	} {
		if got := strings.Join(mustQuery(t, id).LogTypes, ","); got != want {
			t.Errorf("%s reads %q, want %q", id, got, want)
		}
	}
}

// A query that declares the log types it reads gives the same result when the scope holds
// only those: its log-types: header is not narrower than its SQL.
func TestDeclaredLogTypesSuffice(t *testing.T) {
	db := openCatalogueDB(t, "", catalogueFixture+"/graph")
	ctx := context.Background()
	if err := PrepareDetections(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range all {
		if q.LogTypes == nil {
			continue
		}
		for _, lt := range q.LogTypes {
			// The audit and provisioning logs are named by their scoping macros.
			named := map[string]string{"audit": "audit_scoped(", "provisioning": "provisioning_scoped("}[lt]
			if named == "" {
				named = "'" + lt + "'"
			}
			if !strings.Contains(q.SQL, named) {
				t.Errorf("%s declares log type %s, which its SQL never names", q.ID, lt)
			}
		}
		p := Params{All: true}
		if q.NeedsFilter == "user" {
			p.User = "alice@contoso.example"
		}
		whole, _, err := Run(ctx, db.SQL, q, p, fixtureAsOf)
		if err != nil {
			t.Fatal(err)
		}
		p.LogTypes = q.LogTypes
		narrow, _, err := Run(ctx, db.SQL, q, p, fixtureAsOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(whole.Rows) == 0 && q.Kind == "query" && !slices.Contains(q.LogTypes, "audit") && !slices.Contains(q.LogTypes, "provisioning") {
			t.Logf("%s: no rows on the fixture; the comparison proves little", q.ID)
		}
		if !reflect.DeepEqual(whole.Rows, narrow.Rows) {
			t.Errorf("%s: restricting the scope to its log types %v changes the result", q.ID, q.LogTypes)
		}
	}
}

// TestAvailability marks fields unavailable the way a lossy loader does and checks what
// each query is told.
func TestAvailability(t *testing.T) {
	ctx := context.Background()
	// The admin JSON fixture: one file per log type, source ids in file order
	// (Application=1, Interactive=2, MSI=3, NonInteractive=4).
	db := openCatalogueDB(t, "", catalogueFixture+"/admin")
	mark := func(sourceID int, fields ...string) {
		t.Helper()
		if _, err := db.SQL.ExecContext(ctx, "UPDATE sources SET unavailable_fields = from_json(?, '[\"VARCHAR\"]') WHERE source_id = ?", toList(fields), sourceID); err != nil {
			t.Fatal(err)
		}
	}
	var format string
	if err := db.SQL.QueryRowContext(ctx, "SELECT format FROM sources WHERE source_id = 2 AND path LIKE '%InteractiveSignIns%'").Scan(&format); err != nil {
		t.Fatalf("source 2 is not the interactive file: %v", err)
	}
	check := func(id string, missing string, answerable, partial bool, msg string) {
		t.Helper()
		g, err := CheckAvailability(ctx, db.SQL, mustQuery(t, id))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(g.Missing, ",") != missing || g.Answerable() != answerable || g.Partial() != partial || g.Message() != msg {
			t.Errorf("%s: missing %v answerable %v partial %v message %q\n want %q %v %v %q", id, g.Missing, g.Answerable(), g.Partial(), g.Message(), missing, answerable, partial, msg)
		}
		m, p, err := Availability(ctx, db.SQL, mustQuery(t, id))
		if err != nil || strings.Join(m, ",") != missing || p != partial {
			t.Errorf("%s: Availability %v %v %v", id, m, p, err)
		}
	}
	check("risky-signins", "", true, false, "")

	// The interactive file lacks risk fields; the non-interactive one still has them.
	mark(2, "risk_level_during_signin", "risk_state", "city")
	label := formatLabel(format)
	check("risky-signins", "risk_level_during_signin,risk_state", true, true,
		"risk fields are not available in 1 of 2 files ("+label+"): risky-signins answers from the other file only")
	// Workload queries do not read the interactive file: nothing to say.
	check("risky-workload-identities", "", true, false, "")

	// Both user files lack them: the question cannot be answered.
	mark(4, "risk_event_types")
	check("risky-users", "risk_level_during_signin,risk_state,risk_event_types", false, false,
		"risk fields are not available in this export ("+label+"): risky-users cannot be answered from it")
	check("locations", "city", true, true,
		"city is not available in 1 of 4 files ("+label+"): locations answers from the other 3 files only")

	// A loader that says it cannot carry authentication details is overruled when the
	// file's sign-ins have steps after all (an AuthDetails file was loaded beside it).
	mark(2, "auth_steps", "ca_policies")
	check("auth-methods", "", true, false, "")
	if _, err := db.SQL.ExecContext(ctx, "DELETE FROM signin_ca_policies"); err != nil {
		t.Fatal(err)
	}
	check("ca-policies", "ca_policies", true, true,
		"per-policy Conditional Access results are not available in 1 of 4 files ("+label+"): ca-policies answers from the other 3 files only")
}

func toList(fields []string) string {
	return `["` + strings.Join(fields, `", "`) + `"]`
}

// TestAvailabilityEmptyDatabase: with no files at all there is nothing to blame.
func TestAvailabilityEmptyDatabase(t *testing.T) {
	db := openCatalogueDB(t, "")
	g, err := CheckAvailability(context.Background(), db.SQL, mustQuery(t, "risky-signins"))
	if err != nil || len(g.Missing) != 0 || !g.Answerable() || g.Message() != "" {
		t.Errorf("%+v %v", g, err)
	}
}
