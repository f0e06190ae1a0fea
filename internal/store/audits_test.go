package store

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/loaders"
)

const auditFixtures = "../../testdata/audit"

// sameAuditColumns are the columns that must be equal whatever the format of an export:
// everything but the keys' numbering, provenance, ingestion time and extra (which holds what
// differs between formats by design).
var sameAuditColumns = map[string]string{
	"audits": `id, activity_at, category, activity, operation_type, result, result_reason, logged_by_service, correlation_id,
		initiated_by_type, initiator_user_id, initiator_upn, initiator_display_name, initiator_ip_address, initiator_app_id,
		initiator_service_principal_id, initiator_service_principal_name, additional_details::VARCHAR, content_hash`,
	"audit_targets": `(SELECT id FROM audits a WHERE a.audit_key = t.audit_key) AS event, target_index, type, id, display_name,
		user_principal_name, group_type, extra::VARCHAR`,
	"audit_modified_properties": `(SELECT id FROM audits a WHERE a.audit_key = t.audit_key) AS event, target_index, property_index, name, old_value, new_value`,
	"provisioning": `id, activity_at, job_id, cycle_id, change_id, action, status, error_code, error_category, reason,
		source_system_id, source_system_name, target_system_id, target_system_name, source_identity_id, source_identity_name,
		source_identity_type, target_identity_id, target_identity_name, target_identity_type, service_principal_id,
		service_principal_name, initiator_id, initiator_name, duration_ms, provisioning_steps::VARCHAR, modified_properties::VARCHAR, content_hash`,
}

// loadFormat loads one format's folder of the audit fixtures into a fresh database.
func loadFormat(t *testing.T, dir string) (*DB, *Summary) {
	t.Helper()
	db := openTemp(t)
	return db, load(t, db, filepath.Join(auditFixtures, dir))
}

// The same four audit events and two provisioning events, written in every format, give
// the same rows; each folder holds them once or several times (duplicates).
func TestAuditFormatsGiveTheSameTables(t *testing.T) {
	ref, refSum := loadFormat(t, "graph")
	// graph: the audits in JSON lines, two v1.0 pages and back-to-back arrays (3 × 4), the
	// provisioning events in JSON lines, a beta page and an array (3 × 2).
	if tt := refSum.Totals; tt.Records != 18 || tt.Loaded != 6 || tt.Duplicates != 12 || tt.Rejected != 0 || tt.Skipped != 0 ||
		tt.ByLogType[loaders.AuditLog] != 4 || tt.ByLogType[loaders.ProvisioningLog] != 2 {
		t.Fatalf("graph totals %+v", tt)
	}
	checkAuditValues(t, ref)
	for _, dir := range []string{"diagnostic", "la-json", "la-csv", "admin"} {
		t.Run(dir, func(t *testing.T) {
			db, sum := loadFormat(t, dir)
			if sum.Totals.Rejected != 0 || sum.Totals.ByLogType[loaders.AuditLog] != 4 || sum.Totals.ByLogType[loaders.ProvisioningLog] != 2 {
				t.Fatalf("totals %+v", sum.Totals)
			}
			for _, f := range sum.Files {
				if f.Records != f.Loaded+f.Versions+f.Duplicates+f.Rejected+f.Skipped {
					t.Errorf("%s: counts do not reconcile: %+v", f.Path, f)
				}
			}
			sameTables(t, ref, db)
		})
	}
}

// sameTables compares the event tables of two databases both ways with EXCEPT ALL.
func sameTables(t *testing.T, a, b *DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	for table, cols := range sameAuditColumns {
		pa, pb := filepath.Join(dir, "a-"+table+".parquet"), filepath.Join(dir, "b-"+table+".parquet")
		for _, x := range []struct {
			db   *DB
			path string
		}{{a, pa}, {b, pb}} {
			q := "COPY (SELECT " + cols + " FROM " + table + " t) TO '" + x.path + "' (FORMAT parquet)"
			if _, err := x.db.SQL.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
		}
		for _, dir := range [][2]string{{pa, pb}, {pb, pa}} {
			got := queryRows(t, a, "SELECT * FROM read_parquet('"+dir[0]+"') EXCEPT ALL SELECT * FROM read_parquet('"+dir[1]+"')")
			if len(got) != 0 {
				t.Errorf("%s: rows of %s not in the other: %v", table, filepath.Base(dir[0]), got)
			}
		}
		if n := queryRows(t, a, "SELECT count(*) FROM read_parquet('"+pa+"')"); n[0][0] == "0" {
			t.Errorf("%s: no rows", table)
		}
	}
}

// checkAuditValues checks values counted by hand from the fixture events.
func checkAuditValues(t *testing.T, db *DB) {
	t.Helper()
	for _, c := range []struct{ q, want string }{
		{"SELECT count(*) FROM audits", "4"},
		{"SELECT count(*) FROM audit_targets", "5"},
		{"SELECT count(*) FROM audit_modified_properties", "5"},
		{"SELECT count(*) FROM provisioning", "2"},
		{"SELECT string_agg(result, ',' ORDER BY activity_at) FROM audits", "success,success,failure,success"},
		{"SELECT string_agg(initiated_by_type, ',' ORDER BY activity_at) FROM audits", "user,user,app,user"},
		{"SELECT initiator_upn || ' ' || initiator_ip_address FROM audits WHERE activity = 'Add member to role'", "admin@contoso.example 203.0.113.10"},
		{"SELECT activity_at::VARCHAR FROM audits WHERE activity = 'Add member to role'", "2025-06-02 09:15:30+00"},
		{"SELECT initiator_app_id || '|' || initiator_display_name || '|' || initiator_service_principal_id FROM audits WHERE initiated_by_type = 'app'", "app-0001|Automation App|sp-0001"},
		{"SELECT additional_details::VARCHAR FROM audits WHERE activity = 'User registered security info'", `{"Method":"Authenticator App","Method (2)":"Notification and Code"}`},
		{"SELECT count(*) FROM audits WHERE additional_details IS NULL", "1"},
		{"SELECT new_value FROM audit_modified_properties WHERE name = 'ConditionalAccessPolicy'", `{"id":"pol-0001","state":"disabled"}`},
		{"SELECT (old_value::JSON)->>'$.state' FROM audit_modified_properties WHERE name = 'ConditionalAccessPolicy'", "enabled"},
		{"SELECT count(*) FROM audit_modified_properties WHERE old_value IS NULL", "3"},
		{"SELECT string_agg(type || ':' || coalesce(user_principal_name, '-'), ',' ORDER BY audit_key, target_index) FROM audit_targets",
			"Role:-,User:bob@contoso.example,Policy:-,ServicePrincipal:-,User:bob@contoso.example"},
		{"SELECT string_agg(action || ':' || status, ',' ORDER BY activity_at) FROM provisioning", "create:success,update:failure"},
		{"SELECT error_code || '|' || error_category || '|' || target_system_name || '|' || source_identity_name FROM provisioning WHERE status = 'failure'",
			"ServiceNowDuplicateEntry|NonServiceFailure|ServiceNow|Carol White"},
		{"SELECT json_array_length(provisioning_steps) || ' ' || json_array_length(modified_properties) || ' ' || duration_ms FROM provisioning WHERE action = 'create'", "2 2 1250"},
		{"SELECT count(*) FROM provisioning WHERE modified_properties IS NULL", "1"},
	} {
		if got := queryRows(t, db, c.q); len(got) != 1 || got[0][0] != c.want {
			t.Errorf("%s\n got %v\nwant %s", c.q, got, c.want)
		}
	}
}

// Versions of an audit and of a provisioning event: the merged row holds the latest values,
// every version is kept, and an identical copy is a duplicate. Loading the file again adds
// nothing.
func TestAuditVersions(t *testing.T) {
	db, sum := loadFormat(t, "versions")
	f := sum.Files[0]
	// 7 records: audit v2, v1, a copy of v1; provisioning v1, v2; a second audit v1, v2.
	if f.Records != 7 || f.Loaded != 3 || f.Versions != 3 || f.Duplicates != 1 || f.Rejected != 0 {
		t.Fatalf("accounting %+v", f)
	}
	for _, c := range []struct{ q, want string }{
		{"SELECT count(*) FROM audits", "2"},
		{"SELECT result_reason FROM audits WHERE id LIKE 'Auth%'", "User registered Authenticator App with Notification and Code"},
		{"SELECT additional_details::VARCHAR FROM audits WHERE id LIKE 'Auth%'", `{"Method":"Authenticator App","Method (2)":"Notification and Code"}`},
		{"SELECT ingested_at::VARCHAR FROM audits WHERE id LIKE 'Auth%'", "2025-06-02 11:05:00+00"},
		{"SELECT string_agg(version::VARCHAR || ':' || source_line, ',' ORDER BY audit_key, version) FROM audit_versions", "1:2,2:1,1:6,2:7"},
		{"SELECT count(*) FROM audit_version_rows", "4"},
		{"SELECT count(*) || ' ' || count(*) FILTER (WHERE audit_key IN (SELECT audit_key FROM audits)) FROM audit_targets", "3 3"},
		{"SELECT count(*) FROM audit_modified_properties", "2"},
		{"SELECT count(*) FROM audit_version_modified_properties", "4"},
		{"SELECT initiator_ip_address FROM audits WHERE id LIKE 'Directory%'", "203.0.113.10"},
		{"SELECT error_code || '|' || reason FROM provisioning", "ServiceNowDuplicateEntry|A user with the same userName already exists in ServiceNow."},
		{"SELECT string_agg(version::VARCHAR || ':' || source_line, ',' ORDER BY version) FROM provisioning_versions", "1:4,2:5"},
	} {
		if got := queryRows(t, db, c.q); len(got) != 1 || got[0][0] != c.want {
			t.Errorf("%s\n got %v\nwant %s", c.q, got, c.want)
		}
	}
	// The merged rows equal the events as the other formats give them.
	ref, _ := loadFormat(t, "graph")
	got := queryRows(t, db, "SELECT string_agg(content_hash::VARCHAR, ',' ORDER BY id) FROM audits")
	want := queryRows(t, ref, "SELECT string_agg(content_hash::VARCHAR, ',' ORDER BY id) FROM audits WHERE activity IN ('User registered security info', 'Add member to role')")
	if got[0][0] != want[0][0] {
		t.Errorf("merged audit hashes %v, want %v", got, want)
	}
	again := load(t, db, filepath.Join(auditFixtures, "versions"))
	if tt := again.Totals; tt.Duplicates != 7 || tt.Loaded != 0 || tt.Versions != 0 {
		t.Errorf("second load %+v", tt)
	}
}

// A folder with audit logs only loads (the sign-in tables stay empty); the first file in
// lexical order (the back-to-back arrays) holds all six events, the others only copies.
func TestAuditOnlyFolder(t *testing.T) {
	db, sum := loadFormat(t, "graph")
	if sum.Totals.Loaded != 6 {
		t.Fatalf("%+v", sum.Totals)
	}
	if got := queryRows(t, db, "SELECT count(*), min(first_event)::VARCHAR, any_value(log_types::VARCHAR) FROM sources WHERE path LIKE '%arrays-back-to-back.json'"); got[0][0] != "1" ||
		got[0][1] != "2025-06-02 09:15:30+00" || got[0][2] != `{"audit":4,"provisioning":2}` {
		t.Errorf("sources %v", got)
	}
	if got := queryRows(t, db, "SELECT count(*) FROM signins"); got[0][0] != "0" {
		t.Errorf("sign-ins %v", got)
	}
}

// The real public samples that hold audit records load with none rejected, and their audits
// land in audits (counted by hand from the files: 78 Graph objects, 11 AuditLogs records
// among the 17 of other categories, 2 in the records envelope, 4 Log Analytics rows of which
// the first two are one event exported twice).
func TestSharedSampleAudits(t *testing.T) {
	root := sharedSamples(t)
	db := openTemp(t)
	sum := load(t, db, root+"/graph-api-json/sekoia-graph-directoryaudit-records.jsonl",
		root+"/diagnostic-settings-json/sekoia-azure-ad-other-category-records.jsonl",
		root+"/diagnostic-settings-json/wazuh-storage-blob-records-wrapper-auditlogs.json",
		root+"/log-analytics-api-json/otrf-goldensaml-AADAuditEvents.jsonl",
		root+"/siem-normalized-variants/panther-azure-audit-signin-test-records.jsonl")
	want := [][6]int64{ // records, loaded, audits, duplicates, rejected, skipped
		{78, 78, 78, 0, 0, 0},
		{17, 11, 11, 0, 0, 6},
		{2, 2, 2, 0, 0, 0},
		{4, 3, 3, 1, 0, 0},
		{26, 19, 0, 1, 0, 0}, // sign-ins only, 6 of them further versions
	}
	for i, f := range sum.Files {
		got := [6]int64{f.Records, f.Loaded, f.LogTypes[loaders.AuditLog], f.Duplicates, f.Rejected, f.Skipped}
		if got != want[i] {
			t.Errorf("%s: %v, want %v", filepath.Base(f.Path), got, want[i])
		}
	}
	for _, c := range []struct{ q, want string }{
		{"SELECT count(*) FROM audits", "94"},
		// The first Graph record: Add member to group, by a user, two targets, one property.
		{`SELECT activity || '|' || initiator_upn || '|' || initiator_ip_address || '|' || initiated_by_type FROM audits WHERE source_file LIKE '%sekoia-graph%' AND source_line = 1`,
			"Add member to group|test@test.test|127.0.0.1|user"},
		{`SELECT string_agg(t.type || ':' || coalesce(t.group_type, '-') || ':' || coalesce(t.user_principal_name, '-'), ',' ORDER BY target_index)
			FROM audit_targets t JOIN audits a USING (audit_key) WHERE a.source_file LIKE '%sekoia-graph%' AND a.source_line = 1`,
			"Group:unifiedGroups:-,User:-:bob@contoso.com"},
		{`SELECT p.name || '=' || p.new_value || '/' || coalesce(p.old_value, 'NULL') FROM audit_modified_properties p JOIN audits a USING (audit_key)
			WHERE a.source_file LIKE '%sekoia-graph%' AND a.source_line = 1`, "testValue3=DirectorySync/NULL"},
		// The envelope's records: initiated by an app (B2C), properties' category kept.
		{`SELECT string_agg(category || ':' || initiated_by_type || ':' || initiator_service_principal_name, ',' ORDER BY activity_at) FROM audits WHERE source_file LIKE '%wazuh%'`,
			"Authorization:app:509e4652-da8d-478d-a730-e9d4a1996ca4,ResourceManagement:app:509e4652-da8d-478d-a730-e9d4a1996ca4"},
		// Log Analytics: dynamic columns were JSON text.
		{`SELECT count(*) FROM audit_targets t JOIN audits a USING (audit_key) WHERE a.source_file LIKE '%otrf%'`, "4"},
		{`SELECT additional_details->>'$.User-Agent' FROM audits WHERE id = 'Directory_10065ffb-8199-48bc-8ff5-912cb5b8295a_AUMVX_13992832'`,
			"Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.17763.1971"},
		{`SELECT p.new_value FROM audit_modified_properties p JOIN audits a USING (audit_key) WHERE a.id LIKE 'Directory_10065ffb%' AND p.name = 'KeyDescription'`,
			`["[KeyIdentifier=59eaeebc-8a6b-44a6-9f24-7d55e64420c9,KeyType=Password,KeyUsage=Verify,DisplayName=SimuLandCreds]"]`},
		{`SELECT string_agg(DISTINCT extra->>'$.Type', ',') FROM audits WHERE source_file LIKE '%otrf%'`, "Application,ServicePrincipal"},
	} {
		if got := queryRows(t, db, c.q); len(got) != 1 || got[0][0] != c.want {
			t.Errorf("%s\n got %v\nwant %s", c.q, got, c.want)
		}
	}
}

// One folder with sign-ins, audits, provisioning and other categories, compressed, zipped
// and forwarded through syslog, loads in one run; each file's counts reconcile.
func TestMixedFolderWithAudits(t *testing.T) {
	dir := t.TempDir()
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(auditFixtures, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	diag := read("diagnostic/insights-logs-auditlogs/tenantId=t-0001/y=2025/m=06/d=02/h=09/m=00/PT1H.json") // 2 audits
	// .gz
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(diag)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "a-PT1H.json.gz"), gz.Bytes(), 0o644)
	// zip with the provisioning JSON lines (2) and the second audit hour (2, envelope)
	var zb bytes.Buffer
	zf := zip.NewWriter(&zb)
	for name, body := range map[string][]byte{
		"provisioning.jsonl": read("graph/provisioning.jsonl"),
		"PT1H.json":          read("diagnostic/insights-logs-auditlogs/tenantId=t-0001/y=2025/m=06/d=02/h=10/m=00/PT1H.json"),
	} {
		w, _ := zf.Create(name)
		w.Write(body)
	}
	zf.Close()
	os.WriteFile(filepath.Join(dir, "b-export.zip"), zb.Bytes(), 0o644)
	// syslog-forwarded: the first audit again (a duplicate), a sign-in, a RiskyUsers record
	// and a Graph activity record.
	lines := strings.SplitN(string(diag), "\n", 2)
	fwd := "2025-06-02T09:16:03+00:00 collector01 " + lines[0] + "\n" +
		`2025-06-02T09:17:00+00:00 collector01 {"time":"2025-06-02T09:17:00Z","category":"SignInLogs","properties":{"id":"s1","createdDateTime":"2025-06-02T09:16:00Z","userId":"u1","status":{"errorCode":0}}}` + "\n" +
		`2025-06-02T09:18:00+00:00 collector01 {"time":"2025-06-02T09:18:00Z","category":"RiskyUsers","properties":{"id":"r1"}}` + "\n" +
		`2025-06-02T09:19:00+00:00 collector01 {"time":"2025-06-02T09:19:00Z","category":"MicrosoftGraphActivityLogs","properties":{"requestId":"g1"}}` + "\n"
	os.WriteFile(filepath.Join(dir, "c-forwarded.log"), []byte(fwd), 0o644)
	db := openTemp(t)
	sum := load(t, db, dir)
	tt := sum.Totals
	// 2 + (2 + 2) + 4 records: 4 audits, 2 provisioning, 1 sign-in loaded, 1 duplicate, 2 skipped.
	if tt.Records != 10 || tt.Loaded != 7 || tt.Duplicates != 1 || tt.Skipped != 2 || tt.Rejected != 0 ||
		tt.ByLogType[loaders.AuditLog] != 4 || tt.ByLogType[loaders.ProvisioningLog] != 2 || tt.ByLogType[loaders.Interactive] != 1 {
		t.Errorf("totals %+v", tt)
	}
	for _, f := range sum.Files {
		if f.Records != f.Loaded+f.Versions+f.Duplicates+f.Rejected+f.Skipped {
			t.Errorf("%s: counts do not reconcile: %+v", f.Path, f)
		}
	}
	got := queryRows(t, db, `SELECT string_agg(k || '=' || v, ',' ORDER BY k) FROM (SELECT unnest(map_keys(m)) AS k, unnest(map_values(m)) AS v
		FROM (SELECT skipped_categories::MAP(VARCHAR, BIGINT) AS m FROM sources WHERE path LIKE '%forwarded%'))`)
	if got[0][0] != "MicrosoftGraphActivityLogs=1,RiskyUsers=1" {
		t.Errorf("skipped categories %v", got)
	}
	if got := queryRows(t, db, "SELECT count(*) FROM audits WHERE source_file LIKE '%!PT1H.json'"); got[0][0] != "2" {
		t.Errorf("audits from the zip member %v", got)
	}
}
