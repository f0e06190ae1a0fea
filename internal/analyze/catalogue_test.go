package analyze

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// The catalogue on several connections gives the report of one connection, entry for
// entry: sections and detection runs in catalogue order, findings in report order, and the
// same findings as RunDetections on the main connection.
func TestCatalogueConnectionsSameReport(t *testing.T) {
	ctx := context.Background()
	db, sum := rptLoad(t, "../../testdata/sample")
	build := func(conns int) *Report {
		r, err := Build(ctx, db, sum, Params{}, ReportOptions{Version: "test", GeneratedAt: rptGenerated, Connections: conns})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	threads, err := db.Setting(ctx, "threads")
	if err != nil {
		t.Fatal(err)
	}
	one := build(1)
	if len(one.Findings) == 0 || len(one.Sections) == 0 {
		t.Fatalf("sample gives %d findings and %d sections; the comparison needs both", len(one.Findings), len(one.Sections))
	}
	// The sample exercises what runs apart: audit evidence, a detection over prior_findings
	// (second pass) and accounts over the stored findings (after the detections).
	var audit, prior bool
	for _, f := range one.Findings {
		audit = audit || len(f.AuditEvidence) > 0
		prior = prior || f.Detection == "compromise-then-persistence"
	}
	if !audit || !prior {
		t.Errorf("sample findings: audit evidence %v, compromise-then-persistence %v; want both", audit, prior)
	}
	if s := one.Section("accounts"); s == nil || s.Table == nil || len(s.Table.Rows) == 0 {
		t.Errorf("sample gives no accounts rows")
	}
	want, wantRuns, err := queries.RunDetections(ctx, db.SQL, Params{}, one.Meta.AsOf, "low")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one.Findings, want) {
		t.Errorf("findings of Build differ from RunDetections: %d and %d", len(one.Findings), len(want))
	}
	if !reflect.DeepEqual(one.DetectionRuns, wantRuns) {
		t.Errorf("detection runs of Build differ from RunDetections: %d and %d", len(one.DetectionRuns), len(wantRuns))
	}
	oneJSON, err := json.Marshal(one)
	if err != nil {
		t.Fatal(err)
	}
	for _, conns := range []int{2, 4} {
		r := build(conns)
		// The first pass runs on one engine thread per connection; Build gives them back.
		if now, err := db.Setting(ctx, "threads"); err != nil || now != threads {
			t.Errorf("%d connections: DuckDB threads %q after Build, want %q back (%v)", conns, now, threads, err)
		}
		got, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r.Findings, one.Findings) || !reflect.DeepEqual(r.Warnings, one.Warnings) {
			t.Errorf("%d connections: findings or warnings differ from one connection", conns)
		}
		if string(got) != string(oneJSON) {
			t.Errorf("report with %d connections differs from the report with one", conns)
		}
		for i := range r.Sections {
			if r.Sections[i].Query.ID != one.Sections[i].Query.ID || !reflect.DeepEqual(r.Sections[i].Table, one.Sections[i].Table) {
				t.Errorf("%d connections: section %d is %s, want %s with the same rows", conns, i, r.Sections[i].Query.ID, one.Sections[i].Query.ID)
			}
		}
		for i := range r.DetectionRuns {
			if r.DetectionRuns[i].Query.ID != one.DetectionRuns[i].Query.ID || r.DetectionRuns[i].Findings != one.DetectionRuns[i].Findings {
				t.Errorf("%d connections: detection run %d is %s (%d findings), want %s (%d)", conns, i,
					r.DetectionRuns[i].Query.ID, r.DetectionRuns[i].Findings, one.DetectionRuns[i].Query.ID, one.DetectionRuns[i].Findings)
			}
		}
	}
}

// With --intel every connection joins the same indicator tables: ioc-match finds the
// addresses named, alike on one connection and several.
func TestCatalogueConnectionsSameIntel(t *testing.T) {
	ctx := context.Background()
	db, sum := rptLoad(t, "../../testdata/sample")
	one, err := Build(ctx, db, sum, Params{}, ReportOptions{Version: "test", GeneratedAt: rptGenerated, Connections: 1})
	if err != nil {
		t.Fatal(err)
	}
	lines, seen := "indicator,label\n", map[string]bool{}
	for _, f := range one.Findings {
		if f.IPAddress != "" && !seen[f.IPAddress] {
			seen[f.IPAddress] = true
			lines += f.IPAddress + ",planted\n"
		}
	}
	path := filepath.Join(t.TempDir(), "intel.csv")
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := queries.LoadIntel(path)
	if err != nil {
		t.Fatal(err)
	}
	p := Params{Intel: in}
	var reports []string
	for _, conns := range []int{1, 3} {
		r, err := Build(ctx, db, sum, p, ReportOptions{Version: "test", GeneratedAt: rptGenerated, Connections: conns})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range r.Findings {
			if f.Detection == "ioc-match" {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%d connections: no ioc-match finding for the addresses of the sample's findings", conns)
		}
		got, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, string(got))
	}
	if reports[0] != reports[1] {
		t.Errorf("report with --intel on 3 connections differs from the one on one connection")
	}
}

// A --baseline that leaves the first-seen detections too short a baseline skips them,
// alike on one connection and several.
func TestCatalogueConnectionsSameBaseline(t *testing.T) {
	ctx := context.Background()
	db, sum := rptLoad(t, "../../testdata/sample")
	p := Params{Baseline: 14 * 24 * time.Hour}
	var reports []string
	for _, conns := range []int{1, 2} {
		r, err := Build(ctx, db, sum, p, ReportOptions{Version: "test", GeneratedAt: rptGenerated, Connections: conns})
		if err != nil {
			t.Fatal(err)
		}
		skipped := 0
		for _, run := range r.DetectionRuns {
			if strings.Contains(run.Skipped, "baseline") {
				skipped++
			}
		}
		if skipped == 0 {
			t.Errorf("%d connections: a 14-day --baseline on the 15-day sample skips no detection", conns)
		}
		got, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, string(got))
	}
	if reports[0] != reports[1] {
		t.Errorf("report with --baseline on 2 connections differs from the one on one connection")
	}
}

// A cancelled build returns the cancellation, not a partial report.
func TestCatalogueCancelled(t *testing.T) {
	db, sum := rptLoad(t, rptFixture)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Build(ctx, db, sum, Params{}, ReportOptions{Version: "test", Connections: 3, Progress: func(done, total int, what string) {
		if n++; n == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build after cancel: %v, want context.Canceled", err)
	}
	// The database is still usable afterwards.
	if _, err := Build(context.Background(), db, sum, Params{}, ReportOptions{Version: "test"}); err != nil {
		t.Fatalf("Build after a cancelled one: %v", err)
	}
}
