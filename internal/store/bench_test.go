package store

// Benchmarks of ingestion against DuckDB's own readers over the same files, in the same run.
// They only run with -bench; the data is generated with the gen package (set
// SIGNINLENS_BENCH_EVENTS to change the size, default 20,000 sign-ins). For whole-export
// figures with peak memory, use bench/run.sh.
//
//	go test ./internal/store -run '^$' -bench LoadVsScan -count 3
//	go test ./internal/store -run '^$' -bench 'Load/diagnostic' -cpuprofile cpu.out

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
	"github.com/signinlens/signinlens/internal/loaders"
)

// benchFormats are the export shapes measured, with the DuckDB reader that is their limit.
var benchFormats = []struct {
	format string // gen format
	glob   string // files under the generated folder
	scan   string // DuckDB reader of the same files; %s is the quoted glob
}{
	{"diagnostic", "**/*.json", "read_ndjson_objects(%s)"},
	{"graph", "*.json", "read_json_objects(%s, format='auto')"},
	{"admin-json", "*.json", "read_json_objects(%s, format='array')"},
	{"admin-csv", "*.csv", "read_csv(%s, all_varchar=true, union_by_name=true)"},
}

func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("SIGNINLENS_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// benchData generates an export of the given format into a temporary folder. With b.Loop
// the benchmark body runs once, so this happens once per benchmark (about 1 s per 100k).
func benchData(b *testing.B, format string) string {
	b.Helper()
	dir := b.TempDir()
	if _, err := gen.Write(dir, format, gen.Config{Seed: 1, Events: benchEvents(), Days: 14, Scenarios: true, Audits: -1, Provisioning: -1}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchInputs lists the inputs under path and their total size.
func benchInputs(tb testing.TB, path string) ([]loaders.Input, int64) {
	tb.Helper()
	in, err := loaders.Inputs([]string{path})
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, i := range in {
		n += i.Size
	}
	return in, n
}

// loadOnce loads dir into a fresh database file and returns the time taken.
func loadOnce(b *testing.B, dir string) time.Duration {
	b.Helper()
	in, _ := benchInputs(b, dir)
	db, err := Open(filepath.Join(b.TempDir(), "bench.duckdb"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	sum, err := db.Load(context.Background(), in, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	if sum.Totals.Loaded == 0 {
		b.Fatal("nothing loaded")
	}
	return d
}

// scanOnce runs DuckDB's reader over the same files into a table, and returns the time.
func scanOnce(b *testing.B, dir, glob, reader string) time.Duration {
	b.Helper()
	db, err := Open(filepath.Join(b.TempDir(), "scan.duckdb"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	pattern := "'" + filepath.Join(dir, glob) + "'"
	start := time.Now()
	if _, err := db.SQL.Exec("CREATE TABLE t AS SELECT * FROM " + fmt.Sprintf(reader, pattern)); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkLoad measures store.DB.Load per export format (MB/s of input).
func BenchmarkLoad(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.format, func(b *testing.B) {
			dir := benchData(b, f.format)
			_, size := benchInputs(b, dir)
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				loadOnce(b, dir)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(benchEvents()), "ns/signin")
		})
	}
}

// BenchmarkRawScan measures DuckDB's own reader over the same files (MB/s of input).
func BenchmarkRawScan(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.format, func(b *testing.B) {
			dir := benchData(b, f.format)
			_, size := benchInputs(b, dir)
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				scanOnce(b, dir, f.glob, f.scan)
			}
		})
	}
}

// BenchmarkLoadVsScan alternates a load and a raw scan of the same files and reports
// their ratio (load time / scan time), so machine noise hits both sides alike.
func BenchmarkLoadVsScan(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.format, func(b *testing.B) {
			dir := benchData(b, f.format)
			var load, scan time.Duration
			b.ResetTimer()
			for b.Loop() {
				load += loadOnce(b, dir)
				scan += scanOnce(b, dir, f.glob, f.scan)
			}
			b.ReportMetric(load.Seconds()/float64(b.N), "load-s")
			b.ReportMetric(scan.Seconds()/float64(b.N), "scan-s")
			b.ReportMetric(load.Seconds()/scan.Seconds(), "load/scan")
		})
	}
}

// --threads and --memory-limit reach DuckDB, and work beyond the limit spills to the
// temporary folder instead of failing (the folder is never the current directory, which
// may hold evidence, and is removed on Close).
func TestThreadsMemoryLimitAndSpill(t *testing.T) {
	spill := filepath.Join(t.TempDir(), "spill")
	if err := os.Mkdir(spill, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := Open("", Options{Threads: 1, MemoryLimit: "40MB", TempDir: spill})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// DuckDB shows the limit in its own units: compare with what it makes of the same text.
	ref, err := Open("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wantLimit string
	ref.SQL.Exec("SET memory_limit='40MB'")
	ref.SQL.QueryRow("SELECT current_setting('memory_limit')").Scan(&wantLimit)
	ref.Close()
	for name, want := range map[string]string{
		"threads":                      "1",
		"memory_limit":                 wantLimit,
		"temp_directory":               spill,
		"autoinstall_known_extensions": "false",
		"autoload_known_extensions":    "false",
	} {
		if got, err := db.Setting(ctx, name); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
	// About 130 MB of rows sorted under a 40 MB limit: only possible by spilling.
	var n int64
	err = db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT i, repeat('x', 120) || i::VARCHAR AS s
		FROM range(1000000) t(i) ORDER BY s DESC OFFSET 1)`).Scan(&n)
	if err != nil || n != 999999 {
		t.Fatalf("sort beyond the memory limit: %d rows, %v", n, err)
	}

	// The default spill folder is a fresh one under the system temp dir, removed on Close.
	d2, err := Open("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tmp, _ := d2.Setting(ctx, "temp_directory")
	if !strings.HasPrefix(tmp, os.TempDir()) || !strings.Contains(filepath.Base(tmp), "signinlens-spill-") {
		t.Errorf("default temp_directory %q: want a signinlens-spill- folder under %s", tmp, os.TempDir())
	}
	d2.Close()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("spill folder %s left after Close: %v", tmp, err)
	}
}

// TestLoadAtScale loads a large generated export (one JSON-lines file; 1M sign-ins, ~4 GB,
// unless SIGNINLENS_BIG_EVENTS says otherwise) and checks the accounting and the peak
// memory of the process against the 2 GB target. Skipped unless SIGNINLENS_BIG=1.
//
//	SIGNINLENS_BIG=1 go test ./internal/store -run AtScale -v -timeout 60m
func TestLoadAtScale(t *testing.T) {
	if os.Getenv("SIGNINLENS_BIG") != "1" {
		t.Skip("set SIGNINLENS_BIG=1 to run (generates and loads ~4 GB)")
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("SIGNINLENS_BIG_EVENTS")); err == nil && v > 0 {
		n = v
	}
	dir := t.TempDir()
	if _, err := gen.Write(filepath.Join(dir, "gen"), "diagnostic", gen.Config{Seed: 1, Events: n, Days: 30, Scenarios: true, Audits: -1, Provisioning: -1}); err != nil {
		t.Fatal(err)
	}
	// One file, the shape of a large Log Analytics or SIEM export.
	big := filepath.Join(dir, "big.json")
	out, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(filepath.Join(dir, "gen"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			defer os.Remove(p)
			_, err = io.Copy(out, in)
			return err
		}
		return err
	})
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(filepath.Join(dir, "big.duckdb"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in, _ := benchInputs(t, big)
	start := time.Now()
	sum, err := db.Load(context.Background(), in, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d sign-ins loaded in %s", sum.Totals.Loaded, time.Since(start).Round(time.Second))
	if sum.Totals.Records != int64(n) || sum.Totals.Loaded != int64(n) {
		t.Errorf("records %d, loaded %d, want %d", sum.Totals.Records, sum.Totals.Loaded, n)
	}
	if got, _ := db.Count(context.Background()); got != int64(n) {
		t.Errorf("signins holds %d rows, want %d", got, n)
	}
	if peak := peakRSS(); peak > 2<<30 {
		t.Errorf("peak RSS %d MB, target 2048 MB", peak>>20)
	} else {
		t.Logf("peak RSS %d MB", peak>>20)
	}
}

// peakRSS is the process's peak resident set (VmHWM), in bytes; 0 where unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Load caps DuckDB's memory while it runs unless a limit was asked for, and restores it.
func TestLoadMemoryLimitRestored(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Write(dir, "diagnostic", gen.Config{Seed: 2, Events: 200, Days: 1, Audits: -1, Provisioning: -1}); err != nil {
		t.Fatal(err)
	}
	in, _ := benchInputs(t, dir)
	for _, limit := range []string{"", "3GB"} {
		db, err := Open("", Options{MemoryLimit: limit})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := db.Setting(context.Background(), "memory_limit")
		if _, err := db.Load(context.Background(), in, LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		if after, _ := db.Setting(context.Background(), "memory_limit"); after != before {
			t.Errorf("limit %q: memory_limit %q before the load, %q after", limit, before, after)
		}
		db.Close()
	}
}

// A load larger than LoadOptions.CommitRows commits in chunks and ends with the same tables as
// a load in one transaction.
func TestLoadCommitsInChunks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := gen.Write(dir, "diagnostic", gen.Config{Seed: 4, Events: 1500, Days: 1, Audits: -1, Provisioning: -1}); err != nil {
		t.Fatal(err)
	}
	in, _ := benchInputs(t, dir)
	counts := func(opt LoadOptions) []string {
		db, err := Open(filepath.Join(t.TempDir(), "c.duckdb"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		sum, err := db.Load(context.Background(), in, opt)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Totals.Loaded != 1500 {
			t.Errorf("loaded %d, want 1500", sum.Totals.Loaded)
		}
		var out []string
		for _, q := range []string{"SELECT count(*) || '/' || count(DISTINCT signin_key) FROM signins",
			"SELECT count(*) || '/' || sum(signin_key) FROM signin_ca_policies",
			"SELECT count(*) || '/' || sum(signin_key) FROM signin_auth_steps",
			"SELECT count(*) || '/' || sum(loaded) FROM sources"} {
			var s string
			if err := db.SQL.QueryRow(q).Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	want := counts(LoadOptions{})
	if got := counts(LoadOptions{CommitRows: 300, FlushRows: 100}); !reflect.DeepEqual(got, want) {
		t.Errorf("chunked commits: %v, one transaction: %v", got, want)
	}
}
