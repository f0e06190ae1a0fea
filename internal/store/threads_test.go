package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
	"github.com/signinlens/signinlens/internal/loaders"
)

// parseCounter counts the goroutines parsing at once, through ReadOptions.Parsing.
type parseCounter struct {
	mu         sync.Mutex
	now, most  int
	runs       int
	overlapFor time.Duration // see waitOverlap
}

func (c *parseCounter) parsing(delta int) {
	c.mu.Lock()
	c.now += delta
	if delta > 0 {
		c.runs++
		c.most = max(c.most, c.now)
	}
	wait := delta > 0 && c.overlapFor > 0 && c.runs > 1 && c.most < 2
	c.mu.Unlock()
	if wait {
		c.waitOverlap()
	}
}

// waitOverlap holds a goroutine that starts parsing until a second one parses too (or
// overlapFor has passed), so that parsers that may overlap are seen to on a busy machine.
func (c *parseCounter) waitOverlap() {
	for deadline := time.Now().Add(c.overlapFor); time.Now().Before(deadline); {
		time.Sleep(100 * time.Microsecond)
		c.mu.Lock()
		seen := c.most >= 2
		c.mu.Unlock()
		if seen {
			return
		}
	}
}

// --threads 1 (Options.Threads) means one goroutine parses at a time, across files and
// within a large JSON file; with more threads they overlap and the tables are the same.
func TestThreadsBoundParsing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, format := range []string{"diagnostic", "admin-json", "admin-csv"} {
		if _, err := gen.Write(dir, format, gen.Config{Seed: 5, Events: 600, Days: 1, Audits: -1, Provisioning: -1}); err != nil {
			t.Fatal(err)
		}
	}
	in, _ := benchInputs(t, dir)
	load := func(threads int, c *parseCounter) (Totals, string) {
		db, err := Open("", Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// Small blocks: every JSON file is many blocks, parsed in parallel when allowed.
		sum, err := db.Load(context.Background(), in, LoadOptions{Parse: loaders.ReadOptions{BlockSize: 4096, Parsing: c.parsing}})
		if err != nil {
			t.Fatal(err)
		}
		var digest string
		if err := db.SQL.QueryRow(`SELECT count(*) || '/' || sum(hash(signin_key, id, log_type, created_at, user_principal_name, error_code))
			FROM signins`).Scan(&digest); err != nil {
			t.Fatal(err)
		}
		return sum.Totals, digest
	}
	one := &parseCounter{}
	wantTotals, want := load(1, one)
	if wantTotals.Loaded < 1500 {
		t.Fatalf("loaded %d sign-ins; the input should hold 1,800", wantTotals.Loaded)
	}
	if one.most != 1 {
		t.Errorf("--threads 1: %d goroutines parsed at once", one.most)
	}
	if one.runs != len(in) {
		t.Errorf("--threads 1: %d parses started for %d files; want one per file", one.runs, len(in))
	}
	two := &parseCounter{overlapFor: 2 * time.Second}
	gotTotals, got := load(2, two)
	if two.most < 2 || two.runs <= len(in) {
		t.Errorf("--threads 2: at most %d goroutines parsing at once, %d parses for %d files; want the JSON files parsed in blocks in parallel", two.most, two.runs, len(in))
	}
	if gotTotals.Loaded != wantTotals.Loaded || gotTotals.Duplicates != wantTotals.Duplicates || gotTotals.Rejected != wantTotals.Rejected || got != want {
		t.Errorf("--threads 2: %+v %s; --threads 1: %+v %s", gotTotals, got, wantTotals, want)
	}
}
