package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
)

// Report is the neutral result of `signinlens analyze`: everything a writer renders. Build
// fills it from the database; the writers (package report) never query the database, apart
// from streaming the optional raw rows through Raw.Each.
type Report struct {
	Meta    Meta                `json:"meta"`
	Sources []*store.FileResult `json:"sources"`
	// OrphanAuthSteps counts authentication-detail rows whose sign-in was never loaded.
	OrphanAuthSteps int64          `json:"orphan_auth_steps"`
	Counts          []LogTypeCount `json:"counts"`
	// Answers are the standard questions answered in one line each, from the sections.
	Answers []string `json:"answers"`
	// Changes answer "what changed?" in one line each (role changes, method changes,
	// consents, credentials, Conditional Access changes, provisioning), from the sections of
	// the queries that read the audit and provisioning logs.
	Changes       []string       `json:"changes"`
	Sections      []*Section     `json:"sections"`
	Findings      []Finding      `json:"findings"`
	DetectionRuns []DetectionRun `json:"detection_runs"`
	// Evidence lists the sign-ins behind each finding: the first column is the finding's
	// 1-based position in Findings. AuditEvidence and ProvisioningEvidence list the audit and
	// provisioning events behind them the same way (empty tables when no finding has any).
	Evidence             *Table `json:"evidence,omitempty"`
	AuditEvidence        *Table `json:"audit_evidence,omitempty"`
	ProvisioningEvidence *Table `json:"provisioning_evidence,omitempty"`
	// TopAccounts name the accounts to look at first, one line each, from the accounts
	// section (highest score first, at most TopAccountLines).
	TopAccounts []string `json:"top_accounts"`
	// Timelines are the accounts of ReportOptions.Investigate that have events.
	Timelines []*Timeline `json:"timelines"`
	Warnings  []string    `json:"warnings"`
	Raw       *RawRows    `json:"-"`

	loc *time.Location
}

// Meta says what was analysed and how.
type Meta struct {
	Tool        string    `json:"tool"`
	Version     string    `json:"version"`
	GeneratedAt time.Time `json:"generated_at"`
	Database    string    `json:"database"`
	AsOf        time.Time `json:"as_of"`
	// First and Last are the earliest and latest event in the database.
	First   time.Time `json:"first_event"`
	Last    time.Time `json:"last_event"`
	SignIns int64     `json:"sign_ins"`
	// AuditEvents and ProvisioningEvents count the loaded audit and provisioning events.
	AuditEvents        int64    `json:"audit_events"`
	ProvisioningEvents int64    `json:"provisioning_events"`
	Filters            []string `json:"filters"`
	TimeZone           string   `json:"time_zone"`
}

// LogTypeCount is the sign-ins of one log type by outcome (signins.status).
type LogTypeCount struct {
	LogType     string `json:"log_type"`
	SignIns     int64  `json:"sign_ins"`
	Success     int64  `json:"success"`
	Interrupted int64  `json:"interrupted"`
	Failure     int64  `json:"failure"`
}

// Section is one catalogue query's result.
type Section struct {
	Query *queries.Query
	Table *Table // nil when the query was not run (see Skipped)
	Bound Bound
	// Missing lists required fields that some loaded export cannot carry; Partial says the
	// other exports carry them, so the answer covers only those. Unavailable says either in
	// words (see CheckAvailability).
	Missing     []string
	Partial     bool
	Unavailable string
	// Skipped says why the query did not run (it needs a filter such as --user).
	Skipped string
}

// Answerable reports whether at least one loaded export carries every field the query needs.
func (s *Section) Answerable() bool { return len(s.Missing) == 0 || s.Partial }

// DetectFunc runs the detections for Build; RunDetections is the one the CLI uses.
type DetectFunc func(ctx context.Context, db *sql.DB, p Params, asOf time.Time, minSeverity string) ([]Finding, []DetectionRun, error)

// RawRows streams the in-scope sign-ins for the workbook's Raw sheets.
type RawRows struct {
	Columns []Column
	Count   int64
	// Each calls fn with every row in order (values normalized like Table rows); row is
	// reused between calls.
	Each func(ctx context.Context, fn func(row []any) error) error
}

// ReportOptions tune Build.
type ReportOptions struct {
	Version     string
	GeneratedAt time.Time      // default: now
	Loc         *time.Location // display zone; default UTC
	Database    string         // database path as shown; "" for a temporary database
	// Queries is the catalogue to run; default queries.All(). Entries of kind "query" become
	// sections; detections run through Detect.
	Queries []*queries.Query
	// Detect runs the detections; nil runs the catalogue's detections beside its queries
	// (what RunDetections returns, on several connections).
	Detect DetectFunc
	// Connections is how many catalogue entries run at once, each on its own connection;
	// default: one per CPU, at least two. Results are in catalogue order either way.
	Connections int
	MinSeverity string // default "low"
	// EvidenceLimit caps the evidence sign-ins listed per finding (default 200).
	EvidenceLimit int
	// ProblemLimit caps the load problems listed per file (default 1,000; all are in load_problems).
	ProblemLimit int
	Raw          bool
	// Investigate lists accounts (UPN or object id) whose sign-ins and audit events the
	// report lays out as timelines.
	Investigate []string
	// Progress, when set, is told each step: done of total, and what runs next.
	Progress func(done, total int, what string)
}

// Build runs the catalogue over db and assembles the report. sum is the load just done
// (nil with --db alone): the sources themselves are read from the database, so earlier
// loads are reported too.
func Build(ctx context.Context, db *store.DB, sum *store.Summary, p Params, opt ReportOptions) (*Report, error) {
	if opt.Loc == nil {
		opt.Loc = time.UTC
	}
	if opt.GeneratedAt.IsZero() {
		opt.GeneratedAt = time.Now()
	}
	if opt.MinSeverity == "" {
		opt.MinSeverity = "low"
	}
	if opt.EvidenceLimit <= 0 {
		opt.EvidenceLimit = 200
	}
	if opt.ProblemLimit <= 0 {
		opt.ProblemLimit = 1000
	}
	if opt.Queries == nil {
		all, err := queries.All()
		if err != nil {
			return nil, err
		}
		opt.Queries = all
	}
	// scoped() is a temporary macro, which DuckDB keeps per connection.
	db.SQL.SetMaxOpenConns(1)
	if err := queries.Prepare(ctx, db.SQL); err != nil {
		return nil, err
	}
	asOf := p.AsOf.UTC()
	if p.AsOf.IsZero() {
		var err error
		if asOf, err = queries.LatestEvent(ctx, db.SQL); err != nil {
			return nil, err
		}
	}
	r := &Report{
		Meta: Meta{Tool: "signinlens", Version: opt.Version, GeneratedAt: opt.GeneratedAt.UTC(), Database: opt.Database,
			AsOf: asOf, Filters: describeFilters(p), TimeZone: opt.Loc.String()},
		Answers: []string{}, Changes: []string{}, Sections: []*Section{}, Findings: []Finding{}, DetectionRuns: []DetectionRun{},
		TopAccounts: []string{}, Timelines: []*Timeline{}, Warnings: []string{}, loc: opt.Loc,
	}
	if r.Meta.Database == "" {
		r.Meta.Database = "(temporary database)"
	}
	if err := r.readOverview(ctx, db.SQL); err != nil {
		return nil, err
	}
	if err := r.readSources(ctx, db, sum, opt.ProblemLimit); err != nil {
		return nil, err
	}
	var plain, after []*queries.Query
	for _, q := range opt.Queries {
		switch {
		case q.Kind == "query" && q.AfterDetections:
			after = append(after, q)
		case q.Kind == "query":
			plain = append(plain, q)
		}
	}
	// The catalogue's detections run beside the queries unless the caller brings its own.
	together := opt.Detect == nil
	if together {
		if err := queries.CheckSeverity(opt.MinSeverity); err != nil {
			return nil, err
		}
		if err := queries.ValidateSet(p.Set); err != nil {
			return nil, err
		}
	}
	conns := opt.Connections
	if conns <= 0 {
		conns = defaultConnections()
	}
	// The queries that read the findings (after: detections) run last, on db.SQL.
	done, total, err := r.runCatalogue(ctx, db, p, plain, together, opt.MinSeverity, conns, len(after), opt.Progress)
	if err != nil {
		return nil, err
	}
	var runs []DetectionRun
	if together {
		runs = r.DetectionRuns
	} else {
		f, dr, err := opt.Detect(ctx, db.SQL, p, asOf, opt.MinSeverity)
		if err != nil {
			return nil, err
		}
		if f != nil {
			r.Findings = f
		}
		if dr != nil {
			r.DetectionRuns = dr
		}
		runs = dr
	}
	if err := r.readEvidence(ctx, db.SQL, opt.EvidenceLimit); err != nil {
		return nil, err
	}
	if len(after) > 0 || len(opt.Investigate) > 0 {
		if err := queries.StoreFindings(ctx, db.SQL, r.Findings); err != nil {
			return nil, err
		}
	}
	for i, q := range after {
		if opt.Progress != nil {
			opt.Progress(done+i, total, q.ID)
		}
		if err := r.runSection(ctx, db, q, p, asOf); err != nil {
			return nil, err
		}
	}
	if opt.Progress != nil {
		opt.Progress(total, total, "")
	}
	if r.Answers, r.Changes, err = answers(r); err != nil {
		return nil, err
	}
	caps, err := exportCaps(runs, p, asOf)
	if err != nil {
		return nil, err
	}
	r.Warnings = r.warnings(caps)
	r.TopAccounts = topAccounts(r, TopAccountLines)
	if err := r.readTimelines(ctx, db.SQL, opt.Investigate, p); err != nil {
		return nil, err
	}
	if opt.Raw {
		raw, err := rawRows(ctx, db.SQL, p, asOf)
		if err != nil {
			return nil, err
		}
		r.Raw = raw
	}
	return r, nil
}

// runSection runs one query of the catalogue and adds its section to r.
func (r *Report) runSection(ctx context.Context, db *store.DB, q *queries.Query, p Params, asOf time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := &Section{Query: q}
	if f := queries.NeedsFilter(q); f != "" && !hasFilter(p, f) {
		s.Skipped = fmt.Sprintf("runs only for one %s: signinlens query %s --%s ...", f, q.ID, f)
		s.Bound, _, _ = queries.Bind(q, p, asOf)
		r.Sections = append(r.Sections, s)
		return nil
	}
	g, err := queries.CheckAvailability(ctx, db.SQL, q)
	if err != nil {
		return err
	}
	s.Missing, s.Partial, s.Unavailable = g.Missing, g.Partial(), g.Message()
	t, b, err := queries.Run(ctx, db.SQL, q, p, asOf)
	if err != nil {
		return err
	}
	s.Table, s.Bound = t, b
	r.Sections = append(r.Sections, s)
	return nil
}

// Location is the display zone the report was built for.
func (r *Report) Location() *time.Location {
	if r.loc == nil {
		if l, err := time.LoadLocation(r.Meta.TimeZone); err == nil && r.Meta.TimeZone != "" {
			r.loc = l
		} else {
			r.loc = time.UTC
		}
	}
	return r.loc
}

// SeverityCounts returns the findings per severity, highest first, all severities present.
func (r *Report) SeverityCounts() []SeverityCount {
	sev := queries.Severities()
	out := make([]SeverityCount, 0, len(sev))
	for i := len(sev) - 1; i >= 0; i-- {
		s := sev[i]
		n := 0
		for _, f := range r.Findings {
			if f.Severity == s {
				n++
			}
		}
		out = append(out, SeverityCount{Severity: s, Findings: n})
	}
	return out
}

// SeverityCount is the number of findings of one severity.
type SeverityCount struct {
	Severity string `json:"severity"`
	Findings int    `json:"findings"`
}

// Section returns the section of a query id, or nil.
func (r *Report) Section(id string) *Section {
	for _, s := range r.Sections {
		if s.Query.ID == id {
			return s
		}
	}
	return nil
}

func hasFilter(p Params, name string) bool {
	switch name {
	case "user":
		return p.User != ""
	case "app":
		return p.App != ""
	case "ip":
		return p.IP != ""
	}
	return false
}

func describeFilters(p Params) []string {
	out := []string{}
	switch {
	case !p.Since.IsZero():
		out = append(out, "since "+p.Since.UTC().Format(time.RFC3339)+" (every query)")
	case p.All:
		out = append(out, "window: the whole export (every query)")
	case p.Window > 0:
		out = append(out, "window: "+formatDuration(p.Window)+" (every query)")
	}
	if !p.Until.IsZero() {
		out = append(out, "until "+p.Until.UTC().Format(time.RFC3339))
	}
	if p.App != "" {
		out = append(out, "application: "+p.App)
	}
	if p.User != "" {
		out = append(out, "user: "+p.User)
	}
	if p.IP != "" {
		out = append(out, "IP address: "+p.IP)
	}
	if len(p.LogTypes) > 0 {
		out = append(out, "log types: "+strings.Join(p.LogTypes, ", "))
	}
	if p.Intel != nil {
		out = append(out, fmt.Sprintf("indicators: %s (%s; SHA-256 %s)", p.Intel.Path, p.Intel.Counts(), p.Intel.SHA256))
	}
	keys := make([]string, 0, len(p.Set))
	for k := range p.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, "parameter "+k+" = "+p.Set[k])
	}
	return out
}

// formatDuration writes a window the way people say it: 24h, 7d, 90m.
func formatDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// DescribeWindow says in words which events a result covers, times in loc.
func DescribeWindow(b Bound, loc *time.Location) string { return queries.DescribeWindow(b, loc) }

func (r *Report) readOverview(ctx context.Context, db *sql.DB) error {
	var first, last sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM signins), (SELECT count(*) FROM audits), (SELECT count(*) FROM provisioning),
		least((SELECT min(created_at) FROM signins), (SELECT min(activity_at) FROM audits), (SELECT min(activity_at) FROM provisioning)),
		greatest((SELECT max(created_at) FROM signins), (SELECT max(activity_at) FROM audits), (SELECT max(activity_at) FROM provisioning))`).Scan(
		&r.Meta.SignIns, &r.Meta.AuditEvents, &r.Meta.ProvisioningEvents, &first, &last); err != nil {
		return fmt.Errorf("read time range: %w", err)
	}
	r.Meta.First, r.Meta.Last = first.Time.UTC(), last.Time.UTC()
	rows, err := db.QueryContext(ctx, "SELECT log_type, status, count(*) FROM signins GROUP BY ALL")
	if err != nil {
		return fmt.Errorf("count sign-ins: %w", err)
	}
	defer rows.Close()
	by := map[string]*LogTypeCount{}
	for _, lt := range loaders.LogTypes() {
		by[lt] = &LogTypeCount{LogType: lt}
	}
	for rows.Next() {
		var lt, status string
		var n int64
		if err := rows.Scan(&lt, &status, &n); err != nil {
			return fmt.Errorf("count sign-ins: %w", err)
		}
		c := by[lt]
		if c == nil {
			c = &LogTypeCount{LogType: lt}
			by[lt] = c
		}
		c.SignIns += n
		switch status {
		case "success":
			c.Success += n
		case "interrupted":
			c.Interrupted += n
		default:
			c.Failure += n
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count sign-ins: %w", err)
	}
	for _, lt := range loaders.LogTypes() {
		r.Counts = append(r.Counts, *by[lt])
		delete(by, lt)
	}
	var rest []string
	for lt := range by {
		rest = append(rest, lt)
	}
	sort.Strings(rest)
	for _, lt := range rest {
		r.Counts = append(r.Counts, *by[lt])
	}
	return nil
}

// readSources reads every input ever loaded into the database, with its problems.
func (r *Report) readSources(ctx context.Context, db *store.DB, sum *store.Summary, limit int) error {
	src, err := db.Sources(ctx, limit)
	if err != nil {
		return err
	}
	r.Sources = src
	if sum != nil {
		byID := make(map[int]*store.FileResult, len(src))
		for _, f := range src {
			byID[f.SourceID] = f
		}
		for _, f := range sum.Files {
			if x := byID[f.SourceID]; x != nil {
				x.Error, x.AuthSteps = f.Error, f.AuthSteps
			}
		}
	}
	r.OrphanAuthSteps, err = db.OrphanAuthSteps(ctx)
	return err
}

func problemPlace(p store.ProblemJSON) string {
	switch {
	case p.Line > 0:
		return fmt.Sprintf("line %d", p.Line)
	case p.Record > 0:
		return fmt.Sprintf("record %d", p.Record)
	}
	return "file"
}

// ProblemPlace is where a problem is, as file:line or "file record n".
func ProblemPlace(f *store.FileResult, p store.ProblemJSON) string {
	switch {
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", f.Path, p.Line)
	case p.Record > 0:
		return fmt.Sprintf("%s record %d", f.Path, p.Record)
	}
	return f.Path
}

// ColumnIndex finds the first column of t named one of names (any case), or -1.
func ColumnIndex(t *Table, names ...string) int {
	for _, n := range names {
		for i, c := range t.Columns {
			if strings.EqualFold(c.Name, n) {
				return i
			}
		}
	}
	return -1
}

// AsInt reads a whole number from a table value (int64, or a float64 without fraction).
func AsInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), x == float64(int64(x))
	}
	return 0, false
}
