package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
)

// TestSourcesReadBack: what Sources reads from the sources and load_problems tables is what
// the load reported for each file, and the problem limit keeps the first problems by line.
func TestSourcesReadBack(t *testing.T) {
	db := openTemp(t)
	sum := load(t, db, "../../testdata/csv/damage")
	ctx := context.Background()
	got, err := db.Sources(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sum.Files) || len(got) != 2 {
		t.Fatalf("%d sources read back, %d loaded, want 2", len(got), len(sum.Files))
	}
	byPath := map[string]*FileResult{}
	for i, f := range got {
		if i > 0 && f.SourceID <= got[i-1].SourceID {
			t.Errorf("sources out of load order: %d after %d", f.SourceID, got[i-1].SourceID)
		}
		byPath[f.Path] = f
	}
	for _, want := range sum.Files {
		f := byPath[want.Path]
		if f == nil {
			t.Fatalf("%s not read back", want.Path)
		}
		if f.SourceID != want.SourceID || f.SHA256 != want.SHA256 || f.Bytes != want.Bytes || f.Format != want.Format ||
			f.Records != want.Records || f.Loaded != want.Loaded || f.Versions != want.Versions || f.Duplicates != want.Duplicates ||
			f.Rejected != want.Rejected || f.Skipped != want.Skipped {
			t.Errorf("%s: read back %+v, loaded %+v", want.Path, f, want)
		}
		// The table keeps the record index beside the line; the load's summary names one place.
		var problems []ProblemJSON
		for _, p := range f.Problems {
			if p.Line > 0 {
				p.Record = 0
			}
			problems = append(problems, p)
		}
		if !reflect.DeepEqual(f.LogTypes, want.LogTypes) || !reflect.DeepEqual(problems, want.Problems) {
			t.Errorf("%s: log types %v problems %+v, loaded %v %+v", want.Path, f.LogTypes, f.Problems, want.LogTypes, want.Problems)
		}
		if (f.First == nil) != (want.First == nil) || f.First != nil && (!f.First.Equal(*want.First) || !f.Last.Equal(*want.Last)) {
			t.Errorf("%s: events %v..%v, loaded %v..%v", want.Path, f.First, f.Last, want.First, want.Last)
		}
	}
	// Counted by hand: the damaged CSV rejects lines 3, 6, 7 and 8; the PowerShell one line 3.
	damaged := byPath[filepath.Join("..", "..", "testdata", "csv", "damage", "InteractiveSignIns_damaged-rows.csv")]
	if damaged == nil || damaged.Records != 7 || damaged.Loaded != 3 || damaged.Rejected != 4 {
		t.Fatalf("damaged CSV: %+v", damaged)
	}
	var lines []int64
	for _, p := range damaged.Problems {
		lines = append(lines, p.Line)
	}
	if !reflect.DeepEqual(lines, []int64{3, 6, 7, 8}) || damaged.ProblemsOmitted != 0 {
		t.Errorf("problem lines %v, %d omitted; want [3 6 7 8], 0", lines, damaged.ProblemsOmitted)
	}

	limited, err := db.Sources(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range limited {
		switch filepath.Base(f.Path) {
		case "InteractiveSignIns_damaged-rows.csv":
			if len(f.Problems) != 2 || f.Problems[0].Line != 3 || f.Problems[1].Line != 6 || f.ProblemsOmitted != 2 {
				t.Errorf("limit 2: %+v, %d omitted; want lines 3 and 6, 2 omitted", f.Problems, f.ProblemsOmitted)
			}
		case "powershell-typenames.csv":
			if len(f.Problems) != 1 || f.Problems[0].Line != 3 || f.ProblemsOmitted != 0 {
				t.Errorf("limit 2: %+v, %d omitted; want line 3 alone", f.Problems, f.ProblemsOmitted)
			}
		}
	}

	if n, err := db.OrphanAuthSteps(ctx); err != nil || n != 0 {
		t.Errorf("orphan auth steps %d, %v; want 0 (no authentication details loaded)", n, err)
	}
}
