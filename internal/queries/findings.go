package queries

import (
	"context"
	"database/sql"
	"encoding/json"
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
	var rows [][]any
	var evidence, audits keyPairs
	for i, f := range fs {
		n := int32(i + 1)
		rows = append(rows, []any{n, f.Detection, f.Severity, f.Title, f.UserPrincipalName, f.IPAddress,
			f.ServicePrincipalID, timeOrNil(f.FirstSeen), timeOrNil(f.LastSeen), f.Events, f.Details})
		evidence.add(n, f.Evidence)
		audits.add(n, f.AuditEvidence)
	}
	for _, create := range []string{findingsTableSQL, findingEvidenceTableSQL, findingAuditEvidenceTableSQL} {
		if _, err := tx.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("store findings: %w", err)
		}
	}
	for start := 0; start < len(rows); start += insertBatch {
		if err := insertRows(ctx, tx, "findings", rows[start:min(start+insertBatch, len(rows))]); err != nil {
			return fmt.Errorf("store findings: %w", err)
		}
	}
	for _, t := range []struct {
		name  string
		pairs keyPairs
	}{{"finding_evidence", evidence}, {"finding_audit_evidence", audits}} {
		if err := t.pairs.insert(ctx, tx, t.name); err != nil {
			return fmt.Errorf("store findings in %s: %w", t.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store findings: %w", err)
	}
	return nil
}

// keyPairs are the rows of an evidence table: a finding's number and an event's key.
type keyPairs struct {
	findings []int32
	keys     []int64
}

func (p *keyPairs) add(finding int32, keys []int64) {
	for _, k := range keys {
		p.findings = append(p.findings, finding)
		p.keys = append(p.keys, k)
	}
}

// insert adds the pairs to table in one statement: both columns go as JSON arrays,
// unnested side by side. (A VALUES list of bound parameters, 500 rows at a time, took
// DuckDB ~0.3 s of planning for the 11,462 evidence rows of a 130k-sign-in report.)
func (p keyPairs) insert(ctx context.Context, db execer, table string) error {
	if len(p.keys) == 0 {
		return nil
	}
	f, err := json.Marshal(p.findings)
	if err != nil {
		return err
	}
	k, err := json.Marshal(p.keys)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "INSERT INTO "+table+" SELECT unnest(?::JSON::INTEGER[]), unnest(?::JSON::BIGINT[])", string(f), string(k))
	return err
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
