package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
)

// Running the catalogue: the plain queries and the detections are independent reads of
// the loaded tables, so Build runs them on several connections at once (at 130k sign-ins
// most of them are too small for DuckDB to keep two threads busy inside one query). Every
// result goes to the slot of its entry, so sections, detection runs and findings come out
// in catalogue order whatever finishes first.

// job is one catalogue entry to run: a plain query (its Section) or a detection.
type job struct {
	q       *queries.Query
	section *Section
	// detection results
	run   queries.DetectionRun
	found []Finding
}

// defaultConnections is how many catalogue entries run at once when ReportOptions leaves
// it zero: one per CPU, at least two (while one connection's query waits on Go scanning
// its rows, another keeps DuckDB busy).
func defaultConnections() int { return max(2, runtime.GOMAXPROCS(0)) }

// runCatalogue fills r.Sections from plain and, when detections is true, r.Findings and
// r.DetectionRuns from the catalogue's detections (findings at or above minSeverity), with
// up to conns connections: db.SQL (already prepared by Build) and conns-1 pools of their own.
func (r *Report) runCatalogue(ctx context.Context, db *store.DB, p Params, plain []*queries.Query, detections bool, minSeverity string, conns int, progress func(done, total int, what string)) error {
	asOf := r.Meta.AsOf
	jobs := make([]*job, 0, len(plain))
	for _, q := range plain {
		s := &Section{Query: q}
		if f := queries.NeedsFilter(q); f != "" && !hasFilter(p, f) {
			s.Skipped = fmt.Sprintf("runs only for one %s: signinlens query %s --%s ...", f, q.ID, f)
			s.Bound, _, _ = queries.Bind(q, p, asOf)
		}
		jobs = append(jobs, &job{q: q, section: s})
	}
	if detections {
		dets, err := queries.OfKind("detection")
		if err != nil {
			return err
		}
		for _, q := range dets {
			jobs = append(jobs, &job{q: q})
		}
	}
	// Which files loaded which log types, read once for every entry's availability check.
	src, err := queries.ReadSources(ctx, db.SQL)
	if err != nil {
		return err
	}
	conns = max(1, min(conns, len(jobs)))
	pools := []*sql.DB{db.SQL}
	defer func() {
		for _, pool := range pools[1:] {
			pool.Close()
		}
	}()
	for len(pools) < conns {
		pools = append(pools, db.Pool())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		next     int
		done     int
		firstErr error
	)
	// take hands out the next job in catalogue order and reports progress; -1 when none.
	take := func(finished bool) int {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			done++
		}
		if firstErr != nil || next == len(jobs) {
			return -1
		}
		i := next
		next++
		if progress != nil {
			progress(done, len(jobs), jobs[i].q.ID)
		}
		return i
	}
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	var wg sync.WaitGroup
	for w, pool := range pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w > 0 {
				if err := queries.Prepare(ctx, pool); err != nil {
					fail(err)
					return
				}
			}
			if detections {
				if err := queries.PrepareDetections(ctx, pool); err != nil {
					fail(err)
					return
				}
			}
			for i := take(false); i >= 0; i = take(true) {
				if err := jobs[i].do(ctx, pool, src, p, asOf, minSeverity); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, j := range jobs {
		if j.section != nil {
			r.Sections = append(r.Sections, j.section)
			continue
		}
		r.DetectionRuns = append(r.DetectionRuns, j.run)
		r.Findings = append(r.Findings, j.found...)
	}
	queries.SortFindings(r.Findings)
	return nil
}

// do runs one job on db, a pool prepared for the catalogue.
func (j *job) do(ctx context.Context, db *sql.DB, src *queries.Sources, p Params, asOf time.Time, minSeverity string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if j.section == nil {
		run, found, err := queries.Detect(ctx, db, src, j.q, p, asOf, minSeverity)
		j.run, j.found = run, found
		return err
	}
	s := j.section
	if s.Skipped != "" {
		return nil
	}
	g, err := src.Check(ctx, db, j.q)
	if err != nil {
		return err
	}
	s.Missing, s.Partial, s.Unavailable = g.Missing, g.Partial(), g.Message()
	t, b, err := queries.Run(ctx, db, j.q, p, asOf)
	if err != nil {
		return err
	}
	s.Table, s.Bound = t, b
	return nil
}
