package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/report"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/signinlens/signinlens/internal/words"
)

const analyzeUsage = `Usage: signinlens analyze PATH... -o REPORT [flags]
       signinlens analyze --db FILE -o REPORT [flags]

Loads the exports (files or folders; see 'signinlens load --help'), runs the whole
catalogue (every query and every detection) and writes one report an auditor can hand
over. The output's extension picks the format:
%s
The report is written to a temporary file beside REPORT and renamed when complete, so a
failed run leaves nothing behind; REPORT may not be one of the inputs or the database.

A short summary (time range, sign-ins per log type, the standard questions answered,
the accounts to look at first, findings by severity, warnings) is printed on stdout;
progress and errors go to stderr.

--investigate UPN (repeatable) adds one timeline per account: its sign-ins and the audit
events it initiated or was a target of, in time order, the rows that are evidence of a
finding highlighted. An account without any event gets no timeline, and a warning says so.

--intel FILE checks the incident's indicators (a CSV of IP addresses, networks,
autonomous systems and user-agent substrings with labels; see 'signinlens findings --help')
against every sign-in and audit event: detection ioc-match. --geoip FILE.mmdb (repeatable)
fills the ASN, country, city and coordinates the export lacks from MaxMind-format
databases (see 'signinlens findings --help'); nothing is downloaded.

Exit codes: 0 done, 1 failure, 2 wrong usage, 3 no sign-ins in the input,
4 a finding at or above --fail-on, 5 records rejected with --strict.

Examples:
  signinlens analyze exports/ -o report.xlsx
  signinlens analyze --db case.duckdb -o report.md --window 30d
  signinlens analyze exports/ -o report.xlsx --raw --tz Europe/Berlin --fail-on high
  signinlens analyze exports/ -o report.json --set password-spray.min_users=5
  signinlens analyze --db case.duckdb -o report.xlsx --investigate erin@contoso.com
  signinlens analyze --db case.duckdb -o report.xlsx --config tuning.conf
  signinlens analyze exports/ -o report.xlsx --intel incident-iocs.csv`

func runAnalyze(ctx context.Context, e *env, args []string) error {
	var d dataFlags
	var q queryFlags
	var out, failOn, config string
	var raw bool
	var kf intelFlags
	fs := newFlags(e, "analyze", fmt.Sprintf(analyzeUsage, report.FormatHelp()))
	fs.StringVarP(&out, "output", "o", "", "report `file`; the extension picks the format: "+report.Extensions())
	d.add(fs, "")
	q.add(fs)
	fs.StringVar(&config, "config", "", configUsage)
	fs.BoolVar(&raw, "raw", false, "also write the in-scope sign-ins to Raw sheets (.xlsx only; split at 1,048,576 rows)")
	fs.StringVar(&failOn, "fail-on", "", "exit 4 when a finding of this `severity` or higher exists: "+strings.Join(queries.Severities(), ", "))
	kf.add(fs)
	var investigate []string
	fs.StringArrayVar(&investigate, "investigate", nil, "add a timeline of this `UPN or id` (repeatable): its sign-ins and audit events in time order, evidence of findings highlighted")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	try := "signinlens analyze exports/ -o report.xlsx"
	if out == "" {
		return usageError{msg: "no output: give -o REPORT (" + report.Extensions() + ")", try: try}
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return usageError{msg: fmt.Sprintf("-o %s is a folder; give a file name such as %s", out, filepath.Join(out, "report.xlsx")), try: try}
	}
	format, err := report.FormatFor(out)
	if err != nil {
		return usageError{msg: err.Error(), try: try}
	}
	if raw && !format.Raw {
		return usageError{msg: fmt.Sprintf("--raw needs a workbook output; %s is %s", out, format.Name), try: "signinlens analyze exports/ -o report.xlsx --raw"}
	}
	if err := queries.CheckSeverity(failOn); err != nil {
		return usageError{msg: "--fail-on: " + err.Error(), try: try + " --fail-on high"}
	}
	p, loc, err := q.params()
	if err != nil {
		return err
	}
	if err := applySettings(config, &p); err != nil {
		return err
	}
	if err := queries.ValidateSet(p.Set); err != nil {
		return usageError{msg: "--set " + err.Error(), try: try + " --set password-spray.min_users=5"}
	}
	if err := kf.load(&p); err != nil {
		return err
	}
	if err := checkOutput(out, fs.Args(), d.db); err != nil {
		return err
	}
	db, sum, err := openData(ctx, e, &d, fs.Args())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := kf.fillGeoIP(ctx, e, db, d.quiet); err != nil {
		return err
	}
	bar := newProgress(e, d.quiet)
	rep, err := analyze.Build(ctx, db, sum, p, analyze.ReportOptions{
		Version: currentVersion(), Loc: loc, Database: d.db, Raw: raw, Progress: bar.step, Investigate: investigate,
	})
	bar.done()
	if err != nil {
		return err
	}
	if raw {
		bar.show(fmt.Sprintf("writing %s sign-ins to the Raw sheets...", words.Thousands(rep.Raw.Count)), 0, true)
	}
	err = report.WriteFile(ctx, out, rep)
	bar.done()
	if err != nil {
		return err
	}
	printAnalyzeSummary(e.stdout, out, format, rep)
	if err := checkFailOn(rep.Findings, failOn); err != nil {
		return fmt.Errorf("%w; the report was written", err)
	}
	return nil
}

// checkOutput refuses a report path that is one of the inputs or the database, by name or
// (through a link) as the same file: the report must never overwrite evidence.
func checkOutput(out string, paths []string, dbPath string) error {
	try := "signinlens analyze exports/ -o report.xlsx"
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: folder %s does not exist", out, filepath.Dir(out))
	}
	outInfo, _ := os.Stat(out) // nil when the report does not exist yet
	same := func(p string) bool {
		if store.AbsPath(p) == store.AbsPath(out) {
			return true
		}
		if outInfo == nil {
			return false
		}
		st, err := os.Stat(p)
		return err == nil && os.SameFile(st, outInfo)
	}
	if dbPath != "" && same(dbPath) {
		return usageError{msg: fmt.Sprintf("-o %s is the database; choose another report name", out), try: try}
	}
	for _, p := range paths {
		if same(p) {
			return usageError{msg: fmt.Sprintf("-o %s is one of the inputs; refusing to overwrite it", out), try: try}
		}
	}
	if len(paths) == 0 {
		return nil
	}
	inputs, err := loaders.Inputs(paths)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		file, _, _ := strings.Cut(in.Path, "!") // a zip member: the archive itself
		if same(file) {
			return usageError{msg: fmt.Sprintf("-o %s is one of the inputs (found under %s); refusing to overwrite it: write the report outside the export folders", out, strings.Join(paths, ", ")), try: try}
		}
	}
	return nil
}

// printAnalyzeSummary is the terminal summary: the report's Summary in a few lines.
func printAnalyzeSummary(w io.Writer, out string, f *report.Format, r *analyze.Report) {
	loc := r.Location()
	at := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
	fmt.Fprintf(w, "wrote %s (%s)\n", out, f.Name)
	fmt.Fprintf(w, "sign-ins: %s from %s to %s, as of %s\n", words.Thousands(r.Meta.SignIns), at(r.Meta.First), at(r.Meta.Last), at(r.Meta.AsOf))
	if len(r.Meta.Filters) > 0 {
		fmt.Fprintf(w, "filters: %s\n", strings.Join(r.Meta.Filters, "; "))
	}
	for _, c := range r.Counts {
		fmt.Fprintf(w, "  %-19s %9s  (success %s, interrupted %s, failure %s)\n", c.LogType, words.Thousands(c.SignIns),
			words.Thousands(c.Success), words.Thousands(c.Interrupted), words.Thousands(c.Failure))
	}
	if len(r.Answers) > 0 {
		fmt.Fprintln(w, "answers:")
		for _, a := range r.Answers {
			fmt.Fprintf(w, "  %s\n", a)
		}
	}
	if len(r.TopAccounts) > 0 {
		fmt.Fprintln(w, "accounts to look at first:")
		for _, a := range r.TopAccounts {
			fmt.Fprintf(w, "  %s\n", a)
		}
	}
	for _, tl := range r.Timelines {
		fmt.Fprintf(w, "timeline of %s: %s\n", tl.Account, words.Plural(int64(len(tl.Table.Rows)), "event", "events"))
	}
	if len(r.Changes) > 0 {
		fmt.Fprintln(w, "what changed:")
		for _, a := range r.Changes {
			fmt.Fprintf(w, "  %s\n", a)
		}
	}
	if len(r.DetectionRuns) > 0 {
		var parts []string
		for _, c := range r.SeverityCounts() {
			parts = append(parts, fmt.Sprintf("%s %d", c.Severity, c.Findings))
		}
		ran, skipped := 0, 0
		for _, d := range r.DetectionRuns {
			if d.Skipped == "" {
				ran++
			} else {
				skipped++
			}
		}
		fmt.Fprintf(w, "findings: %s (%d detections ran, %d could not run)\n", strings.Join(parts, ", "), ran, skipped)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintln(w, "warnings:")
		for _, x := range r.Warnings {
			fmt.Fprintf(w, "  %s\n", x)
		}
	}
}
