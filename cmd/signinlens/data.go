package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/signinlens/signinlens/loaders"
	"github.com/signinlens/signinlens/store"
	"github.com/spf13/pflag"
)

// dataFlags are the flags of every command that reads sign-ins: a database, input paths,
// or both (paths are then loaded into the database first).
type dataFlags struct {
	db          string
	threads     int
	memoryLimit string
	quiet       bool
	strict      bool
}

func (d *dataFlags) add(fs *pflag.FlagSet, dbDefault string) {
	fs.StringVar(&d.db, "db", dbDefault, "DuckDB database `file` to use (created if missing)")
	fs.IntVar(&d.threads, "threads", 0, "worker threads: files parsed at once and DuckDB's threads for queries (default: number of CPUs)")
	fs.StringVar(&d.memoryLimit, "memory-limit", "", "DuckDB memory `limit` such as 4GB; larger work spills to a temporary folder")
	fs.BoolVar(&d.quiet, "quiet", false, "no progress bar and no load summary on stderr")
	fs.BoolVar(&d.strict, "strict", false, "fail (exit 5) when any record is rejected")
}

func (d *dataFlags) options() store.Options {
	return store.Options{Threads: d.threads, MemoryLimit: d.memoryLimit}
}

// openData opens the database named by --db, loads paths into it (a temporary database
// when --db is not given), and checks that it holds sign-ins.
func openData(ctx context.Context, e *env, d *dataFlags, paths []string) (*store.DB, *store.Summary, error) {
	if d.db == "" && len(paths) == 0 {
		return nil, nil, usageError{msg: "no input: give export files or folders, or --db FILE", try: "signinlens query app-users exports/"}
	}
	inputs, err := listInputs(paths, d.db)
	if err != nil {
		return nil, nil, err
	}
	if d.db != "" && len(paths) == 0 {
		if _, err := os.Stat(d.db); err != nil {
			return nil, nil, fmt.Errorf("database %s does not exist; create it with 'signinlens load --db %s EXPORTS...'", d.db, d.db)
		}
	}
	if err := checkDatabaseFile(d.db); err != nil {
		return nil, nil, err
	}
	db, err := store.Open(d.db, d.options())
	if err != nil {
		return nil, nil, err
	}
	var sum *store.Summary
	if len(inputs) > 0 {
		sum, err = loadInputs(ctx, e, db, inputs, d.quiet)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		if d.strict && sum.Totals.Rejected > 0 {
			db.Close()
			return nil, nil, exitError{code: exitRejected, err: fmt.Errorf("%d records rejected and --strict is set; see the load summary", sum.Totals.Rejected)}
		}
	}
	n, err := db.Count(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("count sign-ins: %w", err)
	}
	if n == 0 {
		db.Close()
		return nil, sum, store.ErrNoRecords
	}
	return db, sum, nil
}

// listInputs expands paths and refuses to read the database itself as an input.
func listInputs(paths []string, dbPath string) ([]loaders.Input, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	inputs, err := loaders.Inputs(paths)
	if err != nil {
		return nil, err
	}
	if dbPath != "" {
		abs := store.AbsPath(dbPath)
		for _, in := range inputs {
			if store.AbsPath(in.Path) == abs {
				return nil, usageError{msg: fmt.Sprintf("--db %s is also an input; the database must be a separate file", dbPath), try: "signinlens load --db case.duckdb exports/"}
			}
		}
	}
	return inputs, nil
}

// checkDatabaseFile refuses to open an existing file that is not a DuckDB database: opening
// it would overwrite what may be evidence.
func checkDatabaseFile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("database %w", err)
	}
	defer f.Close()
	head := make([]byte, 12)
	n, _ := io.ReadFull(f, head)
	if n == 0 {
		return nil
	}
	if n < 12 || string(head[8:12]) != "DUCK" {
		return fmt.Errorf("%s exists and is not a DuckDB database; refusing to overwrite it (choose another --db)", path)
	}
	return nil
}

// loadInputs loads with a progress bar on a terminal, then prints warnings for rejected
// records and unreadable files.
func loadInputs(ctx context.Context, e *env, db *store.DB, inputs []loaders.Input, quiet bool) (*store.Summary, error) {
	bar := newProgress(e, "loading", quiet)
	sum, err := db.Load(ctx, inputs, store.LoadOptions{ProgressRecords: bar.update})
	bar.done()
	if err != nil {
		return nil, err
	}
	if !quiet {
		for _, f := range sum.Files {
			if f.Error != "" {
				warnf(e, "%s", f.Error)
			} else if f.Rejected > 0 {
				warnf(e, "%s: %d records rejected (first: %s)", f.Path, f.Rejected, firstProblem(f))
			}
		}
		if sum.OrphanAuthSteps > 0 {
			warnf(e, "%d authentication-detail rows have no matching sign-in (request id not loaded)", sum.OrphanAuthSteps)
		}
	}
	return sum, nil
}

func firstProblem(f *store.FileResult) string {
	if len(f.Problems) == 0 {
		return "see load_problems"
	}
	p := f.Problems[0]
	where := ""
	if p.Line > 0 {
		where = fmt.Sprintf("line %d: ", p.Line)
	} else if p.Record > 0 {
		where = fmt.Sprintf("record %d: ", p.Record)
	}
	return where + p.Reason
}

// progress draws a one-line bar on stderr when stderr is a terminal.
type progress struct {
	e       *env
	label   string
	on      bool
	start   time.Time
	last    time.Time
	printed bool
}

func newProgress(e *env, label string, quiet bool) *progress {
	return &progress{e: e, label: label, on: !quiet && isTerminal(e.stderr), start: time.Now()}
}

func (p *progress) update(done, total, records int64) {
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.e.stderr, "\r%-100s", progressLine(p.label, done, total, records, time.Since(p.start)))
	p.printed = true
}

// progressLine is one frame of the bar: share of the bytes, bytes per second, records per
// second and the time left at the rate so far, e.g.
// "loading [========            ]  41% 1.6 GiB / 4.0 GiB 38.2 MiB/s  402k rec 9.8k/s  ETA 1m3s".
func progressLine(label string, done, total, records int64, elapsed time.Duration) string {
	secs := max(elapsed.Seconds(), 0.001)
	rate := float64(done) / secs
	var b strings.Builder
	b.WriteString(label)
	if total > 0 {
		frac := min(float64(done)/float64(total), 1)
		const width = 20
		filled := int(frac * width)
		fmt.Fprintf(&b, " [%s%s] %3.0f%%", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), frac*100)
	}
	fmt.Fprintf(&b, " %s / %s %s/s", human(done), human(total), human(int64(rate)))
	if records > 0 {
		fmt.Fprintf(&b, "  %s rec %s/s", count(float64(records)), count(float64(records)/secs))
	}
	if total > 0 && rate > 0 && done < total {
		b.WriteString("  ETA " + (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String())
	}
	return b.String()
}

// count writes a number shortly: 950, 12.3k, 4.1M.
func count(n float64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", n/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.0fk", n/1e3)
	case n >= 1e3:
		return fmt.Sprintf("%.1fk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}

func (p *progress) done() {
	if p.printed {
		fmt.Fprintf(p.e.stderr, "\r%-100s\r", "")
	}
}

func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
