package store

// Versions of one sign-in. Log Analytics and diagnostic settings write a sign-in again each
// time Entra adds to it (MFA completed, risk evaluated offline): same request id, log type,
// event time and error code, different content and a later ingestion time. Each different
// version of a sign-in that has more than one is kept in signin_versions, its content in
// signin_version_rows and their child twins; identical copies are duplicates. The signins
// row of such a sign-in is rebuilt from all its versions in SQL at each commit. A sign-in
// loaded once costs its content hash (signins.content_hash) and nothing else.

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"strings"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/signinlens/signinlens/internal/loaders"
)

// seenSignin is a sign-in already loaded: its key, and the content hash and ingestion
// time of its first version.
type seenSignin struct {
	key int64
	seenVersion
}

// seenVersion is a version already loaded: its content hash and ingestion time (Unix µs,
// 0 when the format has none).
type seenVersion struct {
	hash uint64
	ing  int64
}

// ingestFix is a copy that was ingested earlier than the version loaded first: a version's
// ingestion time is the earliest of its copies, whatever the order they are loaded in.
type ingestFix struct {
	signinKey int64
	hash      uint64
	ing       int64
}

// versionWriter holds the appenders of the version tables and the sign-ins to merge.
type versionWriter struct {
	meta, rows, ca, steps *chunkAppender
	// more holds the content hashes of the versions after the first, for the few sign-ins
	// that have them.
	more map[[2]uint64][]seenVersion
	// pending are the sign-ins that got a version since the last merge.
	pending map[int64]struct{}
	fixes   []ingestFix
}

func (v *versionWriter) open(raw bindings.Connection) error {
	var err error
	if v.meta, err = newChunkAppender(raw, "signin_versions"); err != nil {
		return err
	}
	if v.rows, err = newChunkAppender(raw, "signin_version_rows"); err != nil {
		return err
	}
	if v.ca, err = newChunkAppender(raw, "signin_version_ca_policies"); err != nil {
		return err
	}
	v.steps, err = newChunkAppender(raw, "signin_version_auth_steps")
	return err
}

// appendMeta writes the signin_versions row of a further version (rank and fields are set
// by the merge).
func (v *versionWriter) appendMeta(signinKey, versionKey int64, sourceID int, rw *row) error {
	a := v.meta
	a.BigInt(signinKey)
	a.BigInt(versionKey)
	a.Int(0)
	a.Time(rw.r.IngestedAt)
	a.Int(0)
	a.BigInt(int64(rw.hash))
	a.Int(int32(sourceID))
	a.BigInt(sourceLine(&rw.r))
	return a.EndRow()
}

// remember records a version read back from the database.
func (w *writer) remember(k [2]uint64, signinKey int64, v seenVersion) {
	if s, ok := w.seen[k]; ok {
		if s.hash != v.hash {
			w.addVersion(k, v)
		}
		return
	}
	w.seen[k] = seenSignin{key: signinKey, seenVersion: v}
}

func (w *writer) addVersion(k [2]uint64, v seenVersion) {
	if w.versions.more == nil {
		w.versions.more = map[[2]uint64][]seenVersion{}
	}
	w.versions.more[k] = append(w.versions.more[k], v)
}

// isCopy tells whether a record of an already loaded sign-in equals one of its versions. A
// database written before versions were kept has no hash (0): there, as then, any record
// of a loaded sign-in is a copy. A copy ingested earlier than the version it equals moves
// that version's ingestion time back (see ingestFix).
func (w *writer) isCopy(k [2]uint64, s seenSignin, rw *row) bool {
	v := &s.seenVersion
	if s.hash != rw.hash && s.hash != 0 {
		v = nil
		more := w.versions.more[k]
		for i := range more {
			if more[i].hash == rw.hash {
				v = &more[i]
				break
			}
		}
		if v == nil {
			return false
		}
	}
	if ing := ingestMicros(&rw.r); ing != 0 && v.ing != 0 && ing < v.ing && v.hash != 0 {
		v.ing = ing
		if v == &s.seenVersion {
			w.seen[k] = s
		}
		w.versions.fixes = append(w.versions.fixes, ingestFix{signinKey: s.key, hash: v.hash, ing: ing})
		w.markPending(s.key)
	}
	return true
}

func ingestMicros(r *loaders.Record) int64 {
	if r.IngestedAt.IsZero() {
		return 0
	}
	return r.IngestedAt.UnixMicro()
}

func (w *writer) markPending(signinKey int64) {
	if w.versions.pending == nil {
		w.versions.pending = map[int64]struct{}{}
	}
	w.versions.pending[signinKey] = struct{}{}
}

// appendVersion keeps a further, different version of the sign-in signinKey; the merge at
// the next commit folds it into the signins row.
func (w *writer) appendVersion(fr *FileResult, k [2]uint64, signinKey int64, rw *row) error {
	w.addVersion(k, seenVersion{hash: rw.hash, ing: ingestMicros(&rw.r)})
	vkey := w.nextKey
	w.nextKey++
	if err := w.versions.appendMeta(signinKey, vkey, fr.SourceID, rw); err != nil {
		return err
	}
	w.markPending(signinKey)
	return w.appendRow(w.versions.rows, w.versions.ca, w.versions.steps, vkey, fr, rw)
}

// contentHash hashes what a record says in the normalized columns, CA policies and
// authentication steps, leaving out its ingestion time, its place in the file and the
// fields without a column (extra): two records with equal hashes are copies of one
// version. Extra is left out because it holds what differs between export formats of one
// event (envelope fields, Log Analytics' own columns), so the same sign-in downloaded in
// two formats stays a copy, and what Entra adds in a later version lands in columns. buf is scratch space,
// returned for reuse. Two CRC-32s (Castagnoli and IEEE, both in hardware on amd64 and
// arm64) give 64 bits at several GB/s; the hash only has to tell apart the versions of one
// sign-in, and it is stored, so it must not depend on a per-process seed.
func contentHash(buf []byte, r *loaders.Record) (uint64, []byte) {
	b := buf[:0]
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(v int64, ok bool) {
		if ok {
			b = append(b, 1)
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		} else {
			b = append(b, 0)
		}
	}
	str(r.LogType)
	for i := range r.S {
		str(r.S[i])
	}
	num(r.CreatedAt.UnixMicro(), true)
	num(r.ErrorCode, r.HasErrorCode)
	str(r.StatusHint)
	num(r.ASN.V, r.ASN.Valid)
	num(int64(math.Float64bits(r.Latitude.V)), r.Latitude.Valid)
	num(int64(math.Float64bits(r.Longitude.V)), r.Longitude.Valid)
	num(r.ProcessingMs.V, r.ProcessingMs.Valid)
	b = append(b, byte(r.Compliant), byte(r.Managed), byte(r.Interactive), byte(r.Flagged))
	num(int64(len(r.RiskEventTypes)), r.RiskEventTypes != nil)
	for _, s := range r.RiskEventTypes {
		str(s)
	}
	num(int64(len(r.CAPolicies)), true)
	for i := range r.CAPolicies {
		p := &r.CAPolicies[i]
		str(p.ID)
		str(p.Name)
		str(p.Result)
		num(int64(len(p.Grant)), true)
		for _, s := range p.Grant {
			str(s)
		}
		num(int64(len(p.Session)), true)
		for _, s := range p.Session {
			str(s)
		}
	}
	num(int64(len(r.AuthSteps)), true)
	for i := range r.AuthSteps {
		st := &r.AuthSteps[i]
		num(st.Time.UnixMicro(), !st.Time.IsZero())
		str(st.Method)
		str(st.MethodDetail)
		b = append(b, byte(st.Succeeded))
		str(st.ResultDetail)
		str(st.Requirement)
	}
	h := uint64(crc32.Checksum(b, castagnoli))<<32 | uint64(crc32.ChecksumIEEE(b))
	if h == 0 {
		h = 1 // 0 means "no hash" (a database from before versions were kept)
	}
	return h, b
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// mergeVersions rebuilds the signins row, CA policies and authentication steps of every
// sign-in that got a further version since the last merge, from all its versions (see the
// schema text of signins for the rule), and ranks the versions. The appenders must have
// been flushed.
func (w *writer) mergeVersions(ctx context.Context) error {
	if len(w.versions.pending) == 0 {
		return nil
	}
	keys := make([]string, 0, len(w.versions.pending))
	for k := range w.versions.pending {
		keys = append(keys, strconv.FormatInt(k, 10))
	}
	merged, fields, err := w.mergedColumns(ctx)
	if err != nil {
		return err
	}
	fixes := "SELECT 1" // nothing to insert
	if len(w.versions.fixes) > 0 {
		vals := make([]string, len(w.versions.fixes))
		for i, f := range w.versions.fixes {
			vals[i] = fmt.Sprintf("(%d, %d, make_timestamptz(%d))", f.signinKey, int64(f.hash), f.ing)
		}
		fixes = "INSERT INTO merge_fixes VALUES " + strings.Join(vals, ", ")
	}
	stmts := []string{
		"CREATE OR REPLACE TEMP TABLE merge_keys AS SELECT unnest([" + strings.Join(keys, ",") + "]::BIGINT[]) AS signin_key",
		// A sign-in's first version lives in signins until its second arrives: keep a copy.
		`CREATE OR REPLACE TEMP TABLE merge_first AS SELECT signin_key FROM merge_keys m
			WHERE NOT EXISTS (SELECT 1 FROM signin_version_rows r WHERE r.signin_key = m.signin_key)`,
		`INSERT INTO signin_version_rows SELECT * FROM signins WHERE signin_key IN (SELECT signin_key FROM merge_first)`,
		`INSERT INTO signin_version_ca_policies SELECT * FROM signin_ca_policies WHERE signin_key IN (SELECT signin_key FROM merge_first)`,
		// Steps that came with the sign-in (not those of a separate auth-details file).
		`INSERT INTO signin_version_auth_steps SELECT a.* FROM signin_auth_steps a JOIN signins s USING (signin_key)
			WHERE a.signin_key IN (SELECT signin_key FROM merge_first) AND a.source_id = s.source_id AND a.source_line = s.source_line`,
		`INSERT INTO signin_versions SELECT signin_key, signin_key, 0, ingested_at, 0, content_hash, source_id, source_line
			FROM signins WHERE signin_key IN (SELECT signin_key FROM merge_first)`,
		// Versions seen again with an earlier ingestion time.
		"CREATE OR REPLACE TEMP TABLE merge_fixes (sk BIGINT, hash BIGINT, ing TIMESTAMPTZ)",
		fixes,
		`UPDATE signin_versions SET ingested_at = f.ing FROM merge_fixes f
			WHERE signin_versions.signin_key = f.sk AND signin_versions.content_hash = f.hash AND signin_versions.ingested_at > f.ing`,
		`UPDATE signin_version_rows SET ingested_at = v.ingested_at FROM signin_versions v
			WHERE signin_version_rows.signin_key = v.version_key AND v.signin_key IN (SELECT sk FROM merge_fixes)`,
		// The values each version carries, for the merge order.
		`UPDATE signin_versions SET fields = f.n FROM (
			SELECT r.signin_key AS vk, ` + fields + `
				+ (SELECT count(*) FROM signin_version_auth_steps a WHERE a.signin_key = r.signin_key)
				+ (SELECT count(*) FROM signin_version_ca_policies c WHERE c.signin_key = r.signin_key) AS n
			FROM signin_version_rows r
			WHERE r.signin_key IN (SELECT version_key FROM signin_versions WHERE signin_key IN (SELECT signin_key FROM merge_keys))) f
			WHERE signin_versions.version_key = f.vk`,
		// Merge order: ingestion time, then fields carried, then file order.
		`CREATE OR REPLACE TEMP TABLE merge_versions AS SELECT signin_key AS sk, version_key AS vk,
			row_number() OVER (PARTITION BY signin_key ORDER BY ingested_at NULLS FIRST, fields, source_id, source_line, version_key) AS ord
			FROM signin_versions WHERE signin_key IN (SELECT signin_key FROM merge_keys)`,
		`UPDATE signin_versions SET version = m.ord FROM merge_versions m WHERE signin_versions.version_key = m.vk`,
		`CREATE OR REPLACE TEMP TABLE merge_rows AS SELECT ` + merged + `
			FROM merge_versions JOIN signin_version_rows r ON r.signin_key = merge_versions.vk GROUP BY merge_versions.sk`,
		`DELETE FROM signin_auth_steps a WHERE a.signin_key IN (SELECT signin_key FROM merge_keys)
			AND EXISTS (SELECT 1 FROM signin_version_rows r JOIN merge_versions m ON r.signin_key = m.vk
				WHERE m.sk = a.signin_key AND r.source_id = a.source_id AND r.source_line = a.source_line)`,
		`DELETE FROM signin_ca_policies WHERE signin_key IN (SELECT signin_key FROM merge_keys)`,
		`DELETE FROM signins WHERE signin_key IN (SELECT signin_key FROM merge_keys)`,
		`INSERT INTO signins SELECT * FROM merge_rows`,
		// Conditional Access results: those of the latest version that has any.
		`INSERT INTO signin_ca_policies SELECT m.sk, c.* EXCLUDE (signin_key)
			FROM signin_version_ca_policies c JOIN merge_versions m ON c.signin_key = m.vk
			WHERE m.ord = (SELECT max(m2.ord) FROM merge_versions m2 JOIN signin_version_ca_policies c2 ON c2.signin_key = m2.vk WHERE m2.sk = m.sk)`,
		// Authentication steps: the union of all versions' steps, in step time order, each
		// once, with the provenance of the first version that has it.
		`INSERT INTO signin_auth_steps
			WITH s AS (SELECT m.sk, m.ord * 1000000 + a.step_index AS o, a.* EXCLUDE (signin_key)
				FROM signin_version_auth_steps a JOIN merge_versions m ON a.signin_key = m.vk),
			d AS (SELECT sk, step_time, method, method_detail, succeeded, result_detail, requirement, min(o) AS o,
				arg_min(request_id, o) AS request_id, arg_min(log_type, o) AS log_type, arg_min(extra, o) AS extra,
				arg_min(source_id, o) AS source_id, arg_min(source_line, o) AS source_line
				FROM s GROUP BY sk, step_time, method, method_detail, succeeded, result_detail, requirement)
			SELECT sk, request_id, log_type, row_number() OVER (PARTITION BY sk ORDER BY step_time NULLS LAST, o)::INTEGER,
				step_time, method, method_detail, succeeded, result_detail, requirement, extra, source_id, source_line FROM d`,
		"DROP TABLE merge_fixes",
		"DROP TABLE merge_rows",
		"DROP TABLE merge_versions",
		"DROP TABLE merge_first",
		"DROP TABLE merge_keys",
	}
	for _, q := range stmts {
		if _, err := w.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("merge versions of sign-ins: %w", err)
		}
	}
	w.versions.pending, w.versions.fixes = nil, nil
	return nil
}

// mergedColumns is the select list that merges the versions of a sign-in into one signins
// row (columns in table order): each column from the latest version (ord) that carries a
// value, else from the latest that is not NULL; the ingestion time is the latest, the
// provenance and content hash those of the latest version, extra fields merged key by key.
// fields is the expression counting the values a version row r carries: columns that are
// neither NULL nor empty nor a default (none, unknown), beyond the identity and provenance.
func (w *writer) mergedColumns(ctx context.Context) (merged, fields string, err error) {
	rows, err := w.conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name = 'signins' ORDER BY ordinal_position`)
	if err != nil {
		return "", "", fmt.Errorf("read signins columns: %w", err)
	}
	defer rows.Close()
	var cols, counts []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return "", "", fmt.Errorf("read signins columns: %w", err)
		}
		c := `r."` + name + `"`
		var e, n string
		switch {
		case name == "signin_key":
			e = "merge_versions.sk"
		case name == "ingested_at":
			e = "max(" + c + ")"
		case name == "source_id" || name == "source_file" || name == "source_line" || name == "content_hash":
			e = "arg_max(" + c + ", ord)"
		case name == "extra":
			e = "CASE WHEN count(" + c + ") > 0 THEN list_reduce(list(" + c + " ORDER BY ord) FILTER (WHERE " + c +
				" IS NOT NULL), lambda a, b: json_merge_patch(a, b)) END"
		case typ == "VARCHAR":
			e = "coalesce(arg_max(" + c + ", ord) FILTER (WHERE " + c + " <> '' AND lower(" + c + ") NOT IN ('none', 'unknown')), arg_max(" +
				c + ", ord))"
			n = "coalesce(" + c + " <> '' AND lower(" + c + ") NOT IN ('none', 'unknown'), false)::INTEGER"
		case strings.HasSuffix(typ, "[]"):
			e = "coalesce(arg_max(" + c + ", ord) FILTER (WHERE len(" + c + ") > 0), arg_max(" + c + ", ord))"
			n = "coalesce(len(" + c + ") > 0, false)::INTEGER"
		default:
			e = "arg_max(" + c + ", ord)" // arg_max skips NULL values
			n = "(" + c + " IS NOT NULL)::INTEGER"
		}
		switch name {
		case "log_type", "id", "created_at", "error_code", "status":
			n = "" // the same in every version
		}
		cols = append(cols, e+` AS "`+name+`"`)
		if n != "" {
			counts = append(counts, n)
		}
	}
	if err := rows.Err(); err != nil {
		return "", "", fmt.Errorf("read signins columns: %w", err)
	}
	return strings.Join(cols, ", "), strings.Join(counts, " + "), nil
}
