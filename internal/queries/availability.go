package queries

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/signinlens/signinlens/internal/loaders"
)

// Gap is what the loaded exports could not carry for one query: the fields of its
// requires: header that some file's format lacks (sources.unavailable_fields).
type Gap struct {
	Query   string
	Missing []string // required fields that at least one file could not carry
	Formats []string // the formats of those files, as people call them ("Entra admin center download, CSV")
	Lacking int      // files that loaded sign-ins but lack a field of Missing
	Files   int      // files that loaded sign-ins
}

// Answerable reports whether any file carries every required field.
func (g Gap) Answerable() bool { return g.Lacking < g.Files || g.Files == 0 }

// Partial reports that some files lack a field and others carry them all: the answer
// covers only the latter.
func (g Gap) Partial() bool { return len(g.Missing) > 0 && g.Answerable() }

// Message says in one line what is missing and what it means for the query; "" when
// nothing is missing.
func (g Gap) Message() string {
	if len(g.Missing) == 0 {
		return ""
	}
	what := describeFields(g.Missing)
	formats := strings.Join(g.Formats, ", ")
	if !g.Answerable() {
		return fmt.Sprintf("%s not available in this export (%s): %s cannot be answered from it", what, formats, g.Query)
	}
	rest := "the other file"
	if n := g.Files - g.Lacking; n > 1 {
		rest = fmt.Sprintf("the other %d files", n)
	}
	return fmt.Sprintf("%s not available in %d of %d files (%s): %s answers from %s only", what, g.Lacking, g.Files, formats, g.Query, rest)
}

// fieldGroups name related fields together in messages.
var fieldGroups = []struct {
	match func(string) bool
	name  string
}{
	{func(f string) bool { return strings.HasPrefix(f, "risk_") }, "risk fields"},
	{func(f string) bool { return f == "ca_policies" }, "per-policy Conditional Access results"},
	{func(f string) bool { return f == "auth_steps" }, "authentication details"},
}

func describeFields(fields []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, f := range fields {
		name := f
		for _, g := range fieldGroups {
			if g.match(f) {
				name = g.name
				break
			}
		}
		if !seen[name] {
			seen[name] = true
			parts = append(parts, name)
		}
	}
	verb := "is"
	if len(parts) > 1 || strings.HasSuffix(parts[0], "s") {
		verb = "are"
	}
	return strings.Join(parts, ", ") + " " + verb
}

// TableField names the table a requires: name (or sources.unavailable_fields name) stands
// for when it is a whole table joined to signins rather than one of its columns.
func TableField(field string) (table string, ok bool) {
	switch field {
	case "ca_policies":
		return "signin_ca_policies", true
	case "auth_steps":
		return "signin_auth_steps", true
	}
	return "", false
}

// CheckAvailability compares q's requires: header with sources.unavailable_fields of every
// file that loaded sign-ins of the log types q reads (its log-types: header), so that a user sign-in file is not blamed for lacking service principal
// fields. Authentication details and Conditional Access policies that a format cannot
// carry still count as present for a file when another file supplied them for its
// sign-ins (an admin-center AuthDetails file beside the sign-ins file).
func CheckAvailability(ctx context.Context, db *sql.DB, q *Query) (Gap, error) {
	src, err := ReadSources(ctx, db)
	if err != nil {
		return Gap{Query: q.ID}, err
	}
	return src.Check(ctx, db, q)
}

// Sources is what CheckAvailability reads about the loaded files, read once: every file
// that loaded sign-ins, with its format, the fields it cannot carry and the log types of
// its sign-ins. A report checks every catalogue entry against one Sources (the tables do
// not change while it runs) instead of scanning the sign-ins once per entry.
type Sources struct {
	files []sourceFile
}

type sourceFile struct {
	id          int64
	format      string
	unavailable []string
	logTypes    map[string]bool
}

// ReadSources reads the loaded files for Check. It is safe to share between goroutines.
func ReadSources(ctx context.Context, db *sql.DB) (*Sources, error) {
	rows, err := db.QueryContext(ctx, `SELECT src.source_id, coalesce(src.format, ''), coalesce(src.unavailable_fields, []::VARCHAR[]), s.log_type
		FROM sources AS src JOIN (SELECT DISTINCT source_id, log_type FROM signins) AS s ON s.source_id = src.source_id
		ORDER BY src.source_id, s.log_type`)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	defer rows.Close()
	out := &Sources{}
	for rows.Next() {
		var id int64
		var format string
		var un any
		var logType sql.NullString
		if err := rows.Scan(&id, &format, &un, &logType); err != nil {
			return nil, fmt.Errorf("read sources: %w", err)
		}
		if n := len(out.files); n == 0 || out.files[n-1].id != id {
			f := sourceFile{id: id, format: format, logTypes: map[string]bool{}}
			list, _ := un.([]any)
			for _, v := range list {
				if s, ok := v.(string); ok {
					f.unavailable = append(f.unavailable, s)
				}
			}
			out.files = append(out.files, f)
		}
		out.files[len(out.files)-1].logTypes[logType.String] = logType.Valid
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	return out, nil
}

// Check is CheckAvailability against the files src read; db answers whether another file
// supplied a child table's rows (see carries).
func (src *Sources) Check(ctx context.Context, db *sql.DB, q *Query) (Gap, error) {
	g := Gap{Query: q.ID}
	type file struct {
		id      int64
		format  string
		lacking []string
	}
	var files []file
	need := map[string]bool{}
	for _, f := range q.Requires {
		need[f] = true
	}
	for _, sf := range src.files {
		if len(q.LogTypes) > 0 {
			reads := false
			for _, lt := range q.LogTypes {
				reads = reads || sf.logTypes[lt]
			}
			if !reads {
				continue
			}
		}
		f := file{id: sf.id, format: sf.format}
		for _, s := range sf.unavailable {
			if need[s] {
				f.lacking = append(f.lacking, s)
			}
		}
		files = append(files, f)
	}
	g.Files = len(files)
	missing := map[string]bool{}
	formats := map[string]bool{}
	for _, f := range files {
		lacks := false
		for _, field := range f.lacking {
			has, err := carries(ctx, db, f.id, field)
			if err != nil {
				return g, err
			}
			if !has {
				lacks = true
				missing[field] = true
			}
		}
		if lacks {
			g.Lacking++
			formats[f.format] = true
		}
	}
	for _, f := range q.Requires {
		if missing[f] {
			g.Missing = append(g.Missing, f)
		}
	}
	for f := range formats {
		g.Formats = append(g.Formats, formatLabel(f))
	}
	sort.Strings(g.Formats)
	return g, nil
}

// Availability is CheckAvailability in short: the required fields some file lacks, and
// whether the query can still be answered from the other files.
func Availability(ctx context.Context, db *sql.DB, q *Query) (missing []string, partial bool, err error) {
	g, err := CheckAvailability(ctx, db, q)
	return g.Missing, g.Partial(), err
}

// carries reports whether another file supplied what a file's format cannot carry: only
// child tables can be filled that way (an AuthDetails file's steps joined to the sign-ins
// of the file beside it). A column the format lacks is never filled.
func carries(ctx context.Context, db *sql.DB, sourceID int64, field string) (bool, error) {
	table, ok := TableField(field)
	if !ok {
		return false, nil
	}
	query := `SELECT EXISTS (SELECT 1 FROM ` + table + ` t JOIN signins s ON s.signin_key = t.signin_key WHERE s.source_id = ?)`
	var has bool
	if err := db.QueryRowContext(ctx, query, sourceID).Scan(&has); err != nil {
		return false, fmt.Errorf("check %s in source %d: %w", field, sourceID, err)
	}
	return has, nil
}

// formatLabel is the short title of a loader format: its title up to the first
// parenthesis, else its name.
func formatLabel(name string) string {
	for _, f := range loaders.Formats() {
		if f.Name == name {
			if t, _, _ := strings.Cut(f.Title, " ("); t != "" {
				return t
			}
		}
	}
	return name
}
