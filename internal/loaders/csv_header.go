// The CSV header: sniffing a file's first lines for its separator and columns, and
// the hint for a header no format recognizes.

package loaders

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

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
