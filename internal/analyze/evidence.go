package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// The rows behind each finding: sign-ins (evidence), audit events (audit_evidence) and
// provisioning events (provisioning_evidence), each read by its key and listed per finding
// in time order.

// evidenceSQL are the sign-in fields listed for each finding's evidence.
const evidenceSQL = `SELECT signin_key, created_at, log_type,
	coalesce(nullif(user_principal_name, ''), service_principal_name) AS identity,
	app_display_name, resource_display_name, ip_address, country, city, error_code, status, failure_reason,
	client_app_used, user_agent, browser, operating_system, device_name, authentication_requirement,
	conditional_access_status, source_file, source_line
FROM signins WHERE signin_key IN (SELECT unnest(?::BIGINT[]))
ORDER BY created_at, signin_key`

// auditEvidenceSQL are the audit fields listed for each finding: who did what to which
// targets, with the properties it changed as "name: old → new".
const auditEvidenceSQL = `SELECT a.audit_key, a.activity_at, a.activity, a.category, a.result, a.result_reason,
	coalesce(nullif(a.initiator_upn, ''), nullif(a.initiator_service_principal_name, ''), nullif(a.initiator_display_name, ''),
		a.initiator_user_id, a.initiator_app_id) AS initiator,
	a.initiator_ip_address,
	(SELECT string_agg(coalesce(t.type || ' ', '') || coalesce(nullif(t.user_principal_name, ''), nullif(t.display_name, ''), t.id, ''), '; '
		ORDER BY t.target_index) FROM audit_targets t WHERE t.audit_key = a.audit_key) AS targets,
	(SELECT string_agg(m.name || ': ' || coalesce(m.old_value, '') || ' → ' || coalesce(m.new_value, ''), '; '
		ORDER BY m.target_index, m.property_index) FROM audit_modified_properties m WHERE m.audit_key = a.audit_key) AS modified_properties,
	a.logged_by_service, a.correlation_id, a.source_file, a.source_line
FROM audits a WHERE a.audit_key IN (SELECT unnest(?::BIGINT[]))
ORDER BY a.activity_at, a.audit_key`

// provisioningEvidenceSQL are the provisioning fields listed for each finding.
const provisioningEvidenceSQL = `SELECT provisioning_key, activity_at, service_principal_name AS application, action, status,
	error_code, error_category, reason, source_system_name, target_system_name,
	coalesce(nullif(source_identity_name, ''), source_identity_id) AS source_identity,
	coalesce(nullif(target_identity_name, ''), target_identity_id) AS target_identity,
	job_id, source_file, source_line
FROM provisioning WHERE provisioning_key IN (SELECT unnest(?::BIGINT[]))
ORDER BY activity_at, provisioning_key`

// readEvidence fills Evidence, AuditEvidence and ProvisioningEvidence, at most limit rows
// of each kind per finding.
func (r *Report) readEvidence(ctx context.Context, db *sql.DB, limit int) error {
	var err error
	if r.Evidence, err = evidenceTable(ctx, db, r.Findings, "evidence", evidenceSQL, limit, func(f *Finding) []int64 { return f.Evidence }); err != nil {
		return err
	}
	if r.AuditEvidence, err = evidenceTable(ctx, db, r.Findings, "audit_evidence", auditEvidenceSQL, limit, func(f *Finding) []int64 { return f.AuditEvidence }); err != nil {
		return err
	}
	r.ProvisioningEvidence, err = evidenceTable(ctx, db, r.Findings, "provisioning_evidence", provisioningEvidenceSQL, limit, func(f *Finding) []int64 { return f.ProvisioningEvidence })
	return err
}

// evidenceTable reads the rows keys names for every finding with query (whose first column
// is the key and second the time) and lists them per finding: finding number, detection,
// then the query's columns, in time order, each row once per finding.
func evidenceTable(ctx context.Context, db *sql.DB, findings []Finding, name, query string, limit int, keysOf func(*Finding) []int64) (*Table, error) {
	var keys []int64
	seen := map[int64]bool{}
	for i := range findings {
		for j, k := range keysOf(&findings[i]) {
			if j == limit {
				break
			}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	list := make([]any, len(keys))
	for i, k := range keys {
		list[i] = k
	}
	t, err := queries.Select(ctx, db, query, list)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	byKey := make(map[int64][]any, len(t.Rows))
	for _, row := range t.Rows {
		if k, ok := row[0].(int64); ok {
			byKey[k] = row
		}
	}
	ev := &Table{Name: name, Columns: append([]Column{{Name: "finding", Type: "BIGINT"}, {Name: "detection", Type: "VARCHAR"}}, t.Columns...), Rows: [][]any{}}
	for i := range findings {
		f := &findings[i]
		var rows [][]any
		for j, k := range keysOf(f) {
			if j == limit {
				break
			}
			if row, ok := byKey[k]; ok {
				rows = append(rows, append([]any{int64(i + 1), f.Detection}, row...))
			}
		}
		sort.SliceStable(rows, func(a, b int) bool {
			ta, _ := rows[a][3].(time.Time)
			tb, _ := rows[b][3].(time.Time)
			return ta.Before(tb)
		})
		seenRow := map[int64]bool{}
		for _, row := range rows {
			k := row[2].(int64)
			if !seenRow[k] {
				seenRow[k] = true
				ev.Rows = append(ev.Rows, row)
			}
		}
	}
	return ev, nil
}
