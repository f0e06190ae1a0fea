package analyze

import (
	"time"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/words"
)

// FormatTime renders a time for display in loc: RFC 3339 with seconds (fractions kept
// when present). It is the catalogue's rule, so tables and the report agree.
func FormatTime(t time.Time, loc *time.Location) string { return queries.FormatTime(t, loc) }

// Text renders a value as display text: times in loc, lists joined by ", ", NaN empty.
func Text(v any, loc *time.Location) string { return queries.Text(v, loc) }

// Thousands writes n with comma separators (100,000), as the report's sentences do.
func Thousands(n int64) string { return words.Thousands(n) }

// ColumnIndex finds the first column of t named one of names (any case), or -1.
func ColumnIndex(t *Table, names ...string) int { return col(t, names...) }

// AsInt reads a whole number from a table value (int64, or a float64 without fraction).
func AsInt(v any) (int64, bool) { return asInt(v) }
