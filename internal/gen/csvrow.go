package gen

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// row collects the cells of one CSV record in a single buffer, so that a record costs one
// string allocation instead of one per cell.
type row struct {
	buf  []byte
	ends []int
	rec  []string
}

func (r *row) reset() { r.buf, r.ends = r.buf[:0], r.ends[:0] }

// end marks the end of the current cell.
func (r *row) end() { r.ends = append(r.ends, len(r.buf)) }

func (r *row) str(s string) {
	r.buf = append(r.buf, s...)
	r.end()
}

func (r *row) int(v int) {
	r.buf = strconv.AppendInt(r.buf, int64(v), 10)
	r.end()
}

// bool writes True/False in the admin center's spelling.
func (r *row) bool(v bool) {
	if v {
		r.str("True")
	} else {
		r.str("False")
	}
}

// isoSeconds writes 2025-12-04T08:19:41Z, the admin center's Date (UTC).
func (r *row) isoSeconds(t time.Time) {
	r.buf = appendTime(r.buf, t, 0, "Z")
	r.end()
}

// laTime writes 9/19/2023, 1:45:17.287 PM, the Log Analytics portal's datetime cell
// (milliseconds truncated).
func (r *row) laTime(t time.Time) {
	r.buf = t.Truncate(time.Millisecond).AppendFormat(r.buf, "1/2/2006, 3:04:05.000 PM")
	r.end()
}

// flush writes the record through w.
func (r *row) flush(w *csv.Writer) error {
	s := string(r.buf)
	r.rec = r.rec[:0]
	start := 0
	for _, e := range r.ends {
		r.rec = append(r.rec, s[start:e])
		start = e
	}
	return w.Write(r.rec)
}

// appendCSV appends the record as encoding/csv's Writer (comma, LF line ends) would write
// it, without making a string per cell; TestCSVMatchesEncodingCSV holds it to that.
func (r *row) appendCSV(b []byte) []byte {
	start := 0
	for i, end := range r.ends {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, r.buf[start:end])
		start = end
	}
	return append(b, '\n')
}

func appendCSVField(b, field []byte) []byte {
	if !csvNeedsQuotes(field) {
		return append(b, field...)
	}
	b = append(b, '"')
	for {
		i := bytes.IndexByte(field, '"')
		if i < 0 {
			b = append(b, field...)
			break
		}
		b = append(b, field[:i+1]...)
		b = append(b, '"')
		field = field[i+1:]
	}
	return append(b, '"')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for a comma delimiter.
func csvNeedsQuotes(field []byte) bool {
	if len(field) == 0 {
		return false
	}
	if len(field) == 2 && field[0] == '\\' && field[1] == '.' {
		return true
	}
	if bytes.IndexByte(field, '"') >= 0 || bytes.IndexByte(field, ',') >= 0 ||
		bytes.IndexByte(field, '\n') >= 0 || bytes.IndexByte(field, '\r') >= 0 {
		return true
	}
	r1, _ := utf8.DecodeRune(field)
	return unicode.IsSpace(r1)
}
