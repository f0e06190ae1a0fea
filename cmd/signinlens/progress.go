package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws one line on stderr while work runs, when stderr is a terminal and
// --quiet is not given: the load's bytes and records, then analyze's steps, then the Raw
// sheets being written. Each frame replaces the one before; done clears the line, so
// nothing of it remains in what a person scrolls back to.
type progress struct {
	e       *env
	on      bool
	start   time.Time
	last    time.Time
	printed bool
}

// progressWidth is the width a frame is padded to, so a short frame covers a longer one.
const progressWidth = 100

func newProgress(e *env, quiet bool) *progress {
	return &progress{e: e, on: !quiet && isTerminal(e.stderr), start: time.Now()}
}

// show draws line unless the last frame is younger than every; final frames always draw.
func (p *progress) show(line string, every time.Duration, final bool) {
	if !p.on || (!final && time.Since(p.last) < every) {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.e.stderr, "\r%-*s", progressWidth, line)
	p.printed = true
}

// load is the load's callback (store.LoadOptions.ProgressRecords): bytes read of the
// total, and records parsed.
func (p *progress) load(done, total, records int64) {
	p.show(progressLine("loading", done, total, records, time.Since(p.start)), 200*time.Millisecond, false)
}

// step is analyze's callback: "analysing 12/40 app-users".
func (p *progress) step(done, total int, what string) {
	p.show(fmt.Sprintf("analysing %d/%d %s", done, total, what), 100*time.Millisecond, done >= total)
}

// done clears the line.
func (p *progress) done() {
	if p.printed {
		fmt.Fprintf(p.e.stderr, "\r%-*s\r", progressWidth, "")
		p.printed = false
	}
}

// progressLine is one frame of the load: share of the bytes, bytes per second, records
// per second and the time left at the rate so far, e.g.
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

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
