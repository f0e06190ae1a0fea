package loaders

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/words"
	"github.com/valyala/fastjson"
)

// Log Analytics / Microsoft Sentinel "Export to CSV" of the sign-in tables, "all columns"
// or "displayed columns" (any subset, any order). Headers carry a type suffix on datetime
// columns ("TimeGenerated [UTC]"); nested values are JSON text in cells. Every cell goes
// through the same Normalizer as the Log Analytics JSON rows, so both map alike.

var laCSVFormat = &Format{
	Name:        "la-csv",
	Title:       "Log Analytics / Microsoft Sentinel query result exported to CSV (SigninLogs and the AAD*SignInLogs tables)",
	Match:       matchLACSV,
	Read:        readLACSV,
	Unavailable: missingFields(laFieldsAny()),
}

func laFieldsAny() map[string]bool {
	have := map[string]bool{}
	for k := range graphFields {
		for _, f := range graphFieldsIn(k, ModeLogAnalytics) {
			have[f] = true
		}
	}
	return have
}

func matchLACSV(h *Head) (bool, string) {
	ch := sniffCSV(h.Bytes)
	if ch == nil {
		return false, ""
	}
	for _, c := range ch.header {
		if base, _, ok := splitBracket(c); ok {
			if _, known := topFields()[strings.ToLower(base)]; known {
				return true, fmt.Sprintf("header has %q (Log Analytics / Sentinel portal export)", strings.TrimSpace(c))
			}
		}
	}
	if ch.has("timegenerated") {
		return true, "a TimeGenerated column (Log Analytics query result)"
	}
	if ch.has("resulttype") && ch.has("type", "category", "operationname") {
		return true, "Log Analytics columns ResultType and Type/Category (Log Analytics query result)"
	}
	return false, ""
}

type laKind uint8

const (
	laExtra laKind = iota
	laField
	laCreated
	laGenerated
	laOtherTime
	laType
	laCategory
	laIdentity
	laDirect // a plain text column, assigned as is (the cell shares the row's one string)
	laDup
)

// laDirectColumns maps the Log Analytics columns whose Normalizer setter stores the text as it is
// to their column, so that the hot path skips building a JSON value per cell. A test checks
// that each one lands where topFields would put it. Read-only.
var laDirectColumns = map[string]Str{
	"id": ID, "correlationid": CorrelationID, "originalrequestid": OriginalRequestID, "sessionid": SessionID,
	"uniquetokenidentifier": UniqueTokenID, "userid": UserID, "userprincipalname": UserPrincipalName,
	"userdisplayname": UserDisplayName, "signinidentifier": SignInIdentifier, "appid": AppID, "appdisplayname": AppDisplayName,
	"appownertenantid": AppOwnerTenantID, "resourcedisplayname": ResourceDisplayName, "resourceidentity": ResourceID,
	"resourcetenantid": ResourceTenantID, "resourceownertenantid": ResourceOwnerTenantID,
	"resourceserviceprincipalid": ResourceServicePrincipalID, "serviceprincipalid": ServicePrincipalID,
	"serviceprincipalname": ServicePrincipalName, "serviceprincipalcredentialkeyid": SPCredentialKeyID,
	"serviceprincipalcredentialthumbprint": SPCredentialThumbprint, "clientcredentialtype": ClientCredentialType,
	"federatedcredentialid": FederatedCredentialID, "ipaddress": IPAddress, "ipaddressfromresourceprovider": IPAddressFromResourceProvider,
	"clientappused": ClientAppUsed, "useragent": UserAgent, "authenticationrequirement": AuthenticationRequirement,
	"authenticationprotocol": AuthenticationProtocol, "tokenissuertype": TokenIssuerType, "tokenissuername": TokenIssuerName,
	"conditionalaccessstatus": ConditionalAccessStatus, "risklevelduringsignin": RiskLevelDuringSignIn,
	"risklevelaggregated": RiskLevelAggregated, "riskstate": RiskState, "riskdetail": RiskDetail,
	"crosstenantaccesstype": CrossTenantAccessType, "hometenantid": HomeTenantID, "hometenantname": HomeTenantName,
	"aadtenantid": TenantID, "originaltransfermethod": OriginalTransferMethod,
}

type laCol struct {
	kind  laKind
	key   string // column name without the type suffix: the Normalizer's key
	lname string // key in lower case without spaces
	timed bool   // the header gives the column a time zone ("ActivityDateTime [UTC]")
	set   setter
	str   Str
	loc   *time.Location
	first int
}

type laReader struct {
	c        *ReadContext
	t        *csvTable
	plan     []laCol
	n        Normalizer
	p        fastjson.Parser
	a        fastjson.Arena
	rec      Record
	hint     string
	hintFrom string
	byHint   int64
	fallback int64
	// sibling is the log every row of the file belongs to when the header says (an AuditLogs
	// or AADProvisioningLogs export: ActivityDateTime without CreatedDateTime), else "".
	sibling string
	aud     AuditRecord
	prov    ProvisioningRecord
}

func readLACSV(c *ReadContext) error {
	h, s, err := openCSV(c)
	if err != nil {
		return err
	}
	l := &laReader{c: c}
	l.n.Mode = ModeLogAnalytics
	have := map[string]bool{}
	l.plan = make([]laCol, len(h.header))
	var dateCols []int
	for i, name := range h.header {
		base, bracket, bracketed := splitBracket(name)
		p := laCol{key: strings.TrimSpace(base)}
		if p.key == "" {
			p.key = fmt.Sprintf("column %d", i+1)
		}
		lname := strings.ToLower(strings.ReplaceAll(p.key, " ", ""))
		p.lname, p.timed = lname, bracketed
		if first := h.index[h.norm[i]]; first != i {
			p.kind, p.first, p.key = laDup, first, fmt.Sprintf("%s (column %d)", p.key, i+1)
			l.plan[i] = p
			continue
		}
		p.loc = time.UTC
		if bracketed {
			loc, err := resolveZone(bracket)
			if err != nil {
				if lname == "createddatetime" || lname == "timegenerated" {
					return &ParseError{File: c.Path, Line: s.start, Field: strings.TrimSpace(name), Reason: err.Error()}
				}
				p.loc = nil
				c.Note("%s: %v; its cells are kept as text", strings.TrimSpace(name), err)
			} else {
				p.loc = loc
				if loc != time.UTC {
					c.Note("times under %q are in %s, not UTC; converted to UTC", strings.TrimSpace(name), loc)
				}
			}
		}
		switch {
		case lname == "createddatetime":
			p.kind = laCreated
		case lname == "timegenerated":
			p.kind = laGenerated
		case lname == "type":
			p.kind = laType
		case lname == "category":
			p.kind = laCategory
		case lname == "identity":
			p.kind = laIdentity
		case laDirectColumns[lname] != 0 || lname == "id":
			p.kind, p.str = laDirect, laDirectColumns[lname]
		case topFields()[lname] != nil:
			p.kind, p.set = laField, topFields()[lname]
		case bracketed && p.loc != nil:
			p.kind = laOtherTime
		}
		switch p.kind {
		case laCreated, laGenerated:
			dateCols = append(dateCols, i)
		}
		for _, f := range graphFieldsIn(lname, ModeLogAnalytics) {
			have[f] = true
		}
		l.plan[i] = p
	}
	if len(dateCols) == 0 {
		return &ParseError{File: c.Path, Line: s.start, Reason: laNoTimeReason}
	}
	if !h.has("createddatetime") {
		// The service-principal and managed-identity tables have only TimeGenerated.
		have["created_at"] = true
	}
	l.sibling = laSiblingFromHeader(h)
	if l.sibling == "" {
		setUnavailable(c, have)
	} else {
		c.Info.Unavailable = nil // an audit or provisioning table: it holds no sign-in to lack fields
	}
	l.decideHint(h)
	l.t = &csvTable{c: c, s: s, head: h, row: l.row}
	l.t.dates.cols, l.t.dates.name, l.t.dates.portal = dateCols, "the datetime columns", true
	err = l.t.run()
	if l.byHint > 0 {
		c.Note("%s no Type or Category cell: the log type comes from %s", words.Plural(l.byHint, "row has", "rows have"), l.hintFrom)
	}
	if l.fallback > 0 {
		c.Note("%s no CreatedDateTime: the event time is TimeGenerated (the service-principal and managed-identity tables have only TimeGenerated)", words.Plural(l.fallback, "row has", "rows have"))
	}
	return err
}

// decideHint: the log type for rows without Type or Category.
func (l *laReader) decideHint(h *csvHead) {
	if lt := logTypeHint(l.c); lt != "" {
		l.hint, l.hintFrom = lt, "the file name ("+lt+")"
		return
	}
	switch {
	case h.has("processingtimeinms"):
		l.hint, l.hintFrom = NonInteractive, "the header (ProcessingTimeInMs is the non-interactive table's latency column)"
	case !h.has("userprincipalname", "userid", "userdisplayname") && h.has("serviceprincipalid", "serviceprincipalname"):
		l.hint, l.hintFrom = ServicePrinc, "the header (service principal columns without user columns; the managed-identity table has the same columns and is read as service principal)"
	default:
		l.hintFrom = "each row's fields (IsInteractive, user and service principal columns)"
	}
}

// resolveZone reads the zone named in a header bracket: UTC, an offset (UTC+01:00) or an
// IANA name (Europe/Berlin).
func resolveZone(s string) (*time.Location, error) {
	z := strings.TrimSpace(s)
	switch strings.ToUpper(z) {
	case "UTC", "GMT", "Z", "UTC+00:00", "UTC+0":
		return time.UTC, nil
	case "LOCAL", "LOCAL TIME", "LOCALTIME":
		return nil, fmt.Errorf("the times are in the browser's local time zone, which the file does not name; re-export with the portal's display time zone set to UTC")
	}
	for _, pre := range []string{"UTC", "GMT"} {
		if rest, ok := strings.CutPrefix(strings.ToUpper(z), pre); ok && rest != "" && (rest[0] == '+' || rest[0] == '-') {
			if off, ok := zoneOffset(rest); ok {
				return time.FixedZone(z, off), nil
			}
		}
	}
	if loc, err := time.LoadLocation(z); err == nil && z != "" && z != "Local" {
		return loc, nil
	}
	return nil, fmt.Errorf("time zone %q is not known (expected UTC, an offset such as UTC+01:00, or a zone name such as Europe/Berlin)", z)
}

func zoneOffset(s string) (int, bool) {
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	h, m, _ := strings.Cut(s[1:], ":")
	hh, err := strconv.Atoi(h)
	if err != nil || hh > 14 {
		return 0, false
	}
	mm := 0
	if m != "" {
		if mm, err = strconv.Atoi(m); err != nil || mm > 59 {
			return 0, false
		}
	}
	return sign * (hh*3600 + mm*60), true
}

func (l *laReader) row(rw *csvRow) {
	r := &l.rec
	r.Reset()
	rw.place(r)
	l.n.hasStatus = false
	l.a.Reset()
	var typ, cat, identity string
	for i, cell := range rw.cells {
		if cell == "" {
			continue
		}
		p := &l.plan[i]
		switch p.kind {
		case laCreated, laGenerated:
			t, why := l.t.dates.parse(cell, p.loc)
			if why != "" {
				l.c.Sink.Reject(rw.problem(strings.TrimSpace(l.t.head.header[i]), "cannot read the time: "+why))
				return
			}
			if p.kind == laCreated {
				r.CreatedAt = t
			} else {
				r.IngestedAt = t
			}
		case laOtherTime:
			if t, why := l.t.dates.parse(cell, p.loc); why == "" {
				r.AddExtraString(p.key, t.Format(time.RFC3339Nano))
			} else {
				r.AddExtraString(p.key, cell)
			}
		case laDirect:
			r.S[p.str] = cell
		case laField:
			p.set(&l.n, r, p.key, l.value(cell))
		case laType, laCategory:
			if p.kind == laType {
				typ = strings.TrimSpace(cell)
			} else {
				cat = strings.TrimSpace(cell)
			}
			r.AddExtraString(p.key, cell)
		case laIdentity:
			identity = cell
		case laDup:
			if cell != rw.cells[p.first] {
				r.AddExtraString(p.key, cell)
			}
		default:
			if t := strings.TrimSpace(cell); len(t) > 1 && (t[0] == '{' || t[0] == '[') && fastjson.Validate(t) == nil {
				r.extra = appendExtra(r.extra, p.key, t) // JSON text kept as JSON
			} else {
				r.AddExtraString(p.key, cell)
			}
		}
	}
	if identity != "" {
		// Identity is the user's name, but the service principal's in the service-principal
		// and managed-identity tables: only a user's fills user_display_name.
		user := r.S[UserID] != "" || r.S[UserPrincipalName] != "" || r.S[ServicePrincipalID] == ""
		if user && r.S[UserDisplayName] == "" {
			r.S[UserDisplayName] = identity
		} else if identity != r.S[UserDisplayName] {
			r.AddExtraString("Identity", identity)
		}
	}
	switch {
	case typ != "":
		lt, ok := laTable(typ)
		if !ok {
			l.otherRow(rw, typ)
			return
		}
		r.LogType = lt
	case cat != "" && l.sibling == "":
		lt, ok := diagnosticCategory(cat)
		if !ok {
			l.otherRow(rw, cat)
			return
		}
		r.LogType = lt
	case l.sibling != "":
		l.siblingRow(rw, l.sibling)
		return
	default:
		l.byHint++
	}
	if r.CreatedAt.IsZero() && !r.IngestedAt.IsZero() && r.BadField == "" {
		r.CreatedAt = r.IngestedAt
		l.fallback++
	}
	emit(l.c, r, l.hint, rw)
}

// value presents a cell to the Normalizer: JSON text as the parsed value (nested columns),
// anything else as a string.
func (l *laReader) value(cell string) *fastjson.Value {
	if v := l.jsonCell(cell); v != nil {
		return v
	}
	return l.a.NewString(cell)
}

// jsonCell parses a cell holding a JSON object or array, also when it is wrapped once more
// in a JSON string (string-typed columns of the non-interactive table); nil otherwise.
// The value is valid until the next call.
func (l *laReader) jsonCell(cell string) *fastjson.Value {
	s := strings.TrimSpace(cell)
	if len(s) < 2 {
		return nil
	}
	if s[0] == '"' && (s[1] == '{' || s[1] == '[') {
		v, err := l.p.Parse(s)
		if err != nil || v.Type() != fastjson.TypeString {
			return nil
		}
		s = string(v.GetStringBytes())
	}
	if s[0] != '{' && s[0] != '[' {
		return nil
	}
	v, err := l.p.Parse(s)
	if err != nil {
		return nil
	}
	return v
}

// laNoTimeReason refuses a Log Analytics export whose columns were narrowed to leave out
// both time columns: a sign-in without a time cannot be scoped or ordered.
const laNoTimeReason = "no time column: looked for CreatedDateTime (the event time, " +
	`"CreatedDateTime [UTC]" in a portal export) and TimeGenerated (the ingestion time; the only ` +
	"time of the service-principal and managed-identity tables), found neither, so the sign-ins " +
	"cannot be placed in time; re-export with CreatedDateTime and TimeGenerated among the columns " +
	"(keep them in the query's project list, or leave out the project)"
