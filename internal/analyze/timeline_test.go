package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store/storetest"
)

// The catalogue fixture (testdata/queries/catalogue, its README lists E01-E20): erin signs in
// at 02:00 (E11, failed), 02:05 (E12, success) and 03:00 (E13, failed) on 2025-06-10.
const catalogueGraph = "../../testdata/queries/catalogue/graph"

var tlAsOf = time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)

// signinKey is the key of the fixture's event En.
func signinKey(t *testing.T, db *sql.DB, n int) int64 {
	t.Helper()
	var k int64
	if err := db.QueryRow("SELECT signin_key FROM signins WHERE id = ?", fmt.Sprintf("20250600-0000-0000-0000-%012d", n)).Scan(&k); err != nil {
		t.Fatalf("E%02d: %v", n, err)
	}
	return k
}

// timelineAudits are five Graph directoryAudit events around erin's sign-ins
// (testdata/timeline/README.md): she initiated 101 (upper-case UPN), 102 and 105 and is the
// target of 103; 104 is bob's; 105 falls after as-of.
const timelineAudits = "../../testdata/timeline"

// auditKey is the key of the audit event with record id id.
func auditKey(t *testing.T, db *sql.DB, id string) int64 {
	t.Helper()
	var k int64
	if err := db.QueryRow("SELECT audit_key FROM audits WHERE id = ?", id).Scan(&k); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return k
}

// TestTimelineOrderAndHighlight reads erin's timeline: sign-ins and audit events in time
// order (a sign-in before an audit event of the same second), only hers, only up to as-of,
// with the findings whose evidence holds each row.
func TestTimelineOrderAndHighlight(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.OpenLoad(t, catalogueGraph, timelineAudits)
	if err := queries.Prepare(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	e11, e12 := signinKey(t, db.SQL, 11), signinKey(t, db.SQL, 12)
	// Finding 1 also cites the registration of security info, as a detection with audit
	// evidence does.
	fs := []Finding{
		{Detection: "identity-protection-risk", Severity: "high", UserPrincipalName: "erin@contoso.example", Evidence: []int64{e11, e12},
			AuditEvidence: []int64{auditKey(t, db.SQL, "Directory_tl_102")}},
		{Detection: "legacy-protocol-signin", Severity: "medium", UserPrincipalName: "erin@contoso.example", Evidence: []int64{e12}},
	}
	if err := queries.StoreFindings(ctx, db.SQL, fs); err != nil {
		t.Fatal(err)
	}
	tl, err := readTimeline(ctx, db.SQL, "erin@contoso.example", Params{}, tlAsOf)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, row := range tl.Table.Rows {
		col := func(name string) string { return queries.Text(row[ColumnIndex(tl.Table, name)], time.UTC) }
		mark := " "
		if tl.Suspicious(i) {
			mark = "!"
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %s [%s]", mark, col("time")[11:16], col("log"), col("activity"), col("result"), col("findings")))
	}
	want := []string{
		"! 02:00 interactiveUser sign-in failure [1]",
		"  02:01 audit Reset user password success []",
		"! 02:05 interactiveUser sign-in success [1, 2]",
		"  02:05 audit Update user success []",
		"! 02:10 audit User registered security info success [1]",
		"  03:00 interactiveUser sign-in failure []",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// By object id: the same six events (initiator_user_id, and the target's id for 103).
	byID, err := readTimeline(ctx, db.SQL, "aaaaaaaa-0000-0000-0000-000000000005", Params{}, tlAsOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(byID.Table.Rows) != len(want) {
		t.Errorf("timeline by object id: %d rows, want %d", len(byID.Table.Rows), len(want))
	}
	// The audit rows carry initiator, address and targets.
	row := tl.Table.Rows[1]
	for name, want := range map[string]string{"initiator": "admin@contoso.example", "ip_address": "198.51.100.1",
		"targets": "erin@contoso.example (User)", "category": "UserManagement", "resource": "Core Directory"} {
		if got := queries.Text(row[ColumnIndex(tl.Table, name)], time.UTC); got != want {
			t.Errorf("row 2 %s = %q, want %q", name, got, want)
		}
	}
}

// TestInvestigateUnknownAccount: an account without events gets a warning, not a timeline;
// one given twice (in another case) gets one timeline.
func TestInvestigateUnknownAccount(t *testing.T) {
	db, sum := rptLoad(t, catalogueGraph)
	r, err := Build(context.Background(), db, sum, Params{}, ReportOptions{Version: "test", GeneratedAt: rptGenerated,
		Investigate: []string{"erin@contoso.example", "ERIN@contoso.example", "nobody@contoso.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Timelines) != 1 || r.Timelines[0].Account != "erin@contoso.example" || len(r.Timelines[0].Table.Rows) != 3 {
		t.Errorf("timelines: %+v", r.Timelines)
	}
	found := false
	for _, w := range r.Warnings {
		found = found || strings.HasPrefix(w, "--investigate nobody@contoso.example: no sign-in and no audit event")
	}
	if !found {
		t.Errorf("no warning about the unknown account: %q", r.Warnings)
	}
}
