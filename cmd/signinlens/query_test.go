package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/queries"
)

// catalogueFixture is the hand-written export the catalogue is counted against
// (testdata/queries/catalogue/README.md); its latest event is 2025-06-10T12:00:00Z.
const catalogueFixture = "../../testdata/queries/catalogue/"

func TestQueriesListsTheCatalogue(t *testing.T) {
	code, out, errOut := runCLI(t, "queries")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range all {
		if !strings.Contains(out, "  "+q.ID+" ") || !strings.Contains(out, q.Question) {
			t.Errorf("queries does not list %s with its question", q.ID)
		}
		if q.Kind == "detection" && !strings.Contains(out, "[detection, "+q.Severity+"]") {
			t.Errorf("detection %s is not marked", q.ID)
		}
	}
	if i, j := strings.Index(out, "Queries"), strings.Index(out, "Detections"); i < 0 || (j >= 0 && j < i) {
		t.Errorf("queries should come first:\n%s", out)
	}
}

func TestQueriesShowsOne(t *testing.T) {
	code, out, _ := runCLI(t, "queries", "browsers")
	if code != exitOK {
		t.Fatal(code)
	}
	for _, want := range []string{"browsers — Browsers used by users", "Window:    all", "$by_version", "--set browsers.by_version=VALUE",
		"Columns:", "failed_sign_ins  sign-ins with a non-zero error code", "SQL (questions/browsers.sql", "FROM scoped($since, $until, $app, $user, $ip, $log_types)", "Needs:     browser"} {
		if !strings.Contains(out, want) {
			t.Errorf("queries browsers lacks %q:\n%s", want, out)
		}
	}
	code, _, errOut := runCLI(t, "queries", "browser")
	if code != exitUsage || !strings.Contains(errOut, `no query or detection "browser" in the catalogue; did you mean browsers`) {
		t.Errorf("unknown id: %d %s", code, errOut)
	}
}

func TestQueryHelpListsTheCatalogue(t *testing.T) {
	code, out, _ := runCLI(t, "query", "--help")
	if code != exitOK {
		t.Fatal(code)
	}
	qs, _ := queries.OfKind("query")
	for _, q := range qs {
		if !strings.Contains(out, "  "+q.ID+" ") {
			t.Errorf("query --help does not list %s", q.ID)
		}
	}
	for _, flag := range []string{"--as-of", "--window", "--since", "--until", "--app", "--user", "--ip", "--log-type", "--tz", "--format", "--by-version", "--db"} {
		if !strings.Contains(out, flag) {
			t.Errorf("query --help lacks %s", flag)
		}
	}
}

func TestQueryTable(t *testing.T) {
	code, out, errOut := runCLI(t, "query", "failed-signins", "--quiet", catalogueFixture+"graph")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	for _, want := range []string{
		"error_code  meaning", "50126  Wrong user name or password.", "(5 rows)",
		"window: 2025-06-09T12:00:00Z < event time <= 2025-06-10T12:00:00Z",
		"6 failed user sign-ins (non-zero error code): interactiveUser 5, nonInteractiveUser 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Markdown carries the same summary; CSV and JSON carry data only.
	_, md, _ := runCLI(t, "query", "failed-signins", "--quiet", "--format", "markdown", catalogueFixture+"graph")
	if !strings.HasPrefix(md, "| error_code | meaning |") || !strings.Contains(md, "\n\nwindow: ") || !strings.Contains(md, "interactiveUser 5, nonInteractiveUser 1\n") {
		t.Errorf("markdown:\n%s", md)
	}
	_, csvOut, _ := runCLI(t, "query", "failed-signins", "--quiet", "--format", "csv", catalogueFixture+"graph")
	if strings.Contains(csvOut, "window:") || len(strings.Split(strings.TrimSpace(csvOut), "\n")) != 6 {
		t.Errorf("csv:\n%s", csvOut)
	}
}

func TestQueryJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "query", "sp-activity", "--quiet", "--format", "json", "--tz", "Europe/Berlin", catalogueFixture+"diagnostic")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not a JSON array of objects: %v\n%s", err, out)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	sp := rows[1]
	if sp["service_principal_name"] != "invoice-sync" || sp["sign_ins"] != float64(3) || sp["ips"] != float64(2) {
		t.Errorf("numbers must be JSON numbers: %v", sp)
	}
	if sp["last_sign_in"] != "2025-06-10T04:00:00Z" {
		t.Errorf("times must be RFC 3339 UTC whatever --tz says: %v", sp["last_sign_in"])
	}
	names, ok := sp["resource_names"].([]any)
	if !ok || len(names) != 2 || names[0] != "Azure Key Vault" {
		t.Errorf("lists must be JSON arrays: %#v", sp["resource_names"])
	}
	for _, c := range []string{"log_type", "service_principal_id", "last_successful_sign_in"} {
		if _, ok := sp[c]; !ok {
			t.Errorf("no key %s", c)
		}
	}
}

func TestQueryFlags(t *testing.T) {
	graph := catalogueFixture + "graph"
	// --tz changes displayed times only.
	_, out, _ := runCLI(t, "query", "user-timeline", "--quiet", "--user", "ALICE@contoso.example", "--tz", "Europe/Berlin", graph)
	if !strings.Contains(out, "2025-06-01T11:00:00+02:00  interactiveUser") || !strings.Contains(out, "(5 rows)") {
		t.Errorf("user-timeline in Europe/Berlin:\n%s", out)
	}
	// --as-of, --window and --log-type are bound as parameters.
	_, out, _ = runCLI(t, "query", "log-types", "--quiet", "--format", "csv", "--as-of", "2025-06-09T13:00:00Z", "--window", "1h", "--log-type", "interactiveUser", graph)
	if want := "log_type,sign_ins,failed_sign_ins,identities,first_seen,last_seen\ninteractiveUser,1,1,1,2025-06-09T13:00:00Z,2025-06-09T13:00:00Z\n"; out != want {
		t.Errorf("log-types --as-of --window:\n%s", out)
	}
	_, out, _ = runCLI(t, "query", "browsers", "--quiet", "--format", "csv", "--by-version", "--ip", "203.0.113.10", graph)
	if want := "browser,versions,sign_ins,users,failed_sign_ins\nEdge,124.0.2478,3,1,1\n(unknown),,1,1,1\nEdge,125.0.2535,1,1,0\n"; out != want {
		t.Errorf("browsers --by-version --ip:\n%s", out)
	}
	_, out, _ = runCLI(t, "query", "app-users", "--quiet", "--format", "csv", "--since", "2025-06-10T00:00:00Z", "--until", "2025-06-10T03:00:00Z", graph)
	if want := "app_id,app_display_name,users_signed_in,users_attempted,sign_ins,failed_sign_ins\n" +
		"00000002-0000-0ff1-ce00-000000000000,Office 365 Exchange Online,1,1,3,2\n" +
		"27922004-5251-4030-b22d-91ecd9a37ea4,Outlook Mobile,0,1,1,1\n"; out != want {
		t.Errorf("app-users --since --until:\n%s", out)
	}
}

// TestQueryUsageErrors: wrong invocations are refused before any file is opened (the path
// given does not exist).
func TestQueryUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"query"}, "no query given"},
		{[]string{"query", "app-user", "nowhere/"}, `no query or detection "app-user"`},
		{[]string{"query", "app-users", "--format", "xml", "nowhere/"}, `unknown format "xml"`},
		{[]string{"query", "app-users", "--by-version", "nowhere/"}, "--by-version applies to the browsers query only"},
		{[]string{"query", "user-timeline", "nowhere/"}, "user-timeline needs --user"},
		{[]string{"query", "browsers", "--set", "browsers.by_version=perhaps", "nowhere/"}, "want true or false"},
		{[]string{"query", "app-users", "--window", "7x", "nowhere/"}, "--window"},
		{[]string{"query", "app-users", "--log-type", "interactive", "nowhere/"}, `--log-type "interactive"`},
		{[]string{"query", "app-users", "--tz", "Mars/Olympus", "nowhere/"}, "--tz"},
		{[]string{"query", "password-spray", "nowhere/"}, "is a detection"},
	} {
		code, out, errOut := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.msg) || !strings.Contains(errOut, "signinlens: hint: try: ") || out != "" {
			t.Errorf("%v: code %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, c.msg)
		}
	}
}

// TestQueryUnavailableFields: the admin-center CSV has no risk fields; the query says so
// instead of printing an empty table.
func TestQueryUnavailableFields(t *testing.T) {
	code, out, errOut := runCLI(t, "query", "risky-signins", "--quiet", catalogueFixture+"admin-csv")
	if code != exitFailure || out != "" {
		t.Errorf("code %d, stdout %q", code, out)
	}
	want := "signinlens: error: risk fields are not available in this export (Entra admin center download, CSV): risky-signins cannot be answered from it\n"
	if errOut != want {
		t.Errorf("stderr %q\n want %q", errOut, want)
	}
	// The seed queries answer from it as from the JSON exports.
	for _, id := range []string{"app-users", "browsers"} {
		_, fromCSV, _ := runCLI(t, "query", id, "--quiet", "--format", "json", catalogueFixture+"admin-csv")
		_, fromJSON, _ := runCLI(t, "query", id, "--quiet", "--format", "json", catalogueFixture+"graph")
		if fromCSV != fromJSON || !strings.HasPrefix(fromCSV, "[\n  {") {
			t.Errorf("%s differs between admin CSV and Graph JSON:\n%s\n%s", id, fromCSV, fromJSON)
		}
	}
}

func TestExplain(t *testing.T) {
	code, out, _ := runCLI(t, "explain", "50126", "AADSTS50140")
	if code != exitOK || out != "50126  failure  Wrong user name or password.\n50140  interrupted  The \"Stay signed in?\" prompt was shown; a harmless interrupt.\n" {
		t.Errorf("code %d:\n%s", code, out)
	}
	code, out, errOut := runCLI(t, "explain", "12345")
	if code != exitFailure || !strings.Contains(out, "https://login.microsoftonline.com/error?code=12345") || !strings.Contains(errOut, "unknown error code 12345") {
		t.Errorf("unknown code: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "explain", "fifty"); code != exitUsage || !strings.Contains(errOut, `"fifty" is not an error code`) {
		t.Errorf("bad code: %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "explain"); code != exitUsage {
		t.Errorf("no code: %d", code)
	}
	code, out, _ = runCLI(t, "explain", "--all")
	if lines := strings.Count(out, "\n"); code != exitOK || lines < 80 || !strings.HasPrefix(out, "0        success") {
		t.Errorf("--all: %d, %d lines", code, lines)
	}
}
