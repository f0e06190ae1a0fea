package loaders

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestSyslogPrefixIsStripped(t *testing.T) {
	plain, err := os.ReadFile("../../testdata/versions/diagnostic/all/PT1H.json")
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := readText(t, "PT1H.json", string(plain))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(plain), "\n"), "\n")
	prefixes := map[string]string{
		"timestamp and host": "2025-02-02T00:27:59+08:00 HOSTNAME ",
		"RFC 5424":           "<134>1 2025-02-02T00:27:59.123Z collector-01 azure-eventhub - - - ",
		"RFC 3164":           "<14>Feb  2 00:27:59 collector-01 azure: ",
	}
	for name, prefix := range prefixes {
		var b strings.Builder
		for i, l := range lines {
			if i == 2 {
				b.WriteString(l) // a line without the prefix is read as it is
			} else {
				b.WriteString(prefix + l)
			}
			b.WriteByte('\n')
		}
		info, got, err := readText(t, "forwarded.log", b.String())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := readDiff(got, want); d != "" {
			t.Errorf("%s: %s", name, d)
		}
		if !strings.Contains(info.Detection, "syslog prefix") || !strings.HasPrefix(info.Format, "diagnostic") {
			t.Errorf("%s: format %s, detected %q", name, info.Format, info.Detection)
		}
	}
}

func TestSyslogPrefixLen(t *testing.T) {
	for line, want := range map[string]int{
		`2025-02-02T00:27:59+08:00 HOSTNAME {"time":1}`: 35,
		`<134>1 2025-02-02T00:27:59Z h a - - - {"a":1}`: 38,
		`{"time": 1}`:                       0,
		`2025-02-02T00:27:59Z {"a":1}`:      0, // a timestamp without a host
		`"2025-02-02T00:27:59Z h", {"a":1}`: 0,
		`Date,Request ID,{x}`:               0,
	} {
		if got := syslogPrefixLen([]byte(line)); got != want {
			t.Errorf("syslogPrefixLen(%q) = %d, want %d", line, got, want)
		}
	}
	// A line longer than the reader's buffer passes through whole.
	long := "2025-02-02T00:27:59Z h " + `{"a":"` + strings.Repeat("x", 200_000) + `"}` + "\n"
	var out bytes.Buffer
	if _, err := out.ReadFrom(&prefixStripper{br: headReader(strings.NewReader(long + long))}); err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat(long[23:], 2); out.String() != want {
		t.Errorf("long lines: got %d bytes, want %d", out.Len(), len(want))
	}
}
