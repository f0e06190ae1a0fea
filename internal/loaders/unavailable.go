// The schema fields each input field fills, and the fields a file cannot carry
// (Format.Unavailable, Info.Unavailable).

package loaders

import "sort"

// Schema fields, for Format.Unavailable and Info.Unavailable: every column of signins a
// loader fills (status is derived, log_type always set), plus the child tables. Read-only.
var schemaFields = func() []string {
	f := append([]string{}, strColumns[:]...)
	f = append(f, "created_at", "ingested_at", "autonomous_system_number", "latitude", "longitude", "error_code",
		"device_compliant", "device_managed", "risk_event_types", "is_interactive", "flagged_for_review",
		"processing_time_ms", "ca_policies", "auth_steps")
	return f
}()

// strField is the schema name of a text column.
func strField(s Str) string { return strColumns[s] }

// missingFields lists the schema fields not in have, sorted.
func missingFields(have map[string]bool) []string {
	var out []string
	for _, f := range schemaFields {
		if !have[f] {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// graphFields names the schema fields that each Graph / Log Analytics field fills (lower
// case names, as topFields in fields.go). A test checks that both tables have the same keys.
// Read-only.
var graphFields = map[string][]string{
	"id": {"id"}, "correlationid": {"correlation_id"}, "originalrequestid": {"original_request_id"},
	"sessionid": {"session_id"}, "uniquetokenidentifier": {"unique_token_id"}, "userid": {"user_id"},
	"userprincipalname": {"user_principal_name"}, "userdisplayname": {"user_display_name"},
	"identity": {"user_display_name"}, "usertype": {"user_type"}, "signinidentifier": {"sign_in_identifier"},
	"appid": {"app_id"}, "appdisplayname": {"app_display_name"}, "appownertenantid": {"app_owner_tenant_id"},
	"resourcedisplayname": {"resource_display_name"}, "resourceidentity": {"resource_id"},
	"resourcetenantid": {"resource_tenant_id"}, "resourceownertenantid": {"resource_owner_tenant_id"},
	"resourceserviceprincipalid": {"resource_service_principal_id"}, "serviceprincipalid": {"service_principal_id"},
	"serviceprincipalname": {"service_principal_name"}, "serviceprincipalcredentialkeyid": {"sp_credential_key_id"},
	"serviceprincipalcredentialthumbprint": {"sp_credential_thumbprint"}, "clientcredentialtype": {"client_credential_type"},
	"federatedcredentialid": {"federated_credential_id"}, "ipaddress": {"ip_address"},
	"ipaddressfromresourceprovider": {"ip_address_from_resource_provider"}, "clientappused": {"client_app_used"},
	"useragent": {"user_agent"}, "authenticationrequirement": {"authentication_requirement"},
	"authenticationprotocol": {"authentication_protocol"}, "tokenissuertype": {"token_issuer_type"},
	"tokenissuername": {"token_issuer_name"}, "conditionalaccessstatus": {"conditional_access_status"},
	"risklevelduringsignin": {"risk_level_during_signin"}, "risklevelaggregated": {"risk_level_aggregated"},
	"riskstate": {"risk_state"}, "riskdetail": {"risk_detail"}, "crosstenantaccesstype": {"cross_tenant_access_type"},
	"hometenantid": {"home_tenant_id"}, "hometenantname": {"home_tenant_name"}, "aadtenantid": {"tenant_id"},
	"originaltransfermethod": {"original_transfer_method"}, "isinteractive": {"is_interactive"},
	"flaggedforreview": {"flagged_for_review"}, "incomingtokentype": {"incoming_token_type"},
	"createddatetime": {"created_at"}, "timegenerated": {"ingested_at"},
	"processingtimeinmilliseconds": {"processing_time_ms"}, "processingtimeinms": {"processing_time_ms"},
	"autonomoussystemnumber": {"autonomous_system_number"}, "signineventtypes": nil,
	"riskeventtypes": {"risk_event_types"}, "riskeventtypes_v2": {"risk_event_types"},
	"status":                           {"error_code", "failure_reason", "additional_details"},
	"resulttype":                       {"error_code"},
	"resultdescription":                {"failure_reason"},
	"devicedetail":                     {"device_id", "device_name", "operating_system", "browser", "device_trust_type", "device_compliant", "device_managed"},
	"location":                         {"city", "state", "country", "latitude", "longitude"}, // Log Analytics: country only
	"locationdetails":                  {"city", "state", "country", "latitude", "longitude"},
	"mfadetail":                        {"mfa_auth_method", "mfa_auth_detail"},
	"managedserviceidentity":           {"managed_identity_type", "msi_associated_resource_id"},
	"appliedconditionalaccesspolicies": {"ca_policies"}, "conditionalaccesspolicies": {"ca_policies"},
	"authenticationdetails": {"auth_steps"},
	"tenantid":              {"tenant_id"},   // Log Analytics: the workspace, none
	"resourceid":            {"resource_id"}, // Log Analytics: a path, none
}

// graphFieldsIn is graphFields with the Log Analytics meanings where they differ.
func graphFieldsIn(name string, mode Mode) []string {
	if mode == ModeLogAnalytics {
		switch name {
		case "location":
			return []string{"country"}
		case "tenantid", "resourceid":
			return nil
		}
	}
	return graphFields[name]
}

// setUnavailable records what this file cannot carry: the format's fixed list and the
// fields whose columns are absent from this file's header.
func setUnavailable(c *ReadContext, have map[string]bool) {
	seen := map[string]bool{}
	var out []string
	for _, f := range append(append([]string(nil), c.Info.Unavailable...), missingFields(have)...) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	c.Info.Unavailable = out
}
