package reference

import (
	"strings"
	"testing"
)

func TestEmbeddedListsParse(t *testing.T) {
	if _, err := parseUserAgents(); err != nil {
		t.Error(err)
	}
	if _, err := parseAdminApps(); err != nil {
		t.Error(err)
	}
	if _, err := parseLegacyClients(); err != nil {
		t.Error(err)
	}
	if _, err := parseHTTPLibraries(); err != nil {
		t.Error(err)
	}
	if _, err := parseAiTMApps(); err != nil {
		t.Error(err)
	}
}

// The aitm-phishing detection promises these libraries and applications.
func TestAiTMListsHoldTheDocumentedEntries(t *testing.T) {
	libs := map[string]bool{}
	for _, l := range HTTPLibraries() {
		libs[l.Pattern] = true
	}
	for _, want := range []string{"axios", "node-fetch", "undici", "python-requests", "go-http-client", "okhttp", "aiohttp", "curl/"} {
		if !libs[want] {
			t.Errorf("httplibraries.tsv lacks %q", want)
		}
	}
	apps := map[string]string{}
	for _, a := range AiTMApps() {
		apps[a.AppID] = a.Name
	}
	for id, name := range map[string]string{"4765445b-32c6-49b0-83e6-1d93765276ca": "OfficeHome",
		"d3590ed6-52b3-4102-aeff-aad2292ab01c": "Microsoft Office", "29d9ed98-a469-4536-ade2-f981bc1d605e": "Microsoft Authentication Broker"} {
		if apps[id] != name {
			t.Errorf("aitmapps.tsv: %s is %q, want %q", id, apps[id], name)
		}
	}
}

// The lists must hold what the detections and their documentation promise.
func TestListsHoldTheDocumentedEntries(t *testing.T) {
	patterns := map[string]bool{}
	for _, u := range UserAgents() {
		if u.Pattern != strings.ToLower(u.Pattern) {
			t.Errorf("user-agent pattern %q: write patterns in lower case", u.Pattern)
		}
		patterns[u.Pattern] = true
	}
	for _, want := range []string{"python-requests", "aadinternals", "azurehound", "go-http-client",
		"node-fetch", "axios", "okhttp", "curl/", "powershell"} {
		if !patterns[want] {
			t.Errorf("useragents.tsv lacks %q", want)
		}
	}
	apps := map[string]string{}
	for _, a := range AdminApps() {
		apps[a.AppID] = a.Name
	}
	for _, id := range []string{"c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
		"1950a258-227b-4e31-a9cf-717495945fc2", "14d82eec-204b-4c2f-b7e8-296a70dab67e", "1b730954-1685-4b74-9bfd-dac224a7b894"} {
		if apps[id] == "" {
			t.Errorf("adminapps.tsv lacks %s", id)
		}
	}
	clients := map[string]bool{}
	for _, c := range LegacyClients() {
		clients[c.Name] = true
	}
	for _, want := range []string{"IMAP4", "POP3", "Authenticated SMTP", "Exchange ActiveSync", "MAPI Over HTTP",
		"Other clients", "AutoDiscover", "Exchange Online PowerShell", "Exchange Web Services", "Offline Address Book",
		"Outlook Anywhere (RPC over HTTP)", "Reporting Web Services", "Universal Outlook"} {
		if !clients[want] {
			t.Errorf("legacyclients.tsv lacks %q", want)
		}
	}
}

// Specific tools must come before the generic libraries whose names their user agents
// may also contain, or the first-match rule would credit the library.
func TestUserAgentPriority(t *testing.T) {
	pos := map[string]int{}
	for i, u := range UserAgents() {
		pos[u.Pattern] = i
	}
	for _, pair := range [][2]string{{"aadinternals", "powershell"}, {"azurehound", "go-http-client"}, {"roadtools", "aiohttp"},
		{"fasthttp", "go-http-client"}, {"azure-cli", "python-requests"}, {"graphrunner", "powershell"}} {
		if pos[pair[0]] > pos[pair[1]] {
			t.Errorf("%s must be listed before %s", pair[0], pair[1])
		}
	}
}

func TestParseTSVRejectsBadLines(t *testing.T) {
	for _, text := range []string{
		"a\tb\n",             // too few fields
		"a\tb\tc\nA\td\te\n", // duplicate key, case-insensitively
		"a\t\tc\n",           // empty field
		"# only a comment\n", // no entries
		" a\tb\tc\n",         // surrounding space
	} {
		if _, err := parseTSV("x.tsv", text, 3); err == nil {
			t.Errorf("parseTSV(%q) accepted it", text)
		}
	}
	rows, err := parseTSV("x.tsv", "# c\n\na\tb\tc\r\n", 3)
	if err != nil || len(rows) != 1 || rows[0][2] != "c" {
		t.Errorf("parseTSV: %v %v", rows, err)
	}
}

// The grades the suspicious-user-agent detection documents: attack tools high, HTTP
// libraries medium, administrators' shells and command-line tools low.
func TestUserAgentGrades(t *testing.T) {
	kinds := map[string]string{}
	for _, u := range UserAgents() {
		kinds[u.Pattern] = u.Kind + "/" + u.Severity()
	}
	for pattern, want := range map[string]string{
		"(hydra)": "attack-tool/high", "msolspray": "attack-tool/high", "o365spray": "attack-tool/high",
		"teamfiltration": "attack-tool/high", "roadrecon": "attack-tool/high", "roadtools": "attack-tool/high",
		"aadinternals": "attack-tool/high", "graphrunner": "attack-tool/high", "azurehound": "attack-tool/high",
		"curl/": "http-library/medium", "wget/": "http-library/medium", "python-requests": "http-library/medium",
		"axios": "http-library/medium", "node-fetch": "http-library/medium", "go-http-client": "http-library/medium",
		"powershell": "admin-tool/low", "azurecli": "admin-tool/low", "azure-cli": "admin-tool/low",
	} {
		if kinds[pattern] != want {
			t.Errorf("%s: %q, want %q", pattern, kinds[pattern], want)
		}
	}
	if got := (UserAgent{Kind: "scanner"}).Severity(); got != "" {
		t.Errorf("unknown kind graded %q", got)
	}
}

func TestUserAgentListRejectsBadKinds(t *testing.T) {
	for _, text := range []string{
		"curl/\tlibrary\tcurl\twhy\n",      // unknown kind
		"Curl/\thttp-library\tcurl\twhy\n", // pattern not in lower case
		"curl/\thttp-library\tcurl\n",      // a field missing
	} {
		if _, err := loadList("x.tsv", text, 4, buildUserAgent)(); err == nil {
			t.Errorf("%q accepted", text)
		}
	}
}
