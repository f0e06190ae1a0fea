package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
)

// TestEveryReportFormat renders the fixture's report in every format of the one list.
func TestEveryReportFormat(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Detect: rptFakeDetect})
	dir := t.TempDir()
	for _, f := range Formats() {
		for _, ext := range f.Exts {
			got, err := FormatFor("report" + strings.ToUpper(ext))
			if err != nil || got == nil || got.Name != f.Name {
				t.Errorf("FormatFor(%s) = %v, %v", ext, got, err)
			}
		}
		path := filepath.Join(dir, "report"+f.Exts[0])
		if err := WriteFile(context.Background(), path, r); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		b, err := os.ReadFile(path)
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %d bytes, %v", f.Name, len(b), err)
		}
		switch f.Name {
		case "json":
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("json: %v", err)
			}
			for _, k := range []string{"meta", "sources", "counts", "answers", "sections", "findings", "detection_runs", "evidence", "warnings", "scope_macro"} {
				if _, ok := m[k]; !ok {
					t.Errorf("json lacks %q", k)
				}
			}
			secs := m["sections"].([]any)
			q := secs[0].(map[string]any)["query"].(map[string]any)
			if q["id"] == "" || q["sql"] == "" {
				t.Errorf("json section query %v", q)
			}
			if src := m["sources"].([]any)[0].(map[string]any); src["records"] != 13.0 || src["rejected"] != 1.0 {
				t.Errorf("json sources %v", src)
			}
		case "markdown":
			s := string(b)
			for _, want := range []string{"# Sign-in log report", "| interactiveUser | 5 | 2 | 1 | 2 |", "## log-types: Sign-ins per log type",
				"- 10 sign-ins in all events up to 2025-06-15 12:00 UTC", "high 1, medium 0, low 1", "PT1H.json:9: diagnostic record"} {
				if !strings.Contains(s, want) {
					t.Errorf("markdown lacks %q", want)
				}
			}
		case "xlsx":
			if string(b[:2]) != "PK" {
				t.Errorf("xlsx is not a zip")
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(Formats()) {
		t.Errorf("%d files in the output folder, want %d (no temporary files left)", len(entries), len(Formats()))
	}
}

func TestUnknownReportFormat(t *testing.T) {
	_, err := FormatFor("report.txt")
	if err == nil {
		t.Fatal("no error for .txt")
	}
	for _, f := range Formats() {
		for _, ext := range f.Exts {
			if !strings.Contains(err.Error(), ext) {
				t.Errorf("error %q does not offer %s", err, ext)
			}
		}
	}
	if _, err := FormatFor("report"); err == nil || !strings.Contains(err.Error(), "no extension") {
		t.Errorf("no extension: %v", err)
	}
	help := FormatHelp()
	for _, f := range Formats() {
		if !strings.Contains(help, f.Exts[0]) || !strings.Contains(help, f.Title) {
			t.Errorf("help lacks %s", f.Name)
		}
	}
}

// TestFailedWriteLeavesNothing: an interrupted run leaves neither the report nor a
// temporary file, and an existing report is kept as it was.
func TestFailedWriteLeavesNothing(t *testing.T) {
	r := rptBuild(t, analyze.Params{}, analyze.ReportOptions{Detect: rptNoDetect})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, f := range Formats() {
		path := filepath.Join(dir, "report"+f.Exts[0])
		if f.Name == "json" {
			continue // a JSON encode has no step to interrupt
		}
		if err := WriteFile(ctx, path, r); err == nil {
			t.Errorf("%s: no error with a cancelled context", f.Name)
		}
	}
	keep := filepath.Join(dir, "old.xlsx")
	os.WriteFile(keep, []byte("previous"), 0o644)
	if err := WriteFile(ctx, keep, r); err == nil {
		t.Error("no error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %q", names)
	}
	if b, _ := os.ReadFile(keep); string(b) != "previous" {
		t.Errorf("existing report changed by a failed run")
	}
}

func TestMarkdownEscapesExportText(t *testing.T) {
	if got := mdEscape("<img src=x>|[a](b)\n`c`"); got != "&lt;img src=x&gt;\\|\\[a\\](b) \\`c\\`" {
		t.Errorf("mdEscape = %q", got)
	}
}

// TestMarkdownEscapingIsOne: hostile export text gets the same escaping in the Markdown
// report (-o report.md) and in query output (--format markdown), and neither lets it become
// HTML, a link, code or emphasis, or break the table row.
func TestMarkdownEscapingIsOne(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<script>alert(1)</script>`, `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{`[click](javascript:alert(1))`, `\[click\](javascript:alert(1))`},
		{"`rm -rf`", "\\`rm -rf\\`"},
		{`*bold* and _it_`, `\*bold\* and \_it\_`},
		{"a|b\r\nc\nd", `a\|b c d`},
		{`C:\Users\x`, `C:\\Users\\x`},
		{`![img](http://x.example/a.png)`, `!\[img\](http://x.example/a.png)`},
	}
	tab := &analyze.Table{Columns: []analyze.Column{{Name: "user_agent", Type: "VARCHAR"}}}
	for _, c := range cases {
		tab.Rows = append(tab.Rows, []any{c.in})
	}
	var out strings.Builder
	if err := RenderTable(&out, tab, "markdown", RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	query := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")[2:]

	q := &queries.Query{ID: "hostile", Kind: "query", Title: "Hostile", Question: "What does the export say?", Window: "all"}
	r := &analyze.Report{Meta: analyze.Meta{TimeZone: "UTC", AsOf: rptGenerated, GeneratedAt: rptGenerated},
		Sections: []*analyze.Section{{Query: q, Bound: analyze.Bound{Until: rptGenerated}, Table: tab}}}
	var md bytes.Buffer
	if err := WriteMarkdown(context.Background(), &md, r); err != nil {
		t.Fatal(err)
	}
	doc := md.String()
	at := strings.Index(doc, "| user_agent |\n|---|\n")
	if at < 0 {
		t.Fatalf("report has no hostile table:\n%s", doc)
	}
	report := strings.Split(doc[at:], "\n")[2 : 2+len(cases)]

	for i, c := range cases {
		want := "| " + c.want + " |"
		if query[i] != want {
			t.Errorf("--format markdown: %q, want %q", query[i], want)
		}
		if report[i] != want {
			t.Errorf("report.md: %q, want %q", report[i], want)
		}
	}
}
