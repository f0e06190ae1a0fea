package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/signinlens/signinlens/internal/store"
)

const exportUsage = `Usage: signinlens export --parquet DIR [--db FILE | PATH...] [--force]

Writes the normalized tables as Parquet files, one folder per table, for a data lake or
another engine: signins (partitioned by UTC event date and log type, Hive style:
signins/date=2025-06-01/log_type=interactiveUser/...), signin_ca_policies,
signin_auth_steps, the versions of sign-ins that arrived in several (signin_versions,
signin_version_rows, signin_version_ca_policies, signin_version_auth_steps), sources and
load_problems. Give a database made by 'signinlens load',
or export files and folders, which are loaded into a temporary database first.

DIR must be empty or missing; --force replaces the table folders in it and leaves other
files alone. The files are written beside DIR first and moved in when complete, and every
table's row count is checked against the database.

Read it back with DuckDB:
  SELECT log_type, count(*) FROM read_parquet('DIR/signins/**/*.parquet', hive_partitioning=true) GROUP BY ALL

Examples:
  signinlens export --parquet case-parquet/ --db case.duckdb
  signinlens export --parquet /lake/entra/2025-06 insights-logs-signinlogs/
  signinlens export --parquet out/ --force --db case.duckdb --json`

func runExport(ctx context.Context, e *env, args []string) error {
	var d dataFlags
	var dir string
	var force, asJSON bool
	fs := newFlags(e, "export", exportUsage)
	fs.StringVar(&dir, "parquet", "", "write Parquet files into `folder` DIR (required)")
	fs.BoolVar(&force, "force", false, "replace the table folders in a non-empty DIR")
	fs.BoolVar(&asJSON, "json", false, "print what was written as JSON on stdout")
	d.add(fs, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if dir == "" {
		return usageError{msg: "--parquet DIR is required", try: "signinlens export --parquet case-parquet/ --db case.duckdb"}
	}
	for _, p := range fs.Args() {
		if store.AbsPath(p) == store.AbsPath(dir) {
			return usageError{msg: fmt.Sprintf("--parquet %s is also an input; write the Parquet files elsewhere", dir), try: "signinlens export --parquet case-parquet/ exports/"}
		}
	}
	db, _, err := openData(ctx, e, &d, fs.Args())
	if err != nil {
		return err
	}
	defer db.Close()
	tables, err := db.ExportParquet(ctx, dir, force)
	if errors.Is(err, store.ErrExportDirNotEmpty) {
		return usageError{msg: err.Error(), try: "signinlens export --parquet " + dir + " --force ..."}
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(tables)
	}
	for _, t := range tables {
		fmt.Fprintf(e.stdout, "%-20s %10d rows  %4d files  %s\n", t.Table, t.Rows, t.Files, t.Path+string(filepath.Separator))
	}
	fmt.Fprintf(e.stdout, "read back: SELECT * FROM read_parquet('%s', hive_partitioning=true)\n", filepath.Join(dir, "signins", "**", "*.parquet"))
	return nil
}
