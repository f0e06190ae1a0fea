package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Sources reads back every input ever loaded into the database, in load order, each with
// its first problemLimit load problems (by line, record and offset) and the count of the
// rest in ProblemsOmitted. Error and AuthSteps are not stored: they are known only to the
// load that read the file (see Summary).
func (d *DB) Sources(ctx context.Context, problemLimit int) ([]*FileResult, error) {
	out, err := readSources(ctx, d.SQL)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*FileResult, len(out))
	for _, f := range out {
		byID[f.SourceID] = f
	}
	if err := readProblems(ctx, d.SQL, problemLimit, byID); err != nil {
		return nil, err
	}
	return out, nil
}

// OrphanAuthSteps counts the authentication-detail rows whose sign-in was never loaded.
func (d *DB) OrphanAuthSteps(ctx context.Context) (int64, error) {
	return countOrphanSteps(ctx, d.SQL)
}

// countOrphanSteps is OrphanAuthSteps on q: the database, or the load's connection inside
// its transaction.
func countOrphanSteps(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM signin_auth_steps WHERE signin_key IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("count unlinked auth details: %w", err)
	}
	return n, nil
}

func readSources(ctx context.Context, db *sql.DB) ([]*FileResult, error) {
	rows, err := db.QueryContext(ctx, `SELECT source_id, path, coalesce(bytes, 0), coalesce(sha256, ''), coalesce(format, ''),
		coalesce(detection, ''), coalesce(encoding, ''), coalesce(log_types::VARCHAR, '{}'), coalesce(records, 0), coalesce(loaded, 0),
		coalesce(versions, 0), coalesce(duplicates, 0), coalesce(rejected, 0), coalesce(skipped, 0), coalesce(skipped_categories::VARCHAR, '{}'),
		first_event, last_event, coalesce(to_json(unavailable_fields)::VARCHAR, '[]'), coalesce(to_json(notes)::VARCHAR, '[]')
		FROM sources ORDER BY source_id`)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	defer rows.Close()
	var out []*FileResult
	for rows.Next() {
		f := &FileResult{Problems: []ProblemJSON{}}
		var lt, skipped, unavailable, notes string
		var first, last sql.NullTime
		if err := rows.Scan(&f.SourceID, &f.Path, &f.Bytes, &f.SHA256, &f.Format, &f.Detection, &f.Encoding, &lt,
			&f.Records, &f.Loaded, &f.Versions, &f.Duplicates, &f.Rejected, &f.Skipped, &skipped, &first, &last, &unavailable, &notes); err != nil {
			return nil, fmt.Errorf("read sources: %w", err)
		}
		for _, x := range []struct {
			text string
			dst  any
		}{{lt, &f.LogTypes}, {skipped, &f.SkippedCategories}, {unavailable, &f.Unavailable}, {notes, &f.Notes}} {
			if err := json.Unmarshal([]byte(x.text), x.dst); err != nil {
				return nil, fmt.Errorf("read sources: %s: %w", f.Path, err)
			}
		}
		if len(f.SkippedCategories) == 0 {
			f.SkippedCategories = nil
		}
		if first.Valid {
			t1, t2 := first.Time.UTC(), last.Time.UTC()
			f.First, f.Last = &t1, &t2
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	return out, nil
}

// readProblems adds to each file of byID its first limit load problems.
func readProblems(ctx context.Context, db *sql.DB, limit int, byID map[int]*FileResult) error {
	rows, err := db.QueryContext(ctx, `SELECT source_id, coalesce(line, 0), coalesce(record, 0), coalesce(field, ''), coalesce(reason, ''),
		coalesce(excerpt, ''), count(*) OVER (PARTITION BY source_id) AS n
		FROM load_problems
		QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY coalesce(line, 0), coalesce(record, 0), coalesce(byte_offset, 0), reason) <= ?
		ORDER BY source_id, coalesce(line, 0), coalesce(record, 0), coalesce(byte_offset, 0), reason`, limit)
	if err != nil {
		return fmt.Errorf("read load problems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var p ProblemJSON
		var n int64
		if err := rows.Scan(&id, &p.Line, &p.Record, &p.Field, &p.Reason, &p.Excerpt, &n); err != nil {
			return fmt.Errorf("read load problems: %w", err)
		}
		if f := byID[id]; f != nil {
			f.Problems = append(f.Problems, p)
			f.ProblemsOmitted = n - int64(len(f.Problems))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read load problems: %w", err)
	}
	return nil
}
