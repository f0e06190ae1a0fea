package gen

import (
	"time"

	"github.com/signinlens/signinlens/internal/reference"
)

// Log types, with Graph's signInEventTypes names.
const (
	Interactive      = "interactiveUser"
	NonInteractive   = "nonInteractiveUser"
	ServicePrincipal = "servicePrincipal"
	ManagedIdentity  = "managedIdentity"
)

// LogTypes lists the four sign-in logs in report order, in a new slice each call.
func LogTypes() []string {
	return []string{Interactive, NonInteractive, ServicePrincipal, ManagedIdentity}
}

// Event is one generated sign-in: the model every writer renders. Field names follow Graph's
// signIn properties. Strings that do not apply are empty (user fields of workload identities,
// location of managed identities).
type Event struct {
	Seq      int    // position in time order, from 0
	LogType  string // one of LogTypes
	Scenario string // the Scenario.Name this event belongs to, "" for background traffic

	ID                string    // request id (GUID)
	CorrelationID     string    // GUID
	OriginalRequestID string    // user sign-ins: the request id; workload identities: ""
	UniqueTokenID     string    // 22-character base64url
	SessionID         string    // user sign-ins: one per user, device and day
	Created           time.Time // createdDateTime, UTC, 100 ns precision
	Ingested          time.Time // write time: diagnostic `time`, Log Analytics TimeGenerated (a few seconds later)

	TenantID                   string
	UserID                     string // "" (JSON null) for workload identities
	UserPrincipalName          string
	UserDisplayName            string
	UserType                   string // Member or Guest
	SignInIdentifier           string
	HomeTenantID               string
	HomeTenantName             string
	CrossTenantAccessType      string // none or b2bCollaboration
	AppID                      string
	AppDisplayName             string
	AppOwnerTenantID           string
	ResourceID                 string // the resource's application id
	ResourceDisplayName        string
	ResourceTenantID           string
	ResourceServicePrincipalID string

	ServicePrincipalID    string // workload identities only
	ServicePrincipalName  string
	CredentialKeyID       string // servicePrincipalCredentialKeyId
	CredentialThumbprint  string // certificates only
	ClientCredentialType  string // none, clientSecret, certificate, federatedIdentityCredential, managedIdentity
	FederatedCredentialID string
	MSIType               string // none, systemAssigned, userAssigned
	MSIAssociatedResource string // managed identities: the Azure resource id it belongs to

	IPAddress             string // "" for managed identities
	City, State, Country  string
	Latitude, Longitude   float64 // 0/0 when unknown
	ASN                   int     // 0 when unknown
	NamedLocation         string  // Conditional Access named network the IP belongs to, if any
	ClientAppUsed         string
	UserAgent             string
	DeviceID              string
	DeviceName            string
	OperatingSystem       string
	Browser               string
	TrustType             string // Azure AD joined, Hybrid Azure AD joined, Azure AD registered or ""
	Compliant, Managed    bool
	Interactive           bool
	AuthRequirement       string // singleFactorAuthentication or multiFactorAuthentication
	AuthProtocol          string // none, oAuth2, ropc, deviceCode
	OriginalTransfer      string // none or deviceCodeFlow
	IncomingTokenType     string // none or primaryRefreshToken
	TokenIssuerType       string // AzureAD
	MFAAuthMethod         string
	MFAAuthDetail         string
	ErrorCode             int
	FailureReason         string // "" on success
	AdditionalDetails     string
	ConditionalAccess     string // success, failure or notApplied
	Policies              []CAPolicy
	AuthSteps             []AuthStep
	RiskLevelDuringSignIn string // none, low, medium, high
	RiskLevelAggregated   string
	RiskState             string // none, atRisk, ...
	RiskDetail            string
	RiskEventTypes        []string
	ProcessingMs          int
}

// CAPolicy is one Conditional Access policy evaluated for a sign-in.
type CAPolicy struct {
	ID, DisplayName string
	GrantControls   []string
	Result          string // success, failure, notApplied, reportOnlyFailure, reportOnlyNotApplied, ...
}

// AuthStep is one entry of authenticationDetails.
type AuthStep struct {
	Time         time.Time
	Method       string
	MethodDetail string
	Succeeded    bool
	ResultDetail string
	Requirement  string
}

// IsUser reports whether the event is a user sign-in (interactive or not).
func (e *Event) IsUser() bool { return e.LogType == Interactive || e.LogType == NonInteractive }

// Status is the admin center's classification of the error code: Success, Failure or Interrupted.
func (e *Event) Status() string {
	if e.ErrorCode == 0 {
		return "Success"
	}
	if c, ok := reference.LookupCode(int64(e.ErrorCode)); ok && c.Class == "interrupted" {
		return "Interrupted"
	}
	return "Failure"
}

// Clone returns a copy of e that shares nothing with it; use it to keep an event beyond the
// callback that received it.
func (e *Event) Clone() *Event {
	c := *e
	c.Policies = append([]CAPolicy(nil), e.Policies...)
	c.AuthSteps = append([]AuthStep(nil), e.AuthSteps...)
	c.RiskEventTypes = append([]string(nil), e.RiskEventTypes...)
	return &c
}

// category returns the diagnostic-settings category of a log type.
func category(logType string) string {
	switch logType {
	case Interactive:
		return "SignInLogs"
	case NonInteractive:
		return "NonInteractiveUserSignInLogs"
	case ServicePrincipal:
		return "ServicePrincipalSignInLogs"
	default:
		return "ManagedIdentitySignInLogs"
	}
}

// logIndex returns the position of a log type in LogTypes.
func logIndex(logType string) int {
	switch logType {
	case Interactive:
		return 0
	case NonInteractive:
		return 1
	case ServicePrincipal:
		return 2
	default:
		return 3
	}
}
