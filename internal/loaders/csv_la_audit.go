// Log Analytics portal CSV exports of the AuditLogs and AADProvisioningLogs tables (and
// their rows in a union with the sign-in tables): the cells go through the same field
// tables as the JSON rows, times read as the sign-in columns are.

package loaders

import (
	"time"

	"github.com/valyala/fastjson"
)

// laSiblingFromHeader names the log of an export whose header is that of the audit or
// provisioning table (ActivityDateTime without CreatedDateTime), or "".
func laSiblingFromHeader(h *csvHead) string {
	if !h.has("activitydatetime") || h.has("createddatetime") {
		return ""
	}
	if h.has("jobid", "provisioningaction", "provisioningstatusinfo", "cycleid", "changeid") {
		return ProvisioningLog
	}
	if h.has("activitydisplayname", "operationname", "targetresources", "initiatedby") {
		return AuditLog
	}
	return ""
}

// otherRow handles a row whose Type or Category names no sign-in table: an audit or
// provisioning row is loaded, any other is skipped with its name.
func (l *laReader) otherRow(rw *csvRow, name string) {
	switch s := siblingCategory(name); {
	case s != "":
		l.siblingRow(rw, s)
	case l.sibling != "":
		l.siblingRow(rw, l.sibling) // a query that overwrote Type (the row is still the table's)
	default:
		l.c.Sink.Skip(name)
	}
}

// siblingRow reads a row as an audit or provisioning event.
func (l *laReader) siblingRow(rw *csvRow, kind string) {
	l.a.Reset()
	a, p := &l.aud, &l.prov
	if kind == AuditLog {
		a.Reset()
		a.Line, a.Index, a.Offset = rw.line, rw.index, rw.off
	} else {
		p.Reset()
		p.Line, p.Index, p.Offset = rw.line, rw.index, rw.off
	}
	for i, cell := range rw.cells {
		if cell == "" {
			continue
		}
		c := &l.plan[i]
		if c.kind == laDup || (c.lname == "type" && siblingCategory(cell) != "") {
			continue
		}
		var v *fastjson.Value
		if c.timed && c.loc != nil {
			t, why := l.t.dates.parse(cell, c.loc)
			if why != "" {
				l.c.Sink.Reject(rw.problem(c.key, "cannot read the time: "+why))
				return
			}
			v = l.a.NewString(t.Format(time.RFC3339Nano))
		} else {
			v = l.value(cell)
		}
		if kind == AuditLog {
			l.n.auditField(a, c.key, c.lname, v)
		} else {
			l.n.provField(p, c.key, c.lname, v)
		}
	}
	if kind == AuditLog {
		if a.ActivityAt.IsZero() && !a.IngestedAt.IsZero() && a.BadField == "" {
			a.ActivityAt = a.IngestedAt
			l.fallback++
		}
		if msg, field := finishAudit(a); msg != "" {
			l.c.Sink.Reject(rw.problem(field, msg))
		} else if err := l.c.Sink.Audit(a); err != nil {
			l.c.Sink.Reject(rw.problem("", err.Error()))
		}
		return
	}
	if p.ActivityAt.IsZero() && !p.IngestedAt.IsZero() && p.BadField == "" {
		p.ActivityAt = p.IngestedAt
		l.fallback++
	}
	if msg, field := finishProvisioning(p); msg != "" {
		l.c.Sink.Reject(rw.problem(field, msg))
	} else if err := l.c.Sink.Provisioning(p); err != nil {
		l.c.Sink.Reject(rw.problem("", err.Error()))
	}
}
