package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
)

// writeMethodology says how every number was produced: the scope, the scoped() macro and,
// for each query and detection, its window and parameters as run and its SQL.
func (b *book) writeMethodology() error {
	sh := b.sheet(sheetMethodology)
	r := b.r
	sh.width("A", "A", 24)
	sh.width("B", "B", 110)
	y := 1
	sh.set(1, y, "Methodology", b.s.title)
	y++
	sh.set(1, y, "How every number in this workbook was produced, so that a reviewer can re-perform the work.", b.s.subtitle)
	y += 2
	kv := func(k string, v any) {
		sh.set(1, y, k, b.s.label)
		sh.set(2, y, v, 0)
		y++
	}
	lines := func(k, text string) {
		sh.set(1, y, k, b.s.label)
		for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			sh.set(2, y, strings.ReplaceAll(l, "\t", "    "), b.s.mono)
			y++
		}
	}
	sh.set(1, y, "Scope", b.s.h2)
	sh.style("B"+fmt.Sprint(y), "B"+fmt.Sprint(y), b.s.h2)
	y++
	for _, f := range summaryFacts(r) {
		kv(f[0], f[1])
	}
	kv("Re-running", "Load the files on the Sources sheet (signinlens load --db case.duckdb FILES), define the macros below, then run each SQL with its parameters as used; $name is a bound parameter, never spliced text.")
	kv("Windows", "Each query reads scoped(since, until, app, user, ip, log_types): sign-ins with since < created_at <= until that match the filters. since is until minus the query's window unless --window, --since or --all say otherwise; until is the as-of time.")
	kv("Audit and provisioning", "Queries over the other logs read audit_scoped(since, until, user, ip) and provisioning_scoped(since, until, user): events with since < activity_at <= until; --user matches an audit event's initiator or any target (object id or UPN) and a provisioning event's source or target identity, --ip the audit initiator's address; --app and --log-type do not apply to them. Activity names are compared with activity_key() (case, dash style and spacing ignored).")
	kv("Record versions", recordVersions)
	lines("scoped() macro", analyze.ScopeMacro)
	lines("Family macros", analyze.FamilyMacros)
	lines("audit_scoped() macro", analyze.AuditScopeMacro)
	lines("provisioning_scoped() macro", analyze.ProvisioningScopeMacro)
	lines("Helper macros", strings.Join(analyze.AuditHelperMacros(), ";\n"))
	y++
	entry := func(q *queries.Query, bound analyze.Bound, result string, link string) {
		sh.set(1, y, q.ID, b.s.h2)
		sh.set(2, y, q.Title, b.s.h2)
		y++
		kind := q.Kind
		if q.Severity != "" {
			kind += ", severity " + q.Severity
		}
		kv("Kind", kind)
		kv("Question", q.Question)
		if q.Mirrors != "" {
			kv("Mirrors", q.Mirrors)
		}
		if q.Mitre != "" {
			kv("MITRE ATT&CK", q.Mitre)
		}
		if q.Anchor != "" {
			kv("Follows", q.Anchor)
		}
		kv("Window (declared)", q.Window)
		kv("Window (as run)", capitalize(analyze.DescribeWindow(bound, b.loc)))
		names := make([]string, 0, len(bound.Args))
		for k := range bound.Args {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, n := range names {
			doc := ""
			for _, p := range q.Params {
				if p.Name == n {
					doc = " (" + p.Doc + "; default " + p.Default + ")"
				}
			}
			kv("$"+n, argText(bound.Args[n])+doc)
		}
		if len(q.Requires) > 0 {
			kv("Requires", strings.Join(q.Requires, ", "))
		}
		for _, ref := range q.References {
			kv("Reference", ref)
		}
		if result != "" {
			sh.set(1, y, "Result", b.s.label)
			if link != "" {
				sh.set(2, y, result, b.s.link)
				sh.link(cell(2, y), fmt.Sprintf("'%s'!A1", link))
			} else {
				sh.set(2, y, result, 0)
			}
			y++
		}
		lines("SQL", q.SQL)
		y++
	}
	for _, s := range r.Sections {
		if s.Table == nil {
			entry(s.Query, s.Bound, "not run: "+s.Skipped, "")
			continue
		}
		res := fmt.Sprintf("%d rows on sheet %s", len(s.Table.Rows), b.sheets[s])
		if s.Unavailable != "" {
			res += " (" + s.Unavailable + ")"
		}
		entry(s.Query, s.Bound, res, b.sheets[s])
	}
	for _, d := range r.DetectionRuns {
		if d.Query == nil {
			continue
		}
		res := fmt.Sprintf("%d findings", d.Findings)
		if d.Limited != "" {
			res += " (ran on part of the data: " + d.Limited + ")"
		}
		if d.Skipped != "" {
			res = "did not run: " + d.Skipped
		}
		link := ""
		if d.Skipped == "" {
			link = sheetFindings
		}
		entry(d.Query, d.Bound, res, link)
	}
	if sh.err != nil {
		return sh.err
	}
	return b.landscape(sheetMethodology)
}

// recordVersions says how a sign-in that arrived in several versions is reported.
const recordVersions = "A sign-in (request id, log type, event time, error code) that arrived in several different versions is reported merged: " +
	"each field comes from the latest version that carries a value (ordered by ingestion time — TimeGenerated or the diagnostic `time` — " +
	"else by the number of values carried, then file order), and empty or default values (none, unknown, empty lists) never erase an earlier one; " +
	"risk is thus the most recent evaluated state with its risk event types, authentication steps are the union of all versions' steps in step-time order " +
	"without repeats, and Conditional Access results come from the latest version that has them."

func argText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL (no filter)"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = argText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return queries.Text(v, time.UTC)
}
