package loaders

import (
	"fmt"
	"strconv"
	"strings"
)

// The Entra admin center's "Download" as CSV: one file per log (InteractiveSignIns_*,
// NonInteractiveSignIns_*, ApplicationSignIns_*, MSISignIns_*) and the authentication
// steps of the user logs in *_AuthDetails_* files, joined to sign-ins by Request ID.
// Columns are matched by normalized name, never by position: the header drifts.

var adminCSVFormat = &Format{
	Name:        "admin-csv",
	Title:       "Entra admin center download, CSV (InteractiveSignIns_*, NonInteractiveSignIns_*, ApplicationSignIns_*, MSISignIns_*)",
	Match:       matchAdminCSV,
	Read:        readAdminCSV,
	Unavailable: missingFields(adminFieldsAny()),
}

var adminAuthDetailsFormat = &Format{
	Name:  "admin-authdetails-csv",
	Title: "Entra admin center authentication details, CSV (*_AuthDetails_*.csv, joined to sign-ins by Request ID)",
	Match: matchAdminAuthDetails,
	Read:  readAdminAuthDetails,
}

func matchAdminCSV(h *Head) (bool, string) {
	ch := sniffCSV(h.Bytes)
	if ch == nil {
		return false, ""
	}
	if ch.norm[0] == "date (utc)" {
		return true, `first column is "Date (UTC)" (Entra admin center download)`
	}
	if ch.has("date (utc)") && ch.has("request id") {
		return true, `columns "Date (UTC)" and "Request ID" (Entra admin center download, columns reordered)`
	}
	return false, ""
}

func matchAdminAuthDetails(h *Head) (bool, string) {
	ch := sniffCSV(h.Bytes)
	if ch == nil || ch.has("sign-in error code") {
		return false, ""
	}
	if strings.Contains(strings.ToLower(h.Name), "_authdetails") {
		return true, "the file name has _AuthDetails_ (Entra admin center authentication-details download)"
	}
	if ch.has("request id") && ch.has("authentication method") && !ch.has("status", "ip address") {
		return true, `columns "Request ID" and "Authentication method" without sign-in columns (Entra admin center authentication-details download)`
	}
	return false, ""
}

type adminKind uint8

const (
	aExtra adminKind = iota // no column: kept in extra under the header name
	aStr
	aLower
	aEnum // display spelling to the Graph enum ("Not Applied" -> notApplied)
	aDate
	aLocation
	aStatus
	aErrorCode
	aCompliant
	aManaged
	aFlagged
	aASN
	aLatency
	aDup // a repeated header: the first occurrence wins
)

type adminCol struct {
	kind adminKind
	str  Str
}

// adminColumns maps normalized header names of every admin download to columns. The user
// header is the one given in the spec (55 columns, Oct 2024) plus the late-2025 additions;
// the service-principal header adds its own columns; the managed-identity and older
// spellings ("MFA result") are accepted as aliases. Read-only.
var adminColumns = map[string]adminCol{
	"date (utc)":                             {kind: aDate},
	"request id":                             {aStr, ID},
	"user agent":                             {aStr, UserAgent},
	"correlation id":                         {aStr, CorrelationID},
	"user id":                                {aStr, UserID},
	"user":                                   {aStr, UserDisplayName},
	"username":                               {aStr, UserPrincipalName},
	"user principal name":                    {aStr, UserPrincipalName},
	"user type":                              {aLower, UserType},
	"cross tenant access type":               {aEnum, CrossTenantAccessType},
	"incoming token type":                    {aEnum, IncomingTokenType},
	"authentication protocol":                {aEnum, AuthenticationProtocol},
	"unique token identifier":                {aStr, UniqueTokenID},
	"original transfer method":               {aEnum, OriginalTransferMethod},
	"client credential type":                 {aEnum, ClientCredentialType},
	"application":                            {aStr, AppDisplayName},
	"application id":                         {aStr, AppID},
	"app owner tenant id":                    {aStr, AppOwnerTenantID},
	"resource":                               {aStr, ResourceDisplayName},
	"resource id":                            {aStr, ResourceID},
	"resource tenant id":                     {aStr, ResourceTenantID},
	"resource owner tenant id":               {aStr, ResourceOwnerTenantID},
	"home tenant id":                         {aStr, HomeTenantID},
	"home tenant name":                       {aStr, HomeTenantName},
	"ip address":                             {aStr, IPAddress},
	"location":                               {kind: aLocation},
	"status":                                 {kind: aStatus},
	"sign-in error code":                     {kind: aErrorCode},
	"failure reason":                         {aStr, FailureReason},
	"client app":                             {aStr, ClientAppUsed},
	"device id":                              {aStr, DeviceID},
	"browser":                                {aStr, Browser},
	"operating system":                       {aStr, OperatingSystem},
	"compliant":                              {kind: aCompliant},
	"managed":                                {kind: aManaged},
	"join type":                              {aStr, DeviceTrustType},
	"multifactor authentication result":      {aStr, AdditionalDetails}, // status.additionalDetails ("MFA requirement satisfied by claim in the token")
	"mfa result":                             {aStr, AdditionalDetails},
	"multifactor authentication auth method": {aStr, MFAAuthMethod},
	"mfa auth method":                        {aStr, MFAAuthMethod},
	"multifactor authentication auth detail": {aStr, MFAAuthDetail},
	"mfa auth detail":                        {aStr, MFAAuthDetail},
	"authentication requirement":             {aEnum, AuthenticationRequirement},
	"sign-in identifier":                     {aStr, SignInIdentifier},
	"session id":                             {aStr, SessionID},
	"ip address (seen by resource)":          {aStr, IPAddressFromResourceProvider},
	"autonomous system number":               {kind: aASN},
	"flagged for review":                     {kind: aFlagged},
	"token issuer type":                      {aStr, TokenIssuerType},
	"token issuer name":                      {aStr, TokenIssuerName},
	"latency":                                {kind: aLatency},
	"conditional access":                     {aEnum, ConditionalAccessStatus},
	"managed identity type":                  {aEnum, ManagedIdentityType},
	"associated resource id":                 {aStr, MSIAssociatedResourceID},
	"service principal id":                   {aStr, ServicePrincipalID},
	"service principal name":                 {aStr, ServicePrincipalName},
	"managed identity id":                    {aStr, ServicePrincipalID},
	"managed identity name":                  {aStr, ServicePrincipalName},
	"credential key id":                      {aStr, SPCredentialKeyID},
	"credential thumbprint":                  {aStr, SPCredentialThumbprint},
	"federated credential id":                {aStr, FederatedCredentialID},
}

// fields names the schema fields a column fills.
func (a adminCol) fields() []string {
	switch a.kind {
	case aStr, aLower, aEnum:
		return []string{strField(a.str)}
	case aDate:
		return []string{"created_at"}
	case aLocation:
		return []string{"city", "state", "country"}
	case aErrorCode:
		return []string{"error_code"}
	case aCompliant:
		return []string{"device_compliant"}
	case aManaged:
		return []string{"device_managed"}
	case aFlagged:
		return []string{"flagged_for_review"}
	case aASN:
		return []string{"autonomous_system_number"}
	case aLatency:
		return []string{"processing_time_ms"}
	}
	return nil
}

// adminFieldsAny is what some admin download can carry.
func adminFieldsAny() map[string]bool {
	have := map[string]bool{}
	for _, c := range adminColumns {
		for _, f := range c.fields() {
			have[f] = true
		}
	}
	return have
}

type adminPlan struct {
	adminCol
	header string // as written, trimmed: the key in extra
	first  int    // aDup: the column that wins
}

type adminReader struct {
	c     *ReadContext
	t     *csvTable
	plan  []adminPlan
	rec   Record
	hint  string
	spMI  bool // no user columns and no log type from the name: decide per row
	miHdr bool // ... and the header has managed-identity columns
	cache map[string]string
}

func readAdminCSV(c *ReadContext) error {
	h, s, err := openCSV(c)
	if err != nil {
		return err
	}
	a := &adminReader{c: c, cache: map[string]string{}}
	have := map[string]bool{}
	a.plan = make([]adminPlan, len(h.header))
	var dateCols []int
	for i, name := range h.header {
		n := h.norm[i]
		p := adminPlan{header: strings.TrimSpace(name)}
		if p.header == "" {
			p.header = fmt.Sprintf("column %d", i+1)
		}
		if first := h.index[n]; first != i {
			p.kind, p.first = aDup, first
			if n != "" {
				p.header = fmt.Sprintf("%s (column %d)", p.header, i+1)
			}
		} else if col, ok := adminColumns[n]; ok {
			p.adminCol = col
			for _, f := range col.fields() {
				have[f] = true
			}
			if col.kind == aDate {
				dateCols = append(dateCols, i)
			}
		}
		a.plan[i] = p
	}
	if len(dateCols) == 0 {
		return &ParseError{File: c.Path, Line: s.start, Reason: `no "Date (UTC)" column: the sign-ins cannot be placed in time`}
	}
	setUnavailable(c, have)
	a.decideLogType(h)
	a.t = &csvTable{c: c, s: s, head: h, row: a.row}
	a.t.dates.cols, a.t.dates.name = dateCols, `"Date (UTC)"`
	return a.t.run()
}

// decideLogType: the file name says which log (interactive and non-interactive share one
// header); without it, the header, then each row's own fields.
func (a *adminReader) decideLogType(h *csvHead) {
	a.hint = logTypeHint(a.c)
	if a.hint != "" {
		return
	}
	user := h.has("user id", "username", "user")
	mi := h.has("managed identity type", "associated resource id", "managed identity id")
	switch {
	case user:
		a.hint = Interactive
		a.c.Note("the file name does not say which log this is, and interactive and non-interactive downloads share one header: read as interactive sign-ins (name the file InteractiveSignIns_* or NonInteractiveSignIns_* to choose)")
	case mi:
		a.spMI, a.miHdr = true, true
		a.c.Note("the file name does not say which log this is; the header has no user columns and has managed-identity columns: read as managed-identity sign-ins, except rows whose Managed Identity type is none (service principal)")
	case h.has("service principal id"):
		a.spMI = true
		a.c.Note("the file name does not say which log this is; the header has Service principal ID and no user columns: read as service-principal sign-ins")
	default:
		a.c.Note("the file name does not say which log this is and the header does not tell either: each row's fields decide (interactive when it has a user)")
	}
}

func (a *adminReader) row(rw *csvRow) {
	r := &a.rec
	r.Reset()
	rw.place(r)
	for i, cell := range rw.cells {
		if cell == "" {
			continue
		}
		p := &a.plan[i]
		switch p.kind {
		case aStr:
			r.S[p.str] = cell
		case aLower:
			r.S[p.str] = a.cached(cell, strings.ToLower)
		case aEnum:
			r.S[p.str] = a.cached(cell, displayEnum)
		case aDate:
			t, why := a.t.dates.parse(cell, nil)
			if why != "" {
				a.c.Sink.Reject(rw.problem(p.header, "cannot read the date: "+why))
				return
			}
			r.CreatedAt = t
		case aLocation:
			r.S[City], r.S[State], r.S[Country] = splitLocation(cell)
		case aStatus:
			r.StatusHint = a.cached(strings.TrimSpace(cell), strings.ToLower)
		case aErrorCode:
			code, err := strconv.ParseInt(strings.TrimSpace(cell), 10, 64)
			if err != nil {
				a.c.Sink.Reject(rw.problem(p.header, fmt.Sprintf("the error code %q is not a number", clip(cell, 40))))
				return
			}
			r.ErrorCode, r.HasErrorCode = code, true
		case aCompliant, aManaged, aFlagged:
			t, ok := csvBool(cell)
			if !ok {
				r.AddExtraString(p.header, cell)
				continue
			}
			switch p.kind {
			case aCompliant:
				r.Compliant = t
			case aManaged:
				r.Managed = t
			default:
				r.Flagged = t
			}
		case aASN, aLatency:
			v, ok := leadingInt(cell)
			if !ok {
				r.AddExtraString(p.header, cell)
				continue
			}
			if p.kind == aASN {
				r.ASN = Opt[int64]{V: v, Valid: true}
			} else {
				r.ProcessingMs = Opt[int64]{V: v, Valid: true}
			}
		case aDup:
			if cell != rw.cells[p.first] {
				r.AddExtraString(p.header, cell)
			}
		default:
			r.AddExtraString(p.header, cell)
		}
	}
	if !r.HasErrorCode && r.StatusHint == "success" {
		// No error code column, but the admin center says Success: that is code 0.
		r.ErrorCode, r.HasErrorCode = 0, true
	}
	if a.spMI {
		switch strings.ToLower(r.S[ManagedIdentityType]) {
		case "":
			r.LogType = ServicePrinc
			if a.miHdr {
				r.LogType = ManagedIdent
			}
		case "none":
			r.LogType = ServicePrinc
		default:
			r.LogType = ManagedIdent
		}
	}
	emit(a.c, r, a.hint, rw)
}

// cached applies f to low-cardinality cells (enums, user types) once per distinct value.
func (a *adminReader) cached(cell string, f func(string) string) string {
	if v, ok := a.cache[cell]; ok {
		return v
	}
	v := f(cell)
	if len(a.cache) < 4096 {
		a.cache[cell] = v
	}
	return v
}

// displayEnum turns the admin center's display spellings into Graph's enum spelling:
// "Not Applied" -> notApplied, "B2B collaboration" -> b2bCollaboration,
// "Single-factor authentication" -> singleFactorAuthentication. Enum spellings are kept.
func displayEnum(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "multifactor authentication", "multi-factor authentication", "multifactorauthentication":
		return "multiFactorAuthentication"
	case "single-factor authentication", "single factor authentication", "singlefactorauthentication":
		return "singleFactorAuthentication"
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' })
	if len(words) == 0 {
		return s
	}
	if len(words) == 1 {
		w := words[0]
		if strings.ToUpper(w) == w { // ROPC, NONE
			return strings.ToLower(w)
		}
		return strings.ToLower(w[:1]) + w[1:]
	}
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(strings.ToLower(w))
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + strings.ToLower(w[1:]))
	}
	return b.String()
}

// splitLocation splits "City, State, CC" from the right: city names may hold commas.
// Two parts are read as city and country.
func splitLocation(s string) (city, state, country string) {
	i := strings.LastIndexByte(s, ',')
	if i < 0 {
		return "", "", strings.TrimSpace(s)
	}
	country = strings.TrimSpace(s[i+1:])
	rest := s[:i]
	j := strings.LastIndexByte(rest, ',')
	if j < 0 {
		return strings.TrimSpace(rest), "", country
	}
	return strings.TrimSpace(rest[:j]), strings.TrimSpace(rest[j+1:]), country
}

// leadingInt reads an integer, allowing a unit after it ("120 ms").
func leadingInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || (end == 0 && s[end] == '-')) {
		end++
	}
	if end == 0 || (end < len(s) && s[end] != ' ') {
		return 0, false
	}
	v, err := strconv.ParseInt(s[:end], 10, 64)
	return v, err == nil
}

// Authentication-details columns (header unverified: names from the Graph fields and the
// portal's labels are all accepted).
const (
	adExtra = iota
	adRequest
	adTime
	adMethod
	adDetail
	adSucceeded
	adResult
	adRequirement
)

// authDetailColumns maps normalized header names of an auth-details download to its
// columns. Read-only.
var authDetailColumns = map[string]int{
	"request id": adRequest,
	"date (utc)": adTime, "date": adTime, "authentication step date": adTime, "authentication step date (utc)": adTime,
	"authentication step datetime": adTime, "authentication step date time": adTime, "authentication step date/time": adTime,
	"step date": adTime, "time": adTime,
	"authentication method": adMethod, "method": adMethod,
	"authentication method detail": adDetail, "method detail": adDetail,
	"succeeded": adSucceeded, "success": adSucceeded,
	"result detail": adResult, "result details": adResult, "authentication step result detail": adResult,
	"step result detail": adResult,
	"requirement":        adRequirement, "authentication step requirement": adRequirement, "step requirement": adRequirement,
}

func readAdminAuthDetails(c *ReadContext) error {
	h, s, err := openCSV(c)
	if err != nil {
		return err
	}
	kinds := make([]int, len(h.header))
	names := make([]string, len(h.header))
	var dateCols []int
	for i, name := range h.header {
		names[i] = strings.TrimSpace(name)
		if h.index[h.norm[i]] != i {
			kinds[i] = -1 // a repeated header: the first occurrence wins
			continue
		}
		kinds[i] = authDetailColumns[h.norm[i]]
		if kinds[i] == adTime {
			dateCols = append(dateCols, i)
		}
	}
	if !h.has("request id") {
		return &ParseError{File: c.Path, Line: s.start, Reason: fmt.Sprintf("no Request ID column: authentication steps cannot be joined to sign-ins (the header has %s)", clip(strings.Join(h.header, ", "), 160))}
	}
	lt := logTypeHint(c)
	if lt == "" {
		c.Note("the file name does not say which log these authentication steps belong to; they are joined to sign-ins of any log by Request ID")
	}
	t := &csvTable{c: c, s: s, head: h}
	t.dates.cols, t.dates.name = dateCols, "the step date column"
	t.row = func(rw *csvRow) {
		st := AuthStep{LogType: lt, Line: rw.line}
		var extra []byte
		for i, cell := range rw.cells {
			if cell == "" || kinds[i] < 0 {
				continue
			}
			switch kinds[i] {
			case adRequest:
				st.RequestID = strings.TrimSpace(cell)
			case adTime:
				tm, why := t.dates.parse(cell, nil)
				if why != "" {
					c.Sink.Reject(rw.problem(names[i], "cannot read the step date: "+why))
					return
				}
				st.Time = tm
			case adMethod:
				st.Method = cell
			case adDetail:
				st.MethodDetail = cell
			case adSucceeded:
				if v, ok := stepSucceeded(cell); ok {
					st.Succeeded = v
				} else {
					extra = appendExtraString(extra, names[i], cell)
				}
			case adResult:
				st.ResultDetail = cell
			case adRequirement:
				st.Requirement = cell
			default:
				extra = appendExtraString(extra, names[i], cell)
			}
		}
		if st.RequestID == "" {
			c.Sink.Reject(rw.problem("Request ID", "no Request ID: the step cannot be joined to a sign-in"))
			return
		}
		st.Extra = closeExtra(extra)
		if err := c.Sink.AuthStep(&st); err != nil {
			c.Sink.Reject(rw.problem("", err.Error()))
		}
	}
	return t.run()
}

func stepSucceeded(s string) (Tri, bool) {
	if t, ok := ParseBool(s); ok {
		return t, true
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "succeeded", "success":
		return True, true
	case "failed", "failure":
		return False, true
	}
	return Unknown, false
}

// csvBool is ParseBool with the spellings of exports first.
func csvBool(s string) (Tri, bool) {
	switch s {
	case "True", "true", "TRUE":
		return True, true
	case "False", "false", "FALSE":
		return False, true
	}
	return ParseBool(s)
}
