package queries

import (
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/loaders"
)

// The detections that judge first uses against the --baseline, each with a min_baseline.
var baselineFamily = []string{"first-device-code", "first-legacy-client", "first-ropc", "new-country", "new-device", "workload-new-asn"}

func TestParseBaseline(t *testing.T) {
	parse := func(s string) (time.Time, error) { return loaders.ParseTime(s, false) }
	d, end, err := ParseBaseline("10d", parse)
	if err != nil || d != 240*time.Hour || !end.IsZero() {
		t.Errorf("10d: %v %v %v", d, end, err)
	}
	d, end, err = ParseBaseline("2025-06-01", parse)
	if err != nil || d != 0 || !end.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("2025-06-01: %v %v %v", d, end, err)
	}
	for _, bad := range []string{"all", "soon", "-3d", ""} {
		if _, _, err := ParseBaseline(bad, parse); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The baseline starts with the first sign-in (or --since, when later) and ends --baseline
// before the end of the window, or at the time --baseline names.
func TestBaselineBounds(t *testing.T) {
	db := loadDB(t, caseFile(t, caseNamed(t, "new-country", "fire")))
	q, _ := Get("new-country")
	asOf := time.Date(2025, 6, 15, 9, 0, 0, 0, time.UTC)
	first := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name       string
		p          Params
		start, end time.Time
	}{
		{"default", Params{}, first, asOf.Add(-7 * 24 * time.Hour)},
		{"duration", Params{Baseline: 3 * 24 * time.Hour}, first, asOf.Add(-3 * 24 * time.Hour)},
		{"date", Params{BaselineEnd: time.Date(2025, 6, 9, 0, 0, 0, 0, time.UTC)}, first, time.Date(2025, 6, 9, 0, 0, 0, 0, time.UTC)},
		// After --since 10:00 the first sign-in is wendy's at 12:00.
		{"since", Params{Since: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)}, time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), asOf.Add(-7 * 24 * time.Hour)},
		// --window 10d starts the window, and the baseline with it, at 06-05 09:00.
		{"window", Params{Window: 10 * 24 * time.Hour}, time.Date(2025, 6, 5, 9, 0, 0, 0, time.UTC), asOf.Add(-7 * 24 * time.Hour)},
		{"until", Params{Until: time.Date(2025, 6, 14, 0, 0, 0, 0, time.UTC)}, first, time.Date(2025, 6, 7, 0, 0, 0, 0, time.UTC)},
	} {
		_, b, err := Run(t.Context(), db.SQL, q, c.p, asOf)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		start, _ := b.Args["baseline_start"].(time.Time)
		end, _ := b.Args["baseline_end"].(time.Time)
		if !start.Equal(c.start) || !end.Equal(c.end) {
			t.Errorf("%s: baseline %v to %v, want %v to %v", c.name, start, end, c.start, c.end)
		}
	}
}

// A baseline shorter than a detection's min_baseline: the detection does not run and says
// it could not judge, with the baseline's dates; the others run.
func TestBaselineTooShortCannotJudge(t *testing.T) {
	db := loadDB(t, caseFile(t, caseNamed(t, "new-country", "fire")))
	asOf := time.Date(2025, 6, 15, 9, 0, 0, 0, time.UTC)
	// The baseline of the case is 2025-06-01T08:00 to 2025-06-08T09:00: 7 days and an hour.
	_, runs, err := RunDetections(t.Context(), db.SQL, Params{Set: map[string]string{"new-country.min_baseline": "8d"}}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		switch {
		case r.Query.ID == "new-country":
			want := "could not judge first uses: the baseline, the sign-ins from 2025-06-01T08:00:00Z to 2025-06-08T09:00:00Z, covers 7.0 days, less than the 8 days min_baseline asks for"
			if !strings.HasPrefix(r.Skipped, want) || r.Findings != 0 {
				t.Errorf("new-country: skipped %q, findings %d", r.Skipped, r.Findings)
			}
		case r.Skipped != "":
			t.Errorf("%s skipped: %s", r.Query.ID, r.Skipped)
		}
	}
	// signinlens query runs the SQL alone: it finds nothing under the same minimum.
	q, _ := Get("new-country")
	// An hour's slack (BaselineSlack): 7 days and an hour count for 170 h, not for 171 h.
	for min, want := range map[string]int{"7d": 1, "8d": 0, "170h": 1, "171h": 0} {
		tbl, _, err := Run(t.Context(), db.SQL, q, Params{Set: map[string]string{"new-country.min_baseline": min}}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(tbl.Rows) != want {
			t.Errorf("query new-country with min_baseline %s: %d rows, want %d", min, len(tbl.Rows), want)
		}
	}
	for min, skips := range map[string]bool{"170h": false, "171h": true} {
		_, runs, err := RunDetections(t.Context(), db.SQL, Params{Set: map[string]string{"new-country.min_baseline": min}}, asOf, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Query.ID == "new-country" && (r.Skipped != "") != skips {
				t.Errorf("new-country, min_baseline %s: skipped %q, findings %d", min, r.Skipped, r.Findings)
			}
		}
	}
	// Judging the last 14 days leaves a baseline of one hour: the whole family stands aside.
	_, runs, err = RunDetections(t.Context(), db.SQL, Params{Baseline: 14 * 24 * time.Hour}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, r := range runs {
		if r.Skipped != "" {
			skipped = append(skipped, r.Query.ID)
			if !strings.Contains(r.Skipped, "the sign-ins from 2025-06-01T08:00:00Z to 2025-06-01T09:00:00Z, covers 0.0 days, less than the 7 days") {
				t.Errorf("%s: %s", r.Query.ID, r.Skipped)
			}
		}
	}
	if strings.Join(skipped, " ") != strings.Join(baselineFamily, " ") {
		t.Errorf("skipped %v, want %v", skipped, baselineFamily)
	}
	// A baseline ending before the first sign-in covers nothing.
	_, runs, err = RunDetections(t.Context(), db.SQL, Params{BaselineEnd: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Query.ID == "first-ropc" && !strings.HasPrefix(r.Skipped, "could not judge first uses: the baseline would end at 2025-05-01T00:00:00Z, before the first sign-in at 2025-06-01T08:00:00Z, so it holds nothing, and min_baseline asks for 7 days") {
			t.Errorf("first-ropc: %q", r.Skipped)
		}
	}
}

// Every detection of the family declares min_baseline and binds both ends of the baseline,
// so its details can say how long the baseline was.
func TestBaselineFamilyDeclaresItsMinimum(t *testing.T) {
	for _, id := range baselineFamily {
		q, ok := Get(id)
		if !ok {
			t.Fatalf("no detection %s", id)
		}
		has := false
		for _, p := range q.Params {
			has = has || p.Name == "min_baseline" && p.Type == "duration" && p.Default == "7d"
		}
		if !has || !strings.Contains(q.SQL, "$baseline_start") || !strings.Contains(q.SQL, "$baseline_end") {
			t.Errorf("%s: min_baseline 7d declared %v; binds the baseline: %v", id, has, strings.Contains(q.SQL, "$baseline_start"))
		}
	}
}
