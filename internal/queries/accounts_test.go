package queries_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
)

// accountFindings are made-up findings over the catalogue fixture's sign-ins (E01-E20 of
// its README), in report order, chosen to reach every rule of the accounts query.
func accountFindings(t *testing.T, key func(e int) int64) []queries.Finding {
	at := func(day, h, m int) time.Time { return time.Date(2025, 6, day, h, m, 0, 0, time.UTC) }
	return []queries.Finding{
		// F1 names no account: it is about the owners of its evidence, carol (E05, E06, E08)
		// and erin (E11).
		{Detection: "password-spray", Severity: "high", IPAddress: "192.0.2.50", FirstSeen: at(9, 12, 0), LastSeen: at(10, 2, 0),
			Evidence: []int64{key(5), key(6), key(8), key(11)}},
		{Detection: "identity-protection-risk", Severity: "high", UserPrincipalName: "erin@contoso.example", IPAddress: "203.0.113.99",
			FirstSeen: at(10, 2, 0), LastSeen: at(10, 2, 5), Evidence: []int64{key(11), key(12)}},
		// F3 names erin; E09 is dave's and must not reach erin's addresses or countries.
		{Detection: "legacy-protocol-signin", Severity: "medium", UserPrincipalName: "erin@contoso.example",
			FirstSeen: at(10, 2, 5), LastSeen: at(10, 3, 0), Evidence: []int64{key(12), key(13), key(9)}},
		{Detection: "compromise-then-persistence", Severity: "high", UserPrincipalName: "erin@contoso.example", IPAddress: "203.0.113.99",
			FirstSeen: at(10, 2, 30), LastSeen: at(10, 2, 30)},
		{Detection: "suspicious-user-agent", Severity: "medium", ServicePrincipalID: "5e5e5e5e-0000-0000-0000-000000000001",
			FirstSeen: at(9, 23, 0), LastSeen: at(9, 23, 0), Evidence: []int64{key(18)}},
		// F6 is about the export (a data check): bob is no account to look at.
		{Detection: "time-gap", Severity: "low", FirstSeen: at(5, 10, 0), LastSeen: at(10, 6, 0), Evidence: []int64{key(3), key(14)}},
		{Detection: "new-country", Severity: "low", UserPrincipalName: "alice@contoso.example", IPAddress: "203.0.113.10",
			FirstSeen: at(10, 12, 0), LastSeen: at(10, 12, 0), Evidence: []int64{key(16)}},
		// E15 was interrupted, not failed: alice's E16 is no success after a failure.
		{Detection: "new-country", Severity: "low", UserPrincipalName: "alice@contoso.example", IPAddress: "203.0.113.10",
			FirstSeen: at(10, 9, 0), LastSeen: at(10, 9, 0), Evidence: []int64{key(15)}},
	}
}

// TestAccountsScore checks the accounts query against scores counted by hand with the
// default weights (high 10, medium 4, low 1, 2 per distinct detection, 5 for a success
// after failures, 20 for persistence):
//
//	erin     F1 F2 F3 F4: 3 high, 1 medium, 4 detections, E12 succeeded after E11 failed
//	         from 203.0.113.99, F4 is persistence: 30 + 4 + 8 + 5 + 20 = 67
//	carol    F1: 1 high, 1 detection, E08 succeeded after E05 and E06 from 192.0.2.50:
//	         10 + 2 + 5 = 17
//	invoice-sync F5: 1 medium, 1 detection, E18 failed and nothing followed: 4 + 2 = 6
//	alice    F7 F8: 2 low, 1 detection (new-country twice), E15 interrupted: 2 + 2 = 4
//	bob      F6 only, a data check: not listed
//
// F1 names no user: for each of its accounts it spans that account's own evidence, carol's
// E05-E08 (12:00-13:10 on the 9th) and erin's E11 (02:00 on the 10th, her first suspicious
// time), not the finding's whole span.
func TestAccountsScore(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, fixtureDir+"/graph")
	key := func(e int) int64 {
		var k int64
		id := "20250600-0000-0000-0000-0000000000" + string(rune('0'+e/10)) + string(rune('0'+e%10))
		if err := db.SQL.QueryRowContext(ctx, "SELECT signin_key FROM signins WHERE id = ?", id).Scan(&k); err != nil {
			t.Fatalf("E%02d: %v", e, err)
		}
		return k
	}
	if err := queries.StoreFindings(ctx, db.SQL, accountFindings(t, key)); err != nil {
		t.Fatal(err)
	}
	q, ok := queries.Get("accounts")
	if !ok || !q.AfterDetections {
		t.Fatalf("accounts: in catalogue %v, after detections %v", ok, ok && q.AfterDetections)
	}
	asOf := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	tab, _, err := queries.Run(ctx, db.SQL, q, queries.Params{}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	compareCSVText(t, "accounts", csvText(t, tab), `account,kind,account_id,score,findings,high,medium,low,detections,success_after_failures,persistence,first_suspicious,last_suspicious,ip_addresses,asns,countries
erin@contoso.example,user,aaaaaaaa-0000-0000-0000-000000000005,67,4,3,1,0,"compromise-then-persistence, identity-protection-risk, legacy-protocol-signin, password-spray",true,true,2025-06-10T02:00:00Z,2025-06-10T03:00:00Z,"192.0.2.50, 203.0.113.99",12389,RU
carol@contoso.example,user,aaaaaaaa-0000-0000-0000-000000000003,17,1,1,0,0,password-spray,true,false,2025-06-09T12:00:00Z,2025-06-09T13:10:00Z,192.0.2.50,7922,US
invoice-sync,workload,5e5e5e5e-0000-0000-0000-000000000001,6,1,0,1,0,suspicious-user-agent,false,false,2025-06-09T23:00:00Z,2025-06-09T23:00:00Z,198.51.100.200,24940,DE
alice@contoso.example,user,aaaaaaaa-0000-0000-0000-000000000001,4,2,0,0,2,new-country,false,false,2025-06-10T09:00:00Z,2025-06-10T12:00:00Z,203.0.113.10,1136,NL
`)

	// Without persistence points erin drops 20; with no data checks bob's time-gap finding
	// counts against him: 1 low + 1 detection = 3, and his E03 and E14 both succeeded.
	tab, _, err = queries.Run(ctx, db.SQL, q, queries.Params{Set: map[string]string{"accounts.persistence": "0", "accounts.data_checks": ""}}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tab.Rows {
		got = append(got, queries.Text(r[0], time.UTC)+"="+queries.Text(r[3], time.UTC))
	}
	if want := "erin@contoso.example=47 carol@contoso.example=17 invoice-sync=6 alice@contoso.example=4 bob@contoso.example=3"; strings.Join(got, " ") != want {
		t.Errorf("scores with persistence 0 and no data checks: %s, want %s", strings.Join(got, " "), want)
	}
}
