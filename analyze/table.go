// Package analyze runs the query catalogue and detections over a loaded database and
// builds one neutral result model (Report, Section, Table, Finding). Package report
// renders it (text, CSV, JSON, Markdown, Excel); no writer queries the database itself.
package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Column is one output column.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // DuckDB type name (VARCHAR, BIGINT, TIMESTAMP WITH TIME ZONE, ...)
}

// Table is a query result: named, typed columns and rows of Go values (string, int64,
// float64, bool, time.Time, []any, nil).
type Table struct {
	Name    string   `json:"name,omitempty"`
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Scan reads rows into a Table, normalizing driver values to the model's types.
func Scan(rows *sql.Rows) (*Table, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	t := &Table{Rows: [][]any{}}
	for _, c := range cols {
		t.Columns = append(t.Columns, Column{Name: c.Name(), Type: c.DatabaseTypeName()})
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read row: %w", err)
		}
		for i, v := range vals {
			vals[i] = normalize(v)
		}
		t.Rows = append(t.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read rows: %w", err)
	}
	return t, nil
}

// Query runs a statement with bound arguments and returns its result.
func Query(ctx context.Context, db *sql.DB, query string, args ...any) (*Table, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return Scan(rows)
}

func normalize(v any) any {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case int:
		return int64(x)
	case float32:
		return float64(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case duckdb.Decimal:
		return x.Float64()
	case time.Time:
		return x.UTC()
	case []byte:
		return string(x)
	case duckdb.UUID:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d µs", x.Months, x.Days, x.Micros)
	}
	return v
}
