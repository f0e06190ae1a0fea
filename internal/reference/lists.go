package reference

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The lists the detections join against. Each is a small, documented TSV file: the comment
// lines at its top say what it is for and how it is matched.
var (
	//go:embed useragents.tsv
	userAgentsTSV string
	//go:embed adminapps.tsv
	adminAppsTSV string
	//go:embed legacyclients.tsv
	legacyClientsTSV string
	//go:embed httplibraries.tsv
	httpLibrariesTSV string
	//go:embed aitmapps.tsv
	aitmAppsTSV string
	//go:embed hostingasn.tsv
	hostingASNsTSV string
)

// UserAgent is one user-agent pattern of an attack tool, HTTP library or administration tool.
type UserAgent struct {
	Pattern string // matched as a case-insensitive substring of the user agent; lower case
	Kind    string // attack-tool, http-library or admin-tool
	Tool    string
	Why     string
}

// Severity is the severity suspicious-user-agent reports the pattern's kind at: attack
// tools high, HTTP libraries medium, administration tools low.
func (u UserAgent) Severity() string { return kindSeverity(u.Kind) }

// kindSeverity grades the kinds of useragents.tsv; "" for an unknown kind.
func kindSeverity(kind string) string {
	switch kind {
	case "attack-tool":
		return "high"
	case "http-library":
		return "medium"
	case "admin-tool":
		return "low"
	}
	return ""
}

// AdminApp is one administrative application (or the Azure management resource).
type AdminApp struct {
	AppID string // lower case
	Name  string
	Why   string
}

// LegacyClient is one clientAppUsed value that Microsoft classes as legacy authentication.
type LegacyClient struct {
	Name string // as Entra ID writes it; matched case-insensitively
	Why  string
}

// HTTPLibrary is one user-agent pattern of a generic HTTP library or command-line client.
type HTTPLibrary struct {
	Pattern string // matched as a case-insensitive substring of the user agent
	Library string
	Why     string
}

// AiTMApp is one application that adversary-in-the-middle phishing signs victims in to.
type AiTMApp struct {
	AppID string // lower case
	Name  string // matched case-insensitively against the display name when the app id is empty
	Why   string
}

// HostingASN is one autonomous system of a cloud, hosting, VPN or anonymizer network.
type HostingASN struct {
	ASN      int64
	Provider string
	Kind     string // cloud, hosting, vpn or anonymizer
	Source   string // where the entry comes from (named in the file's header)
}

// hostingKinds and hostingSources are the values hostingasn.tsv may use.
var (
	hostingKinds   = []string{"cloud", "hosting", "vpn", "anonymizer"}
	hostingSources = []string{"x4b-dc", "x4b-vpn", "bgp.he.net"}
)

var guidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// parseTSV splits the data lines of an embedded list into fields, checking their number,
// that none is empty, and that the first (the key) is unique case-insensitively.
func parseTSV(name, text string, fields int) ([][]string, error) {
	var out [][]string
	var errs []string
	seen := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != fields {
			errs = append(errs, fmt.Sprintf("%s:%d: want %d tab-separated fields, got %d", name, i+1, fields, len(f)))
			continue
		}
		ok := true
		for j, v := range f {
			if strings.TrimSpace(v) != v || v == "" {
				errs = append(errs, fmt.Sprintf("%s:%d: field %d is empty or has surrounding spaces", name, i+1, j+1))
				ok = false
			}
		}
		key := strings.ToLower(f[0])
		if prev, dup := seen[key]; dup {
			errs = append(errs, fmt.Sprintf("%s:%d: %q already listed on line %d", name, i+1, f[0], prev))
			ok = false
		}
		seen[key] = i + 1
		if ok {
			out = append(out, f)
		}
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, name+": no entries")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

// loadList parses the embedded list name once and builds one entry from each data line's
// fields; build may reject a line.
func loadList[T any](name, text string, fields int, build func(f []string) (T, error)) func() ([]T, error) {
	return sync.OnceValues(func() ([]T, error) {
		rows, err := parseTSV(name, text, fields)
		if err != nil {
			return nil, err
		}
		out := make([]T, len(rows))
		for i, r := range rows {
			if out[i], err = build(r); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		return out, nil
	})
}

// appID checks that a list's first field is a lower-case application id.
func appID(s string) error {
	if !guidPattern.MatchString(s) {
		return fmt.Errorf("%q is not a lower-case application id", s)
	}
	return nil
}

var parseUserAgents = loadList("useragents.tsv", userAgentsTSV, 4, buildUserAgent)

func buildUserAgent(r []string) (UserAgent, error) {
	if r[0] != strings.ToLower(r[0]) {
		return UserAgent{}, fmt.Errorf("pattern %q is not in lower case", r[0])
	}
	if kindSeverity(r[1]) == "" {
		return UserAgent{}, fmt.Errorf("pattern %q: kind %q is not attack-tool, http-library or admin-tool", r[0], r[1])
	}
	return UserAgent{Pattern: r[0], Kind: r[1], Tool: r[2], Why: r[3]}, nil
}

var parseAdminApps = loadList("adminapps.tsv", adminAppsTSV, 3, func(r []string) (AdminApp, error) {
	return AdminApp{AppID: r[0], Name: r[1], Why: r[2]}, appID(r[0])
})

var parseLegacyClients = loadList("legacyclients.tsv", legacyClientsTSV, 2, func(r []string) (LegacyClient, error) {
	return LegacyClient{Name: r[0], Why: r[1]}, nil
})

var parseHTTPLibraries = loadList("httplibraries.tsv", httpLibrariesTSV, 3, func(r []string) (HTTPLibrary, error) {
	if r[0] != strings.ToLower(r[0]) {
		return HTTPLibrary{}, fmt.Errorf("pattern %q is not in lower case", r[0])
	}
	return HTTPLibrary{Pattern: r[0], Library: r[1], Why: r[2]}, nil
})

var parseAiTMApps = loadList("aitmapps.tsv", aitmAppsTSV, 3, func(r []string) (AiTMApp, error) {
	return AiTMApp{AppID: r[0], Name: r[1], Why: r[2]}, appID(r[0])
})

var parseHostingASNs = loadList("hostingasn.tsv", hostingASNsTSV, 4, hostingASN)

// hostingASN builds one entry of hostingasn.tsv from its fields.
func hostingASN(r []string) (HostingASN, error) {
	n, err := strconv.ParseInt(r[0], 10, 64)
	if err != nil || n <= 0 || n > 4294967295 || strconv.FormatInt(n, 10) != r[0] {
		return HostingASN{}, fmt.Errorf("%q is not an AS number (digits, no AS prefix)", r[0])
	}
	if !slices.Contains(hostingKinds, r[2]) {
		return HostingASN{}, fmt.Errorf("AS%d: kind %q is none of %s", n, r[2], strings.Join(hostingKinds, ", "))
	}
	if !slices.Contains(hostingSources, r[3]) {
		return HostingASN{}, fmt.Errorf("AS%d: source %q is none of %s", n, r[3], strings.Join(hostingSources, ", "))
	}
	return HostingASN{ASN: n, Provider: r[1], Kind: r[2], Source: r[3]}, nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err) // embedded data is checked by the package's tests
	}
	return v
}

// UserAgents returns the suspicious user-agent patterns in priority order: a user agent
// matching several counts for the first.
func UserAgents() []UserAgent { return must(parseUserAgents()) }

// AdminApps returns the administrative applications.
func AdminApps() []AdminApp { return must(parseAdminApps()) }

// LegacyClients returns the legacy-authentication client apps.
func LegacyClients() []LegacyClient { return must(parseLegacyClients()) }

// HTTPLibraries returns the HTTP-library user-agent patterns in priority order: a user agent
// matching several counts for the first.
func HTTPLibraries() []HTTPLibrary { return must(parseHTTPLibraries()) }

// AiTMApps returns the applications the aitm-phishing detection watches.
func AiTMApps() []AiTMApp { return must(parseAiTMApps()) }

// HostingASNs returns the autonomous systems of cloud, hosting, VPN and anonymizer networks.
func HostingASNs() []HostingASN { return must(parseHostingASNs()) }
