package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/gen"
	"github.com/signinlens/signinlens/internal/loaders"
)

// exportFixture is a file database loaded with a generated diagnostic-settings export (with
// Conditional Access policies and authentication steps), one damaged line, the versions
// fixture (a sign-in in three different versions), and the audit fixtures (audit and
// provisioning events, two of them in two versions), so that every exported table has rows.
func exportFixture(t *testing.T) *DB {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Write(filepath.Join(dir, "diag"), "diagnostic", gen.Config{Seed: 3, Events: 1500, Days: 3, Scenarios: true}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "diag", "damaged", "PT1H.json")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte(`{"category": "SignInLogs", "time": "2025-06-01T00:00:00Z", "properties": {"id": "x"`+"\n"), 0o644)
	db, err := Open(filepath.Join(dir, "case.duckdb"), Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ins, err := loaders.Inputs([]string{filepath.Join(dir, "diag"), fixture("diagnostic", "all"),
		filepath.Join(auditFixtures, "graph"), filepath.Join(auditFixtures, "versions")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(context.Background(), ins, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	return db
}

// checksums are aggregates that differ if any row or value is lost or changed.
var checksums = map[string]string{
	"signins": `count(*), sum(signin_key), sum(error_code), count(DISTINCT id), sum(epoch_us(created_at)),
		sum(length(user_principal_name)), sum(length(extra::VARCHAR)), sum(len(risk_event_types)),
		count(latitude), sum(source_line), count(DISTINCT log_type)`,
	"signin_ca_policies": `count(*), sum(signin_key), count(DISTINCT policy_id), sum(len(enforced_grant_controls)), sum(length(extra::VARCHAR))`,
	"signin_auth_steps":  `count(*), sum(signin_key), sum(step_index), sum(epoch_us(step_time)), count(succeeded)`,
	"signin_versions": `count(*), sum(signin_key), sum(version_key), sum(version), sum(epoch_us(ingested_at)), sum(fields),
		sum(content_hash), sum(source_id), sum(source_line)`,
	"signin_version_rows": `count(*), sum(signin_key), sum(error_code), count(DISTINCT id), sum(epoch_us(created_at)),
		sum(length(user_principal_name)), sum(length(extra::VARCHAR)), sum(len(risk_event_types)),
		sum(length(additional_details)), sum(source_line), string_agg(risk_state, ',' ORDER BY signin_key)`,
	"signin_version_ca_policies":        `count(*), sum(signin_key), count(DISTINCT policy_id), sum(len(enforced_grant_controls)), sum(length(extra::VARCHAR))`,
	"signin_version_auth_steps":         `count(*), sum(signin_key), sum(step_index), sum(epoch_us(step_time)), count(succeeded)`,
	"audits":                            `count(*), sum(audit_key), count(DISTINCT id), sum(epoch_us(activity_at)), sum(length(extra::VARCHAR)), sum(source_line)`,
	"audit_targets":                     `count(*), sum(audit_key), sum(target_index), count(DISTINCT id)`,
	"audit_modified_properties":         `count(*), sum(audit_key), sum(property_index), sum(length(old_value)), sum(length(new_value))`,
	"provisioning":                      `count(*), sum(provisioning_key), count(DISTINCT id), sum(epoch_us(activity_at)), sum(length(provisioning_steps::VARCHAR))`,
	"audit_versions":                    `count(*), sum(audit_key), sum(version_key), sum(version), sum(epoch_us(ingested_at)), sum(content_hash), sum(source_line)`,
	"audit_version_rows":                `count(*), sum(audit_key), count(DISTINCT id), sum(epoch_us(activity_at)), sum(length(result_reason)), sum(length(additional_details::VARCHAR))`,
	"audit_version_targets":             `count(*), sum(audit_key), sum(target_index), count(DISTINCT id)`,
	"audit_version_modified_properties": `count(*), sum(audit_key), sum(property_index), sum(length(new_value))`,
	"provisioning_versions":             `count(*), sum(provisioning_key), sum(version_key), sum(version), sum(epoch_us(ingested_at)), sum(content_hash)`,
	"provisioning_version_rows":         `count(*), sum(provisioning_key), count(DISTINCT id), sum(length(error_code)), sum(length(provisioning_steps::VARCHAR))`,
	"sources":                           `count(*), sum(source_id), sum(records), sum(bytes), string_agg(sha256, ',' ORDER BY sha256)`,
	"load_problems":                     `count(*), sum(line), string_agg(reason, '|' ORDER BY path, line)`,
}

func aggregate(t *testing.T, db *DB, from, exprs string) []string {
	t.Helper()
	rows, err := db.SQL.Query("SELECT " + exprs + " FROM " + from)
	if err != nil {
		t.Fatalf("%s: %v", from, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatalf("%s: no row", from)
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmtValue(v)
	}
	return out
}

func TestExportParquetReadsBackTheSame(t *testing.T) {
	db := exportFixture(t)
	out := filepath.Join(t.TempDir(), "parquet")
	got, err := db.ExportParquet(context.Background(), out, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ExportTables()) {
		t.Fatalf("exported %d tables, want %d", len(got), len(ExportTables()))
	}
	// Every table of the database is exported, and nothing else.
	tables := aggregate(t, db, "information_schema.tables WHERE table_schema = 'main'", "string_agg(table_name, ',' ORDER BY table_name)")
	names := slices.Sorted(slices.Values(ExportTables()))
	if tables[0] != strings.Join(names, ",") {
		t.Errorf("the database has tables %s, the export writes %v", tables[0], names)
	}
	for _, tb := range got {
		if tb.Rows == 0 || tb.Files == 0 {
			t.Errorf("%s: %d rows in %d files; the fixture should fill every table", tb.Table, tb.Rows, tb.Files)
		}
		read := "read_parquet('" + filepath.Join(out, tb.Table, "**", "*.parquet") + "', hive_partitioning=true)"
		want := aggregate(t, db, tb.Table, checksums[tb.Table])
		back := aggregate(t, db, read, checksums[tb.Table])
		if !reflect.DeepEqual(back, want) {
			t.Errorf("%s read back from Parquet:\n got %v\nwant %v", tb.Table, back, want)
		}
		if want[0] != fmtValue(tb.Rows) {
			t.Errorf("%s: reported %d rows, table has %s", tb.Table, tb.Rows, want[0])
		}
	}
	// The partitions: one folder per UTC day and log type, matching the rows in them.
	read := "read_parquet('" + filepath.Join(out, "signins", "**", "*.parquet") + "', hive_partitioning=true)"
	byPart := "string_agg(d || '/' || log_type || '=' || n, ',' ORDER BY d, log_type)"
	want := aggregate(t, db, "(SELECT strftime(created_at, '%Y-%m-%d') AS d, log_type, count(*) AS n FROM signins GROUP BY ALL)", byPart)
	back := aggregate(t, db, "(SELECT date::VARCHAR AS d, log_type, count(*) AS n FROM "+read+" GROUP BY ALL)", byPart)
	if !reflect.DeepEqual(back, want) {
		t.Errorf("partitions:\n got %v\nwant %v", back, want)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "signins", "date=*", "log_type=*"))
	if len(dirs) < 4 {
		t.Errorf("%d partition folders, want one per day and log type: %v", len(dirs), dirs)
	}
	// No temporary folder is left beside the export.
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".signinlens-export-*"))
	if len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

func TestExportParquetRefusesNonEmptyFolder(t *testing.T) {
	db := exportFixture(t)
	out := t.TempDir()
	keep := filepath.Join(out, "notes.txt")
	os.WriteFile(keep, []byte("case notes"), 0o644)
	if _, err := db.ExportParquet(context.Background(), out, false); !errors.Is(err, ErrExportDirNotEmpty) {
		t.Fatalf("export into a non-empty folder: %v, want ErrExportDirNotEmpty", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("a refused export wrote into the folder: %d entries", len(entries))
	}
	// --force twice: the table folders are replaced, other files stay.
	for i := 0; i < 2; i++ {
		if _, err := db.ExportParquet(context.Background(), out, true); err != nil {
			t.Fatalf("forced export %d: %v", i+1, err)
		}
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "case notes" {
		t.Errorf("forced export touched another file: %q, %v", b, err)
	}
	n := aggregate(t, db, "read_parquet('"+filepath.Join(out, "signins", "**", "*.parquet")+"')", "count(*)")
	m := aggregate(t, db, "signins", "count(*)")
	if n[0] != m[0] {
		t.Errorf("after two forced exports the Parquet files hold %s sign-ins, the table %s", n[0], m[0])
	}
}

func TestExportParquetRefusesAFile(t *testing.T) {
	db := exportFixture(t)
	f := filepath.Join(t.TempDir(), "out")
	os.WriteFile(f, nil, 0o644)
	if _, err := db.ExportParquet(context.Background(), f, true); err == nil || !strings.Contains(err.Error(), "file") {
		t.Errorf("export onto a file: %v", err)
	}
}

// The extra column holds JSON objects, not JSON strings holding object text.
func TestExtraIsJSONObject(t *testing.T) {
	db := exportFixture(t)
	got := aggregate(t, db, "signins", "count(extra), count(*) FILTER (WHERE json_type(extra) = 'OBJECT')")
	if got[0] == "0" || got[0] != got[1] {
		t.Errorf("extra: %s non-null, %s JSON objects", got[0], got[1])
	}
	got = aggregate(t, db, "signin_ca_policies", "count(extra), count(*) FILTER (WHERE json_type(extra) = 'OBJECT')")
	if got[0] != got[1] {
		t.Errorf("signin_ca_policies.extra: %s non-null, %s JSON objects", got[0], got[1])
	}
}
