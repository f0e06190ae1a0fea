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
	// AuditEvidence and ProvisioningEvidence are the audits.audit_key and
	// provisioning.provisioning_key of the evidence rows in those logs, for detections that
	// return the optional audit_evidence and provisioning_evidence columns.
	AuditEvidence        []int64 `json:"-"`
	ProvisioningEvidence []int64 `json:"-"`
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

// optionalEvidence are the columns a detection may return after evidence, in this order
// (either or both): the keys of its evidence rows in the audit and provisioning logs.
var optionalEvidence = [...]string{"audit_evidence", "provisioning_evidence"}

// FindingColumns returns the columns every detection's SQL returns, in this order.
func FindingColumns() []string { return append([]string(nil), findingColumns[:]...) }

// OptionalEvidenceColumns returns the columns a detection may add after evidence, in this
// order: audit_evidence (audits.audit_key) and provisioning_evidence
// (provisioning.provisioning_key).
func OptionalEvidenceColumns() []string { return append([]string(nil), optionalEvidence[:]...) }

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
	refUserAgentsTable    = `CREATE OR REPLACE TEMP TABLE ref_user_agents (pos INTEGER, pattern VARCHAR, kind VARCHAR, severity VARCHAR, tool VARCHAR, why VARCHAR)`
	refAdminAppsTable     = `CREATE OR REPLACE TEMP TABLE ref_admin_apps (app_id VARCHAR, name VARCHAR, why VARCHAR)`
	refLegacyClientsTable = `CREATE OR REPLACE TEMP TABLE ref_legacy_clients (client_app VARCHAR, client_key VARCHAR, why VARCHAR)`
	refHTTPLibrariesTable = `CREATE OR REPLACE TEMP TABLE ref_http_libraries (pos INTEGER, pattern VARCHAR, library VARCHAR, why VARCHAR)`
	refAiTMAppsTable      = `CREATE OR REPLACE TEMP TABLE ref_aitm_apps (app_id VARCHAR, name VARCHAR, name_key VARCHAR, why VARCHAR)`
	refHostingASNsTable   = `CREATE OR REPLACE TEMP TABLE ref_hosting_asns (asn BIGINT, provider VARCHAR, kind VARCHAR, source VARCHAR)`
	refPrivRolesTable     = `CREATE OR REPLACE TEMP TABLE ref_privileged_roles (name_key VARCHAR, template_id VARCHAR, name VARCHAR, why VARCHAR)`
	refHighScopesTable    = `CREATE OR REPLACE TEMP TABLE ref_high_priv_scopes (scope_key VARCHAR, permission VARCHAR, kind VARCHAR, why VARCHAR)`
)

// PrepareDetections creates the temporary tables the detections join: ref_user_agents
// (pattern in lower case, pos = priority, kind and the severity it is graded at), ref_admin_apps (app_id in lower case),
// ref_legacy_clients (client_key = lower-case client app), ref_http_libraries (like
// ref_user_agents), ref_aitm_apps (app_id and name_key in lower case), ref_hosting_asns
// (cloud, hosting, VPN and anonymizer networks by AS number), ref_privileged_roles
// (name_key and template_id in lower case), ref_high_priv_scopes (scope_key in lower case)
// and an empty prior_findings (see prior.go). Temporary tables live per
// connection: like Prepare, it limits db to one connection.
func PrepareDetections(ctx context.Context, db *sql.DB) error {
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("prepare detections: %w", err)
	}
	defer tx.Rollback()
	var userAgents, adminApps, legacyClients, httpLibraries, aitmApps, hostingASNs, privRoles, highScopes [][]any
	for i, u := range reference.UserAgents() {
		userAgents = append(userAgents, []any{i + 1, strings.ToLower(u.Pattern), u.Kind, u.Severity(), u.Tool, u.Why})
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
	for _, h := range reference.HostingASNs() {
		hostingASNs = append(hostingASNs, []any{h.ASN, h.Provider, h.Kind, h.Source})
	}
	for _, r := range reference.PrivilegedRoles() {
		privRoles = append(privRoles, []any{strings.ToLower(r.Name), strings.ToLower(r.TemplateID), r.Name, r.Why})
	}
	for _, sc := range reference.HighPrivScopes() {
		highScopes = append(highScopes, []any{strings.ToLower(sc.Permission), sc.Permission, sc.Kind, sc.Why})
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
		{refHostingASNsTable, "ref_hosting_asns", hostingASNs},
		{refPrivRolesTable, "ref_privileged_roles", privRoles},
		{refHighScopesTable, "ref_high_priv_scopes", highScopes},
	} {
		if err := createTempTable(ctx, tx, t.create, t.name, t.rows); err != nil {
			return fmt.Errorf("prepare detections: %w", err)
		}
	}
	// Empty until runDetections fills it, so that a detection reading it runs anywhere.
	if _, err := tx.ExecContext(ctx, priorFindingsTable); err != nil {
		return fmt.Errorf("prepare detections: %w", err)
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
// says why in Skipped. A detection that needs an --intel file (needs-input: intel) is
// left out, without a DetectionRun, when p.Intel is nil. RunDetections prepares db itself
// (Prepare, PrepareDetections, the intel tables).
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
	if err := PrepareCatalogue(ctx, db, p.Intel); err != nil {
		return nil, nil, err
	}
	src, err := ReadSources(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	var all, prior []Finding
	runs := make([]DetectionRun, 0, len(dets))
	wanted := func(q *Query) bool { return only == nil || only(q) }
	needPrior := false
	for _, q := range dets {
		needPrior = needPrior || (ReadsPriorFindings(q) && wanted(q))
	}
	// Two passes: the detections that read no earlier findings, then, over the findings of
	// all of those (prior_findings), the ones that do.
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			if !needPrior {
				break
			}
			if err := createPriorFindings(ctx, db, prior); err != nil {
				return nil, nil, err
			}
		}
		for _, q := range dets {
			if ReadsPriorFindings(q) != (pass == 1) || !(wanted(q) || (pass == 0 && needPrior)) {
				continue
			}
			if q.NeedsInput == "intel" && p.Intel == nil {
				continue // not asked for: no --intel file
			}
			run, kept, found, err := Detect(ctx, db, src, q, p, asOf, minSeverity)
			if err != nil {
				return nil, nil, err
			}
			prior = append(prior, found...)
			if !wanted(q) {
				continue
			}
			all = append(all, kept...)
			runs = append(runs, run)
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Query.ID < runs[j].Query.ID })
	SortFindings(all)
	return all, runs, nil
}

// Detect runs one detection q on db (prepared with PrepareCatalogue; for a detection that
// reads prior_findings, with SetPriorFindings too) and returns how it ran, its findings at
// or above minSeverity and all its findings (what prior_findings is built from), both in
// the detection's own row order. A detection whose required fields no file of src carries,
// or whose baseline is too short (baselineTooShort), is not run: its DetectionRun says why
// in Skipped. Callers that run several detections sort the findings with SortFindings and
// leave out a detection that needs an --intel file when p.Intel is nil.
func Detect(ctx context.Context, db *sql.DB, src *Sources, q *Query, p Params, asOf time.Time, minSeverity string) (run DetectionRun, kept, found []Finding, err error) {
	run = DetectionRun{Query: q}
	gap, err := src.Check(ctx, db, q)
	if err != nil {
		return run, nil, nil, err
	}
	if !gap.Answerable() {
		run.Skipped = gap.Message()
	} else if gap.Partial() {
		run.Limited = gap.Message()
	}
	if p, err = withBaselineStart(ctx, db, q, p); err != nil {
		return run, nil, nil, err
	}
	if run.Skipped == "" {
		b, _, err := Bind(q, p, asOf)
		if err != nil {
			return run, nil, nil, err
		}
		if run.Skipped, err = baselineTooShort(q, p, b); err != nil {
			return run, nil, nil, err
		}
	}
	if run.Skipped != "" {
		run.Bound, _, _ = Bind(q, p, asOf)
		return run, nil, nil, nil
	}
	found, b, err := runDetection(ctx, db, q, p, asOf)
	run.Bound = b
	if err != nil {
		return run, nil, nil, err
	}
	minRank := SeverityRank(minSeverity)
	for _, f := range found {
		if SeverityRank(f.Severity) >= minRank {
			kept = append(kept, f)
			run.Findings++
		}
	}
	return run, kept, found, nil
}

// PrepareCatalogue prepares one connection of db for the catalogue's queries and
// detections: Prepare's macros, PrepareDetections' reference tables (with an empty
// prior_findings) and, when in is not nil, the --intel tables. Temporary tables and macros
// live per connection, so a caller running the catalogue on several connections prepares
// each of them.
func PrepareCatalogue(ctx context.Context, db *sql.DB, in *Intel) error {
	if err := Prepare(ctx, db); err != nil {
		return err
	}
	if err := PrepareDetections(ctx, db); err != nil {
		return err
	}
	if err := prepareIntel(ctx, db, in); err != nil {
		return fmt.Errorf("prepare detections: %w", err)
	}
	return nil
}

// SetPriorFindings fills db's prior_findings (created by PrepareDetections) with fs: every
// finding of the detections that do not read it, at every severity, before the ones that
// do (ReadsPriorFindings) run.
func SetPriorFindings(ctx context.Context, db *sql.DB, fs []Finding) error {
	return createPriorFindings(ctx, db, fs)
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
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	for i, r := range t.Rows {
		f, err := findingFromRow(q.ID, names, r)
		if err != nil {
			return nil, b, fmt.Errorf("detection %s: row %d: %w", q.ID, i+1, err)
		}
		out = append(out, f)
	}
	return out, b, nil
}

// checkFindingColumns accepts the finding columns, optionally followed by audit_evidence,
// provisioning_evidence or both, in that order.
func checkFindingColumns(t *Table) error {
	var got []string
	for _, c := range t.Columns {
		got = append(got, c.Name)
	}
	if ValidFindingColumns(got) {
		return nil
	}
	return fmt.Errorf("returns columns %s; a detection must return %s, optionally followed by %s", strings.Join(got, ", "),
		strings.Join(findingColumns[:], ", "), strings.Join(optionalEvidence[:], " and/or "))
}

// ValidFindingColumns reports whether cols are the finding columns, optionally followed by
// audit_evidence, provisioning_evidence or both, in that order.
func ValidFindingColumns(cols []string) bool {
	n := len(findingColumns)
	if len(cols) < n || strings.Join(cols[:n], ",") != strings.Join(findingColumns[:], ",") {
		return false
	}
	rest, next := cols[n:], 0
	for _, c := range rest {
		for next < len(optionalEvidence) && optionalEvidence[next] != c {
			next++
		}
		if next == len(optionalEvidence) {
			return false
		}
		next++
	}
	return true
}

// keyList reads a list of BIGINT keys (nil when the list is null or empty).
func keyList(v any, column, key string) ([]int64, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is %T, want a list of %s", column, v, key)
	}
	var out []int64
	for _, e := range list {
		k, ok := e.(int64)
		if !ok {
			return nil, fmt.Errorf("%s holds %T, want %s (BIGINT)", column, e, key)
		}
		out = append(out, k)
	}
	return out, nil
}

func findingFromRow(id string, names []string, r []any) (Finding, error) {
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
	var err error
	if f.Evidence, err = keyList(r[9], "evidence", "signin_key"); err != nil {
		return f, err
	}
	for i := len(findingColumns); i < len(r) && i < len(names); i++ {
		switch names[i] {
		case "audit_evidence":
			f.AuditEvidence, err = keyList(r[i], names[i], "audit_key")
		case "provisioning_evidence":
			f.ProvisioningEvidence, err = keyList(r[i], names[i], "provisioning_key")
		}
		if err != nil {
			return f, err
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

// RunWarnings says which detections did not run and why, and which ran on part of the data,
// one line each; detections skipped for one reason (the first-seen family under a short
// baseline) share one line.
func RunWarnings(runs []DetectionRun) []string {
	var w, reasons []string
	bySkip := map[string][]string{}
	for _, d := range runs {
		if d.Skipped != "" {
			if bySkip[d.Skipped] == nil {
				reasons = append(reasons, d.Skipped)
			}
			bySkip[d.Skipped] = append(bySkip[d.Skipped], d.Query.ID)
		}
	}
	for _, why := range reasons {
		if ids := bySkip[why]; len(ids) == 1 {
			w = append(w, fmt.Sprintf("detection %s did not run: %s", ids[0], why))
		} else {
			w = append(w, fmt.Sprintf("detections %s and %s did not run: %s", strings.Join(ids[:len(ids)-1], ", "), ids[len(ids)-1], why))
		}
	}
	for _, d := range runs {
		if d.Skipped == "" && d.Limited != "" {
			w = append(w, fmt.Sprintf("detection %s ran on part of the data: %s", d.Query.ID, d.Limited))
		}
	}
	return w
}
