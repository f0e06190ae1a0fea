package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
)

// Running the catalogue: the plain queries and the detections are independent reads of
// the loaded tables, so Build runs them on several connections at once (at 130k sign-ins
// most of them are too small for DuckDB to keep two threads busy inside one query). Every
// connection is prepared alike (queries.PrepareCatalogue: macros, reference tables, the
// --intel tables), since DuckDB keeps temporary macros and tables per connection. Every
// result goes to the slot of its entry, so sections, detection runs and findings come out
// in catalogue order whatever finishes first.
//
// The detections that read prior_findings run in a second pass, once every other
// detection has finished, on db.SQL with prior_findings filled from all the first pass's
// findings at every severity, as queries.RunDetections runs them on one connection.

// job is one catalogue entry to run: a plain query (its Section) or a detection.
type job struct {
	q       *queries.Query
	section *Section
	// detection results: the run, its findings at or above the report's severity and all
	// of them (for prior_findings)
	run   queries.DetectionRun
	kept  []Finding
	found []Finding
}

// defaultConnections is how many catalogue entries run at once when ReportOptions leaves
// it zero: one per CPU, at least two (while one connection's query waits on Go scanning
// its rows, another keeps DuckDB busy).
func defaultConnections() int { return max(2, runtime.GOMAXPROCS(0)) }

// runCatalogue fills r.Sections from plain and, when detections is true, r.Findings and
// r.DetectionRuns from the catalogue's detections (findings at or above minSeverity), with
// up to conns connections: db.SQL (already prepared by Build) and conns-1 pools of their
// own. progress counts extra steps that Build runs afterwards; runCatalogue returns how
// many steps it took and the total.
func (r *Report) runCatalogue(ctx context.Context, db *store.DB, p Params, plain []*queries.Query, detections bool, minSeverity string, conns, extra int, progress func(done, total int, what string)) (int, int, error) {
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
	var second []*job // the detections that read prior_findings
	if detections {
		dets, err := queries.OfKind("detection")
		if err != nil {
			return 0, 0, err
		}
		for _, q := range dets {
			switch {
			case q.NeedsInput == "intel" && p.Intel == nil:
				// not asked for: no --intel file
			case queries.ReadsPriorFindings(q):
				second = append(second, &job{q: q})
			default:
				jobs = append(jobs, &job{q: q})
			}
		}
	}
	total := len(jobs) + len(second) + extra
	// Which files loaded which log types, read once for every entry's availability check.
	src, err := queries.ReadSources(ctx, db.SQL)
	if err != nil {
		return 0, 0, err
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
	// With a query per CPU running, DuckDB's own threads inside each query only spun
	// waiting for each other: one engine thread while the first pass runs took the
	// catalogue's CPU from 3.5-4.0 to ~3.3 s at 130k sign-ins (whole analyze 0.96x wall,
	// 0.94x CPU) and 29.3 -> 21.4 CPU s at 1M. The second pass gets them back.
	restoreThreads := func() {}
	if conns > 1 {
		restoreThreads, err = db.EngineThreads(ctx, 1)
		if err != nil {
			return 0, 0, err
		}
		defer restoreThreads()
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
			progress(done, total, jobs[i].q.ID)
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
			var err error
			switch {
			case detections:
				err = queries.PrepareCatalogue(ctx, pool, p.Intel)
			case w > 0:
				err = queries.Prepare(ctx, pool)
			}
			if err != nil {
				fail(err)
				return
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
	restoreThreads()
	if firstErr != nil {
		return 0, 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if len(second) > 0 {
		// Every first-pass finding, at every severity, in catalogue order: what
		// prior_findings holds when one connection runs the detections.
		var prior []Finding
		for _, j := range jobs {
			prior = append(prior, j.found...)
		}
		if err := queries.SetPriorFindings(ctx, db.SQL, prior); err != nil {
			return 0, 0, err
		}
		for _, j := range second {
			if progress != nil {
				progress(done, total, j.q.ID)
			}
			if err := j.do(ctx, db.SQL, src, p, asOf, minSeverity); err != nil {
				return 0, 0, err
			}
			done++
		}
	}
	var runs []DetectionRun
	for _, j := range append(jobs, second...) {
		if j.section != nil {
			r.Sections = append(r.Sections, j.section)
			continue
		}
		runs = append(runs, j.run)
		r.Findings = append(r.Findings, j.kept...)
	}
	// The order queries.RunDetections gives the runs.
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Query.ID < runs[j].Query.ID })
	r.DetectionRuns = append(r.DetectionRuns, runs...)
	queries.SortFindings(r.Findings)
	return done, total, nil
}

// do runs one job on db, a pool prepared for the catalogue.
func (j *job) do(ctx context.Context, db *sql.DB, src *queries.Sources, p Params, asOf time.Time, minSeverity string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if j.section == nil {
		var err error
		j.run, j.kept, j.found, err = queries.Detect(ctx, db, src, j.q, p, asOf, minSeverity)
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
