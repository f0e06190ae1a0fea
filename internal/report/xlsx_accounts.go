package report

import (
	"fmt"
	"strings"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// accountSheets names the sheets that follow the Summary: the sheet of each query that
// reads the findings (the accounts to look at first), then one timeline sheet per
// investigated account, "Timeline " and the account cut to Excel's 31 characters.
func (b *book) accountSheets(taken map[string]bool) []string {
	var out []string
	for _, s := range b.r.Sections {
		if name, ok := b.sheets[s]; ok && s.Query.AfterDetections {
			out = append(out, name)
		}
	}
	b.timelines = nil
	for _, tl := range b.r.Timelines {
		name := uniqueSheetName("Timeline "+tl.Account, taken)
		b.timelines = append(b.timelines, name)
		out = append(out, name)
	}
	return out
}

// accountsScore says in words how the accounts query scored, with the weights it ran
// with (its bound parameters), for the line under the sheet's title.
func accountsScore(s *analyze.Section) string {
	arg := func(name string) string { return fmt.Sprint(s.Bound.Args[name]) }
	return fmt.Sprintf("Score = %s × high + %s × medium + %s × low findings + %s × distinct detections + %s when a sign-in succeeded after failures from the same address + %s when a persistence detection (%s) names the account. Findings about the export itself (%s) count for no account.",
		arg("weight_high"), arg("weight_medium"), arg("weight_low"), arg("per_detection"), arg("success_after_failures"),
		arg("persistence"), strings.ReplaceAll(arg("persistence_detections"), ",", ", "), strings.ReplaceAll(arg("data_checks"), ",", ", "))
}

// sectionHead is the three lines above a query's table: title, question (for the
// accounts query, its score), and window, row count and zone.
func (b *book) sectionHead(s *analyze.Section) [][2]any {
	q := s.Query
	info := fmt.Sprintf("%s · %d rows · times in %s", capitalize(analyze.DescribeWindow(s.Bound, b.loc)), len(s.Table.Rows), b.zone)
	second := q.Question
	if q.ID == "accounts" {
		second = accountsScore(s)
		info = "Highest score first. " + info + " · weights can be changed with --set accounts.weight_high=... (Methodology sheet)"
	}
	head := [][2]any{
		{excelize.Cell{StyleID: b.s.title, Value: q.Title}},
		{excelize.Cell{StyleID: b.s.subtitle, Value: second}},
		{excelize.Cell{StyleID: b.s.note, Value: info}},
	}
	if s.Unavailable != "" {
		head[2][0] = excelize.Cell{StyleID: b.s.warn, Value: info + " · " + s.Unavailable}
	}
	return head
}

// accountsSheet is the name of the accounts query's sheet, "" when it did not run.
func (b *book) accountsSheet() string {
	for s, name := range b.sheets {
		if s.Query.ID == "accounts" {
			return name
		}
	}
	return ""
}

// describeAccountSheet is the Summary's line about a timeline sheet, "" for other sheets.
func (b *book) describeAccountSheet(name string) string {
	for i, n := range b.timelines {
		if n == name {
			return "sign-ins and audit events of " + b.r.Timelines[i].Account + " in time order, evidence of findings highlighted (--investigate)"
		}
	}
	return ""
}
