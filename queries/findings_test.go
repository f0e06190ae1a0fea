package queries

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/loaders"

	"github.com/signinlens/signinlens/store"
)

// ---------------------------------------------------------------------------------------
// Fixtures: every detection has a "fire" case (it must find exactly the listed findings)
// and a "quiet" case (just under its threshold: it must find nothing). The events are
// written as tables below and rendered to Graph JSON pages (<case>/graph-page.json) and, for
// fire cases, to diagnostic-settings JSON lines (fire/diagnostic/PT1H.json) and, when they
// are all user sign-ins, to admin-center CSV downloads (fire/admin/*.csv); go test -update
// rewrites the files, and a test fails when they are out of date. Expected values are
// counted by hand from the tables, never computed by the code under test.
// ---------------------------------------------------------------------------------------

// ev is one sign-in of a fixture.
type ev struct {
	At       string // "08:00" or "08:00:30" on 2025-06-10 (UTC); "+1 08:00" is the next day
	Log      string // log type; default interactiveUser
	User     string // UPN
	UserType string // default member for user log types
	IP       string
	Code     int
	App      string // application display name (see appIDs)
	Res      string // resource display name (see appIDs)
	Client   string // clientAppUsed; default Browser for user log types
	UA       string
	City     string
	Country  string
	Lat, Lon float64 // both 0: no coordinates

	AuthReq  string // authenticationRequirement; default singleFactorAuthentication
	Protocol string // authenticationProtocol; default none
	Transfer string // originalTransferMethod

	RiskDuring, RiskAgg, RiskState string
	RiskEvents                     []string

	SP, SPName, KeyID, Thumb, CredType string // service principal and managed identity sign-ins

	HomeTenant, HomeTenantName, ResTenant, CrossTenant string

	CAFail string // name of a Conditional Access policy that failed (blocked) the sign-in
}

// Applications and resources by display name, so that tables stay short.
var appIDs = map[string]string{
	"Azure Portal":                         "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
	"Microsoft Azure CLI":                  "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
	"Microsoft Teams":                      "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
	"Office 365 Exchange Online":           "00000002-0000-0ff1-ce00-000000000000",
	"Microsoft Graph":                      "00000003-0000-0000-c000-000000000000",
	"Windows Azure Service Management API": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
	"Office 365 SharePoint Online":         "00000003-0000-0ff1-ce00-000000000000",
	"Azure Key Vault":                      "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
	"Azure Storage":                        "e406a681-f3d4-42a8-90b6-c2b029497af1",
	"Contoso Payroll":                      "6f1d4c2e-1111-4c4c-8888-0123456789ab",
	"Microsoft Office":                     "d3590ed6-52b3-4102-aeff-aad2292ab01c",
}

const (
	fixtureDay  = "2025-06-10"
	ourTenant   = "11111111-2222-3333-4444-555555555555"
	defaultRes  = "Microsoft Graph"
	defaultApp  = "Microsoft Teams"
	browserUA   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"
	interactive = "interactiveUser"
)

func (e ev) time() time.Time {
	day, clock := 0, e.At
	if strings.HasPrefix(clock, "+") {
		d, rest, _ := strings.Cut(clock[1:], " ")
		day, _ = strconv.Atoi(d)
		clock = rest
	}
	if len(clock) == 5 {
		clock += ":00"
	}
	t, err := time.Parse(time.RFC3339, fixtureDay+"T"+clock+"Z")
	if err != nil {
		panic("fixture time " + e.At)
	}
	return t.AddDate(0, 0, day)
}

func (e ev) logType() string {
	if e.Log == "" {
		return interactive
	}
	return e.Log
}

func (e ev) isUser() bool {
	return e.logType() == "interactiveUser" || e.logType() == "nonInteractiveUser"
}

// fakeID makes a stable GUID-shaped id from text.
func fakeID(kind, s string) string {
	h := fnv.New64a()
	h.Write([]byte(kind + "/" + s))
	v := h.Sum64()
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(v>>32), uint16(v>>16), v&0xfff, (v>>12)&0xfff, v&0xffffffffffff)
}

// requestID is the id of event i of a fixture: evidence is compared by it.
func requestID(fixture string, i int) string {
	return fmt.Sprintf("%08d-0000-4000-8000-%012x", i+1, fnv32(fixture))
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// object renders e as a Graph signIn object (the shape the admin center and Graph share).
func (e ev) object(fixture string, i int) map[string]any {
	at := e.time()
	o := map[string]any{
		"id":               requestID(fixture, i),
		"createdDateTime":  at.Format(time.RFC3339),
		"correlationId":    fakeID("corr", fmt.Sprint(fixture, i)),
		"signInEventTypes": []string{e.logType()},
		"isInteractive":    e.logType() == interactive,
		"ipAddress":        e.IP,
		"status":           map[string]any{"errorCode": e.Code, "failureReason": failureText(e.Code)},
	}
	app := e.App
	if app == "" && e.isUser() {
		app = defaultApp
	}
	if app != "" {
		o["appDisplayName"] = app
		o["appId"] = appIDs[app]
	}
	res := e.Res
	if res == "" {
		res = defaultRes
	}
	o["resourceDisplayName"] = res
	o["resourceId"] = appIDs[res]
	if e.isUser() {
		o["userPrincipalName"] = e.User
		o["userId"] = fakeID("user", strings.ToLower(e.User))
		o["userDisplayName"] = strings.Split(e.User, "@")[0]
		ut := e.UserType
		if ut == "" {
			ut = "member"
		}
		o["userType"] = ut
		client := e.Client
		if client == "" {
			client = "Browser"
		}
		o["clientAppUsed"] = client
		ua := e.UA
		if ua == "" {
			ua = browserUA
		}
		o["userAgent"] = ua
		req := e.AuthReq
		if req == "" {
			req = "singleFactorAuthentication"
		}
		o["authenticationRequirement"] = req
		proto := e.Protocol
		if proto == "" {
			proto = "none"
		}
		o["authenticationProtocol"] = proto
		if e.Transfer != "" {
			o["originalTransferMethod"] = e.Transfer
		}
		for k, v := range map[string]string{"riskLevelDuringSignIn": e.RiskDuring, "riskLevelAggregated": e.RiskAgg, "riskState": e.RiskState} {
			if v == "" {
				v = "none"
			}
			o[k] = v
		}
		o["riskDetail"] = "none"
		o["riskEventTypes_v2"] = append([]string{}, e.RiskEvents...)
		home := e.HomeTenant
		if home == "" {
			home = ourTenant
		}
		o["homeTenantId"] = home
		if e.HomeTenantName != "" {
			o["homeTenantName"] = e.HomeTenantName
		}
		ct := e.CrossTenant
		if ct == "" {
			ct = "none"
		}
		o["crossTenantAccessType"] = ct
	} else {
		o["userPrincipalName"] = ""
		o["userId"] = nil
		o["servicePrincipalId"] = e.SP
		o["servicePrincipalName"] = e.SPName
		if e.KeyID != "" {
			o["servicePrincipalCredentialKeyId"] = e.KeyID
		}
		if e.Thumb != "" {
			o["servicePrincipalCredentialThumbprint"] = e.Thumb
		}
		if e.CredType != "" {
			o["clientCredentialType"] = e.CredType
		}
		if e.logType() == "managedIdentity" {
			o["managedServiceIdentity"] = map[string]any{"msiType": "systemAssigned"}
		}
	}
	rt := e.ResTenant
	if rt == "" {
		rt = ourTenant
	}
	o["resourceTenantId"] = rt
	if e.CAFail != "" {
		o["conditionalAccessStatus"] = "failure"
		o["appliedConditionalAccessPolicies"] = []any{map[string]any{
			"id": fakeID("policy", e.CAFail), "displayName": e.CAFail, "enforcedGrantControls": []string{"Block"},
			"enforcedSessionControls": []string{}, "result": "failure"}}
	}
	if e.City != "" || e.Country != "" || e.Lat != 0 || e.Lon != 0 {
		loc := map[string]any{"city": e.City, "state": "", "countryOrRegion": e.Country}
		if e.Lat != 0 || e.Lon != 0 {
			loc["geoCoordinates"] = map[string]any{"latitude": e.Lat, "longitude": e.Lon, "altitude": nil}
		}
		o["location"] = loc
	}
	return o
}

func failureText(code int) string {
	if code == 0 {
		return "Other."
	}
	return fmt.Sprintf("Error %d.", code)
}

var diagCategory = map[string]string{
	"interactiveUser":    "SignInLogs",
	"nonInteractiveUser": "NonInteractiveUserSignInLogs",
	"servicePrincipal":   "ServicePrincipalSignInLogs",
	"managedIdentity":    "ManagedIdentitySignInLogs",
}

// graphPage renders events as one Graph /auditLogs/signIns response page.
func graphPage(fixture string, evs []ev) []byte {
	vals := make([]any, len(evs))
	for i, e := range evs {
		vals[i] = e.object(fixture, i)
	}
	b, err := json.MarshalIndent(map[string]any{
		"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
		"value":          vals,
	}, "", " ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// diagnosticLines renders events as diagnostic-settings records, one per line, the way a
// storage account's PT1H.json holds them: event time with +00:00, the error code as text
// in resultType, the write time a few seconds later.
func diagnosticLines(fixture string, evs []ev) []byte {
	var b bytes.Buffer
	for i, e := range evs {
		o := e.object(fixture, i)
		delete(o, "signInEventTypes")
		at := e.time()
		o["createdDateTime"] = at.Format("2006-01-02T15:04:05+00:00")
		rec := map[string]any{
			"time":             at.Add(7 * time.Second).Format("2006-01-02T15:04:05.0000000Z"),
			"resourceId":       "/tenants/" + ourTenant + "/providers/Microsoft.aadiam",
			"operationName":    "Sign-in activity",
			"operationVersion": "1.0",
			"category":         diagCategory[e.logType()],
			"tenantId":         ourTenant,
			"resultType":       strconv.Itoa(e.Code),
			"resultSignature":  "None",
			"durationMs":       0,
			"correlationId":    o["correlationId"],
			"Level":            4,
			"properties":       o,
		}
		if e.IP != "" {
			rec["callerIpAddress"] = e.IP
		}
		if e.Country != "" {
			rec["location"] = e.Country
		}
		line, err := json.Marshal(rec)
		if err != nil {
			panic(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// want is an expected finding. Evidence lists event indexes (0-based) of the fixture table.
type want struct {
	Severity string
	Title    string
	User     string
	IP       string
	SP       string
	First    string // as ev.At
	Last     string
	Events   int64
	Details  []string // substrings the details must hold
	Evidence []int
}

type fixture struct {
	Detection string
	Case      string // fire or quiet
	Events    []ev
	Settings  string // settings file content, when the case needs one
	Want      []want
}

func (f fixture) name() string { return f.Detection + "/" + f.Case }
func (f fixture) dir() string {
	return filepath.Join("..", "testdata", "detections", f.Detection, f.Case)
}

func (f fixture) usersOnly() bool {
	for _, e := range f.Events {
		if !e.isUser() {
			return false
		}
	}
	return true
}

// files are the fixture's files on disk, by path, as generated from its table.
func (f fixture) files() map[string][]byte {
	out := map[string][]byte{filepath.Join(f.dir(), "graph-page.json"): graphPage(f.name(), f.Events)}
	if f.Case == "fire" {
		out[filepath.Join(f.dir(), "diagnostic", "PT1H.json")] = diagnosticLines(f.name(), f.Events)
		if f.usersOnly() {
			for name, data := range adminCSV(f.name(), f.Events) {
				out[filepath.Join(f.dir(), "admin", name)] = data
			}
		}
	}
	if f.Settings != "" {
		out[filepath.Join(f.dir(), "settings.conf")] = []byte(f.Settings)
	}
	return out
}

// u names a test user.
func u(name string) string { return name + "@contoso.example" }

// series makes n events from a template, the k-th at start + k*step, with user(k) as UPN.
func series(n int, start string, step time.Duration, user func(k int) string, tmpl ev) []ev {
	t0 := ev{At: start}.time()
	out := make([]ev, n)
	for k := 0; k < n; k++ {
		e := tmpl
		e.At = clock(t0.Add(time.Duration(k) * step))
		if user != nil {
			e.User = user(k)
		}
		out[k] = e
	}
	return out
}

// clock writes t back in the ev.At notation.
func clock(t time.Time) string {
	base, _ := time.Parse("2006-01-02", fixtureDay)
	day := int(t.Sub(base).Hours()) / 24
	s := t.Format("15:04:05")
	if day > 0 {
		return fmt.Sprintf("+%d %s", day, s)
	}
	return s
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func cat(lists ...[]ev) []ev {
	var out []ev
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// ---------------------------------------------------------------------------------------

// loadDB loads paths into a fresh temporary database ready for detections.
func loadDB(t *testing.T, paths ...string) *store.DB {
	t.Helper()
	db, err := store.Open("", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SQL.SetMaxOpenConns(1)
	ins, err := loaders.Inputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.Load(context.Background(), ins, store.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals.Rejected > 0 {
		t.Fatalf("%v: %d records rejected: %+v", paths, sum.Totals.Rejected, sum.Files[0].Problems)
	}
	if err := Prepare(context.Background(), db.SQL); err != nil {
		t.Fatal(err)
	}
	return db
}

// detect runs one detection on db through the RunDetections path.
func detect(t *testing.T, db *store.DB, p Params, id string) ([]Finding, DetectionRun) {
	t.Helper()
	ctx := context.Background()
	asOf, err := LatestEvent(ctx, db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	fs, runs, err := runDetections(ctx, db.SQL, p, asOf, "", func(q *Query) bool { return q.ID == id })
	if err != nil {
		t.Fatal(err)
	}
	var out []Finding
	for _, f := range fs {
		if f.Detection == id {
			out = append(out, f)
		}
	}
	for _, r := range runs {
		if r.Query.ID == id {
			return out, r
		}
	}
	t.Fatalf("detection %s did not run", id)
	return nil, DetectionRun{}
}

// requestIDs maps evidence keys to the request ids of the sign-ins, sorted.
func requestIDs(t *testing.T, db *store.DB, keys []int64) []string {
	t.Helper()
	var out []string
	for _, k := range keys {
		var id string
		if err := db.SQL.QueryRow("SELECT id FROM signins WHERE signin_key = ?", k).Scan(&id); err != nil {
			t.Fatalf("evidence key %d: %v", k, err)
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func checkFindings(t *testing.T, db *store.DB, fx fixture, got []Finding, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		for _, f := range got {
			t.Logf("got: %s %q user=%q ip=%q sp=%q %s..%s events=%d: %s", f.Severity, f.Title, f.UserPrincipalName, f.IPAddress, f.ServicePrincipalID, f.FirstSeen.Format(time.RFC3339), f.LastSeen.Format(time.RFC3339), f.Events, f.Details)
		}
		t.Fatalf("%s: %d findings, want %d", fx.name(), len(got), len(wants))
	}
	for i, w := range wants {
		f := got[i]
		if f.Severity != w.Severity || f.UserPrincipalName != w.User || f.IPAddress != w.IP || f.ServicePrincipalID != w.SP || f.Events != w.Events {
			t.Errorf("%s finding %d: got %s user=%q ip=%q sp=%q events=%d; want %s user=%q ip=%q sp=%q events=%d",
				fx.name(), i, f.Severity, f.UserPrincipalName, f.IPAddress, f.ServicePrincipalID, f.Events, w.Severity, w.User, w.IP, w.SP, w.Events)
		}
		if w.Title != "" && f.Title != w.Title {
			t.Errorf("%s finding %d: title %q, want %q", fx.name(), i, f.Title, w.Title)
		}
		if first := (ev{At: w.First}).time(); w.First != "" && !f.FirstSeen.Equal(first) {
			t.Errorf("%s finding %d: first seen %v, want %v", fx.name(), i, f.FirstSeen, first)
		}
		if last := (ev{At: w.Last}).time(); w.Last != "" && !f.LastSeen.Equal(last) {
			t.Errorf("%s finding %d: last seen %v, want %v", fx.name(), i, f.LastSeen, last)
		}
		for _, s := range w.Details {
			if !strings.Contains(f.Details, s) {
				t.Errorf("%s finding %d: details %q lack %q", fx.name(), i, f.Details, s)
			}
		}
		var wantIDs []string
		for _, k := range w.Evidence {
			wantIDs = append(wantIDs, requestID(fx.name(), k))
		}
		sort.Strings(wantIDs)
		if gotIDs := requestIDs(t, db, f.Evidence); !reflect.DeepEqual(gotIDs, wantIDs) {
			t.Errorf("%s finding %d: evidence\n got %v\nwant %v", fx.name(), i, gotIDs, wantIDs)
		}
	}
}

func settingsOf(t *testing.T, fx fixture) map[string]string {
	t.Helper()
	if fx.Settings == "" {
		return nil
	}
	s, err := LoadSettings(filepath.Join(fx.dir(), "settings.conf"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFixtureFilesAreCurrent(t *testing.T) {
	for _, fx := range fixtures {
		for path, data := range fx.files() {
			if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s is out of date with the fixture table; run go test ./analyze -run TestFixtureFilesAreCurrent -update", path)
			}
		}
	}
}

// Every detection has both cases.
func TestEveryDetectionHasFixtures(t *testing.T) {
	dets, err := OfKind("detection")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, fx := range fixtures {
		have[fx.name()] = true
	}
	for _, q := range dets {
		for _, c := range []string{"fire", "quiet"} {
			if !have[q.ID+"/"+c] {
				t.Errorf("detection %s has no %s fixture", q.ID, c)
			}
		}
	}
}

func TestDetectionFixtures(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(strings.ReplaceAll(fx.name(), "/", "_"), func(t *testing.T) {
			db := loadDB(t, filepath.Join(fx.dir(), "graph-page.json"))
			got, run := detect(t, db, Params{Set: settingsOf(t, fx)}, fx.Detection)
			if run.Skipped != "" {
				t.Fatalf("skipped: %s", run.Skipped)
			}
			if run.Findings != len(got) {
				t.Errorf("DetectionRun.Findings %d, findings %d", run.Findings, len(got))
			}
			checkFindings(t, db, fx, got, fx.Want)
		})
	}
}

// The same events as diagnostic-settings records find the same.
func TestDetectionsAgreeAcrossFormats(t *testing.T) {
	for _, fx := range fixtures {
		if fx.Case != "fire" {
			continue
		}
		t.Run(fx.Detection, func(t *testing.T) {
			db := loadDB(t, filepath.Join(fx.dir(), "diagnostic"))
			got, _ := detect(t, db, Params{Set: settingsOf(t, fx)}, fx.Detection)
			checkFindings(t, db, fx, got, fx.Want)
		})
	}
}

// ---------------------------------------------------------------------------------------
// The fixture tables. Comments count what each detection must find.

const (
	sprayIP = "198.51.100.7"
	mi1     = "0a1b2c3d-0000-4000-8000-00000000a001" // managed identity vm-web-01
	sp1     = "0a1b2c3d-0000-4000-8000-00000000b001" // service principal Payroll Sync
	sp2     = "0a1b2c3d-0000-4000-8000-00000000b002" // service principal Backup Agent
	fabrik  = "99999999-8888-7777-6666-555555555555" // guests' home tenant
)

func user(prefix string) func(k int) string {
	return func(k int) string { return u(fmt.Sprintf("%s%02d", prefix, k+1)) }
}

var fixtures = []fixture{
	// password-spray: one IP fails for u01..u10 every 5 min from 08:00 (0-9) and for u03
	// again at 08:50 with 50053 (10); u04 then succeeds from it at 09:30 (11), 40 min after
	// the last failure: high. The window opened at 08:00 holds 10 users, the one at 08:05
	// only 9 (u02..u10): one burst, 08:00..09:00, 11 failures. u11 at 10:30 (12) is outside,
	// alice's success elsewhere (13) unrelated.
	{Detection: "password-spray", Case: "fire",
		Events: cat(
			series(10, "08:00", 5*time.Minute, user("u"), ev{IP: sprayIP, Code: 50126}),
			[]ev{
				{At: "08:50", User: u("u03"), IP: sprayIP, Code: 50053},
				{At: "09:30", User: u("u04"), IP: sprayIP, Code: 0},
				{At: "10:30", User: u("u11"), IP: sprayIP, Code: 50126},
				{At: "09:00", User: u("alice"), IP: "203.0.113.10", Code: 0},
			}),
		Want: []want{{Severity: "high", Title: "Password spray against 10 users", IP: sprayIP,
			First: "08:00", Last: "08:50", Events: 11,
			Details:  []string{"10 users failed 11 times (50053: 1, 50126: 10): u01@contoso.example, u02@contoso.example", "u10@contoso.example; then signed in successfully from this address: u04@contoso.example"},
			Evidence: seq(0, 11)}},
	},
	// Just under: u10 fails at 09:00:01, a second after the 08:00 window closes, and the
	// window opened at 08:05 holds u02..u10 = 9 users.
	{Detection: "password-spray", Case: "quiet",
		Events: cat(
			series(9, "08:00", 5*time.Minute, user("u"), ev{IP: sprayIP, Code: 50126}),
			[]ev{
				{At: "09:00:01", User: u("u10"), IP: sprayIP, Code: 50126},
				{At: "09:30", User: u("u04"), IP: sprayIP, Code: 0},
			}),
	},

	// brute-force: bob fails 18 times with 50126 from .50 every 2 min from 08:00 (0-17), then
	// twice locked (50053) from .51 at 08:40 and 08:42 (18, 19): 20 failures within 1h of
	// 08:00, from 2 addresses. He succeeds at 09:30 (20), within 1h of 08:42: high. His
	// success at 07:00 (21) came before the burst; alice's failure (22) is someone else.
	{Detection: "brute-force", Case: "fire",
		Events: cat(
			series(18, "08:00", 2*time.Minute, nil, ev{User: u("bob"), IP: "203.0.113.50", Code: 50126}),
			[]ev{
				{At: "08:40", User: u("bob"), IP: "203.0.113.51", Code: 50053},
				{At: "08:42", User: u("bob"), IP: "203.0.113.51", Code: 50053},
				{At: "09:30", User: u("bob"), IP: "198.51.100.99", Code: 0},
				{At: "07:00", User: u("bob"), IP: "198.51.100.99", Code: 0},
				{At: "08:10", User: u("alice"), IP: "203.0.113.50", Code: 50126},
			}),
		Want: []want{{Severity: "high", Title: "Brute force: 20 failed passwords", User: u("bob"),
			First: "08:00", Last: "08:42", Events: 20,
			Details:  []string{"20 failed sign-ins (50053: 2, 50126: 18) from 2 IP addresses; then signed in successfully at 2025-06-10T09:30:00Z from 198.51.100.99"},
			Evidence: seq(0, 20)}},
	},
	// Just under: 19 failures 08:00..08:36, the 20th at 09:00:01; every 1h window holds 19.
	{Detection: "brute-force", Case: "quiet",
		Events: cat(
			series(19, "08:00", 2*time.Minute, nil, ev{User: u("bob"), IP: "203.0.113.50", Code: 50126}),
			[]ev{
				{At: "09:00:01", User: u("bob"), IP: "203.0.113.50", Code: 50126},
				{At: "09:10", User: u("bob"), IP: "203.0.113.50", Code: 0},
			}),
	},

	// impossible-travel: alice succeeds at 08:00 at 10N 20E (Chad) and at 09:00 at 20N 20E
	// (Libya): 10 degrees of latitude = 6371 km * 10 * pi/180 = 1111.95 km in 1 h, more than
	// 500 km and 1000 km/h. Her success at 08:30 without coordinates (1) and her failure far
	// away (2) do not count; 12:00 in Libya again (4) is 0 km. bob's 10N -> 14N in 10 min is
	// 444.8 km (2669 km/h): fast, but under 500 km.
	{Detection: "impossible-travel", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("alice"), IP: "198.51.100.1", Code: 0, City: "N'Djamena", Country: "TD", Lat: 10, Lon: 20},
			{At: "08:30", User: u("alice"), IP: "198.51.100.2", Code: 0},
			{At: "08:40", User: u("alice"), IP: "198.51.100.3", Code: 50126, City: "Sydney", Country: "AU", Lat: -33.87, Lon: 151.21},
			{At: "09:00", User: u("alice"), IP: "198.51.100.4", Code: 0, City: "Kufra", Country: "LY", Lat: 20, Lon: 20},
			{At: "12:00", User: u("alice"), IP: "198.51.100.4", Code: 0, City: "Kufra", Country: "LY", Lat: 20, Lon: 20},
			{At: "08:00", User: u("bob"), IP: "198.51.100.5", Code: 0, City: "N'Djamena", Country: "TD", Lat: 10, Lon: 20},
			{At: "08:10", User: u("bob"), IP: "198.51.100.6", Code: 0, City: "Faya", Country: "TD", Lat: 14, Lon: 20},
		},
		Want: []want{{Severity: "medium", Title: "Impossible travel: TD to LY", User: u("alice"), IP: "198.51.100.4",
			First: "08:00", Last: "09:00", Events: 2,
			Details:  []string{"N'Djamena, TD (198.51.100.1) to Kufra, LY (198.51.100.4): 1112 km in 60 min (1112 km/h)"},
			Evidence: []int{0, 3}}},
	},
	// Just under: the same trip in 67 min is 1111.95 / 1.1167 = 995.8 km/h.
	{Detection: "impossible-travel", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("alice"), IP: "198.51.100.1", Code: 0, City: "N'Djamena", Country: "TD", Lat: 10, Lon: 20},
			{At: "09:07", User: u("alice"), IP: "198.51.100.4", Code: 0, City: "Kufra", Country: "LY", Lat: 20, Lon: 20},
		},
	},

	// mfa-fatigue: carol's MFA fails (500121) 5 times from 22:00 every 3 min (0-4), within
	// 30 min; she succeeds at 22:14 (5): high. The 50074 "MFA required" interrupts (6, 7) and
	// the 50158 (8) are not denials.
	{Detection: "mfa-fatigue", Case: "fire",
		Events: cat(
			series(5, "22:00", 3*time.Minute, nil, ev{User: u("carol"), IP: "203.0.113.77", Code: 500121}),
			[]ev{
				{At: "22:14", User: u("carol"), IP: "203.0.113.77", Code: 0, AuthReq: "multiFactorAuthentication"},
				{At: "21:59", User: u("carol"), IP: "203.0.113.77", Code: 50074},
				{At: "22:02", User: u("carol"), IP: "203.0.113.77", Code: 50074},
				{At: "22:05", User: u("carol"), IP: "203.0.113.77", Code: 50158},
			}),
		Want: []want{{Severity: "high", Title: "MFA fatigue: 5 denied or unanswered prompts", User: u("carol"), IP: "203.0.113.77",
			First: "22:00", Last: "22:12", Events: 5,
			Details:  []string{"5 failed MFA attempts (500121) from 1 IP address; then signed in successfully at 2025-06-10T22:14:00Z from 203.0.113.77"},
			Evidence: seq(0, 5)}},
	},
	// Just under: 4 denials 22:00..22:09, the 5th at 22:31, outside every 30 min window with
	// the other four; the 50074s in between do not count.
	{Detection: "mfa-fatigue", Case: "quiet",
		Events: cat(
			series(4, "22:00", 3*time.Minute, nil, ev{User: u("carol"), IP: "203.0.113.77", Code: 500121}),
			[]ev{
				{At: "22:31", User: u("carol"), IP: "203.0.113.77", Code: 500121},
				{At: "22:01", User: u("carol"), IP: "203.0.113.77", Code: 50074},
				{At: "22:04", User: u("carol"), IP: "203.0.113.77", Code: 50074},
				{At: "22:40", User: u("carol"), IP: "203.0.113.77", Code: 0},
			}),
	},

	// legacy-protocol-signin: dave fails 3 times over IMAP4 from one address (0-2) then succeeds (3):
	// high. erin fails twice over ActiveSync (written in lower case) from two addresses
	// (4, 5): medium. frank's Browser and modern-client sign-ins (6, 7) are not legacy.
	{Detection: "legacy-protocol-signin", Case: "fire",
		Events: cat(
			series(3, "08:00", 5*time.Minute, nil, ev{User: u("dave"), IP: "198.51.100.20", Code: 50126, Client: "IMAP4", App: "Office 365 Exchange Online"}),
			[]ev{
				{At: "08:15", User: u("dave"), IP: "198.51.100.20", Code: 0, Client: "IMAP4", App: "Office 365 Exchange Online"},
				{At: "09:00", User: u("erin"), IP: "198.51.100.21", Code: 50126, Client: "exchange activesync", App: "Office 365 Exchange Online"},
				{At: "09:30", User: u("erin"), IP: "198.51.100.22", Code: 50053, Client: "exchange activesync", App: "Office 365 Exchange Online"},
				{At: "10:00", User: u("frank"), IP: "198.51.100.23", Code: 0, Client: "Browser"},
				{At: "10:05", User: u("frank"), IP: "198.51.100.23", Code: 0, Client: "Mobile Apps and Desktop clients"},
			}),
		Want: []want{
			{Severity: "high", Title: "Legacy authentication: IMAP4", User: u("dave"), IP: "198.51.100.20",
				First: "08:00", Last: "08:15", Events: 4,
				Details:  []string{"1 successful, 3 failed sign-ins through IMAP4 (IMAP mail access with a password) from 1 IP address to Office 365 Exchange Online"},
				Evidence: seq(0, 3)},
			{Severity: "medium", Title: "Legacy authentication: Exchange ActiveSync", User: u("erin"),
				First: "09:00", Last: "09:30", Events: 2,
				Details:  []string{"0 successful, 2 failed sign-ins through Exchange ActiveSync", "from 2 IP addresses"},
				Evidence: []int{4, 5}},
		},
	},
	// Near miss: only modern clients, including ones whose names resemble legacy ones.
	{Detection: "legacy-protocol-signin", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("dave"), IP: "198.51.100.20", Code: 0, Client: "Mobile Apps and Desktop clients", App: "Office 365 Exchange Online"},
			{At: "08:05", User: u("dave"), IP: "198.51.100.20", Code: 50126, Client: "Browser"},
			{At: "08:10", User: u("erin"), IP: "198.51.100.21", Code: 0, Client: "Exchange ActiveSync (modern)"},
		},
	},

	// disabled-account: ghost (disabled) is tried 3 times from .90 against 3 applications
	// (0-2) and once from .5 (3): two user and address pairs. The 50126 of ghost (4) is not
	// a disabled-account error.
	{Detection: "disabled-account", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("ghost"), IP: "203.0.113.90", Code: 50057, App: "Microsoft Teams"},
			{At: "08:10", User: u("ghost"), IP: "203.0.113.90", Code: 50057, App: "Azure Portal"},
			{At: "08:20", User: u("ghost"), IP: "203.0.113.90", Code: 50057, App: "Microsoft Office"},
			{At: "09:00", User: u("ghost"), IP: "198.51.100.5", Code: 50057, App: "Microsoft Teams"},
			{At: "09:30", User: u("ghost"), IP: "198.51.100.5", Code: 50126, App: "Microsoft Teams"},
		},
		Want: []want{
			{Severity: "low", Title: "Sign-in attempts on a disabled account", User: u("ghost"), IP: "203.0.113.90",
				First: "08:00", Last: "08:20", Events: 3,
				Details:  []string{"3 attempts on the disabled account (50057) to 3 applications: Azure Portal, Microsoft Office, Microsoft Teams"},
				Evidence: []int{0, 1, 2}},
			{Severity: "low", Title: "Sign-in attempts on a disabled account", User: u("ghost"), IP: "198.51.100.5",
				First: "09:00", Last: "09:00", Events: 1,
				Details:  []string{"1 attempt on the disabled account (50057) to 1 application: Microsoft Teams"},
				Evidence: []int{3}},
		},
	},
	// Just under min_attempts 1: no 50057 at all, only the errors around it.
	{Detection: "disabled-account", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("ghost"), IP: "203.0.113.90", Code: 50126},
			{At: "08:10", User: u("ghost"), IP: "203.0.113.90", Code: 50053},
			{At: "08:20", User: u("ghost"), IP: "203.0.113.90", Code: 50034},
		},
	},

	// signin-by-device-code: henry signs in with the device-code protocol (0) and, non-interactively,
	// with a token transferred by the device-code flow (1), both from .30 and successful:
	// medium. ivy's device-code attempt (2) was blocked: low. jack's oAuth2 sign-in (3) no.
	{Detection: "signin-by-device-code", Case: "fire",
		Events: []ev{
			{At: "10:00", User: u("henry"), IP: "198.51.100.30", Code: 0, Protocol: "deviceCode", App: "Microsoft Office", Res: "Microsoft Graph"},
			{At: "10:01", Log: "nonInteractiveUser", User: u("henry"), IP: "198.51.100.30", Code: 0, Transfer: "deviceCodeFlow", App: "Microsoft Office", Res: "Office 365 Exchange Online"},
			{At: "11:00", User: u("ivy"), IP: "203.0.113.31", Code: 53003, Protocol: "deviceCode", App: "Microsoft Azure CLI", Res: "Windows Azure Service Management API"},
			{At: "11:30", User: u("jack"), IP: "203.0.113.32", Code: 0, Protocol: "oAuth2"},
		},
		Want: []want{
			{Severity: "medium", Title: "Device-code sign-in", User: u("henry"), IP: "198.51.100.30",
				First: "10:00", Last: "10:01", Events: 2,
				Details:  []string{"2 successful, 0 failed device-code sign-ins to Microsoft Office for Microsoft Graph, Office 365 Exchange Online"},
				Evidence: []int{0, 1}},
			{Severity: "low", Title: "Device-code sign-in", User: u("ivy"), IP: "203.0.113.31",
				First: "11:00", Last: "11:00", Events: 1,
				Details:  []string{"0 successful, 1 failed device-code sign-ins to Microsoft Azure CLI"},
				Evidence: []int{2}},
		},
	},
	// Near miss: other protocols and another transfer method.
	{Detection: "signin-by-device-code", Case: "quiet",
		Events: []ev{
			{At: "10:00", User: u("henry"), IP: "198.51.100.30", Code: 0, Protocol: "oAuth2"},
			{At: "10:01", Log: "nonInteractiveUser", User: u("henry"), IP: "198.51.100.30", Code: 0, Transfer: "authenticationTransfer"},
			{At: "10:02", User: u("henry"), IP: "198.51.100.30", Code: 0, Protocol: "saml20"},
		},
	},

	// ropc: jack signs in twice with the ROPC protocol from .40 (0, 1): medium. kate's three
	// failures carry the BAV2ROPC user agent (2-4): low. lena's oAuth2 (5) no.
	{Detection: "ropc", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("jack"), IP: "198.51.100.40", Code: 0, Protocol: "ropc", App: "Microsoft Azure CLI"},
			{At: "08:30", User: u("jack"), IP: "198.51.100.40", Code: 0, Protocol: "ropc", App: "Microsoft Azure CLI"},
			{At: "09:00", User: u("kate"), IP: "203.0.113.41", Code: 50126, UA: "BAV2ROPC", Client: "Authenticated SMTP", App: "Office 365 Exchange Online"},
			{At: "09:01", User: u("kate"), IP: "203.0.113.41", Code: 50126, UA: "BAV2ROPC", Client: "Authenticated SMTP", App: "Office 365 Exchange Online"},
			{At: "09:02", User: u("kate"), IP: "203.0.113.41", Code: 50053, UA: "BAV2ROPC", Client: "Authenticated SMTP", App: "Office 365 Exchange Online"},
			{At: "09:03", User: u("lena"), IP: "203.0.113.42", Code: 0, Protocol: "oAuth2"},
		},
		Want: []want{
			{Severity: "medium", Title: "ROPC sign-in", User: u("jack"), IP: "198.51.100.40",
				First: "08:00", Last: "08:30", Events: 2,
				Details:  []string{"2 successful, 0 failed password-only (ROPC) sign-ins to Microsoft Azure CLI"},
				Evidence: []int{0, 1}},
			{Severity: "low", Title: "ROPC sign-in", User: u("kate"), IP: "203.0.113.41",
				First: "09:00", Last: "09:02", Events: 3,
				Details:  []string{"0 successful, 3 failed password-only (ROPC) sign-ins, 3 of them basic authentication converted to ROPC (BAV2ROPC) to Office 365 Exchange Online"},
				Evidence: []int{2, 3, 4}},
		},
	},
	{Detection: "ropc", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("jack"), IP: "198.51.100.40", Code: 0, Protocol: "oAuth2", App: "Microsoft Azure CLI"},
			{At: "08:30", User: u("kate"), IP: "203.0.113.41", Code: 50126, UA: "Mozilla/5.0 (compatible; MSAL 1.0) PKeyAuth/1.0"},
		},
	},

	// identity-protection-risk: leo has a successful sign-in at medium risk during sign-in (0) and a
	// failed one at high aggregated risk, state atRisk (1): high, 2 sign-ins. mia's sign-in
	// is confirmed compromised with no level (2): high. nora's low risk (3) is under the
	// default min_level medium; owen's hidden levels (4) and pia's remediated state (5) are
	// not risk.
	{Detection: "identity-protection-risk", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("leo"), IP: "198.51.100.80", Code: 0, RiskDuring: "medium", RiskAgg: "low", RiskState: "atRisk", RiskEvents: []string{"unfamiliarFeatures"}},
			{At: "08:30", User: u("leo"), IP: "198.51.100.81", Code: 53004, RiskDuring: "none", RiskAgg: "high", RiskState: "atRisk", RiskEvents: []string{"anonymizedIPAddress", "unfamiliarFeatures"}},
			{At: "09:00", User: u("mia"), IP: "198.51.100.82", Code: 0, RiskState: "confirmedCompromised"},
			{At: "09:30", User: u("nora"), IP: "198.51.100.83", Code: 0, RiskDuring: "low", RiskAgg: "low", RiskState: "none"},
			{At: "10:00", User: u("owen"), IP: "198.51.100.84", Code: 0, RiskDuring: "hidden", RiskAgg: "hidden", RiskState: "none"},
			{At: "10:30", User: u("pia"), IP: "198.51.100.85", Code: 0, RiskDuring: "none", RiskAgg: "none", RiskState: "remediated"},
		},
		Want: []want{
			{Severity: "high", Title: "Risky sign-ins", User: u("leo"),
				First: "08:00", Last: "08:30", Events: 2,
				Details:  []string{"2 risky sign-ins (high: 1, medium: 1, low: 0), 1 successful; risk events: anonymizedIPAddress, unfamiliarFeatures; states: atRisk"},
				Evidence: []int{0, 1}},
			{Severity: "high", Title: "Risky sign-ins", User: u("mia"), IP: "198.51.100.82",
				First: "09:00", Last: "09:00", Events: 1,
				Details:  []string{"1 risky sign-in (high: 1, medium: 0, low: 0), 1 successful; states: confirmedCompromised"},
				Evidence: []int{2}},
		},
	},
	// Just under min_level medium: nora's low risk; hidden levels and remediated states.
	{Detection: "identity-protection-risk", Case: "quiet",
		Events: []ev{
			{At: "09:30", User: u("nora"), IP: "198.51.100.83", Code: 0, RiskDuring: "low", RiskAgg: "low", RiskState: "none", RiskEvents: []string{"unfamiliarFeatures"}},
			{At: "10:00", User: u("owen"), IP: "198.51.100.84", Code: 0, RiskDuring: "hidden", RiskAgg: "hidden", RiskState: "none"},
			{At: "10:30", User: u("pia"), IP: "198.51.100.85", Code: 0, RiskDuring: "none", RiskAgg: "none", RiskState: "remediated"},
		},
	},

	// suspicious-user-agent: olga uses python-requests twice from .50 (0, 1); paul Windows
	// PowerShell (2); quinn AzureHound (3); rita a PowerShell user agent that also names
	// AADInternals (4), which counts once, for AADInternals (listed first). sara's browser
	// (5) no.
	{Detection: "suspicious-user-agent", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("olga"), IP: "198.51.100.50", Code: 50126, UA: "python-requests/2.31.0"},
			{At: "08:05", User: u("olga"), IP: "198.51.100.50", Code: 0, UA: "python-requests/2.32.3"},
			{At: "09:00", User: u("paul"), IP: "198.51.100.51", Code: 0, UA: "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3031"},
			{At: "10:00", User: u("quinn"), IP: "198.51.100.52", Code: 0, UA: "azurehound/v2.1.7"},
			{At: "11:00", User: u("rita"), IP: "198.51.100.53", Code: 0, UA: "Mozilla/5.0 (Windows NT 10.0) WindowsPowerShell/5.1 AADInternals"},
			{At: "11:30", User: u("sara"), IP: "198.51.100.54", Code: 0},
		},
		Want: []want{
			{Severity: "medium", Title: "Tool user agent: python-requests", User: u("olga"), IP: "198.51.100.50",
				First: "08:00", Last: "08:05", Events: 2,
				Details:  []string{"1 successful, 1 failed sign-ins with python-requests (", "user agents: python-requests/2.31.0 | python-requests/2.32.3"},
				Evidence: []int{0, 1}},
			{Severity: "medium", Title: "Tool user agent: PowerShell", User: u("paul"), IP: "198.51.100.51",
				First: "09:00", Last: "09:00", Events: 1, Evidence: []int{2}},
			{Severity: "medium", Title: "Tool user agent: AzureHound", User: u("quinn"), IP: "198.51.100.52",
				First: "10:00", Last: "10:00", Events: 1, Evidence: []int{3}},
			{Severity: "medium", Title: "Tool user agent: AADInternals", User: u("rita"), IP: "198.51.100.53",
				First: "11:00", Last: "11:00", Events: 1, Evidence: []int{4}},
		},
	},
	// Near miss: user agents that contain a pattern's letters but not the pattern.
	{Detection: "suspicious-user-agent", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("olga"), IP: "198.51.100.50", Code: 0, UA: "Mozilla/5.0 (X11; Linux x86_64) Curly/1.0"},
			{At: "08:05", User: u("paul"), IP: "198.51.100.51", Code: 0, UA: "Mozilla/5.0 (Windows NT 10.0) JavaFX/8.0"},
			{At: "08:10", User: u("quinn"), IP: "198.51.100.52", Code: 0, UA: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)"},
		},
	},

	// ca-blocked: sam is blocked (53003) twice from two addresses on the Azure Portal by the
	// same policy (0, 1); tina once on Teams (2). sam's 53000 (device not compliant, 3) is
	// another Conditional Access error.
	{Detection: "ca-blocked", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("sam"), IP: "203.0.113.60", Code: 53003, App: "Azure Portal", CAFail: "Block untrusted countries"},
			{At: "08:20", User: u("sam"), IP: "203.0.113.61", Code: 53003, App: "Azure Portal", CAFail: "Block untrusted countries"},
			{At: "09:00", User: u("tina"), IP: "198.51.100.62", Code: 53003, App: "Microsoft Teams", CAFail: "Require compliant device"},
			{At: "09:30", User: u("sam"), IP: "203.0.113.60", Code: 53000, App: "Azure Portal"},
		},
		Want: []want{
			{Severity: "low", Title: "Blocked by Conditional Access: Azure Portal", User: u("sam"),
				First: "08:00", Last: "08:20", Events: 2,
				Details:  []string{"2 blocked sign-ins (53003) from 2 IP addresses; failed policies: Block untrusted countries"},
				Evidence: []int{0, 1}},
			{Severity: "low", Title: "Blocked by Conditional Access: Microsoft Teams", User: u("tina"), IP: "198.51.100.62",
				First: "09:00", Last: "09:00", Events: 1,
				Details:  []string{"1 blocked sign-in (53003) from 1 IP address; failed policies: Require compliant device"},
				Evidence: []int{2}},
		},
	},
	// Near miss: other Conditional Access failures (53000, 53001, 53002), none 53003.
	{Detection: "ca-blocked", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("sam"), IP: "203.0.113.60", Code: 53000, App: "Azure Portal"},
			{At: "08:10", User: u("sam"), IP: "203.0.113.60", Code: 53001, App: "Azure Portal"},
			{At: "08:20", User: u("tina"), IP: "198.51.100.62", Code: 53002, App: "Microsoft Teams"},
		},
	},

	// single-factor-admin-app: uma gets into the Azure Portal (client listed) twice with a
	// password alone (0, 1); victor reaches the Azure management API (resource listed) from
	// Microsoft Office (2). uma's MFA sign-in (3), her failed single-factor one (4) and walt's
	// single-factor Teams sign-in (5) do not count.
	{Detection: "single-factor-admin-app", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("uma"), IP: "198.51.100.60", Code: 0, App: "Azure Portal", Res: "Windows Azure Service Management API"},
			{At: "08:30", User: u("uma"), IP: "198.51.100.60", Code: 0, App: "Azure Portal", Res: "Windows Azure Service Management API"},
			{At: "09:00", User: u("victor"), IP: "198.51.100.61", Code: 0, App: "Microsoft Office", Res: "Windows Azure Service Management API"},
			{At: "09:30", User: u("uma"), IP: "198.51.100.60", Code: 0, App: "Azure Portal", Res: "Windows Azure Service Management API", AuthReq: "multiFactorAuthentication"},
			{At: "10:00", User: u("uma"), IP: "198.51.100.60", Code: 50126, App: "Azure Portal", Res: "Windows Azure Service Management API"},
			{At: "10:30", User: u("walt"), IP: "198.51.100.63", Code: 0, App: "Microsoft Teams"},
		},
		Want: []want{
			{Severity: "medium", Title: "Single-factor sign-in to Azure Portal", User: u("uma"), IP: "198.51.100.60",
				First: "08:00", Last: "08:30", Events: 2,
				Details:  []string{"2 successful single-factor sign-ins (Azure Portal to Windows Azure Service Management API): Azure Portal manages"},
				Evidence: []int{0, 1}},
			{Severity: "medium", Title: "Single-factor sign-in to Windows Azure Service Management API", User: u("victor"), IP: "198.51.100.61",
				First: "09:00", Last: "09:00", Events: 1,
				Details:  []string{"1 successful single-factor sign-in (Microsoft Office to Windows Azure Service Management API)"},
				Evidence: []int{2}},
		},
	},
	// Near miss: the same applications with MFA, or failed; single factor only elsewhere.
	{Detection: "single-factor-admin-app", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("uma"), IP: "198.51.100.60", Code: 0, App: "Azure Portal", Res: "Windows Azure Service Management API", AuthReq: "multiFactorAuthentication"},
			{At: "08:30", User: u("uma"), IP: "198.51.100.60", Code: 50126, App: "Azure Portal", Res: "Windows Azure Service Management API"},
			{At: "09:00", User: u("walt"), IP: "198.51.100.63", Code: 0, App: "Microsoft Teams"},
		},
	},

	// sp-credential-change: Payroll Sync signs in with secret key K1 three times on day one
	// (0-2), then with certificate key K2 twice on day two from 20.1.1.1 (3, 4): one new
	// credential. Its failed attempt with key K3 (5, invalid secret) is no sign-in. Backup
	// Agent keeps one key (6, 7).
	{Detection: "sp-credential-change", Case: "fire",
		Events: []ev{
			{At: "08:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, App: "Contoso Payroll", CredType: "clientSecret", KeyID: "k1-secret"},
			{At: "10:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, App: "Contoso Payroll", CredType: "clientSecret", KeyID: "k1-secret"},
			{At: "12:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, App: "Contoso Payroll", CredType: "clientSecret", KeyID: "k1-secret"},
			{At: "+1 08:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, App: "Contoso Payroll", CredType: "certificate", KeyID: "k2-cert", Thumb: "AB12CD34"},
			{At: "+1 09:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, App: "Contoso Payroll", CredType: "certificate", KeyID: "k2-cert", Thumb: "AB12CD34"},
			{At: "+1 07:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "203.0.113.66", Code: 7000215, App: "Contoso Payroll", CredType: "clientSecret", KeyID: "k3-secret"},
			{At: "08:00", Log: "servicePrincipal", SP: sp2, SPName: "Backup Agent", IP: "20.1.1.2", Code: 0, CredType: "clientSecret", KeyID: "k9"},
			{At: "+1 08:00", Log: "servicePrincipal", SP: sp2, SPName: "Backup Agent", IP: "20.1.1.2", Code: 0, CredType: "clientSecret", KeyID: "k9"},
		},
		Want: []want{{Severity: "medium", Title: "New credential for service principal Payroll Sync", IP: "20.1.1.1", SP: sp1,
			First: "+1 08:00", Last: "+1 09:00", Events: 2,
			Details:  []string{"signed in 2 times with certificate key k2-cert thumbprint AB12CD34 from 2025-06-11T08:00:00Z; before that with clientSecret key k1-secret (3 sign-ins from 2025-06-10T08:00:00Z)"},
			Evidence: []int{3, 4}}},
	},
	// Near miss: the other key only ever failed.
	{Detection: "sp-credential-change", Case: "quiet",
		Events: []ev{
			{At: "08:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, CredType: "clientSecret", KeyID: "k1-secret"},
			{At: "+1 07:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "203.0.113.66", Code: 7000215, CredType: "clientSecret", KeyID: "k3-secret"},
			{At: "+1 08:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, CredType: "clientSecret", KeyID: "k1-secret"},
		},
	},

	// mi-new-resource: the latest event is day two 10:00, so the recent day is after day one
	// 10:00. vm-web-01 reached Storage at 08:00 (0, baseline) and 12:00 (1); on day two it
	// reaches Key Vault twice (2, 3) and Storage again (4): Key Vault is new. new-app's first
	// sign-in ever is on day two (5): no baseline, left out.
	{Detection: "mi-new-resource", Case: "fire",
		Events: []ev{
			{At: "08:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Storage"},
			{At: "12:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Storage"},
			{At: "+1 09:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Key Vault"},
			{At: "+1 09:30", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Key Vault"},
			{At: "+1 10:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Storage"},
			{At: "+1 09:45", Log: "servicePrincipal", SP: sp2, SPName: "new-app", IP: "20.1.1.2", Code: 0, Res: "Azure Key Vault", CredType: "clientSecret", KeyID: "k9"},
		},
		Want: []want{{Severity: "low", Title: "New resource for vm-web-01: Azure Key Vault", SP: mi1,
			First: "+1 09:00", Last: "+1 09:30", Events: 2,
			Details:  []string{"managed identity vm-web-01 reached Azure Key Vault 2 times from 2025-06-11T09:00:00Z; before that it reached 1 other resource (Azure Storage) in 1 sign-in since 2025-06-10T08:00:00Z"},
			Evidence: []int{2, 3}}},
	},
	// Just under: Key Vault was first reached at day one 10:00 exactly, the last instant of
	// the baseline (the recent day is after it).
	{Detection: "mi-new-resource", Case: "quiet",
		Events: []ev{
			{At: "08:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Storage"},
			{At: "10:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Key Vault"},
			{At: "+1 09:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Key Vault"},
			{At: "+1 10:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Storage"},
		},
	},

	// new-country: the latest event is day two 09:00, so the recent day is after day one
	// 09:00. wendy's baseline: NL at 08:00 (0) and DE at 09:00 (1). On day one at 12:00 she is
	// in NL again (2); on day two she succeeds twice from FR (3, 4) and from NL (5). Her
	// failure from RU (6) does not count; xavier's first sign-in ever is on day two (7).
	{Detection: "new-country", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("wendy"), IP: "198.51.100.70", Code: 0, City: "Amsterdam", Country: "NL"},
			{At: "09:00", User: u("wendy"), IP: "198.51.100.71", Code: 0, City: "Berlin", Country: "DE"},
			{At: "12:00", User: u("wendy"), IP: "198.51.100.70", Code: 0, City: "Amsterdam", Country: "NL"},
			{At: "+1 08:00", User: u("wendy"), IP: "203.0.113.72", Code: 0, City: "Paris", Country: "FR"},
			{At: "+1 08:30", User: u("wendy"), IP: "203.0.113.72", Code: 0, City: "Paris", Country: "FR"},
			{At: "+1 09:00", User: u("wendy"), IP: "198.51.100.70", Code: 0, City: "Amsterdam", Country: "NL"},
			{At: "+1 07:00", User: u("wendy"), IP: "203.0.113.73", Code: 50126, City: "Moscow", Country: "RU"},
			{At: "+1 08:45", User: u("xavier"), IP: "203.0.113.74", Code: 0, City: "Rome", Country: "IT"},
		},
		Want: []want{{Severity: "medium", Title: "Sign-in from a new country: FR", User: u("wendy"), IP: "203.0.113.72",
			First: "+1 08:00", Last: "+1 08:30", Events: 2,
			Details:  []string{"2 successful sign-ins from FR (Paris) from 2025-06-11T08:00:00Z; before that only from DE (1), NL (1)"},
			Evidence: []int{3, 4}}},
	},
	// Just under: FR was first seen at day one 09:00 exactly, the last instant of the baseline.
	{Detection: "new-country", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("wendy"), IP: "198.51.100.70", Code: 0, City: "Amsterdam", Country: "NL"},
			{At: "09:00", User: u("wendy"), IP: "203.0.113.72", Code: 0, City: "Paris", Country: "FR"},
			{At: "+1 08:00", User: u("wendy"), IP: "203.0.113.72", Code: 0, City: "Paris", Country: "FR"},
			{At: "+1 09:00", User: u("wendy"), IP: "198.51.100.70", Code: 0, City: "Amsterdam", Country: "NL"},
		},
	},

	// cross-tenant-signin: yara, a Fabrikam guest (b2bCollaboration), signs in to Contoso Payroll
	// twice from .90, once failing (0, 1); zack, another Fabrikam guest, to Teams (2). Members
	// of the home tenant (3) are not guests.
	{Detection: "cross-tenant-signin", Case: "fire",
		Events: []ev{
			{At: "08:00", User: "yara@fabrikam.example", UserType: "guest", HomeTenant: fabrik, HomeTenantName: "Fabrikam", CrossTenant: "b2bCollaboration", IP: "198.51.100.90", Code: 0, App: "Contoso Payroll"},
			{At: "08:10", User: "yara@fabrikam.example", UserType: "guest", HomeTenant: fabrik, HomeTenantName: "Fabrikam", CrossTenant: "b2bCollaboration", IP: "198.51.100.90", Code: 50126, App: "Contoso Payroll"},
			{At: "09:00", User: "zack@fabrikam.example", UserType: "guest", HomeTenant: fabrik, HomeTenantName: "Fabrikam", CrossTenant: "b2bCollaboration", IP: "198.51.100.91", Code: 0, App: "Microsoft Teams"},
			{At: "09:30", User: u("walt"), IP: "198.51.100.63", Code: 0, App: "Microsoft Teams"},
		},
		Want: []want{
			{Severity: "low", Title: "Guest or cross-tenant access to Contoso Payroll", User: "yara@fabrikam.example", IP: "198.51.100.90",
				First: "08:00", Last: "08:10", Events: 2,
				Details:  []string{"home tenant Fabrikam (" + fabrik + "); 1 successful, 1 failed sign-ins by 1 user (yara@fabrikam.example); access: b2bCollaboration, user type guest"},
				Evidence: []int{0, 1}},
			{Severity: "low", Title: "Guest or cross-tenant access to Microsoft Teams", User: "zack@fabrikam.example", IP: "198.51.100.91",
				First: "09:00", Last: "09:00", Events: 1, Evidence: []int{2}},
		},
	},
	// Near miss: members of the tenant only.
	{Detection: "cross-tenant-signin", Case: "quiet",
		Events: []ev{
			{At: "09:30", User: u("walt"), IP: "198.51.100.63", Code: 0, App: "Microsoft Teams"},
			{At: "09:40", User: u("uma"), IP: "198.51.100.60", Code: 0, App: "Contoso Payroll", CrossTenant: "none"},
		},
	},

	// export-truncated: with the cap set to 6 (settings.conf), a file of exactly 6 records
	// is cut off. The built-in caps are tested with a generated 30,000-record file below.
	{Detection: "export-truncated", Case: "fire", Settings: "# a file of exactly 6 records counts as cut off\nexport-truncated.caps = 6\n",
		Events: series(6, "08:00", time.Hour, user("u"), ev{IP: "198.51.100.1", Code: 0}),
		Want: []want{{Severity: "medium", First: "08:00", Last: "13:00", Events: 6,
			Details: []string{"holds exactly 6 records, a known export limit"}}},
	},
	// Just under: 5 records.
	{Detection: "export-truncated", Case: "quiet", Settings: "export-truncated.caps = 6\n",
		Events: series(5, "08:00", time.Hour, user("u"), ev{IP: "198.51.100.1", Code: 0}),
	},

	// missing-log-type: interactive and non-interactive sign-ins only, so the service
	// principal and managed identity logs are missing (listed by title).
	{Detection: "missing-log-type", Case: "fire",
		Events: []ev{
			{At: "08:00", User: u("alice"), IP: "198.51.100.1", Code: 0},
			{At: "09:00", Log: "nonInteractiveUser", User: u("alice"), IP: "198.51.100.1", Code: 0},
		},
		Want: []want{
			{Severity: "low", Title: "Sign-in log type missing: managedIdentity", First: "08:00", Last: "09:00", Events: 0,
				Details: []string{"no managedIdentity records were loaded"}},
			{Severity: "low", Title: "Sign-in log type missing: servicePrincipal", First: "08:00", Last: "09:00", Events: 0,
				Details: []string{"no servicePrincipal records were loaded"}},
		},
	},
	// All four present.
	{Detection: "missing-log-type", Case: "quiet",
		Events: []ev{
			{At: "08:00", User: u("alice"), IP: "198.51.100.1", Code: 0},
			{At: "09:00", Log: "nonInteractiveUser", User: u("alice"), IP: "198.51.100.1", Code: 0},
			{At: "10:00", Log: "servicePrincipal", SP: sp1, SPName: "Payroll Sync", IP: "20.1.1.1", Code: 0, CredType: "clientSecret", KeyID: "k1"},
			{At: "11:00", Log: "managedIdentity", SP: mi1, SPName: "vm-web-01", Code: 0, Res: "Azure Storage"},
		},
	},

	// time-gap: an interactive sign-in at :30 of every hour of day one (0-23), none until
	// day two 08:30, then hourly to 12:30 (24-28): a 9 h gap. Hours from day one 00:00 to day
	// two 12:00 = 37, of which 29 hold a sign-in and 8 (day two 00-07) lie inside the gap:
	// 29 / (37 - 8) = 100% >= 90%. A non-interactive sign-in inside the gap (29) does not
	// fill it.
	{Detection: "time-gap", Case: "fire",
		Events: cat(
			series(24, "00:30", time.Hour, user("h"), ev{IP: "198.51.100.1", Code: 0}),
			series(5, "+1 08:30", time.Hour, user("h"), ev{IP: "198.51.100.1", Code: 0}),
			[]ev{{At: "+1 03:00", Log: "nonInteractiveUser", User: u("h01"), IP: "198.51.100.1", Code: 0}},
		),
		Want: []want{{Severity: "medium", Title: "Gap in interactive sign-ins: 9 h 0 min", First: "23:30", Last: "+1 08:30", Events: 2,
			Details:  []string{"no interactive sign-in between 2025-06-10T23:30:00Z and 2025-06-11T08:30:00Z, while 100% of the other clock hours hold one"},
			Evidence: []int{23, 24}}},
	},
	// Just under: the gap is 6 h exactly (23:30 to 05:30), not more.
	{Detection: "time-gap", Case: "quiet",
		Events: cat(
			series(24, "00:30", time.Hour, user("h"), ev{IP: "198.51.100.1", Code: 0}),
			series(5, "+1 05:30", time.Hour, user("h"), ev{IP: "198.51.100.1", Code: 0}),
		),
	},
}

// ---------------------------------------------------------------------------------------
// Thresholds: overriding a parameter changes the result as its param: line says. Each case
// reruns a fixture with Params.Set; the expected findings are counted by hand.

func fixtureNamed(t *testing.T, name string) fixture {
	t.Helper()
	for _, fx := range fixtures {
		if fx.name() == name {
			return fx
		}
	}
	t.Fatalf("no fixture %s", name)
	return fixture{}
}

var thresholdCases = []struct {
	fixture string
	set     map[string]string
	want    []want
}{
	// Windows at 08:00 (u01..u09) and 08:05 (u02..u10, 09:00:01 is inside) both hold 9
	// users: one burst 08:00..09:05 with all 10 failures; u04's success at 09:30 follows.
	{"password-spray/quiet", map[string]string{"password-spray.min_users": "9"},
		[]want{{Severity: "high", IP: sprayIP, First: "08:00", Last: "09:00:01", Events: 10, Evidence: seq(0, 10),
			Details: []string{"10 users failed 10 times (50126: 10)"}}}},
	// A 2h window from 08:00 holds all 10 users.
	{"password-spray/quiet", map[string]string{"password-spray.window": "2h"},
		[]want{{Severity: "high", IP: sprayIP, First: "08:00", Last: "09:00:01", Events: 10, Evidence: seq(0, 10)}}},
	// Windows at 08:00 and 08:02 hold 19 failures: burst 08:00..09:02 = all 20; success 09:10.
	{"brute-force/quiet", map[string]string{"brute-force.min_failures": "19"},
		[]want{{Severity: "high", User: u("bob"), IP: "203.0.113.50", First: "08:00", Last: "09:00:01", Events: 20, Evidence: seq(0, 20)}}},
	// 995.8 km/h is over 900.
	{"impossible-travel/quiet", map[string]string{"impossible-travel.min_speed_kmh": "900"},
		[]want{{Severity: "medium", User: u("alice"), IP: "198.51.100.4", First: "08:00", Last: "09:07", Events: 2, Evidence: []int{0, 1},
			Details: []string{"1112 km in 67 min (996 km/h)"}}}},
	// ... and 1111.95 km is not over 1200.
	{"impossible-travel/fire", map[string]string{"impossible-travel.min_distance_km": "1200"}, nil},
	// A 31 min window from 22:00 reaches 22:31: 5 denials; the success at 22:40 (7) follows.
	{"mfa-fatigue/quiet", map[string]string{"mfa-fatigue.window": "31m"},
		[]want{{Severity: "high", User: u("carol"), IP: "203.0.113.77", First: "22:00", Last: "22:31", Events: 5, Evidence: []int{0, 1, 2, 3, 4, 7}}}},
	{"mfa-fatigue/fire", map[string]string{"mfa-fatigue.min_denials": "6"}, nil},
	// Only the pair with 3 attempts has 2 or more.
	{"disabled-account/fire", map[string]string{"disabled-account.min_attempts": "2"},
		[]want{{Severity: "low", User: u("ghost"), IP: "203.0.113.90", First: "08:00", Last: "08:20", Events: 3, Evidence: []int{0, 1, 2}}}},
	{"ca-blocked/fire", map[string]string{"ca-blocked.min_events": "2"},
		[]want{{Severity: "low", User: u("sam"), First: "08:00", Last: "08:20", Events: 2, Evidence: []int{0, 1}}}},
	{"identity-protection-risk/quiet", map[string]string{"identity-protection-risk.min_level": "low"},
		[]want{{Severity: "low", User: u("nora"), IP: "198.51.100.83", First: "09:30", Last: "09:30", Events: 1, Evidence: []int{0},
			Details: []string{"1 risky sign-in (high: 0, medium: 0, low: 1), 1 successful; risk events: unfamiliarFeatures"}}}},
	// At min_level high only leo's aggregated-high sign-in (1) and mia's compromise (2).
	{"identity-protection-risk/fire", map[string]string{"identity-protection-risk.min_level": "high"},
		[]want{
			{Severity: "high", User: u("leo"), IP: "198.51.100.81", First: "08:30", Last: "08:30", Events: 1, Evidence: []int{1}},
			{Severity: "high", User: u("mia"), IP: "198.51.100.82", First: "09:00", Last: "09:00", Events: 1, Evidence: []int{2}},
		}},
	// 25h before day two 10:00 is day one 09:00: Key Vault at 10:00 is after it.
	{"mi-new-resource/quiet", map[string]string{"mi-new-resource.recent": "25h"},
		[]want{{Severity: "low", SP: mi1, First: "10:00", Last: "+1 09:00", Events: 2, Evidence: []int{1, 2},
			Details: []string{"before that it reached 1 other resource (Azure Storage) in 1 sign-in since 2025-06-10T08:00:00Z"}}}},
	// 25h before day two 09:00 is day one 08:00: FR at 09:00 is after it, NL at 08:00 is not.
	{"new-country/quiet", map[string]string{"new-country.recent": "25h"},
		[]want{{Severity: "medium", User: u("wendy"), IP: "203.0.113.72", First: "09:00", Last: "+1 08:00", Events: 2, Evidence: []int{1, 2},
			Details: []string{"before that only from NL (1)"}}}},
	// 6 h is more than 5 h; hours 00:00 day one to 09:00 day two = 34, 5 inside the gap.
	{"time-gap/quiet", map[string]string{"time-gap.gap": "5h"},
		[]want{{Severity: "medium", Title: "Gap in interactive sign-ins: 6 h 0 min", First: "23:30", Last: "+1 05:30", Events: 2, Evidence: []int{23, 24},
			Details: []string{"while 100% of the other clock hours"}}}},
	// The 9 h gap is not more than 9 h.
	{"time-gap/fire", map[string]string{"time-gap.gap": "9h"}, nil},
	{"export-truncated/quiet", map[string]string{"export-truncated.caps": "5,7"},
		[]want{{Severity: "medium", First: "08:00", Last: "12:00", Events: 5, Details: []string{"holds exactly 5 records"}}}},
}

func TestThresholdsChangeResults(t *testing.T) {
	for _, tc := range thresholdCases {
		fx := fixtureNamed(t, tc.fixture)
		var keys []string
		for k, v := range tc.set {
			keys = append(keys, k+"="+v)
		}
		t.Run(strings.ReplaceAll(tc.fixture, "/", "_")+"_"+strings.Join(keys, ","), func(t *testing.T) {
			db := loadDB(t, filepath.Join(fx.dir(), "graph-page.json"))
			got, run := detect(t, db, Params{Set: tc.set}, fx.Detection)
			checkFindings(t, db, fx, got, tc.want)
			for k := range tc.set {
				name := strings.TrimPrefix(k, fx.Detection+".")
				if _, ok := run.Bound.Args[name]; !ok {
					t.Errorf("%s not among the bound arguments %v", name, run.Bound.Args)
				}
			}
		})
	}
}

// The built-in caps: a Log Analytics portal export of exactly 30,000 rows.
func TestExportTruncatedAtDefaultCap(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and loads 30,000 records")
	}
	path := filepath.Join(t.TempDir(), "graph-lines.jsonl")
	var b bytes.Buffer
	base := time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 30000; i++ {
		fmt.Fprintf(&b, `{"id":"r-%d","createdDateTime":"%s","userPrincipalName":"u%d@contoso.example","ipAddress":"198.51.100.1","signInEventTypes":["interactiveUser"],"status":{"errorCode":0}}`+"\n",
			i, base.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i%50)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	db := loadDB(t, path)
	got, _ := detect(t, db, Params{}, "export-truncated")
	if len(got) != 1 || got[0].Events != 30000 || !strings.Contains(got[0].Details, "holds exactly 30000 records") {
		t.Fatalf("got %+v", got)
	}
	// One record less is no longer a cap.
	got, _ = detect(t, db, Params{Set: map[string]string{"export-truncated.caps": "29999"}}, "export-truncated")
	if len(got) != 0 {
		t.Errorf("caps 29999: %+v", got)
	}
}

// ---------------------------------------------------------------------------------------
// Fields an export cannot carry: the detection says it could not run.

// markUnavailable makes the loaded files look like a format without fields: listed in
// sources.unavailable_fields and empty in the sign-ins (as an admin-center CSV would be).
func markUnavailable(t *testing.T, db *store.DB, sourcePath string, fields ...string) {
	t.Helper()
	for _, f := range fields {
		if _, err := db.SQL.Exec(`UPDATE signins SET "`+f+`" = NULL WHERE source_file LIKE ?`, "%"+sourcePath); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SQL.Exec(`UPDATE sources SET unavailable_fields = ?::VARCHAR[] WHERE path LIKE ?`, fields, "%"+sourcePath); err != nil {
		t.Fatal(err)
	}
}

func TestDetectionWithoutItsFieldsSaysSo(t *testing.T) {
	fx := fixtureNamed(t, "identity-protection-risk/fire")
	db := loadDB(t, filepath.Join(fx.dir(), "graph-page.json"))
	markUnavailable(t, db, "graph-page.json", "risk_level_during_signin", "risk_level_aggregated", "risk_state")
	got, run := detect(t, db, Params{}, "identity-protection-risk")
	if len(got) != 0 || run.Findings != 0 {
		t.Errorf("findings %+v", got)
	}
	if !strings.Contains(run.Skipped, "risk fields are not available") {
		t.Errorf("Skipped = %q", run.Skipped)
	}
	// Through RunDetections: every other detection still runs.
	ctx := context.Background()
	asOf, _ := LatestEvent(ctx, db.SQL)
	_, runs, err := RunDetections(ctx, db.SQL, Params{}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if (r.Skipped != "") != (r.Query.ID == "identity-protection-risk") {
			t.Errorf("%s: skipped %q", r.Query.ID, r.Skipped)
		}
	}
}

// When only some files lack the fields, the detection runs on the others and says so.
func TestDetectionWithFieldsInSomeFilesIsLimited(t *testing.T) {
	fire := fixtureNamed(t, "identity-protection-risk/fire")
	quiet := fixtureNamed(t, "identity-protection-risk/quiet")
	db := loadDB(t, filepath.Join(fire.dir(), "graph-page.json"), filepath.Join(quiet.dir(), "graph-page.json"))
	markUnavailable(t, db, "quiet/graph-page.json", "risk_level_during_signin", "risk_level_aggregated", "risk_state")
	got, run := detect(t, db, Params{}, "identity-protection-risk")
	if run.Skipped != "" || !strings.Contains(run.Limited, "1 of 2 files") {
		t.Errorf("Skipped %q, Limited %q", run.Skipped, run.Limited)
	}
	if len(got) != 2 {
		t.Errorf("%d findings, want leo and mia", len(got))
	}
}

// ---------------------------------------------------------------------------------------
// The contract of the detection files and of the API.

func TestDetectionHeaders(t *testing.T) {
	dets, err := OfKind("detection")
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) < 19 {
		t.Errorf("%d detections", len(dets))
	}
	dataQuality := map[string]bool{"export-truncated": true, "missing-log-type": true, "time-gap": true}
	db, err := store.Open("", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	columns := map[string]bool{}
	rows, err := db.SQL.Query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'signins'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		columns[c] = true
	}
	rows.Close()
	for _, q := range dets {
		for _, f := range q.Requires {
			if !columns[f] {
				t.Errorf("%s: requires %q, which is no signins column", q.ID, f)
			}
		}
		var cols []string
		for _, c := range q.Columns {
			cols = append(cols, c.Name)
		}
		if !reflect.DeepEqual(cols, FindingColumns()) {
			t.Errorf("%s: column lines %v, want %v", q.ID, cols, FindingColumns())
		}
		if q.Anchor == "" {
			t.Errorf("%s: no anchor", q.ID)
		}
		if q.Mitre == "" && !dataQuality[q.ID] {
			t.Errorf("%s: no mitre", q.ID)
		}
		if q.Window != "all" {
			t.Errorf("%s: window %s; detections look at the whole export unless the user narrows it", q.ID, q.Window)
		}
		if len(q.Requires) == 0 {
			t.Errorf("%s: no requires", q.ID)
		}
		for _, p := range q.Params {
			if !strings.Contains(q.SQL, "$"+p.Name) {
				t.Errorf("%s: param %s declared but not used", q.ID, p.Name)
			}
			if _, err := convertParam(p, p.Default); err != nil {
				t.Errorf("%s: default of %s: %v", q.ID, p.Name, err)
			}
		}
		for _, c := range scopedCallPattern.FindAllStringSubmatch(q.SQL, -1) {
			if c[1] != "$since, $until, $app, $user, $ip, $log_types" && !(dataQuality[q.ID] && c[1] == "$since, $until, NULL, NULL, NULL, $log_types") {
				t.Errorf("%s: scoped(%s)", q.ID, c[1])
			}
		}
		if !strings.Contains(q.SQL, "scoped(") {
			t.Errorf("%s: does not read scoped()", q.ID)
		}
	}
}

var scopedCallPattern = regexp.MustCompile(`scoped\(([^)]*)\)`)

// Every detection runs on an empty database (a fresh load of an empty export).
func TestDetectionsOnEmptyDatabase(t *testing.T) {
	db, err := store.Open("", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fs, runs, err := RunDetections(context.Background(), db.SQL, Params{}, time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 0 {
		t.Errorf("findings on nothing: %+v", fs)
	}
	for _, r := range runs {
		if r.Skipped != "" || r.Findings != 0 {
			t.Errorf("%s: %+v", r.Query.ID, r)
		}
	}
}

func TestSeverityRank(t *testing.T) {
	for s, want := range map[string]int{"low": 1, "medium": 2, "high": 3, "": 0, "High": 0, "critical": 0} {
		if got := SeverityRank(s); got != want {
			t.Errorf("SeverityRank(%q) = %d, want %d", s, got, want)
		}
	}
	if CheckSeverity("") != nil || CheckSeverity("medium") != nil || CheckSeverity("severe") == nil {
		t.Error("CheckSeverity")
	}
}

func TestSortFindings(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2025, 6, 10, h, 0, 0, 0, time.UTC) }
	fs := []Finding{
		{Detection: "b", Severity: "low", FirstSeen: at(1)},
		{Detection: "b", Severity: "high", FirstSeen: at(3), UserPrincipalName: "z"},
		{Detection: "a", Severity: "medium", FirstSeen: at(2)},
		{Detection: "b", Severity: "high", FirstSeen: at(3), UserPrincipalName: "a"},
		{Detection: "a", Severity: "high", FirstSeen: at(5)},
		{Detection: "b", Severity: "high", FirstSeen: at(2)},
	}
	SortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s/%s/%d/%s", f.Severity, f.Detection, f.FirstSeen.Hour(), f.UserPrincipalName))
	}
	want := []string{"high/a/5/", "high/b/2/", "high/b/3/a", "high/b/3/z", "medium/a/2/", "low/b/1/"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order\n got %v\nwant %v", got, want)
	}
}

// Findings of several detections on one database: sorted, filtered by severity.
func TestRunDetectionsOrderAndMinSeverity(t *testing.T) {
	var paths []string
	for _, name := range []string{"legacy-protocol-signin/fire", "disabled-account/fire", "identity-protection-risk/fire"} {
		paths = append(paths, filepath.Join(fixtureNamed(t, name).dir(), "graph-page.json"))
	}
	db := loadDB(t, paths...)
	ctx := context.Background()
	asOf, _ := LatestEvent(ctx, db.SQL)
	all, runs, err := RunDetections(ctx, db.SQL, Params{}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]Finding(nil), all...)
	SortFindings(sorted)
	if !reflect.DeepEqual(sorted, all) {
		t.Error("RunDetections did not return findings in order")
	}
	count := map[string]int{}
	for _, f := range all {
		count[f.Severity]++
	}
	// From the fixtures: legacy-protocol-signin high + medium, disabled-account 2 low, identity-protection-risk 2
	// high; missing-log-type adds 3 low (no non-interactive, service principal or managed
	// identity sign-ins), cross-tenant-signin nothing.
	if count["high"] != 3 || count["medium"] != 1 || count["low"] != 5 {
		t.Errorf("severities %v", count)
	}
	byID := map[string]int{}
	for _, r := range runs {
		byID[r.Query.ID] = r.Findings
	}
	if byID["legacy-protocol-signin"] != 2 || byID["disabled-account"] != 2 || byID["identity-protection-risk"] != 2 || byID["missing-log-type"] != 3 {
		t.Errorf("findings per detection %v", byID)
	}
	high, runs, err := RunDetections(ctx, db.SQL, Params{}, asOf, "high")
	if err != nil {
		t.Fatal(err)
	}
	if len(high) != 3 {
		t.Errorf("--min-severity high: %d findings", len(high))
	}
	for _, r := range runs {
		if r.Query.ID == "disabled-account" && r.Findings != 0 {
			t.Errorf("disabled-account counted %d findings under min severity high", r.Findings)
		}
	}
	if _, _, err := RunDetections(ctx, db.SQL, Params{}, asOf, "urgent"); err == nil {
		t.Error("min severity urgent accepted")
	}
	if _, _, err := RunDetections(ctx, db.SQL, Params{Set: map[string]string{"password-spray.min_user": "3"}}, asOf, ""); err == nil || !strings.Contains(err.Error(), "has no parameter \"min_user\" (it has min_users, window)") {
		t.Errorf("misspelled parameter: %v", err)
	}
	// The user filter narrows every detection.
	bob, _, err := RunDetections(ctx, db.SQL, Params{User: u("erin")}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range bob {
		if f.UserPrincipalName != "" && f.UserPrincipalName != u("erin") {
			t.Errorf("--user erin found %+v", f)
		}
	}
}

func TestValidateSet(t *testing.T) {
	if err := ValidateSet(map[string]string{"password-spray.min_users": "5", "mfa-fatigue.window": "45m", "identity-protection-risk.min_level": "low"}); err != nil {
		t.Error(err)
	}
	for set, msg := range map[string]string{
		"password-spray.min_users=five": "password-spray.min_users: want a whole number, got \"five\"",
		"mfa-fatigue.window=soon":       "mfa-fatigue.window: want a duration such as 30m, 1h or 7d",
		"no-such.thing=1":               "no query or detection \"no-such\"",
		"password-spray=1":              "want ID.PARAM=VALUE",
		"sp-credential-change.x=1":      "sp-credential-change has no parameters",
	} {
		k, v, _ := strings.Cut(set, "=")
		err := ValidateSet(map[string]string{k: v})
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", set, err, msg)
		}
	}
}

func TestLoadSettings(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.conf")
	os.WriteFile(good, []byte("\uFEFF# tuned for the lab tenant\n\npassword-spray.min_users = 5   # small tenant\n  brute-force.window=2h\nexport-truncated.caps=1000,2000\r\n"), 0o644)
	got, err := LoadSettings(good)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"password-spray.min_users": "5", "brute-force.window": "2h", "export-truncated.caps": "1000,2000"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte("password-spray.min_users=5\nmin_users 5\nbrute-force.min_failures=many\npassword-spray.min_users=6\nnothing.here=1\n"), 0o644)
	_, err = LoadSettings(bad)
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, msg := range []string{bad + ":2: want ID.PARAM=VALUE", bad + ":3: brute-force.min_failures: want a whole number",
		bad + ":4: password-spray.min_users already set on line 1", bad + ":5: nothing.here: no query or detection"} {
		if !strings.Contains(err.Error(), msg) {
			t.Errorf("error lacks %q:\n%v", msg, err)
		}
	}
	if _, err := LoadSettings(filepath.Join(dir, "missing.conf")); err == nil {
		t.Error("missing file accepted")
	}
}

// ---------------------------------------------------------------------------------------
// The same events as an Entra admin-center CSV download. The user-sign-in header is the
// 55-column one of docs/export-formats.md §3; the file name says the log type. This format
// has no coordinates and no risk fields: impossible-travel and identity-protection-risk cannot run.

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

// adminCSV renders the user sign-ins of a fixture as admin-center CSV files, one per log
// type, named as the admin center names its downloads.
func adminCSV(fixture string, evs []ev) map[string][]byte {
	files := map[string]*bytes.Buffer{}
	for i, e := range evs {
		if !e.isUser() {
			panic("admin CSV rendering covers user sign-ins only")
		}
		name := "InteractiveSignIns_2025-06-10_2025-06-12.csv"
		if e.logType() == "nonInteractiveUser" {
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
		o := e.object(fixture, i)
		str := func(k string) string { s, _ := o[k].(string); return s }
		status := "Success"
		if e.Code != 0 {
			status = "Failure"
		}
		loc := ""
		if e.City != "" || e.Country != "" {
			loc = e.City + ", , " + e.Country
		}
		ca := "notApplied"
		if e.CAFail != "" {
			ca = "failure"
		}
		row := map[string]string{
			"Date (UTC)": e.time().Format(time.RFC3339), "Request ID": str("id"), "User agent": str("userAgent"),
			"Correlation ID": str("correlationId"), "User ID": str("userId"), "User": str("userDisplayName"),
			"Username": str("userPrincipalName"), "User type": str("userType"), "Cross tenant access type": str("crossTenantAccessType"),
			"Incoming token type": "none", "Authentication Protocol": str("authenticationProtocol"),
			"Original transfer method": str("originalTransferMethod"), "Application": str("appDisplayName"),
			"Application ID ": str("appId"), "Resource": str("resourceDisplayName"), "Resource ID ": str("resourceId"),
			"Resource tenant ID": str("resourceTenantId"), "Home tenant ID": str("homeTenantId"), "Home tenant name": str("homeTenantName"),
			"IP address": e.IP, "Location": loc, "Status": status, "Sign-in error code": strconv.Itoa(e.Code),
			"Failure reason": failureText(e.Code), "Client app": str("clientAppUsed"),
			"Authentication requirement": str("authenticationRequirement"), "Token issuer type": "AzureAD",
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

// The user-sign-in fixtures whose fields the admin-center CSV carries find the same there.
// ca-blocked is left out: its details name the failed policies, which the CSV lacks.
var csvComparable = []string{"password-spray", "brute-force", "mfa-fatigue", "legacy-protocol-signin", "disabled-account",
	"signin-by-device-code", "ropc", "suspicious-user-agent", "single-factor-admin-app", "new-country", "cross-tenant-signin",
	"export-truncated", "missing-log-type", "time-gap"}

func TestDetectionsAgreeWithAdminCenterCSV(t *testing.T) {
	for _, id := range csvComparable {
		fx := fixtureNamed(t, id+"/fire")
		t.Run(id, func(t *testing.T) {
			db := loadDB(t, filepath.Join(fx.dir(), "admin"))
			got, run := detect(t, db, Params{Set: settingsOf(t, fx)}, id)
			if run.Skipped != "" {
				t.Fatalf("skipped: %s", run.Skipped)
			}
			checkFindings(t, db, fx, got, fx.Want)
		})
	}
}

func TestAdminCenterCSVCannotCarryCoordinatesOrRisk(t *testing.T) {
	for _, id := range []string{"impossible-travel", "identity-protection-risk"} {
		fx := fixtureNamed(t, id+"/fire")
		db := loadDB(t, filepath.Join(fx.dir(), "admin"))
		got, run := detect(t, db, Params{}, id)
		if len(got) != 0 || run.Skipped == "" || !strings.Contains(run.Skipped, "admin") {
			t.Errorf("%s on admin CSV: %d findings, Skipped %q", id, len(got), run.Skipped)
		}
		t.Logf("%s: %s", id, run.Skipped)
	}
}

// missing-log-type reports only the log types the user asked for with --log-type.
func TestLogTypeMissingFollowsLogTypeFilter(t *testing.T) {
	fx := fixtureNamed(t, "missing-log-type/fire") // interactive and non-interactive only
	db := loadDB(t, filepath.Join(fx.dir(), "graph-page.json"))
	got, _ := detect(t, db, Params{LogTypes: []string{"interactiveUser"}}, "missing-log-type")
	if len(got) != 0 {
		t.Errorf("--log-type interactiveUser: %+v", got)
	}
	got, _ = detect(t, db, Params{LogTypes: []string{"interactiveUser", "servicePrincipal"}}, "missing-log-type")
	if len(got) != 1 || got[0].Title != "Sign-in log type missing: servicePrincipal" {
		t.Errorf("--log-type interactiveUser,servicePrincipal: %+v", got)
	}
}
