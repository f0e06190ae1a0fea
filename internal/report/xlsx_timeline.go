package report

import (
	"fmt"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/words"
	"github.com/xuri/excelize/v2"
)

// timelineCodes are the timeline's whole-number columns that name something.
var timelineCodes = []string{"asn", "error_code", "signin_key", "audit_key"}

// highlight is the fill of a timeline row that is evidence of a finding.
var highlight = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}

// writeTimelines writes one sheet per investigated account (analyze --investigate): its
// sign-ins and audit events in time order, the rows that are evidence of a finding filled
// red with the findings' numbers.
func (b *book) writeTimelines() error {
	if len(b.r.Timelines) == 0 {
		return nil
	}
	// Highlighted cells keep their number format: one style per format.
	hl := map[colKind]int{}
	custom := func(f string) *string { return &f }
	for k, st := range map[colKind]*excelize.Style{
		kindText: {Fill: highlight},
		kindTime: {Fill: highlight, CustomNumFmt: custom("yyyy-mm-dd hh:mm:ss")},
		kindCode: {Fill: highlight, NumFmt: 1},
		kindInt:  {Fill: highlight, NumFmt: 3},
	} {
		id, err := b.f.NewStyle(st)
		if err != nil {
			return fmt.Errorf("excel style: %w", err)
		}
		hl[k] = id
	}
	for i, tl := range b.r.Timelines {
		if err := b.writeTimeline(b.timelines[i], tl, hl); err != nil {
			return fmt.Errorf("%s: %w", b.timelines[i], err)
		}
	}
	return nil
}

func (b *book) writeTimeline(name string, tl *analyze.Timeline, hl map[colKind]int) error {
	t := tl.Table
	fm := b.formats(t, typeKinds(t, timelineCodes...))
	var signins, audits, marked int64
	logCol, findingsCol := analyze.ColumnIndex(t, "log"), analyze.ColumnIndex(t, "findings")
	for i, row := range t.Rows {
		if logCol >= 0 && row[logCol] == "audit" {
			audits++
		} else {
			signins++
		}
		if tl.Suspicious(i) {
			marked++
		}
	}
	sh := b.sheet(name)
	sh.set(1, 1, "Timeline of "+tl.Account, b.s.title)
	sh.set(1, 2, "Sign-ins and audit events of this account (by user principal name or object id; the audit events it initiated or was a target of), in time order. "+
		"Rows filled red are evidence of a finding: the findings column gives their numbers on the Findings sheet and links to the first.", b.s.subtitle)
	span := "whole export up to " + tl.Until.In(b.loc).Format("2006-01-02 15:04 MST")
	if !tl.Since.IsZero() {
		span = "events after " + tl.Since.In(b.loc).Format("2006-01-02 15:04 MST") + " up to " + tl.Until.In(b.loc).Format("2006-01-02 15:04 MST")
	}
	sh.set(1, 3, fmt.Sprintf("%s and %s, %s · %s (the other filters do not apply) · times in %s",
		words.Plural(signins, "sign-in", "sign-ins"), words.Plural(audits, "audit event", "audit events"),
		words.Plural(marked, "row highlighted", "rows highlighted"), span, b.zone), b.s.note)
	for i, f := range fm {
		sh.width(colName(i+1), colName(i+1), f.width)
		sh.set(i+1, tableHeaderRow, f.header, b.s.header)
	}
	for ri, row := range t.Rows {
		y := tableHeaderRow + 1 + ri
		mark := tl.Suspicious(ri)
		for i, v := range row {
			st := 0
			if mark {
				k := fm[i].kind
				if _, ok := hl[k]; !ok {
					k = kindText
				}
				st = hl[k]
			}
			sh.set(i+1, y, b.value(v, fm[i]), st)
			if mark && v == nil {
				sh.style(cell(i+1, y), cell(i+1, y), st)
			}
		}
		// The findings cell opens the row's first finding on the Findings sheet.
		if !mark || findingsCol < 0 {
			continue
		}
		if l, _ := row[findingsCol].([]any); len(l) > 0 {
			if n, ok := analyze.AsInt(l[0]); ok {
				sh.link(cell(findingsCol+1, y), fmt.Sprintf("'%s'!A%d", sheetFindings, tableHeaderRow+int(n)))
			}
		}
	}
	if sh.err != nil {
		return sh.err
	}
	yes := true
	if err := b.f.AddTable(name, &excelize.Table{Range: cell(1, tableHeaderRow) + ":" + cell(len(fm), tableHeaderRow+len(t.Rows)),
		Name: b.tableName("timeline " + tl.Account), StyleName: "TableStyleLight9", ShowRowStripes: &yes}); err != nil {
		return err
	}
	if err := b.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: tableHeaderRow, TopLeftCell: cell(1, tableHeaderRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return b.tablePageSetup(name, fm)
}
