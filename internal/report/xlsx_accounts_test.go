package report

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/xuri/excelize/v2"
)

// rptFill is the first fill colour of a cell's style, "" when none.
func rptFill(t *testing.T, f *excelize.File, sh, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sh, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil || st == nil || len(st.Fill.Color) == 0 {
		return ""
	}
	return st.Fill.Color[0]
}

// TestWorkbookAccountsAndTimelines: the accounts sheet comes right after the Summary, then
// one timeline per investigated account; bob's two failures (the fake finding's evidence,
// lines 2 and 5 of the fixture) are highlighted, alice's four sign-ins are not. By hand,
// bob scores 10 (one high finding) + 2 (one detection) = 12; his sign-ins both failed, so
// there is no success after failures.
func TestWorkbookAccountsAndTimelines(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Detect: rptFakeDetect,
		Investigate: []string{"bob@contoso.example", "alice@contoso.example", "nobody@contoso.example"}})
	f, _ := rptWorkbook(t, r)
	sheets := f.GetSheetList()
	want := []string{"Summary", "accounts", "Timeline bob@contoso.example", "Timeline alice@contoso.example", "Findings", "Evidence", "Charts"}
	if !slices.Equal(sheets[:len(want)], want) {
		t.Fatalf("first sheets %q, want %q", sheets[:len(want)], want)
	}

	for ref, want := range map[string]string{"A1": "Accounts to look at first", "A4": "account", "A5": "bob@contoso.example", "B5": "user", "I5": r.Findings[0].Detection} {
		if got, _ := f.GetCellValue("accounts", ref); got != want {
			t.Errorf("accounts!%s = %q, want %q", ref, got, want)
		}
	}
	rptNumeric(t, f, "accounts", "D5", 12)
	if v, _ := f.GetCellValue("accounts", "A2"); !strings.HasPrefix(v, "Score = 10 × high + 4 × medium + 1 × low findings + 2 × distinct detections + 5 when") {
		t.Errorf("accounts!A2 does not explain the score: %q", v)
	}
	if v, _ := f.GetCellValue("accounts", "A6"); v != "" {
		t.Errorf("accounts!A6 = %q: the finding without evidence names no account", v)
	}

	if !rptSheetHas(f, "Summary", "Accounts to look at first") ||
		!rptSheetHas(f, "Summary", "• bob@contoso.example (user): score 12, 1 finding (1 high): "+r.Findings[0].Detection+"; suspicious from 2025-06-15 10:00 UTC to 2025-06-15 11:00 UTC") {
		t.Errorf("the Summary does not name bob as the account to look at first")
	}
	if !rptSheetHas(f, "Summary", "--investigate nobody@contoso.example: no sign-in and no audit event") {
		t.Errorf("the Summary does not say nobody@contoso.example has no events")
	}
	if slices.ContainsFunc(sheets, func(s string) bool { return strings.Contains(s, "nobody") }) {
		t.Errorf("a timeline sheet for an account without events: %q", sheets)
	}

	bob, alice := "Timeline bob@contoso.example", "Timeline alice@contoso.example"
	if v, _ := f.GetCellValue(bob, "A1"); v != "Timeline of bob@contoso.example" {
		t.Errorf("%s!A1 = %q", bob, v)
	}
	rows, _ := f.GetRows(bob)
	if len(rows) != 6 {
		t.Fatalf("%s: %d rows, want title lines, header and bob's 2 sign-ins", bob, len(rows))
	}
	head := rows[3]
	col := func(name string) int { return slices.Index(head, name) + 1 }
	if col("findings") == 0 || col("user_agent") == 0 || col("time (UTC)") != 1 {
		t.Fatalf("%s header %q", bob, head)
	}
	for _, y := range []int{5, 6} {
		for _, c := range []int{1, col("log"), col("error_code"), col("findings")} {
			if got := rptFill(t, f, bob, cell(c, y)); got != "FFC7CE" {
				t.Errorf("%s!%s fill %q, want the highlight FFC7CE", bob, cell(c, y), got)
			}
		}
		if v, _ := f.GetCellValue(bob, cell(col("findings"), y)); v != "1" {
			t.Errorf("%s!%s findings %q, want 1", bob, cell(col("findings"), y), v)
		}
		if ok, target, _ := f.GetCellHyperLink(bob, cell(col("findings"), y)); !ok || target != "'Findings'!A5" {
			t.Errorf("%s!%s links to %q, want 'Findings'!A5", bob, cell(col("findings"), y), target)
		}
		if v, _ := f.GetCellValue(bob, cell(col("result"), y)); v != "failure" {
			t.Errorf("%s!%s result %q", bob, cell(col("result"), y), v)
		}
	}
	rptDateFormat(t, f, bob, "A5", "yyyy-mm-dd hh:mm:ss")
	arows, _ := f.GetRows(alice)
	if len(arows) != 8 {
		t.Errorf("%s: %d rows, want title lines, header and alice's 4 sign-ins", alice, len(arows))
	}
	for y := 5; y <= 8; y++ {
		if got := rptFill(t, f, alice, cell(1, y)); got != "" {
			t.Errorf("%s!A%d is highlighted (%q) without being evidence", alice, y, got)
		}
	}
	if !rptSheetHas(f, alice, `=HYPERLINK("http://x","y")`) {
		t.Errorf("%s lacks alice's user agent, as text", alice)
	}

	// Print setup: every table sheet one page wide; the wide ones in landscape, the narrow
	// daily sheet upright.
	for sh, orient := range map[string]string{"accounts": "landscape", bob: "landscape", "Evidence": "landscape", "Sources": "landscape", "daily": "portrait"} {
		props, err := f.GetSheetProps(sh)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: not fitted to the page (%+v, %v)", sh, props, err)
		}
		pl, err := f.GetPageLayout(sh)
		if err != nil || pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 ||
			pl.Orientation == nil || *pl.Orientation != orient {
			t.Errorf("%s: page layout %+v, %v; want one page wide, %s", sh, pl, err, orient)
		}
	}
}

// TestTimelineSheetNames: a timeline sheet's name fits Excel's rules however the account
// is spelled, and two accounts that share the first 31 characters get two sheets.
func TestTimelineSheetNames(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Detect: rptNoDetect, Investigate: []string{"alice@contoso.example"}})
	tl := r.Timelines[0]
	r.Timelines = []*analyze.Timeline{
		{Account: "first.last/with[odd]:chars*?@contoso.example", Table: tl.Table},
		{Account: "first.last/with[odd]:chars*?@contoso.example.org", Table: tl.Table},
	}
	f, _ := rptWorkbook(t, r)
	sheets := f.GetSheetList()
	want := []string{"Summary", "accounts", "Timeline first.last_with_odd__c", "Timeline first.last_with_odd_~2"}
	if !slices.Equal(sheets[:4], want) {
		t.Errorf("sheets %q, want %q", sheets[:4], want)
	}
	if v, _ := f.GetCellValue(want[3], "A1"); v != "Timeline of first.last/with[odd]:chars*?@contoso.example.org" {
		t.Errorf("%s!A1 = %q", want[3], v)
	}
}

// TestMarkdownAccountsAndTimelines: the Markdown report names the accounts to look at
// first and lays out each timeline; the JSON report carries both.
func TestMarkdownAccountsAndTimelines(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Detect: rptFakeDetect, Investigate: []string{"bob@contoso.example"}})
	var md, js bytes.Buffer
	if err := WriteMarkdown(context.Background(), &md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n## Accounts to look at first\n\n- bob@contoso.example (user): score 12, 1 finding (1 high): ",
		"\n## Timeline of bob@contoso.example\n", "| interactiveUser | sign-in |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown report lacks %q", want)
		}
	}
	if err := WriteJSON(context.Background(), &js, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TopAccounts []string `json:"top_accounts"`
		Timelines   []struct {
			Account string         `json:"account"`
			Table   *analyze.Table `json:"table"`
		} `json:"timelines"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.TopAccounts) != 1 || len(doc.Timelines) != 1 || doc.Timelines[0].Account != "bob@contoso.example" || len(doc.Timelines[0].Table.Rows) != 2 {
		t.Errorf("JSON top accounts %q, timelines %+v", doc.TopAccounts, doc.Timelines)
	}
}
