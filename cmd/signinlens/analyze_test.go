package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/report"
	"github.com/xuri/excelize/v2"
)

const analyzeFixture = "../../testdata/analyze/basic"

func TestAnalyzeWritesWorkbookAndSummary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.xlsx")
	code, stdout, stderr := runCLI(t, "analyze", analyzeFixture, "-o", out, "--quiet")
	if code != exitOK {
		t.Fatalf("code %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"wrote " + out + " (xlsx)",
		"sign-ins: 10 from 2025-06-13 16:00 UTC to 2025-06-15 12:00 UTC, as of 2025-06-15 12:00 UTC",
		"interactiveUser             5  (success 2, interrupted 1, failure 2)",
		"answers:\n  10 sign-ins in all events up to 2025-06-15 12:00 UTC",
		"findings: high ",
		"warnings:\n  ../../testdata/analyze/basic/PT1H.json: 1 record rejected",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("--quiet, yet stderr: %q", stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); sheets[0] != "Summary" || !strings.Contains(strings.Join(sheets, ","), "log-types") {
		t.Errorf("sheets %q", sheets)
	}
	if a, _ := f.GetCellValue("Summary", "A12"); a != "signinlens version" {
		t.Errorf("Summary!A12 = %q", a)
	}
	if v, _ := f.GetCellValue("Summary", "B12"); v != currentVersion() {
		t.Errorf("Summary!B12 = %q, want the version %q", v, currentVersion())
	}
}

// TestAnalyzeEveryFormat runs the command once per format of the one list.
func TestAnalyzeEveryFormat(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	if code, _, stderr := runCLI(t, "load", "--db", db, "--quiet", analyzeFixture); code != exitOK {
		t.Fatalf("load: %d %s", code, stderr)
	}
	for _, f := range report.Formats() {
		out := filepath.Join(dir, "report"+f.Exts[0])
		code, stdout, stderr := runCLI(t, "analyze", "--db", db, "-o", out)
		if code != exitOK || !strings.Contains(stdout, "("+f.Name+")") {
			t.Errorf("%s: code %d\n%s\n%s", f.Name, code, stdout, stderr)
		}
		if st, err := os.Stat(out); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
}

func TestAnalyzeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "PT1H.json")
	orig, err := os.ReadFile(filepath.Join(analyzeFixture, "PT1H.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(input, orig, 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"analyze", analyzeFixture}, exitUsage, "no output: give -o REPORT"},
		{[]string{"analyze", analyzeFixture, "-o", "report.txt"}, exitUsage, "unknown extension .txt: want one of " + report.Extensions()},
		{[]string{"analyze", analyzeFixture, "-o", "report.md", "--raw"}, exitUsage, "--raw needs a workbook output"},
		{[]string{"analyze", analyzeFixture, "-o", "report.xlsx", "--fail-on", "urgent"}, exitUsage, `--fail-on: unknown severity "urgent"`},
		{[]string{"analyze", analyzeFixture, "-o", "report.xlsx", "--set", "nosuch.x=1"}, exitUsage, "--set nosuch.x"},
		{[]string{"analyze", dir, "-o", dir}, exitUsage, "is a folder"},
		{[]string{"analyze", dir, "-o", filepath.Join(dir, "nope", "r.xlsx")}, exitFailure, "does not exist"},
		{[]string{"analyze", input, "-o", strings.TrimSuffix(input, ".json") + ".json"}, exitUsage, "is one of the inputs"},
		{[]string{"analyze", "--db", filepath.Join(dir, "x.json"), "-o", filepath.Join(dir, "x.json")}, exitUsage, "is the database"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: code %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	// A report name inside an input folder that already holds it is an input too.
	clash := filepath.Join(dir, "report.json")
	os.WriteFile(clash, []byte("[]"), 0o644)
	if code, _, stderr := runCLI(t, "analyze", dir, "-o", clash, "--quiet"); code != exitUsage || !strings.Contains(stderr, "is one of the inputs") {
		t.Errorf("report inside the input folder: %d %q", code, stderr)
	}
	// A link to an input is the input.
	link := filepath.Join(t.TempDir(), "link.json")
	if err := os.Symlink(input, link); err == nil {
		if code, _, stderr := runCLI(t, "analyze", input, "-o", link, "--quiet"); code != exitUsage || !strings.Contains(stderr, "is one of the inputs") {
			t.Errorf("report path linked to the input: %d %q", code, stderr)
		}
	}
	if b, _ := os.ReadFile(input); string(b) != string(orig) {
		t.Errorf("input changed")
	}
	if b, _ := os.ReadFile(clash); string(b) != "[]" {
		t.Errorf("existing file in the input folder changed")
	}
}
