package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// Timeline is one investigated account's sign-ins and audit events, interleaved in time
// order (analyze --investigate). Rows whose findings column is not empty are evidence of a
// finding: the workbook highlights them.
type Timeline struct {
	Account string `json:"account"` // UPN or object id, as given
	// Since (exclusive; zero for the start of the export) and Until (inclusive) bound the
	// events: --since, and --until or as-of.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	Table *Table    `json:"table"`
}

// Suspicious reports whether row i of the timeline is evidence of a finding.
func (tl *Timeline) Suspicious(i int) bool {
	c := ColumnIndex(tl.Table, "findings")
	if c < 0 || i >= len(tl.Table.Rows) {
		return false
	}
	l, _ := tl.Table.Rows[i][c].([]any)
	return len(l) > 0
}

// timelineSQL lists one account's events: its sign-ins (user principal name or user id,
// like --user) and the audit events it initiated or was a target of, between $since
// (exclusive, NULL for the start of the export) and $until. findings lists the 1-based
// numbers of the findings whose evidence holds the row (the tables StoreFindings fills).
const timelineSQL = `WITH
signin_findings AS (
    SELECT e.signin_key, list(DISTINCT e.finding ORDER BY e.finding) AS findings,
        list(DISTINCT f.detection ORDER BY f.detection) AS detections
    FROM finding_evidence e JOIN findings f USING (finding) GROUP BY e.signin_key
),
audit_findings AS (
    SELECT e.audit_key, list(DISTINCT e.finding ORDER BY e.finding) AS findings,
        list(DISTINCT f.detection ORDER BY f.detection) AS detections
    FROM finding_audit_evidence e JOIN findings f USING (finding) GROUP BY e.audit_key
),
targets AS (
    SELECT audit_key,
        string_agg(coalesce(nullif(t.user_principal_name, ''), nullif(t.display_name, ''), t.id)
            || CASE WHEN coalesce(t.type, '') <> '' THEN ' (' || t.type || ')' ELSE '' END, '; ' ORDER BY t.target_index) AS targets,
        bool_or(lower(t.user_principal_name) = lower($account) OR t.id = $account) AS is_target
    FROM audit_targets t GROUP BY audit_key
),
events AS (
    SELECT s.created_at AS time, s.log_type AS log, 'sign-in' AS activity, '' AS category,
        s.app_display_name AS app, s.resource_display_name AS resource, s.ip_address,
        s.autonomous_system_number AS asn, s.country, s.user_agent,
        s.status AS result, s.error_code,
        concat_ws(', ', nullif(s.authentication_requirement, ''), nullif(s.mfa_auth_method, ''),
            nullif(s.authentication_protocol, 'none')) AS auth_method,
        s.session_id, s.conditional_access_status AS ca_status,
        concat_ws(' / ', nullif(s.risk_level_during_signin, ''), nullif(s.risk_level_aggregated, '')) AS risk,
        '' AS initiator, '' AS targets,
        sf.findings, sf.detections,
        s.signin_key, NULL::BIGINT AS audit_key
    FROM scoped($since, $until, NULL, $account, NULL, NULL) s
    LEFT JOIN signin_findings sf ON sf.signin_key = s.signin_key
    UNION ALL
    SELECT a.activity_at, 'audit', a.activity, a.category,
        coalesce(nullif(a.initiator_service_principal_name, ''), a.initiator_app_id), a.logged_by_service, a.initiator_ip_address,
        NULL::BIGINT, NULL, NULL,
        concat_ws(': ', a.result, nullif(a.result_reason, '')), NULL::INTEGER,
        NULL, NULL, NULL, NULL,
        coalesce(nullif(a.initiator_upn, ''), nullif(a.initiator_display_name, ''), a.initiator_service_principal_name),
        t.targets,
        af.findings, af.detections,
        NULL::BIGINT, a.audit_key
    FROM audits a
    LEFT JOIN targets t ON t.audit_key = a.audit_key
    LEFT JOIN audit_findings af ON af.audit_key = a.audit_key
    WHERE ($since IS NULL OR a.activity_at > $since) AND a.activity_at <= $until
      AND (lower(a.initiator_upn) = lower($account) OR a.initiator_user_id = $account OR t.is_target)
)
SELECT * FROM events
ORDER BY time, log = 'audit', signin_key, audit_key`

// readTimeline reads one account's timeline, within the absolute bounds of p (--since,
// --until or --as-of); the query windows and the other filters do not apply.
func readTimeline(ctx context.Context, db *sql.DB, account string, p Params, until time.Time) (*Timeline, error) {
	args := []any{sql.Named("account", strings.TrimSpace(account)), sql.Named("until", until)}
	if p.Since.IsZero() {
		args = append(args, sql.Named("since", nil))
	} else {
		args = append(args, sql.Named("since", p.Since.UTC()))
	}
	t, err := queries.Select(ctx, db, timelineSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", account, err)
	}
	t.Name = "timeline"
	return &Timeline{Account: account, Since: p.Since.UTC(), Until: until, Table: t}, nil
}

// readTimelines reads the timeline of each account of opt.Investigate (the same account
// given twice, in any case, once). An account without a single event gets no timeline but
// a warning that says so.
func (r *Report) readTimelines(ctx context.Context, db *sql.DB, accounts []string, p Params) error {
	until := r.Meta.AsOf
	if !p.Until.IsZero() {
		until = p.Until.UTC()
	}
	seen := map[string]bool{}
	for _, a := range accounts {
		a = strings.TrimSpace(a)
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		seen[strings.ToLower(a)] = true
		tl, err := readTimeline(ctx, db, a, p, until)
		if err != nil {
			return err
		}
		if len(tl.Table.Rows) == 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("--investigate %s: no sign-in and no audit event of this account (user principal name or object id) up to %s, so there is no timeline sheet for it",
				a, until.In(r.Location()).Format("2006-01-02 15:04 MST")))
			continue
		}
		r.Timelines = append(r.Timelines, tl)
	}
	return nil
}
