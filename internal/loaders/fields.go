package loaders

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fastjson"
)

// Mode says which naming conventions a sign-in object follows where they clash.
type Mode int

// Modes.
const (
	// ModeGraph: Graph, admin-center JSON, diagnostic `properties`, PowerShell objects.
	ModeGraph Mode = iota
	// ModeLogAnalytics: Log Analytics rows, where TenantId is the workspace, ResourceId a
	// path, Location the country and nested values may be JSON text.
	ModeLogAnalytics
)

// Normalizer maps the fields of one sign-in object onto a Record. It matches names
// case-insensitively, so Graph camelCase, PowerShell PascalCase, Log Analytics columns and
// SIEM lower-casing all land in the same columns. Not safe for concurrent use.
type Normalizer struct {
	Mode Mode
	// TypeNames counts fields that held a .NET type name instead of a value (PowerShell
	// output flattened without -Depth); they are treated as missing.
	TypeNames map[string]int
	nested    [4]fastjson.Parser
	depth     int
	keybuf    []byte
	hasStatus bool
	// keys maps a field name as written to itself and its lower-case form: the same few
	// dozen names repeat in every record, and converting them cost an allocation each.
	keys    map[string]keyNames
	scratch []byte // JSON text of a value on its way to extra
}

type keyNames struct {
	orig, lower string
	set         setter // topFields()[lower], looked up once per name
}

// maxKeys bounds the key cache (Log Analytics rows can carry many custom columns).
const maxKeys = 4096

// keyOf returns the name k as a string, and its lower-case form, without allocating for
// names seen before.
func (n *Normalizer) keyOf(k []byte) (orig, lower string) {
	if p, ok := n.keys[string(k)]; ok {
		return p.orig, p.lower
	}
	p := n.addKey(string(k))
	return p.orig, p.lower
}

// keyOfString is keyOf for a name held as a string.
func (n *Normalizer) keyOfString(k string) (orig, lower string) {
	if p, ok := n.keys[k]; ok {
		return p.orig, p.lower
	}
	p := n.addKey(k)
	return p.orig, p.lower
}

func (n *Normalizer) addKey(k string) keyNames {
	p := keyNames{orig: k, lower: n.lower(k)}
	p.set = topFields()[p.lower]
	if n.keys == nil {
		n.keys = map[string]keyNames{}
	}
	if len(n.keys) < maxKeys {
		n.keys[k] = p
	}
	return p
}

// addExtra puts v's JSON text into r's extra under key.
func (n *Normalizer) addExtra(r *Record, key string, v *fastjson.Value) {
	n.scratch = v.MarshalTo(n.scratch[:0])
	r.AddExtra(key, n.scratch)
}

type setter func(n *Normalizer, r *Record, key string, v *fastjson.Value)

func strSetter(col Str) setter {
	return func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
		if s := n.text(key, v); s != "" {
			r.S[col] = s
		}
	}
}

func lowerSetter(col Str) setter {
	return func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
		if s := n.text(key, v); s != "" {
			r.S[col] = strings.ToLower(s)
		}
	}
}

// fallbackSetter fills col only when no other field did.
func fallbackSetter(col Str) setter {
	return func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
		if r.S[col] == "" {
			r.S[col] = n.text(key, v)
		}
	}
}

func triSetter(get func(r *Record) *Tri) setter {
	return func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
		if t, ok := n.tri(key, v); ok {
			*get(r) = t
		}
	}
}

// topFields maps the lower-case names of Graph and Log Analytics fields to their setters.
// It is built on first use, not by a variable's initializer, because the setters reach it
// again through the normalizer's key cache (an initialization cycle), and it is read-only
// once built.
func topFields() map[string]setter {
	topFieldsOnce.Do(buildTopFields)
	return topFieldMap
}

var (
	topFieldsOnce sync.Once
	topFieldMap   map[string]setter
)

func buildTopFields() {
	topFieldMap = map[string]setter{
		"id":                                   strSetter(ID),
		"correlationid":                        strSetter(CorrelationID),
		"originalrequestid":                    strSetter(OriginalRequestID),
		"sessionid":                            strSetter(SessionID),
		"uniquetokenidentifier":                strSetter(UniqueTokenID),
		"userid":                               strSetter(UserID),
		"userprincipalname":                    strSetter(UserPrincipalName),
		"userdisplayname":                      strSetter(UserDisplayName),
		"identity":                             fallbackSetter(UserDisplayName),
		"usertype":                             lowerSetter(UserType),
		"signinidentifier":                     strSetter(SignInIdentifier),
		"appid":                                strSetter(AppID),
		"appdisplayname":                       strSetter(AppDisplayName),
		"appownertenantid":                     strSetter(AppOwnerTenantID),
		"resourcedisplayname":                  strSetter(ResourceDisplayName),
		"resourceidentity":                     strSetter(ResourceID),
		"resourcetenantid":                     strSetter(ResourceTenantID),
		"resourceownertenantid":                strSetter(ResourceOwnerTenantID),
		"resourceserviceprincipalid":           strSetter(ResourceServicePrincipalID),
		"serviceprincipalid":                   strSetter(ServicePrincipalID),
		"serviceprincipalname":                 strSetter(ServicePrincipalName),
		"serviceprincipalcredentialkeyid":      strSetter(SPCredentialKeyID),
		"serviceprincipalcredentialthumbprint": strSetter(SPCredentialThumbprint),
		"clientcredentialtype":                 strSetter(ClientCredentialType),
		"federatedcredentialid":                strSetter(FederatedCredentialID),
		"ipaddress":                            strSetter(IPAddress),
		"ipaddressfromresourceprovider":        strSetter(IPAddressFromResourceProvider),
		"clientappused":                        strSetter(ClientAppUsed),
		"useragent":                            strSetter(UserAgent),
		"authenticationrequirement":            strSetter(AuthenticationRequirement),
		"authenticationprotocol":               strSetter(AuthenticationProtocol),
		"tokenissuertype":                      strSetter(TokenIssuerType),
		"tokenissuername":                      strSetter(TokenIssuerName),
		"conditionalaccessstatus":              strSetter(ConditionalAccessStatus),
		"risklevelduringsignin":                strSetter(RiskLevelDuringSignIn),
		"risklevelaggregated":                  strSetter(RiskLevelAggregated),
		"riskstate":                            strSetter(RiskState),
		"riskdetail":                           strSetter(RiskDetail),
		"crosstenantaccesstype":                strSetter(CrossTenantAccessType),
		"hometenantid":                         strSetter(HomeTenantID),
		"hometenantname":                       strSetter(HomeTenantName),
		"aadtenantid":                          strSetter(TenantID),
		"originaltransfermethod":               strSetter(OriginalTransferMethod),
		"isinteractive":                        triSetter(func(r *Record) *Tri { return &r.Interactive }),
		"flaggedforreview":                     triSetter(func(r *Record) *Tri { return &r.Flagged }),
		"incomingtokentype": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			if s := n.text(key, v); s != "" {
				r.S[IncomingTokenType] = displayEnum(s)
			}
		},
		"createddatetime": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			n.time(r, key, v, &r.CreatedAt)
		},
		"timegenerated": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			n.time(r, key, v, &r.IngestedAt)
		},
		"processingtimeinmilliseconds": intSetter(func(r *Record) *Opt[int64] { return &r.ProcessingMs }),
		"processingtimeinms":           intSetter(func(r *Record) *Opt[int64] { return &r.ProcessingMs }),
		"autonomoussystemnumber":       intSetter(func(r *Record) *Opt[int64] { return &r.ASN }),
		"signineventtypes": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			r.EventTypes = n.strings(key, v)
		},
		"riskeventtypes": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			if !r.riskV2 {
				r.RiskEventTypes = n.strings(key, v)
			}
		},
		"riskeventtypes_v2": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			if l := n.strings(key, v); len(l) > 0 || r.RiskEventTypes == nil {
				r.RiskEventTypes, r.riskV2 = l, true
			}
		},
		"status":                           (*Normalizer).status,
		"resulttype":                       (*Normalizer).resultType,
		"resultdescription":                (*Normalizer).resultDescription,
		"devicedetail":                     (*Normalizer).deviceDetail,
		"location":                         (*Normalizer).location,
		"locationdetails":                  (*Normalizer).location,
		"mfadetail":                        (*Normalizer).mfaDetail,
		"managedserviceidentity":           (*Normalizer).msi,
		"appliedconditionalaccesspolicies": (*Normalizer).caPolicies,
		"conditionalaccesspolicies":        (*Normalizer).caPolicies,
		"authenticationdetails":            (*Normalizer).authDetails,
		"tenantid": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			if n.Mode == ModeLogAnalytics { // the workspace, not the Entra tenant
				r.AddExtra(key, v.MarshalTo(nil))
				return
			}
			if s := n.text(key, v); s != "" && r.S[TenantID] == "" {
				r.S[TenantID] = s
			}
		},
		"resourceid": func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
			s := n.text(key, v)
			if strings.HasPrefix(s, "/") { // Log Analytics' /tenants/... path, not the resource
				r.AddExtra(key, v.MarshalTo(nil))
				return
			}
			if s != "" {
				r.S[ResourceID] = s
			}
		},
	}
}

func intSetter(get func(r *Record) *Opt[int64]) setter {
	return func(n *Normalizer, r *Record, key string, v *fastjson.Value) {
		if i, ok := n.int(key, v); ok {
			*get(r) = Opt[int64]{V: i, Valid: true}
		}
	}
}

// Object maps every field of o onto r; fields without a column go to r's extra.
func (n *Normalizer) Object(r *Record, o *fastjson.Object) {
	n.hasStatus = false
	o.Visit(func(k []byte, v *fastjson.Value) {
		p, ok := n.keys[string(k)]
		if !ok {
			p = n.addKey(string(k))
		}
		n.fieldSet(r, p.orig, p.set, v)
	})
}

// Field maps one named field onto r. It reports whether the name is a known field.
func (n *Normalizer) Field(r *Record, key string, v *fastjson.Value) bool {
	key, lower := n.keyOfString(key)
	return n.field(r, key, lower, v)
}

// field is Field with the lower-case name at hand.
func (n *Normalizer) field(r *Record, key, lower string, v *fastjson.Value) bool {
	return n.fieldSet(r, key, topFields()[lower], v)
}

// fieldSet is Field with the name's setter at hand (nil for a name without a column).
func (n *Normalizer) fieldSet(r *Record, key string, set setter, v *fastjson.Value) bool {
	if set != nil {
		set(n, r, key, v)
		return true
	}
	if v.Type() == fastjson.TypeNull {
		return false
	}
	n.addExtra(r, key, v)
	return false
}

func (n *Normalizer) lower(key string) string {
	n.keybuf = n.keybuf[:0]
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		n.keybuf = append(n.keybuf, c)
	}
	return string(n.keybuf)
}

// isTypeName reports a .NET type name written in place of a nested value.
func isTypeName(s string) bool {
	return strings.HasPrefix(s, "Microsoft.Graph.") || strings.HasPrefix(s, "System.Collections.") ||
		strings.HasPrefix(s, "System.Object[]")
}

func (n *Normalizer) typeName(key string) {
	if n.TypeNames == nil {
		n.TypeNames = map[string]int{}
	}
	n.TypeNames[key]++
}

// text renders a scalar value as text; objects and arrays as their JSON.
func (n *Normalizer) text(key string, v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeString:
		s := string(v.GetStringBytes())
		if isTypeName(s) {
			n.typeName(key)
			return ""
		}
		return s
	case fastjson.TypeNull:
		return ""
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	default:
		return string(v.MarshalTo(nil))
	}
}

func (n *Normalizer) tri(key string, v *fastjson.Value) (Tri, bool) {
	switch v.Type() {
	case fastjson.TypeTrue:
		return True, true
	case fastjson.TypeFalse:
		return False, true
	case fastjson.TypeNumber:
		return boolTri(v.GetFloat64() != 0), true
	case fastjson.TypeString:
		return ParseBool(string(v.GetStringBytes()))
	}
	return Unknown, false
}

// ParseBool reads the spellings of booleans seen in exports.
func ParseBool(s string) (Tri, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return True, true
	case "false", "0", "no":
		return False, true
	}
	return Unknown, false
}

func boolTri(b bool) Tri {
	if b {
		return True
	}
	return False
}

func (n *Normalizer) int(key string, v *fastjson.Value) (int64, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		f := v.GetFloat64()
		return int64(f), true
	case fastjson.TypeString:
		s := strings.TrimSpace(string(v.GetStringBytes()))
		if s == "" {
			return 0, false
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return int64(f), true
		}
	}
	return 0, false
}

func (n *Normalizer) float(v *fastjson.Value) (float64, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		return v.GetFloat64(), true
	case fastjson.TypeString:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(v.GetStringBytes())), 64)
		return f, err == nil
	}
	return 0, false
}

func (n *Normalizer) time(r *Record, key string, v *fastjson.Value, dst *time.Time) {
	s := n.text(key, v)
	if s == "" {
		return
	}
	t, err := ParseTime(s, false)
	if err != nil {
		r.BadField, r.BadReason = key, err.Error()
		return
	}
	*dst = t
}

// strings reads an array of strings, or a string holding one (JSON text or comma list).
func (n *Normalizer) strings(key string, orig *fastjson.Value) []string {
	v := n.nestedValue(key, orig)
	if v == nil {
		return nil
	}
	defer n.release(orig, v)
	switch v.Type() {
	case fastjson.TypeArray:
		arr := v.GetArray()
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			if s := n.text(key, e); s != "" {
				out = append(out, s)
			}
		}
		return out
	case fastjson.TypeString:
		var out []string
		for _, p := range strings.Split(string(v.GetStringBytes()), ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	return nil
}

// nestedValue returns v, or the JSON that v holds as text (Log Analytics dynamic columns,
// CSV cells). It returns nil for an empty, null or .NET type-name value.
func (n *Normalizer) nestedValue(key string, v *fastjson.Value) *fastjson.Value {
	if v.Type() != fastjson.TypeString {
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		return v
	}
	s := strings.TrimSpace(string(v.GetStringBytes()))
	if s == "" {
		return nil
	}
	if isTypeName(s) {
		n.typeName(key)
		return nil
	}
	if (s[0] == '{' || s[0] == '[') && n.depth < len(n.nested) {
		p := &n.nested[n.depth]
		n.depth++ // a later parse at this depth would overwrite the value; see release
		pv, err := p.Parse(s)
		if err == nil {
			return pv
		}
		n.depth--
	}
	return v
}

// release ends the use of a value returned by nestedValue.
func (n *Normalizer) release(orig, got *fastjson.Value) {
	if got != nil && got != orig {
		n.depth--
	}
}

// visitNested calls fn for each field of the object v holds (directly or as JSON text);
// unknown sub-fields go to extra as "parent.child".
func (n *Normalizer) visitNested(r *Record, key string, v *fastjson.Value, fn func(sub string, sv *fastjson.Value) bool) {
	nv := n.nestedValue(key, v)
	defer n.release(v, nv)
	if nv == nil {
		return
	}
	o, err := nv.Object()
	if err != nil {
		r.AddExtra(key, nv.MarshalTo(nil))
		return
	}
	o.Visit(func(k []byte, sv *fastjson.Value) {
		sub, lower := n.keyOf(k)
		if !fn(lower, sv) && sv.Type() != fastjson.TypeNull {
			n.addExtra(r, key+"."+sub, sv)
		}
	})
}

func (n *Normalizer) status(r *Record, key string, v *fastjson.Value) {
	n.visitNested(r, key, v, func(sub string, sv *fastjson.Value) bool {
		switch sub {
		case "errorcode":
			if i, ok := n.int(key, sv); ok {
				r.ErrorCode, r.HasErrorCode = i, true
				n.hasStatus = true
			}
		case "failurereason":
			if s := n.text(key, sv); s != "" {
				r.S[FailureReason] = s
			}
		case "additionaldetails":
			r.S[AdditionalDetails] = n.text(key, sv)
		default:
			return false
		}
		return true
	})
}

// resultType is the error code as text (diagnostic envelope, Log Analytics); status wins.
func (n *Normalizer) resultType(r *Record, key string, v *fastjson.Value) {
	if n.hasStatus {
		return
	}
	if i, ok := n.int(key, v); ok {
		r.ErrorCode, r.HasErrorCode = i, true
	} else if s := n.text(key, v); s != "" {
		r.AddExtra(key, v.MarshalTo(nil))
	}
}

func (n *Normalizer) resultDescription(r *Record, key string, v *fastjson.Value) {
	if s := n.text(key, v); s != "" && r.S[FailureReason] == "" {
		r.S[FailureReason] = s
	}
}

func (n *Normalizer) deviceDetail(r *Record, key string, v *fastjson.Value) {
	n.visitNested(r, key, v, func(sub string, sv *fastjson.Value) bool {
		switch sub {
		case "deviceid":
			r.S[DeviceID] = n.text(key, sv)
		case "displayname":
			r.S[DeviceName] = n.text(key, sv)
		case "operatingsystem":
			r.S[OperatingSystem] = n.text(key, sv)
		case "browser":
			r.S[Browser] = n.text(key, sv)
		case "trusttype":
			r.S[DeviceTrustType] = n.text(key, sv)
		case "iscompliant":
			r.Compliant, _ = n.tri(key, sv)
		case "ismanaged":
			r.Managed, _ = n.tri(key, sv)
		default:
			return false
		}
		return true
	})
}

func (n *Normalizer) location(r *Record, key string, v *fastjson.Value) {
	if v.Type() == fastjson.TypeString {
		s := strings.TrimSpace(string(v.GetStringBytes()))
		if s == "" || (s[0] != '{' && s[0] != '[') {
			// Log Analytics `Location` and the diagnostic envelope hold the country code.
			if s != "" && r.S[Country] == "" {
				r.S[Country] = s
			}
			return
		}
	}
	n.visitNested(r, key, v, func(sub string, sv *fastjson.Value) bool {
		switch sub {
		case "city":
			r.S[City] = n.text(key, sv)
		case "state":
			r.S[State] = n.text(key, sv)
		case "countryorregion":
			if s := n.text(key, sv); s != "" {
				r.S[Country] = s
			}
		case "geocoordinates":
			n.visitNested(r, key+".geoCoordinates", sv, func(g string, gv *fastjson.Value) bool {
				switch g {
				case "latitude":
					if f, ok := n.float(gv); ok {
						r.Latitude = Opt[float64]{V: f, Valid: true}
					}
				case "longitude":
					if f, ok := n.float(gv); ok {
						r.Longitude = Opt[float64]{V: f, Valid: true}
					}
				case "altitude":
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}

func (n *Normalizer) mfaDetail(r *Record, key string, v *fastjson.Value) {
	n.visitNested(r, key, v, func(sub string, sv *fastjson.Value) bool {
		switch sub {
		case "authmethod":
			r.S[MFAAuthMethod] = n.text(key, sv)
		case "authdetail":
			r.S[MFAAuthDetail] = n.text(key, sv)
		default:
			return false
		}
		return true
	})
}

func (n *Normalizer) msi(r *Record, key string, v *fastjson.Value) {
	n.visitNested(r, key, v, func(sub string, sv *fastjson.Value) bool {
		switch sub {
		case "msitype":
			r.S[ManagedIdentityType] = n.text(key, sv)
		case "associatedresourceid":
			r.S[MSIAssociatedResourceID] = n.text(key, sv)
		default:
			return false
		}
		return true
	})
}

// eachObject calls fn for each object element of the array v holds.
func (n *Normalizer) eachObject(key string, v *fastjson.Value, fn func(o *fastjson.Object)) {
	nv := n.nestedValue(key, v)
	defer n.release(v, nv)
	if nv == nil {
		return
	}
	for _, e := range nv.GetArray() {
		if o, err := e.Object(); err == nil {
			fn(o)
		}
	}
}

func (n *Normalizer) caPolicies(r *Record, key string, v *fastjson.Value) {
	n.eachObject(key, v, func(o *fastjson.Object) {
		var p CAPolicy
		o.Visit(func(k []byte, sv *fastjson.Value) {
			switch _, lower := n.keyOf(k); lower {
			case "id":
				p.ID = n.text(key, sv)
			case "displayname":
				p.Name = n.text(key, sv)
			case "result":
				p.Result = n.text(key, sv)
			case "enforcedgrantcontrols":
				p.Grant = n.strings(key, sv)
			case "enforcedsessioncontrols":
				p.Session = n.strings(key, sv)
			default:
				if sv.Type() != fastjson.TypeNull {
					p.Extra = appendExtra(p.Extra, string(k), sv.MarshalTo(nil))
				}
			}
		})
		p.Extra = closeExtra(p.Extra)
		r.CAPolicies = append(r.CAPolicies, p)
	})
}

func (n *Normalizer) authDetails(r *Record, key string, v *fastjson.Value) {
	n.eachObject(key, v, func(o *fastjson.Object) {
		var st AuthStep
		o.Visit(func(k []byte, sv *fastjson.Value) {
			switch _, lower := n.keyOf(k); lower {
			case "authenticationstepdatetime":
				if t, err := ParseTime(n.text(key, sv), false); err == nil {
					st.Time = t
				}
			case "authenticationmethod":
				st.Method = n.text(key, sv)
			case "authenticationmethoddetail":
				st.MethodDetail = n.text(key, sv)
			case "succeeded":
				st.Succeeded, _ = n.tri(key, sv)
			case "authenticationstepresultdetail":
				st.ResultDetail = n.text(key, sv)
			case "authenticationsteprequirement":
				st.Requirement = n.text(key, sv)
			default:
				if sv.Type() != fastjson.TypeNull {
					st.Extra = appendExtra(st.Extra, string(k), sv.MarshalTo(nil))
				}
			}
		})
		st.Extra = closeExtra(st.Extra)
		r.AuthSteps = append(r.AuthSteps, st)
	})
}
