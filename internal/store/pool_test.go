package store

import (
	"context"
	"os"
	"testing"
)

// A pool opened after something has spilled still connects: DuckDB refuses to set the
// spill directory again once it has been used, so new connections must not try.
func TestPoolAfterSpill(t *testing.T) {
	ctx := context.Background()
	db, err := Open("", Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SET memory_limit='100MB'"); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS h FROM range(3000000) t(i) ORDER BY h)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	conn.ExecContext(ctx, "RESET memory_limit")
	conn.Close()
	entries, _ := os.ReadDir(db.tempDir)
	if n != 3000000 {
		t.Fatalf("sorted %d rows, want 3000000", n)
	}
	t.Logf("spill directory holds %d files after the sort", len(entries))
	p := db.Pool()
	defer p.Close()
	var tz string
	if err := p.QueryRowContext(ctx, "SELECT current_setting('TimeZone')").Scan(&tz); err != nil {
		t.Fatalf("query on a pool opened after a spill: %v", err)
	}
	if tz != "UTC" {
		t.Errorf("pool connection TimeZone %q, want UTC", tz)
	}
	if got, _ := db.Setting(ctx, "temp_directory"); got != db.tempDir {
		t.Errorf("temp_directory %q, want %q", got, db.tempDir)
	}
}

// EngineThreads lowers DuckDB's threads for every connection and gives back the count the
// database was opened with, once, however often restore is called.
func TestEngineThreads(t *testing.T) {
	ctx := context.Background()
	db, err := Open("", Options{Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := db.Pool()
	defer p.Close()
	restore, err := db.EngineThreads(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := p.QueryRowContext(ctx, "SELECT current_setting('threads')::VARCHAR").Scan(&got); err != nil || got != "1" {
		t.Errorf("threads seen by another connection: %q (%v), want 1", got, err)
	}
	restore()
	restore()
	if got, err := db.Setting(ctx, "threads"); err != nil || got != "3" {
		t.Errorf("threads after restore: %q (%v), want 3", got, err)
	}
}
