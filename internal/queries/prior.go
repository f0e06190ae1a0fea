package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Detections that build on other detections' findings (compromise-then-persistence: a
// persistence change after a high-signal sign-in finding) read the temporary table
// prior_findings, which RunDetections fills with every finding of the detections that do not
// read it, at every severity and before --severity applies:
//
//	detection, severity, user_principal_name, ip_address, first_seen, last_seen, evidence
//
// (evidence: the finding's signins.signin_key). Such detections run after all the others.

const priorFindingsTable = `CREATE OR REPLACE TEMP TABLE prior_findings (detection VARCHAR, severity VARCHAR,
	user_principal_name VARCHAR, ip_address VARCHAR, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, evidence BIGINT[])`

// ReadsPriorFindings reports whether q reads the findings of the other detections.
func ReadsPriorFindings(q *Query) bool { return strings.Contains(q.SQL, "prior_findings") }

// createPriorFindings fills prior_findings with fs.
func createPriorFindings(ctx context.Context, db *sql.DB, fs []Finding) error {
	rows := make([][]any, 0, len(fs))
	for _, f := range fs {
		ev := make([]any, len(f.Evidence))
		for i, k := range f.Evidence {
			ev[i] = k
		}
		rows = append(rows, []any{f.Detection, f.Severity, f.UserPrincipalName, f.IPAddress, timeOrNil(f.FirstSeen), timeOrNil(f.LastSeen), ev})
	}
	if err := createTempTable(ctx, db, priorFindingsTable, "prior_findings", rows); err != nil {
		return fmt.Errorf("prior findings: %w", err)
	}
	return nil
}
