package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ExportTables returns the tables written by ExportParquet, each into a folder of its name:
// every table of the schema. signins is partitioned by event date (UTC) and log type, Hive
// style: signins/date=2025-06-01/log_type=interactiveUser/data_0.parquet; the others are
// one file each.
func ExportTables() []string {
	return []string{"signins", "signin_ca_policies", "signin_auth_steps",
		"signin_versions", "signin_version_rows", "signin_version_ca_policies", "signin_version_auth_steps",
		"audits", "audit_targets", "audit_modified_properties", "provisioning",
		"audit_versions", "audit_version_rows", "audit_version_targets", "audit_version_modified_properties",
		"provisioning_versions", "provisioning_version_rows",
		"sources", "load_problems"}
}

// ErrExportDirNotEmpty is returned when the export folder holds files and force is not set.
var ErrExportDirNotEmpty = errors.New("export folder is not empty")

// ExportedTable is what ExportParquet wrote for one table.
type ExportedTable struct {
	Table string `json:"table"`
	Path  string `json:"path"` // folder of the table's Parquet files
	Rows  int64  `json:"rows"`
	Files int    `json:"files"`
}

// ExportParquet writes the normalized tables as Parquet under dir, one folder per table.
// The files are written into a temporary folder beside dir and moved in when all are
// complete and their row counts match the database, so a failed export leaves nothing
// behind. A dir holding files is refused unless force is set; force replaces only the
// table folders named in ExportTables and leaves anything else in dir alone.
func (d *DB) ExportParquet(ctx context.Context, dir string, force bool) ([]ExportedTable, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("export folder %s is a file", dir)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("export folder: %w", err)
	case len(entries) > 0 && !force:
		return nil, fmt.Errorf("%s: %w (use --force to replace the table folders in it)", dir, ErrExportDirNotEmpty)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".signinlens-export-")
	if err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("database connection: %w", err)
	}
	defer conn.Close()
	var out []ExportedTable
	for _, t := range ExportTables() {
		path := filepath.Join(tmp, t)
		var stmt string
		if t == "signins" {
			// The date is the UTC calendar day of the event (the session time zone is UTC).
			stmt = fmt.Sprintf(`COPY (SELECT *, strftime(created_at, '%%Y-%%m-%%d') AS date FROM signins)
				TO %s (FORMAT parquet, PARTITION_BY (date, log_type))`, sqlString(path))
		} else {
			if err := os.Mkdir(path, 0o755); err != nil {
				return nil, fmt.Errorf("export %s: %w", t, err)
			}
			stmt = fmt.Sprintf(`COPY %s TO %s (FORMAT parquet)`, t, sqlString(filepath.Join(path, t+".parquet")))
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("export %s: %w", t, err)
		}
		var want, got int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&want); err != nil {
			return nil, fmt.Errorf("export %s: %w", t, err)
		}
		files, err := parquetFiles(path)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", t, err)
		}
		if len(files) > 0 {
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+sqlString(filepath.Join(path, "**", "*.parquet"))+")").Scan(&got); err != nil {
				return nil, fmt.Errorf("export %s: read back: %w", t, err)
			}
		}
		if got != want {
			return nil, fmt.Errorf("export %s: the Parquet files hold %d rows, the table %d", t, got, want)
		}
		out = append(out, ExportedTable{Table: t, Path: filepath.Join(dir, t), Rows: want, Files: len(files)})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	for _, t := range ExportTables() {
		dst := filepath.Join(dir, t)
		if force {
			if err := os.RemoveAll(dst); err != nil {
				return nil, fmt.Errorf("replace %s: %w", dst, err)
			}
		}
		if err := os.Rename(filepath.Join(tmp, t), dst); err != nil {
			return nil, fmt.Errorf("export %s: %w", t, err)
		}
	}
	return out, nil
}

// parquetFiles lists the Parquet files under dir.
func parquetFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".parquet") {
			files = append(files, p)
		}
		return err
	})
	return files, err
}

// sqlString quotes s as an SQL string literal (COPY takes no parameters for its target).
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
