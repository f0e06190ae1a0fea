package loaders

import (
	"fmt"
	"sort"
	"strings"

	"github.com/valyala/fastjson"
)

// PowerShell's Export-Csv of Graph sign-in objects (Get-MgAuditLogSignIn | Export-Csv), or a
// flat report built from them: PascalCase Graph names, an optional "#TYPE ..." first line,
// dates in the exporting machine's culture, and nested objects written as their .NET type
// name unless the script expanded them ("Status.ErrorCode" or "ErrorCode" columns, or JSON).
// A best-effort format: what is there is loaded, what is a type name is reported missing.

var powershellCSVFormat = &Format{
	Name:        "powershell-csv",
	Title:       "PowerShell Export-Csv of Graph sign-ins (CreatedDateTime, UserPrincipalName, ...; optional #TYPE line)",
	Match:       matchPowerShellCSV,
	Read:        readPowerShellCSV,
	Unavailable: missingFields(psFieldsAny()),
}

func matchPowerShellCSV(h *Head) (bool, string) {
	ch := sniffCSV(h.Bytes)
	if ch == nil || !ch.has("createddatetime") {
		return false, ""
	}
	if ch.typeLine != "" {
		return true, fmt.Sprintf("a %q line and Graph property names such as CreatedDateTime (PowerShell Export-Csv)", clip(ch.typeLine, 60))
	}
	return true, "Graph property names such as CreatedDateTime in a CSV header (PowerShell Export-Csv, or a report built from Graph objects)"
}

// psFlat maps the flattened names a script gives expanded nested values to Graph's
// parent and child ("ErrorCode" is status.errorCode). Read-only.
var psFlat = map[string][2]string{
	"errorcode": {"status", "errorCode"}, "failurereason": {"status", "failureReason"},
	"additionaldetails": {"status", "additionalDetails"},
	"city":              {"location", "city"}, "state": {"location", "state"},
	"countryorregion": {"location", "countryOrRegion"}, "country": {"location", "countryOrRegion"},
	"browser": {"deviceDetail", "browser"}, "operatingsystem": {"deviceDetail", "operatingSystem"},
	"deviceid": {"deviceDetail", "deviceId"}, "devicename": {"deviceDetail", "displayName"},
	"iscompliant": {"deviceDetail", "isCompliant"}, "ismanaged": {"deviceDetail", "isManaged"},
	"trusttype":  {"deviceDetail", "trustType"},
	"authmethod": {"mfaDetail", "authMethod"}, "authdetail": {"mfaDetail", "authDetail"},
	"msitype": {"managedServiceIdentity", "msiType"}, "associatedresourceid": {"managedServiceIdentity", "associatedResourceId"},
}

// nestedFields names the schema field of a nested Graph value ("parent.child", lower case).
// Read-only.
var nestedFields = map[string]string{
	"status.errorcode": "error_code", "status.failurereason": "failure_reason", "status.additionaldetails": "additional_details",
	"location.city": "city", "location.state": "state", "location.countryorregion": "country",
	"devicedetail.deviceid": "device_id", "devicedetail.displayname": "device_name",
	"devicedetail.operatingsystem": "operating_system", "devicedetail.browser": "browser",
	"devicedetail.trusttype": "device_trust_type", "devicedetail.iscompliant": "device_compliant",
	"devicedetail.ismanaged": "device_managed", "mfadetail.authmethod": "mfa_auth_method",
	"mfadetail.authdetail": "mfa_auth_detail", "managedserviceidentity.msitype": "managed_identity_type",
	"managedserviceidentity.associatedresourceid": "msi_associated_resource_id",
}

func psFieldsAny() map[string]bool {
	have := map[string]bool{}
	for k := range graphFields {
		for _, f := range graphFieldsIn(k, ModeGraph) {
			have[f] = true
		}
	}
	return have
}

type psKind uint8

const (
	psExtra psKind = iota
	psField
	psNested
	psCreated
	psDup
)

type psCol struct {
	kind   psKind
	key    string // header as written: the Normalizer's key
	lname  string
	set    setter
	parent string // psNested
	child  string
	first  int
}

type psReader struct {
	c        *ReadContext
	t        *csvTable
	plan     []psCol
	n        Normalizer
	p        fastjson.Parser
	a        fastjson.Arena
	rec      Record
	hint     string
	nonEmpty []int64
	status   int // the Status column, -1 when none
}

func readPowerShellCSV(c *ReadContext) error {
	h, s, err := openCSV(c)
	if err != nil {
		return err
	}
	if h.typeLine != "" {
		c.Note("first line %q (Export-Csv without -NoTypeInformation); skipped", clip(h.typeLine, 80))
	}
	ps := &psReader{c: c, status: -1, nonEmpty: make([]int64, len(h.header))}
	ps.n.Mode = ModeGraph
	ps.plan = make([]psCol, len(h.header))
	var dateCols []int
	for i, name := range h.header {
		p := psCol{key: strings.TrimSpace(name)}
		if p.key == "" {
			p.key = fmt.Sprintf("column %d", i+1)
		}
		p.lname = strings.ToLower(strings.ReplaceAll(p.key, " ", ""))
		parent, child, dotted := strings.Cut(p.key, ".")
		switch {
		case h.index[h.norm[i]] != i:
			p.kind, p.first, p.key = psDup, h.index[h.norm[i]], fmt.Sprintf("%s (column %d)", p.key, i+1)
		case p.lname == "createddatetime":
			p.kind = psCreated
			dateCols = append(dateCols, i)
		case topFields()[p.lname] != nil:
			p.kind, p.set = psField, topFields()[p.lname]
			if p.lname == "status" {
				ps.status = i
			}
		case dotted && !strings.Contains(child, ".") && nestedFields[strings.ToLower(parent+"."+child)] != "":
			p.kind, p.parent, p.child = psNested, parent, child
			p.set = topFields()[strings.ToLower(parent)]
		case psFlat[p.lname] != [2]string{}:
			f := psFlat[p.lname]
			p.kind, p.parent, p.child = psNested, f[0], f[1]
			p.set = topFields()[strings.ToLower(f[0])]
		}
		ps.plan[i] = p
	}
	if len(dateCols) == 0 {
		return &ParseError{File: c.Path, Line: s.start, Reason: "no CreatedDateTime column: the sign-ins cannot be placed in time"}
	}
	ps.hint = logTypeHint(c)
	if ps.hint == "" && !h.has("signineventtypes") {
		c.Note("neither the file name nor a SignInEventTypes column names the log: each row's fields decide (IsInteractive, user and service principal columns)")
	}
	ps.t = &csvTable{c: c, s: s, head: h, row: ps.row}
	ps.t.dates.cols, ps.t.dates.name = dateCols, "CreatedDateTime"
	err = ps.t.run()
	ps.finish()
	return err
}

// finish reports the columns that held only .NET type names, and what the file carries.
func (ps *psReader) finish() {
	have := map[string]bool{}
	var typeOnly []string
	for i, p := range ps.plan {
		onlyTypes := ps.nonEmpty[i] > 0 && int64(ps.n.TypeNames[p.key]) >= ps.nonEmpty[i]
		if onlyTypes {
			typeOnly = append(typeOnly, p.key)
		}
		switch p.kind {
		case psCreated:
			have["created_at"] = true
		case psField:
			if !onlyTypes {
				for _, f := range graphFieldsIn(p.lname, ModeGraph) {
					have[f] = true
				}
			}
		case psNested:
			if f := nestedFields[strings.ToLower(p.parent+"."+p.child)]; f != "" && !onlyTypes {
				have[f] = true
			}
		}
	}
	setUnavailable(ps.c, have)
	if len(ps.n.TypeNames) > 0 {
		var names []string
		for k := range ps.n.TypeNames {
			names = append(names, k)
		}
		sort.Strings(names)
		ps.c.Note("columns holding only a .NET type name (Export-Csv does not expand nested objects), treated as missing: %s", strings.Join(names, ", "))
	}
	if ps.status >= 0 && len(typeOnly) > 0 && ps.n.TypeNames[ps.plan[ps.status].key] > 0 {
		ps.c.Note("Status holds only its type name, so the outcome of those sign-ins is unknown and they are rejected; export with Select-Object *, @{n='ErrorCode';e={$_.Status.ErrorCode}}, @{n='FailureReason';e={$_.Status.FailureReason}}, or use ConvertTo-Json -Depth 10")
	}
}

func (ps *psReader) row(rw *csvRow) {
	r := &ps.rec
	r.Reset()
	rw.place(r)
	ps.n.hasStatus = false
	ps.a.Reset()
	for i, cell := range rw.cells {
		if cell == "" {
			continue
		}
		ps.nonEmpty[i]++
		p := &ps.plan[i]
		switch p.kind {
		case psCreated:
			t, why := ps.t.dates.parse(cell, nil)
			if why != "" {
				ps.c.Sink.Reject(rw.problem(p.key, "cannot read the time: "+why))
				return
			}
			r.CreatedAt = t
		case psField:
			if psTypeName(cell) {
				ps.n.typeName(p.key)
				continue
			}
			p.set(&ps.n, r, p.key, ps.value(cell))
		case psNested:
			o := ps.a.NewObject()
			o.Set(p.child, ps.a.NewString(cell))
			p.set(&ps.n, r, p.key, o)
		case psDup:
			if cell != rw.cells[p.first] {
				r.AddExtraString(p.key, cell)
			}
		default:
			if psTypeName(cell) {
				ps.n.typeName(p.key)
				continue
			}
			r.AddExtraString(p.key, cell)
		}
	}
	if !r.HasErrorCode && ps.status >= 0 && psTypeName(rw.cells[ps.status]) {
		ps.c.Sink.Reject(rw.problem("Status", "Status holds only the .NET type name (Export-Csv did not expand it): the outcome of the sign-in is unknown"))
		return
	}
	emit(ps.c, r, ps.hint, rw)
}

// value presents a cell to the Normalizer: JSON text (a script that ran ConvertTo-Json on
// nested values) as the parsed value, anything else as a string.
func (ps *psReader) value(cell string) *fastjson.Value {
	s := strings.TrimSpace(cell)
	if len(s) > 1 && (s[0] == '{' || s[0] == '[') {
		if v, err := ps.p.Parse(s); err == nil {
			return v
		}
	}
	return ps.a.NewString(cell)
}

// psTypeName reports a .NET type name written in place of a value: the Normalizer's list
// plus any bare System.* name (System.String[] for SignInEventTypes).
func psTypeName(cell string) bool {
	s := strings.TrimSpace(cell)
	return isTypeName(s) || (strings.HasPrefix(s, "System.") && !strings.ContainsAny(s, " ,"))
}
