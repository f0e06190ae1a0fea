// Audit and provisioning events in the JSON shapes: Graph objects (lines, arrays, pages),
// diagnostic-settings records of category AuditLogs and ProvisioningLogs (properties inside
// the envelope), and Log Analytics rows of AuditLogs and AADProvisioningLogs.

package loaders

import (
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// siblingCategory names the sibling log of a diagnostic category or Log Analytics table
// (AuditLog or ProvisioningLog), or "" when it is neither.
func siblingCategory(c string) string {
	switch {
	case strings.EqualFold(c, "AuditLogs"):
		return AuditLog
	case strings.EqualFold(c, "ProvisioningLogs"), strings.EqualFold(c, "AADProvisioningLogs"):
		return ProvisioningLog
	}
	return ""
}

// audit normalizes and emits one audit event. With env nil, fields (a Graph object or a Log
// Analytics row) hold the event; otherwise fields is the diagnostic record's properties and
// env the envelope around it.
func (j *jsonReader) audit(fields, env *fastjson.Object, row *laRow, pos Problem) {
	a := &j.aud
	a.Reset()
	a.Index, a.Offset = pos.Index, pos.Offset
	if pos.Offset >= 0 {
		a.Line = pos.Line
	}
	j.eventFields(fields, env, row, func(k, lower string, v *fastjson.Value) { j.n.auditField(a, k, lower, v) },
		&a.IngestedAt, &a.BadField, &a.BadReason, &a.extra)
	if a.ActivityAt.IsZero() && !a.IngestedAt.IsZero() && a.BadField == "" {
		a.ActivityAt = a.IngestedAt // a Log Analytics row without ActivityDateTime (a union query)
		j.timeFallback++
	}
	if msg, field := finishAudit(a); msg != "" {
		pos.Field, pos.Reason = field, msg
		pos.Excerpt = excerptValue(firstObject(env, fields), row)
		j.c.Sink.Reject(pos)
		return
	}
	if err := j.c.Sink.Audit(a); err != nil {
		pos.Reason = err.Error()
		j.c.Sink.Reject(pos)
	}
}

// provisioning is audit for a provisioning event.
func (j *jsonReader) provisioning(fields, env *fastjson.Object, row *laRow, pos Problem) {
	p := &j.prov
	p.Reset()
	p.Index, p.Offset = pos.Index, pos.Offset
	if pos.Offset >= 0 {
		p.Line = pos.Line
	}
	j.eventFields(fields, env, row, func(k, lower string, v *fastjson.Value) { j.n.provField(p, k, lower, v) },
		&p.IngestedAt, &p.BadField, &p.BadReason, &p.extra)
	if p.ActivityAt.IsZero() && !p.IngestedAt.IsZero() && p.BadField == "" {
		p.ActivityAt = p.IngestedAt
		j.timeFallback++
	}
	if msg, field := finishProvisioning(p); msg != "" {
		pos.Field, pos.Reason = field, msg
		pos.Excerpt = excerptValue(firstObject(env, fields), row)
		j.c.Sink.Reject(pos)
		return
	}
	if err := j.c.Sink.Provisioning(p); err != nil {
		pos.Reason = err.Error()
		j.c.Sink.Reject(pos)
	}
}

// eventFields passes each field of one audit or provisioning event to field. With env nil,
// fields (a Graph object or a Log Analytics row) hold the event, except a Log Analytics row's
// Type (the table's name: the record's log says it); otherwise fields is the diagnostic
// record's properties and env the envelope around it, whose time is the write time and whose
// other keepable fields go to extra.
func (j *jsonReader) eventFields(fields, env *fastjson.Object, row *laRow, field func(k, lower string, v *fastjson.Value),
	ingested *time.Time, badField, badReason *string, extra *[]byte) {
	if env == nil {
		j.visit(fields, row, func(k, lower string, v *fastjson.Value) {
			if lower == "type" && siblingCategory(string(v.GetStringBytes())) != "" {
				return
			}
			field(k, lower, v)
		})
		return
	}
	j.visit(fields, nil, field)
	j.visit(env, row, func(k, lower string, v *fastjson.Value) {
		switch lower {
		case "properties", "category":
		case "time":
			j.n.eventTime(k, v, ingested, badField, badReason)
		default:
			if keepable(v) {
				j.n.scratch = v.MarshalTo(j.n.scratch[:0])
				*extra = appendEnvelopeExtra(*extra, k, j.n.scratch)
			}
		}
	})
}

func firstObject(a, b *fastjson.Object) *fastjson.Object {
	if a != nil {
		return a
	}
	return b
}

// appendEnvelopeExtra adds "envelope.<key>" and its JSON text to an extra object under
// construction, without building the prefixed key.
func appendEnvelopeExtra(b []byte, key string, raw []byte) []byte {
	if len(b) == 0 {
		b = append(b, '{')
	} else {
		b = append(b, ',')
	}
	b = append(b, `"envelope.`...)
	n := len(b)
	b = appendJSONString(b, key)
	b = append(b[:n], b[n+1:]...) // the key's literal without its opening quote
	return append(append(b, ':'), raw...)
}
