package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/report"
)

const findingsUsage = `Usage: signinlens findings [--db FILE | PATH...] [flags]

Runs the detections, the sign-in analytics a SIEM would run, over a database made by
'signinlens load' or over export files and folders (loaded into a temporary database
first), and prints one row per finding, highest severity first. Times are relative to the
data: every window ends at --as-of, the latest event by default, never the clock.

Thresholds are parameters. Override one with --set ID.PARAM=VALUE (repeatable), or keep
them in a settings file given with --config: one ID.PARAM=VALUE per line, # starts a
comment; --set wins over the file. A detection that needs fields the export cannot carry
(the admin-center CSV has no risk fields or coordinates, for instance) is not run, and a
warning on stderr says so instead of reporting nothing.

With --intel FILE (a CSV of the incident's indicators: IP addresses, networks, autonomous
systems, user-agent substrings, each with a label) the detection ioc-match lists every
sign-in and audit event that matches one; without it, ioc-match does not run. The file
starts with the header line indicator,label and may add a type column (ip, cidr, asn,
user-agent) where the shape of an indicator is not enough; a bad row is named file:line.

--geoip FILE.mmdb (repeatable: an ASN database and a City database, say) fills the
autonomous system number, country, city and coordinates of sign-ins whose export lacks
them (the admin-center download, older exports) from MaxMind-format databases you already
have; a value the export has is never changed. The filled values are written into the
database, and each file's notes in the report's Sources say how many sign-ins were filled
from which database (its SHA-256 and build date). Nothing is ever downloaded.

With --fail-on SEVERITY the command exits 4 when it reports a finding at or above that
severity, for use in scripts. --format json writes an array of objects with the keys
detection, severity, title, user_principal_name, ip_address, service_principal_id,
first_seen, last_seen, events and details ('signinlens queries ID' shows a detection's
SQL and what its columns mean).

Detections (severity, parameters with defaults):
%s
Examples:
  signinlens findings --db case.duckdb
  signinlens findings exports/ --min-severity medium --format csv > findings.csv
  signinlens findings --db case.duckdb --set password-spray.min_users=5 --set brute-force.window=2h
  signinlens findings --db case.duckdb --config tuning.conf --format json
  signinlens findings --db case.duckdb --fail-on high
  signinlens findings --db case.duckdb --intel incident-iocs.csv --min-severity high`

// detectionSummary lists the detections for the usage text, from the catalogue itself.
func detectionSummary() string {
	dets, err := queries.OfKind("detection")
	if err != nil {
		return "  (the catalogue cannot be read: " + err.Error() + ")\n"
	}
	var b strings.Builder
	for _, q := range dets {
		var params []string
		for _, p := range q.Params {
			params = append(params, p.Name+"="+p.Default)
		}
		fmt.Fprintf(&b, "  %-24s %-6s %s", q.ID, q.Severity, q.Title)
		if len(params) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(params, ", "))
		}
		if q.NeedsInput == "intel" {
			b.WriteString(" (only with --intel)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func runFindings(ctx context.Context, e *env, args []string) error {
	var d dataFlags
	var qf queryFlags
	var format, minSeverity, config, failOn string
	var kf intelFlags
	fs := newFlags(e, "findings", fmt.Sprintf(findingsUsage, detectionSummary()))
	d.add(fs, "")
	fs.StringVar(&format, "format", "table", "output `format`: "+strings.Join(report.TableFormats(), ", "))
	fs.StringVar(&minSeverity, "min-severity", "low", "report findings at or above this `severity`: "+strings.Join(queries.Severities(), ", "))
	fs.StringVar(&config, "config", "", configUsage)
	fs.StringVar(&failOn, "fail-on", "", "exit 4 when a finding at or above this `severity` is reported")
	qf.add(fs)
	kf.add(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := report.CheckTableFormat(format); err != nil {
		return usageError{msg: err.Error(), try: "signinlens findings --db case.duckdb --format csv"}
	}
	if err := queries.CheckSeverity(minSeverity); err != nil {
		return usageError{msg: "--min-severity: " + err.Error(), try: "signinlens findings --db case.duckdb --min-severity medium"}
	}
	if err := queries.CheckSeverity(failOn); err != nil {
		return usageError{msg: "--fail-on: " + err.Error(), try: "signinlens findings --db case.duckdb --fail-on high"}
	}
	p, loc, err := qf.params()
	if err != nil {
		return err
	}
	if err := applySettings(config, &p); err != nil {
		return err
	}
	if err := queries.ValidateSet(p.Set); err != nil {
		return usageError{msg: "--set " + err.Error(), try: "signinlens findings --help (lists every detection's parameters)"}
	}
	if err := kf.load(&p); err != nil {
		return err
	}
	db, _, err := openData(ctx, e, &d, fs.Args())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := kf.fillGeoIP(ctx, e, db, d.quiet); err != nil {
		return err
	}
	asOf, err := resolveAsOf(ctx, db.SQL, &p)
	if err != nil {
		return err
	}
	found, runs, err := queries.RunDetections(ctx, db.SQL, p, asOf, minSeverity)
	if err != nil {
		return err
	}
	if err := report.RenderTable(e.stdout, queries.FindingsTable(found), format, report.RenderOptions{Loc: loc}); err != nil {
		return err
	}
	for _, w := range queries.RunWarnings(runs) {
		warnf(e, "%s", w)
	}
	return checkFailOn(found, failOn)
}
