package main

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // --tz works on machines without a zone database

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/report"
)

const sqlUsage = `Usage: signinlens sql [--db FILE | PATH...] [--format F] "SELECT ..."

Runs one SQL statement over the normalized tables (see 'signinlens schema') and prints
the result. Give a database made by 'signinlens load', or export files and folders,
which are loaded into a temporary database first. The last argument is the SQL.

Examples:
  signinlens sql --db case.duckdb "SELECT log_type, count(*) FROM signins GROUP BY ALL ORDER BY 1"
  signinlens sql exports/ --format csv "SELECT * FROM signins WHERE error_code = 50126"
  signinlens sql --db case.duckdb --format json "SELECT path, sha256 FROM sources"`

func runSQL(ctx context.Context, e *env, args []string) error {
	var d dataFlags
	var format, tz string
	fs := newFlags(e, "sql", sqlUsage)
	d.add(fs, "")
	fs.StringVar(&format, "format", "table", "output `format`: "+strings.Join(report.TableFormats(), ", "))
	fs.StringVar(&tz, "tz", "UTC", "time `zone` for displayed times (IANA name such as Europe/Berlin)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := report.CheckTableFormat(format); err != nil {
		return usageError{msg: err.Error(), try: `signinlens sql --db case.duckdb --format csv "SELECT ..."`}
	}
	loc, err := loadZone(tz)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{msg: "no SQL given", try: `signinlens sql --db case.duckdb "SELECT count(*) FROM signins"`}
	}
	query := fs.Arg(fs.NArg() - 1)
	db, _, err := openData(ctx, e, &d, fs.Args()[:fs.NArg()-1])
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := queries.Select(ctx, db.SQL, query)
	if err != nil {
		return fmt.Errorf("sql: %w", err)
	}
	return report.RenderTable(e.stdout, t, format, report.RenderOptions{Loc: loc})
}

// loadZone reads --tz from the Go toolchain's embedded zone database, never the network.
func loadZone(tz string) (*time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, usageError{msg: fmt.Sprintf("--tz %q is not a known time zone", tz), try: "--tz Europe/Berlin"}
	}
	return loc, nil
}
