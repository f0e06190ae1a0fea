package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/signinlens/signinlens/internal/words"
)

// The tables and lines every writer shows alike, built from the report model.

// summaryFacts are the "what was analysed" lines shared by the Summary writers.
func summaryFacts(r *analyze.Report) [][2]string {
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
		{"Sign-ins analysed", fmt.Sprintf("%s from %d of %d input files", words.Thousands(r.Meta.SignIns), files, len(r.Sources))},
		{"Audit and provisioning events", fmt.Sprintf("%s, %s", words.Plural(r.Meta.AuditEvents, "audit event", "audit events"),
			words.Plural(r.Meta.ProvisioningEvents, "provisioning event", "provisioning events"))},
		{"Time range", at(r.Meta.First) + " to " + at(r.Meta.Last)},
		{"As of", at(r.Meta.AsOf) + " (end of every window)"},
		{"Filters", filters},
		{"Times shown in", r.Meta.TimeZone},
		{"Database", r.Meta.Database},
		{"signinlens version", r.Meta.Version},
		{"Generated at", at(r.Meta.GeneratedAt)},
	}
}

func detectionsRan(r *analyze.Report) string {
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
func countsTable(r *analyze.Report) *analyze.Table {
	t := &analyze.Table{Name: "counts", Columns: []analyze.Column{{Name: "log_type", Type: "VARCHAR"}, {Name: "sign_ins", Type: "BIGINT"}, {Name: "success", Type: "BIGINT"},
		{Name: "interrupted", Type: "BIGINT"}, {Name: "failure", Type: "BIGINT"}}}
	var tot analyze.LogTypeCount
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
func findingsTable(r *analyze.Report) *analyze.Table {
	t := &analyze.Table{Name: "findings", Columns: []analyze.Column{{Name: "finding", Type: "BIGINT"}, {Name: "severity", Type: "VARCHAR"}, {Name: "detection", Type: "VARCHAR"},
		{Name: "title", Type: "VARCHAR"}, {Name: "user_principal_name", Type: "VARCHAR"}, {Name: "ip_address", Type: "VARCHAR"}, {Name: "service_principal_id", Type: "VARCHAR"},
		{Name: "first_seen", Type: "TIMESTAMP WITH TIME ZONE"}, {Name: "last_seen", Type: "TIMESTAMP WITH TIME ZONE"}, {Name: "events", Type: "BIGINT"}, {Name: "details", Type: "VARCHAR"}}}
	for i, f := range r.Findings {
		t.Rows = append(t.Rows, []any{int64(i + 1), f.Severity, f.Detection, f.Title, f.UserPrincipalName, f.IPAddress,
			f.ServicePrincipalID, timeOrNil(f.FirstSeen), timeOrNil(f.LastSeen), f.Events, f.Details})
	}
	return t
}

// sourcesTable lists every input with its accounting.
func sourcesTable(r *analyze.Report) *analyze.Table {
	t := &analyze.Table{Name: "sources", Columns: []analyze.Column{{Name: "source_id", Type: "INTEGER"}, {Name: "path", Type: "VARCHAR"}, {Name: "format", Type: "VARCHAR"},
		{Name: "log_types", Type: "VARCHAR"}, {Name: "sha256", Type: "VARCHAR"}, {Name: "bytes", Type: "BIGINT"}, {Name: "records", Type: "BIGINT"}, {Name: "loaded", Type: "BIGINT"},
		{Name: "versions", Type: "BIGINT"}, {Name: "duplicates", Type: "BIGINT"}, {Name: "rejected", Type: "BIGINT"}, {Name: "skipped", Type: "BIGINT"}, {Name: "first_event", Type: "TIMESTAMP WITH TIME ZONE"},
		{Name: "last_event", Type: "TIMESTAMP WITH TIME ZONE"}, {Name: "unavailable_fields", Type: "VARCHAR"}, {Name: "notes", Type: "VARCHAR"}}}
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
			f.Versions, f.Duplicates, f.Rejected, f.Skipped, first, last, strings.Join(f.Unavailable, ", "), strings.Join(f.Notes, "; ")})
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

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
