package queries

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The same sign-ins in the other export formats, written from the Graph objects of a case.

const caseTenant = "11111111-2222-3333-4444-555555555555"

func str(o map[string]any, k string) string { s, _ := o[k].(string); return s }

func logTypeOf(o map[string]any) string {
	if l, ok := o["signInEventTypes"].([]any); ok && len(l) > 0 {
		s, _ := l[0].(string)
		return s
	}
	return ""
}

func errorCodeOf(o map[string]any) int {
	st, _ := o["status"].(map[string]any)
	n, _ := st["errorCode"].(float64)
	return int(n)
}

func createdOf(t *testing.T, o map[string]any) time.Time {
	at, err := time.Parse(time.RFC3339, str(o, "createdDateTime"))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func locationOf(o map[string]any) (city, country string) {
	loc, _ := o["location"].(map[string]any)
	return str(loc, "city"), str(loc, "countryOrRegion")
}

var diagCategory = map[string]string{
	"interactiveUser":    "SignInLogs",
	"nonInteractiveUser": "NonInteractiveUserSignInLogs",
	"servicePrincipal":   "ServicePrincipalSignInLogs",
	"managedIdentity":    "ManagedIdentitySignInLogs",
}

// diagnosticLines renders sign-ins as diagnostic-settings records, one per line, the way a
// storage account's PT1H.json holds them: event time with +00:00, the error code as text
// in resultType, the write time a few seconds later.
func diagnosticLines(t *testing.T, input []map[string]any) []byte {
	var b bytes.Buffer
	for _, in := range input {
		o := map[string]any{}
		for k, v := range in {
			o[k] = v
		}
		lt := logTypeOf(o)
		delete(o, "signInEventTypes")
		at := createdOf(t, o)
		o["createdDateTime"] = at.Format("2006-01-02T15:04:05+00:00")
		rec := map[string]any{
			"time":             at.Add(7 * time.Second).Format("2006-01-02T15:04:05.0000000Z"),
			"resourceId":       "/tenants/" + caseTenant + "/providers/Microsoft.aadiam",
			"operationName":    "Sign-in activity",
			"operationVersion": "1.0",
			"category":         diagCategory[lt],
			"tenantId":         caseTenant,
			"resultType":       strconv.Itoa(errorCodeOf(o)),
			"resultSignature":  "None",
			"durationMs":       0,
			"correlationId":    o["correlationId"],
			"Level":            4,
			"properties":       o,
		}
		if ip := str(o, "ipAddress"); ip != "" {
			rec["callerIpAddress"] = ip
		}
		if _, country := locationOf(o); country != "" {
			rec["location"] = country
		}
		line, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// csvComparable are the detections whose cases the admin-center CSV can carry: user
// sign-ins only, no coordinates, no risk fields. ca-blocked is left out: its details name
// the failed policies, which the CSV lacks.
func csvComparable(id string) bool {
	return slices.Contains([]string{"password-spray", "brute-force", "mfa-fatigue", "legacy-protocol-signin", "disabled-account",
		"signin-by-device-code", "ropc", "suspicious-user-agent", "single-factor-admin-app", "new-country", "cross-tenant-signin",
		"export-truncated", "missing-log-type", "time-gap", "first-device-code", "first-ropc", "first-legacy-client"}, id)
}

// adminCSVHeader is the 55-column user-sign-in header of docs/export-formats.md §3.
var adminCSVHeader = []string{"Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username",
	"User type", "Cross tenant access type", "Incoming token type", "Authentication Protocol", "Unique token identifier",
	"Original transfer method", "Client credential type", "Token Protection - Sign In Session",
	"Token Protection - Sign In Session StatusCode", "Application", "Application ID ", "Resource", "Resource ID ",
	"Resource tenant ID", "Home tenant ID", "Home tenant name", "IP address", "Location", "Status", "Sign-in error code",
	"Failure reason", "Client app", "Device ID", "Browser", "Operating System", "Compliant", "Managed", "Join Type",
	"Multifactor authentication result", "Multifactor authentication auth method", "Multifactor authentication auth detail",
	"Authentication requirement", "Sign-in identifier", "Session ID", "IP address (seen by resource)",
	"Through Global Secure Access", "Global Secure Access IP address", "Autonomous system  number", "Flagged for review",
	"Token issuer type", "Incoming token type", "Token issuer name", "Latency", "Conditional Access", "Managed Identity type",
	"Associated Resource Id", "Federated Token Id", "Federated Token Issuer"}

// adminCSV renders user sign-ins as admin-center CSV files, one per log type, named as the
// admin center names its downloads. This format has no coordinates and no risk fields.
func adminCSV(t *testing.T, input []map[string]any) map[string][]byte {
	files := map[string]*bytes.Buffer{}
	for _, o := range input {
		lt := logTypeOf(o)
		if lt != "interactiveUser" && lt != "nonInteractiveUser" {
			t.Fatal("admin CSV rendering covers user sign-ins only")
		}
		name := "InteractiveSignIns_2025-06-10_2025-06-12.csv"
		if lt == "nonInteractiveUser" {
			name = "NonInteractiveSignIns_2025-06-10_2025-06-12.csv"
		}
		b := files[name]
		if b == nil {
			b = &bytes.Buffer{}
			files[name] = b
			w := csv.NewWriter(b)
			w.Write(adminCSVHeader)
			w.Flush()
		}
		code := errorCodeOf(o)
		status := "Success"
		if code != 0 {
			status = "Failure"
		}
		loc := ""
		if city, country := locationOf(o); city != "" || country != "" {
			loc = city + ", , " + country
		}
		ca := "notApplied"
		if str(o, "conditionalAccessStatus") == "failure" {
			ca = "failure"
		}
		st, _ := o["status"].(map[string]any)
		row := map[string]string{
			"Date (UTC)": createdOf(t, o).Format(time.RFC3339), "Request ID": str(o, "id"), "User agent": str(o, "userAgent"),
			"Correlation ID": str(o, "correlationId"), "User ID": str(o, "userId"), "User": str(o, "userDisplayName"),
			"Username": str(o, "userPrincipalName"), "User type": str(o, "userType"), "Cross tenant access type": str(o, "crossTenantAccessType"),
			"Incoming token type": "none", "Authentication Protocol": str(o, "authenticationProtocol"),
			"Original transfer method": str(o, "originalTransferMethod"), "Application": str(o, "appDisplayName"),
			"Application ID ": str(o, "appId"), "Resource": str(o, "resourceDisplayName"), "Resource ID ": str(o, "resourceId"),
			"Resource tenant ID": str(o, "resourceTenantId"), "Home tenant ID": str(o, "homeTenantId"), "Home tenant name": str(o, "homeTenantName"),
			"IP address": str(o, "ipAddress"), "Location": loc, "Status": status, "Sign-in error code": strconv.Itoa(code),
			"Failure reason": str(st, "failureReason"), "Client app": str(o, "clientAppUsed"),
			"Authentication requirement": str(o, "authenticationRequirement"), "Token issuer type": "AzureAD",
			"Latency": "100", "Conditional Access": ca,
		}
		rec := make([]string, len(adminCSVHeader))
		for j, h := range adminCSVHeader {
			if j == 47 { // the second "Incoming token type"
				continue
			}
			rec[j] = row[h]
		}
		w := csv.NewWriter(b)
		w.Write(rec)
		w.Flush()
	}
	out := map[string][]byte{}
	for name, b := range files {
		out[name] = b.Bytes()
	}
	return out
}
