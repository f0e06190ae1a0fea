package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportParquet(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	if code, _, errOut := runCLI(t, "load", "--quiet", "--db", db, "../../testdata/json/same-events/graph", "../../testdata/json/shapes/diagnostic-mixed.PT1H.json"); code != exitOK {
		t.Fatalf("load: code %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "parquet")
	code, stdout, errOut := runCLI(t, "export", "--parquet", out, "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("export: code %d: %s", code, errOut)
	}
	var tables []struct {
		Table string `json:"table"`
		Rows  int64  `json:"rows"`
		Files int    `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &tables); err != nil {
		t.Fatalf("export --json: %v\n%s", err, stdout)
	}
	if len(tables) != 19 || tables[0].Table != "signins" || tables[0].Rows == 0 {
		t.Fatalf("export --json: %+v", tables)
	}
	// The Parquet files read back through the sql command hold the same sign-ins.
	q := "SELECT (SELECT count(*) FROM signins) || '=' || count(*) FROM read_parquet('" + filepath.Join(out, "signins", "**", "*.parquet") + "', hive_partitioning=true)"
	code, stdout, errOut = runCLI(t, "sql", "--db", db, "--format", "csv", q)
	if code != exitOK {
		t.Fatalf("sql: code %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if n := lines[len(lines)-1]; !strings.Contains(n, "=") || strings.Split(n, "=")[0] != strings.Split(n, "=")[1] {
		t.Errorf("sign-ins in the database = in the Parquet files: %q", n)
	}

	// A non-empty folder is refused with a hint, and --force replaces the table folders.
	code, _, errOut = runCLI(t, "export", "--parquet", out, "--db", db)
	if code != exitUsage || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "--force") {
		t.Errorf("export into a non-empty folder: code %d: %s", code, errOut)
	}
	code, stdout, errOut = runCLI(t, "export", "--parquet", out, "--db", db, "--force")
	if code != exitOK || !strings.Contains(stdout, "signins") || !strings.Contains(stdout, "read_parquet(") {
		t.Errorf("export --force: code %d: %s%s", code, stdout, errOut)
	}
}

func TestExportUsageErrors(t *testing.T) {
	if code, _, errOut := runCLI(t, "export", "--db", "x.duckdb"); code != exitUsage || !strings.Contains(errOut, "--parquet DIR is required") {
		t.Errorf("no --parquet: code %d: %s", code, errOut)
	}
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "export", "--parquet", dir, dir); code != exitUsage || !strings.Contains(errOut, "also an input") {
		t.Errorf("--parquet is an input: code %d: %s", code, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused export wrote %d entries", len(entries))
	}
}
