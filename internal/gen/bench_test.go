package gen

import (
	"fmt"
	"os"
	"testing"
)

// BenchmarkGenerate measures each writer on 100,000 events (set GEN_BENCH_EVENTS to change):
// ns/event, and MB/s of output.
func BenchmarkGenerate(b *testing.B) {
	n := 100_000
	if s := os.Getenv("GEN_BENCH_EVENTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	cfg := Config{Seed: 42, Events: n, Scenarios: true}
	b.Run("events", func(b *testing.B) {
		for b.Loop() {
			if err := Events(cfg, func(*Event) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
	})
	for _, f := range Formats() {
		b.Run(f, func(b *testing.B) {
			var bytes int64
			for b.Loop() {
				dir := b.TempDir()
				st, err := Write(dir, f, cfg)
				if err != nil {
					b.Fatal(err)
				}
				bytes = st.Bytes
				b.StopTimer()
				os.RemoveAll(dir)
				b.StartTimer()
			}
			b.SetBytes(bytes)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
		})
	}
}
