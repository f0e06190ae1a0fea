package queries_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/queries"
)

var update = flag.Bool("update", false, "rewrite docs/queries.md from the catalogue")

const (
	docsPath    = "../../docs/queries.md"
	readmePath  = "../../README.md"
	beginMarker = "<!-- queries:begin -->"
	endMarker   = "<!-- queries:end -->"
)

// queryTable is the README's table of canned queries, between the markers.
func queryTable(qs []*queries.Query) string {
	var b strings.Builder
	b.WriteString(beginMarker + "\n")
	b.WriteString("| Query | Answers | Default window | Mirrors |\n|---|---|---|---|\n")
	for _, q := range qs {
		if q.Kind != "query" {
			continue
		}
		mirrors := q.Mirrors
		if mirrors == "" {
			mirrors = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", q.ID, mdCell(q.Question), q.Window, mdCell(mirrors))
	}
	b.WriteString(endMarker + "\n")
	return b.String()
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// queriesDoc is docs/queries.md: the table, then every query's columns.
func queriesDoc(qs []*queries.Query) string {
	var b strings.Builder
	b.WriteString("# Canned queries\n\n")
	b.WriteString("Generated from `internal/queries/*.sql` by `go test ./internal/queries -run TestQueriesDoc -update`; do not edit by hand.\n\n")
	b.WriteString("Run one with `signinlens query ID [--db FILE | PATH...]`; `signinlens queries ID` prints the same\n")
	b.WriteString("description with its SQL. Every window ends at `--as-of` (default: the latest event in the data)\n")
	b.WriteString("and holds the events with `as_of - window < created_at <= as_of`; `all` is the whole export.\n")
	b.WriteString("\"User sign-ins\" are the interactive and non-interactive logs; a sign-in succeeded when its error\n")
	b.WriteString("code is 0; users are counted by user id.\n\n")
	b.WriteString(queryTable(qs))
	for _, q := range qs {
		if q.Kind != "query" {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s: %s\n\n", q.ID, q.Title, q.Question)
		fmt.Fprintf(&b, "Default window: %s. Needs: %s.", q.Window, strings.Join(q.Requires, ", "))
		for _, p := range q.Params {
			fmt.Fprintf(&b, " Parameter `%s` (%s, default %s): %s.", p.Name, p.Type, p.Default, strings.TrimSuffix(p.Doc, "."))
		}
		b.WriteString("\n\n| Column | Meaning |\n|---|---|\n")
		for _, c := range q.Columns {
			fmt.Fprintf(&b, "| `%s` | %s |\n", c.Name, mdCell(c.Doc))
		}
	}
	return b.String()
}

func TestQueriesDoc(t *testing.T) {
	qs := all(t)
	want := queriesDoc(qs)
	if *update {
		if err := os.MkdirAll("../docs", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(docsPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/queries -run TestQueriesDoc -update)", err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date with the catalogue; run: go test ./internal/queries -run TestQueriesDoc -update", docsPath)
	}
	// The README carries the same table between the markers, once the lead has pasted it.
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(readme, []byte(beginMarker)), bytes.Index(readme, []byte(endMarker))
	if i < 0 && j < 0 {
		t.Logf("README.md has no %s section yet", beginMarker)
		return
	}
	if i < 0 || j < i {
		t.Fatalf("README.md: %s and %s must both be present, in that order", beginMarker, endMarker)
	}
	if section := string(readme[i:j+len(endMarker)]) + "\n"; section != queryTable(qs) {
		t.Errorf("README.md's query table is out of date; copy it from %s", docsPath)
	}
}
