package loaders

import (
	"fmt"
	"strings"
	"testing"
)

func TestAdminHeaderDrift(t *testing.T) {
	// Columns out of order, header cells quoted or not and spaced oddly, the duplicated
	// Incoming token type (here with a different second value), the late-2025 owner columns,
	// and a column nobody knows.
	text := `"Request ID","  Application ID ","Autonomous system  number",Date (UTC),"Incoming token type",App owner tenant ID,Status,Sign-in error code,Incoming token type,Brand New Column,"CONDITIONAL access",Location` + "\n" +
		`r1,app-1,20115,2025-06-10T08:00:00Z,Primary Refresh Token,owner-1,Success,0,None,hello,Not Applied,"Ciudad, de, Mexico, CDMX, MX"` + "\n"
	info, s, err := readText(t, "NonInteractiveSignIns_2025-06-10_2025-06-11.csv", text)
	if err != nil || len(s.recs) != 1 {
		t.Fatalf("%v %+v", err, s.problems)
	}
	if !strings.Contains(info.Detection, "columns reordered") {
		t.Errorf("detection %q", info.Detection)
	}
	r := s.recs[0]
	if r.S[AppID] != "app-1" || r.ASN.V != 20115 || r.S[AppOwnerTenantID] != "owner-1" || r.S[IncomingTokenType] != "primaryRefreshToken" ||
		r.S[ConditionalAccessStatus] != "notApplied" || r.LogType != NonInteractive {
		t.Errorf("record %q asn %v log type %s", r.S, r.ASN, r.LogType)
	}
	// "City, State, CC" split from the right: the city keeps its commas.
	if r.S[City] != "Ciudad, de, Mexico" || r.S[State] != "CDMX" || r.S[Country] != "MX" {
		t.Errorf("location %q %q %q", r.S[City], r.S[State], r.S[Country])
	}
	ex := s.extras[0]
	if !strings.Contains(ex, `"Brand New Column":"hello"`) || !strings.Contains(ex, `"Incoming token type (column 9)":"None"`) {
		t.Errorf("extra %s", ex)
	}
}

func TestAdminLogTypeWithoutFileName(t *testing.T) {
	user := adminMini + "2025-06-10T08:00:00Z,r1,u1,a@x.example,,Success,0,\n"
	info, s, _ := readText(t, "export.csv", user)
	if len(s.recs) != 1 || s.recs[0].LogType != Interactive || !strings.Contains(strings.Join(info.Notes, " "), "share one header: read as interactive") {
		t.Errorf("user header: %+v notes %q", s.recs, info.Notes)
	}
	sp := "Date (UTC),Request ID,Service principal ID,Service principal name,Status,Sign-in error code\n2025-06-10T08:00:00Z,r1,sp-1,app,Failure,7000215\n"
	info, s, _ = readText(t, "export.csv", sp)
	if len(s.recs) != 1 || s.recs[0].LogType != ServicePrinc || !strings.Contains(strings.Join(info.Notes, " "), "read as service-principal sign-ins") {
		t.Errorf("sp header: %+v notes %q", s.recs, info.Notes)
	}
	// The managed-identity download (its header is unverified): with managed-identity
	// columns and no user columns, rows are managed identities unless their type says none.
	mi := "Date (UTC),Request ID,Service principal ID,Status,Sign-in error code,Managed Identity type,Associated Resource Id\n" +
		"2025-06-10T08:00:00Z,r1,mi-1,Success,0,User Assigned,/subscriptions/x\n" +
		"2025-06-10T08:00:01Z,r2,mi-2,Success,0,,\n" +
		"2025-06-10T08:00:02Z,r3,sp-3,Success,0,none,\n"
	info, s, _ = readText(t, "export.csv", mi)
	var got []string
	for _, r := range s.recs {
		got = append(got, r.LogType+"/"+r.S[ManagedIdentityType])
	}
	if strings.Join(got, " ") != "managedIdentity/userAssigned managedIdentity/ servicePrincipal/none" {
		t.Errorf("msi header: %v notes %q", got, info.Notes)
	}
}

func TestAdminLocaleDates(t *testing.T) {
	head := "Date (UTC),Request ID,Status,Sign-in error code\n"
	row := func(date, id string) string { return fmt.Sprintf("\"%s\",%s,Success,0\n", date, id) }
	cases := []struct {
		name, text string
		want       []string // created times of the loaded rows, in file order
		note       string
		reject     string
	}{
		{"day above 12 settles day-first for the rows held before it",
			row("05/03/2025 07:22:01", "a") + row("06/03/2025 07:22:01", "b") + row("13/03/2025 07:22:01", "c"),
			[]string{"2025-03-05T07:22:01Z", "2025-03-06T07:22:01Z", "2025-03-13T07:22:01Z"},
			`read as day-first (day/month/year), as "13/03/2025 07:22:01" on line 4 shows`, ""},
		{"second field above 12 settles month-first",
			row("3/12/2025 7:22:01 AM", "a") + row("3/13/2025 7:22:01 PM", "b"),
			[]string{"2025-03-12T07:22:01Z", "2025-03-13T19:22:01Z"},
			"read as month-first (month/day/year)", ""},
		{"nothing settles it: month-first, said so, minute precision noted",
			row("3/4/2025 7:22 AM", "a") + row("3/5/2025 7:22 AM", "b"),
			[]string{"2025-03-04T07:22:00Z", "2025-03-05T07:22:00Z"},
			"no date has a day above 12, so the day/month order cannot be proven: read as month-first (US)", ""},
		{"a later row contradicting the order is rejected",
			row("13/03/2025 07:22:01", "a") + row("03/14/2025 07:22:01", "b") + row("15/03/2025 07:22:01", "c"),
			[]string{"2025-03-13T07:22:01Z", "2025-03-15T07:22:01Z"},
			"day-first", `date "03/14/2025 07:22:01" contradicts the order of this file's dates: they are day-first (day/month/year), as "13/03/2025 07:22:01" on line 2 shows`},
		{"dotted dates are day-first",
			row("12.03.2025 07:22:01", "a"), []string{"2025-03-12T07:22:01Z"}, "day-first", ""},
		{"ISO needs no decision and no note",
			row("2025-03-12T07:22:01Z", "a"), []string{"2025-03-12T07:22:01Z"}, "", ""},
	}
	for _, c := range cases {
		info, s, err := readText(t, "InteractiveSignIns_x.csv", head+c.text)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range s.recs {
			got = append(got, r.CreatedAt.Format("2006-01-02T15:04:05Z07:00"))
		}
		notes := strings.Join(info.Notes, "\n")
		if strings.Join(got, " ") != strings.Join(c.want, " ") || (c.note == "") != (notes == "") || !strings.Contains(notes, c.note) {
			t.Errorf("%s:\n got %v, notes %q\nwant %v, note %q", c.name, got, notes, c.want, c.note)
		}
		if c.reject == "" && len(s.problems) > 0 || c.reject != "" && (len(s.problems) != 1 || !strings.Contains(s.problems[0].Reason, c.reject)) {
			t.Errorf("%s: problems %+v", c.name, s.problems)
		}
	}
	// Only so many rows wait for the decision: past dateHoldRows ambiguous rows month-first is
	// taken, and a later day-first date contradicts it.
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < dateHoldRows+1; i++ {
		b.WriteString(row("05/03/2025 07:22:01", fmt.Sprint(i)))
	}
	b.WriteString(row("13/03/2025 07:22:01", "late"))
	_, s, _ := readText(t, "InteractiveSignIns_x.csv", b.String())
	if len(s.recs) != dateHoldRows+1 || !s.recs[0].CreatedAt.Equal(mustTime(t, "2025-05-03T07:22:01Z")) ||
		len(s.problems) != 1 || !strings.Contains(s.problems[0].Reason, "no date settled the order, so US month-first was assumed") {
		t.Errorf("%d records, problems %+v", len(s.recs), s.problems)
	}
}

func TestAdminAuthDetails(t *testing.T) {
	text := "Request ID,Date (UTC),Authentication method,Succeeded,Result detail,Requirement,Extra info\n" +
		"r1,3/4/2025 7:22:01 AM,Password,True,Correct password,Primary authentication,x\n" +
		"r1,3/14/2025 7:22:05 AM,Mobile app notification,Failed,MFA denied,Multifactor authentication,\n" +
		",3/4/2025 7:23:00 AM,Password,True,,,\n"
	info, s, err := readText(t, "export_AuthDetails.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "admin-authdetails-csv" || len(s.steps) != 2 || len(s.problems) != 1 || s.problems[0].Line != 4 {
		t.Fatalf("format %s, %d steps, problems %+v", info.Format, len(s.steps), s.problems)
	}
	a, b := s.steps[0], s.steps[1]
	if a.RequestID != "r1" || a.Line != 2 || a.Succeeded != True || a.Method != "Password" || string(a.Extra) != `{"Extra info":"x"}` ||
		!a.Time.Equal(mustTime(t, "2025-03-04T07:22:01Z")) || a.LogType != "" {
		t.Errorf("step a %+v extra %s", a, a.Extra)
	}
	if b.Succeeded != False || b.Requirement != "Multifactor authentication" || b.Extra != nil || !b.Time.Equal(mustTime(t, "2025-03-14T07:22:05Z")) {
		t.Errorf("step b %+v", b)
	}
	if !strings.Contains(strings.Join(info.Notes, " "), "joined to sign-ins of any log") {
		t.Errorf("notes %q", info.Notes)
	}
}
