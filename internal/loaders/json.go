package loaders

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/valyala/fastjson"
)

// jsonFormat is one of the JSON-shaped formats (listed in formats.go). They share one
// reader: what differs is how records are wrapped (pages, arrays, lines, envelopes), and
// each record object is classified on its own.
func jsonFormat(name, title string) *Format {
	return &Format{Name: name, Title: title, Match: matchJSON(name), Read: readJSON}
}

// matchJSON recognises the JSON shapes by the first record's keys.
func matchJSON(name string) func(h *Head) (bool, string) {
	return func(h *Head) (bool, string) {
		got, why := classifyHead(h.Bytes)
		return got == name, why
	}
}

// classifyHead names the JSON shape of a file from its first bytes.
func classifyHead(head []byte) (string, string) {
	b := bytes.TrimLeft(head, " \t\r\n")
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return "", ""
	}
	first := b
	if b[0] == '[' {
		first = bytes.TrimLeft(b[1:], " \t\r\n")
		if len(first) > 0 && first[0] == '[' { // ConvertTo-Json of nested arrays
			first = bytes.TrimLeft(first[1:], " \t\r\n")
		}
	}
	keys := topKeys(first)
	has := func(k string) bool { return keys[k] }
	switch {
	case b[0] == '{' && has("value") && (has("@odata.context") || bytes.Contains(first, []byte(`"value"`))):
		return "graph-page", "a JSON object with a value[] array (Microsoft Graph response page)"
	case b[0] == '{' && has("records"):
		return "diagnostic-envelope", "a JSON object with a records[] array (Azure Monitor envelope)"
	case b[0] == '{' && has("tables"):
		return "la-rest-json", "a JSON object with tables[] of columns and rows (Log Analytics query API)"
	case has("category") && (has("properties") || has("time")):
		if b[0] == '[' {
			return "json-array", "a JSON array of diagnostic-settings records (category + properties)"
		}
		return "diagnostic-jsonl", "JSON objects with category and properties (diagnostic-settings records)"
	case has("timegenerated") && (has("type") || has("category")) && !has("properties"):
		return "la-json-rows", "JSON objects with TimeGenerated and Type columns (Log Analytics rows)"
	case has("activitydatetime") && !has("createddatetime"):
		if b[0] == '[' {
			return "json-array", "a JSON array of objects with activityDateTime (Graph directoryAudit or provisioning objects)"
		}
		return "graph-jsonl", "JSON objects with activityDateTime at the top level (Graph directoryAudit or provisioning objects)"
	case has("createddatetime") || has("signineventtypes"):
		if b[0] == '[' {
			return "json-array", "a JSON array of objects with createdDateTime (Graph-shaped sign-ins)"
		}
		return "graph-jsonl", "JSON objects with createdDateTime at the top level (Graph sign-in objects)"
	case b[0] == '[' && len(first) > 0 && (first[0] == '{' || first[0] == ']'):
		return "json-array", "a JSON array of objects"
	}
	return "", ""
}

// topKeys returns the lower-cased keys at depth 1 of the object starting at b, as far as b
// goes (the head may cut it off).
func topKeys(b []byte) map[string]bool {
	keys := map[string]bool{}
	if len(b) == 0 || b[0] != '{' {
		return keys
	}
	depth, inStr, esc, start := 0, false, false, -1
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
				if depth == 1 && start >= 0 {
					j := i + 1
					for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n') {
						j++
					}
					if j < len(b) && b[j] == ':' {
						keys[strings.ToLower(string(b[start:i]))] = true
					}
				}
				start = -1
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
			if depth == 1 {
				start = i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return keys
			}
		}
	}
	return keys
}

// jsonReader reads one JSON-shaped file.
type jsonReader struct {
	c     *ReadContext
	p     *fastjson.Parser // from parsers; returned when the file is read
	n     Normalizer
	rec   Record
	aud   AuditRecord
	prov  ProvisioningRecord
	index int64 // records seen, 1-based after increment
	// timeFallback counts diagnostic records without createdDateTime placed at their write time.
	timeFallback int64
	lineMode     bool
	worker       bool // one of the goroutines of a parallel read
}

func readJSON(c *ReadContext) error {
	j := &jsonReader{c: c, p: getParser()}
	defer parsers.Put(j.p)
	head, _ := c.R.Peek(headSize)
	j.lineMode = isJSONLines(head)
	var err error
	switch {
	case j.lineMode && c.opt.Workers > 1:
		err = j.readLinesParallel()
	case j.lineMode:
		err = j.readLines()
	default:
		err = j.readValues()
	}
	if j.timeFallback > 0 {
		c.Note("%d records have no event time (createdDateTime, activityDateTime); their event time is the record's write time (time, TimeGenerated)", j.timeFallback)
	}
	if len(j.n.TypeNames) > 0 {
		var names []string
		for k := range j.n.TypeNames {
			names = append(names, k)
		}
		sortStrings(names)
		c.Note("fields holding only a .NET type name (PowerShell output without -Depth), treated as missing: %s", strings.Join(names, ", "))
	}
	return err
}

// isJSONLines reports whether the text is one object per line: the first value is an object
// that ends on its first line.
func isJSONLines(head []byte) bool {
	b := bytes.TrimLeft(head, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	line, _, found := bytes.Cut(b, []byte("\n"))
	if !found && len(b) == len(head) {
		return false // one huge line: read as values
	}
	var p fastjson.Parser
	_, err := p.ParseBytes(bytes.TrimRight(line, "\r"))
	return err == nil
}

// parsers recycles fastjson parsers across files: a parser's value cache grows to the
// largest value parsed (a 1,000-record Graph page is ~200,000 values), and growing it anew
// for every page cost more than parsing the page.
var parsers sync.Pool

func getParser() *fastjson.Parser {
	if p, ok := parsers.Get().(*fastjson.Parser); ok {
		return p
	}
	return new(fastjson.Parser)
}

// readLines reads JSON lines: every line is parsed on its own, so a damaged line costs
// only itself.
func (j *jsonReader) readLines() error {
	r := j.c.R
	var line int64
	var off int64
	var long []byte
	for {
		b, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], b...)
			for err == bufio.ErrBufferFull {
				if len(long) > maxValue {
					break
				}
				b, err = r.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if len(b) > 0 {
			line++
			start := off
			off += int64(len(b))
			if len(b) > maxValue {
				j.index++
				j.c.Sink.Reject(Problem{Line: line, Index: j.index, Offset: start, Reason: fmt.Sprintf("line longer than %d MiB; the rest of the line is skipped", maxValue>>20), Excerpt: excerpt(b)})
				for err == bufio.ErrBufferFull {
					_, err = r.ReadSlice('\n')
				}
			} else if t := bytes.TrimSpace(b); len(t) > 0 {
				j.value(t, line, start, err == io.EOF && b[len(b)-1] != '\n')
			}
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// readValues reads successive JSON values, streaming through top-level arrays.
func (j *jsonReader) readValues() error {
	s := newValueScanner(j.c.R)
	defer s.release()
	for {
		c, ok := s.peek()
		if !ok {
			break
		}
		if c == '[' {
			read := j.array
			if j.c.opt.Workers > 1 {
				read = j.arrayParallel
			}
			if err := read(s); err != nil && err != errInputEnded {
				return err
			}
			continue
		}
		line, off := s.line, s.offset()
		raw, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, errTruncated) {
			return err
		}
		j.value(raw, line, off, errors.Is(err, errTruncated))
		if err != nil {
			break
		}
	}
	if s.err != nil && s.err != io.EOF {
		return s.err
	}
	return nil
}

// errInputEnded stops the arrays open around an element when the input ends inside them:
// the end is reported once, not once per array.
var errInputEnded = errors.New("the input ended inside an array")

// array streams the elements of a top-level array (nested arrays, as ConvertTo-Json of
// several pages writes, are streamed too).
func (j *jsonReader) array(s *valueScanner) error {
	s.consume() // '['
	for {
		c, ok := s.peek()
		if !ok {
			j.index++
			j.c.Sink.Reject(Problem{Line: s.line, Index: j.index, Offset: s.offset(), Reason: "the JSON array is cut off at the end of the file (no closing ']'); the records before it were read"})
			return errInputEnded
		}
		switch c {
		case ']':
			s.consume()
			return nil
		case ',':
			s.consume()
			continue
		case '[':
			if err := j.array(s); err != nil {
				return err
			}
			continue
		}
		line, off := s.line, s.offset()
		raw, err := s.next()
		if err != nil && !errors.Is(err, errTruncated) {
			if err == io.EOF {
				continue
			}
			return err
		}
		j.value(raw, line, off, errors.Is(err, errTruncated))
		if err != nil {
			return errInputEnded
		}
	}
}

// value handles one top-level value or array element: a record or an envelope of records.
func (j *jsonReader) value(raw []byte, line, off int64, truncated bool) {
	if !j.worker && !truncated && j.c.opt.Workers > 1 && len(raw) >= j.c.opt.BlockSize/4 && raw[0] == '{' && j.page(raw, line) {
		return
	}
	v, err := j.p.ParseBytes(raw)
	if err != nil && truncated {
		j.index++
		j.c.Sink.Reject(Problem{Line: line, Index: j.index, Offset: off, Reason: "the record is cut off by the end of the file (incomplete download?)", Excerpt: excerpt(raw)})
		return
	}
	if err != nil {
		j.index++
		j.c.Sink.Reject(Problem{Line: line, Index: j.index, Offset: off, Reason: "invalid JSON: " + err.Error(), Excerpt: excerpt(raw)})
		return
	}
	if v.Type() == fastjson.TypeObject {
		o := v.GetObject()
		for _, key := range []string{"value", "records"} {
			if arr := o.Get(key); arr != nil && arr.Type() == fastjson.TypeArray && o.Get("createdDateTime") == nil {
				for _, e := range arr.GetArray() {
					j.record(e, line, -1)
				}
				return
			}
		}
		if t := o.Get("tables"); t != nil && t.Type() == fastjson.TypeArray {
			j.tables(t, line)
			return
		}
	}
	j.record(v, line, off)
}

// record classifies and loads one record value.
func (j *jsonReader) record(v *fastjson.Value, line, off int64) {
	j.index++
	pos := Problem{Line: line, Index: j.index, Offset: off}
	o, err := v.Object()
	if err != nil {
		pos.Reason = "not a JSON object (" + v.Type().String() + "); expected a sign-in record"
		pos.Excerpt = excerpt(v.MarshalTo(nil))
		j.c.Sink.Reject(pos)
		return
	}
	j.object(o, pos, nil)
}
