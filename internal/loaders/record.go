package loaders

import (
	"time"
	"unicode/utf8"
)

// Log types, with Graph's names.
const (
	Interactive    = "interactiveUser"
	NonInteractive = "nonInteractiveUser"
	ServicePrinc   = "servicePrincipal"
	ManagedIdent   = "managedIdentity"
)

// LogTypes lists the four sign-in logs in report order, in a new slice each call.
func LogTypes() []string {
	return []string{Interactive, NonInteractive, ServicePrinc, ManagedIdent}
}

// Str names a text column of the signins table. Text columns live in an array so that the
// field mappings of every format can be tables rather than code.
type Str int

// The text columns, in schema order.
const (
	ID Str = iota
	CorrelationID
	OriginalRequestID
	SessionID
	UniqueTokenID
	UserID
	UserPrincipalName
	UserDisplayName
	UserType
	SignInIdentifier
	AppID
	AppDisplayName
	AppOwnerTenantID
	ResourceID
	ResourceDisplayName
	ResourceTenantID
	ResourceOwnerTenantID
	ResourceServicePrincipalID
	ServicePrincipalID
	ServicePrincipalName
	SPCredentialKeyID
	SPCredentialThumbprint
	ClientCredentialType
	ManagedIdentityType
	MSIAssociatedResourceID
	FederatedCredentialID
	IPAddress
	IPAddressFromResourceProvider
	City
	State
	Country
	FailureReason
	AdditionalDetails
	ClientAppUsed
	UserAgent
	Browser
	OperatingSystem
	DeviceID
	DeviceName
	DeviceTrustType
	AuthenticationRequirement
	AuthenticationProtocol
	IncomingTokenType
	TokenIssuerType
	TokenIssuerName
	ConditionalAccessStatus
	MFAAuthMethod
	MFAAuthDetail
	RiskLevelDuringSignIn
	RiskLevelAggregated
	RiskState
	RiskDetail
	CrossTenantAccessType
	HomeTenantID
	HomeTenantName
	TenantID
	OriginalTransferMethod
	numStr
)

// strColumns holds the schema column name of each Str, indexed by it. Read-only.
var strColumns = [numStr]string{
	"id", "correlation_id", "original_request_id", "session_id", "unique_token_id",
	"user_id", "user_principal_name", "user_display_name", "user_type", "sign_in_identifier",
	"app_id", "app_display_name", "app_owner_tenant_id",
	"resource_id", "resource_display_name", "resource_tenant_id", "resource_owner_tenant_id", "resource_service_principal_id",
	"service_principal_id", "service_principal_name", "sp_credential_key_id", "sp_credential_thumbprint",
	"client_credential_type", "managed_identity_type", "msi_associated_resource_id", "federated_credential_id",
	"ip_address", "ip_address_from_resource_provider", "city", "state", "country",
	"failure_reason", "additional_details", "client_app_used", "user_agent", "browser", "operating_system",
	"device_id", "device_name", "device_trust_type",
	"authentication_requirement", "authentication_protocol", "incoming_token_type", "token_issuer_type", "token_issuer_name",
	"conditional_access_status", "mfa_auth_method", "mfa_auth_detail",
	"risk_level_during_signin", "risk_level_aggregated", "risk_state", "risk_detail",
	"cross_tenant_access_type", "home_tenant_id", "home_tenant_name", "tenant_id", "original_transfer_method",
}

// Tri is a boolean that may be unknown.
type Tri int8

// Tri values.
const (
	Unknown Tri = iota
	False
	True
)

// Opt is an optional number.
type Opt[T int64 | float64] struct {
	V     T
	Valid bool
}

// Record is one normalized sign-in, as every loader produces it.
type Record struct {
	LogType    string
	S          [numStr]string
	CreatedAt  time.Time
	IngestedAt time.Time // zero when the format has no write time

	ErrorCode      int64
	HasErrorCode   bool
	StatusHint     string // the export's own Success/Failure/Interrupted, used for unknown codes
	ASN            Opt[int64]
	Latitude       Opt[float64]
	Longitude      Opt[float64]
	ProcessingMs   Opt[int64]
	Compliant      Tri
	Managed        Tri
	Interactive    Tri
	Flagged        Tri
	RiskEventTypes []string
	riskV2         bool // RiskEventTypes came from riskEventTypes_v2, which wins over riskEventTypes

	CAPolicies []CAPolicy
	AuthSteps  []AuthStep

	// Hints used to decide the log type when no explicit one is given.
	EventTypes []string
	Category   string

	// BadField and BadReason name a field whose value could not be read; such a record is
	// rejected when the field is essential (the event time).
	BadField, BadReason string

	extra []byte // JSON object text being built, without the closing brace

	// Provenance.
	Line   int64 // 1-based line where the record starts, 0 when not a text position
	Index  int64 // 1-based record index in the file
	Offset int64 // byte offset where the record starts
}

// CAPolicy is one applied Conditional Access policy of a sign-in.
type CAPolicy struct {
	ID, Name, Result string
	Grant, Session   []string
	Extra            []byte
}

// AuthStep is one authentication step of a sign-in.
type AuthStep struct {
	RequestID    string // set by loaders of separate auth-detail files
	LogType      string
	Time         time.Time
	Method       string
	MethodDetail string
	Succeeded    Tri
	ResultDetail string
	Requirement  string
	Extra        []byte
	Line         int64
}

// Reset clears r for reuse, keeping allocated capacity.
func (r *Record) Reset() {
	extra := r.extra[:0]
	ca := r.CAPolicies[:0]
	st := r.AuthSteps[:0]
	*r = Record{}
	r.extra, r.CAPolicies, r.AuthSteps = extra, ca, st
}

// AddExtra records a source field that has no column; raw must be JSON text.
func (r *Record) AddExtra(key string, raw []byte) {
	r.extra = appendExtra(r.extra, key, raw)
}

// AddExtraString records a source text field that has no column.
func (r *Record) AddExtraString(key, val string) {
	r.extra = appendExtraString(r.extra, key, val)
}

// Extra returns the JSON object of fields without a column, or "" when there are none.
func (r *Record) Extra() string {
	if len(r.extra) == 0 {
		return ""
	}
	return string(r.extra) + "}"
}

// appendExtra adds key and its JSON text to an extra object under construction.
func appendExtra[T string | []byte](b []byte, key string, raw T) []byte {
	if len(b) == 0 {
		b = append(b, '{')
	} else {
		b = append(b, ',')
	}
	b = appendJSONString(b, key)
	b = append(b, ':')
	return append(b, raw...)
}

func appendExtraString(b []byte, key, val string) []byte {
	if len(b) == 0 {
		b = append(b, '{')
	} else {
		b = append(b, ',')
	}
	b = appendJSONString(b, key)
	b = append(b, ':')
	return appendJSONString(b, val)
}

func closeExtra(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string literal; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					b = append(b, '\\', 'n')
				case '\r':
					b = append(b, '\\', 'r')
				case '\t':
					b = append(b, '\\', 't')
				default:
					b = append(b, `\u00`...)
					b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
				}
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// Status classes an error code as the admin center does: success, interrupted or failure.
func (r *Record) Status() string {
	if r.ErrorCode == 0 {
		return "success"
	}
	if c, ok := LookupCode(r.ErrorCode); ok {
		return c.Class
	}
	switch r.StatusHint {
	case "interrupted", "failure":
		return r.StatusHint
	}
	return "failure"
}
