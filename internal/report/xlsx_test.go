package report

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/xuri/excelize/v2"
)

// rptWorkbook renders r and reads it back, with the file's bytes for package checks.
func rptWorkbook(t testing.TB, r *analyze.Report) (*excelize.File, []byte) {
	t.Helper()
	return rptWorkbookWith(t, XLSX{}, r)
}

// rptWorkbookWith is rptWorkbook with writer options.
func rptWorkbookWith(t testing.TB, x XLSX, r *analyze.Report) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := x.Write(context.Background(), &buf, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// rptFakeDetect reports two findings: bob's two failures (sign-ins 2 and 5, the second
// and fifth loaded) and one without evidence.
func rptFakeDetect(_ context.Context, _ *sql.DB, _ analyze.Params, asOf time.Time, _ string) ([]analyze.Finding, []analyze.DetectionRun, error) {
	dets, err := queries.OfKind("detection")
	if err != nil || len(dets) == 0 {
		return nil, nil, fmt.Errorf("no detections in the catalogue: %v", err)
	}
	q := dets[0]
	at := func(h int) time.Time { return time.Date(2025, 6, 15, h, 0, 0, 0, time.UTC) }
	return []analyze.Finding{
			{Detection: q.ID, Severity: "high", Title: "two wrong passwords", UserPrincipalName: "bob@contoso.example", IPAddress: "192.0.2.50",
				FirstSeen: at(10), LastSeen: at(11), Events: 2, Details: "=1+1 is text", Evidence: []int64{5, 2}},
			{Detection: q.ID, Severity: "low", Title: "no evidence kept", FirstSeen: at(9), LastSeen: at(9), Events: 1},
		}, []analyze.DetectionRun{{Query: q, Bound: analyze.Bound{Until: asOf, Args: map[string]any{"until": asOf, "threshold": int64(3)}}, Findings: 2}},
		nil
}

func TestWorkbookSheetsTablesAndTypes(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Detect: rptFakeDetect})
	f, data := rptWorkbook(t, r)
	sheets := f.GetSheetList()
	wantStart := []string{"Summary", "Findings", "Evidence", "Charts"}
	if !slices.Equal(sheets[:4], wantStart) {
		t.Errorf("first sheets %q, want %q", sheets[:4], wantStart)
	}
	if got := sheets[len(sheets)-2:]; !slices.Equal(got, []string{"Sources", "Methodology"}) {
		t.Errorf("last sheets %q", got)
	}
	for _, s := range r.Sections {
		if s.Table != nil && !slices.Contains(sheets, s.Query.ID) {
			t.Errorf("no sheet for query %s", s.Query.ID)
		}
	}
	for _, s := range sheets {
		if len([]rune(s)) > 31 {
			t.Errorf("sheet name %q is longer than 31 characters", s)
		}
	}

	// log-types: 4 rows below the header in row 4, as an Excel table.
	tables, err := f.GetTables("log-types")
	if err != nil || len(tables) != 1 || tables[0].Range != "A4:F8" || tables[0].Name != "t_log_types" {
		t.Fatalf("log-types tables %+v, %v; want one t_log_types on A4:F8", tables, err)
	}
	for cell, want := range map[string]string{"A1": "Sign-ins per log type", "A4": "log_type", "B4": "sign_ins", "E4": "first_seen (UTC)", "A5": "interactiveUser"} {
		if got, _ := f.GetCellValue("log-types", cell); got != want {
			t.Errorf("log-types!%s = %q, want %q", cell, got, want)
		}
	}
	rptNumeric(t, f, "log-types", "B5", 5)
	rptNumeric(t, f, "log-types", "C5", 3) // failed: bob twice, and carol's interrupt is a non-zero code too
	// first_seen of interactiveUser: alice, 2025-06-14 08:30 UTC, as a date serial with a date format.
	rptTime(t, f, "log-types", "E5", time.Date(2025, 6, 14, 8, 30, 0, 0, time.UTC))

	// daily: the day column holds dates, not text.
	if v, _ := f.GetCellValue("daily", "A4"); v != "day (UTC)" {
		t.Errorf("daily!A4 = %q", v)
	}
	rptDateFormat(t, f, "daily", "A5", "yyyy-mm-dd")
	rptSerialIs(t, f, "daily", "A5", time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC))
	// Frozen header row on query sheets.
	if panes, err := f.GetPanes("log-types"); err != nil || !panes.Freeze || panes.YSplit != 4 {
		t.Errorf("log-types panes %+v %v", panes, err)
	}

	// Charts: daily, applications, browsers, operating systems, countries, error codes, log types.
	if n := rptCharts(t, data); n != 7 {
		t.Errorf("%d charts, want 7", n)
	}

	// Findings link to their evidence rows.
	if v, _ := f.GetCellValue("Findings", "B5"); v != "high" {
		t.Errorf("Findings!B5 = %q, want high", v)
	}
	if v, _ := f.GetCellValue("Findings", "L4"); v != "evidence" {
		t.Errorf("Findings!L4 = %q", v)
	}
	ok, target, err := f.GetCellHyperLink("Findings", "L5")
	if err != nil || !ok || target != "'Evidence'!A5" {
		t.Errorf("Findings!L5 link %v %q %v, want 'Evidence'!A5", ok, target, err)
	}
	if v, _ := f.GetCellValue("Findings", "L5"); v != "2 sign-ins →" {
		t.Errorf("Findings!L5 = %q", v)
	}
	if ok, _, _ := f.GetCellHyperLink("Findings", "L6"); ok {
		t.Errorf("a finding without evidence has a link")
	}
	st, _ := f.GetCellStyle("Findings", "B5")
	if style, _ := f.GetStyle(st); style == nil || len(style.Fill.Color) == 0 || style.Fill.Color[0] != "FFC7CE" {
		t.Errorf("high severity cell is not red: %+v", style)
	}
	// Evidence rows 5 and 6 are bob's sign-ins 2 and 5, in time order.
	for cell, want := range map[string]string{"A5": "1", "C5": "2", "A6": "1", "C6": "5", "F5": "bob@contoso.example"} {
		if got, _ := f.GetCellValue("Evidence", cell); got != want {
			t.Errorf("Evidence!%s = %q, want %q", cell, got, want)
		}
	}

	// Sources: the file with its accounting, and the rejected line.
	rows, _ := f.GetRows("Sources")
	found := false
	for _, row := range rows {
		if len(row) > 11 && strings.HasSuffix(row[1], "PT1H.json") {
			found = true
			if got := strings.Join(row[6:12], " "); got != "13 10 0 1 1 1" {
				t.Errorf("Sources accounting %q, want 13 10 0 1 1 1 (records loaded versions duplicates rejected skipped)", got)
			}
		}
	}
	if !found {
		t.Errorf("Sources lacks PT1H.json: %q", rows)
	}
	if !rptSheetHas(f, "Sources", "diagnostic record of category SignInLogs has no properties object") {
		t.Errorf("Sources lacks the rejected record's reason")
	}
	// Methodology: SQL, bound parameters and the scoped() macro.
	for _, want := range []string{"CREATE OR REPLACE TEMP MACRO scoped(since, until, app, usr, ip, log_types) AS TABLE", "$until", "$threshold", "FROM scoped($since, $until, $app, $user, $ip, $log_types)"} {
		if !rptSheetHas(f, "Methodology", want) {
			t.Errorf("Methodology lacks %q", want)
		}
	}
	// Summary: counts by hand, answers, severities.
	for _, want := range []string{"Sign-ins by log type and outcome", "interactiveUser", "Findings by severity", "The seed questions, answered",
		"• 10 sign-ins in all events up to 2025-06-15 12:00 UTC", "Data-quality warnings", "test"} {
		if !rptSheetHas(f, "Summary", want) {
			t.Errorf("Summary lacks %q", want)
		}
	}
}

func TestWorkbookTimeZone(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Loc: mustZone(t, "Europe/Berlin"), Detect: rptNoDetect})
	f, _ := rptWorkbook(t, r)
	if v, _ := f.GetCellValue("log-types", "E4"); v != "first_seen (Europe/Berlin)" {
		t.Errorf("header %q", v)
	}
	// 08:30 UTC is 10:30 in Berlin in June; Excel has no zones, so the serial is 10:30.
	rptTime(t, f, "log-types", "E5", time.Date(2025, 6, 14, 10, 30, 0, 0, time.UTC))
	if slices.Contains(f.GetSheetList(), "Findings") {
		t.Errorf("Findings sheet without detections")
	}
}

// TestFormulaInjection: text from the export that a spreadsheet would run is written as
// plain strings, wherever it lands.
func TestFormulaInjection(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Raw: true, Detect: rptFakeDetect})
	f, _ := rptWorkbook(t, r)
	payloads := []string{`=HYPERLINK("http://x","y")`, `+cmd|' /C calc'!A0`, `@SUM(1)`, `-2+3`, `=1+1`, `=1+1 is text`}
	seen := map[string][]string{}
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for ri, row := range rows {
			for ci, v := range row {
				ref := cell(ci+1, ri+1)
				if fm, _ := f.GetCellFormula(sh, ref); fm != "" {
					t.Errorf("%s!%s holds formula %q", sh, ref, fm)
				}
				if !slices.Contains(payloads, v) {
					continue
				}
				seen[v] = append(seen[v], sh+"!"+ref)
				ct, _ := f.GetCellType(sh, ref)
				if ct != excelize.CellTypeSharedString && ct != excelize.CellTypeInlineString {
					t.Errorf("%s!%s = %q has cell type %v, want a string", sh, ref, v, ct)
				}
			}
		}
	}
	// Each payload was written somewhere: user agent, app name, device name, details.
	for _, p := range payloads {
		if len(seen[p]) == 0 {
			t.Errorf("payload %q not found in the workbook", p)
		}
	}
	// Where they must be: the raw user agent and device columns, the app-users sheet.
	if !rptSheetHas(f, "app-users", "@SUM(1)") {
		t.Errorf("app name payload not on app-users")
	}
	hdr, _ := f.GetRows("Raw")
	ua, dev := slices.Index(hdr[0], "user_agent"), slices.Index(hdr[0], "device_name")
	if ua < 0 || dev < 0 {
		t.Fatalf("Raw header %q", hdr[0])
	}
	var uas, devs []string
	for _, row := range hdr[1:] {
		if ua < len(row) {
			uas = append(uas, row[ua])
		}
		if dev < len(row) {
			devs = append(devs, row[dev])
		}
	}
	if !slices.Contains(uas, `=HYPERLINK("http://x","y")`) || !slices.Contains(uas, `-2+3`) || !slices.Contains(devs, `+cmd|' /C calc'!A0`) {
		t.Errorf("Raw user agents %q, devices %q", uas, devs)
	}
}

// TestWorkbookIsReproducible: the same input and parameters give the same cells, apart from
// the generated-at time.
func TestWorkbookIsReproducible(t *testing.T) {
	r1 := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Raw: true})
	r2 := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Raw: true, GeneratedAt: rptGenerated.Add(time.Hour)})
	f1, _ := rptWorkbook(t, r1)
	f2, _ := rptWorkbook(t, r2)
	s1, s2 := f1.GetSheetList(), f2.GetSheetList()
	if !slices.Equal(s1, s2) {
		t.Fatalf("sheets differ: %q vs %q", s1, s2)
	}
	differ := 0
	for _, sh := range s1 {
		a, _ := f1.GetRows(sh, excelize.Options{RawCellValue: true})
		b, _ := f2.GetRows(sh, excelize.Options{RawCellValue: true})
		if len(a) != len(b) {
			t.Errorf("%s: %d rows vs %d", sh, len(a), len(b))
			continue
		}
		for i := range a {
			if len(a[i]) > 0 && a[i][0] == "Generated at" {
				if slices.Equal(a[i], b[i]) {
					t.Errorf("%s row %d: generated-at is the same in both", sh, i+1)
				}
				continue
			}
			if !slices.Equal(a[i], b[i]) {
				differ++
				if differ < 5 {
					t.Errorf("%s row %d differs:\n%q\n%q", sh, i+1, a[i], b[i])
				}
			}
		}
	}
}

func TestRawSheetsSplit(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Raw: true, Detect: rptNoDetect})
	if r.Raw == nil || r.Raw.Count != 10 {
		t.Fatalf("raw rows: %+v", r.Raw)
	}
	f, _ := rptWorkbookWith(t, XLSX{RawRowsPerSheet: 4}, r)
	want := map[string]int{"Raw": 5, "Raw 2": 5, "Raw 3": 3}
	for sh, n := range want {
		rows, err := f.GetRows(sh)
		if err != nil || len(rows) != n {
			t.Errorf("%s: %d rows (%v), want %d", sh, len(rows), err, n)
			continue
		}
		if rows[0][0] != "signin_key" {
			t.Errorf("%s header %q", sh, rows[0])
		}
		tables, _ := f.GetTables(sh)
		if len(tables) != 1 || tables[0].Range != "A1:"+cell(len(r.Raw.Columns), n) {
			t.Errorf("%s tables %+v", sh, tables)
		}
	}
	if slices.Contains(f.GetSheetList(), "Raw 4") {
		t.Errorf("an empty fourth Raw sheet")
	}
	// Row 2 of Raw 2 is the fifth sign-in in time order.
	if v, _ := f.GetCellValue("Raw 2", "A2"); v == "" {
		t.Errorf("Raw 2 is empty")
	}
}

// TestHandMadeReport renders a report built in code: long text is clipped with a note,
// percentages are formatted, a query id that clashes with a fixed sheet gets its own name.
func TestHandMadeReport(t *testing.T) {
	long := strings.Repeat("é", 40000)
	q := &queries.Query{ID: "summary", Kind: "query", Title: "Clash", Question: "Does a query named summary get its own sheet?", Window: "all", SQL: "SELECT 1\nORDER BY 1",
		Columns: []queries.OutCol{{Name: "note", Kind: "text"}, {Name: "success_rate", Kind: "percent"}, {Name: "multi_factor_pct", Kind: "percent"},
			{Name: "n", Kind: "integer"}, {Name: "ok", Kind: "boolean"}, {Name: "nan", Kind: "number"}}}
	r := &analyze.Report{
		Meta:     analyze.Meta{Version: "test", TimeZone: "UTC", AsOf: rptGenerated, GeneratedAt: rptGenerated},
		Warnings: []string{},
		Sections: []*analyze.Section{{Query: q, Bound: analyze.Bound{Until: rptGenerated}, Table: &analyze.Table{
			Columns: []analyze.Column{{Name: "note", Type: "VARCHAR"}, {Name: "success_rate", Type: "DOUBLE"}, {Name: "multi_factor_pct", Type: "DOUBLE"}, {Name: "n", Type: "BIGINT"}, {Name: "ok", Type: "BOOLEAN"}, {Name: "nan", Type: "DOUBLE"}},
			Rows:    [][]any{{long, 95.5, 12.5, int64(1234567), true, math.NaN()}},
		}}},
	}
	f, _ := rptWorkbook(t, r)
	if !slices.Contains(f.GetSheetList(), "summary~2") {
		t.Fatalf("sheets %q: want summary~2 for the clashing query", f.GetSheetList())
	}
	v, _ := f.GetCellValue("summary~2", "A5")
	if n := len([]rune(v)); n != excelMaxCellChars || !strings.HasSuffix(v, clipMark) {
		t.Errorf("long cell: %d characters, suffix %q", n, v[len(v)-40:])
	}
	for c, want := range map[string]string{"B5": `0.0"%"`, "C5": `0.0"%"`} {
		st, _ := f.GetCellStyle("summary~2", c)
		if s, _ := f.GetStyle(st); s == nil || s.CustomNumFmt == nil || *s.CustomNumFmt != want {
			t.Errorf("%s number format %+v, want %s", c, s, want)
		}
	}
	rptNumeric(t, f, "summary~2", "B5", 95.5)
	rptNumeric(t, f, "summary~2", "D5", 1234567)
	if ct, _ := f.GetCellType("summary~2", "E5"); ct != excelize.CellTypeBool {
		t.Errorf("boolean cell type %v", ct)
	}
	if v, _ := f.GetCellValue("summary~2", "F5"); v != "" {
		t.Errorf("NaN written as %q", v)
	}
	if !rptSheetHas(f, "Summary", "1 cells were longer than Excel's 32,767 characters and were clipped") {
		t.Errorf("Summary does not say a cell was clipped")
	}
}

// TestPercentColumnsArePercent: the workbook shows a column declared percent without
// scaling (95.3 shows 95.3%), which holds while the catalogue writes it in percent.
func TestPercentColumnsArePercent(t *testing.T) {
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range all {
		for _, c := range q.Columns {
			if c.Kind == "percent" && !strings.Contains(c.Doc, "percent") {
				t.Errorf("%s.%s: declared percent, which the workbook shows unscaled (95.3 shows 95.3%%), but its doc %q does not say percent", q.ID, c.Name, c.Doc)
			}
		}
	}
}

func TestUniqueSheetName(t *testing.T) {
	taken := map[string]bool{"summary": true}
	long := "a-very-long-query-identifier-beyond-31"
	for _, c := range []struct{ in, want string }{
		{"app-users", "app-users"},
		{"Summary", "Summary~2"},
		{long, long[:31]},
		{long, long[:29] + "~2"},
		{"a/b:c", "a_b_c"},
	} {
		if got := uniqueSheetName(c.in, taken); got != c.want {
			t.Errorf("uniqueSheetName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func rptNumeric(t *testing.T, f *excelize.File, sh, ref string, want float64) {
	t.Helper()
	ct, _ := f.GetCellType(sh, ref)
	if ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
		t.Errorf("%s!%s: cell type %v, want a number", sh, ref, ct)
	}
	v, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
	if got, err := strconv.ParseFloat(v, 64); err != nil || got != want {
		t.Errorf("%s!%s = %q, want %v", sh, ref, v, want)
	}
}

func rptDateFormat(t *testing.T, f *excelize.File, sh, ref, want string) {
	t.Helper()
	st, _ := f.GetCellStyle(sh, ref)
	s, err := f.GetStyle(st)
	if err != nil || s.CustomNumFmt == nil || *s.CustomNumFmt != want {
		t.Errorf("%s!%s: number format %+v, want %q", sh, ref, s, want)
	}
	if ct, _ := f.GetCellType(sh, ref); ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
		t.Errorf("%s!%s: cell type %v, want a date number", sh, ref, ct)
	}
}

func rptTime(t *testing.T, f *excelize.File, sh, ref string, wall time.Time) {
	t.Helper()
	rptDateFormat(t, f, sh, ref, "yyyy-mm-dd hh:mm:ss")
	rptSerialIs(t, f, sh, ref, wall)
}

// rptSerialIs checks a cell holds the spreadsheet serial of a wall-clock time (days since
// 1899-12-30) to within a millisecond.
func rptSerialIs(t *testing.T, f *excelize.File, sh, ref string, wall time.Time) {
	t.Helper()
	want := wall.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	v, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
	got, err := strconv.ParseFloat(v, 64)
	if err != nil || math.Abs(got-want) > 1e-3/86400 {
		t.Errorf("%s!%s raw %q, want %v (%s)", sh, ref, v, want, wall)
	}
}

func rptSheetHas(f *excelize.File, sh, text string) bool {
	rows, _ := f.GetRows(sh)
	for _, row := range rows {
		for _, v := range row {
			if strings.Contains(v, text) {
				return true
			}
		}
	}
	return false
}

var chartPart = regexp.MustCompile(`^xl/charts/chart\d+\.xml$`)

func rptCharts(t *testing.T, data []byte) int {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range z.File {
		if chartPart.MatchString(f.Name) {
			n++
		}
	}
	return n
}

// BenchmarkWorkbook times Build (every query and detection) plus writing the workbook over
// a large synthetic database, made with INSERT ... SELECT from generate_series into the
// real schema. Rows: SIGNINLENS_BENCH_ROWS (default 1,000,000). The raw variant also
// streams every sign-in to Raw sheets; its rows: SIGNINLENS_BENCH_RAW_ROWS (default 100,000).
//
//	go test ./internal/report -run '^$' -bench Workbook -benchtime 1x
func BenchmarkWorkbook(b *testing.B) {
	for _, c := range []struct {
		name string
		env  string
		def  int
		raw  bool
	}{{"summary", "SIGNINLENS_BENCH_ROWS", 1_000_000, false}, {"raw", "SIGNINLENS_BENCH_RAW_ROWS", 100_000, true}} {
		b.Run(c.name, func(b *testing.B) {
			n := c.def
			if v := os.Getenv(c.env); v != "" {
				n, _ = strconv.Atoi(v)
			}
			db := rptBenchDB(b, n)
			dir := b.TempDir()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				r, err := analyze.Build(context.Background(), db, nil, analyze.Params{}, analyze.ReportOptions{Version: "bench", Raw: c.raw})
				if err != nil {
					b.Fatal(err)
				}
				built := time.Since(start)
				path := filepath.Join(dir, "report.xlsx")
				if err := WriteFile(context.Background(), path, r); err != nil {
					b.Fatal(err)
				}
				st, _ := os.Stat(path)
				b.ReportMetric(built.Seconds(), "build-s")
				b.ReportMetric((time.Since(start) - built).Seconds(), "write-s")
				b.ReportMetric(float64(st.Size())/1e6, "MB")
				b.ReportMetric(float64(n), "sign-ins")
			}
		})
	}
}

// rptBenchDB fills a temporary database with n sign-ins over about three weeks: four log
// types, 5,000 users, 40 applications, 2,000 addresses in 20 countries, 2% wrong passwords.
func rptBenchDB(b *testing.B, n int) *store.DB {
	b.Helper()
	db, err := store.Open("", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	start := time.Now()
	stmts := []string{
		`INSERT INTO sources (source_id, path, bytes, sha256, format, log_types, records, loaded, duplicates, rejected, skipped, unavailable_fields, notes, loaded_at)
		 VALUES (1, 'bench.json', 0, '', 'diagnostic-jsonl', '{}', $1, $1, 0, 0, 0, []::VARCHAR[], []::VARCHAR[], now())`,
		`INSERT INTO signins (signin_key, log_type, id, created_at, correlation_id, user_id, user_principal_name, user_display_name, user_type,
			app_id, app_display_name, resource_id, resource_display_name, service_principal_id, service_principal_name,
			ip_address, country, city, error_code, failure_reason, status, client_app_used, user_agent, browser, operating_system,
			device_name, authentication_requirement, conditional_access_status, is_interactive, risk_level_during_signin, risk_state,
			source_id, source_file, source_line)
		SELECT i,
			lt,
			'req-' || i,
			TIMESTAMPTZ '2025-06-01 00:00:00+00' + to_seconds(i * 2),
			'corr-' || (i // 3),
			CASE WHEN user_log THEN 'user-' || u END,
			CASE WHEN user_log THEN 'user' || u || '@contoso.example' END,
			CASE WHEN user_log THEN 'User ' || u END,
			CASE WHEN user_log THEN 'member' END,
			'app-' || (i * 31 % 40),
			'Application ' || (i * 31 % 40),
			'res-' || (i * 17 % 12),
			'Resource ' || (i * 17 % 12),
			CASE WHEN NOT user_log THEN 'sp-' || (i % 300) END,
			CASE WHEN NOT user_log THEN 'workload ' || (i % 300) END,
			'198.51.' || (i * 13 % 8) || '.' || (i * 7 % 250),
			['NL', 'US', 'DE', 'GB', 'FR', 'IN', 'BR', 'JP', 'AU', 'CA', 'ES', 'IT', 'SE', 'PL', 'IE', 'BE', 'CH', 'AT', 'DK', 'NO'][1 + i * 7 % 20],
			'City ' || (i * 7 % 40),
			code,
			CASE code WHEN 0 THEN NULL WHEN 50126 THEN 'Invalid username or password.' ELSE 'Strong Authentication is required.' END,
			CASE code WHEN 0 THEN 'success' WHEN 50126 THEN 'failure' ELSE 'interrupted' END,
			CASE WHEN user_log THEN ['Browser', 'Mobile Apps and Desktop clients'][1 + i % 2] END,
			'Mozilla/5.0 (bench ' || (i % 25) || ')',
			CASE WHEN user_log THEN ['Edge 124.0.2478', 'Chrome 125.0.0', 'Firefox 126.0', 'Safari 17.4', 'Rich Client 5.2'][1 + i % 5] END,
			CASE WHEN user_log THEN ['Windows10', 'MacOs', 'Ios', 'Android', 'Linux'][1 + i * 3 % 5] END,
			CASE WHEN user_log THEN 'DEVICE-' || (u % 3000) END,
			['singleFactorAuthentication', 'multiFactorAuthentication'][1 + i % 2],
			['success', 'notApplied', 'failure'][1 + i % 3],
			lt = 'interactiveUser',
			'none', 'none',
			1, 'bench.json', i
		FROM (
			SELECT i,
				CASE WHEN i % 10 < 3 THEN 'interactiveUser' WHEN i % 10 < 8 THEN 'nonInteractiveUser'
					WHEN i % 10 < 9 THEN 'servicePrincipal' ELSE 'managedIdentity' END AS lt,
				i % 10 < 8 AS user_log,
				i * 7919 % 5000 AS u,
				CASE WHEN i % 50 = 0 THEN 50126 WHEN i % 97 = 0 THEN 50074 ELSE 0 END AS code
			FROM generate_series(1, $1) AS g(i)
		)`,
	}
	for _, s := range stmts {
		if _, err := db.SQL.Exec(s, int64(n)); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("made %d sign-ins in %s", n, time.Since(start).Round(time.Millisecond))
	return db
}
