package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// Excel's limits.
const (
	excelMaxRows      = 1048576
	excelMaxCellChars = 32767
	excelMaxSheetName = 31
)

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
func WriteXLSX(ctx context.Context, w io.Writer, r *analyze.Report) error {
	return XLSX{}.Write(ctx, w, r)
}

// XLSX is the workbook writer with its options; the zero value is WriteXLSX.
type XLSX struct {
	// RawRowsPerSheet is how many sign-ins one Raw sheet holds below its header; 0 means
	// as many as Excel allows (1,048,575).
	RawRowsPerSheet int
}

// Write renders r as an Excel workbook to w.
func (x XLSX) Write(ctx context.Context, w io.Writer, r *analyze.Report) error {
	return x.write(ctx, w, r, excelFile{excelize.NewFile()})
}

// write renders r into f, a new workbook (tests pass one that fails on demand).
func (x XLSX) write(ctx context.Context, w io.Writer, r *analyze.Report, f workbook) (err error) {
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close workbook: %w", cerr)
		}
	}()
	b, err := newBook(r, f)
	if err != nil {
		return err
	}
	b.rawPerSheet = x.RawRowsPerSheet
	if b.rawPerSheet <= 0 {
		b.rawPerSheet = excelMaxRows - 1
	}
	if err := b.write(ctx); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// workbook is the part of *excelize.File the writer uses. Every call that can fail returns
// its error, and the writer passes each one on; tests wrap it to make any call fail.
type workbook interface {
	SetSheetName(source, target string) error
	NewSheet(sheet string) (int, error)
	NewStyle(style *excelize.Style) (int, error)
	SetCellStr(sheet, cell, value string) error
	SetCellInt(sheet, cell string, value int64) error
	SetCellFloat(sheet, cell string, value float64, precision, bitSize int) error
	SetCellBool(sheet, cell string, value bool) error
	SetCellStyle(sheet, topLeftCell, bottomRightCell string, styleID int) error
	SetCellHyperLink(sheet, cell, link, linkType string, opts ...excelize.HyperlinkOpts) error
	SetColWidth(sheet, startCol, endCol string, width float64) error
	SetRowHeight(sheet string, row int, height float64) error
	MergeCell(sheet, topLeftCell, bottomRightCell string) error
	AddTable(sheet string, table *excelize.Table) error
	AddChart(sheet, cell string, chart *excelize.Chart, combo ...*excelize.Chart) error
	SetPanes(sheet string, panes *excelize.Panes) error
	SetSheetProps(sheet string, opts *excelize.SheetPropsOptions) error
	SetPageLayout(sheet string, opts *excelize.PageLayoutOptions) error
	SetDocProps(docProperties *excelize.DocProperties) error
	NewStreamWriter(sheet string) (streamWriter, error)
	WriteTo(w io.Writer, opts ...excelize.Options) (int64, error)
	Close() error
}

// streamWriter is the part of *excelize.StreamWriter the writer uses.
type streamWriter interface {
	SetRow(cell string, values []any, opts ...excelize.RowOpts) error
	SetColWidth(minVal, maxVal int, width float64) error
	SetPanes(panes *excelize.Panes) error
	AddTable(table *excelize.Table) error
	Flush() error
}

// excelFile is a workbook backed by excelize.
type excelFile struct{ *excelize.File }

func (f excelFile) NewStreamWriter(sheet string) (streamWriter, error) {
	sw, err := f.File.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	return sw, nil
}

type book struct {
	f           workbook
	rawPerSheet int
	r           *analyze.Report
	loc         *time.Location
	zone        string
	s           styles
	sheets      map[*analyze.Section]string // query sheet names
	raws        []string
	charts      []chartData
	timelines   []string // timeline sheet names, one per r.Timelines entry
	clipped     int64
	tables      map[string]bool
}

type styles struct {
	title, subtitle, h2, label, note, warn, header, wrap, mono, link, bold, boldInt int
	intNum, plainInt, float, pct, datetime, date                                    int
	sev                                                                             map[string]int
}

func newBook(r *analyze.Report, f workbook) (*book, error) {
	b := &book{f: f, r: r, loc: r.Location(), sheets: map[*analyze.Section]string{}, tables: map[string]bool{}}
	b.zone = b.loc.String()
	if err := b.makeStyles(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *book) makeStyles() error {
	var err error
	style := func(s *excelize.Style) int {
		id, e := b.f.NewStyle(s)
		if err == nil && e != nil {
			err = fmt.Errorf("excel style: %w", e)
		}
		return id
	}
	custom := func(f string) *string { return &f }
	top := &excelize.Alignment{Vertical: "top"}
	b.s = styles{
		title:    style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3864"}}),
		subtitle: style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "404040"}}),
		h2:       style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F3864"}, Border: []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}}),
		label:    style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top}),
		note:     style(&excelize.Style{Font: &excelize.Font{Color: "595959"}}),
		warn:     style(&excelize.Style{Font: &excelize.Font{Color: "9C0006", Bold: true}}),
		header:   style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}}}),
		wrap:     style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		mono:     style(&excelize.Style{Font: &excelize.Font{Family: "Courier New", Size: 9}}),
		link:     style(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}}),
		bold:     style(&excelize.Style{Font: &excelize.Font{Bold: true}}),
		boldInt:  style(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 3}),
		intNum:   style(&excelize.Style{NumFmt: 3}),
		plainInt: style(&excelize.Style{NumFmt: 1}),
		float:    style(&excelize.Style{CustomNumFmt: custom("#,##0.00")}),
		pct:      style(&excelize.Style{CustomNumFmt: custom(`0.0"%"`)}),
		datetime: style(&excelize.Style{CustomNumFmt: custom("yyyy-mm-dd hh:mm:ss")}),
		date:     style(&excelize.Style{CustomNumFmt: custom("yyyy-mm-dd")}),
		sev: map[string]int{
			"high":   style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}}),
			"medium": style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C5700"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}}),
			"low":    style(&excelize.Style{Font: &excelize.Font{Color: "1F4E78"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}),
		},
	}
	return err
}

// write lays out every sheet: all are created first, in their final order, then filled;
// the Summary last, so it can mention what the other sheets had to clip.
func (b *book) write(ctx context.Context) error {
	r := b.r
	order := []string{sheetSummary}
	if len(r.DetectionRuns) > 0 || len(r.Findings) > 0 {
		order = append(order, sheetFindings)
		if len(b.evidenceBlocks()) > 0 {
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
	// The accounts to look at first, and the timelines of those investigated, come right
	// after the Summary.
	first := b.accountSheets(taken)
	order = slices.Insert(slices.DeleteFunc(order, func(n string) bool { return slices.Contains(first, n) }), 1, first...)
	chartsAt += len(first)
	// The charts name the query sheets they draw from, so they are worked out after them.
	var err error
	if b.charts, err = b.chartData(); err != nil {
		return fmt.Errorf("sheet %s: %w", sheetCharts, err)
	}
	if len(b.charts) > 0 {
		order = slices.Insert(order, chartsAt, sheetCharts)
	}
	order = append(order, sheetSources, sheetMethodology)
	if r.Raw != nil {
		per := int64(b.rawPerSheet)
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
		return fmt.Errorf("sheet %s: %w", order[0], err)
	}
	for _, n := range order[1:] {
		if _, err := b.f.NewSheet(n); err != nil {
			return fmt.Errorf("sheet %s: %w", n, err)
		}
	}
	for _, step := range []struct {
		sheet string
		write func() error
	}{{sheetFindings, b.writeFindings}, {sheetEvidence, b.writeEvidence}, {sheetCharts, b.writeCharts}, {"timeline", b.writeTimelines}} {
		if err := step.write(); err != nil {
			return fmt.Errorf("sheet %s: %w", step.sheet, err)
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
		return fmt.Errorf("sheet %s: %w", sheetSources, err)
	}
	if err := b.writeMethodology(); err != nil {
		return fmt.Errorf("sheet %s: %w", sheetMethodology, err)
	}
	if err := b.writeRaw(ctx); err != nil {
		return err // names its sheet
	}
	if err := b.writeSummary(order); err != nil {
		return fmt.Errorf("sheet %s: %w", sheetSummary, err)
	}
	// Summary is the first sheet and so the active one. (SetActiveSheet would parse every
	// streamed sheet back into memory.)
	if err := b.f.SetDocProps(&excelize.DocProperties{
		Creator: "signinlens " + r.Meta.Version, Title: "Sign-in log report", Created: r.Meta.GeneratedAt.UTC().Format(time.RFC3339),
		Modified: r.Meta.GeneratedAt.UTC().Format(time.RFC3339), Description: "Produced offline by signinlens analyze",
	}); err != nil {
		return fmt.Errorf("document properties: %w", err)
	}
	return nil
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

// cell names a cell (B5). An out-of-range coordinate gives "", which the excelize call it
// is passed to rejects with an error the writer returns.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// colName names a column (B); out of range it gives "", rejected like cell's.
func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// landscape prints the sheet across, one page wide.
func (b *book) landscape(sheet string) error { return b.pageSetup(sheet, true) }

// portraitWidth is the widest table (in character widths) printed upright; wider tables
// print in landscape. Either way a table sheet prints one page wide.
const portraitWidth = 100

// tablePageSetup prints a table sheet whose columns are fm one page wide: upright when
// narrow, in landscape when wide. Like pageSetup, it comes before a stream writer.
func (b *book) tablePageSetup(sheet string, fm []colFormat) error {
	if totalWidth(fm) <= portraitWidth {
		return b.pageLayout(sheet, "portrait", true)
	}
	return b.pageSetup(sheet, true)
}

// pageSetup prints sheet in landscape, fitted to one page wide when fit is true. For a
// streamed sheet it must come before the stream writer, which keeps these settings.
func (b *book) pageSetup(sheet string, fit bool) error { return b.pageLayout(sheet, "landscape", fit) }

// pageLayout sets the orientation o (portrait or landscape) and, when fit is true, one
// page wide and as many pages tall as it takes.
func (b *book) pageLayout(sheet, o string, fit bool) error {
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

// sheetOps writes cells and settings on one sheet with the ordinary API and keeps the first
// error (later calls do nothing), so that layout code reads as a list of cells and still
// passes every excelize error on: the sheet's writer returns err.
type sheetOps struct {
	b    *book
	name string
	err  error
}

func (b *book) sheet(name string) *sheetOps { return &sheetOps{b: b, name: name} }

func (s *sheetOps) do(f func() error) {
	if s.err == nil {
		s.err = f()
	}
}

func (s *sheetOps) set(col, row int, v any, style int) {
	s.do(func() error { return s.b.set(s.name, col, row, v, style) })
}

func (s *sheetOps) width(from, to string, w float64) {
	s.do(func() error { return s.b.f.SetColWidth(s.name, from, to, w) })
}

func (s *sheetOps) style(from, to string, style int) {
	s.do(func() error { return s.b.f.SetCellStyle(s.name, from, to, style) })
}

func (s *sheetOps) merge(from, to string) {
	s.do(func() error { return s.b.f.MergeCell(s.name, from, to) })
}

// height sets a row's height, at most the 409 points Excel allows.
func (s *sheetOps) height(row int, h float64) {
	s.do(func() error { return s.b.f.SetRowHeight(s.name, row, min(h, excelize.MaxRowHeight)) })
}

// link makes ref a link to a place in the workbook, such as 'Findings'!A1.
func (s *sheetOps) link(ref, target string, opts ...excelize.HyperlinkOpts) {
	s.do(func() error { return s.b.f.SetCellHyperLink(s.name, ref, target, "Location", opts...) })
}
