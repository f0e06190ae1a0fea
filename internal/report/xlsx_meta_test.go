package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/words"
	"github.com/xuri/excelize/v2"
)

// metaQuery parses a catalogue entry whose header declares its columns with kinds.
func metaQuery(t *testing.T, kinds map[string]string) *queries.Query {
	t.Helper()
	text := "-- id: shapes\n-- kind: query\n-- title: Shapes\n-- question: How is each kind shown?\n-- window: all\n-- log-types: all\n"
	for _, c := range []string{"share", "n", "d", "label"} {
		text += "-- column: " + c + " " + kinds[c] + " | a column\n"
	}
	text += "SELECT 1\nORDER BY 1\n"
	q, err := queries.Parse("questions/shapes.sql", text)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestDeclaredKindSetsCellFormat: a catalogue sheet's cell formats follow the kinds its
// header declares, not the column names or the SQL types alone: the same table is written
// differently when the header says otherwise.
func TestDeclaredKindSetsCellFormat(t *testing.T) {
	table := func() *analyze.Table {
		return &analyze.Table{
			Columns: []analyze.Column{{Name: "share", Type: "DOUBLE"}, {Name: "n", Type: "BIGINT"}, {Name: "d", Type: "VARCHAR"}, {Name: "label", Type: "VARCHAR"}},
			Rows:    [][]any{{95.5, int64(50126), "2025-06-01", "2025-06-01"}},
		}
	}
	type want struct {
		numFmt    int    // built-in number format, when custom is ""
		custom    string // custom number format
		header    string
		rawValue  string
		checkType bool // the cell is a string
	}
	for _, c := range []struct {
		kinds map[string]string
		want  map[string]want
	}{
		{
			kinds: map[string]string{"share": "percent", "n": "code", "d": "day", "label": "text"},
			want: map[string]want{
				"A": {custom: `0.0"%"`, header: "share"},
				"B": {numFmt: 1, header: "n"},
				"C": {custom: "yyyy-mm-dd", header: "d (UTC)", rawValue: "45809"}, // 2025-06-01 as a date serial
				"D": {header: "label", rawValue: "2025-06-01", checkType: true},
			},
		},
		{
			kinds: map[string]string{"share": "number", "n": "integer", "d": "text", "label": "day"},
			want: map[string]want{
				"A": {custom: "#,##0.00", header: "share"},
				"B": {numFmt: 3, header: "n"},
				"C": {header: "d", rawValue: "2025-06-01", checkType: true},
				"D": {custom: "yyyy-mm-dd", header: "label (UTC)", rawValue: "45809"},
			},
		},
	} {
		q := metaQuery(t, c.kinds)
		r := &analyze.Report{
			Meta:     analyze.Meta{Version: "test", TimeZone: "UTC", AsOf: rptGenerated, GeneratedAt: rptGenerated},
			Warnings: []string{},
			Sections: []*analyze.Section{{Query: q, Bound: analyze.Bound{Until: rptGenerated}, Table: table()}},
		}
		f, _ := rptWorkbook(t, r)
		for col, w := range c.want {
			if got, _ := f.GetCellValue("shapes", col+"4"); got != w.header {
				t.Errorf("%v: shapes!%s4 header %q, want %q", c.kinds, col, got, w.header)
			}
			ref := col + "5"
			st, _ := f.GetCellStyle("shapes", ref)
			s, err := f.GetStyle(st)
			if err != nil {
				t.Fatal(err)
			}
			custom := ""
			if s.CustomNumFmt != nil {
				custom = *s.CustomNumFmt
			}
			if custom != w.custom || (w.custom == "" && s.NumFmt != w.numFmt) {
				t.Errorf("%v: shapes!%s number format %d %q, want %d %q", c.kinds, ref, s.NumFmt, custom, w.numFmt, w.custom)
			}
			if w.rawValue != "" {
				if v, _ := f.GetCellValue("shapes", ref, excelize.Options{RawCellValue: true}); v != w.rawValue {
					t.Errorf("%v: shapes!%s raw value %q, want %q", c.kinds, ref, v, w.rawValue)
				}
			}
			if w.checkType {
				if ct, _ := f.GetCellType("shapes", ref); ct != excelize.CellTypeSharedString && ct != excelize.CellTypeInlineString {
					t.Errorf("%v: shapes!%s cell type %v, want a string", c.kinds, ref, ct)
				}
			}
		}
	}
}

// TestChartsFollowHeaders: every chart a catalogue header declares is drawn on the Charts
// sheet, in rank order, from the columns the header names, with the rows added up per
// category where it says add-up.
func TestChartsFollowHeaders(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Detect: rptNoDetect})
	f, _ := rptWorkbook(t, r)
	rows, err := f.GetRows(sheetCharts)
	if err != nil {
		t.Fatal(err)
	}
	charts, err := queries.Charts()
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) == 0 {
		t.Fatal("the catalogue declares no charts")
	}
	last := -1
	for _, q := range charts {
		at := slices.IndexFunc(rows, func(row []string) bool { return len(row) > 0 && strings.HasPrefix(row[0], q.Chart.Title+" (") })
		if at < 0 {
			t.Errorf("%s: chart %q is not on the Charts sheet", q.ID, q.Chart.Title)
			continue
		}
		if at < last {
			t.Errorf("%s: chart %q (rank %d) comes before the chart ranked above it", q.ID, q.Chart.Title, q.Chart.Rank)
		}
		last = at
		if hdr := rows[at+1]; len(hdr) < 2 || hdr[0] != q.Chart.Category || hdr[1] != q.Chart.Value {
			t.Errorf("%s: chart header %q, want %s and %s", q.ID, hdr, q.Chart.Category, q.Chart.Value)
		}
		// The bars, worked out again from the query's own sheet.
		s := r.Section(q.ID)
		ci, vi, di := analyze.ColumnIndex(s.Table, q.Chart.Category), analyze.ColumnIndex(s.Table, q.Chart.Value), -1
		if q.Chart.Describe != "" {
			di = analyze.ColumnIndex(s.Table, q.Chart.Describe)
		}
		want := map[string]int64{}
		for _, row := range s.Table.Rows {
			label := queries.Text(row[ci], r.Location())
			if label == "" {
				label = "(not recorded)"
			}
			if di >= 0 {
				label += " " + queries.Text(row[di], r.Location())
			}
			if l := []rune(label); len(l) > 60 {
				label = string(l[:60]) // labels are cut at 60 characters
			}
			n, _ := analyze.AsInt(row[vi])
			if _, seen := want[label]; seen && !q.Chart.AddUp {
				continue // only the first row of a category is drawn
			}
			want[label] += n
		}
		bars := 0
		for _, row := range rows[at+2:] {
			if len(row) < 2 || row[0] == "" {
				break
			}
			bars++
			if w, ok := want[row[0]]; !ok || row[1] != words.Thousands(w) {
				t.Errorf("%s: bar %q = %s, want %d (%v)", q.ID, row[0], row[1], w, ok)
			}
		}
		if bars != min(len(want), chartTop) {
			t.Errorf("%s: %d bars, want %d", q.ID, bars, min(len(want), chartTop))
		}
	}
}
