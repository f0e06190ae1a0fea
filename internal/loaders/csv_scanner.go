// The CSV scanner: an RFC 4180 record splitter that keeps physical line numbers and
// recovers from unbalanced quotes.

package loaders

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

const (
	// maxCSVRecord bounds the text of one record held in memory.
	maxCSVRecord = 16 << 20
	// maxCSVCellLines bounds the physical lines one quoted cell may span. Sign-in exports
	// rarely break lines inside a cell; a quote that never closes would otherwise swallow
	// the rest of the file.
	maxCSVCellLines = 200
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
