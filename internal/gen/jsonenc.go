package gen

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Hand-rolled JSON appenders: the writers produce gigabytes, and encoding/json's reflection
// would dominate the run time. Every appender appends to b and returns it.

// flavor selects the spelling differences between the JSON formats.
type flavor uint8

const (
	flGraph flavor = iota // Graph beta page: Z times, lower-case userType, signInEventTypes
	flAdmin               // admin-center JSON download: as Graph without signInEventTypes
	flDiag                // diagnostic settings properties and Log Analytics dynamic columns
)

// appendJSONString appends s as a JSON string literal. The writers spend much of their time
// here, and nearly every string needs no escaping: check that eight bytes at a time first.
func appendJSONString(b []byte, s string) []byte {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8]
		if !jsonSafe8(uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56) {
			return appendJSONEscaped(b, s)
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return appendJSONEscaped(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONEscaped appends s as a JSON string literal, escaping what needs it; invalid UTF-8
// becomes U+FFFD.
func appendJSONEscaped[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	start, i := 0, 0
	for i < len(s) {
		for i+8 <= len(s) && jsonSafe8(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonSafe8 reports whether none of the eight bytes in x is a control character, '"', '\\'
// or non-ASCII (the classic has-zero-byte bit tricks).
func jsonSafe8(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	ctl := (x - lo*0x20) & ^x
	q := x ^ (lo * '"')
	bs := x ^ (lo * '\\')
	return (ctl|(q-lo)&^q|(bs-lo)&^bs|x)&hi == 0
}

// key appends `"k":`. Keys are constants without characters that need escaping.
func key(b []byte, k string) []byte {
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func kStr(b []byte, k, v string) []byte { return append(appendJSONString(key(b, k), v), ',') }

// kStrNull writes null for an empty value.
func kStrNull(b []byte, k, v string) []byte {
	if v == "" {
		return append(key(b, k), "null,"...)
	}
	return kStr(b, k, v)
}

func kInt(b []byte, k string, v int) []byte {
	return append(strconv.AppendInt(key(b, k), int64(v), 10), ',')
}

func kBool(b []byte, k string, v bool) []byte {
	return append(strconv.AppendBool(key(b, k), v), ',')
}

func kFloat(b []byte, k string, v float64) []byte {
	return append(strconv.AppendFloat(key(b, k), v, 'f', -1, 64), ',')
}

// closeObj replaces a trailing comma with '}' (or appends '}' to an empty object).
func closeObj(b []byte) []byte {
	if b[len(b)-1] == ',' {
		b[len(b)-1] = '}'
		return b
	}
	return append(b, '}')
}

func closeArr(b []byte) []byte {
	if b[len(b)-1] == ',' {
		b[len(b)-1] = ']'
		return b
	}
	return append(b, ']')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for _, s := range ss {
		b = append(appendJSONString(b, s), ',')
	}
	return closeArr(b)
}

func digits(b []byte, v, n int) []byte {
	var tmp [9]byte
	for i := n - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:n]...)
}

// appendTime appends t (UTC) as 2006-01-02T15:04:05 followed by frac fractional digits
// (0, 3 or 7) and the zone suffix ("Z" or "+00:00"). Digits are truncated, never rounded,
// so every format agrees on the second.
func appendTime(b []byte, t time.Time, frac int, zone string) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = digits(b, y, 4)
	b = append(b, '-')
	b = digits(b, int(mo), 2)
	b = append(b, '-')
	b = digits(b, d, 2)
	b = append(b, 'T')
	b = digits(b, h, 2)
	b = append(b, ':')
	b = digits(b, mi, 2)
	b = append(b, ':')
	b = digits(b, s, 2)
	switch frac {
	case 3:
		b = append(b, '.')
		b = digits(b, t.Nanosecond()/1_000_000, 3)
	case 7:
		b = append(b, '.')
		b = digits(b, t.Nanosecond()/100, 7)
	}
	return append(b, zone...)
}

func (f flavor) zone() string {
	if f == flDiag {
		return "+00:00"
	}
	return "Z"
}

func kTime(b []byte, k string, t time.Time, f flavor) []byte {
	b = append(key(b, k), '"')
	b = appendTime(b, t, 7, f.zone())
	return append(b, '"', ',')
}

func userType(e *Event, f flavor) string {
	if f == flDiag {
		return e.UserType
	}
	switch e.UserType { // Graph beta spells it in lower case
	case "Member":
		return "member"
	case "Guest":
		return "guest"
	}
	return e.UserType
}

func appendStatus(b []byte, e *Event, f flavor) []byte {
	b = append(b, '{')
	b = kInt(b, "errorCode", e.ErrorCode)
	reason := e.FailureReason
	if f != flDiag {
		if reason == "" {
			reason = "Other." // what Graph beta says for successful sign-ins
		}
		b = kStr(b, "failureReason", reason)
		b = kStrNull(b, "additionalDetails", e.AdditionalDetails)
	} else {
		if reason != "" {
			b = kStr(b, "failureReason", reason)
		}
		if e.AdditionalDetails != "" {
			b = kStr(b, "additionalDetails", e.AdditionalDetails)
		}
	}
	return closeObj(b)
}

func appendDevice(b []byte, e *Event) []byte {
	b = append(b, '{')
	b = kStr(b, "deviceId", e.DeviceID)
	b = kStr(b, "displayName", e.DeviceName)
	b = kStr(b, "operatingSystem", e.OperatingSystem)
	b = kStr(b, "browser", e.Browser)
	b = kBool(b, "isCompliant", e.Compliant)
	b = kBool(b, "isManaged", e.Managed)
	b = kStr(b, "trustType", e.TrustType)
	return closeObj(b)
}

func appendLocation(b []byte, e *Event) []byte {
	b = append(b, '{')
	b = kStr(b, "city", e.City)
	b = kStr(b, "state", e.State)
	b = kStr(b, "countryOrRegion", e.Country)
	b = append(key(b, "geoCoordinates"), '{')
	b = kFloat(b, "latitude", e.Latitude)
	b = kFloat(b, "longitude", e.Longitude)
	b = closeObj(b)
	return closeObj(append(b, ','))
}

func appendMFA(b []byte, e *Event) []byte {
	if e.MFAAuthMethod == "" {
		return append(b, '{', '}')
	}
	b = append(b, '{')
	b = kStr(b, "authMethod", e.MFAAuthMethod)
	b = kStrNull(b, "authDetail", e.MFAAuthDetail)
	return closeObj(b)
}

func appendPolicies(b []byte, e *Event) []byte {
	b = append(b, '[')
	for i := range e.Policies {
		p := &e.Policies[i]
		b = append(b, '{')
		b = kStr(b, "id", p.ID)
		b = kStr(b, "displayName", p.DisplayName)
		b = append(appendStrings(key(b, "enforcedGrantControls"), p.GrantControls), ',')
		b = append(key(b, "enforcedSessionControls"), "[],"...)
		b = kStr(b, "result", p.Result)
		b = append(closeObj(b), ',')
	}
	return closeArr(b)
}

func appendAuthSteps(b []byte, e *Event, f flavor) []byte {
	b = append(b, '[')
	for i := range e.AuthSteps {
		s := &e.AuthSteps[i]
		b = append(b, '{')
		b = kTime(b, "authenticationStepDateTime", s.Time, f)
		b = kStr(b, "authenticationMethod", s.Method)
		b = kStr(b, "authenticationMethodDetail", s.MethodDetail)
		b = kBool(b, "succeeded", s.Succeeded)
		b = kStr(b, "authenticationStepResultDetail", s.ResultDetail)
		b = kStr(b, "authenticationStepRequirement", s.Requirement)
		if f == flDiag {
			b = kInt(b, "StatusSequence", 0)
			b = kInt(b, "RequestSequence", 0)
		}
		b = append(closeObj(b), ',')
	}
	return closeArr(b)
}

func appendProcessing(b []byte, e *Event) []byte {
	switch e.LogType {
	case ServicePrincipal:
		return append(b, `[{"key":"Azure AD App Authentication Library","value":"Family: MSAL Library: MSAL.NET 4.61.0 Platform: .NET"}]`...)
	case ManagedIdentity:
		return append(b, '[', ']')
	}
	if e.Interactive {
		return append(b, `[{"key":"Login Hint Present","value":"True"},{"key":"Legacy TLS (TLS 1.0, 1.1, 3DES)","value":"False"},{"key":"Is CAE Token","value":"False"}]`...)
	}
	return append(b, `[{"key":"Legacy TLS (TLS 1.0, 1.1, 3DES)","value":"False"},{"key":"Oauth Scope Info","value":"[\"user_impersonation\"]"},{"key":"Is CAE Token","value":"True"}]`...)
}

func appendNetworks(b []byte, e *Event) []byte {
	if e.NamedLocation == "" {
		return append(b, '[', ']')
	}
	b = append(b, `[{"networkType":"namedNetwork","networkNames":[`...)
	b = appendJSONString(b, e.NamedLocation)
	return append(b, ']', '}', ']')
}

func appendRequirementPolicies(b []byte, e *Event) []byte {
	if e.AuthRequirement != "multiFactorAuthentication" {
		return append(b, '[', ']')
	}
	return append(b, `[{"requirementProvider":"multiConditionalAccess","detail":"Conditional Access"}]`...)
}

func appendMSI(b []byte, e *Event) []byte {
	b = append(b, '{')
	b = kStr(b, "msiType", e.MSIType)
	b = kStrNull(b, "associatedResourceId", e.MSIAssociatedResource)
	b = append(key(b, "federatedTokenId"), "null,"...)
	b = append(key(b, "federatedTokenIssuer"), "null,"...)
	return closeObj(b)
}

func appendRiskTypes(b []byte, e *Event) []byte { return appendStrings(b, e.RiskEventTypes) }

// appendSignIn appends the Graph signIn object of e in the given flavor. Diagnostic records
// carry it as `properties`.
func appendSignIn(b []byte, e *Event, f flavor) []byte {
	b = append(b, '{')
	b = kStr(b, "id", e.ID)
	b = kTime(b, "createdDateTime", e.Created, f)
	user := e.IsUser()
	if user {
		b = kStr(b, "userDisplayName", e.UserDisplayName)
		b = kStr(b, "userPrincipalName", e.UserPrincipalName)
		b = kStr(b, "userId", e.UserID)
		b = kStr(b, "userType", userType(e, f))
	} else {
		b = append(key(b, "userId"), "null,"...)
	}
	b = kStr(b, "appId", e.AppID)
	b = kStr(b, "appDisplayName", e.AppDisplayName)
	b = kStr(b, "appOwnerTenantId", e.AppOwnerTenantID)
	b = kStr(b, "ipAddress", e.IPAddress)
	if user {
		b = kStr(b, "ipAddressFromResourceProvider", "")
		b = kStr(b, "clientAppUsed", e.ClientAppUsed)
		b = kStr(b, "userAgent", e.UserAgent)
	}
	b = kStr(b, "correlationId", e.CorrelationID)
	if user {
		b = kStr(b, "originalRequestId", e.OriginalRequestID)
	}
	b = kStr(b, "conditionalAccessStatus", e.ConditionalAccess)
	b = kBool(b, "isInteractive", e.Interactive)
	b = kStr(b, "tokenIssuerName", "")
	b = kStr(b, "tokenIssuerType", e.TokenIssuerType)
	b = kInt(b, "processingTimeInMilliseconds", e.ProcessingMs)
	b = kStr(b, "riskDetail", e.RiskDetail)
	b = kStr(b, "riskLevelAggregated", e.RiskLevelAggregated)
	b = kStr(b, "riskLevelDuringSignIn", e.RiskLevelDuringSignIn)
	b = kStr(b, "riskState", e.RiskState)
	if f == flDiag {
		b = append(appendRiskTypes(key(b, "riskEventTypes"), e), ',')
	}
	b = append(appendRiskTypes(key(b, "riskEventTypes_v2"), e), ',')
	b = kStr(b, "resourceDisplayName", e.ResourceDisplayName)
	b = kStr(b, "resourceId", e.ResourceID)
	b = kStr(b, "resourceTenantId", e.ResourceTenantID)
	b = kStr(b, "resourceOwnerTenantId", microsoftTenant)
	b = kStr(b, "resourceServicePrincipalId", e.ResourceServicePrincipalID)
	b = kStr(b, "homeTenantId", e.HomeTenantID)
	b = kStr(b, "homeTenantName", e.HomeTenantName)
	if user {
		b = kStr(b, "authenticationRequirement", e.AuthRequirement)
	}
	b = kStr(b, "authenticationProtocol", e.AuthProtocol)
	b = kStr(b, "incomingTokenType", e.IncomingTokenType)
	if user {
		b = kStr(b, "signInIdentifier", e.SignInIdentifier)
		b = kStr(b, "signInIdentifierType", "userPrincipalName")
	}
	if f == flGraph {
		b = append(key(b, "signInEventTypes"), '[', '"')
		b = append(b, e.LogType...)
		b = append(b, '"', ']', ',')
	}
	b = kStr(b, "servicePrincipalId", e.ServicePrincipalID)
	if !user {
		b = kStr(b, "servicePrincipalName", e.ServicePrincipalName)
		b = kStr(b, "servicePrincipalCredentialKeyId", e.CredentialKeyID)
		b = kStr(b, "servicePrincipalCredentialThumbprint", e.CredentialThumbprint)
		b = kStr(b, "federatedCredentialId", e.FederatedCredentialID)
	}
	b = kStr(b, "clientCredentialType", e.ClientCredentialType)
	if !user || f != flDiag { // diagnostic records of users do not carry it
		b = append(appendMSI(key(b, "managedServiceIdentity"), e), ',')
	}
	if user {
		b = kStr(b, "sessionId", e.SessionID)
	}
	b = kStr(b, "uniqueTokenIdentifier", e.UniqueTokenID)
	b = kStr(b, "crossTenantAccessType", e.CrossTenantAccessType)
	b = kBool(b, "flaggedForReview", false)
	b = kBool(b, "isTenantRestricted", false)
	if e.ASN != 0 {
		b = kInt(b, "autonomousSystemNumber", e.ASN)
	}
	if user {
		b = kStr(b, "originalTransferMethod", e.OriginalTransfer)
		b = kBool(b, "isThroughGlobalSecureAccess", false)
		b = kStr(b, "globalSecureAccessIpAddress", "")
	}
	b = append(appendStatus(key(b, "status"), e, f), ',')
	if user {
		b = append(appendDevice(key(b, "deviceDetail"), e), ',')
	}
	b = append(appendLocation(key(b, "location"), e), ',')
	if user {
		b = append(appendMFA(key(b, "mfaDetail"), e), ',')
	}
	b = append(appendPolicies(key(b, "appliedConditionalAccessPolicies"), e), ',')
	b = append(appendProcessing(key(b, "authenticationProcessingDetails"), e), ',')
	if user {
		b = append(appendNetworks(key(b, "networkLocationDetails"), e), ',')
		b = append(appendAuthSteps(key(b, "authenticationDetails"), e, f), ',')
		b = append(appendRequirementPolicies(key(b, "authenticationRequirementPolicies"), e), ',')
		b = append(key(b, "sessionLifetimePolicies"), "[],"...)
	}
	return closeObj(b)
}
