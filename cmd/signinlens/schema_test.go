package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/store"
)

// schemaSections splits 'signinlens schema' output into its tables: name, then the lines
// under it.
func schemaSections(out string) map[string][]string {
	sections := map[string][]string{}
	var table string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case line == "":
		case !strings.HasPrefix(line, " "):
			table = line
			sections[table] = nil
		default:
			sections[table] = append(sections[table], strings.TrimSpace(line))
		}
	}
	return sections
}

// Every table of a new database is in 'signinlens schema', each with what DuckDB says its
// columns are: listed one per line, or, for a table made in another's shape, named as that
// table's columns, which DuckDB confirms are the same.
func TestSchemaDescribesEveryTable(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "case.duckdb"), store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	columns := map[string][]string{}
	rows, err := db.SQL.Query(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		columns[table] = append(columns[table], column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(columns) < 9 {
		t.Fatalf("a new database has %d tables: %v", len(columns), columns)
	}
	code, out, _ := runCLI(t, "schema")
	if code != 0 {
		t.Fatal(code)
	}
	sections := schemaSections(out)
	for table, cols := range columns {
		lines, ok := sections[table]
		if !ok {
			t.Errorf("schema does not show table %s", table)
			continue
		}
		if len(lines) == 1 && strings.HasPrefix(lines[0], "same columns as ") {
			like, _, _ := strings.Cut(strings.TrimPrefix(lines[0], "same columns as "), ":")
			if !slices.Equal(cols, columns[like]) {
				t.Errorf("%s: schema says %q, but its columns are %v and %s's are %v", table, lines[0], cols, like, columns[like])
			}
			continue
		}
		var shown []string
		for _, l := range lines {
			shown = append(shown, strings.Fields(l)[0])
		}
		if !slices.Equal(shown, cols) {
			t.Errorf("%s: schema shows columns %v, the database has %v", table, shown, cols)
		}
	}
	for _, table := range []string{"signin_version_rows", "signin_version_ca_policies", "signin_version_auth_steps"} {
		if got := sections[table]; len(got) != 1 || !strings.HasPrefix(got[0], "same columns as signin") {
			t.Errorf("%s: schema shows %q, want the table whose columns it copies", table, got)
		}
	}
}
