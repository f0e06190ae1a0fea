package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// writeSummary fills the first sheet: what was analysed, the counts, the answers, the
// findings by severity, the warnings and a linked list of the other sheets. It is written
// last, so it can say how many cells the other sheets had to clip.
func (b *book) writeSummary(order []string) error {
	sh := b.sheet(sheetSummary)
	r := b.r
	sh.width("A", "A", 28)
	sh.width("B", "F", 14)
	sh.width("G", "H", 20)
	const lastCol = 8 // A:H, 138 character widths
	y := 1
	sh.set(1, y, "Sign-in log report", b.s.title)
	y++
	sh.set(1, y, "Microsoft Entra ID sign-in logs analysed offline by signinlens analyze", b.s.subtitle)
	y += 2
	heading := func(s string) {
		sh.set(1, y, s, b.s.h2)
		sh.style(cell(2, y), cell(lastCol, y), b.s.h2)
		y++
	}
	line := func(s string, style int) {
		sh.set(1, y, s, style)
		sh.merge(cell(1, y), cell(lastCol, y))
		if style == 0 {
			style = b.s.wrap
		}
		sh.style(cell(1, y), cell(1, y), style)
		// A:H is 138 character widths; text averages narrower than the digit a width counts.
		if lines := (utf8.RuneCountInString(s) + 149) / 150; lines > 1 {
			sh.height(y, float64(lines)*15)
		}
		y++
	}
	heading("What was analysed")
	for _, kv := range summaryFacts(r) {
		sh.set(1, y, kv[0], b.s.label)
		sh.set(2, y, kv[1], 0)
		y++
	}
	y++
	heading("Sign-ins by log type and outcome")
	ct := countsTable(r)
	for i, c := range []string{"log type", "sign-ins", "success", "interrupted", "failure"} {
		sh.set(i+1, y, c, b.s.header)
	}
	y++
	for ri, row := range ct.Rows {
		total := ri == len(ct.Rows)-1
		for i, v := range row {
			st := b.s.intNum
			if i == 0 {
				st = 0
				if total {
					st = b.s.bold
				}
			} else if total {
				st = b.s.boldInt
			}
			sh.set(i+1, y, v, st)
		}
		y++
	}
	y++
	heading("The standard questions, answered")
	if len(r.Answers) == 0 {
		line("No catalogue query that answers them ran.", b.s.note)
	}
	for _, a := range r.Answers {
		line("• "+a, 0)
	}
	y++
	if sheet := b.accountsSheet(); sheet != "" && len(r.TopAccounts) > 0 {
		heading("Accounts to look at first")
		for _, a := range r.TopAccounts {
			line("• "+a, 0)
		}
		sh.set(1, y, "Every account with findings, and how the score is counted, on the "+sheet+" sheet", b.s.link)
		sh.link(cell(1, y), fmt.Sprintf("'%s'!A1", sheet))
		y += 2
	}
	if len(r.Changes) > 0 {
		heading("What changed (audit and provisioning logs)")
		for _, a := range r.Changes {
			line("• "+a, 0)
		}
		y++
	}
	if len(r.DetectionRuns) > 0 || len(r.Findings) > 0 {
		heading("Findings by severity")
		for _, c := range r.SeverityCounts() {
			sh.set(1, y, c.Severity, b.s.sev[c.Severity])
			sh.set(2, y, int64(c.Findings), b.s.intNum)
			y++
		}
		sh.set(1, y, detectionsRan(r)+"; details on the Findings sheet", b.s.link)
		sh.link(cell(1, y), fmt.Sprintf("'%s'!A1", sheetFindings))
		y += 2
	}
	heading("Data-quality warnings")
	warnings := append([]string{}, r.Warnings...)
	if b.clipped > 0 {
		warnings = append(warnings, fmt.Sprintf("%d cells were longer than Excel's 32,767 characters and were clipped (they end in \"…[clipped by signinlens …]\"); the full text is in the database", b.clipped))
	}
	if len(warnings) == 0 {
		line("None.", b.s.note)
	}
	for _, w := range warnings {
		line("• "+w, 0)
	}
	y++
	heading("Sheets in this workbook")
	for _, name := range order[1:] {
		sh.set(1, y, name, b.s.link)
		sh.link(cell(1, y), fmt.Sprintf("'%s'!A1", name))
		sh.set(2, y, b.describeSheet(name), b.s.note)
		y++
	}
	if sh.err != nil {
		return sh.err
	}
	return b.landscape(sheetSummary)
}

func (b *book) describeSheet(name string) string {
	switch name {
	case sheetFindings:
		return "one row per finding, severity-coloured, linked to its evidence"
	case sheetEvidence:
		return "the sign-ins, audit and provisioning events behind each finding"
	case sheetCharts:
		return "sign-ins per day by outcome and the top values, as charts"
	case sheetSources:
		return "every input file: format, SHA-256, record accounting, rejected records"
	case sheetMethodology:
		return "each query's question, window, parameters as used and SQL, to re-perform the work"
	}
	if d := b.describeAccountSheet(name); d != "" {
		return d
	}
	if strings.HasPrefix(name, sheetRaw) {
		return "the sign-ins themselves (--raw)"
	}
	for s, n := range b.sheets {
		if n == name {
			return s.Query.Title
		}
	}
	return ""
}
