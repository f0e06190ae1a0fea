// The Azure diagnostic-settings envelope around a sign-in (category, time, properties)
// and its categories.

package loaders

import (
	"strings"

	"github.com/valyala/fastjson"
)

// envelope maps the diagnostic envelope around properties: it fills gaps, and keeps the
// rest in extra under "envelope.".
func (j *jsonReader) envelope(r *Record, o *fastjson.Object, row *laRow) {
	j.visit(o, row, func(k, lower string, v *fastjson.Value) {
		switch lower {
		case "properties", "category":
		case "time":
			if t, err := ParseTime(j.n.text(k, v), false); err == nil {
				r.IngestedAt = t
			} else {
				r.AddExtra("envelope."+k, v.MarshalTo(nil))
			}
		case "tenantid":
			if s := j.n.text(k, v); s != "" && r.S[TenantID] == "" {
				r.S[TenantID] = s
			}
		case "resulttype":
			if !r.HasErrorCode {
				if i, ok := j.n.int(k, v); ok {
					r.ErrorCode, r.HasErrorCode = i, true
				} else if strings.EqualFold(j.n.text(k, v), "success") { // SIEM-normalized: the outcome as a word
					r.ErrorCode, r.HasErrorCode = 0, true
				}
			}
		case "resultdescription":
			if s := j.n.text(k, v); s != "" && r.S[FailureReason] == "" {
				r.S[FailureReason] = s
			}
		case "calleripaddress":
			if s := j.n.text(k, v); s != "" && r.S[IPAddress] == "" {
				r.S[IPAddress] = s
			}
		case "correlationid":
			if s := j.n.text(k, v); s != "" && r.S[CorrelationID] == "" {
				r.S[CorrelationID] = s
			}
		case "identity":
			if s := j.n.text(k, v); s != "" && r.S[UserDisplayName] == "" {
				r.S[UserDisplayName] = s
			}
		case "location":
			if s := j.n.text(k, v); s != "" && r.S[Country] == "" {
				r.S[Country] = s
			}
		default:
			if v.Type() != fastjson.TypeNull {
				r.AddExtra("envelope."+k, v.MarshalTo(nil))
			}
		}
	})
}

// diagnosticCategory maps a diagnostic-settings category to its log type.
func diagnosticCategory(c string) (string, bool) {
	switch strings.ToLower(c) {
	case "signinlogs":
		return Interactive, true
	case "noninteractiveusersigninlogs":
		return NonInteractive, true
	case "serviceprincipalsigninlogs", "microsoftserviceprincipalsigninlogs":
		return ServicePrinc, true
	case "managedidentitysigninlogs":
		return ManagedIdent, true
	}
	return "", false
}
