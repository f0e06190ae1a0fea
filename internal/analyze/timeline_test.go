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

func tlAt(h, m int) time.Time { return time.Date(2025, 6, 10, h, m, 0, 0, time.UTC) }

// signinKey is the key of the fixture's event En.
func signinKey(t *testing.T, db *sql.DB, n int) int64 {
	t.Helper()
	var k int64
	if err := db.QueryRow("SELECT signin_key FROM signins WHERE id = ?", fmt.Sprintf("20250600-0000-0000-0000-%012d", n)).Scan(&k); err != nil {
		t.Fatalf("E%02d: %v", n, err)
	}
	return k
}

// insertAudits adds audit events the way the loaders will: erin is the initiator of 101
// (upper-case UPN), 102 and 105, the target of 103; 104 is bob's; 105 falls after as-of.
func insertAudits(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, a := range []struct {
		key       int64
		at        time.Time
		category  string
		activity  string
		initiator string
		ip        string
	}{
		{101, tlAt(2, 5), "UserManagement", "Update user", "Erin@Contoso.example", "203.0.113.99"},
		{102, tlAt(2, 10), "UserManagement", "User registered security info", "erin@contoso.example", "203.0.113.99"},
		{103, tlAt(2, 1), "UserManagement", "Reset user password", "admin@contoso.example", "198.51.100.1"},
		{104, tlAt(2, 3), "UserManagement", "Update user", "bob@contoso.example", "198.51.100.7"},
		{105, tlAt(13, 0), "UserManagement", "Update user", "erin@contoso.example", "203.0.113.99"},
	} {
		if _, err := db.Exec(`INSERT INTO audits (audit_key, id, activity_at, category, activity, result, initiator_upn, initiator_ip_address, logged_by_service)
			VALUES (?, ?, ?, ?, ?, 'success', ?, ?, 'Core Directory')`, a.key, fmt.Sprint("a", a.key), a.at, a.category, a.activity, a.initiator, a.ip); err != nil {
			t.Fatal(err)
		}
	}
	for _, tg := range []struct {
		key      int64
		upn, typ string
	}{{101, "erin@contoso.example", "User"}, {103, "erin@contoso.example", "User"}, {104, "bob@contoso.example", "User"}} {
		if _, err := db.Exec(`INSERT INTO audit_targets (audit_key, target_index, type, id, display_name, user_principal_name) VALUES (?, 1, ?, '', '', ?)`,
			tg.key, tg.typ, tg.upn); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTimelineOrderAndHighlight reads erin's timeline: sign-ins and audit events in time
// order (a sign-in before an audit event of the same second), only hers, only up to as-of,
// with the findings whose evidence holds each row.
func TestTimelineOrderAndHighlight(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.OpenLoad(t, catalogueGraph)
	if err := queries.Prepare(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	insertAudits(t, db.SQL)
	e11, e12 := signinKey(t, db.SQL, 11), signinKey(t, db.SQL, 12)
	fs := []Finding{
		{Detection: "identity-protection-risk", Severity: "high", UserPrincipalName: "erin@contoso.example", Evidence: []int64{e11, e12}},
		{Detection: "legacy-protocol-signin", Severity: "medium", UserPrincipalName: "erin@contoso.example", Evidence: []int64{e12}},
	}
	if err := queries.StoreFindings(ctx, db.SQL, fs); err != nil {
		t.Fatal(err)
	}
	// What a detection with audit evidence records: finding 1 cites the registration.
	if _, err := db.SQL.Exec("INSERT INTO finding_audit_evidence VALUES (1, 102)"); err != nil {
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
	// The same account by object id gives the sign-ins (the audit rows name her by UPN only).
	byID, err := readTimeline(ctx, db.SQL, "aaaaaaaa-0000-0000-0000-000000000005", Params{}, tlAsOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(byID.Table.Rows) != 3 {
		t.Errorf("timeline by object id: %d rows, want erin's 3 sign-ins", len(byID.Table.Rows))
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
