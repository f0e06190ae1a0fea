package queries

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/store"
)

// Tests of running detections: availability, ordering, severities and settings. The
// detections' own cases are in cases_test.go.

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

func TestDetectionWithoutItsFieldsSaysSo(t *testing.T) {
	path := caseFile(t, caseNamed(t, "identity-protection-risk", "fire"))
	db := loadDB(t, path)
	markUnavailable(t, db, path, "risk_level_during_signin", "risk_level_aggregated", "risk_state")
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
	// The first-seen detections stand aside too: these sign-ins span less than their baseline.
	for _, r := range runs {
		family := slices.Contains(baselineFamily, r.Query.ID)
		if (r.Skipped != "") != (r.Query.ID == "identity-protection-risk" || family) || family && !strings.HasPrefix(r.Skipped, "could not judge") {
			t.Errorf("%s: skipped %q", r.Query.ID, r.Skipped)
		}
	}
}

// When only some files lack the fields, the detection runs on the others and says so.
func TestDetectionWithFieldsInSomeFilesIsLimited(t *testing.T) {
	fire := caseFile(t, caseNamed(t, "identity-protection-risk", "fire"))
	quiet := caseFile(t, caseNamed(t, "identity-protection-risk", "quiet"))
	db := loadDB(t, fire, quiet)
	markUnavailable(t, db, quiet, "risk_level_during_signin", "risk_level_aggregated", "risk_state")
	got, run := detect(t, db, Params{}, "identity-protection-risk")
	if run.Skipped != "" || !strings.Contains(run.Limited, "1 of 2 files") {
		t.Errorf("Skipped %q, Limited %q", run.Skipped, run.Limited)
	}
	if len(got) != 2 {
		t.Errorf("%d findings, want leo and mia", len(got))
	}
}

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
	otherColumns := map[string]bool{}
	rows, err = db.SQL.Query(`SELECT column_name FROM information_schema.columns WHERE table_name IN ('audits', 'provisioning')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		otherColumns[c] = true
	}
	rows.Close()
	for _, q := range dets {
		for _, f := range q.Requires {
			if !columns[f] && !otherColumns[f] {
				t.Errorf("%s: requires %q, which is no signins, audits or provisioning column", q.ID, f)
			}
		}
		var cols []string
		for _, c := range q.Columns {
			cols = append(cols, c.Name)
		}
		if !ValidFindingColumns(cols) {
			t.Errorf("%s: column lines %v, want %v optionally followed by %v", q.ID, cols, FindingColumns(), OptionalEvidenceColumns())
		}
		for _, c := range q.Columns {
			want := map[string]string{"first_seen": "time", "last_seen": "time", "events": "integer", "evidence": "list",
				"audit_evidence": "list", "provisioning_evidence": "list"}[c.Name]
			if want == "" {
				want = "text"
			}
			if c.Kind != want {
				t.Errorf("%s: column %s is %s, want %s like every detection's", q.ID, c.Name, c.Kind, want)
			}
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
			want := map[string]string{"audit_": "$since, $until, $user, $ip", "provisioning_": "$since, $until, $user"}[c[1]]
			if c[1] == "" && c[2] != "$since, $until, $app, $user, $ip, $log_types" && !(dataQuality[q.ID] && c[2] == "$since, $until, NULL, NULL, NULL, $log_types") {
				t.Errorf("%s: scoped(%s)", q.ID, c[2])
			}
			if c[1] != "" && c[2] != want {
				t.Errorf("%s: %sscoped(%s), want %sscoped(%s)", q.ID, c[1], c[2], c[1], want)
			}
		}
		if !strings.Contains(q.SQL, "scoped(") {
			t.Errorf("%s: does not read scoped(), audit_scoped() or provisioning_scoped()", q.ID)
		}
	}
}

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
		id, c, _ := strings.Cut(name, "/")
		paths = append(paths, caseFile(t, caseNamed(t, id, c)))
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
	bob, _, err := RunDetections(ctx, db.SQL, Params{User: "erin@contoso.example"}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range bob {
		if f.UserPrincipalName != "" && f.UserPrincipalName != "erin@contoso.example" {
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

func TestAdminCenterCSVCannotCarryCoordinatesOrRisk(t *testing.T) {
	for _, id := range []string{"impossible-travel", "identity-protection-risk"} {
		dir := t.TempDir()
		for name, data := range adminCSV(t, caseNamed(t, id, "fire").input) {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		db := loadDB(t, dir)
		got, run := detect(t, db, Params{}, id)
		if len(got) != 0 || run.Skipped == "" || !strings.Contains(run.Skipped, "admin") {
			t.Errorf("%s on admin CSV: %d findings, Skipped %q", id, len(got), run.Skipped)
		}
		t.Logf("%s: %s", id, run.Skipped)
	}
}

// missing-log-type reports only the log types the user asked for with --log-type.
func TestLogTypeMissingFollowsLogTypeFilter(t *testing.T) {
	db := loadDB(t, caseFile(t, caseNamed(t, "missing-log-type", "fire"))) // interactive and non-interactive only
	got, _ := detect(t, db, Params{LogTypes: []string{"interactiveUser"}}, "missing-log-type")
	if len(got) != 0 {
		t.Errorf("--log-type interactiveUser: %+v", got)
	}
	got, _ = detect(t, db, Params{LogTypes: []string{"interactiveUser", "servicePrincipal"}}, "missing-log-type")
	if len(got) != 1 || got[0].Title != "Sign-in log type missing: servicePrincipal" {
		t.Errorf("--log-type interactiveUser,servicePrincipal: %+v", got)
	}
}

var scopedCallPattern = regexp.MustCompile(`\b(audit_|provisioning_)?scoped\(([^)]*)\)`)

// A detection may add audit_evidence, provisioning_evidence or both after evidence, in
// that order; nothing else.
func TestFindingColumnsWithAuditEvidence(t *testing.T) {
	base := FindingColumns()
	for _, c := range []struct {
		extra []string
		ok    bool
	}{
		{nil, true},
		{[]string{"audit_evidence"}, true},
		{[]string{"provisioning_evidence"}, true},
		{[]string{"audit_evidence", "provisioning_evidence"}, true},
		{[]string{"provisioning_evidence", "audit_evidence"}, false},
		{[]string{"audit_evidence", "audit_evidence"}, false},
		{[]string{"other"}, false},
	} {
		cols := append(append([]string(nil), base...), c.extra...)
		if got := ValidFindingColumns(cols); got != c.ok {
			t.Errorf("%v: %v, want %v", c.extra, got, c.ok)
		}
	}
	if ValidFindingColumns(base[:len(base)-1]) {
		t.Error("accepted the columns without evidence")
	}
	// The keys are read into the finding; an empty list reads as none.
	db := loadDB(t)
	tab, err := Select(context.Background(), db.SQL, `SELECT 'high' AS severity, 't' AS title, 'u@x' AS user_principal_name,
		'' AS ip_address, '' AS service_principal_id, TIMESTAMPTZ '2025-06-10 00:00:00+00' AS first_seen,
		TIMESTAMPTZ '2025-06-10 01:00:00+00' AS last_seen, 2 AS events, 'd' AS details, []::BIGINT[] AS evidence,
		[7, 3]::BIGINT[] AS audit_evidence, [11]::BIGINT[] AS provisioning_evidence`)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkFindingColumns(tab); err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(tab.Columns))
	for i, c := range tab.Columns {
		names[i] = c.Name
	}
	f, err := findingFromRow("x", names, tab.Rows[0])
	if err != nil {
		t.Fatal(err)
	}
	if f.Evidence != nil || !reflect.DeepEqual(f.AuditEvidence, []int64{7, 3}) || !reflect.DeepEqual(f.ProvisioningEvidence, []int64{11}) {
		t.Errorf("evidence %v, audit %v, provisioning %v", f.Evidence, f.AuditEvidence, f.ProvisioningEvidence)
	}
}
