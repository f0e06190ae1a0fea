package loaders

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type zipEntry struct {
	name string
	data []byte
}

func writeZip(t *testing.T, path string, entries ...zipEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listDir returns every path under dir, to check that reading wrote nothing.
func listDir(t *testing.T, dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		out = append(out, p)
		return nil
	})
	sort.Strings(out)
	return out
}

func TestZipMembersReadInPlace(t *testing.T) {
	admin, err := os.ReadFile("../../testdata/csv/same-events/admin/InteractiveSignIns_2025-06-10_2025-06-11.csv")
	if err != nil {
		t.Fatal(err)
	}
	steps, err := os.ReadFile("../../testdata/csv/same-events/admin/InteractiveSignIns_AuthDetails_2025-06-10_2025-06-11.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zp := filepath.Join(dir, "contoso_2025-06-10_2025-06-11_1_1.zip")
	writeZip(t, zp,
		zipEntry{"InteractiveSignIns_2025-06-10_2025-06-11.csv", admin},
		zipEntry{"sub/InteractiveSignIns_AuthDetails_2025-06-10_2025-06-11.csv", steps},
		zipEntry{"../../evil/ApplicationSignIns_x.csv", admin},
		zipEntry{"/etc/MSISignIns_x.csv", admin},
		zipEntry{`C:\temp\MSISignIns_y.csv`, admin},
		zipEntry{"notes.txt", []byte("meeting notes, not an export\n")},
		zipEntry{"__MACOSX/._InteractiveSignIns_2025-06-10_2025-06-11.csv", []byte{0, 5, 22, 7}},
		zipEntry{"inner.zip", []byte("PK")},
	)
	before := listDir(t, dir)
	ins, err := Inputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	results := map[string]string{}
	for _, in := range ins {
		names = append(names, strings.TrimPrefix(in.Path, zp+"!"))
		s := &recSink{}
		info, err := Read(in, s)
		switch {
		case err != nil:
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != in.Path {
				t.Errorf("%s: error %v is not a ParseError of the member", in.Path, err)
			}
			results[in.Path] = "error: " + err.Error()
		default:
			results[in.Path] = info.Format
			if info.Path != in.Path || len(info.SHA256) != 64 || info.Bytes == 0 {
				t.Errorf("%s: info %+v", in.Path, info)
			}
		}
		if strings.HasSuffix(in.Path, "!InteractiveSignIns_2025-06-10_2025-06-11.csv") && (len(s.recs) != 3 || s.recs[0].LogType != Interactive) {
			t.Errorf("sign-ins: %d", len(s.recs))
		}
		if strings.HasSuffix(in.Path, "_AuthDetails_2025-06-10_2025-06-11.csv") && len(s.steps) != 5 {
			t.Errorf("steps: %d", len(s.steps))
		}
	}
	// Members in name order; macOS metadata skipped.
	want := []string{`../../evil/ApplicationSignIns_x.csv`, `/etc/MSISignIns_x.csv`, `C:\temp\MSISignIns_y.csv`, "InteractiveSignIns_2025-06-10_2025-06-11.csv",
		"inner.zip", "notes.txt", "sub/InteractiveSignIns_AuthDetails_2025-06-10_2025-06-11.csv"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("members:\n%s", strings.Join(names, "\n"))
	}
	expect := map[string]string{
		"InteractiveSignIns_2025-06-10_2025-06-11.csv":                 "admin-csv",
		"sub/InteractiveSignIns_AuthDetails_2025-06-10_2025-06-11.csv": "admin-authdetails-csv",
		"../../evil/ApplicationSignIns_x.csv":                          "error: " + zp + "!../../evil/ApplicationSignIns_x.csv: zip member refused: its name points outside the archive",
		"/etc/MSISignIns_x.csv":                                        "error: " + zp + "!/etc/MSISignIns_x.csv: zip member refused: its name points outside",
		`C:\temp\MSISignIns_y.csv`:                                     "error: " + zp + `!C:\temp\MSISignIns_y.csv: zip member refused: its name points outside`,
		"notes.txt":                                                    "error: " + zp + "!notes.txt:1: not a recognized sign-in log export",
		"inner.zip":                                                    "error: " + zp + "!inner.zip: zip member refused: an archive inside the archive",
	}
	for m, w := range expect {
		if got := results[zp+"!"+m]; !strings.HasPrefix(got, w) {
			t.Errorf("%s:\n got %s\nwant %s", m, got, w)
		}
	}
	if after := listDir(t, dir); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("reading wrote files:\n%s", strings.Join(after, "\n"))
	}
}

func TestZipBombGuards(t *testing.T) {
	t.Parallel()
	lim := zipLimits{maxTotal: zipMaxTotal, maxRatio: zipMaxRatio, ratioMin: 64 << 10}
	list := func(path string) ([]Input, error) {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		ins, _, err := lim.expand(path, st.Size())
		return ins, err
	}
	dir := t.TempDir()
	csv := []byte(adminMini + "2025-06-10T08:00:00Z,r1,u1,a@x.example,,Success,0,\n")
	zeros := make([]byte, 4<<20) // deflates about 1000 to 1
	zp := filepath.Join(dir, "a.zip")
	writeZip(t, zp, zipEntry{"InteractiveSignIns_a.csv", csv}, zipEntry{"InteractiveSignIns_b.csv", zeros})
	ins, err := list(zp)
	if err != nil || len(ins) != 2 {
		t.Fatalf("%v %d", err, len(ins))
	}
	if _, err := Read(ins[0], &recSink{}); err != nil {
		t.Errorf("a: %v", err)
	}
	if _, err := Read(ins[1], &recSink{}); err == nil || !strings.Contains(err.Error(), "decompression bomb") || !strings.Contains(err.Error(), "more than 200 times") {
		t.Errorf("b: %v", err)
	}
	// The archive as a whole: members past the total budget are refused.
	lim.maxTotal = int64(len(csv)) + 10
	zp2 := filepath.Join(dir, "b.zip")
	writeZip(t, zp2, zipEntry{"InteractiveSignIns_1.csv", csv}, zipEntry{"InteractiveSignIns_2.csv", csv})
	ins, _ = list(zp2)
	if _, err := Read(ins[0], &recSink{}); err != nil {
		t.Errorf("1: %v", err)
	}
	if _, err := Read(ins[1], &recSink{}); err == nil || !strings.Contains(err.Error(), "members would inflate to more than") {
		t.Errorf("2: %v", err)
	}
}

func TestZipUnreadable(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.zip")
	os.WriteFile(bad, []byte("PK\x03\x04 this is not really a zip"), 0o644)
	empty := filepath.Join(dir, "empty.zip")
	writeZip(t, empty)
	ins, err := Inputs([]string{bad, empty})
	if err != nil || len(ins) != 2 {
		t.Fatalf("%v %d", err, len(ins))
	}
	for i, w := range []string{"broken.zip: not a readable zip archive", "empty.zip: the zip archive holds no files"} {
		if _, err := Read(ins[i], &recSink{}); err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %v", ins[i].Path, err)
		}
	}
}
