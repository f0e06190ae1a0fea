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
	case has("createddatetime") || has("signineventtypes") || has("activitydatetime"):
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
		c.Note("%d diagnostic records have no properties.createdDateTime; their event time is the record's write time (time)", j.timeFallback)
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

// laRow presents one positional Log Analytics row as named fields.
type laRow struct {
	cols []string
	vals []*fastjson.Value
}

// tables reads the Log Analytics query API shape: columns and positional rows.
func (j *jsonReader) tables(t *fastjson.Value, line int64) {
	for _, tbl := range t.GetArray() {
		var cols []string
		for _, c := range tbl.GetArray("columns") {
			cols = append(cols, string(c.GetStringBytes("name")))
		}
		for _, row := range tbl.GetArray("rows") {
			j.index++
			pos := Problem{Line: line, Index: j.index, Offset: -1}
			vals := row.GetArray()
			if len(vals) != len(cols) {
				pos.Reason = fmt.Sprintf("row has %d values for %d columns", len(vals), len(cols))
				pos.Excerpt = excerpt(row.MarshalTo(nil))
				j.c.Sink.Reject(pos)
				continue
			}
			j.object(nil, pos, &laRow{cols: cols, vals: vals})
		}
	}
}

// visit walks the fields of a record, whatever holds them, with each name as written and
// in lower case (from the normalizer's key cache, so without allocating).
func (j *jsonReader) visit(o *fastjson.Object, row *laRow, fn func(key, lower string, v *fastjson.Value)) {
	if o != nil {
		o.Visit(func(k []byte, v *fastjson.Value) {
			key, lower := j.n.keyOf(k)
			fn(key, lower, v)
		})
		return
	}
	for i, c := range row.cols {
		key, lower := j.n.keyOfString(c)
		fn(key, lower, row.vals[i])
	}
}

// object classifies one record and, when it is a sign-in, normalizes and emits it.
func (j *jsonReader) object(o *fastjson.Object, pos Problem, row *laRow) {
	// One pass for the keys that decide what the record is.
	var category, laType string
	var props *fastjson.Value
	var hasCreated, hasActivity, hasTimeGenerated bool
	j.visit(o, row, func(k, lower string, v *fastjson.Value) {
		switch lower {
		case "category":
			category = string(v.GetStringBytes())
		case "properties":
			props = v
		case "createddatetime":
			hasCreated = true
		case "activitydatetime":
			hasActivity = true
		case "timegenerated":
			hasTimeGenerated = true
		case "type":
			laType = string(v.GetStringBytes())
		}
	})
	r := &j.rec
	r.Reset()
	j.n.hasStatus = false // status.errorCode wins over resultType within one record only
	r.Index, r.Offset = pos.Index, pos.Offset
	if pos.Offset >= 0 { // the record's own line; inside an envelope only the index is exact
		r.Line = pos.Line
	}
	j.n.Mode = ModeGraph
	switch {
	case props != nil && props.Type() == fastjson.TypeObject:
		lt, ok := diagnosticCategory(category)
		if !ok {
			j.c.Sink.Skip(categoryLabel(category, "diagnostic record"))
			return
		}
		r.LogType, r.Category = lt, category
		j.n.Object(r, props.GetObject())
		j.envelope(r, o, row)
		if r.CreatedAt.IsZero() && !r.IngestedAt.IsZero() && r.BadField == "" {
			// Some pipelines drop createdDateTime; the write time is the best time left.
			r.CreatedAt = r.IngestedAt
			j.timeFallback++
		}
	case hasTimeGenerated && laType != "" && !hasActivity:
		lt, ok := laTable(laType)
		if !ok {
			j.c.Sink.Skip(categoryLabel(laType, "Log Analytics row"))
			return
		}
		r.LogType = lt
		j.n.Mode = ModeLogAnalytics
		j.visit(o, row, func(k, lower string, v *fastjson.Value) { j.n.field(r, k, lower, v) })
		if r.CreatedAt.IsZero() && !r.IngestedAt.IsZero() {
			r.CreatedAt = r.IngestedAt // the service principal and managed identity tables have only TimeGenerated
		}
		if (lt == ServicePrinc || lt == ManagedIdent) && r.S[UserID] == "" && r.S[UserPrincipalName] == "" {
			// Identity names the workload in those tables, not a user.
			if r.S[ServicePrincipalName] == "" {
				r.S[ServicePrincipalName] = r.S[UserDisplayName]
			}
			r.S[UserDisplayName] = ""
		}
	case hasCreated:
		j.visit(o, row, func(k, lower string, v *fastjson.Value) { j.n.field(r, k, lower, v) })
	case hasActivity:
		if laType != "" {
			j.c.Sink.Skip(laType)
		} else {
			j.c.Sink.Skip("directoryAudit")
		}
		return
	case category != "":
		if _, ok := diagnosticCategory(category); !ok {
			j.c.Sink.Skip(categoryLabel(category, "diagnostic record"))
			return
		}
		pos.Reason = "diagnostic record of category " + category + " has no properties object: it holds no sign-in"
		pos.Excerpt = excerptValue(o, row)
		j.c.Sink.Reject(pos)
		return
	default:
		pos.Reason = "not a sign-in record: no createdDateTime, no diagnostic category and properties, no Log Analytics TimeGenerated and Type"
		pos.Excerpt = excerptValue(o, row)
		j.c.Sink.Reject(pos)
		return
	}
	if msg, field := Finish(r, j.c.LogTypeHint); msg != "" {
		pos.Field, pos.Reason = field, msg
		pos.Excerpt = excerptValue(o, row)
		j.c.Sink.Reject(pos)
		return
	}
	if err := j.c.Sink.Record(r); err != nil {
		pos.Reason = err.Error()
		j.c.Sink.Reject(pos)
	}
}

// envelope maps the diagnostic envelope around properties: it fills gaps, and keeps the
// rest in extra under "envelope.".
func (j *jsonReader) envelope(r *Record, o *fastjson.Object, row *laRow) {
	j.visit(o, row, func(k, lower string, v *fastjson.Value) {
		switch lower {
		case "properties", "category":
		case "time":
			if t, err := ParseTime(j.n.text(k, v), false); err == nil {
				r.IngestedAt = t
			} else {
				r.AddExtra("envelope."+k, v.MarshalTo(nil))
			}
		case "tenantid":
			if s := j.n.text(k, v); s != "" && r.S[TenantID] == "" {
				r.S[TenantID] = s
			}
		case "resulttype":
			if !r.HasErrorCode {
				if i, ok := j.n.int(k, v); ok {
					r.ErrorCode, r.HasErrorCode = i, true
				}
			}
		case "resultdescription":
			if s := j.n.text(k, v); s != "" && r.S[FailureReason] == "" {
				r.S[FailureReason] = s
			}
		case "calleripaddress":
			if s := j.n.text(k, v); s != "" && r.S[IPAddress] == "" {
				r.S[IPAddress] = s
			}
		case "correlationid":
			if s := j.n.text(k, v); s != "" && r.S[CorrelationID] == "" {
				r.S[CorrelationID] = s
			}
		case "identity":
			if s := j.n.text(k, v); s != "" && r.S[UserDisplayName] == "" {
				r.S[UserDisplayName] = s
			}
		case "location":
			if s := j.n.text(k, v); s != "" && r.S[Country] == "" {
				r.S[Country] = s
			}
		default:
			if v.Type() != fastjson.TypeNull {
				r.AddExtra("envelope."+k, v.MarshalTo(nil))
			}
		}
	})
}

func excerptValue(o *fastjson.Object, row *laRow) string {
	if o != nil {
		var b []byte
		b = append(b, '{')
		n := 0
		o.Visit(func(k []byte, v *fastjson.Value) {
			if len(b) > 200 {
				return
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendJSONString(b, string(k))
			b = append(b, ':')
			b = v.MarshalTo(b)
		})
		return excerpt(append(b, '}'))
	}
	var b []byte
	for i, v := range row.vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.MarshalTo(b)
	}
	return excerpt(b)
}

// excerpt is the start of a record, for problem reports.
func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 160 {
		b = b[:160]
		for len(b) > 0 && !validUTF8Prefix(b) {
			b = b[:len(b)-1]
		}
		return strings.ToValidUTF8(string(b), "?") + "..."
	}
	return strings.ToValidUTF8(string(b), "?")
}

func categoryLabel(name, kind string) string {
	if name == "" {
		return kind + " without category"
	}
	return name
}

// diagnosticCategory maps a diagnostic-settings category to its log type.
func diagnosticCategory(c string) (string, bool) {
	switch strings.ToLower(c) {
	case "signinlogs":
		return Interactive, true
	case "noninteractiveusersigninlogs":
		return NonInteractive, true
	case "serviceprincipalsigninlogs", "microsoftserviceprincipalsigninlogs":
		return ServicePrinc, true
	case "managedidentitysigninlogs":
		return ManagedIdent, true
	}
	return "", false
}

// laTable maps a Log Analytics table name (the Type column) to its log type.
func laTable(t string) (string, bool) {
	switch strings.ToLower(t) {
	case "signinlogs":
		return Interactive, true
	case "aadnoninteractiveusersigninlogs":
		return NonInteractive, true
	case "aadserviceprincipalsigninlogs":
		return ServicePrinc, true
	case "aadmanagedidentitysigninlogs":
		return ManagedIdent, true
	}
	return "", false
}
