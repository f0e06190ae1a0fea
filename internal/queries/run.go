package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/reference"
)

// Prepare readies db for the catalogue: it creates the scoped(), audit_scoped() and
// provisioning_scoped() macros, the activity name helpers (AuditHelperMacros), the
// error_codes reference table (code, class, meaning) from reference.Codes() and the family
// macros (FamilyMacros). All are temporary, so the
// database file is not changed. DuckDB temp objects live per connection, so Prepare limits
// db to one connection (SetMaxOpenConns(1)); callers that set their own pool size must keep
// it at one.
func Prepare(ctx context.Context, db *sql.DB) error {
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, ScopeMacro); err != nil {
		return fmt.Errorf("define scoped(): %w", err)
	}
	for _, m := range append([]string{AuditScopeMacro, ProvisioningScopeMacro}, AuditHelperMacros()...) {
		if _, err := db.ExecContext(ctx, m); err != nil {
			return fmt.Errorf("define the audit macros: %w", err)
		}
	}
	if err := createErrorCodes(ctx, db); err != nil {
		return fmt.Errorf("define error_codes: %w", err)
	}
	for _, m := range strings.Split(FamilyMacros, ";\n") {
		if _, err := db.ExecContext(ctx, m); err != nil {
			return fmt.Errorf("define the family macros: %w", err)
		}
	}
	return nil
}

// createErrorCodes fills the error_codes temp table with one bound INSERT.
func createErrorCodes(ctx context.Context, db *sql.DB) error {
	codes := reference.Codes()
	rows := make([][]any, len(codes))
	for i, c := range codes {
		rows[i] = []any{int32(c.Code), c.Class, c.Meaning}
	}
	return createTempTable(ctx, db, `CREATE OR REPLACE TEMP TABLE error_codes (code INTEGER PRIMARY KEY, class VARCHAR NOT NULL, meaning VARCHAR NOT NULL)`, "error_codes", rows)
}

// execer is what createTempTable needs: a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// createTempTable runs create (a CREATE OR REPLACE TEMP TABLE statement) and fills table
// with rows in one bound INSERT. Every row has one value per column.
func createTempTable(ctx context.Context, db execer, create, table string, rows [][]any) error {
	if _, err := db.ExecContext(ctx, create); err != nil {
		return err
	}
	return insertRows(ctx, db, table, rows)
}

// LatestEvent is the default as-of: the newest event in the database, a sign-in's
// created_at or an audit or provisioning event's activity_at.
func LatestEvent(ctx context.Context, db *sql.DB) (time.Time, error) {
	var t sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT greatest((SELECT max(created_at) FROM signins),
		(SELECT max(activity_at) FROM audits), (SELECT max(activity_at) FROM provisioning))`).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("find the latest event: %w", err)
	}
	return t.Time.UTC(), nil
}

// Run executes one catalogue entry with p; asOf must be resolved (see LatestEvent).
func Run(ctx context.Context, db *sql.DB, q *Query, p Params, asOf time.Time) (*Table, Bound, error) {
	p, err := withBaselineStart(ctx, db, q, p)
	if err != nil {
		return nil, Bound{}, err
	}
	b, args, err := Bind(q, p, asOf)
	if err != nil {
		return nil, b, err
	}
	t, err := Select(ctx, db, q.SQL, args...)
	if err != nil {
		return nil, b, fmt.Errorf("query %s: %w", q.ID, err)
	}
	t.Name = q.ID
	return t, b, nil
}

// NeedsFilter names the standard filter (user, app, ip) q cannot run without, or "". Such
// a query returns no rows when the filter is missing.
func NeedsFilter(q *Query) string { return q.NeedsFilter }

// Notes returns the lines to print under q's table: the window it covered, then any
// query-specific totals. b is the Bound that Run returned.
func Notes(ctx context.Context, db *sql.DB, q *Query, b Bound, loc *time.Location) ([]string, error) {
	if loc == nil {
		loc = time.UTC
	}
	lines := []string{windowLine(b, loc)}
	for _, text := range q.Notes {
		more, err := noteLines(ctx, db, q, b, text, loc)
		if err != nil {
			return nil, err
		}
		lines = append(lines, more...)
	}
	return lines, nil
}

// noteLines runs one note: statement with q's bound arguments.
func noteLines(ctx context.Context, db *sql.DB, q *Query, b Bound, text string, loc *time.Location) ([]string, error) {
	var lines []string
	var args []any
	seen := map[string]bool{}
	for _, m := range dollarName.FindAllStringSubmatch(text, -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		v, ok := b.Args[m[1]]
		if !ok {
			return nil, fmt.Errorf("note of %s uses $%s, which the query did not bind", q.ID, m[1])
		}
		args = append(args, sql.Named(m[1], v))
	}
	t, err := Select(ctx, db, text, args...)
	if err != nil {
		return nil, fmt.Errorf("note of %s: %w", q.ID, err)
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
