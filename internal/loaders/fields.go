// The field table: Graph and Log Analytics field names mapped to the setters that fill
// a Record, and the Normalizer that applies it.

package loaders

import (
	"strings"
	"sync"

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
