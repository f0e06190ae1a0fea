package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
	"github.com/signinlens/signinlens/internal/loaders"
)

// The raw connection is found in duckdb-go's connection; a duckdb-go upgrade that moves it
// fails here (and the load reports it) rather than writing through a wrong pointer.
func TestRawConnection(t *testing.T) {
	db := openTemp(t)
	conn, err := db.SQL.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, err := rawConn(dc)
		if err == nil && c.Ptr == nil {
			t.Error("rawConn gave a nil connection")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	type notDuckDB struct{ _ int } // a pointer to a struct, not a connection
	for _, v := range []any{nil, 42, &notDuckDB{}, (*notDuckDB)(nil)} {
		if _, err := rawConn(v); err == nil {
			t.Errorf("rawConn(%T) gave no error", v)
		}
	}
}

// Every kind of value the chunk appender writes reads back as written, across chunk
// boundaries (5,000 rows = two full chunks of 2,048 and a partial one), with NULLs, short
// (inlined) and long strings, invalid UTF-8, lists and JSON.
func TestChunkAppenderRoundTrip(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if _, err := db.SQL.Exec(`CREATE TABLE t (b BIGINT, i INTEGER, d DOUBLE, ok BOOLEAN, ts TIMESTAMPTZ,
		s VARCHAR, l VARCHAR[], j JSON)`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const n = 5000
	long := strings.Repeat("0123456789", 30) // beyond the 12 bytes kept inline
	base := time.Date(2025, 6, 1, 12, 0, 0, 123456000, time.UTC)
	text := func(i int) string {
		switch i % 5 {
		case 0:
			return ""
		case 1:
			return "short"
		case 2:
			return "exactly12chr"
		case 3:
			return long + string(rune('a'+i%26))
		}
		return "bad\xffutf8"
	}
	err = conn.Raw(func(dc any) error {
		raw, err := rawConn(dc)
		if err != nil {
			return err
		}
		a, err := newChunkAppender(raw, "t")
		if err != nil {
			return err
		}
		defer a.close()
		for i := range n {
			a.OptBigInt(int64(i)*1_000_000_007, i%7 != 0)
			a.Int(int32(-i))
			a.OptDouble(float64(i)/4, i%3 != 0)
			a.OptBool(i%2 == 0, i%11 != 0)
			if i%13 == 0 {
				a.Time(time.Time{})
			} else {
				a.Time(base.Add(time.Duration(i) * time.Minute))
			}
			a.Text(text(i))
			switch i % 4 {
			case 0:
				a.TextList(nil)
			case 1:
				a.TextList([]string{})
			default:
				a.TextList([]string{"x", long, text(i)})
			}
			if i%6 == 0 {
				a.JSON(nil)
			} else {
				a.JSON([]byte(`{"n":` + strings.Repeat("1", 1+i%20) + `,"s":"` + text(i) + `"}`))
			}
			if err := a.EndRow(); err != nil {
				return err
			}
		}
		return a.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL.Query(`SELECT b, i, d, ok, ts, s, l::VARCHAR, j::VARCHAR FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var b, d, ok, ts, s, l, j any
		var i int32
		if err := rows.Scan(&b, &i, &d, &ok, &ts, &s, &l, &j); err != nil {
			t.Fatal(err)
		}
		k := int(-i)
		want := func(col string, got, want any) {
			t.Helper()
			if got != want {
				t.Errorf("row %d %s = %#v, want %#v", k, col, got, want)
			}
		}
		if k%7 != 0 {
			want("b", b, int64(k)*1_000_000_007)
		} else {
			want("b", b, nil)
		}
		if k%3 != 0 {
			want("d", d, float64(k)/4)
		} else {
			want("d", d, nil)
		}
		if k%11 != 0 {
			want("ok", ok, k%2 == 0)
		} else {
			want("ok", ok, nil)
		}
		if k%13 == 0 {
			want("ts", ts, nil)
		} else if tt, _ := ts.(time.Time); !tt.Equal(base.Add(time.Duration(k) * time.Minute)) {
			t.Errorf("row %d ts = %v", k, ts)
		}
		wantText := strings.ToValidUTF8(text(k), "\uFFFD")
		if wantText == "" {
			want("s", s, nil)
		} else {
			want("s", s, wantText)
		}
		switch k % 4 {
		case 0:
			want("l", l, nil)
		case 1:
			want("l", l, "[]")
		default:
			item := wantText
			if item == "" {
				item = "''" // how DuckDB shows an empty string in a list
			}
			want("l", l, "[x, "+long+", "+item+"]")
		}
		if k%6 == 0 {
			want("j", j, nil)
		} else {
			want("j", j, `{"n":`+strings.Repeat("1", 1+k%20)+`,"s":"`+wantText+`"}`)
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != n {
		t.Fatalf("%d rows read back, want %d", seen, n)
	}
	var sum float64
	if err := db.SQL.QueryRow(`SELECT sum(d) FROM t`).Scan(&sum); err != nil || math.Abs(sum-wantSum(n)) > 1e-6 {
		t.Errorf("sum(d) = %v (%v), want %v", sum, err, wantSum(n))
	}
}

func wantSum(n int) float64 {
	s := 0.0
	for i := range n {
		if i%3 != 0 {
			s += float64(i) / 4
		}
	}
	return s
}

// A table whose columns differ from what the writer puts there is an error naming the
// table, never a write of the wrong width.
func TestChunkAppenderOtherSchema(t *testing.T) {
	db := openTemp(t)
	if _, err := db.SQL.Exec(`CREATE TABLE odd (a VARCHAR, b SMALLINT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec(`CREATE TABLE two (a VARCHAR, b VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.SQL.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		raw, err := rawConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		if _, err := newChunkAppender(raw, "odd"); !errors.Is(err, errOtherVersion) {
			t.Errorf("SMALLINT column: %v, want errOtherVersion", err)
		}
		a, err := newChunkAppender(raw, "two")
		if err != nil {
			return err
		}
		defer a.close()
		a.Text("x")
		a.BigInt(1) // the table has VARCHAR here
		if err := a.EndRow(); !errors.Is(err, errOtherVersion) || !strings.Contains(err.Error(), "two") {
			t.Errorf("BIGINT into VARCHAR: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A load stopped part way (here: cancelled after its third file) returns promptly with the
// cancellation, keeps nothing (one transaction), and leaves the database usable and the
// engine settings as they were.
func TestLoadCancelled(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Write(dir, "diagnostic", gen.Config{Seed: 3, Events: 3000, Days: 2, Audits: -1, Provisioning: -1}); err != nil {
		t.Fatal(err)
	}
	ins, err := loaders.Inputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) < 20 {
		t.Fatalf("only %d files generated", len(ins))
	}
	// Three threads (not the machine's count): the load runs DuckDB on one and must give
	// back exactly what was asked for.
	db, err := Open("", Options{Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	files := 0
	_, err = db.Load(ctx, ins, LoadOptions{OnFile: func(*FileResult) {
		if files++; files == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled load: %v", err)
	}
	if got := queryRows(t, db, `SELECT (SELECT count(*) FROM signins), (SELECT count(*) FROM sources),
		current_setting('threads')`); got[0][0] != "0" || got[0][1] != "0" || got[0][2] != "3" {
		t.Errorf("after a cancelled load: sign-ins, sources, threads = %v, want 0 0 3", got[0])
	}
	// Cancelled before it starts: the same, at once.
	if _, err := db.Load(ctx, ins, LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("load with a cancelled context: %v", err)
	}
	sum := load(t, db, dir)
	if sum.Totals.Loaded != 3000 {
		t.Errorf("load after the cancelled ones: %d loaded, want 3000", sum.Totals.Loaded)
	}
	if got := queryRows(t, db, `SELECT current_setting('threads')`); got[0][0] != "3" {
		t.Errorf("threads after a load = %s, want 3", got[0][0])
	}
}
