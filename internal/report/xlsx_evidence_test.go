package report

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
)

// rptAuditRows puts two audit events (keys 901 and 902, the first with a target and a
// changed property) and one provisioning event (key 951) into db, as the loaders would.
func rptAuditRows(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, stmt := range []string{
		`INSERT INTO audits (audit_key, id, activity_at, category, activity, result, initiator_upn, initiator_ip_address, source_file, source_line)
		 VALUES (901, 'a1', TIMESTAMPTZ '2025-06-15 12:00:00+00', 'UserManagement', 'User registered security info', 'success', 'bob@contoso.example', '192.0.2.50', 'audit.jsonl', 1),
		        (902, 'a2', TIMESTAMPTZ '2025-06-15 11:00:00+00', 'RoleManagement', 'Add member to role', 'success', 'bob@contoso.example', '192.0.2.50', 'audit.jsonl', 2)`,
		`INSERT INTO audit_targets (audit_key, target_index, type, id, display_name, user_principal_name)
		 VALUES (902, 1, 'User', 'u-carol', 'Carol', 'carol@contoso.example')`,
		`INSERT INTO audit_modified_properties (audit_key, target_index, property_index, name, old_value, new_value)
		 VALUES (902, 1, 1, 'Role.DisplayName', NULL, '"Global Administrator"')`,
		`INSERT INTO provisioning (provisioning_key, id, activity_at, action, status, error_code, service_principal_name, source_file, source_line)
		 VALUES (951, 'p1', TIMESTAMPTZ '2025-06-15 13:00:00+00', 'create', 'failure', 'SalesforceDuplicateUserName', 'Salesforce', 'prov.jsonl', 1)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

// Findings with audit and provisioning evidence: the Evidence sheet lists the sign-ins,
// then the audit events under their heading, then the provisioning events; the Findings
// sheet's link names all three and opens the first.
func TestEvidenceSheetWithAuditRows(t *testing.T) {
	db, sum := rptLoad(t, rptFixture)
	rptAuditRows(t, db.SQL)
	detect := func(_ context.Context, _ *sql.DB, _ analyze.Params, asOf time.Time, _ string) ([]analyze.Finding, []analyze.DetectionRun, error) {
		dets, _ := queries.OfKind("detection")
		q := dets[0]
		at := time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)
		return []analyze.Finding{
				{Detection: q.ID, Severity: "high", Title: "sign-ins then changes", UserPrincipalName: "bob@contoso.example", FirstSeen: at, LastSeen: at,
					Events: 3, Evidence: []int64{2}, AuditEvidence: []int64{901, 902}, ProvisioningEvidence: []int64{951}},
				{Detection: q.ID, Severity: "medium", Title: "a change alone", FirstSeen: at, LastSeen: at, Events: 1, AuditEvidence: []int64{901}},
			}, []analyze.DetectionRun{{Query: q, Bound: analyze.Bound{Until: asOf, Args: map[string]any{}}, Findings: 2}},
			nil
	}
	r, err := analyze.Build(context.Background(), db, sum, analyze.Params{}, analyze.ReportOptions{Version: "test", GeneratedAt: rptGenerated, Detect: detect})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.AuditEvidence.Rows); n != 3 {
		t.Fatalf("%d audit evidence rows, want 3 (two for finding 1, one for finding 2)", n)
	}
	f, _ := rptWorkbook(t, r)
	// Row 4 headers, row 5 the one sign-in; row 7 the heading, row 8 headers, rows 9-11 the
	// audit events (finding 1: 902 at 11:00 then 901 at 12:00; finding 2: 901); row 13 the
	// heading, 14 headers, 15 the provisioning event.
	for ref, want := range map[string]string{
		"A5": "1", "C5": "2",
		"A7": "Audit events", "C8": "audit_key", "D8": "activity_at (UTC)", "E8": "activity",
		"A9": "1", "C9": "902", "E9": "Add member to role", "J9": "192.0.2.50", "K9": "User carol@contoso.example",
		"L9":  `Role.DisplayName:  → "Global Administrator"`,
		"C10": "901", "A11": "2", "C11": "901",
		"A13": "Provisioning events", "C14": "provisioning_key", "C15": "951", "E15": "Salesforce", "H15": "SalesforceDuplicateUserName",
	} {
		if got, _ := f.GetCellValue("Evidence", ref); got != want {
			t.Errorf("Evidence!%s = %q, want %q", ref, got, want)
		}
	}
	if got, _ := f.GetCellValue("Findings", "L5"); got != "1 sign-in, 2 audit events, 1 provisioning event →" {
		t.Errorf("Findings!L5 = %q", got)
	}
	if ok, target, _ := f.GetCellHyperLink("Findings", "L5"); !ok || target != "'Evidence'!A5" {
		t.Errorf("Findings!L5 links to %q", target)
	}
	if got, _ := f.GetCellValue("Findings", "L6"); got != "1 audit event →" {
		t.Errorf("Findings!L6 = %q", got)
	}
	if ok, target, _ := f.GetCellHyperLink("Findings", "L6"); !ok || target != "'Evidence'!A11" {
		t.Errorf("Findings!L6 links to %q", target)
	}
}

// A workbook from audit and provisioning logs alone (testdata/queries/audits): one sheet per
// audit query, the changes on the Summary, the audit rows on the Evidence sheet.
func TestWorkbookFromAuditLogsOnly(t *testing.T) {
	db, sum := rptLoad(t, "../../testdata/queries/audits/graph")
	r, err := analyze.Build(context.Background(), db, sum, analyze.Params{}, analyze.ReportOptions{Version: "test", GeneratedAt: rptGenerated})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := rptWorkbook(t, r)
	sheets := map[string]bool{}
	for _, s := range f.GetSheetList() {
		sheets[s] = true
	}
	for _, s := range []string{"Evidence", "audit-activity", "role-changes", "security-info-changes", "app-consents", "credential-changes",
		"registered-devices", "password-changes", "ca-policy-changes", "user-lifecycle", "provisioning-activity"} {
		if !sheets[s] {
			t.Errorf("no sheet %s", s)
		}
	}
	// role-changes: title, question, window, then the header and A01-A03.
	if got, _ := f.GetCellValue("role-changes", "F5"); got != "Global Administrator" {
		t.Errorf("role-changes!F5 = %q, want A01's role", got)
	}
	for _, text := range []string{"What changed (audit and provisioning logs)", "• Role changes: 3 events",
		"no sign-ins were loaded, only 20 audit events and 7 provisioning events", "20 audit events, 7 provisioning events"} {
		if !rptSheetHas(f, "Summary", text) {
			t.Errorf("Summary lacks %q", text)
		}
	}
	// No sign-in evidence: the audit events come first, as the Evidence sheet's table.
	if got, _ := f.GetCellValue("Evidence", "C4"); got != "audit_key" {
		t.Errorf("Evidence!C4 = %q, want the audit table's header", got)
	}
	if !rptSheetHas(f, "Evidence", "Provisioning events") {
		t.Error("Evidence has no provisioning block")
	}
	if !rptSheetHas(f, "Methodology", "CREATE OR REPLACE TEMP MACRO audit_scoped(since, until, usr, ip) AS TABLE") {
		t.Error("Methodology lacks the audit_scoped() macro")
	}
}
