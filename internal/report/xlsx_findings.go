package report

import (
	"fmt"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// evidenceRows maps a finding number to its first row on the Evidence sheet.
func (b *book) evidenceRows() (first map[int64]int, count map[int64]int) {
	first, count = map[int64]int{}, map[int64]int{}
	if b.r.Evidence == nil {
		return
	}
	for i, row := range b.r.Evidence.Rows {
		n := toInt(row[0])
		if _, ok := first[n]; !ok {
			first[n] = tableHeaderRow + 1 + i
		}
		count[n]++
	}
	return
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
	first, count := b.evidenceRows()
	fm := b.formats(t, typeKinds(t, "finding"))
	fm[len(fm)-1].width = 18
	sh := b.sheet(sheetFindings)
	sh.set(1, 1, "Findings", b.s.title)
	sh.set(1, 2, fmt.Sprintf("%d findings from %s, highest severity first. The evidence link opens the sign-ins behind each finding.",
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
			label := fmt.Sprintf("%d sign-ins →", count[n])
			if count[n] == 1 {
				label = "1 sign-in →"
			}
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

// writeEvidence lists the sign-ins behind each finding, numbered as on the Findings sheet.
func (b *book) writeEvidence() error {
	r := b.r
	if r.Evidence == nil || len(r.Evidence.Rows) == 0 || (len(r.DetectionRuns) == 0 && len(r.Findings) == 0) {
		return nil
	}
	head := [][2]any{
		{excelize.Cell{StyleID: b.s.title, Value: "Evidence"}},
		{excelize.Cell{StyleID: b.s.subtitle, Value: "The sign-ins behind each finding, in time order; the finding column is the number on the Findings sheet."}},
		{excelize.Cell{StyleID: b.s.note, Value: "Times in " + b.zone + ". signin_key identifies the row in the database (signinlens sql --db ... \"SELECT * FROM signins WHERE signin_key = ...\")."}},
	}
	sw, _, err := b.streamTable(sheetEvidence, "evidence", head, r.Evidence, typeKinds(r.Evidence, append([]string{"finding"}, signinCodes()...)...), "")
	if err != nil {
		return err
	}
	return sw.Flush()
}
