package queries

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
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

// AuditScopeMacro defines audit_scoped(), the table the catalogue reads audit events from:
// the events inside the window whose initiator or one of whose targets is the --user (by
// object id or user principal name, any case) and whose initiator acted from the --ip.
// --app and --log-type do not apply to audit events.
// Its rows add one column to the audits table: initiator, the initiating user's UPN, else the
// initiating service principal's or app's name or id.
const AuditScopeMacro = `CREATE OR REPLACE TEMP MACRO audit_scoped(since, until, usr, ip) AS TABLE
SELECT a.*, coalesce(nullif(a.initiator_upn, ''), nullif(a.initiator_service_principal_name, ''),
    nullif(a.initiator_display_name, ''), nullif(a.initiator_user_id, ''), nullif(a.initiator_service_principal_id, ''),
    nullif(a.initiator_app_id, '')) AS initiator
FROM audits a
WHERE (since IS NULL OR a.activity_at > since)
  AND (until IS NULL OR a.activity_at <= until)
  AND (usr IS NULL OR a.initiator_user_id = usr OR lower(a.initiator_upn) = lower(usr)
       OR a.audit_key IN (SELECT t.audit_key FROM audit_targets t
                          WHERE t.id = usr OR lower(t.user_principal_name) = lower(usr)))
  AND (ip IS NULL OR a.initiator_ip_address = ip)`

// ProvisioningScopeMacro defines provisioning_scoped(), the table the catalogue reads
// provisioning events from: the events inside the window whose source or target identity
// is the --user (by id or display name, any case).
const ProvisioningScopeMacro = `CREATE OR REPLACE TEMP MACRO provisioning_scoped(since, until, usr) AS TABLE
SELECT * FROM provisioning p
WHERE (since IS NULL OR p.activity_at > since)
  AND (until IS NULL OR p.activity_at <= until)
  AND (usr IS NULL OR p.source_identity_id = usr OR p.target_identity_id = usr
       OR lower(p.source_identity_name) = lower(usr) OR lower(p.target_identity_name) = lower(usr))`

// AuditHelperMacros returns the statements that define activity_key(name), an activity display name compared loosely (lower
// case, dashes of every kind as '-', runs of white space as one space, trimmed), and
// activity_list(text), a comma-separated list of names as keys, and audit_text(value), a
// modified property's value as exported ("\"Global Administrator\"", JSON text) without its
// quotes and brackets. The catalogue's activity
// parameters match audits.activity with list_contains(activity_list($activities),
// activity_key(activity)), so that "Update application – Certificates and secrets
// management " (en dash, trailing space, as exported) matches the name typed with a hyphen.
func AuditHelperMacros() []string {
	return []string{
		`CREATE OR REPLACE TEMP MACRO activity_key(name) AS
trim(regexp_replace(regexp_replace(lower(name), '[\x{2010}-\x{2015}\x{2212}]', '-', 'g'), '\s+', ' ', 'g'))`,
		`CREATE OR REPLACE TEMP MACRO activity_list(names) AS
list_filter(list_transform(string_split(coalesce(names, ''), ','), x -> activity_key(x)), x -> x <> '')`,
		`CREATE OR REPLACE TEMP MACRO audit_text(v) AS nullif(trim(trim(trim(v), '[]'), '"'), '')`,
	}
}

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
	// Baseline is where the first-seen detections' baseline ends: this long before the end
	// of the window (default DefaultBaseline) ...
	Baseline time.Duration
	// ... or at this time when set. What follows, up to the end, is the judged period.
	BaselineEnd time.Time
	// Intel is the --intel indicator file; detections that need it (needs-input: intel)
	// run only when it is given.
	Intel *Intel

	// earliest is the first sign-in in the data after Since, the baseline's start; filled by
	// withBaselineStart for queries that bind $baseline_start.
	earliest time.Time
}

// BaselineSlack is how much shorter than its min_baseline a baseline may be and still count:
// an export's first and last sign-ins fall minutes inside the days it covers (a 14-day
// download from 00:01 to 23:59:44 leaves a baseline of 6 days 23:58 under the default 7d),
// and the message says "7.0 days". The first-seen detections' SQL repeats it (+ 3600).
const BaselineSlack = time.Hour

// DefaultBaseline is the judged period when --baseline is not given: the last 7 days before
// the end of the window; everything before them is the baseline.
const DefaultBaseline = 7 * 24 * time.Hour

// ParseBaseline reads a --baseline value: a duration (7d: the baseline ends that long
// before the end of the window) or a time (RFC 3339 or a date: the baseline ends there).
func ParseBaseline(s string, parseTime func(string) (time.Time, error)) (time.Duration, time.Time, error) {
	if d, all, err := ParseWindow(s); err == nil && !all {
		return d, time.Time{}, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("baseline %q: want a duration such as 7d or 2w, or a time such as 2025-06-01 or 2025-06-01T00:00:00Z", s)
	}
	return 0, t.UTC(), nil
}

// baselineEnd is the end of the baseline under p, the window ending at until.
func (p Params) baselineEnd(until time.Time) time.Time {
	if !p.BaselineEnd.IsZero() {
		return p.BaselineEnd.UTC()
	}
	d := p.Baseline
	if d <= 0 {
		d = DefaultBaseline
	}
	return until.Add(-d)
}

// laterOf returns the later of a and b, or the one that is set (zero: neither).
func laterOf(a, b time.Time) time.Time {
	if a.IsZero() || b.After(a) {
		return b
	}
	return a
}

// baselineTooShort says why q cannot judge first uses under b ("" when it can): its
// baseline, from $baseline_start to $baseline_end, is shorter than its min_baseline.
func baselineTooShort(q *Query, p Params, b Bound) (string, error) {
	var prm *Param
	for i := range q.Params {
		if q.Params[i].Name == "min_baseline" {
			prm = &q.Params[i]
		}
	}
	if prm == nil {
		return "", nil
	}
	raw := prm.Default
	if v, ok := p.Set[q.ID+".min_baseline"]; ok {
		raw = v
	}
	v, err := convertParam(*prm, raw)
	if err != nil {
		return "", fmt.Errorf("%s.min_baseline: %w", q.ID, err)
	}
	least := time.Duration(v.(int64)) * time.Second
	start, _ := b.Args["baseline_start"].(time.Time)
	end, _ := b.Args["baseline_end"].(time.Time)
	if start.IsZero() {
		return "", nil // no sign-ins: nothing to judge, nothing found
	}
	const hint = "(--baseline moves the baseline's end; --set ID.min_baseline=... lowers the minimum)"
	got := end.Sub(start)
	if got <= 0 {
		return fmt.Sprintf("could not judge first uses: the baseline would end at %s, before the first sign-in at %s, so it holds nothing, and min_baseline asks for %s %s",
			end.Format(time.RFC3339), start.Format(time.RFC3339), days(least), hint), nil
	}
	if got+BaselineSlack < least {
		return fmt.Sprintf("could not judge first uses: the baseline, the sign-ins from %s to %s, covers %s, less than the %s min_baseline asks for %s",
			start.Format(time.RFC3339), end.Format(time.RFC3339), days(got), days(least), hint), nil
	}
	return "", nil
}

// days writes a duration in days, to one decimal place.
func days(d time.Duration) string {
	n := d.Hours() / 24
	if n == float64(int64(n)) {
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", int64(n))
	}
	return fmt.Sprintf("%.1f days", n)
}

// withBaselineStart fills p's baseline start when q binds it: the earliest sign-in after
// --since (the baseline begins with the data).
func withBaselineStart(ctx context.Context, db *sql.DB, q *Query, p Params) (Params, error) {
	if !strings.Contains(q.SQL, "$baseline_start") || !p.earliest.IsZero() {
		return p, nil
	}
	var t sql.NullTime
	err := db.QueryRowContext(ctx, "SELECT min(created_at) FROM signins WHERE ?::TIMESTAMPTZ IS NULL OR created_at > ?::TIMESTAMPTZ",
		nullableTime(p.Since.UTC()), nullableTime(p.Since.UTC())).Scan(&t)
	if err != nil {
		return p, fmt.Errorf("find the start of the baseline: %w", err)
	}
	if t.Valid {
		p.earliest = t.Time.UTC()
	}
	return p, nil
}

// Bound describes the window a query actually ran with.
type Bound struct {
	Since time.Time // zero: unbounded
	Until time.Time
	Args  map[string]any // every bound parameter, for the Methodology record
}

var dollarName = regexp.MustCompile(`\$([a-z_][a-z0-9_]*)`)

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

// Bind works out the window and the named arguments of q under p, asOf already resolved.
func Bind(q *Query, p Params, asOf time.Time) (Bound, []any, error) {
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
		// The baseline of the first-seen detections: from the first sign-in to its end.
		"baseline_start": nullableTime(laterOf(p.earliest, b.Since)),
		"baseline_end":   p.baselineEnd(b.Until),
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

func convertParam(p Param, raw string) (any, error) {
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

// ScopeArgs are the positional arguments of scoped(?, ?, ?, ?, ?, ?::VARCHAR[]) under p's
// filters and absolute bounds, ending at until; per-query windows do not apply.
func ScopeArgs(p Params, until time.Time) []any {
	return []any{nullableTime(p.Since.UTC()), until, nullableText(p.App), nullableText(p.User), nullableText(p.IP), nullableList(p.LogTypes)}
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

// CheckParams validates p for q without a database: --set keys that name q must name one
// of its declared parameters and hold a value of the declared type. Settings for other
// catalogue entries are left alone (one --set list serves a whole report).
func CheckParams(q *Query, p Params) error {
	declared := map[string]Param{}
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
