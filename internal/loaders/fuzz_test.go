package loaders

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// checkSink asserts, record by record, what every loader promises its sink.
type checkSink struct {
	t       *testing.T
	records int
	rejects int
	skips   int
}

func (s *checkSink) Record(r *Record) error {
	s.records++
	if r.CreatedAt.IsZero() || !r.HasErrorCode {
		s.t.Fatalf("record without event time or outcome passed to the sink: %+v", r.S)
	}
	switch r.LogType {
	case Interactive, NonInteractive, ServicePrinc, ManagedIdent:
	default:
		s.t.Fatalf("record with log type %q", r.LogType)
	}
	if r.Line <= 0 && r.Index <= 0 {
		s.t.Fatalf("record without a position")
	}
	return nil
}

func (s *checkSink) AuthStep(st *AuthStep) error {
	s.records++
	if st.Line <= 0 {
		s.t.Fatalf("auth step without a line")
	}
	return nil
}

func (s *checkSink) Skip(string) { s.skips++ }

func (s *checkSink) Audit(a *AuditRecord) error {
	s.records++
	if a.ActivityAt.IsZero() || (a.Line <= 0 && a.Index <= 0) {
		s.t.Fatalf("audit record without a time or a position")
	}
	return nil
}

func (s *checkSink) Provisioning(p *ProvisioningRecord) error {
	s.records++
	if p.ActivityAt.IsZero() || (p.Line <= 0 && p.Index <= 0) {
		s.t.Fatalf("provisioning record without a time or a position")
	}
	return nil
}

func (s *checkSink) Reject(p Problem) {
	s.rejects++
	if p.Reason == "" || (p.Line <= 0 && p.Index <= 0) {
		s.t.Fatalf("rejection without a reason or position: %+v", p)
	}
}

func bytesInput(name string, b []byte) Input {
	return Input{Path: name, Size: int64(len(b)), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// addSeeds adds every file under testdata/<dir> as a seed.
func addSeeds(f *testing.F, dirs ...string) {
	for _, dir := range dirs {
		filepath.Walk(filepath.Join("..", "..", "testdata", dir), func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() && info.Size() < 1<<20 {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(b)
				}
			}
			return nil
		})
	}
}

// fuzzRead runs Read on data under several file names (the name steers the log type and,
// for CSV, the format) and checks that it never panics and only fails with a ParseError.
func fuzzRead(t *testing.T, data []byte) {
	for _, name := range []string{"export.json", "InteractiveSignIns_2025-01-01_2025-01-02.csv", "NonInteractiveSignIns_AuthDetails_2025-01-01_2025-01-02.csv"} {
		s := &checkSink{t: t}
		info, err := Read(bytesInput(name, data), s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%s: error is not a ParseError: %T %v", name, err, err)
			}
			if pe.File != name || pe.Reason == "" {
				t.Fatalf("%s: ParseError without file or reason: %+v", name, pe)
			}
		}
		if info == nil || len(info.SHA256) != 64 || info.Bytes != int64(len(data)) {
			t.Fatalf("%s: info %+v for %d bytes", name, info, len(data))
		}
	}
}

func FuzzReadJSON(f *testing.F) {
	addSeeds(f, "json", "audit")
	f.Add([]byte(`[{"createdDateTime":"2025-01-01T00:00:00Z","status":{"errorCode":0}}`))
	f.Add([]byte(`{"records":[{"category":"SignInLogs","properties":{"createdDateTime":"x"}}]}`))
	f.Fuzz(fuzzRead)
}

// FuzzParallelJSON: the parallel readers (blocks of JSON lines, of top-level array elements,
// of a page's records) give exactly what the one-goroutine reader gives, for any input. The
// blocks are small enough that every input is cut into many, and every object of 16 bytes
// or more is tried as a page.
func FuzzParallelJSON(f *testing.F) {
	addSeeds(f, "json", "audit")
	f.Add([]byte(`[{"createdDateTime":"2025-01-01T00:00:00Z","id":"a","status":{"errorCode":0}},42,[{"id":"b"}]]`))
	f.Add([]byte(`{"@odata.context":"x","value":[{"createdDateTime":"2025-01-01T00:00:00Z","id":"a"},null,"s"],"records":[1]}`))
	f.Add([]byte(`{"value":"x","records":[{"createdDateTime":"2025-01-01T00:00:00Z","id":"a"},{"id":}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		read := func(workers, block int) (*Info, *recSink, error) {
			s := &recSink{}
			info, err := ReadWith(bytesInput("export.json", data), s, ReadOptions{Workers: workers, BlockSize: block})
			return info, s, err
		}
		wantInfo, want, wantErr := read(1, 4<<20)
		gotInfo, got, gotErr := read(3, 64)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("error %v, serial reader: %v", gotErr, wantErr)
		}
		if !reflect.DeepEqual(gotInfo, wantInfo) {
			t.Fatalf("info %+v, serial reader: %+v", gotInfo, wantInfo)
		}
		if d := readDiff(got, want); d != "" {
			t.Fatal(d)
		}
	})
}

func FuzzDetect(f *testing.F) {
	addSeeds(f, "json", "audit")
	f.Fuzz(func(t *testing.T, head []byte) {
		for _, name := range []string{"a.json", "InteractiveSignIns_x.csv"} {
			fm, why := Detect(&Head{Name: name, Path: name, Bytes: head, Encoding: "utf-8"})
			if fm != nil && why == "" {
				t.Fatalf("format %s chosen without a reason", fm.Name)
			}
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2020-03-13T19:15:41.6195833Z", "9/19/2023, 1:45:17.287 PM", "12.03.2025 07:22:01", "/Date(1690123456000)/", "1/9/2007 10:41:00 AM +01:00"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, dayFirst bool) {
		tm, err := ParseTime(s, dayFirst)
		if err == nil && tm.Location().String() != "UTC" {
			t.Fatalf("ParseTime(%q) not UTC", s)
		}
	})
}
