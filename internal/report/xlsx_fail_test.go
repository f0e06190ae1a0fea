package report

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/xuri/excelize/v2"
)

var errInjected = errors.New("injected excelize failure")

// failing is a workbook that makes one chosen call fail. A call is known by its place:
// the chain of writer functions and lines that made it, so that every place in the
// writer that calls excelize can be made to fail once.
type failing struct {
	excelFile
	fail   string // the place to fail; "" records the places only
	seen   map[string]int
	places []string // in first-call order
	failed string   // what failed: the sheet (or step) the error must name
}

func (f *failing) hit(method, sheet string) error {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var chain []string
	for {
		fr, more := frames.Next()
		if !strings.HasPrefix(fr.Function, "github.com/signinlens/signinlens/report.") || strings.HasSuffix(fr.File, "_test.go") {
			break
		}
		chain = append(chain, fr.Function[strings.LastIndex(fr.Function, ".")+1:]+":"+itoa(fr.Line))
		if !more {
			break
		}
	}
	place := method + " " + strings.Join(chain, " < ")
	if f.seen[place] == 0 {
		f.places = append(f.places, place)
	}
	f.seen[place]++
	if place == f.fail && f.failed == "" {
		f.failed = sheet
		return errInjected
	}
	return nil
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func (f *failing) SetSheetName(source, target string) error {
	if err := f.hit("SetSheetName", "sheet "+target); err != nil {
		return err
	}
	return f.excelFile.SetSheetName(source, target)
}

func (f *failing) NewSheet(sheet string) (int, error) {
	if err := f.hit("NewSheet", "sheet "+sheet); err != nil {
		return 0, err
	}
	return f.excelFile.NewSheet(sheet)
}

func (f *failing) NewStyle(style *excelize.Style) (int, error) {
	if err := f.hit("NewStyle", "excel style"); err != nil {
		return 0, err
	}
	return f.excelFile.NewStyle(style)
}

func (f *failing) SetCellStr(sheet, cell, value string) error {
	if err := f.hit("SetCellStr", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetCellStr(sheet, cell, value)
}

func (f *failing) SetCellInt(sheet, cell string, value int64) error {
	if err := f.hit("SetCellInt", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetCellInt(sheet, cell, value)
}

func (f *failing) SetCellFloat(sheet, cell string, value float64, precision, bitSize int) error {
	if err := f.hit("SetCellFloat", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetCellFloat(sheet, cell, value, precision, bitSize)
}

func (f *failing) SetCellBool(sheet, cell string, value bool) error {
	if err := f.hit("SetCellBool", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetCellBool(sheet, cell, value)
}

func (f *failing) SetCellStyle(sheet, topLeft, bottomRight string, styleID int) error {
	if err := f.hit("SetCellStyle", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetCellStyle(sheet, topLeft, bottomRight, styleID)
}

func (f *failing) SetCellHyperLink(sheet, cell, link, linkType string, opts ...excelize.HyperlinkOpts) error {
	if err := f.hit("SetCellHyperLink", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetCellHyperLink(sheet, cell, link, linkType, opts...)
}

func (f *failing) SetColWidth(sheet, startCol, endCol string, width float64) error {
	if err := f.hit("SetColWidth", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetColWidth(sheet, startCol, endCol, width)
}

func (f *failing) SetRowHeight(sheet string, row int, height float64) error {
	if err := f.hit("SetRowHeight", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetRowHeight(sheet, row, height)
}

func (f *failing) MergeCell(sheet, topLeft, bottomRight string) error {
	if err := f.hit("MergeCell", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.MergeCell(sheet, topLeft, bottomRight)
}

func (f *failing) AddTable(sheet string, table *excelize.Table) error {
	if err := f.hit("AddTable", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.AddTable(sheet, table)
}

func (f *failing) AddChart(sheet, cell string, chart *excelize.Chart, combo ...*excelize.Chart) error {
	if err := f.hit("AddChart", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.AddChart(sheet, cell, chart, combo...)
}

func (f *failing) SetPanes(sheet string, panes *excelize.Panes) error {
	if err := f.hit("SetPanes", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetPanes(sheet, panes)
}

func (f *failing) SetSheetProps(sheet string, opts *excelize.SheetPropsOptions) error {
	if err := f.hit("SetSheetProps", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetSheetProps(sheet, opts)
}

func (f *failing) SetPageLayout(sheet string, opts *excelize.PageLayoutOptions) error {
	if err := f.hit("SetPageLayout", "sheet "+sheet); err != nil {
		return err
	}
	return f.excelFile.SetPageLayout(sheet, opts)
}

func (f *failing) SetDocProps(p *excelize.DocProperties) error {
	if err := f.hit("SetDocProps", "document properties"); err != nil {
		return err
	}
	return f.excelFile.SetDocProps(p)
}

func (f *failing) NewStreamWriter(sheet string) (streamWriter, error) {
	if err := f.hit("NewStreamWriter", "sheet "+sheet); err != nil {
		return nil, err
	}
	sw, err := f.excelFile.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	return &failingStream{sw, f, sheet}, nil
}

func (f *failing) WriteTo(w io.Writer, opts ...excelize.Options) (int64, error) {
	if err := f.hit("WriteTo", "write workbook"); err != nil {
		return 0, err
	}
	return f.excelFile.WriteTo(w, opts...)
}

func (f *failing) Close() error {
	if err := f.hit("Close", "close workbook"); err != nil {
		return err
	}
	return f.excelFile.Close()
}

type failingStream struct {
	streamWriter
	f     *failing
	sheet string
}

func (s *failingStream) SetRow(cell string, values []any, opts ...excelize.RowOpts) error {
	if err := s.f.hit("StreamWriter.SetRow", "sheet "+s.sheet); err != nil {
		return err
	}
	return s.streamWriter.SetRow(cell, values, opts...)
}

func (s *failingStream) SetColWidth(minVal, maxVal int, width float64) error {
	if err := s.f.hit("StreamWriter.SetColWidth", "sheet "+s.sheet); err != nil {
		return err
	}
	return s.streamWriter.SetColWidth(minVal, maxVal, width)
}

func (s *failingStream) SetPanes(panes *excelize.Panes) error {
	if err := s.f.hit("StreamWriter.SetPanes", "sheet "+s.sheet); err != nil {
		return err
	}
	return s.streamWriter.SetPanes(panes)
}

func (s *failingStream) AddTable(table *excelize.Table) error {
	if err := s.f.hit("StreamWriter.AddTable", "sheet "+s.sheet); err != nil {
		return err
	}
	return s.streamWriter.AddTable(table)
}

func (s *failingStream) Flush() error {
	if err := s.f.hit("StreamWriter.Flush", "sheet "+s.sheet); err != nil {
		return err
	}
	return s.streamWriter.Flush()
}

// TestEveryExcelizeErrorSurfaces makes each place in the workbook writer that calls
// excelize fail in turn: the write must fail with that error, naming the sheet. A call
// whose error is dropped leaves the write successful, and the test says which place.
func TestEveryExcelizeErrorSurfaces(t *testing.T) {
	var qs []*queries.Query
	for _, id := range []string{"log-types", "daily", "app-users", "browsers"} {
		q, ok := queries.Get(id)
		if !ok {
			t.Fatalf("no %s query", id)
		}
		qs = append(qs, q)
	}
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Queries: qs, Raw: true, Detect: rptFakeDetect})
	// A warning long enough that the Summary sets a row height.
	r.Warnings = append(r.Warnings, strings.Repeat("a long warning ", 30))
	x := XLSX{RawRowsPerSheet: 4}
	write := func(fail string) (*failing, error) {
		f := &failing{excelFile: excelFile{excelize.NewFile()}, fail: fail, seen: map[string]int{}}
		err := x.write(context.Background(), io.Discard, r, f)
		return f, err
	}
	all, err := write("")
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, p := range all.places {
		methods[strings.Fields(p)[0]] = true
	}
	for _, m := range []string{"SetSheetName", "NewSheet", "NewStyle", "SetCellStr", "SetCellInt", "SetCellFloat", "SetCellStyle",
		"SetCellHyperLink", "SetColWidth", "SetRowHeight", "MergeCell", "AddTable", "AddChart", "SetPanes", "SetSheetProps",
		"SetPageLayout", "SetDocProps", "NewStreamWriter", "WriteTo", "Close", "StreamWriter.SetRow", "StreamWriter.SetColWidth",
		"StreamWriter.SetPanes", "StreamWriter.AddTable", "StreamWriter.Flush"} {
		if !methods[m] {
			t.Errorf("the report never calls %s: the test does not cover it", m)
		}
	}
	for _, p := range all.places {
		f, err := write(p)
		if f.failed == "" {
			t.Errorf("%s: not reached again", p)
			continue
		}
		if !errors.Is(err, errInjected) {
			t.Errorf("%s failed, but the write returned %v", p, err)
			continue
		}
		if !strings.Contains(err.Error(), f.failed) {
			t.Errorf("%s: error %q does not name %q", p, err, f.failed)
		}
	}
	t.Logf("%d places that call excelize, each made to fail once", len(all.places))
}

// TestWorkbookWriteErrors: a write error from the destination is returned.
func TestWorkbookWriteErrors(t *testing.T) {
	r := &analyze.Report{Meta: analyze.Meta{TimeZone: "UTC"}}
	if err := WriteXLSX(context.Background(), errWriter{}, r); !errors.Is(err, errInjected) {
		t.Errorf("write to a failing writer: %v", err)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(context.Background(), &buf, r); err != nil || buf.Len() == 0 {
		t.Errorf("empty report: %d bytes, %v", buf.Len(), err)
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errInjected }
