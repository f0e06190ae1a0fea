package loaders

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fastjson"
)

// sharedSample finds a file of the shared samples folder, or skips the test when the
// folder is not next to the repository.
func sharedSample(t *testing.T, rel string) string {
	t.Helper()
	for _, base := range []string{"../../../shared/samples", "../../shared/samples"} {
		p := filepath.Join(base, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("shared sample %s not present", rel)
	return ""
}

// The real Log Analytics export (one SigninLogs row, 76 columns): every value below was
// read off the file by eye.
func TestLASampleRow(t *testing.T) {
	p := sharedSample(t, "log-analytics-csv/signinlogs-la-export-row1.csv")
	info, s := readFile(t, p)
	if info.Format != "la-csv" || !strings.Contains(info.Detection, "TimeGenerated [UTC]") {
		t.Errorf("format %q (%s)", info.Format, info.Detection)
	}
	if len(s.recs) != 1 || len(s.problems) != 0 {
		t.Fatalf("%d records, problems %+v", len(s.recs), s.problems)
	}
	r := s.recs[0]
	want := map[Str]string{
		ID:                         "56b9bd55-36cc-4180-b997-270fa6e61a00",
		OriginalRequestID:          "56b9bd55-36cc-4180-b997-270fa6e61a00",
		CorrelationID:              "e9202c39-aad0-4ae4-8ee5-6a3459a7e034",
		AppDisplayName:             "Azure Portal",
		AppID:                      "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
		UserType:                   "guest",
		CrossTenantAccessType:      "b2bCollaboration",
		DeviceTrustType:            "Azure AD joined",
		OperatingSystem:            "Windows10",
		Browser:                    "Edge 117.0.2045",
		DeviceID:                   "{PII Removed}",
		ResourceDisplayName:        "Windows Azure Service Management API",
		ResourceID:                 "797f4846-ba00-4fd7-ba43-dac1f8f63013",
		ResourceServicePrincipalID: "45c7112a-39d4-4aa7-8dda-3d2c7c0fe1f4",
		ResourceTenantID:           "4b2462a4-bbee-495a-a0e1-f23ae524cc9c",
		HomeTenantID:               "72f988bf-86f1-41af-91ab-2d7cd011db47",
		TenantID:                   "4b2462a4-bbee-495a-a0e1-f23ae524cc9c", // AADTenantId, not the workspace
		Country:                    "US",
		ClientAppUsed:              "Browser",
		ConditionalAccessStatus:    "notApplied",
		AuthenticationRequirement:  "singleFactorAuthentication",
		AuthenticationProtocol:     "none",
		TokenIssuerType:            "AzureAD",
		UniqueTokenID:              "Vb25Vsw2gEG5lycPpuYaAA",
		RiskLevelDuringSignIn:      "none",
		RiskState:                  "none",
		UserAgent:                  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36 Edg/117.0.2045.31 OS/10.0.22621",
		UserPrincipalName:          "",
		IPAddress:                  "",
	}
	for col, v := range want {
		if r.S[col] != v {
			t.Errorf("%s = %q, want %q", strColumns[col], r.S[col], v)
		}
	}
	if r.LogType != Interactive || r.ErrorCode != 0 || !r.HasErrorCode || r.Status() != "success" {
		t.Errorf("log type %s, code %d, status %s", r.LogType, r.ErrorCode, r.Status())
	}
	if !r.CreatedAt.Equal(mustTime(t, "2023-09-19T13:42:37.848Z")) || !r.IngestedAt.Equal(mustTime(t, "2023-09-19T13:45:17.287Z")) {
		t.Errorf("created %v ingested %v", r.CreatedAt, r.IngestedAt)
	}
	if r.ASN != (Opt[int64]{V: 20115, Valid: true}) || r.ProcessingMs != (Opt[int64]{V: 330, Valid: true}) {
		t.Errorf("ASN %+v processing %+v", r.ASN, r.ProcessingMs)
	}
	if r.Compliant != True || r.Managed != True || r.Interactive != True || r.Flagged != Unknown {
		t.Errorf("compliant %v managed %v interactive %v flagged %v", r.Compliant, r.Managed, r.Interactive, r.Flagged)
	}
	if len(r.RiskEventTypes) != 0 || len(r.CAPolicies) != 0 {
		t.Errorf("risk events %v, CA policies %v", r.RiskEventTypes, r.CAPolicies)
	}
	if len(r.AuthSteps) != 1 {
		t.Fatalf("%d auth steps", len(r.AuthSteps))
	}
	st := r.AuthSteps[0]
	if st.Method != "Previously satisfied" || st.Succeeded != True || st.Requirement != "Primary authentication" ||
		st.ResultDetail != "First factor requirement satisfied by claim in the token" || !st.Time.Equal(mustTime(t, "2023-09-19T13:42:37.8484953Z")) ||
		!strings.Contains(string(st.Extra), `"StatusSequence":0`) {
		t.Errorf("auth step %+v extra %s", st, st.Extra)
	}
	ex := s.extras[0]
	for _, w := range []string{`"TenantId":"81a662b5-8541-481b-977d-5d956616ac5e"`, `"ResourceId":"/tenants/4b2462a4-bbee-495a-a0e1-f23ae524cc9c/providers/Microsoft.aadiam"`,
		`"AuthenticationProcessingDetails":[{"key":"Login Hint Present","value":"True"}`, `"Type":"SigninLogs"`, `"SignInIdentifierType"`} {
		if w == `"SignInIdentifierType"` {
			if strings.Contains(ex, w) {
				t.Errorf("an empty cell went to extra: %s", ex)
			}
			continue
		}
		if !strings.Contains(ex, w) {
			t.Errorf("extra lacks %s: %s", w, ex)
		}
	}
	for _, u := range []string{"session_id", "home_tenant_name", "incoming_token_type"} {
		if !contains(info.Unavailable, u) {
			t.Errorf("%s should be unavailable in this export: %v", u, info.Unavailable)
		}
	}
	for _, u := range []string{"risk_state", "ca_policies", "auth_steps", "latitude"} {
		if contains(info.Unavailable, u) {
			t.Errorf("%s is in this export's columns but declared unavailable", u)
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// readText reads text under a file name with Read.
func readText(t *testing.T, name, text string) (*Info, *recSink, error) {
	t.Helper()
	s := &recSink{}
	info, err := Read(bytesInput(name, []byte(text)), s)
	return info, s, err
}

func TestLACSVTimeZoneAndLogType(t *testing.T) {
	// A displayed-columns export in another zone, without Type or Category, from the
	// non-interactive table (ProcessingTimeInMs), header cells quoted.
	text := `"TimeGenerated [Europe/Berlin]","CreatedDateTime [Europe/Berlin]","Id","UserPrincipalName","ResultType","ProcessingTimeInMs"` + "\n" +
		`"6/10/2025, 10:00:05.000 AM","6/10/2025, 10:00:00.000 AM",r1,u@x.example,0,12` + "\n" +
		`"1/15/2025, 9:00:05.000 AM","1/15/2025, 9:00:00.000 AM",r2,u@x.example,50126,7` + "\n"
	info, s, err := readText(t, "query_data.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != 2 {
		t.Fatalf("%d records %+v", len(s.recs), s.problems)
	}
	// Berlin is UTC+2 in June (summer time) and UTC+1 in January.
	if !s.recs[0].CreatedAt.Equal(mustTime(t, "2025-06-10T08:00:00Z")) || !s.recs[1].CreatedAt.Equal(mustTime(t, "2025-01-15T08:00:00Z")) {
		t.Errorf("times %v %v", s.recs[0].CreatedAt, s.recs[1].CreatedAt)
	}
	if s.recs[0].LogType != NonInteractive || s.recs[0].ProcessingMs.V != 12 {
		t.Errorf("log type %s", s.recs[0].LogType)
	}
	notes := strings.Join(info.Notes, "\n")
	for _, w := range []string{"Europe/Berlin, not UTC; converted to UTC", "2 rows have no Type or Category", "ProcessingTimeInMs"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	// A zone the file does not name cannot be converted: the file is refused.
	_, _, err = readText(t, "q.csv", "TimeGenerated [Local Time],Id,ResultType,Type\n\"6/10/2025, 10:00:05.000 AM\",r1,0,SigninLogs\n")
	if err == nil || !strings.Contains(err.Error(), "local time zone") || !strings.Contains(err.Error(), "q.csv:1") {
		t.Errorf("local time: %v", err)
	}
	// Offsets are accepted.
	_, s, _ = readText(t, "q.csv", "TimeGenerated [UTC+05:30],Id,ResultType,Type\n\"6/10/2025, 10:00:00.000 AM\",r1,0,SigninLogs\n")
	if len(s.recs) != 1 || !s.recs[0].CreatedAt.Equal(mustTime(t, "2025-06-10T04:30:00Z")) {
		t.Errorf("offset zone: %+v %+v", s.recs, s.problems)
	}
}

func TestLACSVTablesAndSkips(t *testing.T) {
	// A union query: rows of several tables, one of them not a sign-in table, one row whose
	// dynamic cell is JSON wrapped in a JSON string (string-typed columns).
	text := "TimeGenerated [UTC],CreatedDateTime [UTC],Id,Status,ResultType,Type\n" +
		`"6/10/2025, 8:00:00.000 AM","6/10/2025, 7:59:00.000 AM",a,"{""errorCode"":50140}",50140,SigninLogs` + "\n" +
		`"6/10/2025, 8:01:00.000 AM",,b,,0,AuditLogs` + "\n" +
		`"6/10/2025, 8:02:00.000 AM","6/10/2025, 8:01:30.000 AM",c,"""{\""errorCode\"":50074}""",0,AADNonInteractiveUserSignInLogs` + "\n" +
		`"6/10/2025, 8:03:00.000 AM",,d,,7000215,AADServicePrincipalSignInLogs` + "\n"
	_, s, err := readText(t, "export.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != 3 || len(s.audits) != 1 || len(s.skipped) != 0 || len(s.problems) != 0 {
		t.Fatalf("%d records, %d audits, skipped %v, problems %+v", len(s.recs), len(s.audits), s.skipped, s.problems)
	}
	// The AuditLogs row of the union is an audit event; without ActivityDateTime its time is
	// TimeGenerated.
	if a := s.audits[0]; a.S[AuditID] != "b" || !a.ActivityAt.Equal(mustTime(t, "2025-06-10T08:01:00Z")) || a.Line != 3 {
		t.Errorf("audit %+v at %v line %d", a.S, a.ActivityAt, a.Line)
	}
	a, c, d := s.recs[0], s.recs[1], s.recs[2]
	if a.LogType != Interactive || a.ErrorCode != 50140 || !a.CreatedAt.Equal(mustTime(t, "2025-06-10T07:59:00Z")) {
		t.Errorf("a: %s %d %v", a.LogType, a.ErrorCode, a.CreatedAt)
	}
	if c.LogType != NonInteractive || c.ErrorCode != 50074 {
		t.Errorf("c: %s %d", c.LogType, c.ErrorCode)
	}
	// The service-principal table has only TimeGenerated: it is the event time.
	if d.LogType != ServicePrinc || !d.CreatedAt.Equal(mustTime(t, "2025-06-10T08:03:00Z")) || !d.IngestedAt.Equal(d.CreatedAt) {
		t.Errorf("d: %s %v", d.LogType, d.CreatedAt)
	}
}

// The Log Analytics reader assigns plain text columns directly; each must land where the
// Normalizer's own setter puts it, and nowhere else.
func TestLADirectColumnsAgreeWithNormalizer(t *testing.T) {
	for name, col := range laDirectColumns {
		var a fastjson.Arena
		var r Record
		n := Normalizer{Mode: ModeLogAnalytics}
		set := topFields()[name]
		if set == nil {
			t.Errorf("%s: not a Normalizer field", name)
			continue
		}
		set(&n, &r, name, a.NewString("v-1"))
		for i, v := range r.S {
			if want := ""; Str(i) == col {
				want = "v-1"
				if v != want {
					t.Errorf("%s: column %s = %q, want %q", name, strColumns[i], v, want)
				}
			} else if v != "" {
				t.Errorf("%s: also sets %s", name, strColumns[i])
			}
		}
		if r.Extra() != "" {
			t.Errorf("%s: extra %s", name, r.Extra())
		}
	}
}

func TestLACSVWithoutTimeColumnsSaysWhatToExport(t *testing.T) {
	text := "Id,UserPrincipalName,ResultType,Type\nr1,u@x.example,0,SigninLogs\n"
	_, s, err := readText(t, "query_data.csv", text)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err %v, want a refusal", err)
	}
	for _, want := range []string{"CreatedDateTime", "TimeGenerated", "re-export"} {
		if !strings.Contains(pe.Reason, want) {
			t.Errorf("reason %q lacks %q", pe.Reason, want)
		}
	}
	if len(s.recs) != 0 {
		t.Errorf("%d records loaded", len(s.recs))
	}
}

// An AuditLogs export carries no sign-in, so it lacks no sign-in field.
func TestLACSVAuditLogsLacksNoSigninField(t *testing.T) {
	info, s := readFile(t, "../../testdata/audit/la-csv/AuditLogs.csv")
	if info.Format != "la-csv" || len(s.audits) != 4 || len(info.Unavailable) != 0 {
		t.Errorf("format %s, %d audits, unavailable %v", info.Format, len(s.audits), info.Unavailable)
	}
}
