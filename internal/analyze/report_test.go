package analyze

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/signinlens/signinlens/internal/store/storetest"
)

// The fixture of these tests: testdata/analyze/basic/PT1H.json, counted by hand in
// testdata/analyze/README.md.
const rptFixture = "../../testdata/analyze/basic"

var rptGenerated = time.Date(2025, 6, 20, 9, 30, 0, 0, time.UTC)

// rptLoad loads paths into a fresh temporary database and returns it with the load summary.
func rptLoad(t testing.TB, paths ...string) (*store.DB, *store.Summary) {
	t.Helper()
	return storetest.OpenLoad(t, paths...)
}

// rptBuild loads the fixture and builds its report with a fixed generated-at time.
func rptBuild(t testing.TB, p Params, opt ReportOptions) *Report {
	t.Helper()
	db, sum := rptLoad(t, rptFixture)
	opt.Version = "test"
	if opt.GeneratedAt.IsZero() {
		opt.GeneratedAt = rptGenerated
	}
	r, err := Build(context.Background(), db, sum, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuildCountsByHand(t *testing.T) {
	r := rptBuild(t, Params{}, ReportOptions{})
	if len(r.Sources) != 1 {
		t.Fatalf("sources: %d, want 1", len(r.Sources))
	}
	f := r.Sources[0]
	if f.Records != 13 || f.Loaded != 10 || f.Duplicates != 1 || f.Rejected != 1 || f.Skipped != 1 {
		t.Errorf("accounting: records %d loaded %d duplicates %d rejected %d skipped %d; want 13 10 1 1 1",
			f.Records, f.Loaded, f.Duplicates, f.Rejected, f.Skipped)
	}
	if f.Format != "diagnostic-jsonl" || len(f.SHA256) != 64 || f.Bytes == 0 {
		t.Errorf("source: format %q sha256 %q bytes %d", f.Format, f.SHA256, f.Bytes)
	}
	if len(f.Problems) != 1 || f.Problems[0].Line != 9 || !strings.Contains(f.Problems[0].Reason, "no properties") {
		t.Errorf("problems: %+v, want line 9 without properties", f.Problems)
	}
	want := []LogTypeCount{
		{"interactiveUser", 5, 2, 1, 2},
		{"nonInteractiveUser", 2, 2, 0, 0},
		{"servicePrincipal", 2, 1, 0, 1},
		{"managedIdentity", 1, 1, 0, 0},
	}
	if len(r.Counts) != len(want) {
		t.Fatalf("counts: %+v", r.Counts)
	}
	for i, c := range want {
		if r.Counts[i] != c {
			t.Errorf("counts[%d] = %+v, want %+v", i, r.Counts[i], c)
		}
	}
	m := r.Meta
	if m.SignIns != 10 || !m.First.Equal(time.Date(2025, 6, 13, 16, 0, 0, 0, time.UTC)) ||
		!m.Last.Equal(time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)) || !m.AsOf.Equal(m.Last) {
		t.Errorf("meta: %+v", m)
	}
	if m.Version != "test" || !m.GeneratedAt.Equal(rptGenerated) || m.Database != "(temporary database)" || m.TimeZone != "UTC" {
		t.Errorf("meta: %+v", m)
	}
	for _, w := range []string{"1 record rejected (first: line 9", "1 duplicate record removed", "1 record skipped because not sign-ins (RiskyUsers 1)"} {
		if !rptHas(r.Warnings, w) {
			t.Errorf("warnings lack %q:\n%s", w, strings.Join(r.Warnings, "\n"))
		}
	}
	// Every kind: query of the catalogue has a section; detections ran.
	plain, _ := queries.OfKind("query")
	if len(r.Sections) != len(plain) {
		t.Errorf("%d sections for %d queries", len(r.Sections), len(plain))
	}
	dets, _ := queries.OfKind("detection")
	if len(r.DetectionRuns) != len(dets) {
		t.Errorf("%d detection runs for %d detections", len(r.DetectionRuns), len(dets))
	}
}

func TestAnswersByHand(t *testing.T) {
	r := rptBuild(t, Params{}, ReportOptions{})
	want := map[string]string{
		"log-types":      "10 sign-ins in all events up to 2025-06-15 12:00 UTC: interactiveUser 5, nonInteractiveUser 2, servicePrincipal 2, managedIdentity 1; 4 failed",
		"app-users":      "1 user signed into Microsoft Teams in the 7 days ending 2025-06-15 12:00 UTC",
		"failed-signins": "3 user sign-ins failed (non-zero error code) in the 24 hours ending 2025-06-15 12:00 UTC; most often 50126",
		"browsers":       "Most user sign-ins came from the browser Edge: 4 of 7 (57%) in all events up to 2025-06-15 12:00 UTC; next Chrome (2)",
		"workload":       "1 service principal and 1 managed identity signed in to 1 resource (3 sign-ins)",
		"who-how-what":   "3 users reached 3 resources through 3 applications (7 sign-ins",
	}
	for id, w := range want {
		if !rptHas(r.Answers, w) {
			t.Errorf("%s: no answer starting %q in:\n%s", id, w, strings.Join(r.Answers, "\n"))
		}
	}
}

func TestAnswersSkipMissingQueries(t *testing.T) {
	q, ok := queries.Get("log-types")
	if !ok {
		t.Skip("no log-types query")
	}
	r := rptBuild(t, Params{}, ReportOptions{Queries: []*queries.Query{q}, Detect: rptNoDetect})
	if len(r.Answers) != 1 || !strings.HasPrefix(r.Answers[0], "10 sign-ins") {
		t.Errorf("answers with one query: %q", r.Answers)
	}
	if len(r.DetectionRuns) != 0 || len(r.Findings) != 0 {
		t.Errorf("detections: %d runs", len(r.DetectionRuns))
	}
}

func rptNoDetect(context.Context, *sql.DB, Params, time.Time, string) ([]Finding, []DetectionRun, error) {
	return nil, nil, nil
}

func TestFiltersAndWindowAreRecorded(t *testing.T) {
	r := rptBuild(t, Params{App: "Microsoft Teams", Window: 48 * time.Hour, LogTypes: []string{"interactiveUser"}}, ReportOptions{Loc: mustZone(t, "Europe/Berlin")})
	got := strings.Join(r.Meta.Filters, "; ")
	for _, w := range []string{"window: 2d (every query)", "application: Microsoft Teams", "log types: interactiveUser"} {
		if !strings.Contains(got, w) {
			t.Errorf("filters %q lack %q", got, w)
		}
	}
	if r.Meta.TimeZone != "Europe/Berlin" {
		t.Errorf("zone %q", r.Meta.TimeZone)
	}
	s := r.Section("log-types")
	if s == nil || len(s.Table.Rows) != 1 || s.Table.Rows[0][1] != int64(3) {
		t.Fatalf("log-types under the filters: %+v", s.Table.Rows)
	}
	if !strings.Contains(r.Answers[0], "the 2 days ending 2025-06-15 14:00 CEST") {
		t.Errorf("answer in Berlin time: %q", r.Answers[0])
	}
}

func TestDescribeWindow(t *testing.T) {
	end := time.Date(2025, 6, 15, 23, 59, 0, 0, time.UTC)
	for _, c := range []struct {
		since time.Time
		want  string
	}{
		{time.Time{}, "all events up to 2025-06-15 23:59 UTC"},
		{end.Add(-24 * time.Hour), "the 24 hours ending 2025-06-15 23:59 UTC"},
		{end.Add(-7 * 24 * time.Hour), "the 7 days ending 2025-06-15 23:59 UTC"},
		{end.Add(-6 * time.Hour), "the 6 hours ending 2025-06-15 23:59 UTC"},
		{end.Add(-90 * time.Minute), "events after 2025-06-15 22:29 UTC up to 2025-06-15 23:59 UTC"},
	} {
		if got := DescribeWindow(Bound{Since: c.since, Until: end}, time.UTC); got != c.want {
			t.Errorf("DescribeWindow(%v) = %q, want %q", c.since, got, c.want)
		}
	}
}

func TestCapWarning(t *testing.T) {
	r := &Report{Sources: []*store.FileResult{{Path: "InteractiveSignIns.csv", Format: "admin-csv", Records: 100000, Loaded: 100000}}}
	caps, err := exportCaps(nil, Params{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(r.warnings(caps), "\n"); !strings.Contains(w, "InteractiveSignIns.csv holds exactly 100,000 records, a known export cap") {
		t.Errorf("no cap warning: %s", w)
	}
	r.Sources[0].Records = 99999
	if w := strings.Join(r.warnings(caps), "\n"); strings.Contains(w, "cap") {
		t.Errorf("cap warning for 99,999: %s", w)
	}
	// --set export-truncated.caps changes the warning as it changes the detection.
	caps, err = exportCaps(nil, Params{Set: map[string]string{"export-truncated.caps": "99999, 5"}}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(r.warnings(caps), "\n"); !strings.Contains(w, "holds exactly 99,999 records, a known export cap") {
		t.Errorf("--set caps=99999,5: no cap warning: %s", w)
	}
	// The detection's own run wins: its bound caps are what the finding used.
	runs := []DetectionRun{{Query: &queries.Query{ID: "export-truncated"}, Bound: Bound{Args: map[string]any{"caps": "100000"}}}}
	if caps, err = exportCaps(runs, Params{}, time.Time{}); err != nil || len(caps) != 1 || caps[0] != 100000 {
		t.Errorf("caps from the run: %v, %v", caps, err)
	}
}

func rptHas(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.Contains(l, prefix) {
			return true
		}
	}
	return false
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
