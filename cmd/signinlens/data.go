package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/signinlens/signinlens/internal/words"
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
	fs.IntVar(&d.threads, "threads", 0, "worker threads: files and blocks parsed at once, and DuckDB's threads for queries (default: number of CPUs)")
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
		if err := checkStrict(d.strict, sum); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	// A database of audit or provisioning events alone is analyzed too (the report says
	// that sign-ins are missing).
	n, err := db.Events(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("count events: %w", err)
	}
	if n == 0 {
		db.Close()
		return nil, sum, store.ErrNoRecords
	}
	return db, sum, nil
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
	bar := newProgress(e, quiet)
	sum, err := db.Load(ctx, inputs, store.LoadOptions{ProgressRecords: bar.load})
	bar.done()
	if err != nil {
		return nil, err
	}
	if !quiet {
		for _, f := range sum.Files {
			if f.Error != "" {
				warnf(e, "%s", f.Error)
			} else if f.Rejected > 0 {
				warnf(e, "%s", rejectedWarning(f))
			}
		}
		if sum.OrphanAuthSteps > 0 {
			warnf(e, "%d authentication-detail rows have no matching sign-in (request id not loaded)", sum.OrphanAuthSteps)
		}
	}
	return sum, nil
}

// checkStrict is --strict: an error exiting 5 when the load rejected any record.
func checkStrict(strict bool, sum *store.Summary) error {
	if !strict || sum.Totals.Rejected == 0 {
		return nil
	}
	return exitError{code: exitRejected, err: fmt.Errorf("%s rejected and --strict is set", words.Plural(sum.Totals.Rejected, "record", "records"))}
}

// rejectedWarning says how many records of a file were rejected, and where the first is.
func rejectedWarning(f *store.FileResult) string {
	n := words.Plural(f.Rejected, "record", "records")
	if len(f.Problems) == 0 {
		return fmt.Sprintf("%s: %s rejected; see the load_problems table", f.Path, n)
	}
	p := f.Problems[0]
	return fmt.Sprintf("%s rejected, the first at %s: %s", n, analyze.ProblemPlace(f, p), p.Reason)
}
