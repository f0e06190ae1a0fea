package report

import (
	"fmt"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// writeSources lists every input file with its record accounting, then the rejected
// records with their place and reason.
func (b *book) writeSources() error {
	sh := b.sheet(sheetSources)
	r := b.r
	sh.set(1, 1, "Sources", b.s.title)
	sh.set(1, 2, "Every input file loaded into the database: records = loaded + versions + duplicates + rejected + skipped: a version is a record of a sign-in already loaded "+
		"that says something different (e.g. MFA completed or risk added later), kept in signin_versions and merged into the sign-in; "+
		"a duplicate is a copy of a version already loaded (same content, ignoring its ingestion time).", b.s.subtitle)
	sh.set(1, 3, "Times in "+b.zone+". Rejected records are listed below the files, with file:line or record and the reason.", b.s.note)
	t := sourcesTable(r)
	fm := b.formats(t, typeKinds(t, "source_id"))
	probs := &analyze.Table{Columns: []analyze.Column{{Name: "file", Type: "VARCHAR"}, {Name: "line", Type: "BIGINT"}, {Name: "record", Type: "BIGINT"}, {Name: "field", Type: "VARCHAR"}, {Name: "reason", Type: "VARCHAR"}, {Name: "excerpt", Type: "VARCHAR"}}}
	for _, f := range r.Sources {
		for _, p := range f.Problems {
			var line, rec any
			if p.Line > 0 {
				line = p.Line
			}
			if p.Record > 0 {
				rec = p.Record
			}
			probs.Rows = append(probs.Rows, []any{f.Path, line, rec, p.Field, p.Reason, p.Excerpt})
		}
		if f.ProblemsOmitted > 0 {
			probs.Rows = append(probs.Rows, []any{f.Path, nil, nil, "", fmt.Sprintf("%d more rejected records: see the load_problems table", f.ProblemsOmitted), ""})
		}
	}
	pm := b.formats(probs, typeKinds(probs, "line", "record"))
	for i := range max(len(fm), len(pm)) {
		w := 0.0
		if i < len(fm) {
			w = fm[i].width
		}
		if i < len(pm) {
			w = max(w, min(pm[i].width, 50))
		}
		sh.width(colName(i+1), colName(i+1), w)
	}
	if sh.err != nil {
		return sh.err
	}
	if err := b.tablePageSetup(sheetSources, fm); err != nil {
		return err
	}
	y, err := b.plainTable(sheetSources, tableHeaderRow, "sources", t, fm, "(no sources)")
	if err != nil {
		return err
	}
	if err := b.f.SetPanes(sheetSources, &excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	y += 2
	sh.set(1, y, "Rejected records", b.s.h2)
	if r.OrphanAuthSteps > 0 {
		sh.set(3, y, fmt.Sprintf("%d authentication-detail rows have no matching sign-in", r.OrphanAuthSteps), b.s.note)
	}
	y++
	if sh.err != nil {
		return sh.err
	}
	_, err = b.plainTable(sheetSources, y, "load_problems", probs, pm, "(no rejected records)")
	return err
}
