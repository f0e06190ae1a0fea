package store

// The parse side of a load: files parsed in parallel, read ahead of the writer, their
// records cut into batches that reach the writer in input order.

import (
	"context"
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"

	"github.com/signinlens/signinlens/internal/loaders"
)

// aheadBytes bounds the input read but not yet written (the sum of the sizes of the files
// between the parsers and the writer; a larger file still goes alone). While DuckDB
// compresses a finished row group the writer stops for a second or more; a window of
// small files lets the parsers go on meanwhile, where a window of a few files left a CPU
// idle. A waiting file holds at most the batches its channel buffers (4 × batchSize rows).
const aheadBytes int64 = 64 << 20

// window counts the bytes of files read ahead of the writer.
type window struct {
	mu     sync.Mutex
	cond   sync.Cond
	used   int64
	closed bool
}

// acquire waits until n more bytes fit (or none are in use); false once closed.
func (w *window) acquire(n int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for !w.closed && w.used > 0 && w.used+n > aheadBytes {
		w.cond.Wait()
	}
	if w.closed {
		return false
	}
	w.used += n
	return true
}

func (w *window) release(n int64) {
	w.mu.Lock()
	w.used -= n
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (w *window) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cond.Broadcast()
}

// batch is a slice of work from one file, in file order.
type batch struct {
	rows     []row
	audits   []auditRow
	provs    []provRow
	steps    []loaders.AuthStep
	problems []loaders.Problem
	bytes    int64 // bytes of the file read when the batch was cut, for progress
}

// row is a Record copied out of the loader's reused buffer.
type row struct {
	r     loaders.Record
	extra []byte    // JSON text of the fields without a column; nil when none
	key   [2]uint64 // de-duplication key, computed by the parser
	hash  uint64    // content hash (contentHash), computed by the parser
	ca    []loaders.CAPolicy
	steps []loaders.AuthStep
}

const batchSize = 2048

// rowSlices recycles batch slices from the writer back to the parsers. A row is 1.4 KB;
// growing a fresh slice to batchSize for every batch allocated (and cleared) about 5 KB
// per sign-in, a third of all the allocation of a load.
var rowSlices sync.Pool

// getRows returns an empty slice for a batch, from the pool when it has one.
func getRows() []row {
	if p, ok := rowSlices.Get().(*[]row); ok {
		return (*p)[:0]
	}
	return nil
}

// putRows takes back a batch's rows once written; their contents are dropped.
func putRows(rows []row) {
	if cap(rows) == 0 {
		return
	}
	clear(rows)
	rowSlices.Put(&rows)
}

// fileSink collects one file's output into batches for the writer.
type fileSink struct {
	read     *atomic.Int64 // bytes of the file read so far
	seeds    [2]maphash.Seed
	out      chan<- batch
	done     <-chan struct{} // closed when the load stops early: batches are dropped
	cur      batch
	skipped  map[string]int64
	rejected int64
	hashBuf  []byte // reused by contentHash
}

func (s *fileSink) flush() {
	if len(s.cur.rows)+len(s.cur.audits)+len(s.cur.provs)+len(s.cur.steps)+len(s.cur.problems) > 0 {
		if s.read != nil {
			s.cur.bytes = s.read.Load()
		}
		select {
		case s.out <- s.cur:
		case <-s.done:
		}
		s.cur = batch{}
	}
}

func (s *fileSink) Record(r *loaders.Record) error {
	if s.cur.rows == nil {
		s.cur.rows = getRows()
	}
	rw := row{r: *r, key: signinKey(s.seeds, r)}
	if e := r.Extra(); e != "" {
		rw.extra = []byte(e) // the chunk appender makes it valid UTF-8
	}
	rw.r.CAPolicies, rw.r.AuthSteps, rw.r.EventTypes = nil, nil, nil
	if len(r.CAPolicies) > 0 {
		rw.ca = append([]loaders.CAPolicy(nil), r.CAPolicies...)
	}
	if len(r.AuthSteps) > 0 {
		rw.steps = append([]loaders.AuthStep(nil), r.AuthSteps...)
	}
	rw.hash, s.hashBuf = contentHash(s.hashBuf, r)
	s.cur.rows = append(s.cur.rows, rw)
	if len(s.cur.rows) >= batchSize {
		s.flush()
	}
	return nil
}

// AuthStep takes one row of a separate authentication-details file.
func (s *fileSink) AuthStep(st *loaders.AuthStep) error {
	s.cur.steps = append(s.cur.steps, *st)
	if len(s.cur.steps) >= batchSize {
		s.flush()
	}
	return nil
}

func (s *fileSink) Skip(category string) {
	if s.skipped == nil {
		s.skipped = map[string]int64{}
	}
	s.skipped[category]++
}

func (s *fileSink) Reject(p loaders.Problem) {
	s.rejected++
	s.cur.problems = append(s.cur.problems, p)
	if len(s.cur.problems) >= batchSize {
		s.flush()
	}
}

// fileJob is one input being parsed.
type fileJob struct {
	in       loaders.Input
	seeds    [2]maphash.Seed // the writer's, for de-duplication keys
	batches  chan batch
	info     *loaders.Info
	err      error
	skipped  map[string]int64
	rejected int64
}

func parse(ctx context.Context, j *fileJob, opt loaders.ReadOptions) {
	defer close(j.batches)
	// Count the bytes read, so that the progress of a large file moves as it is parsed.
	var read atomic.Int64
	in := j.in
	open := in.Open
	in.Open = func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		return &countedFile{ReadCloser: rc, n: &read, ctx: ctx}, nil
	}
	s := &fileSink{read: &read, seeds: j.seeds, out: j.batches, done: ctx.Done()}
	info, err := loaders.ReadWith(in, s, opt)
	s.flush()
	j.info, j.err, j.skipped, j.rejected = info, err, s.skipped, s.rejected
}

// countedFile counts the bytes read from an input, and stops reading when the load stops.
type countedFile struct {
	io.ReadCloser
	n   *atomic.Int64
	ctx context.Context
}

func (c *countedFile) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}
