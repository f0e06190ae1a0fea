// Package queries is the catalogue of canned SQL: the questions auditors ask, Microsoft's
// online views and the detections, one .sql file each, with a strict metadata header.
// The files are embedded in the binary and parsed once; a malformed header is an error.
// The package also runs them: it binds parameters and windows (bind.go), prepares a
// database (run.go), checks what the loaded exports can answer (availability.go), and
// turns detection rows into findings (detect.go), so its tests need nothing above it.
package queries

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

//go:embed questions/*.sql detections/*.sql
var files embed.FS

// folderKind is the kind of the entries in a folder ("" for any other folder): the folder
// decides, and a kind: header that says otherwise is an error.
func folderKind(dir string) string {
	switch dir {
	case "questions":
		return "query"
	case "detections":
		return "detection"
	}
	return ""
}

// Param is a named parameter with its default, bound when the query runs.
type Param struct {
	Name    string // used in SQL as $name
	Type    string // integer, number, text, duration, boolean
	Default string
	Doc     string
}

// OutCol is one output column, from a "-- column: name kind | meaning" line.
type OutCol struct {
	Name string
	// Kind says how writers show the values: text, integer (with thousands separators),
	// code (a whole number shown as it is: error codes, line numbers), number, percent (the
	// SQL writes 95.3 for 95.3%), time (an instant, shown in the display zone), day (a
	// YYYY-MM-DD calendar day in UTC), boolean, or list (values joined by ", ").
	Kind string
	Doc  string
}

// Query is one catalogue entry.
type Query struct {
	ID       string
	Kind     string // "query" or "detection"
	Title    string
	Question string // the question it answers, in plain words
	Window   string // default window ending at as-of: "24h", "7d", "all" (the whole export)
	Severity string // detections: low, medium or high
	Mitre    string // detections: ATT&CK technique ids
	Anchor   string // detections: the SIEM rule it follows
	Mirrors  string // the Microsoft view it mirrors, if any
	Requires []string
	// LogTypes are the sign-in log types the query reads (log-types: header), with "audit"
	// and "provisioning" for the other logs; nil when it reads all four sign-in logs.
	// Availability checks only blame files holding these sign-in log types.
	LogTypes []string
	// AfterDetections says the query reads the findings of the detections (after:
	// detections header): the tables findings and finding_evidence that StoreFindings
	// fills, so it runs once the detections have.
	AfterDetections bool
	// NeedsFilter is the standard filter (user, app or ip) without which the query returns
	// nothing (needs-filter: header); "" when it runs unfiltered.
	NeedsFilter string
	// NeedsInput is the optional input without which a detection is not run at all
	// (needs-input: header): "intel" for the --intel indicator file; "" for none.
	NeedsInput string
	// Notes are statements (note: headers) whose rows, one text column each, are printed
	// under the query's table; they read the same bound parameters as the query.
	Notes []string
	// Chart is the top-N chart the query feeds (chart: header), nil when none.
	Chart *Chart
	// Summary is the Summary sheet's one-line answer drawn from the result (summary:
	// header), nil when the query has none; see Summary.Line.
	Summary    *Summary
	Params     []Param
	Columns    []OutCol
	References []string
	SQL        string
	File       string
}

var (
	idPattern    = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	paramPattern = regexp.MustCompile(`^([a-z_][a-z0-9_]*)\s+(integer|number|text|duration|boolean)\s+("[^"]*"|\S+)\s*\|\s*(.+)$`)
	colPattern   = regexp.MustCompile(`^([a-z_][a-z0-9_]*)\s+(text|integer|code|number|percent|time|day|boolean|list)\s*\|\s*(.+)$`)
)

// severities in ascending order.
var severities = [...]string{"low", "medium", "high"}

// Severities returns the severities in ascending order (a new slice each call).
func Severities() []string { return append([]string(nil), severities[:]...) }

// Parse reads one query file: a header of "-- key: value" lines, then the SQL. name is the
// file's path in the catalogue ("detections/password-spray.sql"): its folder gives the
// kind; a name without a folder must say kind: in the header.
//
// Keys: id, title, question, window (required); log-types (required: all, or the log
// types read, comma-separated); column (required, repeated: "name kind | meaning", kinds
// as OutCol.Kind); param (repeated: "name type default | meaning", a default holding spaces
// in double quotes); requires (the signins fields it needs); after (detections: it reads
// the findings, see StoreFindings); needs-filter (user, app or ip); needs-input (intel: run
// only with an --intel file); note (repeated: a SELECT printed
// under the table); chart ("rank=N category=COL value=COL [describe=COL] [add-up] |
// title"); summary ("rank=N | template", see Summary); mirrors; reference (repeated);
// and for detections severity, mitre and anchor. Every error names file:line.
func Parse(name, text string) (*Query, error) {
	q := &Query{File: name}
	dir, base := path.Split(name)
	folder := folderKind(strings.TrimSuffix(dir, "/"))
	if dir != "" && folder == "" {
		return nil, fmt.Errorf("%s:1: a catalogue file lives in questions/ or detections/", name)
	}
	lines := strings.Split(text, "\n")
	i := 0
	var errs []string
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	seen := map[string]bool{}
	for ; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !strings.HasPrefix(l, "-- ") {
			break
		}
		key, val, ok := strings.Cut(strings.TrimPrefix(l, "-- "), ":")
		if !ok {
			fail(i+1, "header line without 'key:'")
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		single := func(dst *string) {
			if seen[key] {
				fail(i+1, "%s given twice", key)
			}
			*dst = val
		}
		switch key {
		case "id":
			single(&q.ID)
		case "kind":
			single(&q.Kind)
			if folder != "" && q.Kind != folder {
				fail(i+1, "kind %s contradicts the folder %s, which holds %ss", q.Kind, dir, folder)
			}
		case "title":
			single(&q.Title)
		case "question":
			single(&q.Question)
		case "window":
			single(&q.Window)
		case "severity":
			single(&q.Severity)
		case "mitre":
			single(&q.Mitre)
		case "anchor":
			single(&q.Anchor)
		case "mirrors":
			single(&q.Mirrors)
		case "requires":
			for _, f := range strings.Split(val, ",") {
				if f = strings.TrimSpace(f); f != "" {
					q.Requires = append(q.Requires, f)
				}
			}
		case "param":
			m := paramPattern.FindStringSubmatch(val)
			if m == nil {
				fail(i+1, "param wants 'name type default | meaning' with type integer, number, text, duration or boolean")
				continue
			}
			def := m[3]
			if len(def) >= 2 && def[0] == '"' {
				def = def[1 : len(def)-1] // a default with spaces is written in double quotes
			}
			q.Params = append(q.Params, Param{Name: m[1], Type: m[2], Default: def, Doc: m[4]})
		case "column":
			m := colPattern.FindStringSubmatch(val)
			if m == nil {
				fail(i+1, "column wants 'name kind | meaning' with kind text, integer, code, number, percent, time, day, boolean or list")
				continue
			}
			q.Columns = append(q.Columns, OutCol{Name: m[1], Kind: m[2], Doc: m[3]})
		case "log-types":
			if seen[key] {
				fail(i+1, "%s given twice", key)
			}
			lt, err := parseLogTypes(val)
			if err != nil {
				fail(i+1, "%v", err)
			}
			q.LogTypes = lt
		case "after":
			if seen[key] {
				fail(i+1, "%s given twice", key)
			}
			if val != "detections" {
				fail(i+1, "after wants detections (the query reads the findings tables)")
			}
			q.AfterDetections = true
		case "needs-filter":
			single(&q.NeedsFilter)
			if val != "user" && val != "app" && val != "ip" {
				fail(i+1, "needs-filter must be user, app or ip")
			}
		case "needs-input":
			single(&q.NeedsInput)
			if val != "intel" {
				fail(i+1, "needs-input must be intel")
			}
		case "note":
			if !strings.HasPrefix(strings.ToUpper(val), "SELECT ") {
				fail(i+1, "note wants one SELECT statement returning one text column")
				continue
			}
			q.Notes = append(q.Notes, val)
		case "chart":
			if seen[key] {
				fail(i+1, "%s given twice", key)
			}
			c, err := parseChart(val)
			if err != nil {
				fail(i+1, "%v", err)
				continue
			}
			c.line = i + 1
			q.Chart = c
		case "summary":
			if seen[key] {
				fail(i+1, "%s given twice", key)
			}
			sm, err := parseSummary(val)
			if err != nil {
				fail(i+1, "%v", err)
				continue
			}
			sm.line = i + 1
			q.Summary = sm
		case "reference":
			q.References = append(q.References, val)
		default:
			fail(i+1, "unknown header key %q", key)
		}
		seen[key] = true
	}
	q.SQL = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	if !idPattern.MatchString(q.ID) {
		fail(1, "id %q must be lower-case words joined by '-'", q.ID)
	}
	if q.Kind == "" {
		q.Kind = folder
	}
	if want := q.ID + ".sql"; base != want {
		fail(1, "file name must be %s", want)
	}
	if q.Kind != "query" && q.Kind != "detection" {
		fail(1, "kind must be query or detection")
	}
	if q.Title == "" || q.Question == "" {
		fail(1, "title and question are required")
	}
	if q.Window == "" {
		fail(1, "window is required (24h, 7d, all, ...)")
	}
	if len(q.Columns) == 0 {
		fail(1, "at least one column line is required")
	}
	if !seen["log-types"] {
		fail(1, "log-types is required (all, or the log types the query reads)")
	}
	if q.Chart != nil {
		for _, c := range []string{q.Chart.Category, q.Chart.Value, q.Chart.Describe} {
			if c != "" && !q.hasColumn(c) {
				fail(q.Chart.line, "chart names column %s, which is not among the column lines", c)
			}
		}
	}
	if q.Summary != nil {
		for _, c := range q.Summary.columns {
			if !q.hasColumn(c) {
				fail(q.Summary.line, "summary names column %s, which is not among the column lines", c)
			}
		}
	}
	if q.Kind == "detection" {
		ok := false
		for _, s := range severities {
			ok = ok || q.Severity == s
		}
		if !ok {
			fail(1, "a detection needs severity low, medium or high")
		}
	}
	if q.SQL == "" {
		fail(len(lines), "no SQL after the header")
	}
	if !strings.Contains(strings.ToUpper(q.SQL), "ORDER BY") {
		fail(len(lines), "the SQL must end its result with an explicit ORDER BY")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return q, nil
}

func (q *Query) hasColumn(name string) bool {
	for _, c := range q.Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}

var load = sync.OnceValues(func() ([]*Query, error) {
	var names []string
	for _, dir := range []string{"questions", "detections"} {
		n, err := fs.Glob(files, dir+"/*.sql")
		if err != nil {
			return nil, err
		}
		names = append(names, n...)
	}
	var out []*Query
	var errs []string
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		q, err := Parse(n, string(b))
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		out = append(out, q)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("query catalogue:\n%s", strings.Join(errs, "\n"))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	for i := 1; i < len(out); i++ {
		if out[i].ID == out[i-1].ID {
			return nil, fmt.Errorf("query catalogue: %s and %s have the same id", out[i-1].File, out[i].File)
		}
	}
	if err := checkRanks(out); err != nil {
		return nil, fmt.Errorf("query catalogue: %w", err)
	}
	return out, nil
})

// All returns the catalogue sorted by id. The embedded files are checked by the package's
// tests, so an error here means a broken build.
func All() ([]*Query, error) { return load() }

// Get returns one entry by id.
func Get(id string) (*Query, bool) {
	all, err := load()
	if err != nil {
		return nil, false
	}
	for _, q := range all {
		if q.ID == id {
			return q, true
		}
	}
	return nil, false
}

// OfKind returns the entries of one kind, sorted by id.
func OfKind(kind string) ([]*Query, error) {
	all, err := load()
	if err != nil {
		return nil, err
	}
	var out []*Query
	for _, q := range all {
		if q.Kind == kind {
			out = append(out, q)
		}
	}
	return out, nil
}
