package queries

import (
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/signinlens/signinlens/internal/words"
)

// Line runs the summary's template over q's result t, which ran with b; times in loc.
func (s *Summary) Line(q *Query, t *Table, b Bound, loc *time.Location) (string, error) {
	if loc == nil {
		loc = time.UTC
	}
	tmpl, err := s.tmpl.Clone()
	if err != nil {
		return "", fmt.Errorf("summary of %s: %w", q.ID, err)
	}
	var out strings.Builder
	err = tmpl.Funcs(summaryFuncs(&summaryData{q: q, t: t, b: b, loc: loc})).Execute(&out, nil)
	if err != nil {
		return "", fmt.Errorf("summary of %s: %w", q.ID, err)
	}
	return out.String(), nil
}

// summaryData is what a summary template reads: one query's result.
type summaryData struct {
	q   *Query
	t   *Table
	b   Bound
	loc *time.Location
}

func (d *summaryData) col(name string) (int, error) {
	for i, c := range d.t.Columns {
		if strings.EqualFold(c.Name, name) {
			return i, nil
		}
	}
	return -1, fmt.Errorf("the result has no column %s", name)
}

func (d *summaryData) row(i int) map[string]any {
	if i >= len(d.t.Rows) {
		return nil
	}
	m := make(map[string]any, len(d.t.Columns))
	for j, c := range d.t.Columns {
		m[c.Name] = d.t.Rows[i][j]
	}
	return m
}

// summaryFuncs are the template functions over d; nil d gives the names for parsing.
func summaryFuncs(d *summaryData) template.FuncMap {
	return template.FuncMap{
		"rows": func() []map[string]any {
			out := make([]map[string]any, len(d.t.Rows))
			for i := range d.t.Rows {
				out[i] = d.row(i)
			}
			return out
		},
		"first":  func() map[string]any { return d.row(0) },
		"second": func() map[string]any { return d.row(1) },
		"busiest": func(name string) (map[string]any, error) {
			c, err := d.col(name)
			if err != nil {
				return nil, err
			}
			best, most := -1, int64(0)
			for i, r := range d.t.Rows {
				if v, _ := asInt(r[c]); v > most {
					best, most = i, v
				}
			}
			if best < 0 {
				return nil, nil
			}
			return d.row(best), nil
		},
		"sum": func(name string) (int64, error) {
			c, err := d.col(name)
			if err != nil {
				return 0, err
			}
			var n int64
			for _, r := range d.t.Rows {
				v, ok := asInt(r[c])
				if !ok && r[c] != nil {
					return 0, fmt.Errorf("column %s holds %v, not a whole number", name, r[c])
				}
				n += v
			}
			return n, nil
		},
		"distinct": func(name string) (int64, error) { return d.distinct(name, "", "") },
		"distinctWhere": func(name, where, is string) (int64, error) {
			return d.distinct(name, where, is)
		},
		"window":    func() string { return DescribeWindow(d.b, d.loc) },
		"title":     func() string { return d.q.Title },
		"plural":    func(n any, one, many string) string { v, _ := asInt(n); return words.Plural(v, one, many) },
		"thousands": func(n any) string { v, _ := asInt(n); return words.Thousands(v) },
		"percent": func(part, whole any) string {
			p, _ := asInt(part)
			w, _ := asInt(whole)
			if w == 0 {
				return ""
			}
			return fmt.Sprintf(" (%.0f%%)", 100*float64(p)/float64(w))
		},
		"text":    func(v any) string { return Text(v, d.loc) },
		"trimdot": func(v any) string { return strings.TrimSuffix(Text(v, d.loc), ".") },
	}
}

// distinct counts the distinct non-empty values of column name, only in rows whose column
// where reads is when where is given.
func (d *summaryData) distinct(name, where, is string) (int64, error) {
	c, err := d.col(name)
	if err != nil {
		return 0, err
	}
	w := -1
	if where != "" {
		if w, err = d.col(where); err != nil {
			return 0, err
		}
	}
	seen := map[string]bool{}
	for _, r := range d.t.Rows {
		if w >= 0 && Text(r[w], time.UTC) != is {
			continue
		}
		if v := Text(r[c], time.UTC); v != "" {
			seen[v] = true
		}
	}
	return int64(len(seen)), nil
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), x == float64(int64(x))
	}
	return 0, false
}

// DescribeWindow says in words which events a result covers, times in loc.
func DescribeWindow(b Bound, loc *time.Location) string {
	end := b.Until.In(loc).Format("2006-01-02 15:04 MST")
	if b.Since.IsZero() {
		return "all events up to " + end
	}
	d := b.Until.Sub(b.Since)
	switch {
	case d == 24*time.Hour:
		return "the 24 hours ending " + end
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("the %d days ending %s", d/(24*time.Hour), end)
	case d%time.Hour == 0:
		return fmt.Sprintf("the %d hours ending %s", d/time.Hour, end)
	}
	return "events after " + b.Since.In(loc).Format("2006-01-02 15:04 MST") + " up to " + end
}
