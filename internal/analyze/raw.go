package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// rawRows prepares the stream of in-scope sign-ins: the filters and --since/--until apply,
// per-query windows do not.
func rawRows(ctx context.Context, db *sql.DB, p Params, asOf time.Time) (*RawRows, error) {
	until := asOf
	if !p.Until.IsZero() {
		until = p.Until.UTC()
	}
	args := queries.ScopeArgs(p, until)
	const from = " FROM scoped(?, ?, ?, ?, ?, ?::VARCHAR[])"
	raw := &RawRows{}
	if err := db.QueryRowContext(ctx, "SELECT count(*)"+from, args...).Scan(&raw.Count); err != nil {
		return nil, fmt.Errorf("count raw rows: %w", err)
	}
	t, err := queries.Select(ctx, db, "SELECT *"+from+" LIMIT 0", args...)
	if err != nil {
		return nil, fmt.Errorf("raw rows: %w", err)
	}
	raw.Columns = t.Columns
	raw.Each = func(ctx context.Context, fn func([]any) error) error {
		rows, err := db.QueryContext(ctx, "SELECT *"+from+" ORDER BY created_at, signin_key", args...)
		if err != nil {
			return fmt.Errorf("raw rows: %w", err)
		}
		defer rows.Close()
		vals := make([]any, len(raw.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return fmt.Errorf("raw rows: %w", err)
			}
			for i, v := range vals {
				vals[i] = queries.Normalize(v)
			}
			if err := fn(vals); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	return raw, nil
}
