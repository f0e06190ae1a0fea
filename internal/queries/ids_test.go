package queries_test

import (
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/queries"
)

// singular drops a plural s from every word of an id: "risky-signins" -> "risky-signin".
func singular(id string) string {
	words := strings.Split(id, "-")
	for i, w := range words {
		if len(w) > 2 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			words[i] = strings.TrimSuffix(w, "s")
		}
	}
	return strings.Join(words, "-")
}

// confusable reports whether b is a, give or take a plural, plus more words: "guests" and
// "guest-access", "risky-signin" and "risky-signins".
func confusable(a, b string) bool {
	sa, sb := singular(a), singular(b)
	return sa == sb || strings.HasPrefix(sb, sa+"-") || strings.HasPrefix(sa, sb+"-")
}

func TestConfusable(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"risky-signin", "risky-signins", true},
		{"guests", "guest-access", true},
		{"log-types", "log-type-missing", true},
		{"devices", "device-code", true},
		{"ips", "ip", true},
		{"risky-signins", "risky-users", false},
		{"app-users", "app-activity", false},
		{"ca-status", "ca-blocked", false},
		{"legacy-clients", "legacy-protocol-signin", false},
		{"sp-activity", "sp-credential-change", false},
	} {
		if got := confusable(c.a, c.b); got != c.want {
			t.Errorf("confusable(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// No two ids of the catalogue differ only by a plural or a suffix: a reader who knows one
// must not guess the other.
func TestNoConfusableIDs(t *testing.T) {
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range all {
		for _, b := range all[i+1:] {
			if confusable(a.ID, b.ID) {
				t.Errorf("%s (%s) and %s (%s) differ only by a plural or a suffix: rename one to say what it answers", a.ID, a.Kind, b.ID, b.Kind)
			}
		}
	}
}

// The folder decides the kind; a kind: header that contradicts it is an error.
func TestKindFollowsFolder(t *testing.T) {
	const body = "-- id: x\n-- title: X\n-- question: What?\n-- window: all\n-- log-types: all\n-- column: n integer | a count\nSELECT 1 AS n FROM scoped($since, $until, $app, $user, $ip, $log_types) ORDER BY n\n"
	q, err := queries.Parse("questions/x.sql", body)
	if err != nil {
		t.Fatal(err)
	}
	if q.Kind != "query" {
		t.Errorf("questions/x.sql: kind %q", q.Kind)
	}
	_, err = queries.Parse("detections/x.sql", "-- kind: query\n"+body)
	if err == nil || !strings.Contains(err.Error(), "detections/x.sql:1: kind query contradicts the folder detections/") {
		t.Errorf("contradicting kind: %v", err)
	}
	if _, err := queries.Parse("other/x.sql", body); err == nil {
		t.Error("a file outside questions/ and detections/ was accepted")
	}
}
