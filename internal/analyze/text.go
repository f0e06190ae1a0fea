package analyze

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FormatTime renders a time for display in loc: RFC 3339 with seconds (fractions kept
// when present).
func FormatTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05.000Z07:00")
	}
	return t.Format(time.RFC3339)
}

// Text renders a value as display text.
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

// Thousands writes n with comma separators (100,000), as the report's sentences do.
func Thousands(n int64) string { return thousands(n) }

// ColumnIndex finds the first column of t named one of names (any case), or -1.
func ColumnIndex(t *Table, names ...string) int { return col(t, names...) }

// AsInt reads a whole number from a table value (int64, or a float64 without fraction).
func AsInt(v any) (int64, bool) { return asInt(v) }
