package loaders

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The CSV exports (admin center download, Log Analytics portal export, PowerShell
// Export-Csv) share this reader: an RFC 4180 splitter that keeps physical line numbers and
// survives damage, header sniffing, the per-file day/month decision for locale dates, and
// the reporting of what a file's columns cannot carry. Each format maps cells on its own.

const (
	// maxCSVRecord bounds the text of one record held in memory.
	maxCSVRecord = 16 << 20
	// maxCSVCellLines bounds the physical lines one quoted cell may span. Sign-in exports
	// rarely break lines inside a cell; a quote that never closes would otherwise swallow
	// the rest of the file.
	maxCSVCellLines = 200
	// Rows held back while the order of locale dates (3/4/2025) is still open.
	dateHoldRows  = 10000
	dateHoldBytes = 32 << 20
)

// csvScanner splits CSV text into records. It tracks the physical line and byte offset
// where each record starts, takes stray quotes literally (as encoding/csv's LazyQuotes),
// and bounds a quoted cell, so that an unbalanced quote costs its own line: the caller
// rejects the record and calls resync, which reads the swallowed lines again as rows.
type csvScanner struct {
	src     *bufio.Reader
	pending []byte // text read again before src, after a resync
	delim   byte
	line    int64 // number of the next physical line
	off     int64 // offset of the next physical line in the decoded text
	long    []byte
	cur     []byte // the last physical line read (valid until the next read)
	curSize int64  // its length in the text (more than len(cur) when cut at maxCSVRecord)
	err     error  // read error other than io.EOF

	// The current record.
	buf      []byte // unquoted cell text
	ends     []int  // end of each cell in buf
	cells    []string
	start    int64 // line where the record starts
	startOff int64
	firstLen int64  // length of the record's first physical line
	first    []byte // copy of the first line, when the record spans several
	rest     []byte // the physical lines after the first, for resync
	lines    int    // physical lines the record spans
	lazy     bool   // a stray quote was taken literally
	lazyLine int64  // the line of the first stray quote
	openLine int64  // the line where the last quoted cell opened
	spanLine int64  // the line where the first cell that runs over lines opened
	bad      string // why the record could not be split; "" when it could
	lineLong bool   // the last line read was cut at maxCSVRecord
}

func newCSVScanner(r *bufio.Reader, delim byte) *csvScanner {
	return &csvScanner{src: r, delim: delim, line: 1}
}

// readLine returns the next physical line with its line end, or false at the end.
func (s *csvScanner) readLine() ([]byte, bool) {
	s.lineLong = false
	if len(s.pending) > 0 {
		i := bytes.IndexByte(s.pending, '\n')
		var l []byte
		if i < 0 {
			l, s.pending = s.pending, nil
		} else {
			l, s.pending = s.pending[:i+1], s.pending[i+1:]
		}
		s.cur, s.curSize = l, int64(len(l))
		s.line++
		s.off += int64(len(l))
		return l, true
	}
	if s.src == nil {
		return nil, false
	}
	l, err := s.src.ReadSlice('\n')
	size := int64(len(l))
	if err == bufio.ErrBufferFull {
		// A line longer than the reader's buffer: gather it, up to maxCSVRecord.
		s.long = append(s.long[:0], l...)
		for err == bufio.ErrBufferFull {
			l, err = s.src.ReadSlice('\n')
			size += int64(len(l))
			if len(s.long) < maxCSVRecord {
				s.long = append(s.long, l...)
			} else {
				s.lineLong = true
			}
		}
		l = s.long
	}
	if err != nil && err != io.EOF {
		s.err = err
	}
	if size == 0 {
		return nil, false
	}
	s.cur, s.curSize = l, size
	s.line++
	s.off += size
	return l, true
}

// next splits the next record into s.cells (valid until the following call). It returns
// false at the end of the text. A record that cannot be split has s.bad set.
func (s *csvScanner) next() bool {
	s.buf, s.ends, s.first, s.rest = s.buf[:0], s.ends[:0], s.first[:0], s.rest[:0]
	s.lazy, s.bad, s.lines = false, "", 1
	var line []byte
	for {
		startOff := s.off
		l, ok := s.readLine()
		if !ok {
			return false
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue // a blank line is no record
		}
		line, s.start, s.startOff, s.firstLen = l, s.line-1, startOff, s.curSize
		break
	}
	if s.lineLong {
		s.bad = fmt.Sprintf("the line is longer than %d MiB; it is skipped", maxCSVRecord>>20)
		s.cells = s.cells[:0]
		return true
	}
	pos := 0
	for {
		// One cell starts at line[pos].
		if pos < len(line) && line[pos] == '"' {
			s.openLine = s.start + int64(s.lines) - 1
			i := pos + 1
			for {
				j := bytes.IndexByte(line[i:], '"')
				if j < 0 {
					// The quoted cell goes on to the next physical line.
					s.buf = appendLineEnd(s.buf, line[i:])
					if s.lines == 1 {
						s.first = append(s.first[:0], line...)
						s.spanLine = s.openLine
					}
					nl, ok := s.readLine()
					if !ok {
						s.bad = fmt.Sprintf("a quoted cell opened on line %d is not closed before the end of the file (unbalanced quote)", s.openLine)
						return s.finish()
					}
					s.lines++
					s.rest = append(s.rest, nl...)
					if s.lines > maxCSVCellLines || len(s.buf) > maxCSVRecord || s.lineLong {
						s.bad = fmt.Sprintf("a quoted cell opened on line %d is still open %d lines later (unbalanced quote)", s.openLine, s.start+int64(s.lines)-1-s.openLine)
						return s.finish()
					}
					line, i = nl, 0
					continue
				}
				j += i
				s.buf = append(s.buf, line[i:j]...)
				k := j + 1
				if k < len(line) && line[k] == '"' { // a doubled quote
					s.buf = append(s.buf, '"')
					i = k + 1
					continue
				}
				if k == len(line) || line[k] == s.delim || line[k] == '\n' || (line[k] == '\r' && (k+1 == len(line) || line[k+1] == '\n')) {
					pos = k
					break
				}
				if !s.lazy { // a stray quote inside a quoted cell: literal
					s.lazy, s.lazyLine = true, s.start+int64(s.lines)-1
				}
				s.buf = append(s.buf, '"')
				i = k
			}
			s.ends = append(s.ends, len(s.buf))
			if pos < len(line) && line[pos] == s.delim {
				pos++
				if atLineEnd(line, pos) { // a delimiter ends the line: one more empty cell
					s.ends = append(s.ends, len(s.buf))
					return s.finish()
				}
				continue
			}
			return s.finish()
		}
		j := bytes.IndexByte(line[pos:], s.delim)
		if j < 0 {
			s.buf = append(s.buf, trimLineEnd(line[pos:])...)
			s.ends = append(s.ends, len(s.buf))
			return s.finish()
		}
		s.buf = append(s.buf, line[pos:pos+j]...)
		s.ends = append(s.ends, len(s.buf))
		pos += j + 1
		if atLineEnd(line, pos) {
			s.ends = append(s.ends, len(s.buf))
			return s.finish()
		}
	}
}

// finish turns the cell text into strings sharing one allocation.
func (s *csvScanner) finish() bool {
	if s.lines > 1 && s.lazy && s.bad == "" {
		// A cell that runs over lines and then meets a quote that neither doubles nor
		// closes it: the quote that opened it was never closed, and it swallowed rows.
		s.bad = fmt.Sprintf("a quote on line %d is never closed: its cell runs into the next lines, and a stray quote on line %d shows it swallowed rows (unbalanced quote)", s.start, s.lazyLine)
	}
	text := string(s.buf)
	s.cells = s.cells[:0]
	at := 0
	for _, e := range s.ends {
		s.cells = append(s.cells, text[at:e])
		at = e
	}
	return true
}

// resync reads the record's text again from its second physical line on: the record is
// rejected as one line, and the lines it swallowed become rows of their own.
func (s *csvScanner) resync() {
	if s.lines <= 1 || len(s.rest) == 0 {
		return
	}
	p := make([]byte, 0, len(s.rest)+len(s.pending))
	p = append(p, s.rest...)
	s.pending = append(p, s.pending...)
	s.line = s.start + 1
	s.off = s.startOff + s.firstLen
	s.rest = s.rest[:0]
}

// excerpt is the start of the record's first line.
func (s *csvScanner) excerpt() string {
	if s.lines > 1 {
		return excerpt(s.first)
	}
	return excerpt(s.cur)
}

func atLineEnd(line []byte, pos int) bool {
	return pos == len(line) || line[pos] == '\n' || (line[pos] == '\r' && (pos+1 == len(line) || line[pos+1] == '\n'))
}

func trimLineEnd(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// appendLineEnd appends the rest of a line inside a quoted cell, CRLF as LF.
func appendLineEnd(dst, b []byte) []byte {
	t := trimLineEnd(b)
	dst = append(dst, t...)
	if len(t) < len(b) {
		dst = append(dst, '\n')
	}
	return dst
}

// normName is a header cell as matched: trimmed, inner white space collapsed, lower case.
func normName(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// csvHead is what the detector and the readers learn from a file's first lines.
type csvHead struct {
	delim    byte
	typeLine string // PowerShell's "#TYPE ..." line, when present
	sepLine  bool   // Excel's "sep=;" line was present
	header   []string
	norm     []string
	index    map[string]int // normalized name -> first column
}

func (h *csvHead) has(names ...string) bool {
	for _, n := range names {
		if _, ok := h.index[n]; ok {
			return true
		}
	}
	return false
}

// sniffCSV reads the header of CSV text, or returns nil when the text does not look like a
// CSV file (JSON, a single column, binary).
func sniffCSV(text []byte) *csvHead {
	b := bytes.TrimPrefix(text, []byte("\ufeff"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] == '{' || b[0] == '[' || bytes.IndexByte(b[:min(len(b), 4096)], 0) >= 0 {
		return nil
	}
	h := &csvHead{}
	for {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		l := string(bytes.TrimSpace(line))
		switch {
		case strings.HasPrefix(strings.ToUpper(l), "#TYPE"):
			h.typeLine = l
		case len(l) == 5 && strings.HasPrefix(strings.ToLower(l), "sep=") && !h.sepLine && l[4] != '"':
			h.delim, h.sepLine = l[4], true
		default:
			goto header
		}
		b = bytes.TrimLeft(rest, " \t\r\n")
	}
header:
	first, _, _ := bytes.Cut(b, []byte("\n"))
	if h.delim == 0 {
		h.delim = guessDelim(first)
		if h.delim == 0 {
			return nil
		}
	}
	s := newCSVScanner(bufio.NewReader(bytes.NewReader(b)), h.delim)
	if !s.next() || s.bad != "" || len(s.cells) < 2 || len(s.cells) > 5000 {
		return nil
	}
	cells := s.cells
	for len(cells) > 2 && strings.TrimSpace(cells[len(cells)-1]) == "" { // a trailing delimiter
		cells = cells[:len(cells)-1]
	}
	h.header = append([]string(nil), cells...)
	h.norm = make([]string, len(h.header))
	h.index = make(map[string]int, len(h.header))
	for i, c := range h.header {
		n := normName(c)
		h.norm[i] = n
		if _, dup := h.index[n]; !dup {
			h.index[n] = i
		}
		// Log Analytics names carry a type suffix: "TimeGenerated [UTC]".
		if base, _, ok := splitBracket(c); ok {
			if _, dup := h.index[normName(base)]; !dup {
				h.index[normName(base)] = i
			}
		}
	}
	return h
}

// guessDelim picks the separator of a header line: the most frequent of comma, semicolon
// (Excel in locales with a decimal comma) and tab, outside quotes.
func guessDelim(line []byte) byte {
	var n [3]int
	in := false
	for _, c := range line {
		switch c {
		case '"':
			in = !in
		case ',':
			if !in {
				n[0]++
			}
		case ';':
			if !in {
				n[1]++
			}
		case '\t':
			if !in {
				n[2]++
			}
		}
	}
	best, d := 0, byte(0)
	for i, c := range []byte{',', ';', '\t'} {
		if n[i] > best {
			best, d = n[i], c
		}
	}
	return d
}

// splitBracket splits "TimeGenerated [UTC]" into its name and bracket text.
func splitBracket(s string) (name, bracket string, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, "]") {
		return s, "", false
	}
	i := strings.LastIndex(s, " [")
	if i <= 0 {
		return s, "", false
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+2 : len(s)-1]), true
}

// csvSignatures lists what each CSV format expects, for the error on an unknown header.
const csvSignatures = `an Entra admin center download (first column "Date (UTC)", with "Request ID"); ` +
	`an admin center authentication-details file (*_AuthDetails_*.csv, columns "Request ID" and "Authentication method"); ` +
	`a Log Analytics / Sentinel export (a "TimeGenerated [UTC]" column, or columns such as ResultType and Type); ` +
	`a PowerShell Export-Csv of Graph sign-ins (columns CreatedDateTime, UserPrincipalName, ..., optionally after a #TYPE line)`

func csvUnrecognizedHint(head []byte) string {
	h := sniffCSV(head)
	if h == nil {
		return ""
	}
	cols := h.header
	more := ""
	if len(cols) > 6 {
		cols, more = cols[:6], ", ..."
	}
	return fmt.Sprintf("the header (%s%s) matches no known CSV export; expected %s", clip(strings.Join(cols, ", "), 120), more, csvSignatures)
}

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
		t.c.Note("%s hold bytes that are not UTF-8 (the encoding was judged from the start of the file); they are kept with U+FFFD in their place", plural(t.badUTF, "row", "rows"))
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

// dateOrder decides, per file, whether locale dates are day-first. A date whose first
// field is above 12 settles it (and a dotted date is always day-first); until then rows
// are held back, up to a bound, after which month-first (US) is assumed.
type dateOrder struct {
	cols      []int  // date cells to inspect
	name      string // the date column named in notes
	decided   bool
	dayFirst  bool
	assumed   bool // month-first taken without evidence
	portal    bool // the format's own form is US text (Log Analytics), not an Excel re-save
	locale    bool // a non-ISO date was seen
	example   string
	byLine    int64
	bySample  string
	noSeconds int64
}

// hold inspects a row's date cells and reports whether it must wait for the decision.
func (d *dateOrder) hold(rw *csvRow) bool {
	if d.decided {
		return false
	}
	wait := false
	for _, i := range d.cols {
		v := strings.TrimSpace(rw.cells[i])
		if v == "" || (len(v) >= 10 && v[4] == '-' && v[7] == '-') || !numericDate(v) {
			continue
		}
		if !d.locale {
			d.locale, d.example = true, v
		}
		if df, amb := DateOrder([]string{v}); !amb {
			d.decided, d.dayFirst, d.byLine, d.bySample = true, df, rw.line, v
			return true // released at once, in order, with the held rows
		}
		wait = true
	}
	return wait
}

// numericDate reports text that starts like a date of numbers: 3/4/2025, 12.03.2025.
func numericDate(v string) bool {
	d, _, _ := strings.Cut(v, " ")
	d = strings.TrimSuffix(d, ",")
	parts := strings.FieldsFunc(d, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

// settle ends the wait: without evidence, month-first.
func (d *dateOrder) settle() {
	if !d.decided {
		d.decided, d.dayFirst, d.assumed = true, false, true
	}
}

func (d *dateOrder) orderName() string {
	if d.dayFirst {
		return "day-first (day/month/year)"
	}
	return "month-first (month/day/year)"
}

// parse reads a date cell in the file's order; reason says why it cannot.
func (d *dateOrder) parse(v string, loc *time.Location) (time.Time, string) {
	v = strings.TrimSpace(v)
	t, err := ParseTime(v, d.dayFirst)
	if err != nil {
		if _, err2 := ParseTime(v, !d.dayFirst); err2 == nil && d.decided {
			why := "no date settled the order, so US month-first was assumed"
			if !d.assumed {
				why = fmt.Sprintf("as %q on line %d shows", d.bySample, d.byLine)
			}
			return time.Time{}, fmt.Sprintf("date %q contradicts the order of this file's dates: they are %s, %s", v, d.orderName(), why)
		}
		return time.Time{}, err.Error()
	}
	if (len(v) < 10 || v[4] != '-') && strings.Count(v, ":") == 1 {
		d.noSeconds++
	}
	if loc != nil && loc != time.UTC && !hasZone(v) {
		// A zone-less text under a header naming another zone: that zone's wall clock.
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc).UTC()
	}
	return t, ""
}

// hasZone reports whether a time text names its zone or offset.
func hasZone(v string) bool {
	if len(v) >= 10 && v[4] == '-' && v[7] == '-' {
		if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
			return true
		}
		rest := v[10:]
		return strings.ContainsAny(rest, "+") || strings.LastIndexByte(rest, '-') > 0
	}
	fields := strings.Fields(v)
	for _, f := range fields[min(1, len(fields)):] {
		switch strings.ToUpper(f) {
		case "UTC", "GMT", "Z":
			return true
		}
		if f[0] == '+' || f[0] == '-' {
			return true
		}
	}
	return false
}

func (d *dateOrder) note(c *ReadContext) {
	if !d.locale {
		return
	}
	switch {
	case d.portal && d.assumed && strings.Contains(d.example, ", ") && (strings.HasSuffix(d.example, "M") || strings.HasSuffix(d.example, "m")):
		// The portal's own form ("9/19/2023, 1:45:17.287 PM") is month-first: no choice made.
	case d.portal && d.assumed:
		c.Note("times in %s are in the portal's US form (e.g. %q); no date has a day above 12, so month/day/year is taken, as the portal writes it", d.name, d.example)
	case d.portal && d.dayFirst:
		c.Note("times in %s are day-first, not the portal's US form: %q on line %d has a day above 12", d.name, d.bySample, d.byLine)
	case d.portal:
	case d.assumed:
		c.Note("dates in %s are locale text such as %q, not ISO 8601 (the file was probably re-saved by Excel or written by Export-Csv); no date has a day above 12, so the day/month order cannot be proven: read as month-first (US), e.g. 3/4/2025 is 4 March", d.name, d.example)
	default:
		c.Note("dates in %s are locale text such as %q, not ISO 8601 (the file was probably re-saved by Excel or written by Export-Csv): read as %s, as %q on line %d shows", d.name, d.example, d.orderName(), d.bySample, d.byLine)
	}
	if d.noSeconds > 0 {
		c.Note("%s in %s have no seconds (minute precision only, as Excel shows them)", plural(d.noSeconds, "date", "dates"), d.name)
	}
}

// plural renders a count with its noun.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Schema fields, for Format.Unavailable and Info.Unavailable: every column of signins a
// loader fills (status is derived, log_type always set), plus the child tables. Read-only.
var schemaFields = func() []string {
	f := append([]string{}, StrColumns[:]...)
	f = append(f, "created_at", "ingested_at", "autonomous_system_number", "latitude", "longitude", "error_code",
		"device_compliant", "device_managed", "risk_event_types", "is_interactive", "flagged_for_review",
		"processing_time_ms", "ca_policies", "auth_steps")
	return f
}()

// strField is the schema name of a text column.
func strField(s Str) string { return StrColumns[s] }

// missingFields lists the schema fields not in have, sorted.
func missingFields(have map[string]bool) []string {
	var out []string
	for _, f := range schemaFields {
		if !have[f] {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// graphFields names the schema fields that each Graph / Log Analytics field fills (lower
// case names, as topFields in fields.go). A test checks that both tables have the same keys.
// Read-only.
var graphFields = map[string][]string{
	"id": {"id"}, "correlationid": {"correlation_id"}, "originalrequestid": {"original_request_id"},
	"sessionid": {"session_id"}, "uniquetokenidentifier": {"unique_token_id"}, "userid": {"user_id"},
	"userprincipalname": {"user_principal_name"}, "userdisplayname": {"user_display_name"},
	"identity": {"user_display_name"}, "usertype": {"user_type"}, "signinidentifier": {"sign_in_identifier"},
	"appid": {"app_id"}, "appdisplayname": {"app_display_name"}, "appownertenantid": {"app_owner_tenant_id"},
	"resourcedisplayname": {"resource_display_name"}, "resourceidentity": {"resource_id"},
	"resourcetenantid": {"resource_tenant_id"}, "resourceownertenantid": {"resource_owner_tenant_id"},
	"resourceserviceprincipalid": {"resource_service_principal_id"}, "serviceprincipalid": {"service_principal_id"},
	"serviceprincipalname": {"service_principal_name"}, "serviceprincipalcredentialkeyid": {"sp_credential_key_id"},
	"serviceprincipalcredentialthumbprint": {"sp_credential_thumbprint"}, "clientcredentialtype": {"client_credential_type"},
	"federatedcredentialid": {"federated_credential_id"}, "ipaddress": {"ip_address"},
	"ipaddressfromresourceprovider": {"ip_address_from_resource_provider"}, "clientappused": {"client_app_used"},
	"useragent": {"user_agent"}, "authenticationrequirement": {"authentication_requirement"},
	"authenticationprotocol": {"authentication_protocol"}, "tokenissuertype": {"token_issuer_type"},
	"tokenissuername": {"token_issuer_name"}, "conditionalaccessstatus": {"conditional_access_status"},
	"risklevelduringsignin": {"risk_level_during_signin"}, "risklevelaggregated": {"risk_level_aggregated"},
	"riskstate": {"risk_state"}, "riskdetail": {"risk_detail"}, "crosstenantaccesstype": {"cross_tenant_access_type"},
	"hometenantid": {"home_tenant_id"}, "hometenantname": {"home_tenant_name"}, "aadtenantid": {"tenant_id"},
	"originaltransfermethod": {"original_transfer_method"}, "isinteractive": {"is_interactive"},
	"flaggedforreview": {"flagged_for_review"}, "incomingtokentype": {"incoming_token_type"},
	"createddatetime": {"created_at"}, "timegenerated": {"ingested_at"},
	"processingtimeinmilliseconds": {"processing_time_ms"}, "processingtimeinms": {"processing_time_ms"},
	"autonomoussystemnumber": {"autonomous_system_number"}, "signineventtypes": nil,
	"riskeventtypes": {"risk_event_types"}, "riskeventtypes_v2": {"risk_event_types"},
	"status":                           {"error_code", "failure_reason", "additional_details"},
	"resulttype":                       {"error_code"},
	"resultdescription":                {"failure_reason"},
	"devicedetail":                     {"device_id", "device_name", "operating_system", "browser", "device_trust_type", "device_compliant", "device_managed"},
	"location":                         {"city", "state", "country", "latitude", "longitude"}, // Log Analytics: country only
	"locationdetails":                  {"city", "state", "country", "latitude", "longitude"},
	"mfadetail":                        {"mfa_auth_method", "mfa_auth_detail"},
	"managedserviceidentity":           {"managed_identity_type", "msi_associated_resource_id"},
	"appliedconditionalaccesspolicies": {"ca_policies"}, "conditionalaccesspolicies": {"ca_policies"},
	"authenticationdetails": {"auth_steps"},
	"tenantid":              {"tenant_id"},   // Log Analytics: the workspace, none
	"resourceid":            {"resource_id"}, // Log Analytics: a path, none
}

// graphFieldsIn is graphFields with the Log Analytics meanings where they differ.
func graphFieldsIn(name string, mode Mode) []string {
	if mode == ModeLogAnalytics {
		switch name {
		case "location":
			return []string{"country"}
		case "tenantid", "resourceid":
			return nil
		}
	}
	return graphFields[name]
}

// setUnavailable records what this file cannot carry: the format's fixed list and the
// fields whose columns are absent from this file's header.
func setUnavailable(c *ReadContext, have map[string]bool) {
	seen := map[string]bool{}
	var out []string
	for _, f := range append(append([]string(nil), c.Info.Unavailable...), missingFields(have)...) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	c.Info.Unavailable = out
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
