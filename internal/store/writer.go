package store

// The writer: one goroutine, one connection and transaction; it takes each file's
// batches in order, decides duplicate, version or new sign-in, flushes and commits.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/maphash"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/signinlens/signinlens/internal/loaders"
)

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
	sib       siblingWriter
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
		if err := w.sib.open(raw); err != nil {
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
		n := len(b.rows) + len(b.audits) + len(b.provs) + len(b.steps)
		w.records += int64(n + len(b.problems))
		w.uncommitted += n
		if w.unflushed += n; w.uncommitted >= w.commitRows {
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
		if err := w.sib.batch(fr, &b, &first, &last); err != nil {
			return nil, err
		}
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

func position(r *loaders.Record) string {
	if r.Line > 0 {
		return fmt.Sprintf("line %d", r.Line)
	}
	return fmt.Sprintf("record %d", r.Index)
}

// flushEvery bounds the rows the appenders hold before they hand them to DuckDB (inside
// the load's transaction), and so the memory they take (LoadOptions.FlushRows).
const flushEvery = 20480

func (w *writer) flush() error {
	w.unflushed = 0
	for _, a := range append([]*chunkAppender{w.signins, w.ca, w.steps, w.versions.meta, w.versions.rows, w.versions.ca, w.versions.steps}, w.sib.appenders()...) {
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
	if err := w.mergeSiblings(ctx); err != nil {
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
	for _, a := range append([]*chunkAppender{w.signins, w.ca, w.steps, w.versions.meta, w.versions.rows, w.versions.ca, w.versions.steps}, w.sib.appenders()...) {
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
