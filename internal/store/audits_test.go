package store

import (
	"context"
	"path/filepath"
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
	for _, dir := range []string{"diagnostic", "la-json"} {
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
		{"SELECT activity_at::VARCHAR FROM audits WHERE activity = 'Add member to role'", "2025-06-02 09:15:30.123456+00"},
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
		got[0][1] != "2025-06-02 09:15:30.123456+00" || got[0][2] != `{"audit":4,"provisioning":2}` {
		t.Errorf("sources %v", got)
	}
	if got := queryRows(t, db, "SELECT count(*) FROM signins"); got[0][0] != "0" {
		t.Errorf("sign-ins %v", got)
	}
}
