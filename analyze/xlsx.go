package analyze

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/signinlens/signinlens/queries"
	"github.com/xuri/excelize/v2"
)

// Excel's limits.
const (
	excelMaxRows      = 1048576
	excelMaxCellChars = 32767
	excelMaxSheetName = 31
)

// rawRowsPerSheet is how many sign-ins one Raw sheet holds below its header (a variable
// so tests can split small data).
var rawRowsPerSheet = excelMaxRows - 1

// clipMark ends a cell cut at Excel's limit of 32,767 characters.
const clipMark = " …[clipped by signinlens: Excel holds at most 32,767 characters per cell]"

// Fixed sheet names, in workbook order around the query sheets.
const (
	sheetSummary     = "Summary"
	sheetFindings    = "Findings"
	sheetEvidence    = "Evidence"
	sheetCharts      = "Charts"
	sheetSources     = "Sources"
	sheetMethodology = "Methodology"
	sheetRaw         = "Raw"
)

// Query sheets put the title, question and window in rows 1-3 and the table from row 4.
const tableHeaderRow = 4

// WriteXLSX renders the report as an Excel workbook. Every text value is written as a
// string cell, never a formula, so text from the export (user agents, app and device
// names) cannot run in the reader's spreadsheet.
func WriteXLSX(ctx context.Context, w io.Writer, r *Report) error {
	b, err := newBook(r)
	if err != nil {
		return err
	}
	defer b.f.Close()
	if err := b.write(ctx); err != nil {
		return err
	}
	_, err = b.f.WriteTo(w)
	return err
}

type book struct {
	f       *excelize.File
	r       *Report
	loc     *time.Location
	zone    string
	s       styles
	sheets  map[*Section]string // query sheet names
	raws    []string
	charts  []chartData
	clipped int64
	tables  map[string]bool
}

type styles struct {
	title, subtitle, h2, label, note, warn, header, wrap, mono, link, bold, boldInt int
	intNum, plainInt, float, pct, datetime, date                                    int
	sev                                                                             map[string]int
}

func newBook(r *Report) (*book, error) {
	b := &book{f: excelize.NewFile(), r: r, loc: r.Location(), sheets: map[*Section]string{}, tables: map[string]bool{}}
	b.zone = b.loc.String()
	if err := b.makeStyles(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *book) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	if err != nil {
		panic(fmt.Sprintf("excel style: %v", err)) // the styles are constants; a failure is a bug
	}
	return id
}

func (b *book) makeStyles() error {
	custom := func(f string) *string { return &f }
	top := &excelize.Alignment{Vertical: "top"}
	b.s = styles{
		title:    b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3864"}}),
		subtitle: b.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "404040"}}),
		h2:       b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F3864"}, Border: []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}}),
		label:    b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top}),
		note:     b.style(&excelize.Style{Font: &excelize.Font{Color: "595959"}}),
		warn:     b.style(&excelize.Style{Font: &excelize.Font{Color: "9C0006", Bold: true}}),
		header:   b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}}}),
		wrap:     b.style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		mono:     b.style(&excelize.Style{Font: &excelize.Font{Family: "Courier New", Size: 9}}),
		link:     b.style(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}}),
		bold:     b.style(&excelize.Style{Font: &excelize.Font{Bold: true}}),
		boldInt:  b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 3}),
		intNum:   b.style(&excelize.Style{NumFmt: 3}),
		plainInt: b.style(&excelize.Style{NumFmt: 1}),
		float:    b.style(&excelize.Style{CustomNumFmt: custom("#,##0.00")}),
		pct:      b.style(&excelize.Style{CustomNumFmt: custom(`0.0"%"`)}),
		datetime: b.style(&excelize.Style{CustomNumFmt: custom("yyyy-mm-dd hh:mm:ss")}),
		date:     b.style(&excelize.Style{CustomNumFmt: custom("yyyy-mm-dd")}),
		sev: map[string]int{
			"high":   b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}}),
			"medium": b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C5700"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}}),
			"low":    b.style(&excelize.Style{Font: &excelize.Font{Color: "1F4E78"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}),
		},
	}
	return nil
}

// write lays out every sheet: all are created first, in their final order, then filled;
// the Summary last, so it can mention what the other sheets had to clip.
func (b *book) write(ctx context.Context) error {
	r := b.r
	order := []string{sheetSummary}
	if len(r.DetectionRuns) > 0 || len(r.Findings) > 0 {
		order = append(order, sheetFindings)
		if r.Evidence != nil && len(r.Evidence.Rows) > 0 {
			order = append(order, sheetEvidence)
		}
	}
	chartsAt := len(order)
	taken := map[string]bool{}
	for _, n := range []string{sheetSummary, sheetFindings, sheetEvidence, sheetCharts, sheetSources, sheetMethodology, sheetRaw, "history"} {
		taken[strings.ToLower(n)] = true
	}
	for _, s := range r.Sections {
		if s.Table == nil {
			continue
		}
		name := uniqueSheetName(s.Query.ID, taken)
		b.sheets[s] = name
		order = append(order, name)
	}
	// The charts name the query sheets they draw from, so they are worked out after them.
	if b.charts = b.chartData(); len(b.charts) > 0 {
		order = slices.Insert(order, chartsAt, sheetCharts)
	}
	order = append(order, sheetSources, sheetMethodology)
	if r.Raw != nil {
		per := int64(rawRowsPerSheet)
		n := max(1, (r.Raw.Count+per-1)/per)
		for i := int64(1); i <= n; i++ {
			name := sheetRaw
			if i > 1 {
				name = fmt.Sprintf("%s %d", sheetRaw, i)
			}
			b.raws = append(b.raws, name)
			order = append(order, name)
		}
	}
	if err := b.f.SetSheetName("Sheet1", order[0]); err != nil {
		return err
	}
	for _, n := range order[1:] {
		if _, err := b.f.NewSheet(n); err != nil {
			return fmt.Errorf("sheet %s: %w", n, err)
		}
	}
	steps := []func() error{b.writeFindings, b.writeEvidence, b.writeCharts}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for _, s := range r.Sections {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.Table == nil {
			continue
		}
		if err := b.writeSection(s); err != nil {
			return fmt.Errorf("sheet %s: %w", b.sheets[s], err)
		}
	}
	if err := b.writeSources(); err != nil {
		return err
	}
	if err := b.writeMethodology(); err != nil {
		return err
	}
	if err := b.writeRaw(ctx); err != nil {
		return err
	}
	if err := b.writeSummary(order); err != nil {
		return err
	}
	// Summary is the first sheet and so the active one. (SetActiveSheet would parse every
	// streamed sheet back into memory.)
	return b.f.SetDocProps(&excelize.DocProperties{
		Creator: "signinlens " + r.Meta.Version, Title: "Sign-in log report", Created: r.Meta.GeneratedAt.UTC().Format(time.RFC3339),
		Modified: r.Meta.GeneratedAt.UTC().Format(time.RFC3339), Description: "Produced offline by signinlens analyze",
	})
}

// uniqueSheetName fits a name to Excel's rules (at most 31 characters, no []:*?/\,
// unique ignoring case).
func uniqueSheetName(name string, taken map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, "'")
	if name == "" {
		name = "query"
	}
	base := truncRunes(name, excelMaxSheetName)
	cand := base
	for i := 2; taken[strings.ToLower(cand)]; i++ {
		suffix := fmt.Sprintf("~%d", i)
		cand = truncRunes(base, excelMaxSheetName-len(suffix)) + suffix
	}
	taken[strings.ToLower(cand)] = true
	return cand
}

func truncRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// tableName makes a unique Excel table name from an id.
func (b *book) tableName(id string) string {
	var sb strings.Builder
	sb.WriteString("t_")
	for _, c := range id {
		if c < 128 && (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			sb.WriteRune(c)
		} else {
			sb.WriteByte('_')
		}
	}
	name := truncRunes(sb.String(), 200)
	cand := name
	for i := 2; b.tables[strings.ToLower(cand)]; i++ {
		cand = fmt.Sprintf("%s_%d", name, i)
	}
	b.tables[strings.ToLower(cand)] = true
	return cand
}

// clip cuts text at Excel's per-cell limit, saying so in the cell.
func (b *book) clip(s string) string {
	if len(s) <= excelMaxCellChars {
		return s // bytes >= UTF-16 units
	}
	units := utf16.Encode([]rune(s))
	if len(units) <= excelMaxCellChars {
		return s
	}
	b.clipped++
	keep := excelMaxCellChars - len(utf16.Encode([]rune(clipMark)))
	if keep > 0 && utf16.IsSurrogate(rune(units[keep-1])) {
		keep--
	}
	return string(utf16.Decode(units[:keep])) + clipMark
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// --- typed cells -------------------------------------------------------------------------

// colKind says how a column's values are written.
type colKind int

const (
	kindText colKind = iota
	kindInt
	kindFloat
	kindPct  // *_rate and *_pct: the catalogue writes them in percent (95.3), shown as 95.3%
	kindTime // instant, shown in the display zone
	kindDate // calendar day (UTC days, as the SQL computed them)
	kindBool
)

type colFormat struct {
	header string
	kind   colKind
	style  int
	width  float64
}

func kindOf(c Column, rows [][]any, i int) colKind {
	t := strings.ToUpper(c.Type)
	name := strings.ToLower(c.Name)
	switch {
	case t == "DATE":
		return kindDate
	case strings.HasPrefix(t, "TIMESTAMP"):
		return kindTime
	case t == "BOOLEAN":
		return kindBool
	case t == "VARCHAR" && (name == "day" || name == "date") && allDays(rows, i):
		return kindDate
	case (strings.HasSuffix(name, "_rate") || strings.HasSuffix(name, "_pct")) && isNumericType(t):
		return kindPct
	case t == "DOUBLE" || t == "FLOAT" || t == "REAL" || strings.HasPrefix(t, "DECIMAL"):
		return kindFloat
	case isNumericType(t):
		return kindInt
	}
	if t == "" { // a table built in Go: look at the values
		for _, r := range rows {
			switch r[i].(type) {
			case time.Time:
				return kindTime
			case int64:
				return kindInt
			case float64:
				return kindFloat
			case nil:
				continue
			}
			break
		}
	}
	return kindText
}

// formats works out each column's header, cell style and width.
func (b *book) formats(t *Table) []colFormat {
	out := make([]colFormat, len(t.Columns))
	seen := map[string]int{}
	for i, c := range t.Columns {
		k := kindOf(c, t.Rows, i)
		f := colFormat{header: c.Name, kind: k}
		switch k {
		case kindTime:
			f.header += " (" + b.zone + ")"
			f.style, f.width = b.s.datetime, 20
		case kindDate:
			f.header += " (UTC)"
			f.style, f.width = b.s.date, 12
		case kindInt:
			f.style = b.s.intNum
			if isCodeColumn(c.Name) {
				f.style = b.s.plainInt
			}
		case kindFloat:
			f.style = b.s.float
		case kindPct:
			f.style = b.s.pct
		}
		key := strings.ToLower(f.header)
		if n := seen[key]; n > 0 {
			f.header = fmt.Sprintf("%s %d", f.header, n+1)
		}
		seen[key]++
		w := float64(utf8.RuneCountInString(f.header)) + 4 // room for the filter button
		for ri, r := range t.Rows {
			if ri == 2000 {
				break
			}
			var n int
			switch k {
			case kindTime, kindDate:
				continue
			case kindInt:
				n = len(thousands(toInt(r[i]))) + 1
			case kindFloat, kindPct:
				n = 10
			default:
				n = utf8.RuneCountInString(Text(r[i], b.loc))
			}
			w = max(w, float64(n)+2)
		}
		f.width = max(f.width, min(w, 60))
		out[i] = f
	}
	return out
}

// isCodeColumn says an integer column holds a code or an identifier (50126, a line
// number, an ASN), which reads wrong with thousands separators.
func isCodeColumn(name string) bool {
	name = strings.ToLower(name)
	for _, suffix := range []string{"code", "_key", "_id", "_line", "line", "record", "finding", "_index", "autonomous_system_number", "asn"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// allDays reports whether every value of column i is a YYYY-MM-DD day (or empty).
func allDays(rows [][]any, i int) bool {
	for _, r := range rows {
		if r[i] == nil {
			continue
		}
		s, ok := r[i].(string)
		if !ok {
			return false
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return false
		}
	}
	return true
}

func toInt(v any) int64 {
	n, _ := asInt(v)
	return n
}

// excelSerial is the spreadsheet day number of t's wall clock in loc: Excel has no zones.
func excelSerial(t time.Time, loc *time.Location) float64 {
	w := t.In(loc)
	naive := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	return float64(naive.Unix())/86400 + 25569 + float64(naive.Nanosecond())/86400e9
}

// value converts a model value to what excelize writes: numbers stay numbers, instants
// become date serials in the display zone, and everything else becomes a string.
func (b *book) value(v any, f colFormat) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if f.kind == kindDate {
			return excelize.Cell{StyleID: b.s.date, Value: excelSerial(x, time.UTC)}
		}
		return excelize.Cell{StyleID: b.s.datetime, Value: excelSerial(x, b.loc)}
	case int64:
		return excelize.Cell{StyleID: f.style, Value: x}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		st := f.style
		if st == 0 || st == b.s.intNum {
			st = b.s.float
		}
		return excelize.Cell{StyleID: st, Value: x}
	case bool:
		return x
	case string:
		if f.kind == kindDate {
			if d, err := time.Parse(time.DateOnly, x); err == nil {
				return excelize.Cell{StyleID: b.s.date, Value: excelSerial(d, time.UTC)}
			}
		}
		return b.clip(x) // a plain string: excelize writes it as text, never as a formula
	}
	return b.clip(Text(v, b.loc))
}

// set writes one value with the ordinary (non-streaming) API.
func (b *book) set(sheet string, col, row int, v any, style int) error {
	ref := cell(col, row)
	var err error
	switch x := v.(type) {
	case nil:
		return nil
	case excelize.Cell:
		if x.StyleID != 0 && style == 0 {
			style = x.StyleID
		}
		return b.set(sheet, col, row, x.Value, style)
	case string:
		err = b.f.SetCellStr(sheet, ref, b.clip(x))
	case int64:
		err = b.f.SetCellInt(sheet, ref, x)
	case int:
		err = b.f.SetCellInt(sheet, ref, int64(x))
	case float64:
		err = b.f.SetCellFloat(sheet, ref, x, -1, 64)
	case bool:
		err = b.f.SetCellBool(sheet, ref, x)
	default:
		err = b.f.SetCellStr(sheet, ref, b.clip(Text(v, b.loc)))
	}
	if err == nil && style != 0 {
		err = b.f.SetCellStyle(sheet, ref, ref, style)
	}
	return err
}

// --- tables ------------------------------------------------------------------------------

// streamTable writes title lines and a table on a fresh sheet with the streaming writer.
func (b *book) streamTable(sheet, id string, head [][2]any, t *Table, empty string) (*excelize.StreamWriter, []colFormat, error) {
	fm := b.formats(t)
	if err := b.pageSetup(sheet, totalWidth(fm) <= fitWidth); err != nil {
		return nil, nil, err
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return nil, nil, err
	}
	for i, f := range fm {
		if err := sw.SetColWidth(i+1, i+1, f.width); err != nil {
			return nil, nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return nil, nil, err
	}
	for i, h := range head {
		if h[0] == nil {
			continue
		}
		if err := sw.SetRow(cell(1, i+1), []any{h[0]}); err != nil {
			return nil, nil, err
		}
	}
	hdr := make([]any, len(fm))
	for i, f := range fm {
		hdr[i] = excelize.Cell{StyleID: b.s.header, Value: f.header}
	}
	if err := sw.SetRow(cell(1, tableHeaderRow), hdr); err != nil {
		return nil, nil, err
	}
	vals := make([]any, len(fm))
	for ri, row := range t.Rows {
		for i, v := range row {
			vals[i] = b.value(v, fm[i])
		}
		if err := sw.SetRow(cell(1, tableHeaderRow+1+ri), vals); err != nil {
			return nil, nil, err
		}
	}
	last := tableHeaderRow + len(t.Rows)
	if len(t.Rows) == 0 {
		last++
		if err := sw.SetRow(cell(1, last), []any{excelize.Cell{StyleID: b.s.note, Value: empty}}); err != nil {
			return nil, nil, err
		}
	}
	if len(fm) > 0 {
		yes := true
		if err := sw.AddTable(&excelize.Table{Range: cell(1, tableHeaderRow) + ":" + cell(len(fm), last), Name: b.tableName(id),
			StyleName: "TableStyleMedium2", ShowRowStripes: &yes}); err != nil {
			return nil, nil, err
		}
	}
	return sw, fm, nil
}

func (b *book) writeSection(s *Section) error {
	q := s.Query
	info := fmt.Sprintf("%s · %d rows · times in %s", capitalize(DescribeWindow(s.Bound, b.loc)), len(s.Table.Rows), b.zone)
	head := [][2]any{
		{excelize.Cell{StyleID: b.s.title, Value: q.Title}},
		{excelize.Cell{StyleID: b.s.subtitle, Value: q.Question}},
		{excelize.Cell{StyleID: b.s.note, Value: info}},
	}
	if s.Unavailable != "" {
		head[2][0] = excelize.Cell{StyleID: b.s.warn, Value: info + " · " + s.Unavailable}
	}
	sw, _, err := b.streamTable(b.sheets[s], q.ID, head, s.Table, "(no rows in this window)")
	if err != nil {
		return err
	}
	return sw.Flush()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// --- Findings and Evidence ---------------------------------------------------------------

// evidenceRows maps a finding number to its first row on the Evidence sheet.
func (b *book) evidenceRows() (first map[int64]int, count map[int64]int) {
	first, count = map[int64]int{}, map[int64]int{}
	if b.r.Evidence == nil {
		return
	}
	for i, row := range b.r.Evidence.Rows {
		n := toInt(row[0])
		if _, ok := first[n]; !ok {
			first[n] = tableHeaderRow + 1 + i
		}
		count[n]++
	}
	return
}

func (b *book) writeFindings() error {
	r := b.r
	if len(r.DetectionRuns) == 0 && len(r.Findings) == 0 {
		return nil
	}
	const sh = sheetFindings
	t := findingsTable(r)
	t.Columns = append(t.Columns, Column{"evidence", "VARCHAR"})
	for i := range t.Rows {
		t.Rows[i] = append(t.Rows[i], nil) // the link, written below
	}
	first, count := b.evidenceRows()
	fm := b.formats(t)
	fm[len(fm)-1].width = 18
	if err := b.set(sh, 1, 1, "Findings", b.s.title); err != nil {
		return err
	}
	b.set(sh, 1, 2, fmt.Sprintf("%d findings from %s, highest severity first. The evidence link opens the sign-ins behind each finding.",
		len(r.Findings), detectionsRan(r)), b.s.subtitle)
	b.set(sh, 1, 3, "Times in "+b.zone+". Thresholds and windows are on the Methodology sheet.", b.s.note)
	for i, f := range fm {
		b.f.SetColWidth(sh, colName(i+1), colName(i+1), f.width)
		if err := b.set(sh, i+1, tableHeaderRow, f.header, b.s.header); err != nil {
			return err
		}
	}
	for ri, row := range t.Rows {
		y := tableHeaderRow + 1 + ri
		for i, v := range row {
			if err := b.set(sh, i+1, y, b.value(v, fm[i]), 0); err != nil {
				return err
			}
		}
		f := r.Findings[ri]
		if st, ok := b.s.sev[f.Severity]; ok {
			b.f.SetCellStyle(sh, cell(2, y), cell(2, y), st)
		}
		n := int64(ri + 1)
		ec := len(fm)
		if at, ok := first[n]; ok {
			label := fmt.Sprintf("%d sign-ins →", count[n])
			if count[n] == 1 {
				label = "1 sign-in →"
			}
			if err := b.set(sh, ec, y, label, b.s.link); err != nil {
				return err
			}
			tip := fmt.Sprintf("Evidence of finding %d", n)
			if err := b.f.SetCellHyperLink(sh, cell(ec, y), fmt.Sprintf("'%s'!A%d", sheetEvidence, at), "Location",
				excelize.HyperlinkOpts{Display: &label, Tooltip: &tip}); err != nil {
				return err
			}
		} else {
			b.set(sh, ec, y, "none listed", b.s.note)
		}
	}
	last := tableHeaderRow + len(t.Rows)
	if len(t.Rows) == 0 {
		last++
		b.set(sh, 1, last, "(no findings)", b.s.note)
	}
	yes := true
	if err := b.f.AddTable(sh, &excelize.Table{Range: cell(1, tableHeaderRow) + ":" + cell(len(fm), last), Name: b.tableName("findings"),
		StyleName: "TableStyleMedium2", ShowRowStripes: &yes}); err != nil {
		return err
	}
	if err := b.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return b.landscape(sh)
}

func (b *book) writeEvidence() error {
	r := b.r
	if r.Evidence == nil || len(r.Evidence.Rows) == 0 || (len(r.DetectionRuns) == 0 && len(r.Findings) == 0) {
		return nil
	}
	head := [][2]any{
		{excelize.Cell{StyleID: b.s.title, Value: "Evidence"}},
		{excelize.Cell{StyleID: b.s.subtitle, Value: "The sign-ins behind each finding, in time order; the finding column is the number on the Findings sheet."}},
		{excelize.Cell{StyleID: b.s.note, Value: "Times in " + b.zone + ". signin_key identifies the row in the database (signinlens sql --db ... \"SELECT * FROM signins WHERE signin_key = ...\")."}},
	}
	sw, _, err := b.streamTable(sheetEvidence, "evidence", head, r.Evidence, "")
	if err != nil {
		return err
	}
	return sw.Flush()
}

// --- Summary -----------------------------------------------------------------------------

func (b *book) writeSummary(order []string) error {
	const sh = sheetSummary
	r := b.r
	b.f.SetColWidth(sh, "A", "A", 28)
	b.f.SetColWidth(sh, "B", "F", 14)
	b.f.SetColWidth(sh, "G", "H", 20)
	const lastCol = 8 // A:H, 138 character widths
	y := 1
	b.set(sh, 1, y, "Sign-in log report", b.s.title)
	y++
	b.set(sh, 1, y, "Microsoft Entra ID sign-in logs analysed offline by signinlens analyze", b.s.subtitle)
	y += 2
	heading := func(s string) {
		b.set(sh, 1, y, s, b.s.h2)
		b.f.SetCellStyle(sh, cell(2, y), cell(lastCol, y), b.s.h2)
		y++
	}
	line := func(s string, style int) {
		b.set(sh, 1, y, s, style)
		b.f.MergeCell(sh, cell(1, y), cell(lastCol, y))
		if style == 0 {
			style = b.s.wrap
		}
		b.f.SetCellStyle(sh, cell(1, y), cell(1, y), style)
		// A:H is 138 character widths; text averages narrower than the digit a width counts.
		if lines := (utf8.RuneCountInString(s) + 149) / 150; lines > 1 {
			b.f.SetRowHeight(sh, y, float64(lines)*15)
		}
		y++
	}
	heading("What was analysed")
	for _, kv := range summaryFacts(r) {
		b.set(sh, 1, y, kv[0], b.s.label)
		b.set(sh, 2, y, kv[1], 0)
		y++
	}
	y++
	heading("Sign-ins by log type and outcome")
	ct := countsTable(r)
	for i, c := range []string{"log type", "sign-ins", "success", "interrupted", "failure"} {
		b.set(sh, i+1, y, c, b.s.header)
	}
	y++
	for ri, row := range ct.Rows {
		total := ri == len(ct.Rows)-1
		for i, v := range row {
			st := b.s.intNum
			if i == 0 {
				st = 0
				if total {
					st = b.s.bold
				}
			} else if total {
				st = b.s.boldInt
			}
			b.set(sh, i+1, y, v, st)
		}
		y++
	}
	y++
	heading("The seed questions, answered")
	if len(r.Answers) == 0 {
		line("No catalogue query that answers them ran.", b.s.note)
	}
	for _, a := range r.Answers {
		line("• "+a, 0)
	}
	y++
	if len(r.DetectionRuns) > 0 || len(r.Findings) > 0 {
		heading("Findings by severity")
		for _, c := range r.SeverityCounts() {
			b.set(sh, 1, y, c.Severity, b.s.sev[c.Severity])
			b.set(sh, 2, y, int64(c.Findings), b.s.intNum)
			y++
		}
		b.set(sh, 1, y, detectionsRan(r)+"; details on the Findings sheet", b.s.link)
		b.f.SetCellHyperLink(sh, cell(1, y), fmt.Sprintf("'%s'!A1", sheetFindings), "Location")
		y += 2
	}
	heading("Data-quality warnings")
	warnings := append([]string{}, r.Warnings...)
	if b.clipped > 0 {
		warnings = append(warnings, fmt.Sprintf("%d cells were longer than Excel's 32,767 characters and were clipped (they end in \"…[clipped by signinlens …]\"); the full text is in the database", b.clipped))
	}
	if len(warnings) == 0 {
		line("None.", b.s.note)
	}
	for _, w := range warnings {
		line("• "+w, 0)
	}
	y++
	heading("Sheets in this workbook")
	for _, name := range order[1:] {
		b.set(sh, 1, y, name, b.s.link)
		b.f.SetCellHyperLink(sh, cell(1, y), fmt.Sprintf("'%s'!A1", name), "Location")
		b.set(sh, 2, y, b.describeSheet(name), b.s.note)
		y++
	}
	return b.landscape(sh)
}

func (b *book) describeSheet(name string) string {
	switch name {
	case sheetFindings:
		return "one row per finding, severity-coloured, linked to its evidence"
	case sheetEvidence:
		return "the sign-ins behind each finding"
	case sheetCharts:
		return "sign-ins per day by outcome and the top values, as charts"
	case sheetSources:
		return "every input file: format, SHA-256, record accounting, rejected records"
	case sheetMethodology:
		return "each query's question, window, parameters as used and SQL, to re-perform the work"
	}
	if strings.HasPrefix(name, sheetRaw) {
		return "the sign-ins themselves (--raw)"
	}
	for s, n := range b.sheets {
		if n == name {
			return s.Query.Title
		}
	}
	return ""
}

// landscape prints the sheet across, one page wide.
func (b *book) landscape(sheet string) error { return b.pageSetup(sheet, true) }

// fitWidth is the widest sheet (in character widths) still printed one page wide; wider
// sheets print across pages at full size rather than in unreadable type.
const fitWidth = 260

// pageSetup prints sheet in landscape, fitted to one page wide when fit is true. For a
// streamed sheet it must come before the stream writer, which keeps these settings.
func (b *book) pageSetup(sheet string, fit bool) error {
	o := "landscape"
	opts := &excelize.PageLayoutOptions{Orientation: &o}
	if fit {
		one, zero, yes := 1, 0, true
		if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
			return err
		}
		opts.FitToWidth, opts.FitToHeight = &one, &zero
	}
	return b.f.SetPageLayout(sheet, opts)
}

func totalWidth(fm []colFormat) float64 {
	w := 0.0
	for _, f := range fm {
		w += f.width
	}
	return w
}

// --- Sources -----------------------------------------------------------------------------

func (b *book) writeSources() error {
	const sh = sheetSources
	r := b.r
	b.set(sh, 1, 1, "Sources", b.s.title)
	b.set(sh, 1, 2, "Every input file loaded into the database: records = loaded + duplicates + rejected + skipped.", b.s.subtitle)
	b.set(sh, 1, 3, "Times in "+b.zone+". Rejected records are listed below the files, with file:line or record and the reason.", b.s.note)
	t := sourcesTable(r)
	fm := b.formats(t)
	probs := &Table{Columns: []Column{{"file", "VARCHAR"}, {"line", "BIGINT"}, {"record", "BIGINT"}, {"field", "VARCHAR"}, {"reason", "VARCHAR"}, {"excerpt", "VARCHAR"}}}
	for _, f := range r.Sources {
		for _, p := range f.Problems {
			var line, rec any
			if p.Line > 0 {
				line = p.Line
			}
			if p.Record > 0 {
				rec = p.Record
			}
			probs.Rows = append(probs.Rows, []any{f.Path, line, rec, p.Field, p.Reason, p.Excerpt})
		}
		if f.ProblemsOmitted > 0 {
			probs.Rows = append(probs.Rows, []any{f.Path, nil, nil, "", fmt.Sprintf("%d more rejected records: see the load_problems table", f.ProblemsOmitted), ""})
		}
	}
	pm := b.formats(probs)
	for i := range max(len(fm), len(pm)) {
		w := 0.0
		if i < len(fm) {
			w = fm[i].width
		}
		if i < len(pm) {
			w = max(w, min(pm[i].width, 50))
		}
		b.f.SetColWidth(sh, colName(i+1), colName(i+1), w)
	}
	if err := b.pageSetup(sh, totalWidth(fm) <= fitWidth); err != nil {
		return err
	}
	y, err := b.plainTable(sh, tableHeaderRow, "sources", t, fm, "(no sources)")
	if err != nil {
		return err
	}
	if err := b.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	y += 2
	b.set(sh, 1, y, "Rejected records", b.s.h2)
	if r.OrphanAuthSteps > 0 {
		b.set(sh, 3, y, fmt.Sprintf("%d authentication-detail rows have no matching sign-in", r.OrphanAuthSteps), b.s.note)
	}
	y++
	_, err = b.plainTable(sh, y, "load_problems", probs, pm, "(no rejected records)")
	return err
}

// plainTable writes a header and rows at row y with the ordinary API and makes it an
// Excel table; it returns the last row used.
func (b *book) plainTable(sh string, y int, id string, t *Table, fm []colFormat, empty string) (int, error) {
	for i, f := range fm {
		if err := b.set(sh, i+1, y, f.header, b.s.header); err != nil {
			return 0, err
		}
	}
	for ri, row := range t.Rows {
		for i, v := range row {
			if err := b.set(sh, i+1, y+1+ri, b.value(v, fm[i]), 0); err != nil {
				return 0, err
			}
		}
	}
	last := y + len(t.Rows)
	if len(t.Rows) == 0 {
		last++
		b.set(sh, 1, last, empty, b.s.note)
	}
	yes := true
	err := b.f.AddTable(sh, &excelize.Table{Range: cell(1, y) + ":" + cell(len(fm), last), Name: b.tableName(id),
		StyleName: "TableStyleLight9", ShowRowStripes: &yes})
	return last, err
}

// --- Methodology -------------------------------------------------------------------------

func (b *book) writeMethodology() error {
	const sh = sheetMethodology
	r := b.r
	b.f.SetColWidth(sh, "A", "A", 24)
	b.f.SetColWidth(sh, "B", "B", 110)
	y := 1
	b.set(sh, 1, y, "Methodology", b.s.title)
	y++
	b.set(sh, 1, y, "How every number in this workbook was produced, so that a reviewer can re-perform the work.", b.s.subtitle)
	y += 2
	kv := func(k string, v any) {
		b.set(sh, 1, y, k, b.s.label)
		b.set(sh, 2, y, v, 0)
		y++
	}
	lines := func(k, text string) {
		b.set(sh, 1, y, k, b.s.label)
		for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			b.set(sh, 2, y, strings.ReplaceAll(l, "\t", "    "), b.s.mono)
			y++
		}
	}
	b.set(sh, 1, y, "Scope", b.s.h2)
	b.f.SetCellStyle(sh, "B"+fmt.Sprint(y), "B"+fmt.Sprint(y), b.s.h2)
	y++
	for _, f := range summaryFacts(r) {
		kv(f[0], f[1])
	}
	kv("Re-running", "Load the files on the Sources sheet (signinlens load --db case.duckdb FILES), define scoped() below, then run each SQL with its parameters as used; $name is a bound parameter, never spliced text.")
	kv("Windows", "Each query reads scoped(since, until, app, user, ip, log_types): sign-ins with since < created_at <= until that match the filters. since is until minus the query's window unless --window, --since or --all say otherwise; until is the as-of time.")
	lines("scoped() macro", ScopeMacro)
	y++
	entry := func(q *queries.Query, bound Bound, result string, link string) {
		b.set(sh, 1, y, q.ID, b.s.h2)
		b.set(sh, 2, y, q.Title, b.s.h2)
		y++
		kind := q.Kind
		if q.Severity != "" {
			kind += ", severity " + q.Severity
		}
		kv("Kind", kind)
		kv("Question", q.Question)
		if q.Mirrors != "" {
			kv("Mirrors", q.Mirrors)
		}
		if q.Mitre != "" {
			kv("MITRE ATT&CK", q.Mitre)
		}
		if q.Anchor != "" {
			kv("Follows", q.Anchor)
		}
		kv("Window (declared)", q.Window)
		kv("Window (as run)", capitalize(DescribeWindow(bound, b.loc)))
		names := make([]string, 0, len(bound.Args))
		for k := range bound.Args {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, n := range names {
			doc := ""
			for _, p := range q.Params {
				if p.Name == n {
					doc = " (" + p.Doc + "; default " + p.Default + ")"
				}
			}
			kv("$"+n, argText(bound.Args[n])+doc)
		}
		if len(q.Requires) > 0 {
			kv("Requires", strings.Join(q.Requires, ", "))
		}
		for _, ref := range q.References {
			kv("Reference", ref)
		}
		if result != "" {
			b.set(sh, 1, y, "Result", b.s.label)
			if link != "" {
				b.set(sh, 2, y, result, b.s.link)
				b.f.SetCellHyperLink(sh, cell(2, y), fmt.Sprintf("'%s'!A1", link), "Location")
			} else {
				b.set(sh, 2, y, result, 0)
			}
			y++
		}
		lines("SQL", q.SQL)
		y++
	}
	for _, s := range r.Sections {
		if s.Table == nil {
			entry(s.Query, s.Bound, "not run: "+s.Skipped, "")
			continue
		}
		res := fmt.Sprintf("%d rows on sheet %s", len(s.Table.Rows), b.sheets[s])
		if s.Unavailable != "" {
			res += " (" + s.Unavailable + ")"
		}
		entry(s.Query, s.Bound, res, b.sheets[s])
	}
	for _, d := range r.DetectionRuns {
		if d.Query == nil {
			continue
		}
		res := fmt.Sprintf("%d findings", d.Findings)
		if d.Limited != "" {
			res += " (ran on part of the data: " + d.Limited + ")"
		}
		if d.Skipped != "" {
			res = "did not run: " + d.Skipped
		}
		link := ""
		if d.Skipped == "" {
			link = sheetFindings
		}
		entry(d.Query, d.Bound, res, link)
	}
	return b.landscape(sh)
}

func argText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL (no filter)"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = argText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return Text(v, time.UTC)
}

// --- Raw ---------------------------------------------------------------------------------

func (b *book) writeRaw(ctx context.Context) error {
	raw := b.r.Raw
	if raw == nil {
		return nil
	}
	t := &Table{Columns: raw.Columns}
	fm := b.formats(t)
	for i, c := range raw.Columns {
		switch c.Name {
		case "user_agent", "failure_reason", "extra", "additional_details":
			fm[i].width = 50
		}
	}
	var sw *excelize.StreamWriter
	sheet, row := -1, 0
	vals := make([]any, len(fm))
	next := func() error {
		if sw != nil {
			if err := b.finishRaw(sw, row, len(fm)); err != nil {
				return err
			}
		}
		sheet++
		if err := b.pageSetup(b.raws[sheet], false); err != nil {
			return err
		}
		var err error
		if sw, err = b.f.NewStreamWriter(b.raws[sheet]); err != nil {
			return err
		}
		for i, f := range fm {
			if err := sw.SetColWidth(i+1, i+1, f.width); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		hdr := make([]any, len(fm))
		for i, f := range fm {
			hdr[i] = excelize.Cell{StyleID: b.s.header, Value: f.header}
		}
		row = 1
		return sw.SetRow("A1", hdr)
	}
	if err := next(); err != nil {
		return err
	}
	var n int64
	err := raw.Each(ctx, func(r []any) error {
		if row-1 == rawRowsPerSheet {
			if err := next(); err != nil {
				return err
			}
		}
		row++
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for i, v := range r {
			vals[i] = b.value(v, fm[i])
		}
		return sw.SetRow(cell(1, row), vals)
	})
	if err != nil {
		return err
	}
	return b.finishRaw(sw, row, len(fm))
}

func (b *book) finishRaw(sw *excelize.StreamWriter, lastRow, cols int) error {
	if lastRow == 1 {
		lastRow = 2
	}
	yes := true
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + cell(cols, lastRow), Name: b.tableName("raw"), StyleName: "TableStyleLight1", ShowRowStripes: &yes}); err != nil {
		return err
	}
	return sw.Flush()
}

// --- Charts ------------------------------------------------------------------------------

// chartData is one chart with the numbers it draws, which are written next to it.
type chartData struct {
	title   string
	source  string // where the numbers come from
	kind    excelize.ChartType
	catName string
	cats    []any // string or time.Time (a day)
	series  []string
	colors  []string
	values  [][]float64 // values[series][category]
}

// chartSpec says which query feeds a top-N chart and which of its columns to draw.
type chartSpec struct {
	id    string
	title string
	cat   string // category column
	desc  string // optional column appended to the category label
	value string // value column
	group bool   // add up rows with the same category (the value must be additive)
}

var topCharts = []chartSpec{
	{id: "app-users", title: "Applications: users signed in", cat: "app_display_name", value: "users_signed_in"},
	{id: "browsers", title: "Browsers: user sign-ins", cat: "browser", value: "sign_ins"},
	{id: "operating-systems", title: "Operating systems: user sign-ins", cat: "operating_system", value: "sign_ins"},
	{id: "locations", title: "Countries: sign-ins", cat: "country", value: "sign_ins", group: true},
	{id: "failed-signins", title: "Error codes: failed user sign-ins", cat: "error_code", desc: "meaning", value: "failures"},
}

var outcomeColors = map[string]string{"success": "70AD47", "interrupted": "FFC000", "failure": "C00000"}

const chartTop = 10

func (b *book) chartData() []chartData {
	var out []chartData
	if c, ok := b.dailyChart(); ok {
		out = append(out, c)
	}
	for _, spec := range topCharts {
		if s := b.r.Section(spec.id); s != nil && s.Table != nil && s.Answerable() {
			if c, ok := b.topChart(s, spec); ok {
				out = append(out, c)
			}
		}
	}
	var total int64
	lt := chartData{title: "Sign-ins by log type and outcome", source: "the Summary counts (whole database)", kind: excelize.BarStacked,
		catName: "log type", series: []string{"success", "interrupted", "failure"}, values: make([][]float64, 3)}
	for _, c := range b.r.Counts {
		lt.cats = append(lt.cats, c.LogType)
		lt.values[0] = append(lt.values[0], float64(c.Success))
		lt.values[1] = append(lt.values[1], float64(c.Interrupted))
		lt.values[2] = append(lt.values[2], float64(c.Failure))
		total += c.SignIns
	}
	for _, s := range lt.series {
		lt.colors = append(lt.colors, outcomeColors[s])
	}
	if total > 0 {
		out = append(out, lt)
	}
	return out
}

// dailyChart draws the daily query as stacked columns by outcome, adding up the log types.
func (b *book) dailyChart() (chartData, bool) {
	s := b.r.Section("daily")
	if s == nil || s.Table == nil || len(s.Table.Rows) == 0 {
		return chartData{}, false
	}
	t := s.Table
	day := col(t, "day")
	if day < 0 {
		return chartData{}, false
	}
	c := chartData{title: "Sign-ins per day by outcome (" + DescribeWindow(s.Bound, b.loc) + ")", source: "sheet " + b.sheets[s],
		kind: excelize.ColStacked, catName: "day (UTC)"}
	var cols []int
	for _, o := range []struct{ name, column string }{{"success", "successes"}, {"interrupted", "interrupts"}, {"failure", "failures"}} {
		i := col(t, o.column)
		if i < 0 {
			return chartData{}, false
		}
		cols = append(cols, i)
		c.series = append(c.series, o.name)
		c.colors = append(c.colors, outcomeColors[o.name])
	}
	c.values = make([][]float64, len(cols))
	at := map[string]int{}
	for _, r := range t.Rows {
		key := Text(r[day], time.UTC)
		di, ok := at[key]
		if !ok {
			di = len(c.cats)
			at[key] = di
			var cat any = key
			if d, err := time.Parse(time.DateOnly, key); err == nil {
				cat = d
			}
			c.cats = append(c.cats, cat)
			for si := range c.values {
				c.values[si] = append(c.values[si], 0)
			}
		}
		for si, i := range cols {
			c.values[si][di] += toFloat(r[i])
		}
	}
	return c, true
}

func (b *book) topChart(s *Section, spec chartSpec) (chartData, bool) {
	t := s.Table
	ci, vi, di := col(t, spec.cat), col(t, spec.value), -1
	if spec.desc != "" {
		di = col(t, spec.desc)
	}
	if ci < 0 || vi < 0 || len(t.Rows) == 0 {
		return chartData{}, false
	}
	type bar struct {
		label string
		v     float64
	}
	var bars []bar
	at := map[string]int{}
	for _, r := range t.Rows {
		label := Text(r[ci], b.loc)
		if label == "" {
			label = "(not recorded)"
		}
		if di >= 0 {
			label += " " + Text(r[di], b.loc)
		}
		label = truncRunes(label, 60)
		if i, ok := at[label]; ok && spec.group {
			bars[i].v += toFloat(r[vi])
			continue
		}
		at[label] = len(bars)
		bars = append(bars, bar{label, toFloat(r[vi])})
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].v > bars[j].v })
	title := spec.title
	if len(bars) > chartTop {
		bars = bars[:chartTop]
		title += ", top 10"
	}
	c := chartData{title: title + " (" + DescribeWindow(s.Bound, b.loc) + ")", source: "sheet " + b.sheets[s], kind: excelize.Bar,
		catName: t.Columns[ci].Name, series: []string{t.Columns[vi].Name}, colors: []string{"4472C4"}, values: make([][]float64, 1)}
	for _, x := range bars {
		c.cats = append(c.cats, x.label)
		c.values[0] = append(c.values[0], x.v)
	}
	return c, true
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return x
	}
	return 0
}

// writeCharts puts each chart beside the small table it draws.
func (b *book) writeCharts() error {
	if len(b.charts) == 0 {
		return nil
	}
	const sh = sheetCharts
	b.f.SetColWidth(sh, "A", "A", 34)
	b.f.SetColWidth(sh, "B", "D", 16)
	b.set(sh, 1, 1, "Charts", b.s.title)
	b.set(sh, 1, 2, "Each chart sits beside the numbers it draws; the full tables are on the query sheets.", b.s.subtitle)
	y := 4
	const chartRows = 18
	for ci, c := range b.charts {
		b.set(sh, 1, y, c.title, b.s.h2)
		b.set(sh, 6, y, "from "+c.source, b.s.note)
		y++
		top := y
		b.set(sh, 1, y, c.catName, b.s.header)
		for si, name := range c.series {
			b.set(sh, 2+si, y, name, b.s.header)
		}
		for i, cat := range c.cats {
			row := y + 1 + i
			switch x := cat.(type) {
			case time.Time:
				b.set(sh, 1, row, excelSerial(x, time.UTC), b.s.date)
			default:
				b.set(sh, 1, row, Text(cat, b.loc), 0)
			}
			for si := range c.series {
				v := c.values[si][i]
				if v == math.Trunc(v) {
					b.set(sh, 2+si, row, int64(v), b.s.intNum)
				} else {
					b.set(sh, 2+si, row, v, b.s.float)
				}
			}
		}
		first, last := top+1, top+len(c.cats)
		ch := &excelize.Chart{
			Type:      c.kind,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title, Font: &excelize.Font{Size: 11, Bold: true}}}},
			Dimension: excelize.ChartDimension{Width: 680, Height: chartRows * 20},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Format:    excelize.GraphicOptions{OffsetX: 10, OffsetY: 0},
		}
		if len(c.series) == 1 {
			ch.Legend.Position = "none"
			ch.PlotArea.ShowVal = true
		}
		axisFont := excelize.Font{Color: "404040", Size: 9}
		ch.XAxis.Font, ch.YAxis.Font = axisFont, axisFont
		ch.YAxis.MajorGridLines = true
		if c.kind == excelize.Bar || c.kind == excelize.BarStacked {
			ch.XAxis.ReverseOrder = true // first row at the top
		}
		if _, ok := c.cats[0].(time.Time); ok {
			ch.XAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: "yyyy-mm-dd"}
		}
		for si, name := range c.series {
			colRef := colName(2 + si)
			ch.Series = append(ch.Series, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$%s$%d", sh, colRef, top),
				Categories: fmt.Sprintf("'%s'!$A$%d:$A$%d", sh, first, last),
				Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sh, colRef, first, colRef, last),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c.colors[si]}},
			})
			_ = name
		}
		if err := b.f.AddChart(sh, cell(6, top), ch); err != nil {
			return fmt.Errorf("chart %d (%s): %w", ci+1, c.title, err)
		}
		y = top + max(len(c.cats)+1, chartRows) + 2
	}
	return b.landscape(sh)
}
