package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/signinlens/signinlens/internal/queries"
)

const queriesUsage = `Usage: signinlens queries [ID]

Lists the catalogue: every canned query (run one with 'signinlens query ID') and every
detection (run by 'signinlens findings' and 'signinlens analyze'), each with the question
it answers. With an ID,
shows that entry in full: its question, default window, parameters, the columns it
returns with their meaning, the fields it needs from the export, and its SQL.

Examples:
  signinlens queries
  signinlens queries failed-signins
  signinlens queries password-spray`

func runQueries(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "queries", queriesUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	all, err := queries.All()
	if err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
		fmt.Fprint(e.stdout, catalogueList(all))
		return nil
	case 1:
		q, ok := queries.Get(fs.Arg(0))
		if !ok {
			return unknownQuery(fs.Arg(0), "signinlens queries")
		}
		fmt.Fprint(e.stdout, describeQuery(q))
		return nil
	}
	return usageError{msg: "queries takes at most one ID", try: "signinlens queries failed-signins"}
}

// catalogueList is the listing of 'signinlens queries': queries first, then detections.
func catalogueList(all []*queries.Query) string {
	var b strings.Builder
	for _, kind := range []string{"query", "detection"} {
		var list []*queries.Query
		for _, q := range all {
			if q.Kind == kind {
				list = append(list, q)
			}
		}
		if len(list) == 0 {
			continue
		}
		if kind == "query" {
			b.WriteString("Queries (run one with 'signinlens query ID'; 'signinlens queries ID' shows it in full):\n")
		} else {
			b.WriteString("\nDetections (run by 'signinlens findings' and 'signinlens analyze'; marked with their severity):\n")
		}
		for _, q := range list {
			mark := "window " + q.Window
			if kind == "detection" {
				mark = "detection, " + q.Severity
			}
			fmt.Fprintf(&b, "  %-27s %s [%s]\n  %-27s %s\n", q.ID, q.Title, mark, "", q.Question)
		}
	}
	return b.String()
}

// catalogueSummary is the short list in 'signinlens query --help'.
func catalogueSummary() string {
	all, err := queries.OfKind("query")
	if err != nil {
		return "  (the catalogue cannot be read: " + err.Error() + ")\n"
	}
	var b strings.Builder
	for _, q := range all {
		fmt.Fprintf(&b, "  %-27s %s [%s]\n", q.ID, q.Title, q.Window)
	}
	return b.String()
}

// describeQuery is the full entry shown by 'signinlens queries ID'.
func describeQuery(q *queries.Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n\n", q.ID, q.Title)
	fmt.Fprintf(&b, "Question:  %s\n", q.Question)
	fmt.Fprintf(&b, "Kind:      %s\n", q.Kind)
	window := q.Window + " ending at --as-of (the latest event by default)"
	if q.Window == "all" {
		window = "all: every event up to --as-of (the latest event by default)"
	}
	fmt.Fprintf(&b, "Window:    %s; --window, --since and --until override it\n", window)
	if q.Kind == "detection" {
		fmt.Fprintf(&b, "Severity:  %s\n", q.Severity)
		if q.Mitre != "" {
			fmt.Fprintf(&b, "MITRE:     %s\n", q.Mitre)
		}
		if q.Anchor != "" {
			fmt.Fprintf(&b, "Follows:   %s\n", q.Anchor)
		}
	}
	if q.Mirrors != "" {
		fmt.Fprintf(&b, "Mirrors:   %s\n", q.Mirrors)
	}
	if len(q.Requires) > 0 {
		fmt.Fprintf(&b, "Needs:     %s\n", strings.Join(q.Requires, ", "))
	}
	if q.NeedsInput == "intel" {
		b.WriteString("Runs:      only with --intel FILE (the incident's indicators); without it the detection does not run\n")
	}
	b.WriteString("\nParameters (bound, never pasted into the SQL):\n")
	b.WriteString("  $since, $until        the window (--window, --since, --until, --as-of)\n")
	b.WriteString("  $app, $user, $ip      --app, --user, --ip (empty: every one)\n")
	b.WriteString("  $log_types            --log-type, repeatable (empty: every log)\n")
	if strings.Contains(q.SQL, "$baseline_") {
		b.WriteString("  $baseline_start, $baseline_end  the baseline: from the first sign-in to --baseline (default 7d before the end)\n")
	}
	for _, p := range q.Params {
		fmt.Fprintf(&b, "  %-21s %s, default %s: %s (--set %s.%s=VALUE)\n", "$"+p.Name, p.Type, p.Default, p.Doc, q.ID, p.Name)
	}
	b.WriteString("\nColumns:\n")
	width := 0
	for _, c := range q.Columns {
		width = max(width, len(c.Name))
	}
	for _, c := range q.Columns {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Name, c.Doc)
	}
	if len(q.References) > 0 {
		b.WriteString("\nReferences:\n")
		for _, r := range q.References {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	fmt.Fprintf(&b, "\nSQL (%s; scoped(), audit_scoped() and provisioning_scoped() are the window and filters over signins, audits and provisioning):\n%s\n", q.File, q.SQL)
	return b.String()
}

// unknownQuery is the error for an id that is not in the catalogue, with the nearest ids.
func unknownQuery(id, try string) error {
	all, _ := queries.All()
	var near []string
	for _, q := range all {
		if strings.Contains(q.ID, id) || strings.Contains(id, q.ID) || editDistance(q.ID, id) <= 2 {
			near = append(near, q.ID)
		}
	}
	msg := fmt.Sprintf("no query or detection %q in the catalogue", id)
	if len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return usageError{msg: msg, try: try}
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
