//go:build unix

package loaders

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// parseCounter counts the goroutines parsing at once, through ReadOptions.Parsing.
type parseCounter struct {
	mu   sync.Mutex
	now  int // goroutines parsing now
	most int // the most seen at once
	runs int // starts
	// overlap, when set, holds a goroutine that starts parsing, after the first, until a
	// second one is parsing too (or overlap has passed), until two have been seen at once:
	// on a busy machine the workers might otherwise happen to run one after the other.
	overlap time.Duration
}

func (c *parseCounter) parsing(delta int) {
	c.mu.Lock()
	c.now += delta
	if delta > 0 {
		c.runs++
		c.most = max(c.most, c.now)
	}
	wait := delta > 0 && c.overlap > 0 && c.runs > 1 && c.most < 2
	c.mu.Unlock()
	for deadline := time.Now().Add(c.overlap); wait && time.Now().Before(deadline); {
		time.Sleep(100 * time.Microsecond)
		c.mu.Lock()
		wait = c.most < 2
		c.mu.Unlock()
	}
}

// workerInputs writes the three shapes that are parsed in blocks: JSON lines, a top-level
// array, and a Graph page.
func workerInputs(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	page := `{"@odata.context": "x", "value": [` + strings.Join(generatedRecords(t, "graph"), ",\n") + "]}\n"
	files := map[string]string{
		"PT1H.json":               string(genLines(t, 600)),
		"InteractiveSignIns.json": "[\n" + strings.Join(generatedRecords(t, "admin-json"), ",\n") + "\n]\n",
		"signIns.json":            page,
	}
	paths := map[string]string{}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

// One worker means one goroutine parses, for every shape that is otherwise cut into blocks
// for several; several workers give the same records, problems and notes as one.
func TestWorkersBoundParsing(t *testing.T) {
	t.Parallel()
	for name, path := range workerInputs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			one := &parseCounter{}
			wantInfo, want := readFileWith(t, path, ReadOptions{Workers: 1, BlockSize: 4096, Parsing: one.parsing})
			if one.most != 1 || one.runs != 1 {
				t.Errorf("one worker: %d goroutines parsed at once, %d started; want 1 and 1", one.most, one.runs)
			}
			if len(want.recs) < 600 {
				t.Fatalf("one worker read %d records; the input should hold at least 600", len(want.recs))
			}

			four := &parseCounter{overlap: 2 * time.Second}
			info, got := readFileWith(t, path, ReadOptions{Workers: 4, BlockSize: 4096, Parsing: four.parsing})
			if four.most < 2 || four.most > 4 || four.runs < 10 {
				t.Errorf("four workers: %d goroutines parsed at once (want 2 to 4), %d blocks (want many)", four.most, four.runs)
			}
			if info.Format != wantInfo.Format || info.SHA256 != wantInfo.SHA256 || strings.Join(info.Notes, "\n") != strings.Join(wantInfo.Notes, "\n") {
				t.Errorf("four workers: info %+v, one worker: %+v", info, wantInfo)
			}
			if d := readDiff(got, want); d != "" {
				t.Errorf("four workers against one: %s", d)
			}

			// Slots shared by the reads of a load bound the blocks parsed at once.
			slotted := &parseCounter{}
			_, got = readFileWith(t, path, ReadOptions{Workers: 4, BlockSize: 4096, Slots: make(chan struct{}, 2), Parsing: slotted.parsing})
			if slotted.most > 2 {
				t.Errorf("four workers with two slots: %d goroutines parsed at once", slotted.most)
			}
			if d := readDiff(got, want); d != "" {
				t.Errorf("four workers with two slots against one worker: %s", d)
			}
		})
	}
}
