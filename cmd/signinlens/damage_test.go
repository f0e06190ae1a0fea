package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// damagedFolder builds a folder of mangled exports: copies of the damage fixtures plus
// files made here (header-only, BOM, binary, a zip of something else).
func damagedFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyIn := func(src string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{
		"../../testdata/csv/damage/InteractiveSignIns_damaged-rows.csv",
		"../../testdata/json/shapes/array-cut-off.json",
		"../../testdata/json/shapes/graph-lines-truncated.jsonl",
		"../../testdata/json/shapes/empty.json",
		"../../testdata/json/shapes/diagnostic-mixed.PT1H.json",
		"../../testdata/json/same-events/graph/graph-page-1.json",
	} {
		copyIn(f)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	write("InteractiveSignIns_2025-06-01_2025-06-02.csv", []byte("Date (UTC),Request ID,User ID,Username,Status,Sign-in error code\r\n"))
	page, _ := os.ReadFile("../../testdata/json/same-events/graph/graph-page-2.json")
	write("bom-page.json", append([]byte{0xEF, 0xBB, 0xBF}, page...))
	write("random.bin", []byte{0x00, 0x9f, 0x12, 0xff, 0x00, 0x01, 0x7f})
	zp := filepath.Join(dir, "photos.zip")
	zf, _ := os.Create(zp)
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("holiday.txt")
	w.Write([]byte("not an export\n"))
	zw.Close()
	zf.Close()
	return dir
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		b, _ := os.ReadFile(p)
		st, _ := os.Stat(p)
		out[e.Name()] = st.ModTime().Format(time.RFC3339Nano) + " " + strconv.FormatInt(st.Size(), 10) + " " + string(sha256.New().Sum(b))
	}
	return out
}

type fileCounts struct {
	Path                                           string
	Records, Loaded, Duplicates, Rejected, Skipped int64
}

func TestDamagedFolderIsAccountedForEverywhere(t *testing.T) {
	dir := damagedFolder(t)
	before := snapshot(t, dir)
	db := filepath.Join(t.TempDir(), "case.duckdb")

	code, out, errOut := runCLI(t, "load", "--json", "--db", db, dir)
	if code != exitOK {
		t.Fatalf("load: %d %s", code, errOut)
	}
	var sum struct {
		Files  []fileCounts `json:"files"`
		Totals struct{ Records, Loaded, Duplicates, Rejected, Skipped int64 }
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	var tot fileCounts
	byName := map[string]fileCounts{}
	for _, f := range sum.Files {
		if f.Records != f.Loaded+f.Duplicates+f.Rejected+f.Skipped {
			t.Errorf("%s does not reconcile: %+v", f.Path, f)
		}
		tot.Records += f.Records
		tot.Loaded += f.Loaded
		tot.Duplicates += f.Duplicates
		tot.Rejected += f.Rejected
		tot.Skipped += f.Skipped
		byName[filepath.Base(f.Path)] = f
	}
	if tot.Records != sum.Totals.Records || tot.Loaded != sum.Totals.Loaded || tot.Rejected != sum.Totals.Rejected || tot.Skipped != sum.Totals.Skipped {
		t.Errorf("totals %+v do not add up to the files %+v", sum.Totals, tot)
	}
	// Hand-counted per file (see the fixtures).
	for name, want := range map[string][4]int64{ // records, loaded, rejected, skipped
		"array-cut-off.json":                           {3, 2, 1, 0},
		"graph-lines-truncated.jsonl":                  {3, 2, 1, 0},
		"empty.json":                                   {0, 0, 0, 0},
		"diagnostic-mixed.PT1H.json":                   {6, 5, 1, 0}, // 4 sign-ins and an audit event
		"graph-page-1.json":                            {2, 2, 0, 0},
		"bom-page.json":                                {1, 1, 0, 0},
		"InteractiveSignIns_2025-06-01_2025-06-02.csv": {0, 0, 0, 0},
		"random.bin":                                   {0, 0, 0, 0},
	} {
		f, ok := byName[name]
		if !ok {
			t.Errorf("%s missing from the summary", name)
			continue
		}
		got := [4]int64{f.Records, f.Loaded, f.Rejected, f.Skipped}
		// array-cut-off and graph-lines-truncated hold the same ids a1/a2: the later file's
		// copies are duplicates, so compare loaded+duplicates.
		got[1] += f.Duplicates
		if got != want {
			t.Errorf("%s: records/loaded+dup/rejected/skipped %v, want %v", name, got, want)
		}
	}
	if !strings.Contains(errOut, "random.bin") || !strings.Contains(errOut, "photos.zip!holiday.txt") {
		t.Errorf("unreadable files not warned about:\n%s", errOut)
	}

	// The workbook's Sources sheet shows the same numbers.
	xlsx := filepath.Join(t.TempDir(), "report.xlsx")
	if code, _, errOut := runCLI(t, "analyze", "--quiet", "--db", db, "-o", xlsx); code != exitOK {
		t.Fatalf("analyze: %d %s", code, errOut)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sources", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	header := -1
	for i, r := range rows {
		for _, c := range r {
			if c == "records" {
				header = i
			}
		}
		if header >= 0 {
			for j, c := range r {
				col[c] = j
			}
			break
		}
	}
	if header < 0 {
		t.Fatal("no sources table on the Sources sheet")
	}
	seen := 0
	for _, r := range rows[header+1:] {
		if len(r) <= col["skipped"] {
			break
		}
		want, ok := byName[filepath.Base(r[col["path"]])]
		if !ok {
			continue
		}
		seen++
		for name, v := range map[string]int64{"records": want.Records, "loaded": want.Loaded, "duplicates": want.Duplicates, "rejected": want.Rejected, "skipped": want.Skipped} {
			if r[col[name]] != strconv.FormatInt(v, 10) {
				t.Errorf("Sources sheet %s %s = %s, load said %d", r[col["path"]], name, r[col[name]], v)
			}
		}
	}
	if seen != len(sum.Files) {
		t.Errorf("Sources sheet lists %d of %d files", seen, len(sum.Files))
	}
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("files appeared in or vanished from the evidence folder")
	} else {
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed", k)
			}
		}
	}
}

func TestStrictAnalyzeWritesNothing(t *testing.T) {
	dir := damagedFolder(t)
	out := filepath.Join(t.TempDir(), "report.xlsx")
	code, _, errOut := runCLI(t, "analyze", "--quiet", "--strict", dir, "-o", out)
	if code != exitRejected || !strings.Contains(errOut, "--strict") {
		t.Errorf("code %d stderr %q", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a report was written despite --strict: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Errorf("leftovers beside the output: %v", entries)
	}
}
