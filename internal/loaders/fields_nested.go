// The Normalizer's setters for nested objects: status, device, location, MFA, managed
// identity, conditional access policies and authentication details.

package loaders

import (
	"strings"

	"github.com/valyala/fastjson"
)

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
	} else if s := n.text(key, v); strings.EqualFold(s, "success") {
		// SIEM-normalized records write the outcome as a word; "Success" is code 0, while
		// "Failure" names no code and leaves the record without an outcome.
		r.ErrorCode, r.HasErrorCode = 0, true
		r.AddExtra(key, v.MarshalTo(nil))
	} else if s != "" {
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
