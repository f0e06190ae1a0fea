package reference

import (
	"strings"
	"testing"
)

// Every line of hostingasn.tsv parses, names a kind and a source its header explains, and no
// AS number is listed twice.
func TestHostingASNsParse(t *testing.T) {
	list, err := parseHostingASNs()
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, line := range strings.Split(hostingASNsTSV, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			lines++
		}
	}
	if len(list) != lines {
		t.Errorf("%d entries from %d data lines", len(list), lines)
	}
	seen := map[int64]bool{}
	for _, h := range list {
		if seen[h.ASN] {
			t.Errorf("AS%d listed twice", h.ASN)
		}
		seen[h.ASN] = true
	}
	for _, s := range hostingSources {
		if !strings.Contains(hostingASNsTSV, s+" = ") {
			t.Errorf("the header does not explain source %s", s)
		}
	}
	if !strings.Contains(hostingASNsTSV, "read 2026-12") {
		t.Error("the header does not date the list")
	}
}

// The providers the detections' documentation names are on the list with the right kind.
func TestHostingASNsHoldTheDocumentedEntries(t *testing.T) {
	kind := map[int64]string{}
	for _, h := range HostingASNs() {
		kind[h.ASN] = h.Kind
	}
	for asn, want := range map[int64]string{16509: "cloud", 14618: "cloud", 8075: "cloud", 15169: "cloud", 396982: "cloud",
		31898: "cloud", 45102: "cloud", 14061: "hosting", 16276: "hosting", 24940: "hosting", 63949: "hosting",
		20473: "hosting", 51167: "hosting", 12876: "hosting", 60781: "hosting", 16265: "hosting",
		9009: "vpn", 60068: "vpn", 60729: "anonymizer"} {
		if kind[asn] != want {
			t.Errorf("AS%d: kind %q, want %q", asn, kind[asn], want)
		}
	}
}

func TestHostingASNsRejectBadLines(t *testing.T) {
	for _, line := range []string{
		"AS16509\tAmazon\tcloud\tx4b-dc",                                   // AS prefix
		"016509\tAmazon\tcloud\tx4b-dc",                                    // not canonical
		"16509\tAmazon\tcdn\tx4b-dc",                                       // unknown kind
		"16509\tAmazon\tcloud\tsomewhere",                                  // unknown source
		"16509\tAmazon\tcloud\tx4b-dc\n16509\tAmazon again\tcloud\tx4b-dc", // twice
	} {
		if _, err := loadList("x.tsv", line+"\n", 4, hostingASN)(); err == nil {
			t.Errorf("accepted %q", line)
		}
	}
}
