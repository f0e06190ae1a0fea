// The Entra admin center's audit and provisioning "Download CSV". No public sample of
// either file exists, so the reader is driven by the header and tolerant: columns are
// matched by normalized name, several spellings per field (the documented Graph names, the
// older portal's Actor*/Target<n>*/AdditionalDetail<n>* columns, the current blade's column
// titles), and any other column is kept in extra under its header. What was assumed is
// listed in README.md ("Audit and provisioning logs").

package loaders

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

var adminAuditCSVFormat = &Format{
	Name:  "admin-audit-csv",
	Title: "Entra admin center audit or provisioning download, CSV (AuditLogs_*, ProvisioningLogs_*)",
	Match: matchAdminAuditCSV,
	Read:  readAdminAuditCSV,
}

// adminAuditDates are the header names of the event time.
func adminAuditDates() []string {
	return []string{"date (utc)", "date", "activity date (utc)", "activity date", "activitydatetime", "date and time (utc)"}
}

// adminAuditKind says which log an admin download's header is: AuditLog, ProvisioningLog
// or "".
func adminAuditKind(h *csvHead) string {
	if h == nil || !h.has(adminAuditDates()...) || h.has("request id", "createddatetime", "timegenerated") {
		return ""
	}
	if h.has("job id", "jobid", "change id", "changeid", "cycle id", "cycleid") ||
		(h.has("action", "provisioning action") && h.has("source system", "target system")) {
		return ProvisioningLog
	}
	if h.has("activity", "activity type", "activitydisplayname", "activity display name") &&
		h.has("category", "service", "loggedbyservice", "target(s)", "targets", "target1type", "target1displayname",
			"initiated by (actor)", "initiated by", "actortype", "actordisplayname") {
		return AuditLog
	}
	return ""
}

func matchAdminAuditCSV(h *Head) (bool, string) {
	switch adminAuditKind(sniffCSV(h.Bytes)) {
	case AuditLog:
		return true, "a date column with Activity and Category, Service, target or initiator columns (Entra admin center audit log download)"
	case ProvisioningLog:
		return true, "a date column with Job ID, Change ID or Cycle ID, or Action with source and target systems (Entra admin center provisioning log download)"
	}
	return false, ""
}

// admin audit column kinds beyond the plain text columns.
const (
	aaExtra = iota
	aaDate
	aaText     // a text column of the record (col)
	aaLower    // a text column written in lower case
	aaJSON     // a cell holding JSON, handed to the field table under key
	aaActor    // initiator type (User, App, ServicePrincipal)
	aaActorID  // the initiator's object id: a user's or a service principal's
	aaActorWho // "Initiated by (actor)": a UPN, or an app's name
	aaTarget   // Target<n><field>
	aaProp     // Target<n>ModifiedProperty<m><field>
	aaDetailK  // AdditionalDetail<n>Key
	aaDetailV  // AdditionalDetail<n>Value
	aaTargets  // "Target(s)": JSON, or one target's name
	aaDuration // duration in milliseconds
	aaDup
)

type aaCol struct {
	kind     int
	col      int    // AuditStr or ProvStr
	key      string // header as written, for extra and the field table
	n, m     int    // target and property (or detail) numbers, 1-based
	field    string // target or property field
	first    int    // the first column of a repeated header
	provJSON bool
}

var (
	targetCol = regexp.MustCompile(`^target\s*(\d+)\s*(modified\s*property\s*(\d+)\s*)?(.*)$`)
	detailCol = regexp.MustCompile(`^additional\s*detail\s*(\d+)\s*(key|value)$`)
)

// adminAuditColumn maps a normalized audit header name to its column.
func adminAuditColumn(n string) (aaCol, bool) {
	text := func(c AuditStr) (aaCol, bool) { return aaCol{kind: aaText, col: int(c)}, true }
	switch n {
	case "id", "activity id", "audit id":
		return text(AuditID)
	case "category":
		return text(AuditCategory)
	case "activity", "activity type", "activitydisplayname", "activity display name":
		return text(AuditActivity)
	case "operation type", "operationtype":
		return text(AuditOperationType)
	case "result", "status":
		return aaCol{kind: aaLower, col: int(AuditResult)}, true
	case "result reason", "resultreason", "status reason":
		return text(AuditResultReason)
	case "service", "loggedbyservice", "logged by service":
		return text(AuditLoggedByService)
	case "correlation id", "correlationid":
		return text(AuditCorrelationID)
	case "actortype", "actor type", "initiated by type":
		return aaCol{kind: aaActor}, true
	case "actorobjectid", "actor object id", "initiated by id":
		return aaCol{kind: aaActorID}, true
	case "actordisplayname", "actor display name":
		return text(AuditInitiatorDisplayName)
	case "actoruserprincipalname", "actor user principal name", "initiated by (upn)", "user principal name":
		return text(AuditInitiatorUPN)
	case "initiated by (actor)", "initiated by":
		return aaCol{kind: aaActorWho}, true
	case "ipaddress", "ip address", "actor ip address":
		return text(AuditInitiatorIP)
	case "actorappid", "actor app id", "app id":
		return text(AuditInitiatorAppID)
	case "actorserviceprincipalid", "actor service principal id":
		return text(AuditInitiatorSPID)
	case "actorserviceprincipalname", "actor service principal name":
		return text(AuditInitiatorSPName)
	case "target(s)", "targets":
		return aaCol{kind: aaTargets}, true
	case "initiatedby", "targetresources", "additional details", "additionaldetails":
		return aaCol{kind: aaJSON}, true
	}
	if m := targetCol.FindStringSubmatch(n); m != nil {
		t, _ := strconv.Atoi(m[1])
		f := strings.ReplaceAll(m[4], " ", "")
		if m[3] != "" {
			p, _ := strconv.Atoi(m[3])
			return aaCol{kind: aaProp, n: t, m: p, field: f}, t > 0 && p > 0
		}
		return aaCol{kind: aaTarget, n: t, field: f}, t > 0
	}
	if m := detailCol.FindStringSubmatch(n); m != nil {
		d, _ := strconv.Atoi(m[1])
		if m[2] == "key" {
			return aaCol{kind: aaDetailK, n: d}, d > 0
		}
		return aaCol{kind: aaDetailV, n: d}, d > 0
	}
	return aaCol{}, false
}

// adminProvColumn maps a normalized provisioning header name to its column.
func adminProvColumn(n string) (aaCol, bool) {
	text := func(c ProvStr) (aaCol, bool) { return aaCol{kind: aaText, col: int(c)}, true }
	switch n {
	case "id", "activity id":
		return text(ProvID)
	case "job id", "jobid":
		return text(ProvJobID)
	case "cycle id", "cycleid":
		return text(ProvCycleID)
	case "change id", "changeid":
		return text(ProvChangeID)
	case "action", "provisioning action", "provisioningaction":
		return aaCol{kind: aaText, col: int(ProvAction), field: "action"}, true
	case "status":
		return aaCol{kind: aaLower, col: int(ProvStatus)}, true
	case "error code", "errorcode":
		return text(ProvErrorCode)
	case "error category", "errorcategory":
		return text(ProvErrorCategory)
	case "reason", "status reason", "error reason", "error description", "failure reason":
		return text(ProvReason)
	case "source system", "source system name":
		return text(ProvSourceSystemName)
	case "source system id":
		return text(ProvSourceSystemID)
	case "target system", "target system name":
		return text(ProvTargetSystemName)
	case "target system id":
		return text(ProvTargetSystemID)
	case "source id", "source identity id", "source object id":
		return text(ProvSourceIdentityID)
	case "source identity", "source identity name", "source display name", "source name":
		return text(ProvSourceIdentityName)
	case "source identity type", "source type", "source object type":
		return text(ProvSourceIdentityType)
	case "target id", "target identity id", "target object id":
		return text(ProvTargetIdentityID)
	case "target identity", "target identity name", "target display name", "target name":
		return text(ProvTargetIdentityName)
	case "target identity type", "target type", "target object type":
		return text(ProvTargetIdentityType)
	case "service principal id", "application id", "serviceprincipalid":
		return text(ProvServicePrincipalID)
	case "service principal", "service principal name", "application", "application name":
		return text(ProvServicePrincipalName)
	case "initiator id", "initiated by id":
		return text(ProvInitiatorID)
	case "initiated by", "initiator", "initiated by name":
		return text(ProvInitiatorName)
	case "duration (ms)", "duration ms", "duration", "durationinmilliseconds", "duration in milliseconds":
		return aaCol{kind: aaDuration}, true
	case "provisioning steps", "provisioningsteps", "modified properties", "modifiedproperties", "status info",
		"provisioningstatusinfo", "sourceidentity", "targetidentity", "sourcesystem", "targetsystem", "serviceprincipal", "initiatedby":
		return aaCol{kind: aaJSON, provJSON: true}, true
	}
	return aaCol{}, false
}

type adminAuditReader struct {
	c    *ReadContext
	t    *csvTable
	kind string
	plan []aaCol
	n    Normalizer
	p    fastjson.Parser
	aud  AuditRecord
	prov ProvisioningRecord
	// per row: targets and details by number
	targets map[int]*AuditTarget
	details map[int][2]string
}

func readAdminAuditCSV(c *ReadContext) error {
	h, s, err := openCSV(c)
	if err != nil {
		return err
	}
	r := &adminAuditReader{c: c, kind: adminAuditKind(h)}
	r.plan = make([]aaCol, len(h.header))
	var dateCols []int
	for i, name := range h.header {
		n := h.norm[i]
		key := strings.TrimSpace(name)
		if key == "" {
			key = fmt.Sprintf("column %d", i+1)
		}
		var col aaCol
		var ok bool
		switch {
		case h.index[n] != i:
			col, ok = aaCol{kind: aaDup, first: h.index[n]}, true
			key = fmt.Sprintf("%s (column %d)", key, i+1)
		case len(dateCols) == 0 && slices.Contains(adminAuditDates(), n):
			col, ok = aaCol{kind: aaDate}, true
			dateCols = append(dateCols, i)
		case r.kind == AuditLog:
			col, ok = adminAuditColumn(n)
		default:
			col, ok = adminProvColumn(n)
		}
		if !ok {
			col = aaCol{kind: aaExtra}
		}
		col.key = key
		r.plan[i] = col
	}
	c.Note("the admin center's %s download has no public sample: columns were matched by name (see README), and %d of %d columns were kept in extra",
		r.kind, countKind(r.plan, aaExtra), len(r.plan))
	r.t = &csvTable{c: c, s: s, head: h, row: r.row}
	r.t.dates.cols, r.t.dates.name = dateCols, `"Date (UTC)"`
	err = r.t.run()
	if len(r.n.TypeNames) > 0 {
		names := make([]string, 0, len(r.n.TypeNames))
		for k := range r.n.TypeNames {
			names = append(names, k)
		}
		sortStrings(names)
		c.Note("columns holding only a .NET type name (PowerShell Export-Csv of nested objects), treated as missing: %s", strings.Join(names, ", "))
	}
	return err
}

func countKind(plan []aaCol, kind int) int {
	n := 0
	for _, c := range plan {
		if c.kind == kind {
			n++
		}
	}
	return n
}

func (r *adminAuditReader) row(rw *csvRow) {
	if r.kind == ProvisioningLog {
		r.provRow(rw)
		return
	}
	a := &r.aud
	a.Reset()
	a.Line, a.Index, a.Offset = rw.line, rw.index, rw.off
	clear(r.targets)
	clear(r.details)
	var actorType, actorID string
	for i, cell := range rw.cells {
		c := &r.plan[i]
		if cell == "" || (c.kind == aaDup && cell == rw.cells[c.first]) {
			continue
		}
		if isTypeName(cell) { // PowerShell Export-Csv of a nested object
			r.n.typeName(c.key)
			continue
		}
		switch c.kind {
		case aaDate:
			t, why := r.t.dates.parse(cell, nil)
			if why != "" {
				r.c.Sink.Reject(rw.problem(c.key, "cannot read the time: "+why))
				return
			}
			a.ActivityAt = t
		case aaText:
			a.S[c.col] = cell
		case aaLower:
			a.S[c.col] = strings.ToLower(cell)
		case aaActor:
			actorType = cell
		case aaActorID:
			actorID = cell
		case aaActorWho:
			if strings.Contains(cell, "@") {
				a.S[AuditInitiatorUPN] = cell
			} else {
				a.S[AuditInitiatorDisplayName] = cell
			}
		case aaTarget:
			r.target(c.n).set(c.field, cell, c.key)
		case aaProp:
			t := r.target(c.n)
			for len(t.Props) < c.m {
				t.Props = append(t.Props, ModifiedProperty{})
			}
			switch c.field {
			case "name", "displayname":
				t.Props[c.m-1].Name = cell
			case "oldvalue":
				t.Props[c.m-1].Old = cell
			case "newvalue":
				t.Props[c.m-1].New = cell
			}
		case aaDetailK, aaDetailV:
			if r.details == nil {
				r.details = map[int][2]string{}
			}
			d := r.details[c.n]
			d[c.kind-aaDetailK] = cell
			r.details[c.n] = d
		case aaTargets, aaJSON:
			if v := r.jsonCell(cell); v != nil {
				key := c.key
				if c.kind == aaTargets {
					key = "targetResources"
				}
				r.n.AuditField(a, strings.ReplaceAll(key, " ", ""), v)
			} else if c.kind == aaTargets {
				t := r.target(1)
				if strings.Contains(cell, "@") {
					t.UPN = cell
				} else {
					t.DisplayName = cell
				}
			} else {
				a.AddExtra(c.key, appendJSONString(nil, cell))
			}
		default:
			a.AddExtra(c.key, appendJSONString(nil, cell))
		}
	}
	r.actor(a, actorType, actorID)
	r.finishTargets(a)
	if msg, field := finishAudit(a); msg != "" {
		r.c.Sink.Reject(rw.problem(field, msg))
	} else if err := r.c.Sink.Audit(a); err != nil {
		r.c.Sink.Reject(rw.problem("", err.Error()))
	}
}

// actor sets the initiator's kind and object id from ActorType and ActorObjectId.
func (r *adminAuditReader) actor(a *AuditRecord, typ, id string) {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "user":
		a.S[AuditInitiatedByType] = "user"
		if id != "" {
			a.S[AuditInitiatorUserID] = id
		}
		return
	case "app", "application", "serviceprincipal", "service principal":
		a.S[AuditInitiatedByType] = "app"
		if id != "" && a.S[AuditInitiatorSPID] == "" {
			a.S[AuditInitiatorSPID] = id
		}
		return
	}
	if typ != "" {
		a.AddExtra("ActorType", appendJSONString(nil, typ))
	}
	switch {
	case a.S[AuditInitiatorUserID] != "" || a.S[AuditInitiatorUPN] != "" || (id != "" && a.S[AuditInitiatorAppID] == ""):
		a.S[AuditInitiatedByType] = "user"
		if id != "" {
			a.S[AuditInitiatorUserID] = id
		}
	case a.S[AuditInitiatorAppID] != "" || a.S[AuditInitiatorSPID] != "" || a.S[AuditInitiatorSPName] != "":
		a.S[AuditInitiatedByType] = "app"
	}
}

func (r *adminAuditReader) target(n int) *AuditTarget {
	if r.targets == nil {
		r.targets = map[int]*AuditTarget{}
	}
	t := r.targets[n]
	if t == nil {
		t = &AuditTarget{}
		r.targets[n] = t
	}
	return t
}

func (t *AuditTarget) set(field, cell, key string) {
	switch field {
	case "type":
		t.Type = cell
	case "displayname", "name":
		t.DisplayName = cell
	case "objectid", "id":
		t.ID = cell
	case "userprincipalname", "upn":
		t.UPN = cell
	case "grouptype":
		t.GroupType = cell
	default:
		t.Extra = appendExtraString(t.Extra[:len(t.Extra):len(t.Extra)], key, cell)
	}
}

// finishTargets appends the numbered targets and additional details in number order.
func (r *adminAuditReader) finishTargets(a *AuditRecord) {
	for n := 1; len(r.targets) > 0 && n <= maxNumbered(r.targets); n++ {
		if t := r.targets[n]; t != nil {
			t.Extra = closeExtra(t.Extra)
			a.Targets = append(a.Targets, *t)
		}
	}
	if len(r.details) > 0 {
		var d detailsBuilder
		d.b = a.Details[:0]
		for n := 1; n <= maxNumbered(r.details); n++ {
			if kv, ok := r.details[n]; ok {
				d.addString(kv[0], kv[1], false)
			}
		}
		a.Details = d.close()
	}
}

func maxNumbered[V any](m map[int]V) int {
	hi := 0
	for k := range m {
		hi = max(hi, k)
	}
	return hi
}

// jsonCell parses a cell holding a JSON object or array; nil otherwise.
func (r *adminAuditReader) jsonCell(cell string) *fastjson.Value {
	s := strings.TrimSpace(cell)
	if len(s) < 2 || (s[0] != '{' && s[0] != '[') {
		return nil
	}
	v, err := r.p.Parse(s)
	if err != nil {
		return nil
	}
	return v
}

func (r *adminAuditReader) provRow(rw *csvRow) {
	p := &r.prov
	p.Reset()
	p.Line, p.Index, p.Offset = rw.line, rw.index, rw.off
	for i, cell := range rw.cells {
		c := &r.plan[i]
		if cell == "" || (c.kind == aaDup && cell == rw.cells[c.first]) {
			continue
		}
		if isTypeName(cell) { // PowerShell Export-Csv of a nested object
			r.n.typeName(c.key)
			continue
		}
		switch c.kind {
		case aaDate:
			t, why := r.t.dates.parse(cell, nil)
			if why != "" {
				r.c.Sink.Reject(rw.problem(c.key, "cannot read the time: "+why))
				return
			}
			p.ActivityAt = t
		case aaText:
			if c.field == "action" {
				cell = lowerFirst(cell)
			}
			p.S[c.col] = cell
		case aaLower:
			p.S[c.col] = strings.ToLower(cell)
		case aaDuration:
			if d, err := strconv.ParseInt(strings.TrimSpace(cell), 10, 64); err == nil {
				p.DurationMs = Opt[int64]{V: d, Valid: true}
			} else {
				p.AddExtra(c.key, appendJSONString(nil, cell))
			}
		case aaJSON:
			if v := r.jsonCell(cell); v != nil {
				r.n.ProvisioningField(p, strings.ReplaceAll(c.key, " ", ""), v)
			} else {
				p.AddExtra(c.key, appendJSONString(nil, cell))
			}
		default:
			p.AddExtra(c.key, appendJSONString(nil, cell))
		}
	}
	if msg, field := finishProvisioning(p); msg != "" {
		r.c.Sink.Reject(rw.problem(field, msg))
	} else if err := r.c.Sink.Provisioning(p); err != nil {
		r.c.Sink.Reject(rw.problem("", err.Error()))
	}
}
