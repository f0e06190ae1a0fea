package store

// The merge of the versions of audit and provisioning events, run before each commit as
// mergeVersions is for sign-ins (the rule is in the schema text of audits).

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// siblingLog names the tables of one of the two sibling logs.
type siblingLog struct {
	table, key, versions, rows string
	// children are the child tables and their version twins, taken whole from the latest
	// version that has rows in the first of them.
	children [][2]string
}

func auditLogTables() siblingLog {
	return siblingLog{table: "audits", key: "audit_key", versions: "audit_versions", rows: "audit_version_rows",
		children: [][2]string{{"audit_targets", "audit_version_targets"}, {"audit_modified_properties", "audit_version_modified_properties"}}}
}

func provLogTables() siblingLog {
	return siblingLog{table: "provisioning", key: "provisioning_key", versions: "provisioning_versions", rows: "provisioning_version_rows"}
}

// mergeSiblings merges the audit and provisioning events that got a further version since
// the last merge. The appenders must have been flushed.
func (w *writer) mergeSiblings(ctx context.Context) error {
	if err := w.mergeLog(ctx, auditLogTables(), w.sib.pendingAudit); err != nil {
		return err
	}
	w.sib.pendingAudit = nil
	if err := w.mergeLog(ctx, provLogTables(), w.sib.pendingProv); err != nil {
		return err
	}
	w.sib.pendingProv = nil
	return nil
}

func (w *writer) mergeLog(ctx context.Context, l siblingLog, pending map[int64]struct{}) error {
	if len(pending) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(pending))
	for k := range pending {
		ids = append(ids, k)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	keys := make([]string, len(ids))
	for i, k := range ids {
		keys[i] = strconv.FormatInt(k, 10)
	}
	merged, err := w.mergedSiblingColumns(ctx, l)
	if err != nil {
		return err
	}
	k := l.key
	stmts := []string{
		"CREATE OR REPLACE TEMP TABLE smerge_keys AS SELECT unnest([" + strings.Join(keys, ",") + "]::BIGINT[]) AS k",
		// An event's first version lives in its table until the second arrives: keep a copy.
		`CREATE OR REPLACE TEMP TABLE smerge_first AS SELECT k FROM smerge_keys m
			WHERE NOT EXISTS (SELECT 1 FROM ` + l.rows + ` r WHERE r.` + k + ` = m.k)`,
		`INSERT INTO ` + l.rows + ` SELECT * FROM ` + l.table + ` WHERE ` + k + ` IN (SELECT k FROM smerge_first)`,
	}
	for _, c := range l.children {
		stmts = append(stmts, `INSERT INTO `+c[1]+` SELECT * FROM `+c[0]+` WHERE `+k+` IN (SELECT k FROM smerge_first)`)
	}
	stmts = append(stmts,
		`INSERT INTO `+l.versions+` SELECT `+k+`, `+k+`, 0, ingested_at, content_hash, source_id, source_line
			FROM `+l.table+` WHERE `+k+` IN (SELECT k FROM smerge_first)`,
		// Merge order: ingestion time, then file order.
		`CREATE OR REPLACE TEMP TABLE smerge_versions AS SELECT `+k+` AS sk, version_key AS vk,
			row_number() OVER (PARTITION BY `+k+` ORDER BY ingested_at NULLS FIRST, source_id, source_line, version_key) AS ord
			FROM `+l.versions+` WHERE `+k+` IN (SELECT k FROM smerge_keys)`,
		`UPDATE `+l.versions+` SET version = m.ord FROM smerge_versions m WHERE `+l.versions+`.version_key = m.vk`,
		`CREATE OR REPLACE TEMP TABLE smerge_rows AS SELECT `+merged+`
			FROM smerge_versions JOIN `+l.rows+` r ON r.`+k+` = smerge_versions.vk GROUP BY smerge_versions.sk`,
	)
	for i := len(l.children) - 1; i >= 0; i-- {
		stmts = append(stmts, `DELETE FROM `+l.children[i][0]+` WHERE `+k+` IN (SELECT k FROM smerge_keys)`)
	}
	stmts = append(stmts,
		`DELETE FROM `+l.table+` WHERE `+k+` IN (SELECT k FROM smerge_keys)`,
		`INSERT INTO `+l.table+` SELECT * FROM smerge_rows`,
	)
	if len(l.children) > 0 {
		stmts = append(stmts, `CREATE OR REPLACE TEMP TABLE smerge_child AS SELECT m.sk, arg_max(m.vk, m.ord) AS vk
			FROM smerge_versions m WHERE EXISTS (SELECT 1 FROM `+l.children[0][1]+` c WHERE c.`+k+` = m.vk) GROUP BY m.sk`)
		for _, c := range l.children {
			stmts = append(stmts, `INSERT INTO `+c[0]+` SELECT m.sk, c.* EXCLUDE (`+k+`)
				FROM `+c[1]+` c JOIN smerge_child m ON c.`+k+` = m.vk`)
		}
		stmts = append(stmts, "DROP TABLE smerge_child")
	}
	stmts = append(stmts, "DROP TABLE smerge_rows", "DROP TABLE smerge_versions", "DROP TABLE smerge_first", "DROP TABLE smerge_keys")
	for _, q := range stmts {
		if _, err := w.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("merge versions of %s: %w", l.table, err)
		}
	}
	return nil
}

// mergedSiblingColumns is the select list that merges the versions of an event into one
// row: each column from the latest version (ord) that carries a value (not NULL, not ”),
// the ingestion time the latest, provenance and content hash those of the latest version,
// extra merged key by key.
func (w *writer) mergedSiblingColumns(ctx context.Context, l siblingLog) (string, error) {
	rows, err := w.conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position`, l.table)
	if err != nil {
		return "", fmt.Errorf("read %s columns: %w", l.table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return "", fmt.Errorf("read %s columns: %w", l.table, err)
		}
		c := `r."` + name + `"`
		var e string
		switch {
		case name == l.key:
			e = "smerge_versions.sk"
		case name == "ingested_at":
			e = "max(" + c + ")"
		case name == "source_id" || name == "source_file" || name == "source_line" || name == "content_hash":
			e = "arg_max(" + c + ", ord)"
		case name == "extra":
			e = "CASE WHEN count(" + c + ") > 0 THEN list_reduce(list(" + c + " ORDER BY ord) FILTER (WHERE " + c +
				" IS NOT NULL), lambda a, b: json_merge_patch(a, b)) END"
		case typ == "VARCHAR":
			e = "coalesce(arg_max(" + c + ", ord) FILTER (WHERE " + c + " <> ''), arg_max(" + c + ", ord))"
		default:
			e = "arg_max(" + c + ", ord)" // arg_max skips NULL values
		}
		cols = append(cols, e+` AS "`+name+`"`)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read %s columns: %w", l.table, err)
	}
	return strings.Join(cols, ", "), nil
}
