package main

import (
	"strings"
	"testing"
	"time"
)

// The load progress line (drawn only on a terminal) shows bytes, records per second and ETA.
func TestProgressLine(t *testing.T) {
	got := progressLine("loading", 1<<30, 4<<30, 250_000, 10*time.Second)
	for _, want := range []string{"loading [=====               ]  25%", "1.0 GiB / 4.0 GiB", "102.4 MiB/s", "250k rec 25k/s", "ETA 30s"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
	}
	if got := progressLine("loading", 10, 0, 0, time.Second); strings.Contains(got, "ETA") || strings.Contains(got, "rec") {
		t.Errorf("unknown total: %q", got)
	}
}

// Off a terminal the progress line draws nothing: stderr stays clean for logs and pipes.
func TestProgressOffTerminal(t *testing.T) {
	var errb strings.Builder
	p := newProgress(&env{stderr: &errb}, false)
	p.load(10, 100, 5)
	p.step(26, 26, "")
	p.show("writing", 0, true)
	p.done()
	if errb.Len() != 0 {
		t.Errorf("drew %q", errb.String())
	}
}
