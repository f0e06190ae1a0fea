package gen

import (
	"encoding/csv"
	"fmt"
	"slices"
)

// The admin center's CSV headers, exactly as the spec gives them (trailing spaces in
// "Application ID " and "Resource ID ", the double space in "Autonomous system  number",
// "Incoming token type" twice). Read-only: AdminUserHeader hands out a copy.
var (
	adminUserHeader = []string{
		"Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username", "User type",
		"Cross tenant access type", "Incoming token type", "Authentication Protocol", "Unique token identifier",
		"Original transfer method", "Client credential type", "Token Protection - Sign In Session",
		"Token Protection - Sign In Session StatusCode", "Application", "Application ID ", "Resource",
		"Resource ID ", "Resource tenant ID", "Home tenant ID", "Home tenant name", "IP address", "Location", "Status",
		"Sign-in error code", "Failure reason", "Client app", "Device ID", "Browser", "Operating System", "Compliant",
		"Managed", "Join Type", "Multifactor authentication result", "Multifactor authentication auth method",
		"Multifactor authentication auth detail", "Authentication requirement", "Sign-in identifier", "Session ID",
		"IP address (seen by resource)", "Through Global Secure Access", "Global Secure Access IP address",
		"Autonomous system  number", "Flagged for review", "Token issuer type", "Incoming token type",
		"Token issuer name", "Latency", "Conditional Access", "Managed Identity type", "Associated Resource Id",
		"Federated Token Id", "Federated Token Issuer",
	}
	adminSPHeader = []string{
		"Date (UTC)", "Request ID", "Correlation ID", "Service principal ID", "Service principal name",
		"Credential key ID", "Credential thumbprint", "Application", "Application ID ", "App owner tenant ID",
		"Resource", "Resource ID ", "Resource tenant ID", "Resource owner tenant ID", "Home tenant ID",
		"Home tenant name", "IP address", "Location", "Status", "Sign-in error code", "Failure reason",
		"Conditional Access",
	}
	// adminMSIHeader is not verified against a real download: the service-principal header plus
	// the managed-identity columns.
	adminMSIHeader = append(append([]string(nil), adminSPHeader...), "Managed Identity type", "Associated Resource Id")
	// adminAuthDetailsHeader is our choice; the real header is not verified.
	adminAuthDetailsHeader = []string{
		"Request ID", "Authentication method", "Authentication method detail", "Succeeded", "Result detail",
		"Requirement", "Date (UTC)",
	}
)

// AdminUserHeader is the header of the user sign-in CSV files, in a new slice each call.
func AdminUserHeader() []string { return slices.Clone(adminUserHeader) }

// adminCSVSink writes the admin center's CSV download: one file per log type plus the
// authentication-step files of the two user logs. UTF-8 without BOM, CRLF line ends.
type adminCSVSink struct {
	files [6]*outFile // four logs, then interactive and non-interactive auth details
	w     [6]*csv.Writer
	row   row
}

func openAdminCSV(o *output, cfg Config, t *tenant) (sink, error) {
	s := &adminCSVSink{}
	from, to := cfg.dateRange()
	names := [6]string{}
	headers := [6][]string{adminUserHeader, adminUserHeader, adminSPHeader, adminMSIHeader, adminAuthDetailsHeader, adminAuthDetailsHeader}
	for i, lt := range LogTypes() {
		names[i] = adminPrefix(lt)
	}
	names[4], names[5] = "InteractiveSignIns_AuthDetails", "NonInteractiveSignIns_AuthDetails"
	for i := range names {
		f, err := o.create(fmt.Sprintf("%s_%s_%s.csv", names[i], from, to))
		if err != nil {
			return nil, err
		}
		s.files[i] = f
		s.w[i] = csv.NewWriter(f)
		s.w[i].UseCRLF = true
		if err := s.w[i].Write(headers[i]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// adminLocation is the Location cell: "City, State, CC", empty when nothing is known.
func adminLocation(e *Event) string {
	if e.City == "" && e.State == "" && e.Country == "" {
		return ""
	}
	return e.City + ", " + e.State + ", " + e.Country
}

func failureText(e *Event) string {
	if e.FailureReason == "" {
		return "Other."
	}
	return e.FailureReason
}

func (s *adminCSVSink) write(e *Event) error {
	r := &s.row
	r.reset()
	i := logIndex(e.LogType)
	if e.IsUser() {
		r.isoSeconds(e.Created)
		r.str(e.ID)
		r.str(e.UserAgent)
		r.str(e.CorrelationID)
		r.str(e.UserID)
		r.str(e.UserDisplayName)
		r.str(e.UserPrincipalName)
		r.str(e.UserType)
		r.str(e.CrossTenantAccessType)
		r.str(e.IncomingTokenType)
		r.str(e.AuthProtocol)
		r.str(e.UniqueTokenID)
		r.str(e.OriginalTransfer)
		r.str(e.ClientCredentialType)
		r.str("")
		r.str("")
		r.str(e.AppDisplayName)
		r.str(e.AppID)
		r.str(e.ResourceDisplayName)
		r.str(e.ResourceID)
		r.str(e.ResourceTenantID)
		r.str(e.HomeTenantID)
		r.str(e.HomeTenantName)
		r.str(e.IPAddress)
		r.str(adminLocation(e))
		r.str(e.Status())
		r.int(e.ErrorCode)
		r.str(failureText(e))
		r.str(e.ClientAppUsed)
		r.str(e.DeviceID)
		r.str(e.Browser)
		r.str(e.OperatingSystem)
		r.bool(e.Compliant)
		r.bool(e.Managed)
		r.str(e.TrustType)
		r.str(e.AdditionalDetails)
		r.str(e.MFAAuthMethod)
		r.str(e.MFAAuthDetail)
		r.str(e.AuthRequirement)
		r.str(e.SignInIdentifier)
		r.str(e.SessionID)
		r.str("")
		r.bool(false)
		r.str("")
		r.int(e.ASN)
		r.bool(false)
		r.str(e.TokenIssuerType)
		r.str(e.IncomingTokenType)
		r.str("")
		r.int(e.ProcessingMs)
		r.str(e.ConditionalAccess)
		r.str("")
		r.str("")
		r.str("")
		r.str("")
	} else {
		r.isoSeconds(e.Created)
		r.str(e.ID)
		r.str(e.CorrelationID)
		r.str(e.ServicePrincipalID)
		r.str(e.ServicePrincipalName)
		r.str(e.CredentialKeyID)
		r.str(e.CredentialThumbprint)
		r.str(e.AppDisplayName)
		r.str(e.AppID)
		r.str(e.AppOwnerTenantID)
		r.str(e.ResourceDisplayName)
		r.str(e.ResourceID)
		r.str(e.ResourceTenantID)
		r.str(microsoftTenant)
		r.str(e.HomeTenantID)
		r.str("")
		r.str(e.IPAddress)
		r.str(adminLocation(e))
		r.str(e.Status())
		r.int(e.ErrorCode)
		r.str(failureText(e))
		r.str(e.ConditionalAccess)
		if e.LogType == ManagedIdentity {
			r.str(e.MSIType)
			r.str(e.MSIAssociatedResource)
		}
	}
	if err := r.flush(s.w[i]); err != nil {
		return err
	}
	if !e.IsUser() {
		return nil
	}
	w := s.w[4+i]
	for k := range e.AuthSteps {
		st := &e.AuthSteps[k]
		r.reset()
		r.str(e.ID)
		r.str(st.Method)
		r.str(st.MethodDetail)
		r.bool(st.Succeeded)
		r.str(st.ResultDetail)
		r.str(st.Requirement)
		r.isoSeconds(st.Time)
		if err := r.flush(w); err != nil {
			return err
		}
	}
	return nil
}

func (s *adminCSVSink) close() error {
	for i, w := range s.w {
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		if err := s.files[i].close(); err != nil {
			return err
		}
	}
	return nil
}
