package loaders

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// scanAll splits text with the CSV scanner, resynchronising after bad records as the
// readers do, and renders each record as "line:cell|cell" or "line:BAD reason".
func scanAll(text string, delim byte, width int) []string {
	s := newCSVScanner(bufio.NewReaderSize(strings.NewReader(text), 16), delim)
	var out []string
	for s.next() {
		switch {
		case s.bad != "":
			out = append(out, fmt.Sprintf("%d:BAD %s", s.start, s.bad))
			s.resync()
		case width > 0 && len(s.cells) != width:
			out = append(out, fmt.Sprintf("%d:WIDTH %d", s.start, len(s.cells)))
			s.resync()
		default:
			out = append(out, fmt.Sprintf("%d:%s", s.start, strings.Join(s.cells, "|")))
		}
	}
	return out
}

func TestCSVScanner(t *testing.T) {
	cases := []struct {
		name, text string
		width      int
		want       []string
	}{
		{"plain LF", "a,b\nc,d\n", 0, []string{"1:a|b", "2:c|d"}},
		{"CRLF and no final newline", "a,b\r\nc,d", 0, []string{"1:a|b", "2:c|d"}},
		{"quoted with delimiter and doubled quote", "\"x, y\",\"say \"\"hi\"\"\"\n", 0, []string{`1:x, y|say "hi"`}},
		{"embedded newline keeps line numbers", "\"multi\r\nline\",b\nc,d\n", 0, []string{"1:multi\nline|b", "3:c|d"}},
		{"empty cells and trailing delimiter", ",,\n", 0, []string{"1:||"}},
		{"blank lines are no records", "a,b\n\n  \r\nc,d\n", 0, []string{"1:a|b", "4:c|d"}},
		{"stray quote in an unquoted cell", "ab\"c,d\n", 0, []string{`1:ab"c|d`}},
		{"stray quote inside a quoted cell", "\"ab\"c\",d\n", 0, []string{`1:ab"c|d`}},
		{"long line across the reader's buffer", strings.Repeat("x", 100) + ",y\n", 0, []string{"1:" + strings.Repeat("x", 100) + "|y"}},
		// An unbalanced quote on line 2 swallows lines up to the next quote, which is then a
		// stray one: the record is rejected as line 2, and lines 3 and 4 are read again.
		{"unbalanced quote resynchronises", "a,b,c\n1,\"2,3\n4,5,6\n7,\"8\",9\n", 3,
			[]string{"1:a|b|c", "2:BAD a quote on line 2 is never closed: its cell runs into the next lines, and a stray quote on line 4 shows it swallowed rows", "3:4|5|6", "4:7|8|9"}},
		// The swallow ends at a quote that closes the cell: the width gives it away.
		{"unbalanced quote caught by the width", "a,b,c\n1,\"2,3\n4,5,\",6\",7\n", 3,
			[]string{"1:a|b|c", "2:WIDTH 4", "3:WIDTH 4"}},
		// No quote follows: the cell runs to the end of the file, the record is reported, and
		// every line after it is still read.
		{"unbalanced quote to the end of the file", "a,b\n\"x,y\nc,d\ne,f\n", 2,
			[]string{"1:a|b", "2:BAD a quoted cell opened on line 2 is not closed before the end of the file (unbalanced quote)", "3:c|d", "4:e|f"}},
	}
	for _, c := range cases {
		got := scanAll(c.text, ',', c.width)
		ok := len(got) == len(c.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.HasPrefix(got[i], c.want[i])
		}
		if !ok {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	// A quoted cell may not run on for ever: past maxCSVCellLines lines the record is cut.
	text := "a,b\n\"x" + strings.Repeat("\nline", maxCSVCellLines+5) + "\nc,d\n"
	got := scanAll(text, ',', 2)
	if len(got) < 3 || !strings.Contains(got[1], "2:BAD a quoted cell opened on line 2 is still open") || got[len(got)-1] != fmt.Sprintf("%d:c|d", maxCSVCellLines+8) {
		t.Errorf("bounded cell: %q ... %q", got[:min(3, len(got))], got[len(got)-1])
	}
}

// adminMini is an admin download cut to a few columns (the readers match by name).
const adminMini = "Date (UTC),Request ID,User ID,Username,Location,Status,Sign-in error code,Failure reason\n"

func TestCSVDamagedRows(t *testing.T) {
	// Line 3: the closing quote of Location is missing, and line 4 is swallowed up to its
	// first quote. Lines 4-5: a real newline inside a quoted cell. Line 6: one cell short.
	// Line 7: an error code that is no number. Line 8: no date. Line 9: no final newline.
	info, s := readFile(t, "../../testdata/csv/damage/InteractiveSignIns_damaged-rows.csv")
	if info.Format != "admin-csv" {
		t.Errorf("format %s", info.Format)
	}
	var ids []string
	for _, r := range s.recs {
		ids = append(ids, fmt.Sprintf("%s@%d", r.S[ID], r.Line))
	}
	// r3 starts on line 4 and spans two lines (a real embedded newline); r7 is on line 9.
	if strings.Join(ids, " ") != "r1@2 r3@4 r7@9" {
		t.Errorf("loaded %v", ids)
	}
	if len(s.recs) == 3 && s.recs[1].S[FailureReason] != "Bad\npassword" {
		t.Errorf("embedded newline: %q", s.recs[1].S[FailureReason])
	}
	want := []struct {
		line        int64
		field, text string
	}{
		{3, "", "(unbalanced quote); the row is skipped and the lines after it are read again as rows"},
		{6, "", "the row has 7 cells where the header has 8"},
		{7, "Sign-in error code", `the error code "not-a-number" is not a number`},
		{8, "Date (UTC)", `cannot read the date: cannot read time "yesterday"`},
	}
	if len(s.problems) != len(want) {
		t.Fatalf("problems %+v", s.problems)
	}
	for i, w := range want {
		p := s.problems[i]
		if p.Line != w.line || p.Field != w.field || !strings.Contains(p.Reason, w.text) || p.Excerpt == "" {
			t.Errorf("problem %d = %+v, want line %d field %q reason with %q", i, p, w.line, w.field, w.text)
		}
	}
}

// encodings turns the same UTF-8 text into the byte forms an export may take.
func encodings(t *testing.T, text string) map[string][]byte {
	t.Helper()
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	w1252, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"utf-8":        []byte(text),
		"utf-8-bom":    append([]byte("\xEF\xBB\xBF"), text...),
		"utf-16le":     u16,
		"windows-1252": w1252,
		"utf-8 CRLF":   []byte(strings.ReplaceAll(text, "\n", "\r\n")),
	}
}

func TestCSVEncodings(t *testing.T) {
	text := adminMini + "2025-06-10T08:00:00Z,r1,u1,joão@x.example,\"São Paulo, São Paulo, BR\",Interrupted,50140,\"Keep me\nsigned in\"\n"
	for enc, b := range encodings(t, text) {
		s := &recSink{}
		info, err := Read(bytesInput("MSISignIns_x.csv", b), s)
		if err != nil {
			t.Errorf("%s: %v", enc, err)
			continue
		}
		wantEnc := strings.TrimSuffix(enc, " CRLF")
		if info.Encoding != wantEnc || len(s.recs) != 1 {
			t.Errorf("%s: encoding %q, %d records, problems %+v", enc, info.Encoding, len(s.recs), s.problems)
			continue
		}
		r := s.recs[0]
		if r.S[City] != "São Paulo" || r.S[UserPrincipalName] != "joão@x.example" || r.S[FailureReason] != "Keep me\nsigned in" || r.Status() != "interrupted" {
			t.Errorf("%s: %q %q %q %s", enc, r.S[City], r.S[UserPrincipalName], r.S[FailureReason], r.Status())
		}
		// The file name says managed identity, and wins over the header.
		if r.LogType != ManagedIdent {
			t.Errorf("%s: log type %s", enc, r.LogType)
		}
		if enc == "windows-1252" && !strings.Contains(strings.Join(info.Notes, " "), "read as Windows-1252") {
			t.Errorf("no Windows-1252 note: %q", info.Notes)
		}
	}
}

func TestCSVSeparatorsAndTrailingDelimiters(t *testing.T) {
	// Excel in a German locale: a sep= hint, semicolons, dotted day-first dates.
	semi := "sep=;\nDate (UTC);Request ID;Username;Status;Sign-in error code\n12.03.2025 07:22:01;r1;a@x.example;Success;0\n"
	info, s, err := readText(t, "InteractiveSignIns_a.csv", semi)
	if err != nil || len(s.recs) != 1 {
		t.Fatalf("%v %+v", err, s.problems)
	}
	if !s.recs[0].CreatedAt.Equal(mustTime(t, "2025-03-12T07:22:01Z")) || s.recs[0].Line != 3 {
		t.Errorf("created %v line %d", s.recs[0].CreatedAt, s.recs[0].Line)
	}
	notes := strings.Join(info.Notes, "\n")
	for _, w := range []string{"separated by semicolons", "separator hint", "read as day-first (day/month/year)"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	// A delimiter ending every line (header included) adds no column.
	trailing := "Date (UTC),Request ID,Status,Sign-in error code,\n2025-06-10T08:00:00Z,r1,Success,0,\n2025-06-10T08:00:01Z,r2,Success,0\n"
	if _, s, err := readText(t, "InteractiveSignIns_a.csv", trailing); err != nil || len(s.recs) != 2 {
		t.Errorf("trailing delimiters: %v %+v", err, s.problems)
	}
}

func TestCSVUnknownHeader(t *testing.T) {
	_, _, err := readText(t, "report.csv", "Timestamp,Account,Outcome\n2025-06-10,a,ok\n")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"report.csv:1", "not a recognized sign-in log export", "Timestamp, Account, Outcome", `"Date (UTC)"`, "TimeGenerated [UTC]", "CreatedDateTime", "_AuthDetails_"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	// An auth-details file without Request ID cannot be joined.
	_, _, err = readText(t, "InteractiveSignIns_AuthDetails_a.csv", "Authentication method,Succeeded\nPassword,True\n")
	if err == nil || !strings.Contains(err.Error(), "no Request ID column") {
		t.Errorf("auth details: %v", err)
	}
}

func TestCSVDetection(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name  string
		head  []byte
		want  string
		about string
	}{
		{"InteractiveSignIns_a.csv", []byte(adminMini), "admin-csv", `first column is "Date (UTC)"`},
		{"x.csv", []byte("Request ID,Date (UTC),Status\n"), "admin-csv", "columns reordered"},
		{"InteractiveSignIns_AuthDetails_a.csv", []byte("Request ID,Authentication method\n"), "admin-authdetails-csv", "_AuthDetails_"},
		{"steps.csv", []byte("Request ID,Authentication method,Succeeded\n"), "admin-authdetails-csv", "without sign-in columns"},
		{"q.csv", []byte("\"TenantId\",\"TimeGenerated [UTC]\",\"Id\"\n"), "la-csv", `"TimeGenerated [UTC]"`},
		{"q.csv", []byte("TimeGenerated,Id,ResultType\n"), "la-csv", "a TimeGenerated column"},
		{"q.csv", []byte("Id,ResultType,Type\n"), "la-csv", "ResultType and Type"},
		{"ps.csv", []byte("#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignIn\n\"Id\",\"CreatedDateTime\"\n"), "powershell-csv", "#TYPE"},
		{"ps.csv", []byte("CreatedDateTime,UserPrincipalName\n"), "powershell-csv", "Graph property names"},
		// JSON is never taken for CSV, whatever its name, and CSV never for JSON.
		{"InteractiveSignIns_a.csv", read("../../testdata/csv/same-events/graph/interactive.json"), "graph-page", ""},
		{"x.json", read("../../testdata/csv/same-events/admin/InteractiveSignIns_2025-06-10_2025-06-11.csv"), "admin-csv", ""},
		{"x.json", read("../../testdata/csv/same-events/la/query_data.csv"), "la-csv", ""},
	}
	for _, c := range cases {
		f, why := Detect(&Head{Name: c.name, Path: c.name, Bytes: c.head, Encoding: "utf-8"})
		got := ""
		if f != nil {
			got = f.Name
		}
		if got != c.want || !strings.Contains(why, c.about) {
			t.Errorf("%s %.40q: %s (%s), want %s (%s)", c.name, c.head, got, why, c.want, c.about)
		}
	}
	for _, notCSV := range []string{"Date,Thing\n1,2\n", "hello\n", "[1,2]\n", "{\"a\":1}\n"} {
		if f, _ := Detect(&Head{Name: "InteractiveSignIns_a.csv", Bytes: []byte(notCSV)}); f != nil && strings.HasSuffix(f.Name, "csv") {
			t.Errorf("%q detected as %s", notCSV, f.Name)
		}
	}
}

// Every CSV format declares, in Format.Unavailable, only schema fields, and the lists are
// derived from the column tables; this checks the derivation against the schema file.
func TestCSVUnavailableNamesAreSchemaColumns(t *testing.T) {
	b, err := os.ReadFile("../store/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	schema := string(b)
	for _, f := range schemaFields {
		if f == "ca_policies" || f == "auth_steps" {
			continue // the child tables signin_ca_policies and signin_auth_steps
		}
		if !strings.Contains(schema, "\n    "+f+" ") {
			t.Errorf("%s is not a column of signins", f)
		}
	}
	want := map[string][]string{
		"admin-csv": {"auth_steps", "ca_policies", "device_name", "ingested_at", "is_interactive", "latitude", "longitude",
			"original_request_id", "resource_service_principal_id", "risk_detail", "risk_event_types", "risk_level_aggregated",
			"risk_level_during_signin", "risk_state", "tenant_id"},
	}
	for _, f := range Formats() {
		if w, ok := want[f.Name]; ok && strings.Join(f.Unavailable, ",") != strings.Join(w, ",") {
			t.Errorf("%s: unavailable %v, want %v", f.Name, f.Unavailable, w)
		}
	}
	// graphFields (what each Graph / Log Analytics name fills) covers exactly the names
	// the Normalizer maps.
	for k := range topFields() {
		if _, ok := graphFields[k]; !ok {
			t.Errorf("graphFields lacks %q", k)
		}
	}
	for k := range graphFields {
		if _, ok := topFields()[k]; !ok {
			t.Errorf("graphFields has %q, which the Normalizer does not map", k)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	addSeeds(f, "csv", "audit")
	f.Add([]byte(adminMini + "2025-06-10T08:00:00Z,r1,u1,a,\"x,y,z\",Success,0,\n"))
	f.Add([]byte("sep=;\nDate (UTC);Request ID\n\"12.03.2025 07:22\";\"r\n"))
	f.Fuzz(fuzzRead)
}

func FuzzCSVScanner(f *testing.F) {
	f.Add([]byte("a,\"b\nc\",d\n\"e"), byte(','))
	f.Add([]byte("\"\"\"\n,\r\n\r"), byte(';'))
	f.Fuzz(func(t *testing.T, b []byte, delim byte) {
		if delim == '"' || delim == '\n' || delim == '\r' {
			return
		}
		s := newCSVScanner(bufio.NewReaderSize(bytes.NewReader(b), 16), delim)
		last := int64(0)
		for n := 0; s.next(); n++ {
			if s.start <= last && s.bad == "" && last > 0 && s.lines == 1 {
				t.Fatalf("line %d after %d", s.start, last)
			}
			last = s.start
			if s.bad != "" || len(s.cells) == 1 {
				s.resync()
			}
			if n > len(b)+10 {
				t.Fatal("no progress")
			}
		}
	})
}

func TestCSVFixturesLoadCleanly(t *testing.T) {
	// Every committed CSV fixture outside damage/ loads without a problem.
	filepath.Walk("../../testdata/csv", func(p string, info os.FileInfo, err error) error {
		if err != nil || !info.Mode().IsRegular() || strings.Contains(p, "damage") {
			return nil
		}
		s := &recSink{}
		if _, err := Read(FileInput(p, info.Size()), s); err != nil || len(s.problems) > 0 {
			t.Errorf("%s: %v %+v", p, err, s.problems)
		}
		return nil
	})
}

func TestCSVEncodingFixtures(t *testing.T) {
	// One row saved three ways (UTF-8 with BOM, UTF-16 by iconv, Windows-1252 by iconv),
	// CRLF line ends and a line break inside a quoted cell.
	for enc, name := range map[string]string{"utf-8-bom": "utf8-bom", "utf-16le": "utf16", "windows-1252": "windows-1252"} {
		info, s := readFile(t, "../../testdata/csv/encodings/InteractiveSignIns_"+name+".csv")
		if info.Encoding != enc || len(s.recs) != 1 || len(s.problems) != 0 {
			t.Errorf("%s: encoding %s, %d records, %+v", name, info.Encoding, len(s.recs), s.problems)
			continue
		}
		r := s.recs[0]
		if r.S[City] != "São Paulo" || r.S[UserPrincipalName] != "joão@fabrikam.example" || r.S[FailureReason] != "Keep me\nsigned in" || r.ErrorCode != 50140 {
			t.Errorf("%s: %q %q %q %d", name, r.S[City], r.S[UserPrincipalName], r.S[FailureReason], r.ErrorCode)
		}
	}
}
