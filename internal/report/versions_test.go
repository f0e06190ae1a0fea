package report

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// The versions fixture (testdata/versions/README.md): Alice's sign-in in 3 versions, a copy
// of Bob's and a copy of Alice's second version. Loaded, a file holding all six records
// counts records 6 = loaded 2 + versions 2 + duplicates 2; split over two files, the first
// (the third version and Bob) loads 2 and the second (the rest) has the 2 versions and the
// 2 duplicates.
const versionsFixture = "../../testdata/versions"

// versionsReport loads paths and builds their report without detections.
func versionsReport(t *testing.T, paths ...string) *analyze.Report {
	t.Helper()
	db, sum := rptLoad(t, paths...)
	r, err := analyze.Build(context.Background(), db, sum, analyze.Params{}, analyze.ReportOptions{Version: "test", GeneratedAt: rptGenerated, Detect: rptNoDetect})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sourcesAccounting reads the Sources sheet's table back: per file name, the accounting
// columns by their headers.
func sourcesAccounting(t *testing.T, f *excelize.File) map[string]map[string]string {
	t.Helper()
	rows, err := f.GetRows(sheetSources)
	if err != nil {
		t.Fatal(err)
	}
	hdr := rows[tableHeaderRow-1]
	want := []string{"records", "loaded", "versions", "duplicates", "rejected", "skipped"}
	at := slices.Index(hdr, "loaded")
	if at < 0 || len(hdr) < at+5 || !slices.Equal(hdr[at-1:at+5], want) {
		t.Fatalf("Sources header %q: want the columns %q in a row", hdr, want)
	}
	out := map[string]map[string]string{}
	for _, row := range rows[tableHeaderRow:] {
		if len(row) < 2 || row[1] == "" {
			break
		}
		m := map[string]string{}
		for _, h := range want {
			m[h] = row[slices.Index(hdr, h)]
		}
		out[filepath.Base(row[1])] = m
	}
	return out
}

func TestSourcesShowVersions(t *testing.T) {
	for _, c := range []struct {
		dir  string
		want map[string]string // file: records loaded versions duplicates rejected skipped
	}{
		{"la-json/all", map[string]string{"rows.jsonl": "6 2 2 2 0 0"}},
		{"la-csv/all", map[string]string{"query_data.csv": "6 2 2 2 0 0"}},
		{"diagnostic/split", map[string]string{"1-PT1H.json": "2 2 0 0 0 0", "2-PT1H.json": "4 0 2 2 0 0"}},
	} {
		r := versionsReport(t, filepath.Join(versionsFixture, c.dir))
		f, _ := rptWorkbook(t, r)
		got := sourcesAccounting(t, f)
		for file, want := range c.want {
			m := got[file]
			if m == nil {
				t.Errorf("%s: Sources lacks %s: %v", c.dir, file, got)
				continue
			}
			if s := strings.Join([]string{m["records"], m["loaded"], m["versions"], m["duplicates"], m["rejected"], m["skipped"]}, " "); s != want {
				t.Errorf("%s: Sources %s records loaded versions duplicates rejected skipped = %s, want %s", c.dir, file, s, want)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: Sources lists %v", c.dir, got)
		}
		if !rptSheetHas(f, sheetSources, "records = loaded + versions + duplicates + rejected + skipped: a version is a record of a sign-in already loaded "+
			"that says something different (e.g. MFA completed or risk added later), kept in signin_versions and merged into the sign-in; "+
			"a duplicate is a copy of a version already loaded (same content, ignoring its ingestion time).") {
			t.Errorf("%s: the Sources sheet does not explain versions and duplicates", c.dir)
		}
		if !rptHasPrefix(r.Warnings, "2 record versions merged into sign-ins already loaded") || !rptHasPrefix(r.Warnings, "2 duplicate records removed") {
			t.Errorf("%s: warnings %q", c.dir, r.Warnings)
		}
	}
}

// The Markdown and JSON reports carry the same per-file versions.
func TestVersionsInMarkdownAndJSON(t *testing.T) {
	r := versionsReport(t, filepath.Join(versionsFixture, "la-json/all"))
	var md bytes.Buffer
	if err := WriteMarkdown(context.Background(), &md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| records | loaded | versions | duplicates | rejected | skipped |") || !strings.Contains(md.String(), "| 6 | 2 | 2 | 2 | 0 | 0 |") {
		t.Errorf("Markdown sources lack the versions:\n%s", md.String()[strings.Index(md.String(), "## Sources"):])
	}
	var js bytes.Buffer
	if err := WriteJSON(context.Background(), &js, r); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Sources []struct{ Records, Loaded, Versions, Duplicates int64 } `json:"sources"`
	}
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Sources) != 1 || m.Sources[0].Records != 6 || m.Sources[0].Loaded != 2 || m.Sources[0].Versions != 2 || m.Sources[0].Duplicates != 2 {
		t.Errorf("JSON sources %+v, want records 6 loaded 2 versions 2 duplicates 2", m.Sources)
	}
}

func TestMethodologyExplainsVersions(t *testing.T) {
	r := versionsReport(t, filepath.Join(versionsFixture, "graph/all"))
	f, _ := rptWorkbook(t, r)
	rows, err := f.GetRows(sheetMethodology)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rows, func(row []string) bool { return len(row) > 0 && row[0] == "Record versions" })
	if i < 0 || len(rows[i]) < 2 {
		t.Fatalf("Methodology has no Record versions paragraph")
	}
	want := "A sign-in (request id, log type, event time, error code) that arrived in several different versions is reported merged: " +
		"each field comes from the latest version that carries a value (ordered by ingestion time — TimeGenerated or the diagnostic `time` — " +
		"else by the number of values carried, then file order), and empty or default values (none, unknown, empty lists) never erase an earlier one; " +
		"risk is thus the most recent evaluated state with its risk event types, authentication steps are the union of all versions' steps in step-time order " +
		"without repeats, and Conditional Access results come from the latest version that has them."
	if rows[i][1] != want {
		t.Errorf("Record versions paragraph:\n got  %q\n want %q", rows[i][1], want)
	}
}

func rptHasPrefix(list []string, prefix string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.HasPrefix(s, prefix) })
}
