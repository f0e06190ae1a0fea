package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Filter values full of SQL metacharacters are compared as values: they match the sign-in
// that really carries them, and nothing else happens.
func TestQueryFiltersWithSQLMetacharacters(t *testing.T) {
	app := `O'Brien"; DROP TABLE signins; --`
	user := `eve'--@x.example`
	ip := `10.0.0.1' OR '1'='1`
	rec := func(id, a, u, i string) map[string]any {
		return map[string]any{"id": id, "createdDateTime": "2025-06-10T08:00:00Z", "userId": u, "userPrincipalName": u,
			"appId": a, "appDisplayName": a, "ipAddress": i, "isInteractive": true, "status": map[string]any{"errorCode": 0}}
	}
	page := map[string]any{"value": []any{rec("m1", app, user, ip), rec("m2", "Teams", "bob@x.example", "192.0.2.1")}}
	b, _ := json.Marshal(page)
	dir := t.TempDir()
	src := filepath.Join(dir, "page.json")
	os.WriteFile(src, b, 0o644)
	db := filepath.Join(t.TempDir(), "case.duckdb")
	if code, _, errOut := runCLI(t, "load", "--quiet", "--db", db, src); code != 0 {
		t.Fatalf("load: %s", errOut)
	}
	for _, args := range [][]string{{"--app", app}, {"--user", user}, {"--ip", ip}} {
		code, out, errOut := runCLI(t, append([]string{"query", "who-how-what", "--db", db, "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, errOut)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0]["user_principal_name"] != user || rows[0]["app_display_name"] != app {
			t.Errorf("%v: rows %v", args, rows)
		}
	}
	code, out, _ := runCLI(t, "sql", "--db", db, "--format", "json", "SELECT count(*) AS n FROM signins")
	if code != 0 || out != "[\n  {\"n\": 2}\n]\n" {
		t.Errorf("signins after the queries: %q", out)
	}
}
