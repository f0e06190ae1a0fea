package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
)

// MarkdownRows caps each query table in the Markdown report; the workbook has them all.
const MarkdownRows = 25

// WriteMarkdown renders the Summary, the findings and every query's first rows. Text from
// the export is escaped so it can neither break a table nor become a link or HTML.
func WriteMarkdown(ctx context.Context, w io.Writer, r *analyze.Report) error {
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
	if len(r.TopAccounts) > 0 {
		b.WriteString("\n## Accounts to look at first\n\n")
		for _, a := range r.TopAccounts {
			b.WriteString("- " + mdEscape(a) + "\n")
		}
	}
	if len(r.Changes) > 0 {
		b.WriteString("\n## What changed\n\n")
		for _, a := range r.Changes {
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
	for _, tl := range r.Timelines {
		fmt.Fprintf(&b, "\n## Timeline of %s\n\nSign-ins and audit events in time order; a row with findings is evidence of those findings (numbers as in Findings).\n\n", mdEscape(tl.Account))
		mdTable(&b, tl.Table, loc, 0)
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
		fmt.Fprintf(&b, "%s Window: %s.", mdEscape(s.Query.Question), analyze.DescribeWindow(s.Bound, loc))
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
			problems = append(problems, fmt.Sprintf("- %s: %s", mdEscape(analyze.ProblemPlace(f, p)), mdEscape(p.Reason)))
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

// mdEscape is the one Markdown escaper, for the report and for --format markdown alike: text
// from the export (user agents, application and device names) can neither break a table
// row nor become a link, an image, HTML, code or emphasis. Line breaks become spaces.
func mdEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '|', '[', ']', '`', '*', '_':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteByte(' ')
		case '\n':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mdTable writes t as a Markdown table; limit > 0 caps the rows.
func mdTable(b *strings.Builder, t *analyze.Table, loc *time.Location, limit int) {
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
