package csvtest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
)

// The benchmarks parse a large generated export with the loaders (records handed to a sink
// that discards them) and, in the same run, let DuckDB read the same file with read_csv and
// every column as text: the speed of a CSV reader that does no mapping, the bound to
// compare with. Size with SIGNINLENS_BENCH_MB (default 64 MB per file).
//
//	go test -run '^$' -bench 'LoadAdminCSV|LoadLACSV' -benchtime 3x ./internal/loaders/csvtest/

var bench struct {
	once       sync.Once
	dir        string
	admin, la  string
	adminRows  int64
	laRows     int64
	generateMs int64
	err        error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func benchFiles(b *testing.B) {
	bench.once.Do(func() {
		mb := 64
		if s := os.Getenv("SIGNINLENS_BENCH_MB"); s != "" {
			if v, err := strconv.Atoi(s); err == nil && v > 0 {
				mb = v
			}
		}
		bench.dir, bench.err = os.MkdirTemp("", "signinlens-csvbench-")
		if bench.err != nil {
			return
		}
		start := time.Now()
		bench.admin = filepath.Join(bench.dir, "InteractiveSignIns_2025-06-01_2025-06-08.csv")
		bench.adminRows, bench.err = writeAdmin(bench.admin, int64(mb)<<20)
		if bench.err != nil {
			return
		}
		bench.la = filepath.Join(bench.dir, "query_data.csv")
		bench.laRows, bench.err = writeLA(bench.la, int64(mb)<<20)
		bench.generateMs = time.Since(start).Milliseconds()
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

func BenchmarkLoadAdminCSV(b *testing.B) {
	benchFiles(b)
	benchCSV(b, bench.admin, bench.adminRows)
}

func BenchmarkLoadLACSV(b *testing.B) {
	benchFiles(b)
	benchCSV(b, bench.la, bench.laRows)
}

// discard is a sink that keeps nothing.
type discard struct{ records, rejects, steps int64 }

func (d *discard) Record(*loaders.Record) error     { d.records++; return nil }
func (d *discard) AuthStep(*loaders.AuthStep) error { d.steps++; return nil }
func (d *discard) Skip(string)                      {}
func (d *discard) Audit(*loaders.AuditRecord) error { d.records++; return nil }
func (d *discard) Provisioning(*loaders.ProvisioningRecord) error {
	d.records++
	return nil
}
func (d *discard) Reject(p loaders.Problem) { d.rejects++ }

func benchCSV(b *testing.B, path string, rows int64) {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	size := st.Size()
	b.Logf("%s: %d rows, %.1f MB", filepath.Base(path), rows, float64(size)/1e6)
	b.Run("signinlens", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		defer cpuRate(b, size)()
		for i := 0; i < b.N; i++ {
			d := &discard{}
			if _, err := loaders.Read(loaders.FileInput(path, size), d); err != nil {
				b.Fatal(err)
			}
			if d.records != rows || d.rejects != 0 {
				b.Fatalf("%d records, %d rejects, want %d records", d.records, d.rejects, rows)
			}
		}
	})
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("duckdb-read_csv-threads-%d", threads), func(b *testing.B) {
			db, err := store.Open("", store.Options{Threads: threads})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			q := "SELECT count(*) FROM read_csv('" + strings.ReplaceAll(path, "'", "''") + "', all_varchar=true)"
			b.SetBytes(size)
			b.ResetTimer()
			defer cpuRate(b, size)()
			for i := 0; i < b.N; i++ {
				var n int64
				if err := db.SQL.QueryRow(q).Scan(&n); err != nil {
					b.Fatal(err)
				}
				if n != rows {
					b.Fatalf("duckdb counted %d rows, want %d", n, rows)
				}
			}
		})
	}
}

// cpuRate reports MB per second of process CPU time (all threads), which the other jobs
// on a shared machine disturb less than the wall-clock MB/s.
func cpuRate(b *testing.B, size int64) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		if d := cpu() - start; d > 0 {
			b.ReportMetric(float64(size)*float64(b.N)/1e6/d.Seconds(), "MB/cpu-s")
		}
	}
}

// pools of realistic cell values; rows pick from them with a fixed seed.
var (
	uas = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
		"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
		"python-requests/2.31.0",
	}
	places = [][3]string{{"Amsterdam", "Noord-Holland", "NL"}, {"Sydney", "New South Wales", "AU"}, {"Washington, D.C.", "District of Columbia", "US"}, {"São Paulo", "São Paulo", "BR"}, {"Berlin", "Berlin", "DE"}}
	apps   = [][2]string{{"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"}, {"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"}, {"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"}}
	codes  = []struct {
		code   int
		status string
		reason string
	}{{0, "Success", "Other."}, {0, "Success", "Other."}, {0, "Success", "Other."}, {50126, "Failure", "Error validating credentials due to invalid username or password."}, {50140, "Interrupted", "This error occurred due to 'Keep me signed in' interrupt when the user was signing in."}}
)

func guid(r *rand.Rand) string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xffff, r.Uint32()&0xffff, r.Uint64()&0xffffffffffff)
}

// countingFile counts what the csv writer writes.
type countingFile struct {
	f *os.File
	n int64
}

func (c *countingFile) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.n += int64(n)
	return n, err
}

func writeRows(path string, target int64, header []string, row func(r *rand.Rand, i int64) []string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	cf := &countingFile{f: f}
	w := csv.NewWriter(cf)
	w.UseCRLF = true
	w.Write(header)
	r := rand.New(rand.NewPCG(1, 2))
	var n int64
	for ; cf.n < target; n++ {
		if err := w.Write(row(r, n)); err != nil {
			f.Close()
			return 0, err
		}
		if n%1024 == 0 {
			w.Flush()
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return 0, err
	}
	return n, f.Close()
}

// adminHeader is the 55-column user header of the admin-center download, as the generator writes it.
var adminHeader = gen.AdminUserHeader()

const tenant = "4b2462a4-bbee-495a-a0e1-f23ae524cc9c"

func writeAdmin(path string, target int64) (int64, error) {
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	return writeRows(path, target, adminHeader, func(r *rand.Rand, i int64) []string {
		u := r.IntN(500)
		p, a, c := places[u%len(places)], apps[r.IntN(len(apps))], codes[r.IntN(len(codes))]
		user := fmt.Sprintf("user%03d@contoso.example", u)
		return []string{t0.Add(time.Duration(i) * 3 * time.Second).Format(time.RFC3339), guid(r), uas[r.IntN(len(uas))], guid(r),
			fmt.Sprintf("aaaaaaaa-0000-0000-0000-%012d", u), fmt.Sprintf("User %03d", u), user, "Member", "None", "None", "None",
			"Vb25Vsw2gEG5lycPpuYaAB", "", "None", "", "", a[0], a[1], "Microsoft Graph", "00000003-0000-0000-c000-000000000000",
			tenant, tenant, "Contoso", fmt.Sprintf("203.0.%d.%d", u%250, r.IntN(250)), p[0] + ", " + p[1] + ", " + p[2], c.status,
			strconv.Itoa(c.code), c.reason, "Browser", fmt.Sprintf("dddddddd-0000-0000-0000-%012d", u), "Edge 124.0.2478", "Windows10",
			"True", "True", "Azure AD joined", "MFA requirement satisfied by claim in the token", "", "", "Multifactor authentication",
			user, guid(r), "", "False", "", strconv.Itoa(1136 + u%7), "False", "AzureAD", "None", "", strconv.Itoa(50 + r.IntN(300)),
			"Success", "", "", "", ""}
	})
}

var laHeader = strings.Split("TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,ResourceGroup,ResourceProvider,Identity,Level,Location,AlternateSignInName,AppDisplayName,AppId,AuthenticationContextClassReferences,AuthenticationDetails,AppliedEventListeners,AuthenticationMethodsUsed,AuthenticationProcessingDetails,AuthenticationRequirement,AuthenticationRequirementPolicies,ClientAppUsed,ConditionalAccessPolicies,ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail,IsInteractive,Id,IPAddress,IsRisky,LocationDetails,MfaDetail,NetworkLocationDetails,OriginalRequestId,ProcessingTimeInMilliseconds,RiskDetail,RiskEventTypes,RiskEventTypes_V2,RiskLevelAggregated,RiskLevelDuringSignIn,RiskState,ResourceDisplayName,ResourceIdentity,ResourceServicePrincipalId,ServicePrincipalId,ServicePrincipalName,Status,TokenIssuerName,TokenIssuerType,UserAgent,UserDisplayName,UserId,UserPrincipalName,AADTenantId,UserType,FlaggedForReview,IPAddressFromResourceProvider,SignInIdentifier,SignInIdentifierType,ResourceTenantId,HomeTenantId,UniqueTokenIdentifier,SessionLifetimePolicies,AutonomousSystemNumber,AuthenticationProtocol,CrossTenantAccessType,AppliedConditionalAccessPolicies,RiskLevel,Type", ",")

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func writeLA(path string, target int64) (int64, error) {
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	laTime := func(t time.Time) string { return t.Format("1/2/2006, 3:04:05.000 PM") }
	col := map[string]int{}
	for i, h := range laHeader {
		col[h] = i
	}
	return writeRows(path, target, laHeader, func(r *rand.Rand, i int64) []string {
		u := r.IntN(500)
		p, a, c := places[u%len(places)], apps[r.IntN(len(apps))], codes[r.IntN(len(codes))]
		user := fmt.Sprintf("user%03d@contoso.example", u)
		created := t0.Add(time.Duration(i)*3*time.Second + 123*time.Millisecond)
		id := guid(r)
		cells := make([]string, len(laHeader))
		set := func(k, v string) { cells[col[k]] = v }
		set("TenantId", "81a662b5-8541-481b-977d-5d956616ac5e")
		set("SourceSystem", "Azure AD")
		set("TimeGenerated [UTC]", laTime(created.Add(90*time.Second)))
		set("ResourceId", "/tenants/"+tenant+"/providers/Microsoft.aadiam")
		set("OperationName", "Sign-in activity")
		set("OperationVersion", "1.0")
		set("Category", "SignInLogs")
		set("ResultType", strconv.Itoa(c.code))
		set("ResultSignature", "None")
		if c.code != 0 {
			set("ResultDescription", c.reason)
		}
		set("DurationMs", "0")
		set("CorrelationId", guid(r))
		set("Resource", "Microsoft.aadiam")
		set("ResourceGroup", "Microsoft.aadiam")
		set("Identity", fmt.Sprintf("User %03d", u))
		set("Level", "4")
		set("Location", p[2])
		set("AlternateSignInName", user)
		set("AppDisplayName", a[0])
		set("AppId", a[1])
		set("AuthenticationContextClassReferences", "[]")
		set("AuthenticationDetails", jsonText([]map[string]any{{"authenticationStepDateTime": created.Format(time.RFC3339Nano), "authenticationMethod": "Password",
			"authenticationMethodDetail": "Password in the cloud", "succeeded": c.code != 50126, "authenticationStepResultDetail": "Correct password",
			"authenticationStepRequirement": "Primary authentication", "StatusSequence": 0, "RequestSequence": 0}}))
		set("AuthenticationProcessingDetails", jsonText([]map[string]string{{"key": "Login Hint Present", "value": "True"}, {"key": "Is CAE Token", "value": "False"}}))
		set("AuthenticationRequirement", "multiFactorAuthentication")
		set("AuthenticationRequirementPolicies", "[]")
		set("ClientAppUsed", "Browser")
		set("ConditionalAccessPolicies", jsonText([]map[string]any{
			{"id": "pppppppp-0000-0000-0000-000000000001", "displayName": "Require MFA for all users", "enforcedGrantControls": []string{"Mfa"}, "enforcedSessionControls": []string{}, "result": "success"},
			{"id": "pppppppp-0000-0000-0000-000000000002", "displayName": "Block legacy authentication", "enforcedGrantControls": []string{"Block"}, "enforcedSessionControls": []string{}, "result": "notApplied"}}))
		set("ConditionalAccessStatus", "success")
		set("CreatedDateTime [UTC]", laTime(created))
		set("DeviceDetail", jsonText(map[string]any{"deviceId": fmt.Sprintf("dddddddd-0000-0000-0000-%012d", u), "displayName": "LAPTOP", "operatingSystem": "Windows10",
			"browser": "Edge 124.0.2478", "isCompliant": true, "isManaged": true, "trustType": "Azure AD joined"}))
		set("IsInteractive", "TRUE")
		set("Id", id)
		set("IPAddress", fmt.Sprintf("203.0.%d.%d", u%250, r.IntN(250)))
		set("LocationDetails", jsonText(map[string]any{"city": p[0], "state": p[1], "countryOrRegion": p[2], "geoCoordinates": map[string]float64{"latitude": 52.37, "longitude": 4.89}}))
		set("MfaDetail", `{"authMethod":"Mobile app notification"}`)
		set("NetworkLocationDetails", "[]")
		set("OriginalRequestId", id)
		set("ProcessingTimeInMilliseconds", strconv.Itoa(50+r.IntN(300)))
		for _, k := range []string{"RiskDetail", "RiskLevelAggregated", "RiskLevelDuringSignIn", "RiskState", "AuthenticationProtocol", "CrossTenantAccessType"} {
			set(k, "none")
		}
		set("RiskEventTypes", "[]")
		set("RiskEventTypes_V2", "[]")
		set("ResourceDisplayName", "Microsoft Graph")
		set("ResourceIdentity", "00000003-0000-0000-c000-000000000000")
		set("ResourceServicePrincipalId", "99999999-0000-0000-0000-000000000001")
		set("Status", jsonText(map[string]any{"errorCode": c.code, "failureReason": c.reason}))
		set("TokenIssuerType", "AzureAD")
		set("UserAgent", uas[r.IntN(len(uas))])
		set("UserDisplayName", fmt.Sprintf("User %03d", u))
		set("UserId", fmt.Sprintf("aaaaaaaa-0000-0000-0000-%012d", u))
		set("UserPrincipalName", user)
		set("AADTenantId", tenant)
		set("UserType", "Member")
		set("FlaggedForReview", "FALSE")
		set("SignInIdentifier", user)
		set("SignInIdentifierType", "userPrincipalName")
		set("ResourceTenantId", tenant)
		set("HomeTenantId", tenant)
		set("UniqueTokenIdentifier", "Vb25Vsw2gEG5lycPpuYaAB")
		set("SessionLifetimePolicies", "[]")
		set("AutonomousSystemNumber", strconv.Itoa(1136+u%7))
		set("Type", "SigninLogs")
		return cells
	})
}
