package analyze

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/signinlens/signinlens/store"
)

// MarkdownRows caps each query table in the Markdown report; the workbook has them all.
const MarkdownRows = 25

// WriteMarkdown renders the Summary, the findings and every query's first rows. Text from
// the export is escaped so it can neither break a table nor become a link or HTML.
func WriteMarkdown(ctx context.Context, w io.Writer, r *Report) error {
	loc := r.Location()
	var b strings.Builder
	b.WriteString("# Sign-in log report\n\n")
	b.WriteString("| | |\n|---|---|\n")
	for _, kv := range summaryFacts(r) {
		fmt.Fprintf(&b, "| %s | %s |\n", kv[0], mdEscape(kv[1]))
	}
	b.WriteString("\n## Sign-ins by log type and outcome\n\n")
	mdTable(&b, countsTable(r), loc, 0)
	if len(r.Answers) > 0 {
		b.WriteString("\n## Answers\n\n")
		for _, a := range r.Answers {
			b.WriteString("- " + mdEscape(a) + "\n")
		}
	}
	if len(r.DetectionRuns) > 0 {
		b.WriteString("\n## Findings by severity\n\n")
		var parts []string
		for _, c := range r.SeverityCounts() {
			parts = append(parts, fmt.Sprintf("%s %d", c.Severity, c.Findings))
		}
		fmt.Fprintf(&b, "%s (%s)\n", strings.Join(parts, ", "), detectionsRan(r))
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n## Data-quality warnings\n\n")
		for _, x := range r.Warnings {
			b.WriteString("- " + mdEscape(x) + "\n")
		}
	}
	if len(r.Findings) > 0 {
		b.WriteString("\n## Findings\n\n")
		mdTable(&b, findingsTable(r), loc, 100)
	}
	for _, s := range r.Sections {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n## %s: %s\n\n", s.Query.ID, mdEscape(s.Query.Title))
		if s.Table == nil {
			fmt.Fprintf(&b, "%s Not run: %s.\n", mdEscape(s.Query.Question), mdEscape(s.Skipped))
			continue
		}
		fmt.Fprintf(&b, "%s Window: %s.", mdEscape(s.Query.Question), DescribeWindow(s.Bound, loc))
		if s.Unavailable != "" {
			fmt.Fprintf(&b, " **%s**", mdEscape(s.Unavailable))
		}
		b.WriteString("\n\n")
		mdTable(&b, s.Table, loc, MarkdownRows)
	}
	b.WriteString("\n## Sources\n\n")
	mdTable(&b, sourcesTable(r), loc, 0)
	var problems []string
	for _, f := range r.Sources {
		for _, p := range f.Problems {
			problems = append(problems, fmt.Sprintf("- %s: %s", mdEscape(ProblemPlace(f, p)), mdEscape(p.Reason)))
		}
		if f.ProblemsOmitted > 0 {
			problems = append(problems, fmt.Sprintf("- %s: %d more problems in the load_problems table", mdEscape(f.Path), f.ProblemsOmitted))
		}
	}
	if len(problems) > 0 {
		b.WriteString("\nRejected records:\n\n" + strings.Join(problems, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`, "`", "\\`",
	"*", `\*`, "_", `\_`, "\r\n", " ", "\n", " ", "\r", " ")

func mdEscape(s string) string { return mdEscaper.Replace(s) }

// mdTable writes t as a Markdown table; limit > 0 caps the rows.
func mdTable(b *strings.Builder, t *Table, loc *time.Location, limit int) {
	if t == nil {
		return
	}
	mdHeader(b, t.Columns)
	for i, r := range t.Rows {
		if limit > 0 && i == limit {
			fmt.Fprintf(b, "\n… %d more rows in the workbook (`-o report.xlsx`)\n", len(t.Rows)-limit)
			break
		}
		b.WriteString("|")
		for _, v := range r {
			b.WriteString(" " + mdEscape(cellText(v, loc)) + " |")
		}
		b.WriteString("\n")
	}
	if len(t.Rows) == 0 {
		b.WriteString("\n(no rows)\n")
	}
}

// summaryFacts are the "what was analysed" lines shared by the Summary writers.
func summaryFacts(r *Report) [][2]string {
	loc := r.Location()
	at := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	filters := "none"
	if len(r.Meta.Filters) > 0 {
		filters = strings.Join(r.Meta.Filters, "; ")
	}
	files := 0
	for _, f := range r.Sources {
		if f.Loaded > 0 {
			files++
		}
	}
	return [][2]string{
		{"Sign-ins analysed", fmt.Sprintf("%s from %d of %d input files", thousands(r.Meta.SignIns), files, len(r.Sources))},
		{"Time range", at(r.Meta.First) + " to " + at(r.Meta.Last)},
		{"As of", at(r.Meta.AsOf) + " (end of every window)"},
		{"Filters", filters},
		{"Times shown in", r.Meta.TimeZone},
		{"Database", r.Meta.Database},
		{"signinlens version", r.Meta.Version},
		{"Generated at", at(r.Meta.GeneratedAt)},
	}
}

func detectionsRan(r *Report) string {
	ran, skipped := 0, 0
	for _, d := range r.DetectionRuns {
		if d.Skipped != "" {
			skipped++
		} else {
			ran++
		}
	}
	s := fmt.Sprintf("%d detections ran", ran)
	if skipped > 0 {
		s += fmt.Sprintf(", %d could not run", skipped)
	}
	return s
}

// countsTable is the sign-ins per log type and outcome, with a total row.
func countsTable(r *Report) *Table {
	t := &Table{Name: "counts", Columns: []Column{{"log_type", "VARCHAR"}, {"sign_ins", "BIGINT"}, {"success", "BIGINT"},
		{"interrupted", "BIGINT"}, {"failure", "BIGINT"}}}
	var tot LogTypeCount
	for _, c := range r.Counts {
		t.Rows = append(t.Rows, []any{c.LogType, c.SignIns, c.Success, c.Interrupted, c.Failure})
		tot.SignIns += c.SignIns
		tot.Success += c.Success
		tot.Interrupted += c.Interrupted
		tot.Failure += c.Failure
	}
	t.Rows = append(t.Rows, []any{"total", tot.SignIns, tot.Success, tot.Interrupted, tot.Failure})
	return t
}

// findingsTable lists the findings, one row each.
func findingsTable(r *Report) *Table {
	t := &Table{Name: "findings", Columns: []Column{{"finding", "BIGINT"}, {"severity", "VARCHAR"}, {"detection", "VARCHAR"},
		{"title", "VARCHAR"}, {"user_principal_name", "VARCHAR"}, {"ip_address", "VARCHAR"}, {"service_principal_id", "VARCHAR"},
		{"first_seen", "TIMESTAMP WITH TIME ZONE"}, {"last_seen", "TIMESTAMP WITH TIME ZONE"}, {"events", "BIGINT"}, {"details", "VARCHAR"}}}
	for i, f := range r.Findings {
		t.Rows = append(t.Rows, []any{int64(i + 1), f.Severity, f.Detection, f.Title, f.UserPrincipalName, f.IPAddress,
			f.ServicePrincipalID, timeOrNil(f.FirstSeen), timeOrNil(f.LastSeen), f.Events, f.Details})
	}
	return t
}

// sourcesTable lists every input with its accounting.
func sourcesTable(r *Report) *Table {
	t := &Table{Name: "sources", Columns: []Column{{"source_id", "INTEGER"}, {"path", "VARCHAR"}, {"format", "VARCHAR"},
		{"log_types", "VARCHAR"}, {"sha256", "VARCHAR"}, {"bytes", "BIGINT"}, {"records", "BIGINT"}, {"loaded", "BIGINT"},
		{"duplicates", "BIGINT"}, {"rejected", "BIGINT"}, {"skipped", "BIGINT"}, {"first_event", "TIMESTAMP WITH TIME ZONE"},
		{"last_event", "TIMESTAMP WITH TIME ZONE"}, {"unavailable_fields", "VARCHAR"}, {"notes", "VARCHAR"}}}
	for _, f := range r.Sources {
		var first, last any
		if f.First != nil {
			first, last = f.First.UTC(), f.Last.UTC()
		}
		format := f.Format
		if f.Encoding != "" && f.Encoding != "utf-8" {
			format += " (" + f.Encoding + ")"
		}
		t.Rows = append(t.Rows, []any{int64(f.SourceID), f.Path, format, logTypesText(f), f.SHA256, f.Bytes, f.Records, f.Loaded,
			f.Duplicates, f.Rejected, f.Skipped, first, last, strings.Join(f.Unavailable, ", "), strings.Join(f.Notes, "; ")})
	}
	return t
}

func logTypesText(f *store.FileResult) string {
	var parts []string
	for _, k := range store.SortedKeys(f.LogTypes) {
		parts = append(parts, fmt.Sprintf("%s %d", k, f.LogTypes[k]))
	}
	for _, k := range store.SortedKeys(f.SkippedCategories) {
		parts = append(parts, fmt.Sprintf("%s %d (skipped)", k, f.SkippedCategories[k]))
	}
	return strings.Join(parts, ", ")
}
