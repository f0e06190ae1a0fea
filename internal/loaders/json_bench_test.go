//go:build unix

package loaders

// The parallel JSON-lines reader must give what the one-goroutine reader gives, record for
// record; and benchmarks of the JSON readers without a database (they only run with -bench):
//
//	go test ./internal/loaders -run '^$' -bench JSONLines -benchmem

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
	"github.com/valyala/fastjson"
)

// genLines writes a diagnostic-settings export of n sign-ins as one JSON-lines file.
func genLines(tb testing.TB, n int) []byte {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := gen.Write(dir, "diagnostic", gen.Config{Seed: 7, Events: n, Days: 2, Scenarios: true}); err != nil {
		tb.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	sort.Strings(files)
	var b bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(data)
	}
	return b.Bytes()
}

// readWith reads data as one file with the given number of line workers and block size.
func readWith(t *testing.T, path string, workers, block int) (*Info, *recSink) {
	t.Helper()
	return readFileWith(t, path, ReadOptions{Workers: workers, BlockSize: block})
}

func TestParallelLinesMatchSerial(t *testing.T) {
	t.Parallel()
	lines := bytes.SplitAfter(genLines(t, 600), []byte("\n"))
	// Faults and oddities among the records, each a line of its own.
	odd := [][]byte{
		[]byte("{\"category\": \"SignInLogs\", \"time\": \"2025-06-01T00:00:00Z\", \"properties\": \n"), // invalid JSON
		[]byte("\n"),
		[]byte("   \r\n"),
		[]byte(`{"category": "AuditLogs", "time": "2025-06-01T00:00:00Z", "properties": {"id": "x", "activityDateTime": "2025-06-01T00:00:00Z"}}` + "\n"),
		[]byte(`{"category": "SignInLogs", "time": "2025-06-01T00:00:00Z"}` + "\n"),
		[]byte(`{"category": "SignInLogs", "time": "2025-06-01T00:00:00Z", "properties": {"id": "no-time", "status": {"errorCode": 0}}}` + "\n"),
		[]byte(`{"category": "SignInLogs", "time": "2025-06-01T00:00:00Z", "properties": {"id": "bad-time", "createdDateTime": "yesterday", "status": {"errorCode": 0}}}` + "\n"),
	}
	var b bytes.Buffer
	for i, l := range lines {
		b.Write(l)
		if i%97 == 5 {
			b.Write(odd[(i/97)%len(odd)])
		}
	}
	// A records envelope on one line, and a last line cut off.
	fmt.Fprintf(&b, "{\"records\": [%s, %s]}\n", bytes.TrimSpace(lines[1]), bytes.TrimSpace(lines[2]))
	b.WriteString(`{"category": "RiskyUsers", "time": "2025-06-01T00:00:00Z", "properties": {"id": "x"}}` + "\n")
	b.Write(lines[3][:len(lines[3])/2])
	path := filepath.Join(t.TempDir(), "PT1H.json")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	matchesSerial(t, path, 600)
}

// matchesSerial reads path with one goroutine, then with parallel block readers of several
// sizes, and requires the same records, problems, skips and notes, in the same order.
func matchesSerial(t *testing.T, path string, minRecords int) {
	t.Helper()
	wantInfo, want := readWith(t, path, 1, 4<<20)
	if len(want.recs) < minRecords || len(want.problems) < 4 || len(want.skipped) == 0 {
		t.Fatalf("serial read: %d records, %d problems, %v skipped: the input lacks the cases under test", len(want.recs), len(want.problems), want.skipped)
	}
	for _, c := range []struct{ workers, block int }{{2, 4 << 20}, {3, 4096}, {4, 1500}, {2, 100}} {
		t.Run(fmt.Sprintf("workers=%d,block=%d", c.workers, c.block), func(t *testing.T) {
			t.Parallel()
			info, got := readWith(t, path, c.workers, c.block)
			if info.SHA256 != wantInfo.SHA256 || info.Format != wantInfo.Format || !reflect.DeepEqual(info.Notes, wantInfo.Notes) {
				t.Errorf("info differs: %+v, want %+v", info, wantInfo)
			}
			if d := readDiff(got, want); d != "" {
				t.Error(d)
			}
		})
	}
}

// Top-level arrays (admin-center JSON, ConvertTo-Json) are parsed by blocks of elements in
// parallel; the result must be the serial reader's, record for record, with nested and
// back-to-back arrays, elements that are not records, an envelope element, and both ways
// an array can end early (an element cut off; no closing bracket).
func TestParallelArrayMatchesSerial(t *testing.T) {
	t.Parallel()
	elems := generatedRecords(t, "admin-json")
	odd := []string{
		`{"id": "x", "createdDateTime": }`, // invalid JSON
		`42`,
		`"text"`,
		`null`,
		`{"id": "no-time", "status": {"errorCode": 0}}`,
		"[" + elems[1] + ",\n" + elems[2] + "]", // nested array
		`{"value": [` + elems[3] + `]}`,         // an envelope as an element
		`{"activityDateTime": "2025-06-01T00:00:00Z", "id": "audit"}`,
		`{"activityDateTime": "2025-06-01T00:00:00Z", "id": "a2", "activityDisplayName": "Add user", "targetResources": [{"id": "u1", "type": "User", "modifiedProperties": [{"displayName": "AccountEnabled", "oldValue": null, "newValue": "[true]"}]}]}`,
		`{"activityDateTime": "2025-06-01T00:00:00Z", "id": "p1", "jobId": "j1", "provisioningStatusInfo": {"status": "success"}}`,
	}
	var b strings.Builder
	b.WriteString("[\n")
	for i, e := range elems[10:] {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(e)
		if i%71 == 5 {
			b.WriteString(",\n" + odd[(i/71)%len(odd)])
		}
	}
	b.WriteString("\n][" + elems[4] + ", " + elems[5] + "]\n") // back to back
	whole := b.String()
	for name, text := range map[string]string{
		"element-cut-off": whole + "[" + elems[6] + ",\n" + elems[7][:len(elems[7])/2],
		"no-closing":      whole + "[" + elems[6] + ",\n" + elems[7] + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "InteractiveSignIns.json")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			matchesSerial(t, path, 700)
		})
	}
}

type countSink struct{ n, rejected, skipped int }

func (s *countSink) Record(r *Record) error      { s.n++; return nil }
func (s *countSink) AuthStep(st *AuthStep) error { s.n++; return nil }
func (s *countSink) Skip(string)                 { s.skipped++ }
func (s *countSink) Audit(*AuditRecord) error    { s.n++; return nil }
func (s *countSink) Provisioning(*ProvisioningRecord) error {
	s.n++
	return nil
}
func (s *countSink) Reject(Problem) { s.rejected++ }

// BenchmarkJSONLines parses one JSON-lines file of diagnostic records (MB/s, ns per
// sign-in), with one goroutine and with the parallel block reader.
func BenchmarkJSONLines(b *testing.B) {
	data := genLines(b, 20_000)
	path := filepath.Join(b.TempDir(), "PT1H.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var n int
			cpu0 := cpuTime()
			for b.Loop() {
				s := &countSink{}
				if _, err := ReadWith(FileInput(path, int64(len(data))), s, ReadOptions{Workers: workers}); err != nil {
					b.Fatal(err)
				}
				n = s.n
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/signin")
			// CPU time is steadier than wall time on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/signin")
		})
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkJSONFormats reads generated exports of the JSON formats read by value (Graph
// pages, admin-center arrays), one goroutine per file as store.Load does.
func BenchmarkJSONFormats(b *testing.B) {
	for _, format := range []string{"graph", "admin-json", "la-json"} {
		b.Run(format, func(b *testing.B) {
			dir := b.TempDir()
			st, err := gen.Write(dir, format, gen.Config{Seed: 7, Events: 20_000, Days: 2, Scenarios: true})
			if err != nil {
				b.Fatal(err)
			}
			ins, err := Inputs([]string{dir})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(st.Bytes)
			cpu0 := cpuTime()
			var n int
			for b.Loop() {
				s := &countSink{}
				for _, in := range ins {
					if _, err := Read(in, s); err != nil {
						b.Fatal(err)
					}
				}
				n = s.n
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/signin")
		})
	}
}

// Graph pages and {"records": [...]} envelopes are read record by record in parallel once
// the page is known to be valid JSON; the result must be that of parsing the page whole:
// elements that are not records, a nested array, an invalid page (rejected whole), a
// record that has a "value" array, and "value" that is not an array beside "records".
func TestParallelPagesMatchSerial(t *testing.T) {
	t.Parallel()
	recs := generatedRecords(t, "graph")
	odd := []string{`42`, `"text"`, `null`, "[" + recs[0] + "]",
		`{"activityDateTime": "2025-06-01T00:00:00Z", "id": "audit"}`,
		`{"id": "no-time", "status": {"errorCode": 0}}`}
	var page strings.Builder
	page.WriteString(`{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns", "value": [` + "\n")
	for i, r := range recs[10:] {
		if i > 0 {
			page.WriteString(",\n")
		}
		page.WriteString(r)
		if i%97 == 3 {
			page.WriteString(", " + odd[(i/97)%len(odd)])
		}
	}
	page.WriteString("\n], \"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=x\"}\n")
	withValue := strings.Replace(recs[1], `{`, `{"value": [1, 2], `, 1)
	text := page.String() +
		`{"@odata.context": "x", "value": [` + recs[2] + `, {"id": }]}` + "\n" + // invalid: rejected whole
		`{"records": [` + recs[3] + `, ` + recs[4] + `]}` + "\n" +
		withValue + "\n" +
		`{"value": "not an array", "records": [` + recs[5] + `]}` + "\n"
	path := filepath.Join(t.TempDir(), "signIns.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	matchesSerial(t, path, 700)
}

// generatedRecords is the JSON text of each sign-in of an 800-sign-in export in format: the
// elements of its arrays (admin-json) or of its pages' value arrays (graph).
func generatedRecords(t *testing.T, format string) []string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Write(dir, format, gen.Config{Seed: 7, Events: 800, Days: 2, Scenarios: true}); err != nil {
		t.Fatal(err)
	}
	var recs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		v, err := fastjson.ParseBytes(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		list := v.GetArray()
		if v.Type() == fastjson.TypeObject {
			list = v.GetArray("value")
		}
		for _, e := range list {
			recs = append(recs, string(e.MarshalTo(nil)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 700 {
		t.Fatalf("only %d generated %s records", len(recs), format)
	}
	return recs
}
