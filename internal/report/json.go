package report

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
)

// WriteJSON renders the whole report model as indented JSON; times are RFC 3339 UTC.
func WriteJSON(ctx context.Context, w io.Writer, r *analyze.Report) error {
	var sections []jsonSection // null for a report without sections, as the model says
	if r.Sections != nil {
		sections = make([]jsonSection, 0, len(r.Sections))
	}
	for _, s := range r.Sections {
		sections = append(sections, sectionJSON(s))
	}
	runs := make([]jsonDetection, 0, len(r.DetectionRuns))
	for _, d := range r.DetectionRuns {
		runs = append(runs, jsonDetection{queryJSON(d.Query), boundJSON(d.Bound), d.Findings, d.Skipped, d.Limited})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Meta: r.Meta, Sources: r.Sources, OrphanAuthSteps: r.OrphanAuthSteps, Counts: r.Counts,
		Answers: r.Answers, Changes: r.Changes, Sections: sections, Findings: r.Findings, Evidence: r.Evidence,
		AuditEvidence: r.AuditEvidence, ProvisioningEvidence: r.ProvisioningEvidence, TopAccounts: r.TopAccounts,
		Timelines: r.Timelines, Warnings: r.Warnings,
		DetectionRuns: runs, ScopeMacro: analyze.ScopeMacro})
}

// jsonReport is the report's JSON document: the model's fields under their json names, with
// sections and detection runs carrying their query's metadata. A test checks that every
// field of analyze.Report with a json name appears here.
type jsonReport struct {
	Meta            analyze.Meta           `json:"meta"`
	Sources         []*store.FileResult    `json:"sources"`
	OrphanAuthSteps int64                  `json:"orphan_auth_steps"`
	Counts          []analyze.LogTypeCount `json:"counts"`
	Answers         []string               `json:"answers"`
	Changes         []string               `json:"changes"`
	Sections        []jsonSection          `json:"sections"`
	Findings        []analyze.Finding      `json:"findings"`
	Evidence        *analyze.Table         `json:"evidence,omitempty"`
	AuditEvidence   *analyze.Table         `json:"audit_evidence,omitempty"`
	// ProvisioningEvidence lists the provisioning events behind the findings.
	ProvisioningEvidence *analyze.Table      `json:"provisioning_evidence,omitempty"`
	TopAccounts          []string            `json:"top_accounts"`
	Timelines            []*analyze.Timeline `json:"timelines"`
	Warnings             []string            `json:"warnings"`
	DetectionRuns        []jsonDetection     `json:"detection_runs"`
	ScopeMacro           string              `json:"scope_macro"`
}

type jsonDetection struct {
	Query    *jsonQuery `json:"query"`
	Bound    jsonBound  `json:"bound"`
	Findings int        `json:"findings"`
	Skipped  string     `json:"skipped,omitempty"`
	Limited  string     `json:"limited,omitempty"`
}

type jsonParam struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default string `json:"default"`
	Doc     string `json:"doc"`
}

type jsonColumnDoc struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

type jsonQuery struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Title      string          `json:"title"`
	Question   string          `json:"question"`
	Window     string          `json:"window"`
	Severity   string          `json:"severity,omitempty"`
	Mitre      string          `json:"mitre,omitempty"`
	Anchor     string          `json:"anchor,omitempty"`
	Mirrors    string          `json:"mirrors,omitempty"`
	Requires   []string        `json:"requires,omitempty"`
	Params     []jsonParam     `json:"params,omitempty"`
	Columns    []jsonColumnDoc `json:"columns"`
	References []string        `json:"references,omitempty"`
	SQL        string          `json:"sql"`
}

func queryJSON(q *queries.Query) *jsonQuery {
	if q == nil {
		return nil
	}
	j := &jsonQuery{ID: q.ID, Kind: q.Kind, Title: q.Title, Question: q.Question, Window: q.Window, Severity: q.Severity,
		Mitre: q.Mitre, Anchor: q.Anchor, Mirrors: q.Mirrors, Requires: q.Requires, References: q.References, SQL: q.SQL,
		Columns: []jsonColumnDoc{}}
	for _, p := range q.Params {
		j.Params = append(j.Params, jsonParam{p.Name, p.Type, p.Default, p.Doc})
	}
	for _, c := range q.Columns {
		j.Columns = append(j.Columns, jsonColumnDoc{c.Name, c.Doc})
	}
	return j
}

type jsonBound struct {
	Since *time.Time     `json:"since"` // null: unbounded
	Until time.Time      `json:"until"`
	Args  map[string]any `json:"args"`
}

func boundJSON(b analyze.Bound) jsonBound {
	j := jsonBound{Until: b.Until.UTC(), Args: map[string]any{}}
	if !b.Since.IsZero() {
		s := b.Since.UTC()
		j.Since = &s
	}
	for k, v := range b.Args {
		j.Args[k] = jsonSafe(v)
	}
	return j
}

type jsonTable struct {
	Columns []analyze.Column `json:"columns"`
	Rows    [][]any          `json:"rows"`
}

// jsonSection is a section with its query's metadata and the window it ran with.
type jsonSection struct {
	Query       *jsonQuery `json:"query"`
	Bound       jsonBound  `json:"bound"`
	Missing     []string   `json:"missing_fields,omitempty"`
	Partial     bool       `json:"partial,omitempty"`
	Unavailable string     `json:"unavailable,omitempty"`
	Skipped     string     `json:"skipped,omitempty"`
	Table       *jsonTable `json:"table"`
}

func sectionJSON(s *analyze.Section) jsonSection {
	out := jsonSection{Query: queryJSON(s.Query), Bound: boundJSON(s.Bound), Missing: s.Missing, Partial: s.Partial, Unavailable: s.Unavailable, Skipped: s.Skipped}
	if s.Table != nil {
		out.Table = &jsonTable{Columns: s.Table.Columns, Rows: jsonRows(s.Table.Rows)}
	}
	return out
}

func jsonRows(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		o := make([]any, len(r))
		for j, v := range r {
			o[j] = jsonSafe(v)
		}
		out[i] = o
	}
	return out
}

// jsonSafe turns values encoding/json refuses (NaN, infinities) into null and times into UTC.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case time.Time:
		return x.UTC()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	}
	return v
}
