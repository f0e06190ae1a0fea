package gen

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func TestAppendJSONString(t *testing.T) {
	cases := []string{"", "plain ascii text that is long enough", `quote " and back \ slash`, "tab\tnew\nline\rcr\x01\x1f",
		"Zürich São Paulo Łukasz", "bad \xff utf8", strings.Repeat("abcdefgh", 5) + "\"", "é", "\x7f\x20\x21"}
	for _, c := range cases {
		got := appendJSONString(nil, c)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s: %v", c, got, err)
		}
		want := strings.ToValidUTF8(c, "\uFFFD")
		if back != want {
			t.Errorf("%q: round trip gave %q", c, back)
		}
		if string(appendJSONEscaped(nil, []byte(c))) != string(got) {
			t.Errorf("%q: []byte and string forms differ", c)
		}
	}
}

// TestCSVMatchesEncodingCSV renders generated Log Analytics rows (and awkward cells) with
// row.appendCSV and with encoding/csv, and wants the same bytes.
func TestCSVMatchesEncodingCSV(t *testing.T) {
	var r row
	check := func() {
		t.Helper()
		got := string(r.appendCSV(nil))
		s := string(r.buf)
		var rec []string
		start := 0
		for _, e := range r.ends {
			rec = append(rec, s[start:e])
			start = e
		}
		var want strings.Builder
		w := csv.NewWriter(&want)
		w.Write(rec)
		w.Flush()
		if got != want.String() {
			t.Fatalf("got  %q\nwant %q", got, want.String())
		}
	}
	for _, cells := range [][]string{
		{"", "a", " lead", "\tx", "trail ", `\.`, `a"b`, "a,b", "line\nbreak", "cr\rx", "\u00a0nbsp", "Zürich"},
		{""},
	} {
		r.reset()
		for _, c := range cells {
			r.str(c)
		}
		check()
	}
	g, err := newGenerator(Config{Seed: 4, Events: 3000, Scenarios: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := newLACtx(g.t)
	err = g.run(func(e *Event) error {
		r.reset()
		for _, c := range laTables[logIndex(e.LogType)].cols {
			switch c.typ {
			case laDatetime:
				r.laTime(c.at(e))
			default:
				r.buf = c.val(r.buf, e, ctx)
				r.end()
			}
		}
		check()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
