package report

import (
	"fmt"
	"strings"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// evidenceBlock is one kind of evidence on the Evidence sheet: the sign-ins, audit events
// or provisioning events behind the findings, one table below the other.
type evidenceBlock struct {
	t       *analyze.Table
	heading string   // shown above the block when it is not the first
	one     string   // the row's name in a link label, singular and plural
	many    string   //
	codes   []string // whole-number columns shown as codes
	header  int      // row of the block's column headers
}

// evidenceBlocks lays out the non-empty evidence tables: the first with its headers on
// tableHeaderRow, each further one two rows below the previous, under a heading.
func (b *book) evidenceBlocks() []evidenceBlock {
	r := b.r
	all := []evidenceBlock{
		{t: r.Evidence, heading: "Sign-ins", one: "sign-in", many: "sign-ins", codes: signinCodes()},
		{t: r.AuditEvidence, heading: "Audit events", one: "audit event", many: "audit events", codes: []string{"audit_key", "source_line"}},
		{t: r.ProvisioningEvidence, heading: "Provisioning events", one: "provisioning event", many: "provisioning events",
			codes: []string{"provisioning_key", "error_code", "source_line"}},
	}
	var out []evidenceBlock
	next := tableHeaderRow
	for _, e := range all {
		if e.t == nil || len(e.t.Rows) == 0 {
			continue
		}
		if len(out) > 0 {
			next += 2 // a blank row, then the heading
		}
		e.header = next
		out = append(out, e)
		next = e.header + len(e.t.Rows) + 1 // the first free row
	}
	return out
}

// evidenceLinks says, per finding number, where its first evidence row is and how much
// evidence of each kind it has ("2 sign-ins, 1 audit event").
func (b *book) evidenceLinks() (first map[int64]int, label map[int64]string) {
	first, label = map[int64]int{}, map[int64]string{}
	parts := map[int64][]string{}
	for _, e := range b.evidenceBlocks() {
		count := map[int64]int{}
		var order []int64
		for i, row := range e.t.Rows {
			n := toInt(row[0])
			if _, ok := first[n]; !ok {
				first[n] = e.header + 1 + i
			}
			if count[n] == 0 {
				order = append(order, n)
			}
			count[n]++
		}
		for _, n := range order {
			word := e.many
			if count[n] == 1 {
				word = e.one
			}
			parts[n] = append(parts[n], fmt.Sprintf("%d %s", count[n], word))
		}
	}
	for n, p := range parts {
		label[n] = strings.Join(p, ", ") + " →"
	}
	return first, label
}

// writeFindings lists one finding a row, its severity coloured, with a link to its first
// sign-in on the Evidence sheet.
func (b *book) writeFindings() error {
	r := b.r
	if len(r.DetectionRuns) == 0 && len(r.Findings) == 0 {
		return nil
	}
	t := findingsTable(r)
	t.Columns = append(t.Columns, analyze.Column{Name: "evidence", Type: "VARCHAR"})
	for i := range t.Rows {
		t.Rows[i] = append(t.Rows[i], nil) // the link, written below
	}
	first, labels := b.evidenceLinks()
	fm := b.formats(t, typeKinds(t, "finding"))
	fm[len(fm)-1].width = 18
	sh := b.sheet(sheetFindings)
	sh.set(1, 1, "Findings", b.s.title)
	sh.set(1, 2, fmt.Sprintf("%d findings from %s, highest severity first. The evidence link opens the sign-ins and audit or provisioning events behind each finding.",
		len(r.Findings), detectionsRan(r)), b.s.subtitle)
	sh.set(1, 3, "Times in "+b.zone+". Thresholds and windows are on the Methodology sheet.", b.s.note)
	for i, f := range fm {
		sh.width(colName(i+1), colName(i+1), f.width)
		sh.set(i+1, tableHeaderRow, f.header, b.s.header)
	}
	for ri, row := range t.Rows {
		y := tableHeaderRow + 1 + ri
		for i, v := range row {
			sh.set(i+1, y, b.value(v, fm[i]), 0)
		}
		f := r.Findings[ri]
		if st, ok := b.s.sev[f.Severity]; ok {
			sh.style(cell(2, y), cell(2, y), st)
		}
		n := int64(ri + 1)
		ec := len(fm)
		if at, ok := first[n]; ok {
			label := labels[n]
			sh.set(ec, y, label, b.s.link)
			tip := fmt.Sprintf("Evidence of finding %d", n)
			sh.link(cell(ec, y), fmt.Sprintf("'%s'!A%d", sheetEvidence, at), excelize.HyperlinkOpts{Display: &label, Tooltip: &tip})
		} else {
			sh.set(ec, y, "none listed", b.s.note)
		}
	}
	last := tableHeaderRow + len(t.Rows)
	if len(t.Rows) == 0 {
		last++
		sh.set(1, last, "(no findings)", b.s.note)
	}
	if sh.err != nil {
		return sh.err
	}
	yes := true
	if err := b.f.AddTable(sheetFindings, &excelize.Table{Range: cell(1, tableHeaderRow) + ":" + cell(len(fm), last), Name: b.tableName("findings"),
		StyleName: "TableStyleMedium2", ShowRowStripes: &yes}); err != nil {
		return err
	}
	if err := b.f.SetPanes(sheetFindings, &excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return b.landscape(sheetFindings)
}

// writeEvidence lists the rows behind each finding, numbered as on the Findings sheet: the
// sign-ins, then the audit events, then the provisioning events, each in time order. The
// first block is an Excel table; the ones below it are written as plain rows under a heading
// (a streamed sheet holds one table).
func (b *book) writeEvidence() error {
	r := b.r
	blocks := b.evidenceBlocks()
	if len(blocks) == 0 || (len(r.DetectionRuns) == 0 && len(r.Findings) == 0) {
		return nil
	}
	var what []string
	for _, e := range blocks {
		what = append(what, e.many)
	}
	fms := make([][]colFormat, len(blocks))
	widths := map[int]float64{}
	for i, e := range blocks {
		fms[i] = b.formats(e.t, typeKinds(e.t, append([]string{"finding"}, e.codes...)...))
		for j, f := range fms[i] {
			widths[j] = max(widths[j], f.width)
		}
	}
	if err := b.tablePageSetup(sheetEvidence, fms[0]); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(sheetEvidence)
	if err != nil {
		return err
	}
	for j := 0; j < len(widths); j++ {
		if err := sw.SetColWidth(j+1, j+1, widths[j]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	note := "Times in " + b.zone + ". signin_key identifies the row in the database (signinlens sql --db ... \"SELECT * FROM signins WHERE signin_key = ...\")"
	if len(blocks) > 1 || blocks[0].t != r.Evidence {
		note += "; audit_key and provisioning_key likewise in the audits and provisioning tables"
	}
	head := []any{
		excelize.Cell{StyleID: b.s.title, Value: "Evidence"},
		excelize.Cell{StyleID: b.s.subtitle, Value: "The " + joinAnd(what) + " behind each finding, in time order; the finding column is the number on the Findings sheet."},
		excelize.Cell{StyleID: b.s.note, Value: note + "."},
	}
	for i, h := range head {
		if err := sw.SetRow(cell(1, i+1), []any{h}); err != nil {
			return err
		}
	}
	for i, e := range blocks {
		fm := fms[i]
		if i > 0 {
			if err := sw.SetRow(cell(1, e.header-1), []any{excelize.Cell{StyleID: b.s.h2, Value: e.heading}}); err != nil {
				return err
			}
		}
		hdr := make([]any, len(fm))
		for j, f := range fm {
			hdr[j] = excelize.Cell{StyleID: b.s.header, Value: f.header}
		}
		if err := sw.SetRow(cell(1, e.header), hdr); err != nil {
			return err
		}
		for ri, row := range e.t.Rows {
			vals := make([]any, len(fm))
			for j, v := range row {
				vals[j] = b.value(v, fm[j])
			}
			if err := sw.SetRow(cell(1, e.header+1+ri), vals); err != nil {
				return err
			}
		}
		if i == 0 {
			yes := true
			if err := sw.AddTable(&excelize.Table{Range: cell(1, e.header) + ":" + cell(len(fm), e.header+len(e.t.Rows)), Name: b.tableName("evidence"),
				StyleName: "TableStyleMedium2", ShowRowStripes: &yes}); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

// joinAnd joins words as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(w []string) string {
	if len(w) <= 1 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
