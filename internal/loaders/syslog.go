package loaders

import (
	"bufio"
	"bytes"
	"io"
)

// Diagnostic-settings records forwarded through syslog arrive one JSON object per line
// behind the forwarder's prefix: a timestamp and a host ("2025-02-02T00:27:59+08:00
// HOSTNAME {...}"), or an RFC 5424 header ("<134>1 2025-02-02T00:27:59Z host app - - -
// {...}"). When the first line of a file has one, every line's prefix is removed before
// the format is detected, and the detection says so.

// maxSyslogPrefix bounds the prefix looked for at the start of a line.
const maxSyslogPrefix = 512

// syslogPrefixLen is the length of the syslog prefix before the JSON object on line, or 0
// when line does not start with one.
func syslogPrefixLen(line []byte) int {
	i := bytes.IndexByte(line, '{')
	if i < 3 || line[i-1] != ' ' {
		return 0
	}
	p := line[:i]
	if bytes.IndexByte(p, '"') >= 0 || bytes.IndexByte(p, '\n') >= 0 {
		return 0
	}
	switch {
	case p[0] == '<': // RFC 5424 or 3164: <PRI>...
		j := 1
		for j < len(p) && j <= 4 && isDigit(p[j]) {
			j++
		}
		if j == 1 || j >= len(p) || p[j] != '>' {
			return 0
		}
	case isRFC3339Start(p): // timestamp, host, and possibly a tag
		if bytes.Count(bytes.TrimSpace(p), []byte(" ")) < 1 {
			return 0
		}
	default:
		return 0
	}
	return i
}

// isRFC3339Start tells whether p starts with a date and time: 2025-02-02T00:27:59.
func isRFC3339Start(p []byte) bool {
	const shape = "dddd-dd-ddTdd:dd"
	if len(p) < len(shape) {
		return false
	}
	for i := 0; i < len(shape); i++ {
		switch shape[i] {
		case 'd':
			if !isDigit(p[i]) {
				return false
			}
		case 'T':
			if p[i] != 'T' && p[i] != ' ' {
				return false
			}
		default:
			if p[i] != shape[i] {
				return false
			}
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// firstLine returns the first line of head that is not blank.
func firstLine(head []byte) []byte {
	for len(head) > 0 {
		line, rest, _ := bytes.Cut(head, []byte("\n"))
		if len(bytes.TrimSpace(line)) > 0 {
			return line
		}
		head = rest
	}
	return nil
}

// prefixStripper passes text through, removing the syslog prefix of each line that has one.
type prefixStripper struct {
	br      *bufio.Reader
	pending []byte // the rest of the current chunk, in br's buffer
	mid     bool   // inside a line longer than br's buffer
	err     error
}

func (s *prefixStripper) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		if !s.mid {
			head, _ := s.br.Peek(maxSyslogPrefix)
			line, _, _ := bytes.Cut(head, []byte("\n"))
			if n := syslogPrefixLen(line); n > 0 {
				if _, err := s.br.Discard(n); err != nil {
					s.err = err
					continue
				}
			}
		}
		chunk, err := s.br.ReadSlice('\n')
		s.pending, s.mid = chunk, err == bufio.ErrBufferFull
		if err != nil && err != bufio.ErrBufferFull {
			s.err = err
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

var _ io.Reader = (*prefixStripper)(nil)
