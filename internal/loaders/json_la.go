// The Log Analytics query API shape (tables of columns and positional rows) and its
// table names.

package loaders

import (
	"fmt"
	"strings"

	"github.com/valyala/fastjson"
)

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
