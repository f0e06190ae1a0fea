// Command analyzeprof runs what `signinlens analyze PATH -o REPORT` runs (a temporary
// database, the load, every query and detection, the report) and says where the time went:
// one line per phase, wall time, the process's CPU time and its peak resident set so far,
// then each catalogue entry alone. With -cpuprofile it writes a Go CPU profile of the whole run (DuckDB's C++
// shows as cgo calls; use perf for inside DuckDB), with -explain the plan with timings
// (EXPLAIN ANALYZE) of the named catalogue entries.
//
//	analyzeprof -o /tmp/report.xlsx -cpuprofile /tmp/cpu.pprof exports/
//	analyzeprof -o /tmp/report.xlsx -explain auth-methods,who-how-what exports/
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/report"
	"github.com/signinlens/signinlens/internal/store"
)

func main() {
	out := flag.String("o", "", "report file (the extension picks the format)")
	db := flag.String("db", "", "database file (default: a temporary in-memory database, as analyze without --db)")
	threads := flag.Int("threads", 0, "DuckDB threads and parse workers (default: CPUs)")
	memory := flag.String("memory-limit", "", "DuckDB memory limit")
	cpuprofile := flag.String("cpuprofile", "", "write a Go CPU profile to this file")
	explain := flag.String("explain", "", "comma-separated catalogue ids to EXPLAIN ANALYZE after the run")
	each := flag.Bool("each", true, "after the report, time every query and detection once more, one by one")
	conns := flag.Int("connections", 0, "catalogue entries run at once (default: Build's)")
	only := flag.String("only", "", "with -db and no PATH: time these comma-separated catalogue ids on the loaded database, best of -repeat runs (and -explain them)")
	repeat := flag.Int("repeat", 3, "runs of each -only entry")
	flag.Parse()
	if *only != "" && *db != "" && flag.NArg() == 0 {
		if err := timeOnly(*db, *threads, *memory, strings.Split(*only, ","), *repeat, *explain); err != nil {
			fmt.Fprintln(os.Stderr, "analyzeprof: error:", err)
			os.Exit(1)
		}
		return
	}
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: analyzeprof -o REPORT [-cpuprofile FILE] [-explain IDS] PATH...\n       analyzeprof -db FILE -only IDS [-repeat N]")
		os.Exit(2)
	}
	if err := run(*out, *db, *threads, *conns, *memory, *cpuprofile, *explain, *each, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "analyzeprof: error:", err)
		os.Exit(1)
	}
}

// clock prints each phase as it ends: wall and CPU seconds since the previous mark.
type clock struct {
	start, last time.Time
	cpu         float64
}

// peakMB is the process's peak resident set so far (Linux reports kilobytes).
func peakMB() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return int64(ru.Maxrss) / 1024
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func (c *clock) mark(what string) {
	now, cpu := time.Now(), cpuSeconds()
	fmt.Printf("%-34s %7.3f s wall %7.3f s cpu   (at %6.2f s, peak %d MB)\n", what, now.Sub(c.last).Seconds(), cpu-c.cpu, now.Sub(c.start).Seconds(), peakMB())
	c.last, c.cpu = now, cpu
}

func run(out, dbPath string, threads, conns int, memory, cpuprofile, explain string, each bool, paths []string) error {
	ctx := context.Background()
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	c := &clock{start: time.Now(), last: time.Now(), cpu: cpuSeconds()}
	inputs, err := loaders.Inputs(paths)
	if err != nil {
		return err
	}
	db, err := store.Open(dbPath, store.Options{Threads: threads, MemoryLimit: memory})
	if err != nil {
		return err
	}
	defer db.Close()
	c.mark("open")
	sum, err := db.Load(ctx, inputs, store.LoadOptions{})
	if err != nil {
		return err
	}
	c.mark("load")
	started := false
	rep, err := analyze.Build(ctx, db, sum, queries.Params{}, analyze.ReportOptions{
		Connections: conns,
		Progress: func(done, total int, what string) {
			switch {
			case !started:
				started = true
				c.mark("build: prepare, overview, sources")
			case what == "" && done == total:
				c.mark("build: catalogue")
			}
		},
	})
	if err != nil {
		return err
	}
	c.mark("build: evidence, answers, warnings")
	if err := report.WriteFile(ctx, out, rep); err != nil {
		return err
	}
	c.mark("write " + out)
	fmt.Printf("%-34s %7.3f s wall\n", "total", time.Since(c.start).Seconds())
	if each {
		if err := timeEach(ctx, db, rep.Meta.AsOf); err != nil {
			return err
		}
	}
	if explain != "" {
		return explainAnalyze(ctx, db, rep.Meta.AsOf, strings.Split(explain, ","))
	}
	return nil
}

// timeEach runs every catalogue entry again, one at a time, and lists them slowest first.
func timeEach(ctx context.Context, db *store.DB, asOf time.Time) error {
	all, err := queries.All()
	if err != nil {
		return err
	}
	// Build left db.SQL with the macros and the findings tables; the detections also join the
	// reference and (empty) intel tables.
	if err := queries.PrepareCatalogue(ctx, db.SQL, nil); err != nil {
		return err
	}
	type timing struct {
		id, kind string
		wall     time.Duration
		rows     int
	}
	var ts []timing
	start, cpu := time.Now(), cpuSeconds()
	for _, q := range all {
		if _, err := queries.CheckAvailability(ctx, db.SQL, q); err != nil {
			return err
		}
	}
	fmt.Printf("\navailability checks of all %d entries: %.1f ms wall, %.1f ms cpu\n", len(all), float64(time.Since(start).Microseconds())/1000, (cpuSeconds()-cpu)*1000)
	for _, q := range all {
		start := time.Now()
		t, _, err := queries.Run(ctx, db.SQL, q, queries.Params{}, asOf)
		if err != nil {
			return err
		}
		ts = append(ts, timing{q.ID, q.Kind, time.Since(start), len(t.Rows)})
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].wall > ts[j].wall })
	var total time.Duration
	fmt.Println("\neach catalogue entry alone (second run, warm):")
	for _, t := range ts {
		total += t.wall
		fmt.Printf("  %-32s %-9s %7.1f ms %7d rows\n", t.id, t.kind, float64(t.wall.Microseconds())/1000, t.rows)
	}
	fmt.Printf("  %-32s %-9s %7.1f ms\n", "sum", "", float64(total.Microseconds())/1000)
	return nil
}

// timeOnly runs the named catalogue entries on a loaded database, each repeat times, and
// prints the fastest run of each: for before/after figures of one query's SQL.
func timeOnly(dbPath string, threads int, memory string, ids []string, repeat int, explain string) error {
	ctx := context.Background()
	db, err := store.Open(dbPath, store.Options{Threads: threads, MemoryLimit: memory})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := queries.PrepareCatalogue(ctx, db.SQL, nil); err != nil {
		return err
	}
	var asOf time.Time
	if err := db.SQL.QueryRowContext(ctx, "SELECT max(created_at) FROM signins").Scan(&asOf); err != nil {
		return err
	}
	for _, id := range ids {
		q, ok := queries.Get(strings.TrimSpace(id))
		if !ok {
			return fmt.Errorf("no catalogue entry %q", id)
		}
		best, rows := time.Duration(0), 0
		for i := 0; i < repeat; i++ {
			start := time.Now()
			t, _, err := queries.Run(ctx, db.SQL, q, queries.Params{}, asOf)
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
			rows = len(t.Rows)
		}
		fmt.Printf("  %-32s %7.1f ms %7d rows\n", q.ID, float64(best.Microseconds())/1000, rows)
	}
	if explain != "" {
		return explainAnalyze(ctx, db, asOf, strings.Split(explain, ","))
	}
	return nil
}

// explainAnalyze prints DuckDB's plan with per-operator timings for each id.
func explainAnalyze(ctx context.Context, db *store.DB, asOf time.Time, ids []string) error {
	for _, id := range ids {
		q, ok := queries.Get(strings.TrimSpace(id))
		if !ok {
			return fmt.Errorf("no catalogue entry %q", id)
		}
		_, args, err := queries.Bind(q, queries.Params{}, asOf)
		if err != nil {
			return err
		}
		rows, err := db.SQL.QueryContext(ctx, "EXPLAIN ANALYZE "+q.SQL, args...)
		if err != nil {
			return fmt.Errorf("explain %s: %w", id, err)
		}
		fmt.Printf("\n== EXPLAIN ANALYZE %s\n", id)
		for rows.Next() {
			var kind, plan string
			if err := rows.Scan(&kind, &plan); err != nil {
				rows.Close()
				return err
			}
			fmt.Println(plan)
		}
		rows.Close()
	}
	return nil
}
