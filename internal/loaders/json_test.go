package loaders

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// recSink keeps copies of everything a loader emits.
type recSink struct {
	recs     []Record
	extras   []string
	skipped  map[string]int
	problems []Problem
	steps    []AuthStep
	audits   []AuditRecord
	provs    []ProvisioningRecord
}

// readDiff describes the first difference between two reads of one input (got against
// the reference want): records, problems, skips; "" when there is none.
func readDiff(got, want *recSink) string {
	if len(got.recs) != len(want.recs) {
		return fmt.Sprintf("%d records, want %d", len(got.recs), len(want.recs))
	}
	for i := range want.recs {
		g, w := got.recs[i], want.recs[i]
		g.extra, w.extra = nil, nil
		if !reflect.DeepEqual(g, w) || got.extras[i] != want.extras[i] {
			return fmt.Sprintf("record %d differs:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if !reflect.DeepEqual(got.audits, want.audits) || !reflect.DeepEqual(got.provs, want.provs) {
		return fmt.Sprintf("audit or provisioning records differ: got %d/%d, want %d/%d", len(got.audits), len(got.provs), len(want.audits), len(want.provs))
	}
	if !reflect.DeepEqual(got.problems, want.problems) {
		return fmt.Sprintf("problems differ:\n got %+v\nwant %+v", got.problems, want.problems)
	}
	if !reflect.DeepEqual(got.skipped, want.skipped) {
		return fmt.Sprintf("skipped %v, want %v", got.skipped, want.skipped)
	}
	return ""
}

func (s *recSink) Record(r *Record) error {
	c := *r
	c.CAPolicies = append([]CAPolicy(nil), r.CAPolicies...)
	c.AuthSteps = append([]AuthStep(nil), r.AuthSteps...)
	s.recs = append(s.recs, c)
	s.extras = append(s.extras, r.Extra())
	return nil
}

func (s *recSink) AuthStep(st *AuthStep) error { s.steps = append(s.steps, *st); return nil }

func (s *recSink) Audit(a *AuditRecord) error {
	s.audits = append(s.audits, a.Clone())
	return nil
}

func (s *recSink) Provisioning(p *ProvisioningRecord) error {
	s.provs = append(s.provs, p.Clone())
	return nil
}

func (s *recSink) Skip(category string) {
	if s.skipped == nil {
		s.skipped = map[string]int{}
	}
	s.skipped[category]++
}

func (s *recSink) Reject(p Problem) { s.problems = append(s.problems, p) }

func readFile(t *testing.T, path string) (*Info, *recSink) {
	t.Helper()
	return readFileWith(t, path, ReadOptions{})
}

func readFileWith(t *testing.T, path string, opt ReadOptions) (*Info, *recSink) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &recSink{}
	info, err := ReadWith(FileInput(path, st.Size()), s, opt)
	if err != nil {
		t.Fatalf("Read(%s): %v", path, err)
	}
	return info, s
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGraphPage(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/same-events/graph/graph-page-1.json")
	if info.Format != "graph-page" {
		t.Fatalf("format %q, want graph-page", info.Format)
	}
	if len(s.recs) != 2 || len(s.problems) != 0 || len(s.skipped) != 0 {
		t.Fatalf("got %d records, %d problems, %v skipped; want 2, 0, none", len(s.recs), len(s.problems), s.skipped)
	}
	a := s.recs[0]
	want := map[Str]string{
		ID: "11111111-0000-0000-0000-000000000001", UserPrincipalName: "alice@contoso.example",
		UserType: "member", AppDisplayName: "Microsoft Teams", Country: "NL", City: "Amsterdam",
		Browser: "Edge 124.0.2478", OperatingSystem: "Windows10", DeviceTrustType: "Azure AD joined",
		DeviceName: "LAPTOP-ALICE", MFAAuthMethod: "Mobile app notification", FailureReason: "Other.",
		AdditionalDetails: "MFA completed in Azure AD", AuthenticationRequirement: "multiFactorAuthentication",
		ResourceID: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", IncomingTokenType: "none", ConditionalAccessStatus: "success",
	}
	for col, v := range want {
		if a.S[col] != v {
			t.Errorf("%s = %q, want %q", strColumns[col], a.S[col], v)
		}
	}
	if a.LogType != Interactive || a.ErrorCode != 0 || !a.HasErrorCode {
		t.Errorf("log type %q error %d", a.LogType, a.ErrorCode)
	}
	if !a.CreatedAt.Equal(mustTime(t, "2025-06-10T08:00:00.1234567Z")) {
		t.Errorf("created %v", a.CreatedAt)
	}
	if a.Compliant != True || a.Managed != True || a.Interactive != True {
		t.Errorf("compliant %v managed %v interactive %v", a.Compliant, a.Managed, a.Interactive)
	}
	if !a.Latitude.Valid || a.Latitude.V != 52.37 || a.Longitude.V != 4.89 || a.ProcessingMs.V != 120 {
		t.Errorf("geo %v %v latency %v", a.Latitude, a.Longitude, a.ProcessingMs)
	}
	if len(a.CAPolicies) != 2 || a.CAPolicies[0].Name != "Require MFA for all users" || a.CAPolicies[0].Result != "success" ||
		strings.Join(a.CAPolicies[0].Grant, ",") != "Mfa" || a.CAPolicies[1].Result != "notApplied" {
		t.Errorf("CA policies %+v", a.CAPolicies)
	}
	if len(a.AuthSteps) != 2 || a.AuthSteps[0].Method != "Password" || a.AuthSteps[0].MethodDetail != "Password in the cloud" ||
		a.AuthSteps[1].Requirement != "Multifactor authentication" || a.AuthSteps[1].Succeeded != True {
		t.Errorf("auth steps %+v", a.AuthSteps)
	}
	if !strings.Contains(s.extras[0], `"someFutureField":{"nested":1}`) {
		t.Errorf("unknown field not kept in extra: %s", s.extras[0])
	}
	b := s.recs[1]
	if b.ErrorCode != 50126 || b.S[FailureReason] != "Error validating credentials due to invalid username or password." ||
		strings.Join(b.RiskEventTypes, ",") != "unfamiliarFeatures,anonymizedIPAddress" || b.S[RiskLevelDuringSignIn] != "high" {
		t.Errorf("second record: code %d reason %q risk %v", b.ErrorCode, b.S[FailureReason], b.RiskEventTypes)
	}
	if b.Status() != "failure" {
		t.Errorf("status %q", b.Status())
	}
}

func TestManagedIdentityFromEventTypes(t *testing.T) {
	t.Parallel()
	_, s := readFile(t, "../../testdata/json/same-events/graph/graph-page-2.json")
	if len(s.recs) != 1 {
		t.Fatalf("%d records", len(s.recs))
	}
	r := s.recs[0]
	if r.LogType != ManagedIdent || r.S[ManagedIdentityType] != "systemAssigned" || r.S[ServicePrincipalID] != "ssssssss-0000-0000-0000-000000000003" {
		t.Errorf("log type %q msi %q sp %q", r.LogType, r.S[ManagedIdentityType], r.S[ServicePrincipalID])
	}
}

func TestBackToBackArrays(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/shapes/back-to-back-arrays.json")
	if info.Format != "json-array" {
		t.Errorf("format %q", info.Format)
	}
	if len(s.recs) != 3 || len(s.problems) != 0 {
		t.Fatalf("%d records %d problems, want 3 and 0", len(s.recs), len(s.problems))
	}
	// Log types from the fields: isInteractive true; false with a user; no user with a service principal.
	for i, want := range []string{Interactive, NonInteractive, ServicePrinc} {
		if s.recs[i].LogType != want {
			t.Errorf("record %d log type %q, want %q", i+1, s.recs[i].LogType, want)
		}
	}
	// Lines and indexes: array 1 on line 1, array 2 starts on line 2, its second element on line 3.
	for i, want := range []struct{ line, index int64 }{{1, 1}, {2, 2}, {3, 3}} {
		if s.recs[i].Line != want.line || s.recs[i].Index != want.index {
			t.Errorf("record %d at line %d index %d, want %d/%d", i+1, s.recs[i].Line, s.recs[i].Index, want.line, want.index)
		}
	}
}

func TestTruncatedJSONLines(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/shapes/graph-lines-truncated.jsonl")
	if info.Format != "graph-jsonl" {
		t.Errorf("format %q", info.Format)
	}
	if len(s.recs) != 2 || len(s.problems) != 1 {
		t.Fatalf("%d records %d problems, want 2 and 1", len(s.recs), len(s.problems))
	}
	if p := s.problems[0]; p.Line != 3 || !strings.Contains(p.Reason, "cut off by the end of the file") {
		t.Errorf("problem %+v", p)
	}
}

func TestLastLineWithoutNewline(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "lines.jsonl")
	os.WriteFile(p, []byte(`{"id":"a1","createdDateTime":"2025-06-01T10:00:00Z","userId":"u1","status":{"errorCode":0}}
{"id":"a2","createdDateTime":"2025-06-01T10:00:01Z","userId":"u1","status":{"errorCode":0}}`), 0o644)
	_, s := readFile(t, p)
	if len(s.recs) != 2 || len(s.problems) != 0 {
		t.Errorf("%d records %d problems, want 2 and 0", len(s.recs), len(s.problems))
	}
}

func TestArrayCutOff(t *testing.T) {
	t.Parallel()
	_, s := readFile(t, "../../testdata/json/shapes/array-cut-off.json")
	if len(s.recs) != 2 || len(s.problems) != 1 {
		t.Fatalf("%d records %d problems, want 2 and 1", len(s.recs), len(s.problems))
	}
	if p := s.problems[0]; p.Line != 4 || p.Index != 3 || !strings.Contains(p.Reason, "cut off") {
		t.Errorf("problem %+v", p)
	}
}

func TestEmptyFile(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/shapes/empty.json")
	if info.Format != "empty" || len(s.recs)+len(s.problems) != 0 {
		t.Errorf("format %q, %d records, %d problems", info.Format, len(s.recs), len(s.problems))
	}
	if info.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("sha256 of empty file %s", info.SHA256)
	}
}

func TestPowerShellUTF16(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/shapes/powershell-utf16.json")
	if info.Encoding != "utf-16le" || info.Format != "json-array" {
		t.Errorf("encoding %q format %q", info.Encoding, info.Format)
	}
	if len(s.recs) != 1 {
		t.Fatalf("%d records, problems %v", len(s.recs), s.problems)
	}
	r := s.recs[0]
	if r.S[UserPrincipalName] != "carol@x.example" || r.ErrorCode != 50126 || r.S[OperatingSystem] != "" || r.LogType != Interactive {
		t.Errorf("record %+v", r.S)
	}
	// 1748772000000 ms = 2025-06-01T10:00:00Z.
	if !r.CreatedAt.Equal(mustTime(t, "2025-06-01T10:00:00Z")) {
		t.Errorf("created %v", r.CreatedAt)
	}
	if len(info.Notes) != 1 || !strings.Contains(info.Notes[0], "DeviceDetail") {
		t.Errorf("notes %q", info.Notes)
	}
}

func TestDiagnosticMixed(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/shapes/diagnostic-mixed.PT1H.json")
	if info.Format != "diagnostic-jsonl" {
		t.Errorf("format %q", info.Format)
	}
	if len(s.recs) != 4 || len(s.audits) != 1 || len(s.skipped) != 0 || len(s.problems) != 1 {
		t.Fatalf("%d records, %d audits, skipped %v, %d problems; want 4, 1, none, 1", len(s.recs), len(s.audits), s.skipped, len(s.problems))
	}
	if a := s.audits[0]; a.S[AuditID] != "x" || !a.ActivityAt.Equal(mustTime(t, "2025-06-01T10:02:00Z")) ||
		!a.IngestedAt.Equal(mustTime(t, "2025-06-01T10:02:05Z")) || a.Line != 3 {
		t.Errorf("audit %+v", a)
	}
	wantTypes := []string{Interactive, NonInteractive, ManagedIdent, ServicePrinc}
	for i, w := range wantTypes {
		if s.recs[i].LogType != w {
			t.Errorf("record %d: %q, want %q", i+1, s.recs[i].LogType, w)
		}
	}
	r := s.recs[0]
	if r.S[IPAddress] != "192.0.2.1" || r.S[TenantID] != "t1" || r.S[City] != "Berlin" || !r.IngestedAt.Equal(mustTime(t, "2025-06-01T10:00:05Z")) {
		t.Errorf("envelope not merged: ip %q tenant %q city %q ingested %v", r.S[IPAddress], r.S[TenantID], r.S[City], r.IngestedAt)
	}
	if !strings.Contains(s.extras[0], `"envelope.resourceId":"/tenants/t1/providers/Microsoft.aadiam"`) {
		t.Errorf("envelope field lost: %s", s.extras[0])
	}
	if p := s.problems[0]; p.Line != 6 || !strings.Contains(p.Reason, "invalid JSON") {
		t.Errorf("problem %+v", p)
	}
}

func TestRecordsEnvelope(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/shapes/records-envelope.json")
	if info.Format != "diagnostic-envelope" || len(s.recs) != 2 {
		t.Fatalf("format %q, %d records", info.Format, len(s.recs))
	}
	if s.recs[0].LogType != ServicePrinc || s.recs[0].S[ClientCredentialType] != "clientSecret" || s.recs[1].ErrorCode != 53003 {
		t.Errorf("records %+v %+v", s.recs[0].S, s.recs[1].S)
	}
	if s.recs[1].Index != 2 || s.recs[1].Line != 0 {
		t.Errorf("envelope element position line %d index %d, want 0/2", s.recs[1].Line, s.recs[1].Index)
	}
}

func TestLogAnalyticsREST(t *testing.T) {
	t.Parallel()
	info, s := readFile(t, "../../testdata/json/shapes/la-rest.json")
	if info.Format != "la-rest-json" {
		t.Errorf("format %q", info.Format)
	}
	if len(s.recs) != 2 || len(s.audits) != 1 || len(s.skipped) != 0 {
		t.Fatalf("%d records, %d audits, skipped %v", len(s.recs), len(s.audits), s.skipped)
	}
	// The AuditLogs row of the union has no ActivityDateTime: its time is TimeGenerated.
	if a := s.audits[0]; a.S[AuditID] != "l3" || !a.ActivityAt.Equal(mustTime(t, "2025-06-01T08:30:00Z")) {
		t.Errorf("audit row %+v at %v", a.S, a.ActivityAt)
	}
	a, b := s.recs[0], s.recs[1]
	if a.LogType != Interactive || a.S[TenantID] != "t1" || a.S[Country] != "FR" || a.S[City] != "Paris" ||
		!a.CreatedAt.Equal(mustTime(t, "2025-06-01T08:00:00Z")) || !a.IngestedAt.Equal(mustTime(t, "2025-06-01T08:10:00Z")) {
		t.Errorf("row 1: %+v created %v", a.S, a.CreatedAt)
	}
	if !strings.Contains(s.extras[0], `"TenantId":"ws-0000"`) {
		t.Errorf("workspace id should stay in extra, not tenant: %s", s.extras[0])
	}
	// The service principal table has only TimeGenerated: it is the event time.
	if b.LogType != ServicePrinc || b.ErrorCode != 7000215 || !b.CreatedAt.Equal(mustTime(t, "2025-06-01T08:20:00Z")) {
		t.Errorf("row 2: %q %d %v", b.LogType, b.ErrorCode, b.CreatedAt)
	}
}

func TestUnrecognized(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "notes.txt")
	os.WriteFile(p, []byte("Date,Thing\n1,2\n"), 0o644)
	_, err := Read(FileInput(p, 15), &recSink{})
	if err == nil || !strings.Contains(err.Error(), "not a recognized sign-in log export") || !strings.Contains(err.Error(), "notes.txt:1") {
		t.Errorf("err = %v", err)
	}
	bin := filepath.Join(dir, "blob.bin")
	os.WriteFile(bin, []byte{0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10}, 0o644)
	if _, err := Read(FileInput(bin, 7), &recSink{}); err == nil || !strings.Contains(err.Error(), "not a recognized") {
		t.Errorf("binary: err = %v", err)
	}
}

func TestGzipTransparent(t *testing.T) {
	t.Parallel()
	// The gzip of graph-page-2.json, made with the standard library at test time.
	src, err := os.ReadFile("../../testdata/json/same-events/graph/graph-page-2.json")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "page.json.gz")
	writeGzip(t, p, src)
	_, s := readFile(t, p)
	if len(s.recs) != 1 || s.recs[0].LogType != ManagedIdent {
		t.Errorf("%d records", len(s.recs))
	}
}

func TestParseTime(t *testing.T) {
	cases := []struct {
		in       string
		dayFirst bool
		want     string
	}{
		{"2020-03-13T19:15:41.6195833Z", false, "2020-03-13T19:15:41.6195833Z"},
		{"2025-11-12T13:50:16.693874+00:00", false, "2025-11-12T13:50:16.693874Z"},
		{"2022-01-24T05:10:08.6816663-05:00", false, "2022-01-24T10:10:08.6816663Z"},
		{"2023-07-26 22:58:30.983201900", false, "2023-07-26T22:58:30.9832019Z"},
		{"2007-01-09T09:41:00", false, "2007-01-09T09:41:00Z"},
		{"9/19/2023, 1:45:17.287 PM", false, "2023-09-19T13:45:17.287Z"},
		{"11/14/2025 1:48:53 AM", false, "2025-11-14T01:48:53Z"},
		{"12/1/2025 12:05:00 AM", false, "2025-12-01T00:05:00Z"},
		{"1/9/2007 10:41:00 AM +01:00", false, "2007-01-09T09:41:00Z"},
		{"12.03.2025 07:22:01", false, "2025-03-12T07:22:01Z"},
		{"05/01/2024 10:11:12", true, "2024-01-05T10:11:12Z"},
		{"05/01/2024 10:11:12", false, "2024-05-01T10:11:12Z"},
		{"/Date(1690123456000)/", false, "2023-07-23T14:44:16Z"},
	}
	for _, c := range cases {
		got, err := ParseTime(c.in, c.dayFirst)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", c.in, err)
			continue
		}
		if want := mustTime(t, c.want); !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, want %v", c.in, got, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "31/31/2025 10:00:00", "2/30/2025 10:00:00", "13:00"} {
		if _, err := ParseTime(bad, false); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestDateOrder(t *testing.T) {
	if df, amb := DateOrder([]string{"3/12/2025 7:22:01 AM", "3/13/2025 7:22:01 AM"}); df || amb {
		t.Errorf("US dates: dayFirst %v ambiguous %v", df, amb)
	}
	if df, amb := DateOrder([]string{"05/01/2024 10:11:12", "25/01/2024 10:11:12"}); !df || amb {
		t.Errorf("day-first dates: dayFirst %v ambiguous %v", df, amb)
	}
	if df, amb := DateOrder([]string{"05/01/2024 10:11:12"}); df || !amb {
		t.Errorf("ambiguous: dayFirst %v ambiguous %v", df, amb)
	}
	if df, amb := DateOrder([]string{"2025-06-01T10:00:00Z"}); df || amb {
		t.Errorf("ISO: dayFirst %v ambiguous %v", df, amb)
	}
}

func TestLogTypeFromName(t *testing.T) {
	cases := map[string]string{
		"InteractiveSignIns_2025-06-01_2025-06-08.csv":                  Interactive,
		"NonInteractiveSignIns_2025-06-01_2025-06-08.json":              NonInteractive,
		"ApplicationSignIns_2025-06-01_2025-06-08.csv":                  ServicePrinc,
		"MSISignIns_2025-06-01_2025-06-08.csv":                          ManagedIdent,
		"insights-logs-signinlogs/y=2025/m=06/d=01/h=00/m=00/PT1H.json": Interactive,
		"insights-logs-noninteractiveusersigninlogs/y=2025/PT1H.json":   NonInteractive,
		"insights-logs-managedidentitysigninlogs/y=2025/PT1H.json":      ManagedIdent,
		"insights-logs-serviceprincipalsigninlogs/y=2025/PT1H.json":     ServicePrinc,
		"2025-06-01-nonInteractiveUser-SignInLogs.json":                 NonInteractive,
		"export.json": "",
	}
	for name, want := range cases {
		if got := LogTypeFromName(name); got != want {
			t.Errorf("LogTypeFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestStrColumnsMatchSchemaOrder(t *testing.T) {
	// The store appends text columns in Str order; the schema must list them in that order.
	b, err := os.ReadFile("../store/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	schema := string(b)
	last := -1
	for i, name := range strColumns {
		at := strings.Index(schema, "\n    "+name+" ")
		if at < 0 {
			t.Fatalf("column %s (Str %d) not in schema", name, i)
		}
		if at < last {
			t.Errorf("column %s is out of order in the schema", name)
		}
		last = at
	}
}

func TestLogAnalyticsRowsEachKeepTheirOutcome(t *testing.T) {
	t.Parallel()
	// Status JSON text in one row must not stop the next row's ResultType from counting.
	p := filepath.Join(t.TempDir(), "SigninLogs.json")
	os.WriteFile(p, []byte(`{"TimeGenerated":"2025-06-01T08:10:00Z","CreatedDateTime":"2025-06-01T08:00:00Z","Id":"r1","UserId":"u1","ResultType":"0","Status":"{\"errorCode\":0}","Type":"SigninLogs"}
{"TimeGenerated":"2025-06-01T08:11:00Z","CreatedDateTime":"2025-06-01T08:01:00Z","Id":"r2","UserId":"u1","ResultType":"50126","Type":"SigninLogs"}
`), 0o644)
	info, s := readFile(t, p)
	if info.Format != "la-json-rows" || len(s.recs) != 2 || len(s.problems) != 0 {
		t.Fatalf("format %q, %d records, problems %v", info.Format, len(s.recs), s.problems)
	}
	if s.recs[1].ErrorCode != 50126 {
		t.Errorf("second row error code %d", s.recs[1].ErrorCode)
	}
}

func TestMarkdownNotesAreIgnoredButListed(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(p, []byte("# Export notes\n"), 0o644)
	info, s := readFile(t, p)
	if info.Format != "ignored" || len(s.recs)+len(s.problems) != 0 || len(info.SHA256) != 64 {
		t.Errorf("format %q, sha %q", info.Format, info.SHA256)
	}
}

func TestLogAnalyticsIdentityOfWorkloads(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "AADServicePrincipalSignInLogs.json")
	os.WriteFile(p, []byte(`{"TimeGenerated":"2025-06-01T08:10:00Z","Id":"w1","Identity":"backup-daemon","ServicePrincipalId":"sp1","ResultType":"0","Type":"AADServicePrincipalSignInLogs"}
`), 0o644)
	_, s := readFile(t, p)
	if len(s.recs) != 1 || s.recs[0].S[ServicePrincipalName] != "backup-daemon" || s.recs[0].S[UserDisplayName] != "" {
		t.Errorf("records %+v", s.recs)
	}
}

// An input that ends inside nested arrays is reported once, however deep it ends, and an
// element cut off inside them is the only problem (it used to add one "array cut off" per
// array still open).
func TestNestedArrayCutOffReportedOnce(t *testing.T) {
	t.Parallel()
	rec := `{"createdDateTime":"2025-06-01T00:00:00Z","id":"a","status":{"errorCode":0}}`
	for _, c := range []struct {
		name, text string
		reasons    []string
	}{
		{"element cut off", "[" + rec + ",[[" + rec[:30], []string{"cut off by the end of the file"}},
		{"ends between elements", "[" + rec + ",[" + rec + ",", []string{"the JSON array is cut off"}},
		{"ends after an element", "[" + rec + ",[[" + rec + "]", []string{"the JSON array is cut off"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, workers := range []int{1, 2} {
				s := &recSink{}
				_, err := ReadWith(bytesInput("export.json", []byte(c.text)), s, ReadOptions{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if len(s.problems) != len(c.reasons) {
					t.Fatalf("workers=%d: %d problems %+v, want %d", workers, len(s.problems), s.problems, len(c.reasons))
				}
				for i, p := range s.problems {
					if !strings.Contains(p.Reason, c.reasons[i]) {
						t.Errorf("workers=%d: problem %d %q, want %q", workers, i, p.Reason, c.reasons[i])
					}
				}
			}
		})
	}
}
