package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/signinlens/signinlens/internal/loaders"
)

// FileResult is the accounting of one input: Records = Loaded + Versions + Duplicates +
// Rejected + Skipped.
type FileResult struct {
	SourceID          int              `json:"-"`
	Path              string           `json:"path"`
	SHA256            string           `json:"sha256"`
	Bytes             int64            `json:"bytes"`
	Format            string           `json:"format"`
	Detection         string           `json:"detection,omitempty"`
	Encoding          string           `json:"encoding,omitempty"`
	LogTypes          map[string]int64 `json:"log_types"`
	Records           int64            `json:"records"`
	Loaded            int64            `json:"loaded"`
	Versions          int64            `json:"versions"` // further, different versions of a sign-in already loaded, merged into it
	Duplicates        int64            `json:"duplicates"`
	Rejected          int64            `json:"rejected"`
	Skipped           int64            `json:"skipped"`
	AuthSteps         int64            `json:"auth_steps,omitempty"`
	SkippedCategories map[string]int64 `json:"skipped_categories,omitempty"`
	Problems          []ProblemJSON    `json:"problems"`
	ProblemsOmitted   int64            `json:"problems_omitted,omitempty"`
	Notes             []string         `json:"notes,omitempty"`
	Unavailable       []string         `json:"unavailable_fields,omitempty"`
	First             *time.Time       `json:"first_event,omitempty"`
	Last              *time.Time       `json:"last_event,omitempty"`
	Error             string           `json:"error,omitempty"`
}

// ProblemJSON is a rejected record as reported.
type ProblemJSON struct {
	Line    int64  `json:"line,omitempty"`
	Record  int64  `json:"record,omitempty"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
	Excerpt string `json:"excerpt,omitempty"`
}

// Totals adds up the files.
type Totals struct {
	Files      int              `json:"files"`
	Records    int64            `json:"records"`
	Loaded     int64            `json:"loaded"`
	Versions   int64            `json:"versions"`
	Duplicates int64            `json:"duplicates"`
	Rejected   int64            `json:"rejected"`
	Skipped    int64            `json:"skipped"`
	ByLogType  map[string]int64 `json:"by_log_type"`
}

// Summary is the result of a load.
type Summary struct {
	Files  []*FileResult `json:"files"`
	Totals Totals        `json:"totals"`
	// OrphanAuthSteps counts auth-detail rows whose sign-in is not in the database.
	OrphanAuthSteps int64 `json:"orphan_auth_steps,omitempty"`
}

// problemsKept bounds the problems kept per file in the summary; all are in load_problems.
const problemsKept = 200

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

// loadMemoryLimit is DuckDB's memory limit during Load when none was asked for.
const loadMemoryLimit = "1GB"

// batch is a slice of work from one file, in file order.
type batch struct {
	rows     []row
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
	if len(s.cur.rows)+len(s.cur.steps)+len(s.cur.problems) > 0 {
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
	if _, err := d.SQL.ExecContext(ctx, "SET threads=1"); err != nil {
		return nil, fmt.Errorf("set load threads: %w", err)
	}
	defer d.SQL.ExecContext(context.Background(), fmt.Sprintf("SET threads=%d", d.threads))
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
	var doneBytes int64
	for _, j := range jobs {
		fr, err := w.file(ctx, j, func(n int64) {
			if opt.Progress != nil {
				opt.Progress(doneBytes+n, totalBytes)
			}
			if opt.ProgressRecords != nil {
				opt.ProgressRecords(doneBytes+n, totalBytes, w.records)
			}
		})
		ahead.release(j.in.Size)
		if err != nil {
			return nil, err
		}
		doneBytes += j.in.Size
		if opt.Progress != nil {
			opt.Progress(doneBytes, totalBytes)
		}
		if opt.ProgressRecords != nil {
			opt.ProgressRecords(doneBytes, totalBytes, w.records)
		}
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

func (s *Summary) total() {
	t := Totals{Files: len(s.Files), ByLogType: map[string]int64{}}
	for _, lt := range loaders.LogTypes() {
		t.ByLogType[lt] = 0
	}
	for _, f := range s.Files {
		t.Records += f.Records
		t.Loaded += f.Loaded
		t.Versions += f.Versions
		t.Duplicates += f.Duplicates
		t.Rejected += f.Rejected
		t.Skipped += f.Skipped
		for k, v := range f.LogTypes {
			t.ByLogType[k] += v
		}
	}
	s.Totals = t
}

// writer owns the appenders and the duplicate set; only the Load goroutine uses it.
type writer struct {
	d         *DB
	conn      *sql.Conn
	signins   *chunkAppender
	ca        *chunkAppender
	steps     *chunkAppender
	problems  *duckdb.Appender
	seen      map[[2]uint64]seenSignin
	versions  versionWriter
	seenSteps map[[2]uint64]struct{}
	seed1     maphash.Seed
	seed2     maphash.Seed
	nextKey   int64
	nextSrc   int
	sources   *duckdb.Appender
	records   int64 // records read from all files so far, for progress
	unflushed int   // rows appended since the last flush
	// uncommitted counts the rows of the open transaction: DuckDB holds some memory per
	// appended row (the primary-key index of the transaction's rows) until the commit.
	uncommitted int
	inTx        bool // a transaction is open on conn
	// flushRows and commitRows are LoadOptions.FlushRows and CommitRows.
	flushRows, commitRows int
}

func (d *DB) newWriter(ctx context.Context) (*writer, error) {
	w := &writer{d: d, seen: map[[2]uint64]seenSignin{}, seenSteps: map[[2]uint64]struct{}{},
		seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed()}
	if err := w.prime(ctx); err != nil {
		return nil, err
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("database connection: %w", err)
	}
	w.conn = conn
	// One transaction for the load (or for each commitEvery rows of a large one): every
	// appender flush and sources row outside one is its own commit, and each commit of a
	// file database syncs the WAL to disk (that was most of the load time for folders of
	// small files). It also makes a load of up to commitEvery rows all or nothing.
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		w.close()
		return nil, fmt.Errorf("begin load: %w", err)
	}
	w.inTx = true
	err = conn.Raw(func(dc any) error {
		var err error
		c := dc.(driver.Conn)
		// The high-volume tables take chunks written in place (chunk.go), on the same
		// connection and so in the same transaction as the other appenders.
		raw, err := rawConn(c)
		if err != nil {
			return err
		}
		if w.signins, err = newChunkAppender(raw, "signins"); err != nil {
			return err
		}
		if w.ca, err = newChunkAppender(raw, "signin_ca_policies"); err != nil {
			return err
		}
		if w.steps, err = newChunkAppender(raw, "signin_auth_steps"); err != nil {
			return err
		}
		if err := w.versions.open(raw); err != nil {
			return err
		}
		if w.sources, err = duckdb.NewAppenderFromConn(c, "", "sources"); err != nil {
			return err
		}
		w.problems, err = duckdb.NewAppenderFromConn(c, "", "load_problems")
		return err
	})
	if err != nil {
		w.close()
		return nil, fmt.Errorf("prepare appenders: %w", err)
	}
	return w, nil
}

// prime loads the keys of what the database already holds, so loading more files later
// de-duplicates against earlier loads too.
func (w *writer) prime(ctx context.Context) error {
	db := w.d.SQL
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(signin_key), 0) + 1 FROM signins").Scan(&w.nextKey); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(source_id), 0) + 1 FROM sources").Scan(&w.nextSrc); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT greatest(?, coalesce(max(version_key), 0) + 1) FROM signin_versions", w.nextKey).Scan(&w.nextKey); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	// One row per version of each sign-in (the sign-in itself when it has one): the sign-in's
	// key, and the version's content hash and ingestion time.
	rows, err := db.QueryContext(ctx, `SELECT coalesce(id, ''), log_type, epoch_ns(created_at), error_code,
		coalesce(user_id, ''), coalesce(app_id, ''), coalesce(ip_address, ''), coalesce(correlation_id, ''),
		coalesce(unique_token_id, ''), coalesce(service_principal_id, ''), s.signin_key,
		coalesce(CASE WHEN v.signin_key IS NULL THEN s.content_hash ELSE v.content_hash END, 0),
		coalesce(epoch_us(CASE WHEN v.signin_key IS NULL THEN s.ingested_at ELSE v.ingested_at END), 0)
		FROM signins s LEFT JOIN signin_versions v USING (signin_key)`)
	if err != nil {
		return fmt.Errorf("read existing sign-ins: %w", err)
	}
	defer rows.Close()
	var r loaders.Record
	for rows.Next() {
		var ns, skey, hash, ing int64
		if err := rows.Scan(&r.S[loaders.ID], &r.LogType, &ns, &r.ErrorCode, &r.S[loaders.UserID], &r.S[loaders.AppID],
			&r.S[loaders.IPAddress], &r.S[loaders.CorrelationID], &r.S[loaders.UniqueTokenID], &r.S[loaders.ServicePrincipalID],
			&skey, &hash, &ing); err != nil {
			return fmt.Errorf("read existing sign-ins: %w", err)
		}
		r.CreatedAt = time.Unix(0, ns).UTC()
		w.remember(w.key(&r), skey, seenVersion{hash: uint64(hash), ing: ing})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read existing sign-ins: %w", err)
	}
	srows, err := db.QueryContext(ctx, `SELECT coalesce(request_id, ''), coalesce(log_type, ''), coalesce(epoch_ns(step_time), 0),
		coalesce(method, ''), coalesce(method_detail, ''), coalesce(succeeded::VARCHAR, ''), coalesce(result_detail, ''),
		coalesce(requirement, ''), coalesce(source_line, 0) FROM signin_auth_steps
		WHERE source_id IN (SELECT source_id FROM sources WHERE format = 'admin-authdetails-csv')`)
	if err != nil {
		return fmt.Errorf("read existing auth steps: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var st loaders.AuthStep
		var ns int64
		var succ string
		if err := srows.Scan(&st.RequestID, &st.LogType, &ns, &st.Method, &st.MethodDetail, &succ, &st.ResultDetail, &st.Requirement, &st.Line); err != nil {
			return fmt.Errorf("read existing auth steps: %w", err)
		}
		if ns != 0 {
			st.Time = time.Unix(0, ns).UTC()
		}
		st.Succeeded, _ = loaders.ParseBool(succ)
		w.seenSteps[w.stepKey(&st)] = struct{}{}
	}
	return srows.Err()
}

// key identifies a sign-in for de-duplication: id, log type, event time and error code;
// records without an id are identified by their other identifying fields as well.
func (w *writer) key(r *loaders.Record) [2]uint64 {
	return signinKey([2]maphash.Seed{w.seed1, w.seed2}, r)
}

// signinKey is writer.key; parsers call it, so the writer only looks the key up.
func signinKey(seeds [2]maphash.Seed, r *loaders.Record) [2]uint64 {
	var h1, h2 maphash.Hash
	h1.SetSeed(seeds[0])
	h2.SetSeed(seeds[1])
	// DuckDB keeps microseconds; compare at that precision so reloads match.
	var nums [16]byte
	binary.LittleEndian.PutUint64(nums[:8], uint64(r.CreatedAt.UnixMicro()))
	binary.LittleEndian.PutUint64(nums[8:], uint64(r.ErrorCode))
	for _, h := range []*maphash.Hash{&h1, &h2} {
		h.WriteString(r.S[loaders.ID])
		h.WriteByte(0)
		h.WriteString(r.LogType)
		h.WriteByte(0)
		h.Write(nums[:])
		if r.S[loaders.ID] == "" {
			for _, f := range []loaders.Str{loaders.UserID, loaders.AppID, loaders.IPAddress, loaders.CorrelationID, loaders.UniqueTokenID, loaders.ServicePrincipalID} {
				h.WriteByte(0)
				h.WriteString(r.S[f])
			}
		}
	}
	return [2]uint64{h1.Sum64(), h2.Sum64()}
}

func (w *writer) stepKey(st *loaders.AuthStep) [2]uint64 {
	var h1, h2 maphash.Hash
	h1.SetSeed(w.seed1)
	h2.SetSeed(w.seed2)
	for _, h := range []*maphash.Hash{&h1, &h2} {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%s\x00%d\x00%s\x00%s\x00%d", st.RequestID, st.LogType, st.Time.UnixMicro(),
			st.Method, st.MethodDetail, st.Succeeded, st.ResultDetail, st.Requirement, st.Line)
	}
	return [2]uint64{h1.Sum64(), h2.Sum64()}
}

// file writes one parsed file's batches and its sources row.
func (w *writer) file(ctx context.Context, j *fileJob, progress func(int64)) (*FileResult, error) {
	fr := &FileResult{SourceID: w.nextSrc, Path: j.in.Path, LogTypes: map[string]int64{}, Problems: []ProblemJSON{}}
	w.nextSrc++
	var first, last time.Time
	stepIndex := map[string]int{}
	for {
		var b batch
		var more bool
		select {
		case b, more = <-j.batches:
		case <-ctx.Done(): // the file may never have been started
			return nil, ctx.Err()
		}
		if !more {
			break
		}
		w.records += int64(len(b.rows) + len(b.steps) + len(b.problems))
		w.uncommitted += len(b.rows) + len(b.steps)
		if w.unflushed += len(b.rows) + len(b.steps); w.uncommitted >= w.commitRows {
			if err := w.commitAndBegin(ctx); err != nil {
				return nil, err
			}
		} else if w.unflushed >= w.flushRows {
			// An appender buffers rows until flushed, outside DuckDB's memory limit.
			if err := w.flush(); err != nil {
				return nil, err
			}
		}
		for i := range b.rows {
			rw := &b.rows[i]
			fr.Records++
			k := rw.key
			if seen, ok := w.seen[k]; ok {
				if w.isCopy(k, seen, rw) {
					fr.Duplicates++
					continue
				}
				if err := w.appendVersion(fr, k, seen.key, rw); err != nil {
					return nil, fmt.Errorf("write %s %s: %w", j.in.Path, position(&rw.r), err)
				}
				fr.Versions++
				continue
			}
			w.seen[k] = seenSignin{key: w.nextKey, seenVersion: seenVersion{hash: rw.hash, ing: ingestMicros(&rw.r)}}
			if err := w.appendSignin(fr, rw); err != nil {
				return nil, fmt.Errorf("write %s %s: %w", j.in.Path, position(&rw.r), err)
			}
			fr.Loaded++
			fr.LogTypes[rw.r.LogType]++
			t := rw.r.CreatedAt
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
		putRows(b.rows) // written: the chunk appender copied what it keeps
		for i := range b.steps {
			st := &b.steps[i]
			fr.Records++
			stepIndex[st.RequestID]++
			k := w.stepKey(st)
			if _, dup := w.seenSteps[k]; dup {
				fr.Duplicates++
				continue
			}
			w.seenSteps[k] = struct{}{}
			if err := w.appendStep(0, false, st, stepIndex[st.RequestID], fr.SourceID, st.Line); err != nil {
				return nil, fmt.Errorf("write %s line %d: %w", j.in.Path, st.Line, err)
			}
			fr.Loaded++
			fr.AuthSteps++
		}
		for _, p := range b.problems {
			if err := w.appendProblem(fr, p); err != nil {
				return nil, fmt.Errorf("write problems of %s: %w", j.in.Path, err)
			}
			if len(fr.Problems) < problemsKept {
				fr.Problems = append(fr.Problems, ProblemJSON{Line: p.Line, Record: recordIndex(p), Field: p.Field, Reason: p.Reason, Excerpt: p.Excerpt})
			} else {
				fr.ProblemsOmitted++
			}
		}
		progress(min(b.bytes, j.in.Size))
	}
	// The parser has finished: its counters are final.
	fr.Rejected = j.rejected
	for _, n := range j.skipped {
		fr.Skipped += n
	}
	fr.Records += fr.Rejected + fr.Skipped
	fr.SkippedCategories = j.skipped
	if j.info != nil {
		fr.SHA256, fr.Bytes, fr.Format, fr.Detection, fr.Encoding = j.info.SHA256, j.info.Bytes, j.info.Format, j.info.Detection, j.info.Encoding
		fr.Notes, fr.Unavailable = j.info.Notes, j.info.Unavailable
	}
	if j.err != nil {
		fr.Error = j.err.Error()
		var pe *loaders.ParseError
		if errors.As(j.err, &pe) {
			p := loaders.Problem{Line: pe.Line, Index: pe.Record, Field: pe.Field, Reason: pe.Reason, Offset: -1}
			if err := w.appendProblem(fr, p); err != nil {
				return nil, err
			}
			fr.Problems = append(fr.Problems, ProblemJSON{Line: p.Line, Record: p.Index, Field: p.Field, Reason: p.Reason})
		}
		if fr.Format == "" {
			fr.Format = "unreadable"
		}
	}
	if !first.IsZero() {
		fr.First, fr.Last = &first, &last
	}
	if err := w.insertSource(ctx, fr); err != nil {
		return nil, err
	}
	return fr, nil
}

func recordIndex(p loaders.Problem) int64 {
	if p.Line > 0 {
		return 0
	}
	return p.Index
}

func position(r *loaders.Record) string {
	if r.Line > 0 {
		return fmt.Sprintf("line %d", r.Line)
	}
	return fmt.Sprintf("record %d", r.Index)
}

func (w *writer) insertSource(ctx context.Context, fr *FileResult) error {
	// An appender like the rows it accounts for, in the same transaction: one INSERT per
	// file cost about 2 ms of statement overhead, most of the load time of hourly folders.
	lt, _ := json.Marshal(fr.LogTypes)
	sk, _ := json.Marshal(fr.SkippedCategories)
	var first, last any
	if fr.First != nil {
		first, last = *fr.First, *fr.Last
	}
	err := w.sources.AppendRow(int32(fr.SourceID), fr.Path, fr.Bytes, fr.SHA256, fr.Format, fr.Detection, fr.Encoding,
		json.RawMessage(lt), fr.Records, fr.Loaded, fr.Versions, fr.Duplicates, fr.Rejected, fr.Skipped, json.RawMessage(sk), first, last,
		anyList(fr.Unavailable), anyList(fr.Notes), time.Now())
	if err != nil {
		return fmt.Errorf("record source %s: %w", fr.Path, err)
	}
	return nil
}

// anyList is a text list for an appender's LIST column; nil becomes an empty list.
func anyList(items []string) []any {
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = clean(s)
	}
	return out
}

func (w *writer) appendSignin(fr *FileResult, rw *row) error {
	key := w.nextKey
	w.nextKey++
	return w.appendRow(w.signins, w.ca, w.steps, key, fr, rw)
}

// appendRow writes a sign-in with its CA policies and steps to the tables given (signins
// and its child tables, or their signin_version_* twins).
func (w *writer) appendRow(a, ca, steps *chunkAppender, key int64, fr *FileResult, rw *row) error {
	r := &rw.r
	a.BigInt(key)
	a.Text(r.LogType)
	a.Text(r.S[loaders.ID])
	a.Time(r.CreatedAt)
	a.Time(r.IngestedAt)
	texts(a, r, loaders.CorrelationID, loaders.SPCredentialThumbprint)
	texts(a, r, loaders.ClientCredentialType, loaders.FederatedCredentialID)
	texts(a, r, loaders.IPAddress, loaders.IPAddressFromResourceProvider)
	a.OptBigInt(r.ASN.V, r.ASN.Valid)
	texts(a, r, loaders.City, loaders.Country)
	unknown := r.Latitude.Valid && r.Longitude.Valid && r.Latitude.V == 0 && r.Longitude.V == 0 // 0,0
	a.OptDouble(r.Latitude.V, r.Latitude.Valid && !unknown)
	a.OptDouble(r.Longitude.V, r.Longitude.Valid && !unknown)
	a.Int(int32(r.ErrorCode))
	texts(a, r, loaders.FailureReason, loaders.AdditionalDetails)
	a.Text(r.Status())
	texts(a, r, loaders.ClientAppUsed, loaders.DeviceName)
	a.OptBool(tri(r.Compliant))
	a.OptBool(tri(r.Managed))
	texts(a, r, loaders.DeviceTrustType, loaders.RiskDetail)
	a.TextList(r.RiskEventTypes)
	texts(a, r, loaders.CrossTenantAccessType, loaders.TenantID)
	a.OptBool(tri(r.Interactive))
	a.OptBool(tri(r.Flagged))
	a.OptBigInt(r.ProcessingMs.V, r.ProcessingMs.Valid)
	a.Text(r.S[loaders.OriginalTransferMethod])
	a.JSON(rw.extra)
	a.Int(int32(fr.SourceID))
	a.Text(fr.Path)
	a.BigInt(sourceLine(r))
	a.BigInt(int64(rw.hash))
	if err := a.EndRow(); err != nil {
		return err
	}
	for i := range rw.ca {
		p := &rw.ca[i]
		c := ca
		c.BigInt(key)
		c.Text(p.ID)
		c.Text(p.Name)
		c.Text(p.Result)
		c.TextList(p.Grant)
		c.TextList(p.Session)
		c.JSON(p.Extra)
		if err := c.EndRow(); err != nil {
			return err
		}
	}
	for i := range rw.steps {
		st := &rw.steps[i]
		st.RequestID, st.LogType = r.S[loaders.ID], r.LogType
		if err := appendStepTo(steps, key, true, st, i+1, fr.SourceID, sourceLine(r)); err != nil {
			return err
		}
	}
	return nil
}

// texts writes the text columns from..to inclusive.
func texts(a *chunkAppender, r *loaders.Record, from, to loaders.Str) {
	for i := from; i <= to; i++ {
		a.Text(r.S[i])
	}
}

// tri is a BOOLEAN column's value and whether it is known.
func tri(t loaders.Tri) (v, ok bool) {
	return t == loaders.True, t != loaders.Unknown
}

func sourceLine(r *loaders.Record) int64 {
	if r.Line > 0 {
		return r.Line
	}
	return r.Index
}

// appendStep writes an authentication step; a step whose sign-in is not (yet) loaded has
// no key (linked false).
func (w *writer) appendStep(key int64, linked bool, st *loaders.AuthStep, index, sourceID int, line int64) error {
	return appendStepTo(w.steps, key, linked, st, index, sourceID, line)
}

func appendStepTo(a *chunkAppender, key int64, linked bool, st *loaders.AuthStep, index, sourceID int, line int64) error {
	a.OptBigInt(key, linked)
	a.Text(st.RequestID)
	a.Text(st.LogType)
	a.Int(int32(index))
	a.Time(st.Time)
	a.Text(st.Method)
	a.Text(st.MethodDetail)
	a.OptBool(tri(st.Succeeded))
	a.Text(st.ResultDetail)
	a.Text(st.Requirement)
	a.JSON(st.Extra)
	a.Int(int32(sourceID))
	a.BigInt(line)
	return a.EndRow()
}

func (w *writer) appendProblem(fr *FileResult, p loaders.Problem) error {
	var line, rec, off any
	if p.Line > 0 {
		line = p.Line
	}
	if p.Index > 0 {
		rec = p.Index
	}
	if p.Offset >= 0 {
		off = p.Offset
	}
	return w.problems.AppendRow(int32(fr.SourceID), fr.Path, line, rec, off, nullStr(p.Field), clean(p.Reason), nullStr(p.Excerpt))
}

// flushEvery bounds the rows the appenders hold before they hand them to DuckDB (inside
// the load's transaction), and so the memory they take (LoadOptions.FlushRows).
const flushEvery = 20480

func (w *writer) flush() error {
	w.unflushed = 0
	for _, a := range []*chunkAppender{w.signins, w.ca, w.steps, w.versions.meta, w.versions.rows, w.versions.ca, w.versions.steps} {
		if a != nil {
			if err := a.Flush(); err != nil {
				return fmt.Errorf("write to database: %w", err)
			}
		}
	}
	for _, a := range []*duckdb.Appender{w.problems, w.sources} {
		if a != nil {
			if err := a.Flush(); err != nil {
				return fmt.Errorf("write to database: %w", err)
			}
		}
	}
	return nil
}

// commit flushes the appenders and commits the load's transaction.
func (w *writer) commit(ctx context.Context) error {
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.mergeVersions(ctx); err != nil {
		return err
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit load: %w", err)
	}
	w.inTx, w.uncommitted = false, 0
	return nil
}

// commitEvery bounds the rows of one transaction. A load of up to this many rows is all or
// nothing; a larger one commits every commitEvery rows, so an interrupted load keeps
// what was committed (loading the same files again counts those rows as duplicates).
// 5M sign-ins in one transaction ran out of a 1 GB memory limit (LoadOptions.CommitRows).
const commitEvery = 500_000

// commitAndBegin commits the rows so far and opens the next transaction.
func (w *writer) commitAndBegin(ctx context.Context) error {
	if err := w.commit(ctx); err != nil {
		return err
	}
	if _, err := w.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("begin load: %w", err)
	}
	w.inTx = true
	return nil
}

// close releases the appenders and the connection; what was not committed is rolled back.
func (w *writer) close() {
	for _, a := range []*chunkAppender{w.signins, w.ca, w.steps, w.versions.meta, w.versions.rows, w.versions.ca, w.versions.steps} {
		if a != nil {
			a.close()
		}
	}
	for _, a := range []*duckdb.Appender{w.problems, w.sources} {
		if a != nil {
			a.Close()
		}
	}
	if w.conn != nil {
		if w.inTx {
			w.conn.ExecContext(context.Background(), "ROLLBACK")
		}
		w.conn.Close()
	}
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
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM signin_auth_steps WHERE signin_key IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("count unlinked auth details: %w", err)
	}
	return n, nil
}

func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func nullStr(s string) driver.Value {
	if s == "" {
		return nil
	}
	return clean(s)
}

// SortedKeys returns the keys of a count map in order.
func SortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
