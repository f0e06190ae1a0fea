package gen_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
)

var testCfg = gen.Config{Seed: 7, Events: 2500, Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Days: 7, Scenarios: true}

// model returns the events of cfg, copied.
func model(t testing.TB, cfg gen.Config) []*gen.Event {
	t.Helper()
	var out []*gen.Event
	if err := gen.Events(cfg, func(e *gen.Event) error {
		out = append(out, e.Clone())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// treeHash hashes every file under dir with its relative path.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, p := range files {
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	cfg := testCfg
	cfg.Events = 1500
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := gen.WriteAll(context.Background(), a, gen.Formats(), cfg, gen.Options{Subdirs: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range gen.Formats() { // one at a time, unlike a
		if _, err := gen.Write(filepath.Join(b, f), f, cfg); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range gen.Formats() {
		ha, hb := treeHash(t, filepath.Join(a, f)), treeHash(t, filepath.Join(b, f))
		if ha != hb {
			t.Errorf("%s: two runs differ: %s vs %s", f, ha, hb)
		}
	}
	other := cfg
	other.Seed++
	if _, err := gen.Write(c, "diagnostic", other); err != nil {
		t.Fatal(err)
	}
	if treeHash(t, c) == treeHash(t, filepath.Join(a, "diagnostic")) {
		t.Error("a different seed produced the same output")
	}
}

// seen is what a format's files say about one sign-in.
type seen struct {
	logType string
	created time.Time // second precision
}

var logTypeByPrefix = map[string]string{
	"InteractiveSignIns":    gen.Interactive,
	"NonInteractiveSignIns": gen.NonInteractive,
	"ApplicationSignIns":    gen.ServicePrincipal,
	"MSISignIns":            gen.ManagedIdentity,
}

var logTypeByCategory = map[string]string{
	"SignInLogs":                   gen.Interactive,
	"NonInteractiveUserSignInLogs": gen.NonInteractive,
	"ServicePrincipalSignInLogs":   gen.ServicePrincipal,
	"ManagedIdentitySignInLogs":    gen.ManagedIdentity,
}

var logTypeByTable = map[string]string{
	"SigninLogs":                      gen.Interactive,
	"AADNonInteractiveUserSignInLogs": gen.NonInteractive,
	"AADServicePrincipalSignInLogs":   gen.ServicePrincipal,
	"AADManagedIdentitySignInLogs":    gen.ManagedIdentity,
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// isRecordFile reports whether a written file holds audit or provisioning events rather than
// sign-ins.
func isRecordFile(p string) bool {
	p = filepath.ToSlash(p)
	base := filepath.Base(p)
	for _, pre := range []string{"directoryAudits-", "provisioning-", "AuditLogs", "ProvisioningLogs", "AADProvisioningLogs"} {
		if strings.HasPrefix(base, pre) {
			return true
		}
	}
	return strings.Contains(p, "insights-logs-auditlogs/") || strings.Contains(p, "insights-logs-provisioninglogs/")
}

// signinFiles lists the sign-in files of a format's output.
func signinFiles(t *testing.T, dir string) []string {
	var out []string
	for _, p := range files(t, dir) {
		if !isRecordFile(p) {
			out = append(out, p)
		}
	}
	return out
}

func parseTime(t *testing.T, layout, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(layout, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return tm.UTC().Truncate(time.Second)
}

func addSeen(t *testing.T, got map[string]seen, id string, s seen) {
	t.Helper()
	if _, dup := got[id]; dup {
		t.Fatalf("request id %s written twice", id)
	}
	got[id] = s
}

func readJSONObjects(t *testing.T, path string, fn func(o map[string]any)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var o map[string]any
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		fn(o)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	recs, err := r.ReadAll() // also checks that every row has the header's field count
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, header)
	}
	return i
}

// parsers read every sign-in of a format back with the standard library only.
var parsers = map[string]func(t *testing.T, dir string) map[string]seen{
	"graph": func(t *testing.T, dir string) map[string]seen {
		got := map[string]seen{}
		paths := signinFiles(t, dir)
		for i, p := range paths {
			if want := fmt.Sprintf("page-%04d.json", i+1); filepath.Base(p) != want {
				t.Fatalf("page %d is %s, want %s", i+1, p, want)
			}
			b, _ := os.ReadFile(p)
			var page struct {
				Context  string            `json:"@odata.context"`
				NextLink string            `json:"@odata.nextLink"`
				Value    []json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(b, &page); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if page.Context != "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns" {
				t.Errorf("%s: @odata.context %q", p, page.Context)
			}
			last := i == len(paths)-1
			if (page.NextLink == "") != last {
				t.Errorf("%s: nextLink %q on page %d of %d", p, page.NextLink, i+1, len(paths))
			}
			if !last && len(page.Value) != 1000 {
				t.Errorf("%s: %d sign-ins, want 1000", p, len(page.Value))
			}
			for _, raw := range page.Value {
				var o struct {
					ID               string
					CreatedDateTime  string
					SignInEventTypes []string
				}
				if err := json.Unmarshal(raw, &o); err != nil {
					t.Fatal(err)
				}
				if len(o.SignInEventTypes) != 1 {
					t.Fatalf("signInEventTypes %q", o.SignInEventTypes)
				}
				if !graphTime.MatchString(o.CreatedDateTime) {
					t.Fatalf("createdDateTime %q is not Graph's 7-digit Z form", o.CreatedDateTime)
				}
				addSeen(t, got, o.ID, seen{o.SignInEventTypes[0], parseTime(t, time.RFC3339, o.CreatedDateTime)})
			}
		}
		return got
	},
	"admin-json": func(t *testing.T, dir string) map[string]seen {
		got := map[string]seen{}
		for _, p := range signinFiles(t, dir) {
			lt := logTypeByPrefix[strings.SplitN(filepath.Base(p), "_", 2)[0]]
			if lt == "" || !strings.HasSuffix(p, "_2025-06-01_2025-06-07.json") {
				t.Fatalf("unexpected file %s", p)
			}
			b, _ := os.ReadFile(p)
			var arr []struct {
				ID               string
				CreatedDateTime  string
				SignInEventTypes []string
			}
			if err := json.Unmarshal(b, &arr); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for _, o := range arr {
				if o.SignInEventTypes != nil {
					t.Fatal("admin-center JSON has signInEventTypes")
				}
				addSeen(t, got, o.ID, seen{lt, parseTime(t, time.RFC3339, o.CreatedDateTime)})
			}
		}
		return got
	},
	"diagnostic": func(t *testing.T, dir string) map[string]seen {
		got := map[string]seen{}
		pathRE := regexp.MustCompile(`^insights-logs-([a-z]+)/tenantId=[0-9a-f-]{36}/y=(\d{4})/m=(\d\d)/d=(\d\d)/h=(\d\d)/m=00/PT1H\.json$`)
		for _, p := range signinFiles(t, dir) {
			rel, _ := filepath.Rel(dir, p)
			m := pathRE.FindStringSubmatch(filepath.ToSlash(rel))
			if m == nil {
				t.Fatalf("unexpected blob path %s", rel)
			}
			readJSONObjects(t, p, func(o map[string]any) {
				cat, _ := o["category"].(string)
				lt := logTypeByCategory[cat]
				if lt == "" || strings.ToLower(cat) != m[1] {
					t.Fatalf("%s: category %q", rel, cat)
				}
				tm := o["time"].(string)
				if !graphTime.MatchString(tm) || tm[:13] != m[2]+"-"+m[3]+"-"+m[4]+"T"+m[5] {
					t.Fatalf("%s: time %q outside the blob's hour", rel, tm)
				}
				props := o["properties"].(map[string]any)
				created := props["createdDateTime"].(string)
				if !strings.HasSuffix(created, "+00:00") {
					t.Fatalf("properties.createdDateTime %q lacks +00:00", created)
				}
				_, hasIP := o["callerIpAddress"]
				_, hasIdentity := o["identity"]
				if hasIP != (lt != gen.ManagedIdentity) || hasIdentity != (lt == gen.Interactive || lt == gen.NonInteractive) {
					t.Fatalf("%s record: callerIpAddress present %v, identity present %v", lt, hasIP, hasIdentity)
				}
				if o["resultType"].(string) != strconv.Itoa(int(props["status"].(map[string]any)["errorCode"].(float64))) {
					t.Fatalf("resultType %v disagrees with status", o["resultType"])
				}
				ct, wt := parseTime(t, time.RFC3339, created), parseTime(t, time.RFC3339, tm)
				if d := wt.Sub(ct); d < 0 || d > time.Minute {
					t.Fatalf("time %s is %v after createdDateTime %s", tm, d, created)
				}
				addSeen(t, got, props["id"].(string), seen{lt, ct})
			})
		}
		return got
	},
	"admin-csv": func(t *testing.T, dir string) map[string]seen {
		got := map[string]seen{}
		for _, p := range signinFiles(t, dir) {
			base := filepath.Base(p)
			if strings.Contains(base, "_AuthDetails_") {
				continue // checked in TestAuthDetails
			}
			lt := logTypeByPrefix[strings.SplitN(base, "_", 2)[0]]
			recs := readCSV(t, p)
			iDate, iID := column(t, recs[0], "Date (UTC)"), column(t, recs[0], "Request ID")
			for _, r := range recs[1:] {
				addSeen(t, got, r[iID], seen{lt, parseTime(t, "2006-01-02T15:04:05Z", r[iDate])})
			}
		}
		return got
	},
	"la-csv": func(t *testing.T, dir string) map[string]seen {
		got := map[string]seen{}
		for _, p := range signinFiles(t, dir) {
			table := strings.TrimSuffix(filepath.Base(p), ".csv")
			lt := logTypeByTable[table]
			recs := readCSV(t, p)
			timeCol := "CreatedDateTime [UTC]"
			if lt == gen.ServicePrincipal || lt == gen.ManagedIdentity {
				timeCol = "TimeGenerated [UTC]"
			}
			iTime, iID, iType := column(t, recs[0], timeCol), column(t, recs[0], "Id"), column(t, recs[0], "Type")
			for _, r := range recs[1:] {
				if r[iType] != table {
					t.Fatalf("Type %q in %s", r[iType], p)
				}
				addSeen(t, got, r[iID], seen{lt, parseTime(t, "1/2/2006, 3:04:05.000 PM", r[iTime])})
			}
		}
		return got
	},
	"la-json": func(t *testing.T, dir string) map[string]seen {
		got := map[string]seen{}
		for _, p := range signinFiles(t, dir) {
			table := strings.TrimSuffix(filepath.Base(p), ".json")
			lt := logTypeByTable[table]
			readJSONObjects(t, p, func(o map[string]any) {
				tm, ok := o["CreatedDateTime"].(string)
				if !ok {
					tm = o["TimeGenerated"].(string)
				}
				if _, isString := o["Status"].(string); lt == gen.Interactive && !isString {
					t.Fatalf("dynamic column Status is not a JSON string: %v", o["Status"])
				}
				addSeen(t, got, o["Id"].(string), seen{lt, parseTime(t, "2006-01-02T15:04:05.000Z", tm)})
			})
		}
		return got
	},
}

var graphTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}(Z|\+00:00)$`)

// TestSameEventsEveryFormat reads every format back and checks that each holds exactly the
// model's sign-ins, in the right log, at the right second.
func TestSameEventsEveryFormat(t *testing.T) {
	dir := t.TempDir()
	stats, err := gen.WriteAll(context.Background(), dir, gen.Formats(), testCfg, gen.Options{Subdirs: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]seen{}
	perLog := map[string]int{}
	for _, e := range model(t, testCfg) {
		want[e.ID] = seen{e.LogType, e.Created.Truncate(time.Second)}
		perLog[e.LogType]++
	}
	if len(want) != testCfg.Events {
		t.Fatalf("model has %d distinct request ids, want %d", len(want), testCfg.Events)
	}
	if len(parsers) != len(gen.Formats()) {
		t.Fatalf("the test knows %d formats, gen has %d", len(parsers), len(gen.Formats()))
	}
	for i, f := range gen.Formats() {
		st := stats[i]
		if st.Format != f || st.Events != testCfg.Events || st.Files == 0 || st.Bytes == 0 {
			t.Errorf("%s: stats %+v", f, st)
		}
		for lt, n := range perLog {
			if st.ByLogType[lt] != n {
				t.Errorf("%s: stats count %d %s sign-ins, model %d", f, st.ByLogType[lt], lt, n)
			}
		}
		parse := parsers[f]
		if parse == nil {
			t.Fatalf("no parser for format %s", f)
		}
		got := parse(t, filepath.Join(dir, f))
		if len(got) != len(want) {
			t.Errorf("%s: %d sign-ins read back, want %d", f, len(got), len(want))
		}
		bad := 0
		for id, w := range want {
			if g, ok := got[id]; !ok || g.logType != w.logType || !g.created.Equal(w.created) {
				if bad++; bad <= 3 {
					t.Errorf("%s: sign-in %s: got %+v (present %v), want %+v", f, id, g, ok, w)
				}
			}
		}
	}
}

// The header of the user sign-in download, byte for byte as the spec gives it.
const wantUserHeader = "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type," +
	"Cross tenant access type,Incoming token type,Authentication Protocol,Unique token identifier," +
	"Original transfer method,Client credential type,Token Protection - Sign In Session," +
	"Token Protection - Sign In Session StatusCode,Application,Application ID ,Resource," +
	"Resource ID ,Resource tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status," +
	"Sign-in error code,Failure reason,Client app,Device ID,Browser,Operating System,Compliant," +
	"Managed,Join Type,Multifactor authentication result,Multifactor authentication auth method," +
	"Multifactor authentication auth detail,Authentication requirement,Sign-in identifier,Session ID," +
	"IP address (seen by resource),Through Global Secure Access,Global Secure Access IP address," +
	"Autonomous system  number,Flagged for review,Token issuer type,Incoming token type," +
	"Token issuer name,Latency,Conditional Access,Managed Identity type,Associated Resource Id," +
	"Federated Token Id,Federated Token Issuer\r\n"

const wantSPHeader = "Date (UTC),Request ID,Correlation ID,Service principal ID,Service principal name," +
	"Credential key ID,Credential thumbprint,Application,Application ID ,App owner tenant ID," +
	"Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID," +
	"Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason," +
	"Conditional Access\r\n"

func firstLine(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.IndexByte(b, '\n')
	return string(b[:i+1])
}

func TestAdminCSVLayout(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Write(dir, "admin-csv", gen.Config{Seed: 3, Events: 400}); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, p := range files(t, dir) {
		names = append(names, filepath.Base(p))
	}
	wantNames := []string{
		"ApplicationSignIns_2025-06-01_2025-06-07.csv",
		"AuditLogs_2025-06-01_2025-06-07.csv",
		"InteractiveSignIns_2025-06-01_2025-06-07.csv",
		"InteractiveSignIns_AuthDetails_2025-06-01_2025-06-07.csv",
		"MSISignIns_2025-06-01_2025-06-07.csv",
		"NonInteractiveSignIns_2025-06-01_2025-06-07.csv",
		"NonInteractiveSignIns_AuthDetails_2025-06-01_2025-06-07.csv",
		"ProvisioningLogs_2025-06-01_2025-06-07.csv",
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("files %q, want %q", names, wantNames)
	}
	if strings.Count(wantUserHeader, ",") != 54 {
		t.Fatal("the expected header itself is wrong")
	}
	for _, n := range []string{"InteractiveSignIns", "NonInteractiveSignIns"} {
		if got := firstLine(t, filepath.Join(dir, n+"_2025-06-01_2025-06-07.csv")); got != wantUserHeader {
			t.Errorf("%s header:\n got %q\nwant %q", n, got, wantUserHeader)
		}
	}
	if got := firstLine(t, filepath.Join(dir, "ApplicationSignIns_2025-06-01_2025-06-07.csv")); got != wantSPHeader {
		t.Errorf("service principal header:\n got %q\nwant %q", got, wantSPHeader)
	}
	wantMSI := strings.TrimSuffix(wantSPHeader, "\r\n") + ",Managed Identity type,Associated Resource Id\r\n"
	if got := firstLine(t, filepath.Join(dir, "MSISignIns_2025-06-01_2025-06-07.csv")); got != wantMSI {
		t.Errorf("MSI header:\n got %q\nwant %q", got, wantMSI)
	}
	if got := firstLine(t, filepath.Join(dir, "InteractiveSignIns_AuthDetails_2025-06-01_2025-06-07.csv")); got !=
		"Request ID,Authentication method,Authentication method detail,Succeeded,Result detail,Requirement,Date (UTC)\r\n" {
		t.Errorf("auth details header %q", got)
	}
	for _, p := range files(t, dir) {
		b, _ := os.ReadFile(p)
		if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
			t.Errorf("%s starts with a BOM", p)
		}
		if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
			t.Errorf("%s has line ends other than CRLF", p)
		}
	}
	recs := readCSV(t, filepath.Join(dir, "InteractiveSignIns_2025-06-01_2025-06-07.csv"))
	h := recs[0]
	loc, status, comp := column(t, h, "Location"), column(t, h, "Status"), column(t, h, "Compliant")
	dateRE := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	for _, r := range recs[1:] {
		if strings.Count(r[loc], ", ") < 2 {
			t.Errorf("Location %q is not City, State, CC", r[loc])
		}
		if !slices.Contains([]string{"Success", "Failure", "Interrupted"}, r[status]) {
			t.Errorf("Status %q", r[status])
		}
		if r[comp] != "True" && r[comp] != "False" {
			t.Errorf("Compliant %q", r[comp])
		}
		if !dateRE.MatchString(r[0]) {
			t.Errorf("Date (UTC) %q", r[0])
		}
	}
}

// TestAuthDetails checks that the AuthDetails files hold one row per authentication step.
func TestAuthDetails(t *testing.T) {
	cfg := gen.Config{Seed: 11, Events: 1200, Scenarios: true}
	dir := t.TempDir()
	if _, err := gen.Write(dir, "admin-csv", cfg); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, e := range model(t, cfg) {
		if len(e.AuthSteps) > 0 {
			want[e.ID] = len(e.AuthSteps)
		}
		if !e.IsUser() && len(e.AuthSteps) > 0 {
			t.Errorf("%s sign-in with authentication steps", e.LogType)
		}
	}
	got := map[string]int{}
	for _, n := range []string{"InteractiveSignIns_AuthDetails", "NonInteractiveSignIns_AuthDetails"} {
		for _, r := range readCSV(t, filepath.Join(dir, n+"_2025-06-01_2025-06-07.csv"))[1:] {
			got[r[0]]++
		}
	}
	if len(got) == 0 || !mapsEqual(got, want) {
		t.Errorf("auth detail rows per request differ from the model (%d vs %d requests)", len(got), len(want))
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestLogAnalyticsCells(t *testing.T) {
	cfg := gen.Config{Seed: 5, Events: 600, Tenant: "8f3a1c52-5d0e-4b7a-9c61-2e4f0d9b7a13"}
	dir := t.TempDir()
	if _, err := gen.Write(dir, "la-csv", cfg); err != nil {
		t.Fatal(err)
	}
	// The SigninLogs header of the real export in the shared samples.
	want := "TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,ResourceGroup,ResourceProvider,Identity,Level,Location,AlternateSignInName,AppDisplayName,AppId,AuthenticationContextClassReferences,AuthenticationDetails,AppliedEventListeners,AuthenticationMethodsUsed,AuthenticationProcessingDetails,AuthenticationRequirement,AuthenticationRequirementPolicies,ClientAppUsed,ConditionalAccessPolicies,ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail,IsInteractive,Id,IPAddress,IsRisky,LocationDetails,MfaDetail,NetworkLocationDetails,OriginalRequestId,ProcessingTimeInMilliseconds,RiskDetail,RiskEventTypes,RiskEventTypes_V2,RiskLevelAggregated,RiskLevelDuringSignIn,RiskState,ResourceDisplayName,ResourceIdentity,ResourceServicePrincipalId,ServicePrincipalId,ServicePrincipalName,Status,TokenIssuerName,TokenIssuerType,UserAgent,UserDisplayName,UserId,UserPrincipalName,AADTenantId,UserType,FlaggedForReview,IPAddressFromResourceProvider,SignInIdentifier,SignInIdentifierType,ResourceTenantId,HomeTenantId,UniqueTokenIdentifier,SessionLifetimePolicies,AutonomousSystemNumber,AuthenticationProtocol,CrossTenantAccessType,AppliedConditionalAccessPolicies,RiskLevel,Type\n"
	if got := firstLine(t, filepath.Join(dir, "SigninLogs.csv")); got != want {
		t.Errorf("SigninLogs header:\n got %q\nwant %q", got, want)
	}
	ni := readCSV(t, filepath.Join(dir, "AADNonInteractiveUserSignInLogs.csv"))[0]
	if !slices.Contains(ni, "ProcessingTimeInMs") || slices.Contains(ni, "ProcessingTimeInMilliseconds") {
		t.Error("the non-interactive table must have ProcessingTimeInMs")
	}
	sp := readCSV(t, filepath.Join(dir, "AADServicePrincipalSignInLogs.csv"))[0]
	if len(sp) != 33 || slices.Contains(sp, "CreatedDateTime [UTC]") {
		t.Errorf("service principal table has %d columns: %q", len(sp), sp)
	}
	recs := readCSV(t, filepath.Join(dir, "SigninLogs.csv"))
	h := recs[0]
	laTime := regexp.MustCompile(`^\d{1,2}/\d{1,2}/\d{4}, \d{1,2}:\d\d:\d\d\.\d{3} [AP]M$`)
	for _, r := range recs[1:] {
		if r[column(t, h, "TenantId")] == cfg.Tenant || r[column(t, h, "AADTenantId")] != cfg.Tenant {
			t.Fatal("TenantId must be the workspace and AADTenantId the tenant")
		}
		if r[column(t, h, "ResourceId")] != "/tenants/"+cfg.Tenant+"/providers/Microsoft.aadiam" {
			t.Fatalf("ResourceId %q", r[column(t, h, "ResourceId")])
		}
		if r[column(t, h, "IsInteractive")] != "TRUE" {
			t.Fatalf("IsInteractive %q", r[column(t, h, "IsInteractive")])
		}
		for _, c := range []string{"TimeGenerated [UTC]", "CreatedDateTime [UTC]"} {
			if !laTime.MatchString(r[column(t, h, c)]) {
				t.Fatalf("%s %q", c, r[column(t, h, c)])
			}
		}
		for _, c := range []string{"Status", "DeviceDetail", "LocationDetails", "ConditionalAccessPolicies", "AuthenticationDetails", "MfaDetail"} {
			if !json.Valid([]byte(r[column(t, h, c)])) {
				t.Fatalf("%s is not JSON: %q", c, r[column(t, h, c)])
			}
		}
		var st struct{ ErrorCode int }
		json.Unmarshal([]byte(r[column(t, h, "Status")]), &st)
		if strconv.Itoa(st.ErrorCode) != r[column(t, h, "ResultType")] {
			t.Fatalf("ResultType %q, Status %q", r[column(t, h, "ResultType")], r[column(t, h, "Status")])
		}
	}
}

func TestScenarios(t *testing.T) {
	cfg := testCfg
	scen, err := gen.Scenarios(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]gen.Scenario{}
	for i, s := range scen {
		names[s.Name] = s
		if i > 0 && s.Time.Before(scen[i-1].Time) {
			t.Errorf("scenarios out of order at %s", s.Name)
		}
		if s.Time.Before(cfg.Start) || s.End.After(cfg.Start.AddDate(0, 0, cfg.Days)) || s.End.Before(s.Time) {
			t.Errorf("%s: %v..%v outside the period", s.Name, s.Time, s.End)
		}
	}
	wantCounts := map[string][2]int{ // events, failures
		gen.ScenarioPasswordSpray: {16, 15}, gen.ScenarioBruteForce: {26, 25}, gen.ScenarioImpossibleTravel: {2, 0},
		gen.ScenarioMFAFatigue: {7, 6}, gen.ScenarioLegacyAuth: {1, 0}, gen.ScenarioDisabledAccount: {1, 1},
		gen.ScenarioDeviceCode: {1, 0}, gen.ScenarioHighRisk: {1, 0}, gen.ScenarioPythonRequests: {1, 0},
		gen.ScenarioCABlock: {1, 1}, gen.ScenarioSingleFactorPortal: {1, 0}, gen.ScenarioSPCredentialSwitch: {1, 0},
		gen.ScenarioMINewResource: {1, 0}, gen.ScenarioNewCountry: {1, 0},
		gen.ScenarioAiTMReplay: {3, 0}, gen.ScenarioDeviceCodePhishing: {2, 0}, gen.ScenarioHostingNetwork: {1, 0},
		gen.ScenarioFirstROPC: {1, 0}, gen.ScenarioSessionRoaming: {2, 0},
	}
	if len(scen) != len(wantCounts) {
		t.Errorf("%d scenarios, want %d", len(scen), len(wantCounts))
	}
	for n, c := range wantCounts {
		if s := names[n]; s.Events != c[0] || s.Failures != c[1] {
			t.Errorf("%s: %d events (%d failed), want %d (%d)", n, s.Events, s.Failures, c[0], c[1])
		}
	}

	evs := model(t, cfg)
	by := map[string][]*gen.Event{}
	for _, e := range evs {
		if e.Scenario != "" {
			by[e.Scenario] = append(by[e.Scenario], e)
		}
	}
	for n, s := range names {
		if len(by[n]) != s.Events || !by[n][0].Created.Equal(s.Time) || !by[n][len(by[n])-1].Created.Equal(s.End) {
			t.Errorf("%s: events in the stream do not match the description %+v", n, s)
		}
	}
	lastDay := cfg.Start.AddDate(0, 0, cfg.Days-1)

	// Password spray: one IP, 15 distinct users with 50126 within 30 minutes, then a success.
	spray := by[gen.ScenarioPasswordSpray]
	users := map[string]bool{}
	for _, e := range spray[:15] {
		if e.IPAddress != names[gen.ScenarioPasswordSpray].Entity || e.ErrorCode != 50126 {
			t.Errorf("spray attempt %+v", e)
		}
		users[e.UserPrincipalName] = true
	}
	okSpray := spray[15]
	if len(users) != 15 || okSpray.ErrorCode != 0 || okSpray.IPAddress != spray[0].IPAddress || !users[okSpray.UserPrincipalName] ||
		okSpray.Created.Sub(spray[0].Created) > 30*time.Minute {
		t.Errorf("spray: %d users, success %+v", len(users), okSpray)
	}

	// Brute force: 25 failures for one user within 40 minutes, then a success.
	bf := by[gen.ScenarioBruteForce]
	for _, e := range bf[:25] {
		if e.ErrorCode != 50126 || e.UserPrincipalName != names[gen.ScenarioBruteForce].Entity {
			t.Errorf("brute force attempt %+v", e)
		}
	}
	if bf[25].ErrorCode != 0 || bf[25].Created.Sub(bf[0].Created) > 40*time.Minute {
		t.Errorf("brute force ends %+v", bf[25])
	}

	// Impossible travel: NL then AU, 30 minutes apart, both successful.
	it := by[gen.ScenarioImpossibleTravel]
	if it[0].Country != "NL" || it[1].Country != "AU" || it[0].ErrorCode != 0 || it[1].ErrorCode != 0 ||
		it[1].Created.Sub(it[0].Created) != 30*time.Minute || it[0].UserID != it[1].UserID {
		t.Errorf("impossible travel %+v / %+v", it[0], it[1])
	}

	// MFA fatigue: 6 × 500121 within 20 minutes, then a success.
	mf := by[gen.ScenarioMFAFatigue]
	for _, e := range mf[:6] {
		if e.ErrorCode != 500121 || e.MFAAuthMethod != "Mobile app notification" {
			t.Errorf("fatigue attempt %+v", e)
		}
	}
	if mf[6].ErrorCode != 0 || mf[6].Created.Sub(mf[0].Created) > 20*time.Minute {
		t.Errorf("fatigue ends %+v", mf[6])
	}

	one := func(n string) *gen.Event { return by[n][0] }
	if e := one(gen.ScenarioLegacyAuth); e.ClientAppUsed != "IMAP4" || e.ErrorCode != 0 {
		t.Errorf("legacy auth %+v", e)
	}
	if e := one(gen.ScenarioDisabledAccount); e.ErrorCode != 50057 {
		t.Errorf("disabled account %+v", e)
	}
	if e := one(gen.ScenarioDeviceCode); e.AuthProtocol != "deviceCode" || e.ErrorCode != 0 {
		t.Errorf("device code %+v", e)
	}
	if e := one(gen.ScenarioHighRisk); e.RiskLevelDuringSignIn != "high" || e.RiskState != "atRisk" || len(e.RiskEventTypes) == 0 {
		t.Errorf("high risk %+v", e)
	}
	if e := one(gen.ScenarioPythonRequests); !strings.HasPrefix(e.UserAgent, "python-requests/") {
		t.Errorf("python-requests %+v", e)
	}
	if e := one(gen.ScenarioCABlock); e.ErrorCode != 53003 || e.ConditionalAccess != "failure" {
		t.Errorf("CA block %+v", e)
	}
	if e := one(gen.ScenarioSingleFactorPortal); e.AppDisplayName != "Azure Portal" || e.AuthRequirement != "singleFactorAuthentication" || e.ErrorCode != 0 {
		t.Errorf("single-factor portal %+v", e)
	}

	// The service principal used a secret before the switch and the certificate after it.
	sw := one(gen.ScenarioSPCredentialSwitch)
	if sw.ClientCredentialType != "certificate" || sw.CredentialThumbprint == "" {
		t.Errorf("switch event %+v", sw)
	}
	before, after := 0, 0
	for _, e := range evs {
		if e.LogType != gen.ServicePrincipal || e.ServicePrincipalName != sw.ServicePrincipalName || e == sw {
			continue
		}
		if e.Created.Before(sw.Created) {
			before++
			if e.ClientCredentialType != "clientSecret" || e.CredentialKeyID == sw.CredentialKeyID {
				t.Errorf("before the switch: %s %s", e.ClientCredentialType, e.CredentialKeyID)
			}
		} else {
			after++
			if e.ClientCredentialType != "certificate" || e.CredentialKeyID != sw.CredentialKeyID {
				t.Errorf("after the switch: %s %s", e.ClientCredentialType, e.CredentialKeyID)
			}
		}
	}
	if before == 0 || after == 0 {
		t.Errorf("switching service principal has %d sign-ins before and %d after the switch", before, after)
	}

	// The managed identity never reached the new resource before, and does on the last day.
	mi := one(gen.ScenarioMINewResource)
	if mi.Created.Before(lastDay) || mi.IPAddress != "" || mi.MSIType == "none" {
		t.Errorf("managed identity event %+v", mi)
	}
	newCountry := one(gen.ScenarioNewCountry)
	if newCountry.Created.Before(lastDay) || newCountry.ErrorCode != 0 {
		t.Errorf("new country %+v", newCountry)
	}
	miBefore := 0
	for _, e := range evs {
		if e.Created.Before(mi.Created) && e.ServicePrincipalID == mi.ServicePrincipalID {
			miBefore++
			if e.ResourceID == mi.ResourceID {
				t.Errorf("managed identity reached %s before the scenario", e.ResourceDisplayName)
			}
		}
		if e.Created.Before(newCountry.Created) && e.UserID == newCountry.UserID && e.Country == newCountry.Country {
			t.Errorf("the new-country user was in %s before", e.Country)
		}
	}
	if miBefore == 0 {
		t.Error("the managed identity has no history before the scenario")
	}
}

func TestEventsModel(t *testing.T) {
	cfg := gen.Config{Seed: 99, Events: 5000, Days: 3}
	evs := model(t, cfg)
	if len(evs) != cfg.Events {
		t.Fatalf("%d events, want %d", len(evs), cfg.Events)
	}
	guid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	ids, tokens := map[string]bool{}, map[string]bool{}
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) // the default
	end := start.AddDate(0, 0, cfg.Days)
	for i, e := range evs {
		if e.Seq != i || e.Scenario != "" {
			t.Fatalf("event %d: seq %d scenario %q", i, e.Seq, e.Scenario)
		}
		if i > 0 && e.Created.Before(evs[i-1].Created) {
			t.Fatalf("event %d is earlier than event %d", i, i-1)
		}
		if e.Created.Before(start) || !e.Created.Before(end) {
			t.Fatalf("event %d at %v outside the period", i, e.Created)
		}
		if !guid.MatchString(e.ID) || !guid.MatchString(e.CorrelationID) || len(e.UniqueTokenID) != 22 {
			t.Fatalf("identifiers %q %q %q", e.ID, e.CorrelationID, e.UniqueTokenID)
		}
		if ids[e.ID] || tokens[e.UniqueTokenID] {
			t.Fatalf("duplicate identifier at event %d", i)
		}
		ids[e.ID], tokens[e.UniqueTokenID] = true, true
		if d := e.Ingested.Sub(e.Created); d <= 0 || d > time.Minute {
			t.Fatalf("ingested %v after creation", d)
		}
		user := e.IsUser()
		if user != (e.UserID != "") || user == (e.ServicePrincipalID != "") {
			t.Fatalf("%s event with user %q and service principal %q", e.LogType, e.UserID, e.ServicePrincipalID)
		}
		if e.LogType == gen.ManagedIdentity && (e.IPAddress != "" || e.Latitude != 0 || e.Country != "") {
			t.Fatalf("managed identity with a location: %+v", e)
		}
		if e.UserType == "Guest" && (e.HomeTenantID == e.TenantID || e.CrossTenantAccessType != "b2bCollaboration") {
			t.Fatalf("guest %+v", e)
		}
	}
}

// TestLogTypeSplit checks the mix of a small run: per log type, and per format bytes per event.
func TestLogTypeSplit(t *testing.T) {
	cfg := gen.Config{Seed: 1, Events: 1000}
	dir := t.TempDir()
	stats, err := gen.WriteAll(context.Background(), dir, gen.Formats(), cfg, gen.Options{Subdirs: true})
	if err != nil {
		t.Fatal(err)
	}
	ranges := map[string][2]int{
		gen.NonInteractive: {540, 660}, gen.Interactive: {200, 300}, gen.ServicePrincipal: {65, 135}, gen.ManagedIdentity: {25, 75},
	}
	for lt, r := range ranges {
		if n := stats[0].ByLogType[lt]; n < r[0] || n > r[1] {
			t.Errorf("%d %s sign-ins in 1,000, want %d-%d", n, lt, r[0], r[1])
		}
	}
	perEvent := map[string][2]int64{ // bytes per event
		"graph": {2000, 6000}, "admin-json": {2000, 6000}, "diagnostic": {2000, 6000},
		"admin-csv": {500, 2000}, "la-csv": {1500, 5000}, "la-json": {2000, 6000},
	}
	for _, st := range stats {
		r := perEvent[st.Format]
		if b := st.Bytes / int64(st.Events); b < r[0] || b > r[1] {
			t.Errorf("%s: %d bytes per event, want %d-%d", st.Format, b, r[0], r[1])
		}
	}
	var errs, guests, legacy, risky int
	apps := map[string]bool{}
	if err := gen.Events(cfg, func(e *gen.Event) error {
		if e.ErrorCode != 0 {
			errs++
		}
		if e.UserType == "Guest" {
			guests++
		}
		if e.ClientAppUsed == "Exchange ActiveSync" || e.ClientAppUsed == "Authenticated SMTP" {
			legacy++
		}
		if e.RiskLevelDuringSignIn != "none" {
			risky++
		}
		apps[e.AppDisplayName] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if errs < 20 || errs > 150 || guests == 0 || len(apps) < 15 {
		t.Errorf("%d failures, %d guest sign-ins, %d apps in 1,000 events", errs, guests, len(apps))
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []gen.Config{
		{Events: -1},
		{Scenarios: true, Users: 10},
		{Scenarios: true, Events: 40},
		{Tenant: "contoso.onmicrosoft.com"},
		{Days: -2},
	} {
		if err := gen.Events(c, func(*gen.Event) error { return nil }); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if _, err := gen.Write(t.TempDir(), "xml", gen.Config{Events: 10}); err == nil || !strings.Contains(err.Error(), "la-json") {
		t.Errorf("unknown format: %v", err)
	}
	stop := fmt.Errorf("stop")
	n := 0
	if err := gen.Events(gen.Config{Events: 100}, func(*gen.Event) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	}); err != stop || n != 10 {
		t.Errorf("callback error not returned: %v after %d", err, n)
	}
}

// TestNoLeftovers checks that a failed write removes what it wrote.
func TestNoLeftovers(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Write(dir, "admin-json", gen.Config{Events: 50}); err != nil {
		t.Fatal(err)
	}
	before := files(t, dir)
	// Writing again into the same directory collides with the existing files.
	if _, err := gen.WriteAll(context.Background(), dir, []string{"la-json", "admin-json"}, gen.Config{Events: 50}, gen.Options{}); err == nil {
		t.Fatal("overwrote existing files")
	}
	if after := files(t, dir); !slices.Equal(before, after) {
		t.Errorf("failed run left %q (had %q)", after, before)
	}
}

func TestSmallConfigs(t *testing.T) {
	scen, err := gen.Scenarios(gen.Config{Scenarios: true})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range scen {
		total += s.Events
	}
	for _, cfg := range []gen.Config{
		{Events: 1},
		{Events: 100, Users: 1, Days: 1},
		{Events: 300, Days: 1, Scenarios: true},
		{Events: total, Scenarios: true}, // scenario events only
		{Events: 2000, Days: 30, Users: 600, Start: time.Date(2024, 2, 28, 13, 30, 0, 0, time.FixedZone("x", 3600))},
	} {
		n := 0
		if err := gen.Events(cfg, func(e *gen.Event) error {
			n++
			return nil
		}); err != nil || n != cfg.Events {
			t.Errorf("%+v: %d events, %v", cfg, n, err)
		}
		dir := t.TempDir()
		if _, err := gen.WriteAll(context.Background(), dir, gen.Formats(), cfg, gen.Options{Subdirs: true}); err != nil {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}

func TestOverwriteAndCancel(t *testing.T) {
	dir := t.TempDir()
	cfg := gen.Config{Events: 200}
	if _, err := gen.Write(dir, "la-csv", cfg); err != nil {
		t.Fatal(err)
	}
	h := treeHash(t, dir)
	if _, err := gen.WriteAll(context.Background(), dir, []string{"la-csv"}, cfg, gen.Options{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if treeHash(t, dir) != h {
		t.Error("overwriting with the same config changed the files")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	empty := t.TempDir()
	if _, err := gen.WriteAll(ctx, empty, gen.Formats(), gen.Config{Events: 5000}, gen.Options{Subdirs: true}); err != context.Canceled {
		t.Errorf("cancelled run: %v", err)
	}
	if f := files(t, empty); len(f) != 0 {
		t.Errorf("cancelled run left %q", f)
	}
	for _, f := range gen.Formats() {
		if gen.Describe(f) == "" {
			t.Errorf("format %s has no description", f)
		}
	}
}

var update = flag.Bool("update", false, "regenerate testdata/sample")

// sampleCfg is the configuration of the bundled sample, testdata/sample (see its README.md).
var sampleCfg = gen.Config{Seed: 1, Events: 1200, Start: time.Date(2025, 5, 24, 0, 0, 0, 0, time.UTC), Days: 15, Scenarios: true}

// TestBundledSample checks that testdata/sample is what the generator writes today; run
// with -update to regenerate it.
func TestBundledSample(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "sample")
	if *update {
		old, _ := filepath.Glob(filepath.Join(sample, "insights-logs-*"))
		for _, p := range old {
			if err := os.RemoveAll(p); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := gen.WriteAll(context.Background(), sample, []string{"diagnostic"}, sampleCfg, gen.Options{Overwrite: true}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	st, err := gen.Write(dir, "diagnostic", sampleCfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes > 5_500_000 {
		t.Errorf("the sample is %d bytes; keep it under 5.5 MB (about 5 MB of sign-ins, the rest audit and provisioning)", st.Bytes)
	}
	var got []string
	for _, p := range files(t, sample) {
		if filepath.Base(p) != "README.md" {
			got = append(got, p)
		}
	}
	want := files(t, dir)
	if len(got) != len(want) {
		t.Fatalf("testdata/sample has %d blobs, the generator writes %d; run go test ./internal/gen -run BundledSample -update", len(got), len(want))
	}
	for i := range want {
		a, _ := os.ReadFile(got[i])
		b, _ := os.ReadFile(want[i])
		ra, _ := filepath.Rel(sample, got[i])
		rb, _ := filepath.Rel(dir, want[i])
		if ra != rb || !bytes.Equal(a, b) {
			t.Fatalf("testdata/sample/%s differs from the generator's %s; run go test ./internal/gen -run BundledSample -update", ra, rb)
		}
	}
}
