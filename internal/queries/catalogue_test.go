package queries_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
)

// fixtureDir is the hand-written export every query is counted against; see its README.
const fixtureDir = "../../testdata/queries/catalogue"

// openDB opens a temporary database, loads paths into it and prepares it for the catalogue.
func openDB(t testing.TB, paths ...string) *store.DB {
	t.Helper()
	db, err := store.Open("", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if len(paths) > 0 {
		inputs, err := loaders.Inputs(paths)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := db.Load(ctx, inputs, store.LoadOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range sum.Files {
			if f.Error != "" || f.Rejected > 0 {
				t.Fatalf("fixture %s: error %q, %d rejected: %+v", f.Path, f.Error, f.Rejected, f.Problems)
			}
		}
	}
	if err := queries.Prepare(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	return db
}

func all(t testing.TB) []*queries.Query {
	t.Helper()
	qs, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// schemaNames returns the tables of the schema and the columns of each.
func schemaNames(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	return out
}

var scopedCall = regexp.MustCompile(`\b(scoped|audit_scoped|provisioning_scoped)\(([^)]*)\)`)

// scopedArgs are the arguments each scoping macro is called with.
var scopedArgs = map[string]string{
	"scoped":              "$since, $until, $app, $user, $ip, $log_types",
	"audit_scoped":        "$since, $until, $user, $ip",
	"provisioning_scoped": "$since, $until, $user",
}

// logTables are the tables whose columns a query's requires: may name, by the logs it reads.
func logTables(q *queries.Query) []string {
	out := []string{"signins"}
	for _, lt := range q.LogTypes {
		switch lt {
		case "audit":
			out = append(out, "audits", "audit_targets", "audit_modified_properties")
		case "provisioning":
			out = append(out, "provisioning")
		}
	}
	return out
}

// TestCatalogueHeaders checks what the strict parser cannot: names agree with the schema,
// every query reads the sign-ins through scoped() with the standard filters, and every
// declared parameter is used.
func TestCatalogueHeaders(t *testing.T) {
	db := openDB(t)
	schema := schemaNames(t, db.SQL)
	qs := all(t)
	var files []string
	for _, dir := range []string{"questions", "detections"} {
		f, err := filepath.Glob(filepath.Join(dir, "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f...)
	}
	if len(files) != len(qs) {
		t.Errorf("%d .sql files but %d catalogue entries", len(files), len(qs))
	}
	seen := map[string]bool{}
	for _, q := range qs {
		if seen[q.ID] {
			t.Errorf("%s: id used twice", q.ID)
		}
		seen[q.ID] = true
		if q.File != map[string]string{"query": "questions/", "detection": "detections/"}[q.Kind]+q.ID+".sql" {
			t.Errorf("%s: file %s", q.ID, q.File)
		}
		if q.Kind != "query" {
			continue // detections have their own tests; the shape checks below still cover them
		}
		if len(q.Requires) == 0 {
			t.Errorf("%s: no requires: line", q.ID)
		}
		for _, f := range q.Requires {
			if table, ok := queries.TableField(f); ok {
				if _, exists := schema[table]; !exists {
					t.Errorf("%s: requires %q, whose table %s is not in the schema", q.ID, f, table)
				}
				continue
			}
			found := false
			for _, table := range logTables(q) {
				found = found || slices.Contains(schema[table], f)
			}
			if !found {
				t.Errorf("%s: requires %q, which is neither a column of %s nor ca_policies or auth_steps", q.ID, f, strings.Join(logTables(q), ", "))
			}
		}
		for _, c := range q.Columns {
			if strings.TrimSpace(c.Doc) == "" {
				t.Errorf("%s: column %s has no meaning", q.ID, c.Name)
			}
		}
		calls := scopedCall.FindAllStringSubmatch(q.SQL, -1)
		if len(calls) == 0 {
			t.Errorf("%s: does not read scoped(...), audit_scoped(...) or provisioning_scoped(...)", q.ID)
		}
		for _, c := range calls {
			if c[2] != scopedArgs[c[1]] {
				t.Errorf("%s: %s(%s): want %s(%s)", q.ID, c[1], c[2], c[1], scopedArgs[c[1]])
			}
		}
		if regexp.MustCompile(`(?i)\bFROM\s+(signins|audits|provisioning)\b|\bJOIN\s+(signins|audits|provisioning)\b`).MatchString(q.SQL) {
			t.Errorf("%s: reads a log table directly; read it through its scoping macro so that the window and filters apply", q.ID)
		}
		for _, p := range q.Params {
			if !strings.Contains(q.SQL, "$"+p.Name) {
				t.Errorf("%s: param %s is declared but not used", q.ID, p.Name)
			}
		}
		if q.Window != "all" {
			if _, _, err := queries.ParseWindow(q.Window); err != nil {
				t.Errorf("%s: %v", q.ID, err)
			}
		}
	}
}

// TestCatalogueColumns runs every entry on an empty database and on the fixture and checks
// that the result columns are the column: lines, in order.
func TestCatalogueColumns(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		db   *store.DB
	}{
		{"empty", openDB(t)},
		{"fixture", openDB(t, fixtureDir+"/graph", auditFixtureDir+"/graph")},
	} {
		asOf, err := queries.LatestEvent(ctx, tc.db.SQL)
		if err != nil {
			t.Fatal(err)
		}
		if asOf.IsZero() {
			asOf = time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
		}
		for _, q := range all(t) {
			if q.Kind != "query" {
				continue // detections join reference tables of their own and have their own tests
			}
			p := queries.Params{}
			if queries.NeedsFilter(q) == "user" {
				p.User = "alice@contoso.example"
			}
			if q.AfterDetections {
				found, _, err := queries.RunDetections(ctx, tc.db.SQL, p, asOf, "")
				if err == nil {
					err = queries.StoreFindings(ctx, tc.db.SQL, found)
				}
				if err != nil {
					t.Fatalf("%s: detections before it: %v", q.ID, err)
				}
			}
			tab, _, err := queries.Run(ctx, tc.db.SQL, q, p, asOf)
			if err != nil {
				t.Errorf("%s on the %s database: %v", q.ID, tc.name, err)
				continue
			}
			var got, want []string
			for _, c := range tab.Columns {
				got = append(got, c.Name)
			}
			for _, c := range q.Columns {
				want = append(want, c.Name)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s on the %s database: columns\n got  %v\n want %v (the column: lines)", q.ID, tc.name, got, want)
			} else {
				for i, c := range tab.Columns {
					if k := q.Columns[i].Kind; !kindFitsType(k, c.Type) {
						t.Errorf("%s: column %s is declared %s but the SQL returns %s", q.ID, c.Name, k, c.Type)
					}
				}
			}
			if tc.name == "fixture" && len(tab.Rows) == 0 {
				t.Errorf("%s: no rows on the fixture; the fixture should exercise every query", q.ID)
			}
		}
	}
}

// kindFitsType says whether a column's declared display kind can show values of the DuckDB
// type the SQL returns.
func kindFitsType(kind, typ string) bool {
	t := strings.ToUpper(typ)
	switch kind {
	case "integer", "code":
		return slices.Contains([]string{"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"}, t)
	case "number", "percent":
		return t == "DOUBLE" || t == "FLOAT" || strings.HasPrefix(t, "DECIMAL")
	case "time":
		return strings.HasPrefix(t, "TIMESTAMP")
	case "day":
		return t == "DATE" || t == "VARCHAR"
	case "boolean":
		return t == "BOOLEAN"
	case "list":
		return strings.HasSuffix(t, "[]")
	case "text":
		return t == "VARCHAR"
	}
	return false
}
