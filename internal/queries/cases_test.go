package queries

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/store"
	"github.com/signinlens/signinlens/internal/store/storetest"
	"golang.org/x/tools/txtar"
)

// ---------------------------------------------------------------------------------------
// Every detection carries its cases beside its SQL, in detections/ID.cases.txtar: at least
// one case that fires and one that stays quiet. A case is a group of sections:
//
//	CASE.jsonl   the sign-ins, Graph signIn objects one a line (a loader's own input shape),
//	             numbered from 0; a variant BASE/NAME reads BASE.jsonl
//	CASE.audit.jsonl, CASE.provisioning.jsonl
//	             audit events (Graph directoryAudit objects) and provisioning events (Graph
//	             provisioningObjectSummary objects), one a line, numbered from 0; a case
//	             holds at least one of its three inputs
//	CASE.set     parameter values, one ID.PARAM=VALUE a line, as in a --config file
//	CASE.baseline  a --baseline value (a duration such as 8d, or a time)
//	CASE.intel   an --intel indicator file (CSV); a variant BASE/NAME without its own reads
//	             BASE.intel
//	CASE.want    the findings expected, in order, blocks of "key: value" lines separated by
//	             blank lines; # lines say how they were counted. Keys: severity, title, user,
//	             ip, sp, first, last (RFC 3339), events, details (a substring; repeatable),
//	             evidence (sign-ins by number: "0-11, 13" or "none"), audit_evidence and
//	             provisioning_evidence (audit and provisioning events by number, the same
//	             way; left out means none). user, ip and sp that
//	             are left out must be empty; title, first and last that are left out are
//	             not checked. An empty .want expects no finding.
//
// The cases that fire also run from the same sign-ins as diagnostic-settings records and,
// for the detections in csvComparable, as admin-center CSV downloads: the findings must
// not depend on the export format.
// ---------------------------------------------------------------------------------------

// detectionCase is one case of a detection's file.
type detectionCase struct {
	name  string // "fire", "quiet", "quiet/min_users=9"
	input []map[string]any
	raw   []byte // the .jsonl section as written
	// audit and provisioning are the events of the .audit.jsonl and .provisioning.jsonl
	// sections, as written (nil when the case has none).
	audit, provisioning []byte
	set                 map[string]string
	intel               *Intel
	want                []wantFinding
	// baseline and baselineEnd are the case's --baseline, when it gives one.
	baseline    time.Duration
	baselineEnd time.Time
}

// params are the parameters a case runs with.
func (c detectionCase) params() Params {
	return Params{Set: c.set, Baseline: c.baseline, BaselineEnd: c.baselineEnd, Intel: c.intel}
}

type wantFinding struct {
	Severity, Title, User, IP, SP string
	First, Last                   time.Time
	Events                        int64
	Details                       []string
	Evidence                      []int
	AuditEvidence                 []int
	ProvisioningEvidence          []int
}

// readCases parses detections/ID.cases.txtar.
func readCases(t *testing.T, id string) []detectionCase {
	t.Helper()
	path := filepath.Join("detections", id+".cases.txtar")
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatalf("detection %s has no cases: %v", id, err)
	}
	inputs := map[string][]byte{}
	audits, provs := map[string][]byte{}, map[string][]byte{}
	sets := map[string]string{}
	baselines := map[string]string{}
	intels := map[string]string{}
	wants := map[string]string{}
	var order []string
	for _, f := range a.Files {
		dot := strings.LastIndex(f.Name, ".")
		if dot < 0 {
			t.Fatalf("%s: section %q wants a .jsonl, .set, .intel or .want name", path, f.Name)
		}
		name, ext := f.Name[:dot], f.Name[dot+1:]
		switch ext {
		case "jsonl":
			switch {
			case strings.HasSuffix(name, ".audit"):
				audits[strings.TrimSuffix(name, ".audit")] = f.Data
			case strings.HasSuffix(name, ".provisioning"):
				provs[strings.TrimSuffix(name, ".provisioning")] = f.Data
			default:
				inputs[name] = f.Data
			}
		case "set":
			sets[name] = string(f.Data)
		case "baseline":
			baselines[name] = strings.TrimSpace(string(f.Data))
		case "intel":
			intels[name] = string(f.Data)
		case "want":
			wants[name] = string(f.Data)
			order = append(order, name)
		default:
			t.Fatalf("%s: section %q wants a .jsonl, .set, .baseline, .intel or .want name", path, f.Name)
		}
	}
	var out []detectionCase
	for _, name := range order {
		base, _, _ := strings.Cut(name, "/")
		raw, ok := inputs[base]
		if !ok && audits[base] == nil && provs[base] == nil {
			t.Fatalf("%s: case %s has no %s.jsonl, %s.audit.jsonl or %s.provisioning.jsonl", path, name, base, base, base)
		}
		c := detectionCase{name: name, raw: raw, audit: audits[base], provisioning: provs[base]}
		for _, events := range [][]byte{c.audit, c.provisioning} {
			for i, line := range nonEmptyLines(events) {
				var o map[string]any
				if err := json.Unmarshal([]byte(line), &o); err != nil {
					t.Fatalf("%s: %s event %d: %v", path, base, i, err)
				}
			}
		}
		for i, line := range nonEmptyLines(raw) {
			var o map[string]any
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				t.Fatalf("%s: %s.jsonl sign-in %d: %v", path, base, i, err)
			}
			c.input = append(c.input, o)
		}
		if text, ok := sets[name]; ok {
			file := filepath.Join(t.TempDir(), "case.set")
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.set, err = LoadSettings(file); err != nil {
				t.Fatalf("%s: %s.set: %v", path, name, err)
			}
		}
		if text, ok := baselines[name]; ok {
			if c.baseline, c.baselineEnd, err = ParseBaseline(text, func(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }); err != nil {
				t.Fatalf("%s: %s.baseline: %v", path, name, err)
			}
		}
		text, ok := intels[name]
		if !ok {
			text, ok = intels[base]
		}
		if ok {
			file := filepath.Join(t.TempDir(), "case.intel.csv")
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.intel, err = LoadIntel(file); err != nil {
				t.Fatalf("%s: %s.intel: %v", path, name, err)
			}
		}
		if c.want, err = parseWant(wants[name]); err != nil {
			t.Fatalf("%s: %s.want: %v", path, name, err)
		}
		out = append(out, c)
	}
	return out
}

// parseWant reads a .want section; errors name the line.
func parseWant(text string) ([]wantFinding, error) {
	var out []wantFinding
	var cur *wantFinding
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			cur = nil
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: want key: value", n+1)
		}
		val = strings.TrimSpace(val)
		if cur == nil {
			out = append(out, wantFinding{})
			cur = &out[len(out)-1]
		}
		var err error
		switch key {
		case "severity":
			cur.Severity = val
		case "title":
			cur.Title = val
		case "user":
			cur.User = val
		case "ip":
			cur.IP = val
		case "sp":
			cur.SP = val
		case "first":
			cur.First, err = time.Parse(time.RFC3339, val)
		case "last":
			cur.Last, err = time.Parse(time.RFC3339, val)
		case "events":
			cur.Events, err = strconv.ParseInt(val, 10, 64)
		case "details":
			cur.Details = append(cur.Details, val)
		case "evidence":
			cur.Evidence, err = parseNumbers(val)
		case "audit_evidence":
			cur.AuditEvidence, err = parseNumbers(val)
		case "provisioning_evidence":
			cur.ProvisioningEvidence, err = parseNumbers(val)
		default:
			err = fmt.Errorf("unknown key %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
	}
	for i, w := range out {
		if SeverityRank(w.Severity) == 0 {
			return nil, fmt.Errorf("finding %d: severity %q", i+1, w.Severity)
		}
	}
	return out, nil
}

// parseNumbers reads "0-11, 13" or "none".
func parseNumbers(s string) ([]int, error) {
	if s == "none" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(from)
		if err != nil {
			return nil, fmt.Errorf("evidence %q: want numbers and ranges such as 0-11, 13", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(to); err != nil || b < a {
				return nil, fmt.Errorf("evidence %q: want numbers and ranges such as 0-11, 13", s)
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}

// nonEmptyLines splits a .jsonl section into its lines (none for an empty section).
func nonEmptyLines(b []byte) []string {
	text := strings.TrimRight(string(b), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// caseFiles writes the case's inputs as Graph JSON lines files (sign-ins, audit events,
// provisioning events; those it has) and returns their paths.
func caseFiles(t *testing.T, c detectionCase) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for _, f := range []struct {
		name string
		data []byte
	}{{"signins.jsonl", c.raw}, {"audits.jsonl", c.audit}, {"provisioning.jsonl", c.provisioning}} {
		if len(nonEmptyLines(f.data)) == 0 {
			continue
		}
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, path)
	}
	return out
}

// caseFile writes the case's sign-ins as a Graph JSON lines file and returns its path.
func caseFile(t *testing.T, c detectionCase) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "signins.jsonl")
	if err := os.WriteFile(path, c.raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// caseNamed reads one case of a detection.
func caseNamed(t *testing.T, id, name string) detectionCase {
	t.Helper()
	for _, c := range readCases(t, id) {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("detection %s has no case %s", id, name)
	return detectionCase{}
}

// Every detection has its cases, one that fires and one that stays quiet, and finds in
// each exactly what the case says.
func TestDetectionCases(t *testing.T) {
	dets, err := OfKind("detection")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range dets {
		cases := readCases(t, q.ID)
		fires, quiet := false, false
		for _, c := range cases {
			if !strings.Contains(c.name, "/") {
				fires = fires || len(c.want) > 0
				quiet = quiet || len(c.want) == 0
			}
		}
		if !fires || !quiet {
			t.Errorf("detection %s: want a case that fires and one that stays quiet (fires %v, quiet %v)", q.ID, fires, quiet)
		}
		for _, c := range cases {
			t.Run(q.ID+"/"+c.name, func(t *testing.T) {
				db := loadDB(t, caseFiles(t, c)...)
				got, run := detect(t, db, c.params(), q.ID)
				if run.Skipped != "" {
					t.Fatalf("skipped: %s", run.Skipped)
				}
				if run.Findings != len(got) {
					t.Errorf("DetectionRun.Findings %d, findings %d", run.Findings, len(got))
				}
				checkFindings(t, db, c, got)
				for k := range c.set {
					if name := strings.TrimPrefix(k, q.ID+"."); name != k {
						if _, ok := run.Bound.Args[name]; !ok {
							t.Errorf("%s not among the bound arguments %v", name, run.Bound.Args)
						}
					}
				}
			})
		}
	}
}

// The cases that fire find the same from diagnostic-settings records and, where the
// format carries the fields, from admin-center CSV downloads.
func TestDetectionCasesAgreeAcrossFormats(t *testing.T) {
	dets, err := OfKind("detection")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range dets {
		c := caseNamed(t, q.ID, "fire")
		if len(c.input) == 0 {
			continue // no sign-ins: the loaders' own tests compare the audit formats
		}
		t.Run(q.ID+"/diagnostic", func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "PT1H.json"), diagnosticLines(t, c.input), 0o644); err != nil {
				t.Fatal(err)
			}
			paths := append([]string{dir}, caseFiles(t, detectionCase{audit: c.audit, provisioning: c.provisioning})...)
			db := loadDB(t, paths...)
			got, _ := detect(t, db, c.params(), q.ID)
			checkFindings(t, db, c, got)
		})
		if !csvComparable(q.ID) {
			continue
		}
		t.Run(q.ID+"/admin-csv", func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range adminCSV(t, c.input) {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			db := loadDB(t, dir)
			got, run := detect(t, db, c.params(), q.ID)
			if run.Skipped != "" {
				t.Fatalf("skipped: %s", run.Skipped)
			}
			checkFindings(t, db, c, got)
		})
	}
}

// loadDB loads paths into a fresh temporary database ready for detections.
func loadDB(t *testing.T, paths ...string) *store.DB {
	t.Helper()
	db := storetest.Open(t)
	db.SQL.SetMaxOpenConns(1)
	sum := storetest.Load(t, db, paths...)
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

// checkFindings compares what a detection found with what its case expects.
func checkFindings(t *testing.T, db *store.DB, c detectionCase, got []Finding) {
	t.Helper()
	if len(got) != len(c.want) {
		for _, f := range got {
			t.Logf("got: %s %q user=%q ip=%q sp=%q %s..%s events=%d: %s", f.Severity, f.Title, f.UserPrincipalName, f.IPAddress, f.ServicePrincipalID, f.FirstSeen.Format(time.RFC3339), f.LastSeen.Format(time.RFC3339), f.Events, f.Details)
		}
		t.Fatalf("%s: %d findings, want %d", c.name, len(got), len(c.want))
	}
	number := map[string]int{}
	for i, o := range c.input {
		id, _ := o["id"].(string)
		number[id] = i
	}
	numbered := func(events []byte) map[string]int {
		out := map[string]int{}
		for i, line := range nonEmptyLines(events) {
			var o map[string]any
			json.Unmarshal([]byte(line), &o)
			id, _ := o["id"].(string)
			out[id] = i
		}
		return out
	}
	auditNumber, provNumber := numbered(c.audit), numbered(c.provisioning)
	for i, w := range c.want {
		f := got[i]
		if f.Severity != w.Severity || f.UserPrincipalName != w.User || f.IPAddress != w.IP || f.ServicePrincipalID != w.SP || f.Events != w.Events {
			t.Errorf("%s finding %d: got %s user=%q ip=%q sp=%q events=%d; want %s user=%q ip=%q sp=%q events=%d",
				c.name, i, f.Severity, f.UserPrincipalName, f.IPAddress, f.ServicePrincipalID, f.Events, w.Severity, w.User, w.IP, w.SP, w.Events)
		}
		if w.Title != "" && f.Title != w.Title {
			t.Errorf("%s finding %d: title %q, want %q", c.name, i, f.Title, w.Title)
		}
		if !w.First.IsZero() && !f.FirstSeen.Equal(w.First) {
			t.Errorf("%s finding %d: first seen %v, want %v", c.name, i, f.FirstSeen, w.First)
		}
		if !w.Last.IsZero() && !f.LastSeen.Equal(w.Last) {
			t.Errorf("%s finding %d: last seen %v, want %v", c.name, i, f.LastSeen, w.Last)
		}
		for _, s := range w.Details {
			if !strings.Contains(f.Details, s) {
				t.Errorf("%s finding %d: details %q lack %q", c.name, i, f.Details, s)
			}
		}
		var gotNumbers []int
		for _, id := range requestIDs(t, db, f.Evidence) {
			n, ok := number[id]
			if !ok {
				t.Errorf("%s finding %d: evidence %s is none of the case's sign-ins", c.name, i, id)
			}
			gotNumbers = append(gotNumbers, n)
		}
		sort.Ints(gotNumbers)
		want := append([]int(nil), w.Evidence...)
		sort.Ints(want)
		if !reflect.DeepEqual(gotNumbers, want) && !(len(gotNumbers) == 0 && len(want) == 0) {
			t.Errorf("%s finding %d: evidence\n got %v\nwant %v", c.name, i, gotNumbers, want)
		}
		for _, ev := range []struct {
			what, table, key string
			keys             []int64
			number           map[string]int
			want             []int
		}{
			{"audit_evidence", "audits", "audit_key", f.AuditEvidence, auditNumber, w.AuditEvidence},
			{"provisioning_evidence", "provisioning", "provisioning_key", f.ProvisioningEvidence, provNumber, w.ProvisioningEvidence},
		} {
			var got []int
			for _, k := range ev.keys {
				var id string
				if err := db.SQL.QueryRow("SELECT id FROM "+ev.table+" WHERE "+ev.key+" = ?", k).Scan(&id); err != nil {
					t.Fatalf("%s key %d: %v", ev.what, k, err)
				}
				n, ok := ev.number[id]
				if !ok {
					t.Errorf("%s finding %d: %s %s is none of the case's events", c.name, i, ev.what, id)
				}
				got = append(got, n)
			}
			sort.Ints(got)
			want := append([]int(nil), ev.want...)
			sort.Ints(want)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s finding %d: %s\n got %v\nwant %v", c.name, i, ev.what, got, want)
			}
		}
	}
}

// requestIDs maps evidence keys to the request ids of the sign-ins.
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
	return out
}

// The command-line tests read two cases as Graph pages under testdata/detections; they
// must hold the same sign-ins as the cases here.
func TestCommandLineInputsMatchCases(t *testing.T) {
	for _, c := range []struct{ id, name string }{{"password-spray", "quiet"}, {"identity-protection-risk", "fire"}} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "detections", c.id, c.name, "graph-page.json"))
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Value []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(page.Value, caseNamed(t, c.id, c.name).input) {
			t.Errorf("testdata/detections/%s/%s/graph-page.json differs from the %s case of detections/%s.cases.txtar", c.id, c.name, c.name, c.id)
		}
	}
}
