// The JSON value scanner: splits JSON text into raw values without decoding them.

package loaders

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// maxValue bounds one JSON value held in memory (a record, or a whole top-level object
// such as a Graph page). Arrays at the top level are streamed element by element instead.
const maxValue = 256 << 20

// errTruncated marks a value cut off by the end of the file.
var errTruncated = errors.New("cut off by the end of the file")

// valueScanner splits a JSON text into values without decoding them: successive top-level
// values, and the elements of top-level arrays. It tracks line numbers and byte offsets so
// every record can be located, and never holds more than one value in memory.
type valueScanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte
	end  int   // end of valid bytes
	off  int64 // file offset of buf[0]
	line int64 // line number of buf[pos]
	err  error // sticky read error; io.EOF at the end
}

func newValueScanner(r io.Reader) *valueScanner {
	buf, ok := scanBufs.Get().(*[]byte)
	if !ok || len(*buf) == 0 {
		b := make([]byte, 1<<20)
		buf = &b
	}
	return &valueScanner{r: r, buf: *buf, line: 1}
}

// scanBufs recycles scanner buffers across files (a Graph page grows one to 4 MiB).
var scanBufs sync.Pool

// release hands the buffer back; the scanner must not be used afterwards.
func (s *valueScanner) release() {
	if b := s.buf; len(b) <= 16<<20 {
		scanBufs.Put(&b)
	}
	s.buf = nil
}

// stringRun is the number of leading bytes of b, inside a JSON string, that are neither a
// quote nor a backslash: they can be skipped without looking at them one by one.
func stringRun(b []byte) int {
	q := bytes.IndexByte(b, '"')
	if q < 0 {
		q = len(b)
	}
	if k := bytes.IndexByte(b[:q], '\\'); k >= 0 {
		return k
	}
	return q
}

// fill reads more input, keeping the bytes from keep on (moved to the front). It returns
// how far those bytes moved, and false when no more input can be had.
func (s *valueScanner) fill(keep int) (shift int, ok bool) {
	if s.err != nil {
		return 0, false
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.off += int64(keep)
		s.pos -= keep
		s.end = n
		shift = keep
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxValue {
			s.err = fmt.Errorf("a JSON value is larger than %d MiB", maxValue>>20)
			return shift, false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.err = err
			return shift, n > 0
		}
		if n > 0 {
			return shift, true
		}
	}
}

// peek skips white space (counting lines) and returns the next byte without consuming it.
func (s *valueScanner) peek() (byte, bool) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			switch c {
			case '\n':
				s.line++
			case ' ', '\t', '\r':
			default:
				return c, true
			}
			s.pos++
		}
		if _, ok := s.fill(s.pos); !ok {
			return 0, false
		}
	}
}

// offset is the file offset of the next unread byte.
func (s *valueScanner) offset() int64 { return s.off + int64(s.pos) }

// next returns the raw bytes of the value starting at the next non-space byte. The slice is
// valid until the following call. At the end of input it returns io.EOF.
func (s *valueScanner) next() ([]byte, error) {
	c, ok := s.peek()
	if !ok {
		if s.err != nil && s.err != io.EOF {
			return nil, s.err
		}
		return nil, io.EOF
	}
	start := s.pos
	i := s.pos
	depth := 0
	inStr, esc := false, false
	scalar := c != '{' && c != '[' && c != '"'
	for {
		for ; i < s.end; i++ {
			if inStr && !esc {
				// Jump over the plain bytes of a string (most of a JSON text) with fast scans.
				if k := stringRun(s.buf[i:s.end]); k > 0 {
					s.line += int64(bytes.Count(s.buf[i:i+k], []byte{'\n'}))
					if i += k; i == s.end {
						break
					}
				}
			}
			c := s.buf[i]
			if c == '\n' {
				s.line++
			}
			if scalar {
				switch c {
				case ',', ']', '}', ' ', '\t', '\r', '\n', '[', '{', '"':
					if i == start { // a stray separator: hand it over so it is reported, and move on
						s.pos = i + 1
						return s.buf[start : i+1], nil
					}
					s.pos = i
					if c == '\n' {
						s.line--
					}
					return s.buf[start:i], nil
				}
				continue
			}
			if inStr {
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
					if depth == 0 {
						s.pos = i + 1
						return s.buf[start : i+1], nil
					}
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.pos = i + 1
					return s.buf[start : i+1], nil
				}
			}
		}
		shift, ok := s.fill(start)
		start -= shift
		i -= shift
		if !ok {
			s.pos = s.end
			if scalar && s.err == io.EOF {
				return s.buf[start:s.end], nil
			}
			if s.err != nil && s.err != io.EOF {
				return nil, s.err
			}
			return s.buf[start:s.end], errTruncated
		}
	}
}

// consume skips one byte (a bracket or separator already seen with peek).
func (s *valueScanner) consume() { s.pos++ }
