package loaders

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/signinlens/signinlens/internal/words"
)

// The CSV exports (admin center download, Log Analytics portal export, PowerShell
// Export-Csv) share this reader: an RFC 4180 splitter that keeps physical line numbers and
// survives damage (csv_scanner.go), header sniffing (csv_header.go), the per-file day/month
// decision for locale dates (csv_dates.go), and the reporting of what a file's columns
// cannot carry (unavailable.go). Each format maps cells on its own (csv_admin.go,
// csv_la.go, csv_powershell.go).

const (
	// Rows held back while the order of locale dates (3/4/2025) is still open.
	dateHoldRows  = 10000
	dateHoldBytes = 32 << 20
)

// csvRow is one data row of a CSV file.
type csvRow struct {
	cells []string
	line  int64
	index int64
	off   int64
}

func (rw *csvRow) problem(field, reason string) Problem {
	return Problem{Line: rw.line, Index: rw.index, Offset: rw.off, Field: field, Reason: reason, Excerpt: rw.excerpt()}
}

func (rw *csvRow) excerpt() string {
	var b []byte
	for i, c := range rw.cells {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c...)
		if len(b) > 200 {
			break
		}
	}
	return excerpt(b)
}

func (rw *csvRow) place(r *Record) {
	r.Line, r.Index, r.Offset = rw.line, rw.index, rw.off
}

// csvTable reads the rows of one CSV file after its header, holding rows back while the
// day/month order of locale dates is undecided, and hands each to row.
type csvTable struct {
	c      *ReadContext
	s      *csvScanner
	head   *csvHead
	row    func(rw *csvRow)
	dates  dateOrder
	held   []csvRow
	heldN  int
	index  int64
	badUTF int64 // cells that are not valid UTF-8
}

// openCSV sniffs the header, notes what a reviewer should know about the text, and
// positions a scanner on the first data row.
func openCSV(c *ReadContext) (*csvHead, *csvScanner, error) {
	head, _ := c.R.Peek(headSize)
	h := sniffCSV(head)
	if h == nil {
		return nil, nil, &ParseError{File: c.Path, Line: 1, Reason: "no CSV header found; expected " + csvSignatures}
	}
	s := newCSVScanner(c.R, h.delim)
	gotHeader := false
	// Skip what precedes the header (#TYPE, sep=) and read it.
	for s.next() {
		if s.bad != "" {
			return nil, nil, &ParseError{File: c.Path, Line: s.start, Reason: "the header cannot be read: " + s.bad}
		}
		if len(s.cells) > 0 && (strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s.cells[0])), "#TYPE") ||
			(len(s.cells) <= 2 && strings.HasPrefix(strings.ToLower(s.cells[0]), "sep="))) {
			continue
		}
		gotHeader = true
		break
	}
	if !gotHeader {
		return nil, nil, &ParseError{File: c.Path, Line: 1, Reason: "no CSV header found; expected " + csvSignatures}
	}
	switch c.Info.Encoding {
	case "windows-1252":
		c.Note("the text is not UTF-8 and was read as Windows-1252 (Excel's \"CSV (Comma delimited)\" on a Windows with a Western code page); characters outside that code page were already lost when the file was saved")
	case "utf-16le", "utf-16be", "utf-16le (no BOM)", "utf-16be (no BOM)":
		c.Note("the text is %s (Excel \"Unicode Text\" or Windows PowerShell 5.1); converted to UTF-8", c.Info.Encoding)
	}
	switch h.delim {
	case ';':
		c.Note("cells are separated by semicolons (a CSV saved by Excel in a locale with a decimal comma)")
	case '\t':
		c.Note("cells are separated by tabs")
	}
	if h.sepLine {
		c.Note("the first line is Excel's separator hint (sep=%c); skipped", h.delim)
	}
	return h, s, nil
}

// run reads every data row.
func (t *csvTable) run() error {
	n := len(t.head.header)
	s := t.s
	for s.next() {
		t.index++
		rw := csvRow{line: s.start, index: t.index, off: s.startOff}
		if s.bad != "" {
			reason := s.bad
			if s.lines > 1 {
				reason += "; the row is skipped and the lines after it are read again as rows"
			}
			t.c.Sink.Reject(Problem{Line: rw.line, Index: rw.index, Offset: rw.off, Reason: reason, Excerpt: s.excerpt()})
			s.resync()
			continue
		}
		cells := s.cells
		for len(cells) > n && cells[len(cells)-1] == "" { // trailing delimiters
			cells = cells[:len(cells)-1]
		}
		if len(cells) != n {
			reason := fmt.Sprintf("the row has %d cells where the header has %d", len(cells), n)
			if s.lines > 1 {
				reason += fmt.Sprintf("; a quoted cell opened on line %d runs on to line %d, probably an unbalanced quote: the row is skipped and the lines after it are read again as rows", s.spanLine, s.start+int64(s.lines)-1)
			} else if s.lazy {
				reason += " (a stray quote in the row)"
			}
			t.c.Sink.Reject(Problem{Line: rw.line, Index: rw.index, Offset: rw.off, Reason: reason, Excerpt: s.excerpt()})
			s.resync()
			continue
		}
		if !utf8.Valid(s.buf) { // the cells share one text: one check covers them all
			t.badUTF++
		}
		rw.cells = cells
		if t.dates.hold(&rw) || len(t.held) > 0 {
			t.held = append(t.held, csvRow{cells: append([]string(nil), cells...), line: rw.line, index: rw.index, off: rw.off})
			t.heldN += len(s.buf)
			if t.dates.decided || len(t.held) >= dateHoldRows || t.heldN >= dateHoldBytes {
				t.release()
			}
			continue
		}
		t.row(&rw)
	}
	t.release()
	t.dates.note(t.c)
	if t.badUTF > 0 {
		t.c.Note("%s hold bytes that are not UTF-8 (the encoding was judged from the start of the file); they are kept with U+FFFD in their place", words.Plural(t.badUTF, "row", "rows"))
	}
	if s.err != nil {
		return s.err
	}
	return nil
}

// release decides the date order if still open and hands the held rows on.
func (t *csvTable) release() {
	if len(t.held) == 0 {
		return
	}
	t.dates.settle()
	for i := range t.held {
		t.row(&t.held[i])
	}
	t.held, t.heldN = nil, 0
}

// logTypeHint is the log type the file's own name implies (a zip member's name before the
// archive's), else the path's.
func logTypeHint(c *ReadContext) string {
	if lt := LogTypeFromName(c.Name); lt != "" {
		return lt
	}
	return c.LogTypeHint
}

// emit passes a finished record to the sink, or rejects it with the reason.
func emit(c *ReadContext, r *Record, hint string, rw *csvRow) {
	if msg, field := Finish(r, hint); msg != "" {
		c.Sink.Reject(rw.problem(field, msg))
		return
	}
	if err := c.Sink.Record(r); err != nil {
		c.Sink.Reject(rw.problem("", err.Error()))
	}
}
