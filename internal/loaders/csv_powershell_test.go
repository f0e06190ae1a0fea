package loaders

import (
	"strings"
	"testing"
)

func TestPowerShellExpandedCulture(t *testing.T) {
	// Export-Csv -UseCulture on a German machine: semicolons, dotted day-first dates,
	// nested values expanded by the script into Status.ErrorCode and friends, DeviceDetail
	// left as its type name, the log type from each row's SignInEventTypes.
	info, s := readFile(t, "../../testdata/csv/powershell/signins-expanded-de-DE.csv")
	if info.Format != "powershell-csv" || len(s.recs) != 3 || len(s.problems) != 0 {
		t.Fatalf("format %s, %d records, %+v", info.Format, len(s.recs), s.problems)
	}
	want := []struct {
		lt, created, city string
		code              int64
		interactive       Tri
	}{
		{Interactive, "2025-06-10T08:00:00Z", "Amsterdam", 0, True},
		{Interactive, "2025-06-10T09:15:30Z", "Sydney", 50126, True},
		{NonInteractive, "2025-06-10T08:05:12Z", "Amsterdam", 0, False},
	}
	for i, w := range want {
		r := s.recs[i]
		if r.LogType != w.lt || !r.CreatedAt.Equal(mustTime(t, w.created)) || r.S[City] != w.city || r.ErrorCode != w.code || r.Interactive != w.interactive || r.S[Browser] != "" {
			t.Errorf("row %d: %s %v %q %d %v %q", i, r.LogType, r.CreatedAt, r.S[City], r.ErrorCode, r.Interactive, r.S[Browser])
		}
	}
	if s.recs[1].S[FailureReason] != "Error validating credentials due to invalid username or password." || s.recs[0].S[Country] != "NL" {
		t.Errorf("nested columns: %q %q", s.recs[1].S[FailureReason], s.recs[0].S[Country])
	}
	notes := strings.Join(info.Notes, "\n")
	for _, w := range []string{"separated by semicolons", "read as day-first", "only a .NET type name", "DeviceDetail"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	for _, u := range []string{"browser", "device_id", "operating_system", "state"} {
		if !contains(info.Unavailable, u) {
			t.Errorf("%s should be unavailable: %v", u, info.Unavailable)
		}
	}
	for _, u := range []string{"error_code", "failure_reason", "city", "country", "is_interactive"} {
		if contains(info.Unavailable, u) {
			t.Errorf("%s is carried but declared unavailable", u)
		}
	}
}

func TestPowerShellTypeNames(t *testing.T) {
	// Get-MgAuditLogSignIn | Export-Csv: nested objects are type names. The first row's
	// Status is only a type name, so its outcome is unknown and it is rejected; the second
	// row's Status was converted to JSON and loads.
	info, s := readFile(t, "../../testdata/csv/damage/powershell-typenames.csv")
	if info.Format != "powershell-csv" || !strings.Contains(info.Detection, "#TYPE") {
		t.Errorf("format %s (%s)", info.Format, info.Detection)
	}
	if len(s.recs) != 1 || len(s.problems) != 1 {
		t.Fatalf("%d records, problems %+v", len(s.recs), s.problems)
	}
	if p := s.problems[0]; p.Line != 3 || p.Field != "Status" || !strings.Contains(p.Reason, ".NET type name") {
		t.Errorf("problem %+v", p)
	}
	r := s.recs[0]
	if r.ErrorCode != 50126 || r.LogType != Interactive || r.S[RiskState] != "atRisk" || r.S[Country] != "" || len(r.CAPolicies) != 0 ||
		!r.CreatedAt.Equal(mustTime(t, "2025-06-10T09:15:30Z")) || r.Line != 4 {
		t.Errorf("record %+v", r)
	}
	if strings.Contains(s.extras[0], "Microsoft.Graph") || strings.Contains(s.extras[0], "System.") {
		t.Errorf("a type name went to extra: %s", s.extras[0])
	}
	notes := strings.Join(info.Notes, "\n")
	for _, w := range []string{"#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignIn", "AdditionalProperties, AppliedConditionalAccessPolicies, DeviceDetail, Location, RiskEventTypes, RiskEventTypesV2, Status", "Select-Object"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	for _, u := range []string{"city", "country", "device_id", "ca_policies", "risk_event_types"} {
		if !contains(info.Unavailable, u) {
			t.Errorf("%s should be unavailable: %v", u, info.Unavailable)
		}
	}
	if contains(info.Unavailable, "error_code") {
		t.Errorf("Status carried a value in one row: error_code is available")
	}
}
