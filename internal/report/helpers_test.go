package report

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
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
func rptBuild(t testing.TB, p analyze.Params, opt analyze.ReportOptions) *analyze.Report {
	t.Helper()
	db, sum := rptLoad(t, rptFixture)
	opt.Version = "test"
	if opt.GeneratedAt.IsZero() {
		opt.GeneratedAt = rptGenerated
	}
	r, err := analyze.Build(context.Background(), db, sum, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func rptNoDetect(context.Context, *sql.DB, analyze.Params, time.Time, string) ([]analyze.Finding, []analyze.DetectionRun, error) {
	return nil, nil, nil
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
