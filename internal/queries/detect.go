package queries

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/reference"
)

// Finding is one detection hit.
type Finding struct {
	Detection          string    `json:"detection"`
	Severity           string    `json:"severity"` // low, medium, high
	Title              string    `json:"title"`
	UserPrincipalName  string    `json:"user_principal_name"`
	IPAddress          string    `json:"ip_address"`
	ServicePrincipalID string    `json:"service_principal_id"`
	FirstSeen          time.Time `json:"first_seen"`
	LastSeen           time.Time `json:"last_seen"`
	Events             int64     `json:"events"`
	Details            string    `json:"details"`
	Evidence           []int64   `json:"-"` // signins.signin_key of the evidence rows
}

// DetectionRun says how one detection ran.
type DetectionRun struct {
	Query    *Query
	Bound    Bound
	Findings int
	Skipped  string // non-empty: why it could not run (e.g. fields unavailable in this export)
	// Limited is non-empty when the detection ran but some loaded files lack fields it
	// needs, so their sign-ins were only partly examined.
	Limited string
}

// findingColumns are the columns every detection's SQL returns, in this order.
var findingColumns = [...]string{"severity", "title", "user_principal_name", "ip_address", "service_principal_id",
	"first_seen", "last_seen", "events", "details", "evidence"}

// FindingColumns returns the columns every detection's SQL returns, in this order.
func FindingColumns() []string { return append([]string(nil), findingColumns[:]...) }

// SeverityRank orders severities: low=1, medium=2, high=3, anything else 0.
func SeverityRank(s string) int {
	for i, x := range severities {
		if s == x {
			return i + 1
		}
	}
	return 0
}

// CheckSeverity validates a severity given by the user ("" is allowed: no threshold).
func CheckSeverity(s string) error {
	if s == "" || SeverityRank(s) > 0 {
		return nil
	}
	return fmt.Errorf("unknown severity %q: want one of %s", s, strings.Join(Severities(), ", "))
}

// The reference lists as temporary tables, re-created by PrepareDetections. Detection SQL
// joins them; the lists themselves live in the reference package.
const (
	refUserAgentsTable    = `CREATE OR REPLACE TEMP TABLE ref_user_agents (pos INTEGER, pattern VARCHAR, tool VARCHAR, why VARCHAR)`
	refAdminAppsTable     = `CREATE OR REPLACE TEMP TABLE ref_admin_apps (app_id VARCHAR, name VARCHAR, why VARCHAR)`
	refLegacyClientsTable = `CREATE OR REPLACE TEMP TABLE ref_legacy_clients (client_app VARCHAR, client_key VARCHAR, why VARCHAR)`
	refHTTPLibrariesTable = `CREATE OR REPLACE TEMP TABLE ref_http_libraries (pos INTEGER, pattern VARCHAR, library VARCHAR, why VARCHAR)`
	refAiTMAppsTable      = `CREATE OR REPLACE TEMP TABLE ref_aitm_apps (app_id VARCHAR, name VARCHAR, name_key VARCHAR, why VARCHAR)`
)

// PrepareDetections creates the temporary tables the detections join: ref_user_agents
// (pattern in lower case, pos = priority), ref_admin_apps (app_id in lower case),
// ref_legacy_clients (client_key = lower-case client app), ref_http_libraries (like
// ref_user_agents) and ref_aitm_apps (app_id and name_key in lower case). Temporary tables live per
// connection: like Prepare, it limits db to one connection.
func PrepareDetections(ctx context.Context, db *sql.DB) error {
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("prepare detections: %w", err)
	}
	defer tx.Rollback()
	var userAgents, adminApps, legacyClients, httpLibraries, aitmApps [][]any
	for i, u := range reference.UserAgents() {
		userAgents = append(userAgents, []any{i + 1, strings.ToLower(u.Pattern), u.Tool, u.Why})
	}
	for _, a := range reference.AdminApps() {
		adminApps = append(adminApps, []any{strings.ToLower(a.AppID), a.Name, a.Why})
	}
	for _, c := range reference.LegacyClients() {
		legacyClients = append(legacyClients, []any{c.Name, strings.ToLower(c.Name), c.Why})
	}
	for i, l := range reference.HTTPLibraries() {
		httpLibraries = append(httpLibraries, []any{i + 1, strings.ToLower(l.Pattern), l.Library, l.Why})
	}
	for _, a := range reference.AiTMApps() {
		aitmApps = append(aitmApps, []any{strings.ToLower(a.AppID), a.Name, strings.ToLower(a.Name), a.Why})
	}
	for _, t := range []struct {
		create, name string
		rows         [][]any
	}{
		{refUserAgentsTable, "ref_user_agents", userAgents},
		{refAdminAppsTable, "ref_admin_apps", adminApps},
		{refLegacyClientsTable, "ref_legacy_clients", legacyClients},
		{refHTTPLibrariesTable, "ref_http_libraries", httpLibraries},
		{refAiTMAppsTable, "ref_aitm_apps", aitmApps},
	} {
		if err := createTempTable(ctx, tx, t.create, t.name, t.rows); err != nil {
			return fmt.Errorf("prepare detections: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("prepare detections: %w", err)
	}
	return nil
}

// RunDetections runs every detection of the catalogue with p, asOf resolved (see
// LatestEvent), and returns the findings at or above minSeverity ("" for all), sorted by
// severity (highest first), detection id, first seen and entity. A detection whose
// required fields no loaded file carries (CheckAvailability) is not run: its DetectionRun
// says why in Skipped. RunDetections prepares db itself (Prepare, PrepareDetections).
func RunDetections(ctx context.Context, db *sql.DB, p Params, asOf time.Time, minSeverity string) ([]Finding, []DetectionRun, error) {
	return runDetections(ctx, db, p, asOf, minSeverity, nil)
}

// runDetections is RunDetections limited to the detections only accepts (nil: all).
func runDetections(ctx context.Context, db *sql.DB, p Params, asOf time.Time, minSeverity string, only func(*Query) bool) ([]Finding, []DetectionRun, error) {
	if err := CheckSeverity(minSeverity); err != nil {
		return nil, nil, err
	}
	if err := ValidateSet(p.Set); err != nil {
		return nil, nil, err
	}
	dets, err := OfKind("detection")
	if err != nil {
		return nil, nil, err
	}
	if err := Prepare(ctx, db); err != nil {
		return nil, nil, err
	}
	if err := PrepareDetections(ctx, db); err != nil {
		return nil, nil, err
	}
	src, err := ReadSources(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	var all []Finding
	runs := make([]DetectionRun, 0, len(dets))
	for _, q := range dets {
		if only != nil && !only(q) {
			continue
		}
		run, found, err := Detect(ctx, db, src, q, p, asOf, minSeverity)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, found...)
		runs = append(runs, run)
	}
	SortFindings(all)
	return all, runs, nil
}

// Detect runs one detection q on db (prepared with Prepare and PrepareDetections) and
// returns how it ran and its findings at or above minSeverity, in the detection's own row
// order. A detection whose required fields no file of src carries is not run (see
// RunDetections). Callers that run several detections sort the findings with SortFindings.
func Detect(ctx context.Context, db *sql.DB, src *Sources, q *Query, p Params, asOf time.Time, minSeverity string) (DetectionRun, []Finding, error) {
	run := DetectionRun{Query: q}
	gap, err := src.Check(ctx, db, q)
	if err != nil {
		return run, nil, err
	}
	if !gap.Answerable() {
		run.Skipped = gap.Message()
	} else if gap.Partial() {
		run.Limited = gap.Message()
	}
	if run.Skipped != "" {
		run.Bound, _, _ = Bind(q, p, asOf)
		return run, nil, nil
	}
	found, b, err := runDetection(ctx, db, q, p, asOf)
	run.Bound = b
	if err != nil {
		return run, nil, err
	}
	minRank := SeverityRank(minSeverity)
	var kept []Finding
	for _, f := range found {
		if SeverityRank(f.Severity) >= minRank {
			kept = append(kept, f)
			run.Findings++
		}
	}
	return run, kept, nil
}

// SortFindings puts findings in report order: severity (highest first), detection id,
// first seen, then the entity, title and details so that the order never depends on the
// engine.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.Detection != b.Detection {
			return a.Detection < b.Detection
		}
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		for _, pair := range [][2]string{
			{a.UserPrincipalName, b.UserPrincipalName}, {a.IPAddress, b.IPAddress},
			{a.ServicePrincipalID, b.ServicePrincipalID}, {a.Title, b.Title}, {a.Details, b.Details},
		} {
			if pair[0] != pair[1] {
				return pair[0] < pair[1]
			}
		}
		return a.LastSeen.Before(b.LastSeen)
	})
}

// runDetection runs one detection and reads its rows as findings.
func runDetection(ctx context.Context, db *sql.DB, q *Query, p Params, asOf time.Time) ([]Finding, Bound, error) {
	b, args, err := Bind(q, p, asOf)
	if err != nil {
		return nil, b, err
	}
	t, err := Select(ctx, db, q.SQL, args...)
	if err != nil {
		return nil, b, fmt.Errorf("detection %s: %w", q.ID, err)
	}
	if err := checkFindingColumns(t); err != nil {
		return nil, b, fmt.Errorf("detection %s: %w", q.ID, err)
	}
	out := make([]Finding, 0, len(t.Rows))
	for i, r := range t.Rows {
		f, err := findingFromRow(q.ID, r)
		if err != nil {
			return nil, b, fmt.Errorf("detection %s: row %d: %w", q.ID, i+1, err)
		}
		out = append(out, f)
	}
	return out, b, nil
}

func checkFindingColumns(t *Table) error {
	var got []string
	for _, c := range t.Columns {
		got = append(got, c.Name)
	}
	if strings.Join(got, ",") != strings.Join(findingColumns[:], ",") {
		return fmt.Errorf("returns columns %s; a detection must return %s", strings.Join(got, ", "), strings.Join(findingColumns[:], ", "))
	}
	return nil
}

func findingFromRow(id string, r []any) (Finding, error) {
	f := Finding{Detection: id}
	var ok bool
	text := func(v any) string { s, _ := v.(string); return s }
	f.Severity = text(r[0])
	if SeverityRank(f.Severity) == 0 {
		return f, fmt.Errorf("severity %v is not low, medium or high", r[0])
	}
	f.Title, f.UserPrincipalName, f.IPAddress, f.ServicePrincipalID = text(r[1]), text(r[2]), text(r[3]), text(r[4])
	if r[5] != nil {
		if f.FirstSeen, ok = r[5].(time.Time); !ok {
			return f, fmt.Errorf("first_seen is %T, want a timestamp", r[5])
		}
	}
	if r[6] != nil {
		if f.LastSeen, ok = r[6].(time.Time); !ok {
			return f, fmt.Errorf("last_seen is %T, want a timestamp", r[6])
		}
	}
	switch n := r[7].(type) {
	case int64:
		f.Events = n
	case float64:
		f.Events = int64(n)
	case nil:
	default:
		return f, fmt.Errorf("events is %T, want a whole number", r[7])
	}
	f.Details = text(r[8])
	if r[9] != nil {
		list, ok := r[9].([]any)
		if !ok {
			return f, fmt.Errorf("evidence is %T, want a list of signin_key", r[9])
		}
		for _, e := range list {
			k, ok := e.(int64)
			if !ok {
				return f, fmt.Errorf("evidence holds %T, want signin_key (BIGINT)", e)
			}
			f.Evidence = append(f.Evidence, k)
		}
	}
	return f, nil
}

// FindingsTable is the neutral table of findings that the text, CSV, JSON and Markdown
// writers render: one row per finding, evidence left out.
func FindingsTable(fs []Finding) *Table {
	t := &Table{Name: "findings", Rows: [][]any{}}
	for _, c := range [][2]string{
		{"detection", "VARCHAR"}, {"severity", "VARCHAR"}, {"title", "VARCHAR"},
		{"user_principal_name", "VARCHAR"}, {"ip_address", "VARCHAR"}, {"service_principal_id", "VARCHAR"},
		{"first_seen", "TIMESTAMP WITH TIME ZONE"}, {"last_seen", "TIMESTAMP WITH TIME ZONE"},
		{"events", "BIGINT"}, {"details", "VARCHAR"},
	} {
		t.Columns = append(t.Columns, Column{Name: c[0], Type: c[1]})
	}
	for _, f := range fs {
		t.Rows = append(t.Rows, []any{f.Detection, f.Severity, f.Title, f.UserPrincipalName, f.IPAddress,
			f.ServicePrincipalID, timeOrNil(f.FirstSeen), timeOrNil(f.LastSeen), f.Events, f.Details})
	}
	return t
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
