// One JSON record object: classified (a sign-in, a record of another log to skip, or a
// problem), normalized and handed to the sink; excerpts for problem reports.

package loaders

import (
	"bytes"
	"strings"

	"github.com/valyala/fastjson"
)

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
	var hasCreated, hasActivity, hasTimeGenerated, hasActivityName, provKey bool
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
		case "activitydisplayname", "operationname":
			hasActivityName = true
		case "jobid", "provisioningaction", "provisioningstatusinfo", "cycleid", "changeid", "provisioningsteps":
			provKey = true
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
			switch siblingCategory(category) {
			case AuditLog:
				j.audit(props.GetObject(), o, row, pos)
			case ProvisioningLog:
				j.provisioning(props.GetObject(), o, row, pos)
			default:
				j.c.Sink.Skip(categoryLabel(category, "diagnostic record"))
			}
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
		if !ok && siblingCategory(laType) == ProvisioningLog {
			j.provisioning(o, nil, row, pos)
			return
		} else if !ok && siblingCategory(laType) == AuditLog {
			j.audit(o, nil, row, pos)
			return
		} else if !ok {
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
	case hasActivity && (provKey || strings.EqualFold(laType, "AADProvisioningLogs")):
		j.provisioning(o, nil, row, pos)
		return
	case hasActivity && hasActivityName:
		j.audit(o, nil, row, pos)
		return
	case hasActivity:
		if laType != "" {
			j.c.Sink.Skip(laType)
		} else {
			j.c.Sink.Skip("directoryAudit")
		}
		return
	case category != "":
		if _, ok := diagnosticCategory(category); !ok && siblingCategory(category) == "" {
			j.c.Sink.Skip(categoryLabel(category, "diagnostic record"))
			return
		}
		pos.Reason = "diagnostic record of category " + category + " has no properties object: it holds no event"
		pos.Excerpt = excerptValue(o, row)
		j.c.Sink.Reject(pos)
		return
	default:
		pos.Reason = "not a sign-in, audit or provisioning record: no createdDateTime or activityDateTime, no diagnostic category and properties, no Log Analytics TimeGenerated and Type"
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
