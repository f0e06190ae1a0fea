package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
)

const loadUsage = `Usage: signinlens load [--db FILE] [--json] PATH...

Reads sign-in log exports (files or folders, walked recursively; .gz and .zip read in
place) into a DuckDB database, and accounts for every record: loaded, version (a
different later version of a sign-in already loaded, merged into it), duplicate (a copy),
rejected (with file:line and a reason) or skipped (not a sign-in). Loading more files
later adds to the same database; copies of records already loaded count as duplicates.

Formats are recognised from their content:
%s
Examples:
  signinlens load exports/
  signinlens load --db case.duckdb InteractiveSignIns_2025-06-01_2025-06-08.csv
  signinlens load --json --db case.duckdb insights-logs-signinlogs/ > load.json`

func formatList() string {
	var b strings.Builder
	for _, f := range loaders.Formats() {
		fmt.Fprintf(&b, "  %-22s %s\n", f.Name, f.Title)
	}
	return b.String()
}

func runLoad(ctx context.Context, e *env, args []string) error {
	var d dataFlags
	var asJSON bool
	fs := newFlags(e, "load", fmt.Sprintf(loadUsage, formatList()))
	d.add(fs, "signinlens.duckdb")
	fs.BoolVar(&asJSON, "json", false, "print the load summary as JSON on stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{msg: "no input paths", try: "signinlens load --db case.duckdb exports/"}
	}
	if d.db == "" {
		return usageError{msg: "--db must name a file", try: "signinlens load --db case.duckdb exports/"}
	}
	inputs, err := listInputs(fs.Args(), d.db)
	if err != nil {
		return err
	}
	if err := checkDatabaseFile(d.db); err != nil {
		return err
	}
	db, err := store.Open(d.db, d.options())
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := loadInputs(ctx, e, db, inputs, d.quiet)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		printLoadSummary(e.stdout, sum)
	}
	if err := checkStrict(d.strict, sum); err != nil {
		return err
	}
	if sum.Totals.Loaded+sum.Totals.Duplicates == 0 {
		return store.ErrNoRecords
	}
	return nil
}

// versionsTerm is the accounting's versions term, shown only when a file had versions.
func versionsTerm(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" + versions %d", n)
}

// printLoadSummary writes the per-file accounting for a person.
func printLoadSummary(w io.Writer, s *store.Summary) {
	for _, f := range s.Files {
		fmt.Fprintf(w, "%s\n  format %s", f.Path, f.Format)
		if f.Encoding != "" && f.Encoding != "utf-8" {
			fmt.Fprintf(w, " (%s)", f.Encoding)
		}
		fmt.Fprintf(w, ", sha256 %s\n", f.SHA256)
		if f.Detection != "" {
			fmt.Fprintf(w, "  detected: %s\n", f.Detection)
		}
		if len(f.LogTypes) > 0 {
			var parts []string
			for _, k := range store.SortedKeys(f.LogTypes) {
				parts = append(parts, fmt.Sprintf("%s %d", k, f.LogTypes[k]))
			}
			fmt.Fprintf(w, "  log types: %s\n", strings.Join(parts, ", "))
		}
		fmt.Fprintf(w, "  records %d = loaded %d%s + duplicates %d + rejected %d + skipped %d\n",
			f.Records, f.Loaded, versionsTerm(f.Versions), f.Duplicates, f.Rejected, f.Skipped)
		for _, k := range store.SortedKeys(f.SkippedCategories) {
			fmt.Fprintf(w, "  skipped %d %s (a log that is not loaded)\n", f.SkippedCategories[k], k)
		}
		for _, n := range f.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		for i, p := range f.Problems {
			if i == 10 {
				fmt.Fprintf(w, "  ... %d more problems in the load_problems table\n", int64(len(f.Problems)-10)+f.ProblemsOmitted)
				break
			}
			fmt.Fprintf(w, "  rejected %s: %s\n", analyze.ProblemPlace(f, p), p.Reason)
		}
		if f.Error != "" && len(f.Problems) == 0 {
			fmt.Fprintf(w, "  error: %s\n", f.Error)
		}
	}
	t := s.Totals
	fmt.Fprintf(w, "total: %d files, records %d = loaded %d%s + duplicates %d + rejected %d + skipped %d\n",
		t.Files, t.Records, t.Loaded, versionsTerm(t.Versions), t.Duplicates, t.Rejected, t.Skipped)
	if t.Versions > 0 {
		fmt.Fprintf(w, "versions: %d records were further versions of a sign-in already loaded (later content, e.g. MFA completed or risk added); each is kept in signin_versions and merged into its sign-in\n", t.Versions)
	}
	var parts []string
	for _, lt := range append(loaders.LogTypes(), loaders.AuditLog, loaders.ProvisioningLog) {
		parts = append(parts, fmt.Sprintf("%s %d", lt, t.ByLogType[lt]))
	}
	fmt.Fprintf(w, "by log type: %s\n", strings.Join(parts, ", "))
	if s.OrphanAuthSteps > 0 {
		fmt.Fprintf(w, "authentication-detail rows without a loaded sign-in: %d\n", s.OrphanAuthSteps)
	}
}
