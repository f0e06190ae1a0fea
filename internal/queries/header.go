package queries

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

// logTypes are the four sign-in logs, as signins.log_type names them.
var logTypes = [...]string{"interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"}

// otherLogs are the logs beside the sign-ins that a query may read (tables audits and
// provisioning, through audit_scoped() and provisioning_scoped()).
var otherLogs = [...]string{"audit", "provisioning"}

// parseLogTypes reads a log-types: value: "all" (the four sign-in logs), or some of the four
// log types and the other logs (audit, provisioning) joined by commas. The result is
// sorted; nil stands for all four sign-in logs.
func parseLogTypes(val string) ([]string, error) {
	if strings.TrimSpace(val) == "all" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(val, ",") {
		f = strings.TrimSpace(f)
		known := false
		for _, lt := range append(logTypes[:], otherLogs[:]...) {
			known = known || f == lt
		}
		if !known {
			return nil, fmt.Errorf("log-types wants all or some of %s, %s, got %q", strings.Join(logTypes[:], ", "), strings.Join(otherLogs[:], ", "), f)
		}
		if seen[f] {
			return nil, fmt.Errorf("log-types names %s twice", f)
		}
		seen[f] = true
		out = append(out, f)
	}
	signIns := 0
	for _, f := range out {
		for _, lt := range logTypes {
			if f == lt {
				signIns++
			}
		}
	}
	if signIns == len(logTypes) && len(out) == len(logTypes) {
		return nil, fmt.Errorf("log-types names all four log types: write all")
	}
	sort.Strings(out)
	return out, nil
}

// Chart is a top-N bar chart drawn from a query's table: the first rows' Value by Category.
type Chart struct {
	Rank     int    // place among the catalogue's charts, from 1
	Title    string // the chart's title
	Category string // column naming each bar
	Value    string // column giving its length
	Describe string // optional column appended to the category label
	AddUp    bool   // rows with the same category are added up (the value must be additive)
	line     int
}

var chartOption = regexp.MustCompile(`^(rank|category|value|describe)=(\S+)$|^add-up$`)

// parseChart reads "rank=N category=COL value=COL [describe=COL] [add-up] | title".
func parseChart(val string) (*Chart, error) {
	const want = "chart wants 'rank=N category=COLUMN value=COLUMN [describe=COLUMN] [add-up] | title'"
	opts, title, ok := strings.Cut(val, "|")
	title = strings.TrimSpace(title)
	if !ok || title == "" {
		return nil, fmt.Errorf("%s", want)
	}
	c := &Chart{Title: title}
	for _, o := range strings.Fields(opts) {
		m := chartOption.FindStringSubmatch(o)
		switch {
		case m == nil:
			return nil, fmt.Errorf("%s; %q is none of these", want, o)
		case o == "add-up":
			c.AddUp = true
		case m[1] == "rank":
			n, err := strconv.Atoi(m[2])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("chart rank %q: want a whole number from 1", m[2])
			}
			c.Rank = n
		case m[1] == "category":
			c.Category = m[2]
		case m[1] == "value":
			c.Value = m[2]
		case m[1] == "describe":
			c.Describe = m[2]
		}
	}
	if c.Rank == 0 || c.Category == "" || c.Value == "" {
		return nil, fmt.Errorf("%s", want)
	}
	return c, nil
}

// Summary is a query's one-line answer on the report's Summary: a text/template over its
// result. Functions: rows, first, second (rows as maps by column name; first and second
// are empty when missing), busiest "col" (the row with the largest positive col), sum
// "col", distinct "col", distinctWhere "col" "where" "value", window (the window in
// words), title, plural N "one" "many", thousands N, percent PART WHOLE (" (42%)"), text
// V (a value as plain text), trimdot V (text without a final period).
type Summary struct {
	Rank     int // place among the Summary's lines, from 1
	Template string
	tmpl     *template.Template
	columns  []string // columns the template names, checked against the column lines
	line     int
}

var (
	summaryRank   = regexp.MustCompile(`^rank=(\d+)\s*\|\s*`)
	summaryFields = regexp.MustCompile(`\.([a-z_][a-z0-9_]*)|(?:sum|distinct|distinctWhere|busiest) "([a-z_][a-z0-9_]*)"(?: "([a-z_][a-z0-9_]*)")?`)
)

// parseSummary reads "rank=N | template".
func parseSummary(val string) (*Summary, error) {
	m := summaryRank.FindStringSubmatch(val)
	if m == nil {
		return nil, fmt.Errorf("summary wants 'rank=N | template'")
	}
	rank, err := strconv.Atoi(m[1])
	if err != nil || rank < 1 {
		return nil, fmt.Errorf("summary rank %q: want a whole number from 1", m[1])
	}
	s := &Summary{Rank: rank, Template: strings.TrimSpace(val[len(m[0]):])}
	s.tmpl, err = template.New("summary").Option("missingkey=error").Funcs(summaryFuncs(nil)).Parse(s.Template)
	if err != nil {
		return nil, fmt.Errorf("summary template: %w", err)
	}
	seen := map[string]bool{}
	for _, f := range summaryFields.FindAllStringSubmatch(s.Template, -1) {
		for _, c := range f[1:] {
			if c != "" && !seen[c] {
				seen[c] = true
				s.columns = append(s.columns, c)
			}
		}
	}
	return s, nil
}

// checkRanks makes sure no two charts and no two summaries claim one place.
func checkRanks(all []*Query) error {
	charts, summaries := map[int]string{}, map[int]string{}
	for _, q := range all {
		if c := q.Chart; c != nil {
			if other, dup := charts[c.Rank]; dup {
				return fmt.Errorf("%s:%d: chart rank %d is taken by %s", q.File, c.line, c.Rank, other)
			}
			charts[c.Rank] = q.ID
		}
		if s := q.Summary; s != nil {
			if other, dup := summaries[s.Rank]; dup {
				return fmt.Errorf("%s:%d: summary rank %d is taken by %s", q.File, s.line, s.Rank, other)
			}
			summaries[s.Rank] = q.ID
		}
	}
	return nil
}

// Charts returns the queries that feed a chart, in chart order.
func Charts() ([]*Query, error) {
	return ranked(func(q *Query) int {
		if q.Chart == nil {
			return 0
		}
		return q.Chart.Rank
	})
}

// Summarized returns the queries that answer a Summary line, in the Summary's order.
func Summarized() ([]*Query, error) {
	return ranked(func(q *Query) int {
		if q.Summary == nil {
			return 0
		}
		return q.Summary.Rank
	})
}

func ranked(rank func(*Query) int) ([]*Query, error) {
	all, err := load()
	if err != nil {
		return nil, err
	}
	var out []*Query
	for _, q := range all {
		if rank(q) > 0 {
			out = append(out, q)
		}
	}
	sort.Slice(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out, nil
}
