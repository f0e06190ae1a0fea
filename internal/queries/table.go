package queries

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
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
			vals[i] = Normalize(v)
		}
		t.Rows = append(t.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read rows: %w", err)
	}
	return t, nil
}

// Select runs a statement with bound arguments and returns its result.
func Select(ctx context.Context, db *sql.DB, query string, args ...any) (*Table, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return Scan(rows)
}

// Normalize turns a driver value into one of the model's types (see Table).
func Normalize(v any) any {
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
			out[i] = Normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Normalize(e)
		}
		return out
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d µs", x.Months, x.Days, x.Micros)
	}
	return v
}

// FormatTime writes t in loc as RFC 3339, with milliseconds only when it has them.
func FormatTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05.000Z07:00")
	}
	return t.Format(time.RFC3339)
}

// Text is the plain text of a model value: times in loc, lists joined by ", ", NaN empty.
func Text(v any, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return FormatTime(x, loc)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Text(e, loc)
		}
		return strings.Join(parts, ", ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
