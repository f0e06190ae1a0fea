package analyze

import (
	"context"
	"strings"
	"testing"
)

// A folder holding only audit and provisioning logs (testdata/queries/audits, listed in its
// README): the report counts their events, answers what changed, runs the audit detections,
// lists their evidence and says that the sign-ins are missing.
func TestOnlyAuditLogs(t *testing.T) {
	db, sum := rptLoad(t, "../../testdata/queries/audits/graph")
	r, err := Build(context.Background(), db, sum, Params{}, ReportOptions{Version: "test", GeneratedAt: rptGenerated})
	if err != nil {
		t.Fatal(err)
	}
	if r.Meta.SignIns != 0 || r.Meta.AuditEvents != 20 || r.Meta.ProvisioningEvents != 7 {
		t.Errorf("counts: %d sign-ins, %d audit, %d provisioning; want 0, 20, 7", r.Meta.SignIns, r.Meta.AuditEvents, r.Meta.ProvisioningEvents)
	}
	// A01 at 06-09 14:00 is the first event, A20 at 06-10 11:30 the last and the as-of.
	if got := r.Meta.First.Format("2006-01-02T15:04Z"); got != "2025-06-09T14:00Z" {
		t.Errorf("first event %s, want A01's", got)
	}
	if got := r.Meta.AsOf.Format("2006-01-02T15:04Z"); got != "2025-06-10T11:30Z" {
		t.Errorf("as-of %s, want A20's", got)
	}
	warned := false
	for _, w := range r.Warnings {
		warned = warned || strings.HasPrefix(w, "no sign-ins were loaded, only 20 audit events and 7 provisioning events")
		if strings.Contains(w, "no interactiveUser") {
			t.Errorf("per-log-type warning beside the no-sign-ins one: %s", w)
		}
	}
	if !warned {
		t.Errorf("warnings %q do not say the sign-ins are missing", r.Warnings)
	}
	want := []string{
		"20 audit events in all events up to 2025-06-10 11:30 UTC (20 activities, 1 failed); most often Add delegated permission grant (1)",
		"Role changes: 3 events in all events up to 2025-06-10 11:30 UTC; first alice@contoso.example Add member to role Global Administrator for bob@contoso.example",
		"Authentication methods: 3 changes for 2 users in all events up to 2025-06-10 11:30 UTC; first User registered security info for erin@contoso.example",
		"Consents and grants: 2 events for 2 applications in all events up to 2025-06-10 11:30 UTC; first erin@contoso.example Consent to application Mail Helper (Mail.Read offline_access User.Read)",
		"Application credentials: 2 changes to 2 applications in all events up to 2025-06-10 11:30 UTC; first by erin@contoso.example to Contoso Reports",
		"Conditional Access: 2 changes to 2 policies or locations in all events up to 2025-06-10 11:30 UTC; first bob@contoso.example Update conditional access policy Require MFA for all users",
		"Provisioning: 7 events in all events up to 2025-06-10 11:30 UTC (3 failed, 1 skipped) across 2 applications",
	}
	if strings.Join(r.Changes, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(r.Changes, "\n"), strings.Join(want, "\n"))
	}
	// Findings, counted from the README: privileged-role-assigned A01 (high); consent-grant
	// A07 (offline_access with Mail.Read) and A08 (tenant-wide) (high); credential-added-to-app
	// A09 (Contoso Reports holds Files.ReadWrite.All from A08: high) and A10 (medium);
	// ca-policy-weakened A15 (report-only) and A16 (deleted) (high);
	// security-info-added-by-other A05 (bob for carol; no sign-ins to compare the address:
	// medium); provisioning-failures ServiceNow (3 of 5 failed: medium).
	count := map[string]int{}
	for _, f := range r.Findings {
		count[f.Detection+" "+f.Severity]++
	}
	for k, n := range map[string]int{"privileged-role-assigned high": 1, "consent-grant high": 2, "credential-added-to-app high": 1,
		"credential-added-to-app medium": 1, "ca-policy-weakened high": 2, "security-info-added-by-other medium": 1, "provisioning-failures medium": 1} {
		if count[k] != n {
			t.Errorf("%s: %d findings, want %d", k, count[k], n)
		}
		delete(count, k)
	}
	if len(count) > 0 {
		t.Errorf("other findings: %v", count)
	}
	// Evidence: one audit row per audit finding, two for A09's (A09 and the grant A08): 9;
	// the ServiceNow failures P02-P04: 3. No sign-ins.
	if n := len(r.Evidence.Rows); n != 0 {
		t.Errorf("%d sign-in evidence rows", n)
	}
	if n := len(r.AuditEvidence.Rows); n != 9 {
		t.Errorf("%d audit evidence rows, want 9", n)
	}
	if n := len(r.ProvisioningEvidence.Rows); n != 3 {
		t.Errorf("%d provisioning evidence rows, want 3", n)
	}
}
