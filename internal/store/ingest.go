package store

// Load, the entry point of ingestion: parsers (pipeline.go) feed one writer (writer.go).

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/signinlens/signinlens/internal/loaders"
)

// LoadOptions tune a load.
type LoadOptions struct {
	// Workers bounds the parsing: at most Workers files are parsed at once, a large JSON
	// file by at most Workers goroutines, and at most Workers blocks of such files at once
	// across the load. 1 parses with one goroutine. Default: the database's Threads.
	Workers  int
	Progress func(doneBytes, totalBytes int64) // called now and then from the writer
	// ProgressRecords is Progress with the number of records read so far (for a rate).
	ProgressRecords func(doneBytes, totalBytes, records int64)
	OnFile          func(r *FileResult) // called when a file is complete
	// Parse is how each file is read. Its Workers and Slots are set from Workers above
	// when left zero; tests set BlockSize and the Parsing hook.
	Parse loaders.ReadOptions
	// FlushRows bounds the rows the appenders hold before they hand them to DuckDB;
	// default flushEvery. CommitRows bounds the rows of one transaction; default
	// commitEvery. Tests make them small to exercise chunked commits.
	FlushRows, CommitRows int
}

// loadMemoryLimit is DuckDB's memory limit during Load when none was asked for. The parsers
// hold up to ~450 MB of Go heap beside it at 1M sign-ins (batches in flight, the
// de-duplication set); 1 GB made analyze of 1M sign-ins peak at 1.61-1.64 GB, 768 MB at
// 1.37-1.41 GB in the same time (an in-memory database spills past either).
const loadMemoryLimit = "768MB"

// Load reads inputs into the database. Files are parsed in parallel and written in input
// order, so the result (and which copy of a duplicate is kept) does not depend on timing.
// A file that cannot be read is reported in its FileResult; only database failures abort.
func (d *DB) Load(ctx context.Context, inputs []loaders.Input, opt LoadOptions) (*Summary, error) {
	if opt.Workers <= 0 {
		opt.Workers = d.threads
	}
	// DuckDB's share of a load (appending and compressing row groups) runs on the writer's
	// thread; with more threads its other workers only spin waiting for that work and take
	// CPU from the parsers (a 130k-sign-in folder: 10.9 s of CPU with 2 threads, 9.0 s with
	// one). Queries after the load get the threads back.
	restore, err := d.EngineThreads(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer restore()
	if d.memoryLimit == "" {
		// A load streams: a larger buffer pool only caches written blocks (DuckDB's default,
		// 80% of RAM, took 4.9 GB for 1M sign-ins at no gain in speed). Queries afterwards
		// get the default back. An explicit --memory-limit is left as given.
		if _, err := d.SQL.ExecContext(ctx, "SET memory_limit='"+loadMemoryLimit+"'"); err != nil {
			return nil, fmt.Errorf("set load memory limit: %w", err)
		}
		defer d.SQL.ExecContext(context.Background(), "RESET memory_limit")
	}
	w, err := d.newWriter(ctx)
	if err != nil {
		return nil, err
	}
	defer w.close()
	w.flushRows, w.commitRows = opt.FlushRows, opt.CommitRows
	if w.flushRows <= 0 {
		w.flushRows = flushEvery
	}
	if w.commitRows <= 0 {
		w.commitRows = commitEvery
	}
	read := opt.Parse
	if read.Workers <= 0 {
		read.Workers = opt.Workers
	}
	if read.Slots == nil && read.Workers > 1 {
		read.Slots = make(chan struct{}, opt.Workers)
	}

	jobs := make([]*fileJob, len(inputs))
	for i, in := range inputs {
		jobs[i] = &fileJob{in: in, seeds: [2]maphash.Seed{w.seed1, w.seed2}, batches: make(chan batch, 4)}
	}
	var totalBytes int64
	for _, in := range inputs {
		totalBytes += in.Size
	}
	// Parse Workers files at once, up to aheadBytes ahead of the writer.
	ahead := &window{}
	ahead.cond.L = &ahead.mu
	parsing := make(chan struct{}, opt.Workers)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// On the way out (early on an error): stop the launcher and the parsers, and wait.
	defer func() {
		cancel()
		ahead.close()
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, j := range jobs {
			if !ahead.acquire(j.in.Size) {
				return
			}
			select {
			case parsing <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func(j *fileJob) {
				defer wg.Done()
				parse(ctx, j, read)
				<-parsing
			}(j)
		}
	}()

	sum := &Summary{}
	report := func(done int64) {
		if opt.Progress != nil {
			opt.Progress(done, totalBytes)
		}
		if opt.ProgressRecords != nil {
			opt.ProgressRecords(done, totalBytes, w.records)
		}
	}
	var doneBytes int64
	for _, j := range jobs {
		fr, err := w.file(ctx, j, func(n int64) { report(doneBytes + n) })
		ahead.release(j.in.Size)
		if err != nil {
			return nil, err
		}
		doneBytes += j.in.Size
		report(doneBytes)
		sum.Files = append(sum.Files, fr)
		if opt.OnFile != nil {
			opt.OnFile(fr)
		}
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	orphans, err := linkAuthSteps(ctx, w.conn)
	if err != nil {
		return nil, err
	}
	if err := w.commit(ctx); err != nil {
		return nil, err
	}
	sum.OrphanAuthSteps = orphans
	sum.total()
	return sum, nil
}

// linkAuthSteps attaches rows of separate auth-detail files to their sign-ins by request
// id, and returns how many still have none.
func linkAuthSteps(ctx context.Context, conn *sql.Conn) (int64, error) {
	_, err := conn.ExecContext(ctx, `UPDATE signin_auth_steps AS a SET signin_key = s.signin_key, log_type = s.log_type
		FROM signins AS s
		WHERE a.signin_key IS NULL AND s.id = a.request_id AND (a.log_type IS NULL OR a.log_type = s.log_type)`)
	if err != nil {
		return 0, fmt.Errorf("link auth details to sign-ins: %w", err)
	}
	return countOrphanSteps(ctx, conn)
}
