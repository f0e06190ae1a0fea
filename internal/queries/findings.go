package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The findings of a run as temporary tables, so that catalogue entries marked
// "after: detections" (Query.AfterDetections) can read them with SQL:
//
//	findings          one row per finding; finding is its 1-based place in report order
//	finding_evidence  (finding, signin_key): the sign-ins behind each finding
//	finding_audit_evidence (finding, audit_key): the audit events behind each finding
const (
	findingsTableSQL = `CREATE OR REPLACE TEMP TABLE findings (finding INTEGER, detection VARCHAR, severity VARCHAR,
	title VARCHAR, user_principal_name VARCHAR, ip_address VARCHAR, service_principal_id VARCHAR,
	first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, events BIGINT, details VARCHAR)`
	findingEvidenceTableSQL      = `CREATE OR REPLACE TEMP TABLE finding_evidence (finding INTEGER, signin_key BIGINT)`
	findingAuditEvidenceTableSQL = `CREATE OR REPLACE TEMP TABLE finding_audit_evidence (finding INTEGER, audit_key BIGINT)`
)

// insertBatch is how many rows one bound INSERT carries.
const insertBatch = 500

// StoreFindings writes fs (in report order, as RunDetections returns them) to the
// temporary tables findings, finding_evidence and finding_audit_evidence, replacing what an earlier call wrote.
// Temporary tables live per connection: like Prepare, it limits db to one connection.
func StoreFindings(ctx context.Context, db *sql.DB, fs []Finding) error {
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store findings: %w", err)
	}
	defer tx.Rollback()
	var rows, evidence, audits [][]any
	for i, f := range fs {
		n := int32(i + 1)
		rows = append(rows, []any{n, f.Detection, f.Severity, f.Title, f.UserPrincipalName, f.IPAddress,
			f.ServicePrincipalID, timeOrNil(f.FirstSeen), timeOrNil(f.LastSeen), f.Events, f.Details})
		for _, k := range f.Evidence {
			evidence = append(evidence, []any{n, k})
		}
		for _, k := range f.AuditEvidence {
			audits = append(audits, []any{n, k})
		}
	}
	for _, t := range []struct {
		create, name string
		rows         [][]any
	}{{findingsTableSQL, "findings", rows}, {findingEvidenceTableSQL, "finding_evidence", evidence},
		{findingAuditEvidenceTableSQL, "finding_audit_evidence", audits}} {
		if _, err := tx.ExecContext(ctx, t.create); err != nil {
			return fmt.Errorf("store findings: %w", err)
		}
		for start := 0; start < len(t.rows); start += insertBatch {
			if err := insertRows(ctx, tx, t.name, t.rows[start:min(start+insertBatch, len(t.rows))]); err != nil {
				return fmt.Errorf("store findings in %s: %w", t.name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store findings: %w", err)
	}
	return nil
}

// insertRows adds rows to table in one bound INSERT; every row has one value per column.
func insertRows(ctx context.Context, db execer, table string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	row := "(" + strings.Repeat("?, ", len(rows[0])-1) + "?)"
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " VALUES ")
	args := make([]any, 0, len(rows)*len(rows[0]))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, r...)
	}
	_, err := db.ExecContext(ctx, b.String(), args...)
	return err
}
