package queries

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeIntel(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "iocs.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadIntel(t *testing.T) {
	path := writeIntel(t, "\uFEFF# exported 2025-06-11\n"+
		"first_seen,Type,Label,Indicator\n"+
		"2025-06-01,,relay,198.51.100.7\n"+
		"2025-06-01,,\"VPS, rented\",203.0.113.9/24\n"+
		"2025-06-01,cidr,v6 range,2001:DB8:BAD::/48\n"+
		"2025-06-01,,hoster,as64500\n"+
		"2025-06-01,ASN,scanner,64501\n"+
		"2025-06-01,,mapped,::ffff:192.0.2.1\n"+
		"2025-06-01,user-agent,looks like an address,10.0.0.1\n"+
		"\n"+
		"2025-06-01,,kit,EvilProxy/1.0\n"+
		"2025-06-01,,,python-requests/2.31\n")
	in, err := LoadIntel(path)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Line               int
		Type, Value, Label string
		ASN                int64
	}
	var got []row
	for _, x := range in.Indicators {
		got = append(got, row{x.Line, x.Type, x.Value, x.Label, x.ASN})
	}
	want := []row{
		{3, "ip", "198.51.100.7", "relay", 0},
		{4, "cidr", "203.0.113.0/24", "VPS, rented", 0},
		{5, "cidr", "2001:db8:bad::/48", "v6 range", 0},
		{6, "asn", "AS64500", "hoster", 64500},
		{7, "asn", "AS64501", "scanner", 64501},
		{8, "ip", "192.0.2.1", "mapped", 0},
		{9, "user-agent", "10.0.0.1", "looks like an address", 0},
		{11, "user-agent", "evilproxy/1.0", "kit", 0},
		{12, "user-agent", "python-requests/2.31", "", 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("indicators\n got %+v\nwant %+v", got, want)
	}
	if in.Counts() != "2 ip, 2 cidr, 2 asn, 3 user-agent" {
		t.Errorf("Counts() = %q", in.Counts())
	}
	if len(in.SHA256) != 64 {
		t.Errorf("SHA256 %q", in.SHA256)
	}
}

func TestLoadIntelNamesBadRows(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"198.51.100.7,relay\n", ":1: the first line must be the header naming the columns indicator and label"},
		{"indicator,label\n", ": no indicators"},
		{"indicator,label\n1234,hoster\n", ":2: 1234: a bare number is ambiguous; write AS1234"},
		{"indicator,label,type\n198.51.100.300,relay,ip\n", ":2: 198.51.100.300 is not an IP address"},
		{"indicator,label,type\n198.51.100.7,relay,cidr\n", ":2: 198.51.100.7 is not a network in CIDR notation"},
		{"indicator,label,type\nAS0,none,\n", ":2: AS0 is not an autonomous system number"},
		{"indicator,label,type\n99999999999,big,asn\n", ":2: 99999999999 is not an autonomous system number"},
		{"indicator,label,type\nab,short,\n", ":2: user-agent substring \"ab\" is shorter than 3 characters"},
		{"indicator,label,type\n198.51.100.7,relay,host\n", ":2: type \"host\": want ip, cidr, asn or user-agent"},
		{"indicator,label\n198.51.100.7,one\n# c\n198.51.100.07,two\n", ":4: 198.51.100.07 is not a valid IP address or network"},
		{"indicator,label\n203.0.113.0/33,net\n", ":2: 203.0.113.0/33 is not a valid IP address or network"},
		{"indicator,label\n2001:db8::12345,v6\n", ":2: 2001:db8::12345 is not a valid IP address or network"},
		{"indicator,label\n2001:db8::1,one\n2001:DB8:0::1,two\n", ":3: ip 2001:db8::1 already listed on line 2"},
		{"indicator,label\n\"unterminated,x\n", ":2:"},
		{"indicator,label\n,empty\n", ":2: empty indicator"},
	} {
		path := writeIntel(t, c.text)
		_, err := LoadIntel(path)
		if err == nil || !strings.Contains(err.Error(), path+c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, path+c.want)
		}
	}
	// Every bad row is reported, not only the first.
	path := writeIntel(t, "indicator,label\n1,a\n198.51.100.7,ok\n2,b\n")
	_, err := LoadIntel(path)
	if err == nil || !strings.Contains(err.Error(), path+":2:") || !strings.Contains(err.Error(), path+":4:") {
		t.Errorf("error %v, want lines 2 and 4", err)
	}
}

// The audit side of ioc-match: an audit event matches by its initiator's address and by the
// User-Agent of its additional details, and joins the finding of the same indicator and
// user; addresses are compared as addresses.
func TestIOCMatchAuditEvents(t *testing.T) {
	c := caseNamed(t, "ioc-match", "fire")
	db := loadDB(t, caseFile(t, c))
	ctx := context.Background()
	// Every event is before the last sign-in (15:00), where the window ends.
	for _, stmt := range []string{
		// alice, from the listed address written in another form: joins her sign-ins.
		`INSERT INTO audits (audit_key, id, activity_at, category, activity, result, initiated_by_type, initiator_upn, initiator_ip_address, additional_details)
		 VALUES (901, 'a1', TIMESTAMPTZ '2025-06-10 08:10:00+00', 'UserManagement', 'Update user', 'success', 'user', 'Alice@contoso.example', '::ffff:198.51.100.7', '{}')`,
		// mallory, whose only trace is an audit event through the kit's user agent.
		`INSERT INTO audits (audit_key, id, activity_at, category, activity, result, initiated_by_type, initiator_upn, initiator_ip_address, additional_details)
		 VALUES (902, 'a2', TIMESTAMPTZ '2025-06-10 14:30:00+00', 'ApplicationManagement', 'Consent to application', 'success', 'user', 'mallory@contoso.example', '192.0.2.99', '{"User-Agent": "EvilProxy/2.0"}')`,
		// an application from the IPv6 network.
		`INSERT INTO audits (audit_key, id, activity_at, category, activity, result, initiated_by_type, initiator_service_principal_id, initiator_service_principal_name, initiator_ip_address, additional_details)
		 VALUES (903, 'a3', TIMESTAMPTZ '2025-06-10 14:45:00+00', 'ApplicationManagement', 'Add service principal credentials', 'success', 'app', 'sp-1', 'backdoor app', '2001:DB8:BAD:0:0:0:0:9', '{}')`,
		// Near miss: next to the listed address, and a user agent without the substring.
		`INSERT INTO audits (audit_key, id, activity_at, category, activity, result, initiated_by_type, initiator_upn, initiator_ip_address, additional_details)
		 VALUES (904, 'a4', TIMESTAMPTZ '2025-06-10 14:50:00+00', 'UserManagement', 'Update user', 'success', 'user', 'nina@contoso.example', '198.51.100.8', '{"User-Agent": "Mozilla/5.0"}')`,
	} {
		if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := detect(t, db, Params{Intel: c.intel}, "ioc-match")
	type row struct {
		Title, User, IP, SP string
		Events              int64
		Signins, Audits     int
		AuditKeys           []int64
	}
	var rows []row
	for _, f := range got {
		rows = append(rows, row{f.Title, f.UserPrincipalName, f.IPAddress, f.ServicePrincipalID, f.Events, len(f.Evidence), len(f.AuditEvidence), f.AuditEvidence})
	}
	// By hand: the 8 findings of the fire case, alice's now with her audit event (2 sign-ins
	// + 1 event, two address spellings), and two findings of audit events alone.
	want := []row{
		{"Indicator match: phishing relay", "alice@contoso.example", "", "", 3, 2, 1, []int64{901}},
		{"Indicator match: attacker VPS range", "bob@contoso.example", "203.0.113.45", "", 1, 1, 0, nil},
		{"Indicator match: attacker IPv6 range", "carl@contoso.example", "2001:db8:bad::1", "", 1, 1, 0, nil},
		{"Indicator match: bulletproof hosting", "dana@contoso.example", "192.0.2.10", "", 1, 1, 0, nil},
		{"Indicator match: scanner network", "erin@contoso.example", "192.0.2.11", "", 1, 1, 0, nil},
		{"Indicator match: kit user agent", "fred@contoso.example", "192.0.2.12", "", 1, 1, 0, nil},
		{"Indicator match: attacker VPS range", "gina@contoso.example", "203.0.113.46", "", 1, 1, 0, nil},
		{"Indicator match: kit user agent", "gina@contoso.example", "203.0.113.46", "", 1, 1, 0, nil},
		{"Indicator match: kit user agent", "mallory@contoso.example", "192.0.2.99", "", 1, 0, 1, []int64{902}},
		{"Indicator match: attacker IPv6 range", "", "2001:DB8:BAD:0:0:0:0:9", "sp-1", 1, 0, 1, []int64{903}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("findings\n got %+v\nwant %+v", rows, want)
	}
	for _, f := range got {
		want := map[string]string{
			"mallory@contoso.example": "user-agent evilproxy (kit user agent): 1 audit event (Consent to application)",
			"alice@contoso.example":   "ip 198.51.100.7 (phishing relay): 2 sign-ins (1 successful, 1 failed) and 1 audit event (Update user)",
		}[f.UserPrincipalName]
		if want != "" && f.Details != want {
			t.Errorf("details %q, want %q", f.Details, want)
		}
	}
	// --log-type narrows the run to sign-ins: the audit events drop out.
	got, _ = detect(t, db, Params{Intel: c.intel, LogTypes: []string{"interactiveUser"}}, "ioc-match")
	for _, f := range got {
		if len(f.AuditEvidence) > 0 {
			t.Errorf("--log-type interactiveUser: audit evidence %v in %q", f.AuditEvidence, f.Title)
		}
	}
	if len(got) != 8 {
		t.Errorf("--log-type interactiveUser: %d findings, want the 8 of the sign-ins", len(got))
	}
}

// Without --intel the detection is not run at all, and says nothing.
func TestIOCMatchNeedsIntel(t *testing.T) {
	db := loadDB(t, caseFile(t, caseNamed(t, "ioc-match", "fire")))
	ctx := context.Background()
	asOf, err := LatestEvent(ctx, db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	fs, runs, err := RunDetections(ctx, db.SQL, Params{}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Query.ID == "ioc-match" {
			t.Errorf("ioc-match ran without --intel: %+v", r)
		}
	}
	for _, f := range fs {
		if f.Detection == "ioc-match" {
			t.Errorf("finding without --intel: %+v", f)
		}
	}
}

// The same from loaded Graph directoryAudit objects: the initiator's address and the
// User-Agent of additionalDetails are where the loader puts them.
func TestIOCMatchLoadedAuditEvents(t *testing.T) {
	c := caseNamed(t, "ioc-match", "fire")
	audits := filepath.Join(t.TempDir(), "directoryAudits.jsonl")
	lines := `{"id":"Directory_ioc_1","category":"UserManagement","correlationId":"c0000000-0000-4000-8000-000000000001","result":"success","activityDisplayName":"Update user","activityDateTime":"2025-06-10T08:10:00Z","loggedByService":"Core Directory","operationType":"Update","initiatedBy":{"user":{"id":"u-alice","userPrincipalName":"alice@contoso.example","ipAddress":"198.51.100.7"},"app":null},"targetResources":[],"additionalDetails":[]}
{"id":"Directory_ioc_2","category":"ApplicationManagement","correlationId":"c0000000-0000-4000-8000-000000000002","result":"success","activityDisplayName":"Consent to application","activityDateTime":"2025-06-10T14:30:00Z","loggedByService":"Core Directory","operationType":"Assign","initiatedBy":{"user":{"id":"u-mallory","userPrincipalName":"mallory@contoso.example","ipAddress":"192.0.2.99"},"app":null},"targetResources":[],"additionalDetails":[{"key":"User-Agent","value":"EvilProxy/2.0"}]}
{"id":"Directory_ioc_3","category":"UserManagement","correlationId":"c0000000-0000-4000-8000-000000000003","result":"success","activityDisplayName":"Update user","activityDateTime":"2025-06-10T14:40:00Z","loggedByService":"Core Directory","operationType":"Update","initiatedBy":{"user":{"id":"u-nina","userPrincipalName":"nina@contoso.example","ipAddress":"198.51.100.8"},"app":null},"targetResources":[],"additionalDetails":[{"key":"User-Agent","value":"Mozilla/5.0"}]}
`
	if err := os.WriteFile(audits, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	db := loadDB(t, caseFile(t, c), audits)
	got, _ := detect(t, db, Params{Intel: c.intel}, "ioc-match")
	// By hand: alice's finding gains her audit event (event 1); mallory's consent through
	// the kit's user agent is a finding of its own (event 2); nina's event matches nothing.
	byUser := map[string][]int{}
	for _, f := range got {
		if len(f.AuditEvidence) > 0 {
			byUser[f.UserPrincipalName+" "+f.Title] = []int{int(f.Events), len(f.Evidence), len(f.AuditEvidence)}
		}
	}
	want := map[string][]int{
		"alice@contoso.example Indicator match: phishing relay":   {3, 2, 1},
		"mallory@contoso.example Indicator match: kit user agent": {1, 0, 1},
	}
	if !reflect.DeepEqual(byUser, want) {
		t.Errorf("findings with audit evidence %v, want %v", byUser, want)
	}
	if len(got) != 9 {
		t.Errorf("%d findings, want the 8 of the sign-ins and mallory's", len(got))
	}
}
