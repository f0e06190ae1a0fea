package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signinlens/signinlens/loaders"
	"github.com/signinlens/signinlens/queries"
	"github.com/signinlens/signinlens/reference"
)

// ScopeMacro defines scoped(), the table every catalogue query reads: the sign-ins inside
// the window and filters. Its arguments are bound parameters, so no input text ever
// becomes SQL. It is created once per connection pool by Prepare.
const ScopeMacro = `CREATE OR REPLACE TEMP MACRO scoped(since, until, app, usr, ip, log_types) AS TABLE
SELECT * FROM signins
WHERE (since IS NULL OR created_at > since)
  AND (until IS NULL OR created_at <= until)
  AND (app IS NULL OR app_id = app OR lower(app_display_name) = lower(app))
  AND (usr IS NULL OR user_id = usr OR lower(user_principal_name) = lower(usr))
  AND (ip IS NULL OR ip_address = ip)
  AND (log_types IS NULL OR len(log_types) = 0 OR list_contains(log_types, log_type))`

// Params are the user's choices for a run. Zero values mean defaults.
type Params struct {
	AsOf     time.Time     // end of every window; default: the latest event in the data
	Window   time.Duration // overrides each query's default window when > 0
	All      bool          // ignore windows: the whole export up to as-of
	Since    time.Time     // absolute start (exclusive); overrides the window
	Until    time.Time     // absolute end (inclusive); overrides as-of as the end
	App      string
	User     string
	IP       string
	LogTypes []string
	// Set overrides query parameters: "detection.param" -> value.
	Set map[string]string
}

// Bound describes the window a query actually ran with.
type Bound struct {
	Since time.Time // zero: unbounded
	Until time.Time
	Args  map[string]any // every bound parameter, for the Methodology record
}

var dollarName = regexp.MustCompile(`\$([a-z_][a-z0-9_]*)`)

// Prepare readies db for the catalogue: it creates the scoped() macro and the error_codes
// reference table (code, class, meaning) from reference.Codes(). Both are temporary, so the
// database file is not changed. DuckDB temp objects live per connection, so Prepare limits
// db to one connection (SetMaxOpenConns(1)); callers that set their own pool size must keep
// it at one.
func Prepare(ctx context.Context, db *sql.DB) error {
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, ScopeMacro); err != nil {
		return fmt.Errorf("define scoped(): %w", err)
	}
	if err := createErrorCodes(ctx, db); err != nil {
		return fmt.Errorf("define error_codes: %w", err)
	}
	return nil
}

// createErrorCodes fills the error_codes temp table with one bound INSERT.
func createErrorCodes(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE error_codes (code INTEGER PRIMARY KEY, class VARCHAR NOT NULL, meaning VARCHAR NOT NULL)`); err != nil {
		return err
	}
	codes := reference.Codes()
	if len(codes) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO error_codes VALUES ")
	args := make([]any, 0, 3*len(codes))
	for i, c := range codes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
		args = append(args, int32(c.Code), c.Class, c.Meaning)
	}
	_, err := db.ExecContext(ctx, b.String(), args...)
	return err
}

// LatestEvent is the default as-of: the newest created_at in the database.
func LatestEvent(ctx context.Context, db *sql.DB) (time.Time, error) {
	var t sql.NullTime
	if err := db.QueryRowContext(ctx, "SELECT max(created_at) FROM signins").Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("find the latest event: %w", err)
	}
	return t.Time.UTC(), nil
}

// ParseWindow reads 24h, 7d, 2w, 90m, 30s or "all" (returned as 0, true).
func ParseWindow(s string) (d time.Duration, all bool, err error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "all" {
		return 0, true, nil
	}
	if len(s) < 2 {
		return 0, false, fmt.Errorf("window %q: want a number and a unit (s, m, h, d, w) or all", s)
	}
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if err != nil || n <= 0 {
		return 0, false, fmt.Errorf("window %q: want a positive number and a unit (s, m, h, d, w) or all", s)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, false, fmt.Errorf("window %q: unit must be s, m, h, d or w", s)
	}
	return time.Duration(n * float64(unit)), false, nil
}

// bind works out the window and the named arguments of q under p, asOf already resolved.
func bind(q *queries.Query, p Params, asOf time.Time) (Bound, []any, error) {
	b := Bound{Until: asOf, Args: map[string]any{}}
	if !p.Until.IsZero() {
		b.Until = p.Until.UTC()
	}
	switch {
	case !p.Since.IsZero():
		b.Since = p.Since.UTC()
	case p.All:
	case p.Window > 0:
		b.Since = b.Until.Add(-p.Window)
	default:
		d, all, err := ParseWindow(q.Window)
		if err != nil {
			return b, nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		if !all {
			b.Since = b.Until.Add(-d)
		}
	}
	std := map[string]any{
		"as_of":     asOf,
		"until":     b.Until,
		"since":     nullableTime(b.Since),
		"app":       nullableText(p.App),
		"user":      nullableText(p.User),
		"ip":        nullableText(p.IP),
		"log_types": nullableList(p.LogTypes),
	}
	for _, prm := range q.Params {
		raw := prm.Default
		if v, ok := p.Set[q.ID+"."+prm.Name]; ok {
			raw = v
		}
		v, err := convertParam(prm, raw)
		if err != nil {
			return b, nil, fmt.Errorf("%s.%s: %w", q.ID, prm.Name, err)
		}
		std[prm.Name] = v
	}
	var args []any
	used := map[string]bool{}
	for _, m := range dollarName.FindAllStringSubmatch(q.SQL, -1) {
		name := m[1]
		if used[name] {
			continue
		}
		v, ok := std[name]
		if !ok {
			return b, nil, fmt.Errorf("query %s uses $%s, which is neither a standard parameter nor declared", q.ID, name)
		}
		used[name] = true
		b.Args[name] = v
		args = append(args, sql.Named(name, v))
	}
	return b, args, nil
}

func convertParam(p queries.Param, raw string) (any, error) {
	switch p.Type {
	case "integer":
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want a whole number, got %q", raw)
		}
		return v, nil
	case "number":
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %q", raw)
		}
		return v, nil
	case "boolean":
		v, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("want true or false, got %q", raw)
		}
		return v, nil
	case "duration":
		d, all, err := ParseWindow(raw)
		if err != nil || all {
			return nil, fmt.Errorf("want a duration such as 30m, 1h or 7d, got %q", raw)
		}
		// Bound as whole seconds; SQL uses to_seconds($name).
		return int64(d / time.Second), nil
	}
	return raw, nil
}

func nullableTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullableText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableList(l []string) any {
	if len(l) == 0 {
		return nil
	}
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// Run executes one catalogue entry with p; asOf must be resolved (see LatestEvent).
func Run(ctx context.Context, db *sql.DB, q *queries.Query, p Params, asOf time.Time) (*Table, Bound, error) {
	b, args, err := bind(q, p, asOf)
	if err != nil {
		return nil, b, err
	}
	t, err := Query(ctx, db, q.SQL, args...)
	if err != nil {
		return nil, b, fmt.Errorf("query %s: %w", q.ID, err)
	}
	t.Name = q.ID
	return t, b, nil
}

// Gap is what the loaded exports could not carry for one query: the fields of its
// requires: header that some file's format lacks (sources.unavailable_fields).
type Gap struct {
	Query   string
	Missing []string // required fields that at least one file could not carry
	Formats []string // the formats of those files, as people call them ("Entra admin center download, CSV")
	Lacking int      // files that loaded sign-ins but lack a field of Missing
	Files   int      // files that loaded sign-ins
}

// Answerable reports whether any file carries every required field.
func (g Gap) Answerable() bool { return g.Lacking < g.Files || g.Files == 0 }

// Partial reports that some files lack a field and others carry them all: the answer
// covers only the latter.
func (g Gap) Partial() bool { return len(g.Missing) > 0 && g.Answerable() }

// Message says in one line what is missing and what it means for the query; "" when
// nothing is missing.
func (g Gap) Message() string {
	if len(g.Missing) == 0 {
		return ""
	}
	what := describeFields(g.Missing)
	formats := strings.Join(g.Formats, ", ")
	if !g.Answerable() {
		return fmt.Sprintf("%s not available in this export (%s): %s cannot be answered from it", what, formats, g.Query)
	}
	rest := "the other file"
	if n := g.Files - g.Lacking; n > 1 {
		rest = fmt.Sprintf("the other %d files", n)
	}
	return fmt.Sprintf("%s not available in %d of %d files (%s): %s answers from %s only", what, g.Lacking, g.Files, formats, g.Query, rest)
}

// fieldGroups name related fields together in messages.
var fieldGroups = []struct {
	match func(string) bool
	name  string
}{
	{func(f string) bool { return strings.HasPrefix(f, "risk_") }, "risk fields"},
	{func(f string) bool { return f == "ca_policies" }, "per-policy Conditional Access results"},
	{func(f string) bool { return f == "auth_steps" }, "authentication details"},
}

func describeFields(fields []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, f := range fields {
		name := f
		for _, g := range fieldGroups {
			if g.match(f) {
				name = g.name
				break
			}
		}
		if !seen[name] {
			seen[name] = true
			parts = append(parts, name)
		}
	}
	verb := "is"
	if len(parts) > 1 || strings.HasSuffix(parts[0], "s") {
		verb = "are"
	}
	return strings.Join(parts, ", ") + " " + verb
}

// TableFields are the requires: names (and sources.unavailable_fields names) that stand
// for a whole table joined to signins rather than one of its columns.
var TableFields = map[string]string{"ca_policies": "signin_ca_policies", "auth_steps": "signin_auth_steps"}

var (
	logTypeFilter  = regexp.MustCompile(`(?i)log_type\s*(?:IN\s*\(([^)]*)\)|=\s*('[^']*'))`)
	logTypeLiteral = regexp.MustCompile(`'(interactiveUser|nonInteractiveUser|servicePrincipal|managedIdentity)'`)
)

// queryLogTypes are the log types q's SQL filters on (log_type IN (...) or log_type = '...');
// nil when it filters on none (it reads them all).
func queryLogTypes(q *queries.Query) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range logTypeFilter.FindAllStringSubmatch(q.SQL, -1) {
		for _, m := range logTypeLiteral.FindAllStringSubmatch(f[1]+f[2], -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	sort.Strings(out)
	return out
}

// CheckAvailability compares q's requires: header with sources.unavailable_fields of every
// file that loaded sign-ins of the log types q reads (the ones its SQL names; all four when
// it names none), so that a user sign-in file is not blamed for lacking service principal
// fields. Authentication details and Conditional Access policies that a format cannot
// carry still count as present for a file when another file supplied them for its
// sign-ins (an admin-center AuthDetails file beside the sign-ins file).
func CheckAvailability(ctx context.Context, db *sql.DB, q *queries.Query) (Gap, error) {
	g := Gap{Query: q.ID}
	rows, err := db.QueryContext(ctx, `SELECT source_id, coalesce(format, ''), coalesce(unavailable_fields, []::VARCHAR[])
		FROM sources
		WHERE EXISTS (SELECT 1 FROM signins s WHERE s.source_id = sources.source_id
			AND ($log_types IS NULL OR list_contains($log_types, s.log_type)))
		ORDER BY source_id`, sql.Named("log_types", nullableList(queryLogTypes(q))))
	if err != nil {
		return g, fmt.Errorf("read sources: %w", err)
	}
	type file struct {
		id      int64
		format  string
		lacking []string
	}
	var files []file
	need := map[string]bool{}
	for _, f := range q.Requires {
		need[f] = true
	}
	for rows.Next() {
		var f file
		var un any
		if err := rows.Scan(&f.id, &f.format, &un); err != nil {
			rows.Close()
			return g, fmt.Errorf("read sources: %w", err)
		}
		list, _ := un.([]any)
		for _, v := range list {
			if s, ok := v.(string); ok && need[s] {
				f.lacking = append(f.lacking, s)
			}
		}
		files = append(files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return g, fmt.Errorf("read sources: %w", err)
	}
	g.Files = len(files)
	missing := map[string]bool{}
	formats := map[string]bool{}
	for _, f := range files {
		lacks := false
		for _, field := range f.lacking {
			has, err := carries(ctx, db, f.id, field)
			if err != nil {
				return g, err
			}
			if !has {
				lacks = true
				missing[field] = true
			}
		}
		if lacks {
			g.Lacking++
			formats[f.format] = true
		}
	}
	for _, f := range q.Requires {
		if missing[f] {
			g.Missing = append(g.Missing, f)
		}
	}
	for f := range formats {
		g.Formats = append(g.Formats, formatLabel(f))
	}
	sort.Strings(g.Formats)
	return g, nil
}

// Availability is CheckAvailability in short: the required fields some file lacks, and
// whether the query can still be answered from the other files.
func Availability(ctx context.Context, db *sql.DB, q *queries.Query) (missing []string, partial bool, err error) {
	g, err := CheckAvailability(ctx, db, q)
	return g.Missing, g.Partial(), err
}

// carries reports whether another file supplied what a file's format cannot carry: only
// child tables can be filled that way (an AuthDetails file's steps joined to the sign-ins
// of the file beside it). A column the format lacks is never filled.
func carries(ctx context.Context, db *sql.DB, sourceID int64, field string) (bool, error) {
	table, ok := TableFields[field]
	if !ok {
		return false, nil
	}
	query := `SELECT EXISTS (SELECT 1 FROM ` + table + ` t JOIN signins s ON s.signin_key = t.signin_key WHERE s.source_id = ?)`
	var has bool
	if err := db.QueryRowContext(ctx, query, sourceID).Scan(&has); err != nil {
		return false, fmt.Errorf("check %s in source %d: %w", field, sourceID, err)
	}
	return has, nil
}

// needsFilter lists catalogue entries that only make sense with a standard filter set.
var needsFilter = map[string]string{"user-timeline": "user"}

// NeedsFilter names the standard filter (user, app, ip) q cannot run without, or "". Such
// a query returns no rows when the filter is missing.
func NeedsFilter(q *queries.Query) string { return needsFilter[q.ID] }

// notes are query-specific summary lines printed under a table. Each statement reads the
// same bound parameters as the query and returns one text column, one line per row.
var notes = map[string]string{
	"failed-signins": `SELECT format('{} failed user sign-ins (non-zero error code): interactiveUser {}, nonInteractiveUser {}',
    count(*), count(*) FILTER (WHERE log_type = 'interactiveUser'), count(*) FILTER (WHERE log_type = 'nonInteractiveUser'))
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser') AND error_code <> 0`,
}

// Notes returns the lines to print under q's table: the window it covered, then any
// query-specific totals. b is the Bound that Run returned.
func Notes(ctx context.Context, db *sql.DB, q *queries.Query, b Bound, loc *time.Location) ([]string, error) {
	if loc == nil {
		loc = time.UTC
	}
	lines := []string{windowLine(b, loc)}
	text, ok := notes[q.ID]
	if !ok {
		return lines, nil
	}
	var args []any
	seen := map[string]bool{}
	for _, m := range dollarName.FindAllStringSubmatch(text, -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		v, ok := b.Args[m[1]]
		if !ok {
			return nil, fmt.Errorf("summary of %s uses $%s, which the query did not bind", q.ID, m[1])
		}
		args = append(args, sql.Named(m[1], v))
	}
	t, err := Query(ctx, db, text, args...)
	if err != nil {
		return nil, fmt.Errorf("summary of %s: %w", q.ID, err)
	}
	for _, r := range t.Rows {
		if len(r) > 0 {
			lines = append(lines, Text(r[0], loc))
		}
	}
	return lines, nil
}

// windowLine states exactly which events a result covers, times shown in loc.
func windowLine(b Bound, loc *time.Location) string {
	if b.Since.IsZero() {
		return fmt.Sprintf("window: every event up to %s", FormatTime(b.Until, loc))
	}
	return fmt.Sprintf("window: %s < event time <= %s", FormatTime(b.Since, loc), FormatTime(b.Until, loc))
}

// CheckParams validates p for q without a database: --set keys that name q must name one
// of its declared parameters and hold a value of the declared type. Settings for other
// catalogue entries are left alone (one --set list serves a whole report).
func CheckParams(q *queries.Query, p Params) error {
	declared := map[string]queries.Param{}
	for _, prm := range q.Params {
		declared[prm.Name] = prm
	}
	keys := make([]string, 0, len(p.Set))
	for k := range p.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		raw := p.Set[key]
		id, name, ok := strings.Cut(key, ".")
		if !ok || id != q.ID {
			continue
		}
		prm, ok := declared[name]
		if !ok {
			if len(q.Params) == 0 {
				return fmt.Errorf("--set %s: %s has no parameters", key, q.ID)
			}
			var names []string
			for _, d := range q.Params {
				names = append(names, d.Name)
			}
			return fmt.Errorf("--set %s: %s has no parameter %q (it has %s)", key, q.ID, name, strings.Join(names, ", "))
		}
		if _, err := convertParam(prm, raw); err != nil {
			return fmt.Errorf("--set %s: %w", key, err)
		}
	}
	return nil
}

// formatLabel is the short title of a loader format: its title up to the first
// parenthesis, else its name.
func formatLabel(name string) string {
	for _, f := range loaders.Formats() {
		if f.Name == name {
			if t, _, _ := strings.Cut(f.Title, " ("); t != "" {
				return t
			}
		}
	}
	return name
}
