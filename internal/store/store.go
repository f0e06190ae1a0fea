// Package store holds the embedded DuckDB database with the normalized sign-in schema, and
// the ingestion that streams loader output into it with de-duplication and accounting.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

//go:embed schema.sql
var schemaSQL string

// Schema returns the SQL that creates the database's tables, each column commented with
// what it holds (schema.sql).
func Schema() string { return schemaSQL }

// ErrNoRecords is returned when the inputs hold no sign-in record.
var ErrNoRecords = errors.New("no sign-in records found")

// Options tune the engine. Zero values pick defaults.
type Options struct {
	Threads     int    // DuckDB worker threads; default: the number of CPUs
	MemoryLimit string // e.g. "4GB"; default: DuckDB's (80% of RAM); beyond it work spills to TempDir
	TempDir     string // spill directory; default: a fresh folder under the system temp dir
}

// DB is an open signinlens database.
type DB struct {
	SQL     *sql.DB
	Path    string // "" for a temporary in-memory database
	conn    *duckdb.Connector
	tempDir string
	ownTemp bool
	// memoryLimit is the limit asked for in Options; "" leaves DuckDB's default, which
	// Load lowers while it runs (see loadMemoryLimit).
	memoryLimit string
	threads     int // DuckDB worker threads outside Load
}

// Open opens (creating if needed) the database at path; path "" gives a temporary
// in-memory database. Network access for extensions is disabled: json, parquet and icu
// are built in.
func Open(path string, opt Options) (*DB, error) {
	if opt.Threads <= 0 {
		opt.Threads = runtime.NumCPU()
	}
	d := &DB{Path: path, tempDir: opt.TempDir, memoryLimit: opt.MemoryLimit, threads: opt.Threads}
	if d.tempDir == "" {
		dir, err := os.MkdirTemp("", "signinlens-spill-")
		if err != nil {
			return nil, fmt.Errorf("create spill directory: %w", err)
		}
		d.tempDir, d.ownTemp = dir, true
	}
	q := url.Values{}
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	q.Set("threads", fmt.Sprint(opt.Threads))
	if opt.MemoryLimit != "" {
		if !validMemory.MatchString(opt.MemoryLimit) {
			d.cleanup()
			return nil, fmt.Errorf("memory limit %q: want a size such as 4GB or 512MB", opt.MemoryLimit)
		}
		q.Set("memory_limit", opt.MemoryLimit)
	}
	// The spill directory is the database's, given when it opens: DuckDB refuses to switch
	// it (even to the same folder) once something has spilled, so a connection opened after
	// a large load (Pool) must not set it again.
	q.Set("temp_directory", d.tempDir)
	dsn := path + "?" + q.Encode()
	init := func(ex driver.ExecerContext) error {
		for _, stmt := range []string{
			"SET TimeZone='UTC'",
			"SET preserve_insertion_order=false",
			"SET allow_community_extensions=false",
		} {
			if _, err := ex.ExecContext(context.Background(), stmt, nil); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		return nil
	}
	c, err := duckdb.NewConnector(dsn, init)
	if err != nil {
		d.cleanup()
		return nil, fmt.Errorf("open database %s: %w", displayPath(path), err)
	}
	d.conn = c
	d.SQL = sql.OpenDB(c)
	if _, err := d.SQL.Exec(schemaSQL); err != nil {
		d.Close()
		return nil, fmt.Errorf("create schema in %s: %w", displayPath(path), err)
	}
	return d, nil
}

var validMemory = regexp.MustCompile(`^(?i)\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$`)

func displayPath(p string) string {
	if p == "" {
		return "(temporary database)"
	}
	return p
}

// Close closes the database and removes the spill directory it created.
func (d *DB) Close() error {
	var err error
	if d.SQL != nil {
		err = d.SQL.Close()
	}
	if d.conn != nil {
		if cerr := d.conn.Close(); err == nil {
			err = cerr
		}
	}
	d.cleanup()
	return err
}

func (d *DB) cleanup() {
	if d.ownTemp && d.tempDir != "" {
		os.RemoveAll(d.tempDir)
	}
}

// Pool opens another database/sql pool over the same database, limited to one connection:
// a connection of its own, with its own temporary objects (the catalogue's scoped() macro
// and reference tables live per connection), for queries that run beside those on SQL.
// It sees what the other connections have committed. Close it before the DB.
func (d *DB) Pool() *sql.DB {
	p := sql.OpenDB(sharedConnector{d.conn})
	p.SetMaxOpenConns(1)
	return p
}

// sharedConnector hides the connector's Close: sql.DB.Close closes a connector that has
// one, which would close the database under the DB and its other pools.
type sharedConnector struct{ c driver.Connector }

func (s sharedConnector) Connect(ctx context.Context) (driver.Conn, error) { return s.c.Connect(ctx) }
func (s sharedConnector) Driver() driver.Driver                            { return s.c.Driver() }

// EngineThreads sets DuckDB's worker threads, a setting of the whole database, to n until
// restore is called; restore (safe to call more than once) gives back the count the
// database was opened with.
func (d *DB) EngineThreads(ctx context.Context, n int) (restore func(), err error) {
	if _, err := d.SQL.ExecContext(ctx, fmt.Sprintf("SET threads=%d", n)); err != nil {
		return func() {}, fmt.Errorf("set DuckDB threads to %d: %w", n, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() { d.SQL.ExecContext(context.Background(), fmt.Sprintf("SET threads=%d", d.threads)) })
	}, nil
}

// Setting returns the current value of a DuckDB setting.
func (d *DB) Setting(ctx context.Context, name string) (string, error) {
	var v sql.NullString
	err := d.SQL.QueryRowContext(ctx, "SELECT current_setting(?)::VARCHAR", name).Scan(&v)
	return v.String, err
}

// Count returns the number of sign-ins in the database.
func (d *DB) Count(ctx context.Context) (int64, error) {
	var n int64
	err := d.SQL.QueryRowContext(ctx, "SELECT count(*) FROM signins").Scan(&n)
	return n, err
}

// Events returns the number of events in the database: sign-ins, audit and provisioning
// events.
func (d *DB) Events(ctx context.Context) (int64, error) {
	var n int64
	err := d.SQL.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM signins) + (SELECT count(*) FROM audits) + (SELECT count(*) FROM provisioning)").Scan(&n)
	return n, err
}

// AbsPath is the absolute form of p, for comparisons against inputs.
func AbsPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
