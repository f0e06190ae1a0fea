package store

import (
	"context"
	"os"
	"regexp"
	"sort"
	"testing"
)

// TestSchema: Schema is the text of schema.sql as it is on disk, and a new database holds
// exactly the tables that text creates.
func TestSchema(t *testing.T) {
	b, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	if Schema() != string(b) {
		t.Fatalf("Schema() is %d bytes, schema.sql %d bytes, and they differ", len(Schema()), len(b))
	}
	var want []string
	for _, m := range regexp.MustCompile(`(?m)^CREATE TABLE IF NOT EXISTS (\w+)`).FindAllStringSubmatch(string(b), -1) {
		want = append(want, m[1])
	}
	sort.Strings(want)
	if len(want) == 0 {
		t.Fatal("schema.sql creates no table")
	}
	db := openTemp(t)
	rows, err := db.SQL.QueryContext(context.Background(), "SELECT table_name FROM duckdb_tables() ORDER BY table_name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("tables %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tables %v, want %v", got, want)
		}
	}
}
