package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/report"
)

const queryUsage = `Usage: signinlens query ID [--db FILE | PATH...] [flags]

Runs one query of the catalogue over a database made by 'signinlens load', or over
export files and folders (loaded into a temporary database first), and prints its table.
Every window ends at --as-of, which defaults to the latest event in the data, never the
clock; each query has its own default window (in brackets below). The flags are bound
as parameters, never pasted into the SQL. 'signinlens queries ID' shows a query's
columns and SQL.

With --format json the result is an array of objects keyed by the column names, times
in RFC 3339 UTC and numbers as numbers. --tz changes only how times are displayed in the
other formats. A note on stderr says when the export could not carry a field the query
needs (the admin-center CSV has no risk fields, for instance).

Queries:
%s
Examples:
  signinlens query app-users --db case.duckdb
  signinlens query failed-signins exports/ --window 7d --format csv > failed.csv
  signinlens query user-timeline --db case.duckdb --user alice@contoso.com --tz Europe/Berlin
  signinlens query browsers --db case.duckdb --by-version --format json
  signinlens query app-users --db case.duckdb --app "Microsoft Teams" --since 2025-06-01T00:00:00Z`

func runQuery(ctx context.Context, e *env, args []string) error {
	var d dataFlags
	var qf queryFlags
	var format string
	var byVersion bool
	fs := newFlags(e, "query", fmt.Sprintf(queryUsage, catalogueSummary()))
	d.add(fs, "")
	fs.StringVar(&format, "format", "table", "output `format`: "+strings.Join(report.TableFormats(), ", "))
	qf.add(fs)
	fs.BoolVar(&byVersion, "by-version", false, "browsers: one row per family and version (Edge, 124.0.2478) instead of one per family (Edge)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	try := "signinlens query app-users --db case.duckdb"
	if fs.NArg() == 0 {
		return usageError{msg: "no query given; 'signinlens queries' lists them", try: try}
	}
	id := fs.Arg(0)
	q, ok := queries.Get(id)
	if !ok {
		return unknownQuery(id, "signinlens queries")
	}
	if q.Kind != "query" {
		return usageError{msg: fmt.Sprintf("%s is a detection; detections run in 'signinlens findings' and 'signinlens analyze'", id), try: "signinlens findings --db case.duckdb"}
	}
	if err := report.CheckTableFormat(format); err != nil {
		return usageError{msg: err.Error(), try: "signinlens query " + id + " --db case.duckdb --format csv"}
	}
	p, loc, err := qf.params()
	if err != nil {
		return err
	}
	if byVersion {
		if q.ID != "browsers" {
			return usageError{msg: "--by-version applies to the browsers query only", try: "signinlens query browsers --db case.duckdb --by-version"}
		}
		if p.Set == nil {
			p.Set = map[string]string{}
		}
		p.Set["browsers.by_version"] = "true"
	}
	if err := queries.CheckParams(q, p); err != nil {
		return usageError{msg: err.Error(), try: "signinlens queries " + id}
	}
	if f := queries.NeedsFilter(q); f != "" && filterValue(p, f) == "" {
		return usageError{msg: fmt.Sprintf("%s needs --%s", id, f), try: "signinlens query " + id + " --db case.duckdb --" + f + " alice@contoso.com"}
	}
	db, _, err := openData(ctx, e, &d, fs.Args()[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	if err := queries.Prepare(ctx, db.SQL); err != nil {
		return err
	}
	gap, err := queries.CheckAvailability(ctx, db.SQL, q)
	if err != nil {
		return err
	}
	if !gap.Answerable() {
		return fmt.Errorf("%s", gap.Message())
	}
	if gap.Partial() {
		warnf(e, "%s", gap.Message())
	}
	asOf, err := resolveAsOf(ctx, db.SQL, &p)
	if err != nil {
		return err
	}
	if q.AfterDetections {
		found, _, err := queries.RunDetections(ctx, db.SQL, p, asOf, "")
		if err != nil {
			return err
		}
		if err := queries.StoreFindings(ctx, db.SQL, found); err != nil {
			return err
		}
	}
	t, b, err := queries.Run(ctx, db.SQL, q, p, asOf)
	if err != nil {
		return err
	}
	if err := report.RenderTable(e.stdout, t, format, report.RenderOptions{Loc: loc}); err != nil {
		return err
	}
	if format == "table" || format == "markdown" {
		notes, err := queries.Notes(ctx, db.SQL, q, b, loc)
		if err != nil {
			return err
		}
		writeNotes(e.stdout, notes, format)
	}
	return nil
}

func filterValue(p analyze.Params, name string) string {
	switch name {
	case "user":
		return p.User
	case "app":
		return p.App
	case "ip":
		return p.IP
	}
	return ""
}

// writeNotes prints the summary lines under a table: plain lines after the row count, or
// a Markdown paragraph with line breaks.
func writeNotes(w io.Writer, notes []string, format string) {
	if len(notes) == 0 {
		return
	}
	if format == "markdown" {
		fmt.Fprintf(w, "\n%s\n", strings.Join(notes, "  \n"))
		return
	}
	fmt.Fprintf(w, "%s\n", strings.Join(notes, "\n"))
}
