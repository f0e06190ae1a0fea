package store

// Ingestion of the two sibling logs: audit events (audits, audit_targets,
// audit_modified_properties) and provisioning events (provisioning), with the sign-ins'
// accounting: each record is loaded, a duplicate (same key, same content hash), a further
// version (same key, different hash: kept in the *_versions tables and merged, see
// mergeSiblings) or rejected by the loader.

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/signinlens/signinlens/internal/loaders"
)

// auditRow is an audit event copied out of the loader's reused buffer.
type auditRow struct {
	a     loaders.AuditRecord
	extra []byte
	key   [2]uint64
	hash  uint64
}

// provRow is a provisioning event copied out of the loader's reused buffer.
type provRow struct {
	p     loaders.ProvisioningRecord
	extra []byte
	key   [2]uint64
	hash  uint64
}

func (s *fileSink) Audit(a *loaders.AuditRecord) error {
	rw := auditRow{a: a.Detach(), key: auditKey(s.seeds, a), extra: a.AppendExtra(nil)}
	rw.hash, s.hashBuf = auditHash(s.hashBuf, a)
	s.cur.audits = append(s.cur.audits, rw)
	if len(s.cur.audits) >= batchSize {
		s.flush()
	}
	return nil
}

func (s *fileSink) Provisioning(p *loaders.ProvisioningRecord) error {
	rw := provRow{p: p.Detach(), key: provKey(s.seeds, p), extra: p.AppendExtra(nil)}
	rw.hash, s.hashBuf = provHash(s.hashBuf, p)
	s.cur.provs = append(s.cur.provs, rw)
	if len(s.cur.provs) >= batchSize {
		s.flush()
	}
	return nil
}

// auditKey identifies an audit event: id and activity time; without an id, the fields that
// tell events apart as well.
func auditKey(seeds [2]maphash.Seed, a *loaders.AuditRecord) [2]uint64 {
	var fields []string
	if a.S[loaders.AuditID] == "" {
		fields = []string{a.S[loaders.AuditCategory], a.S[loaders.AuditActivity], a.S[loaders.AuditCorrelationID],
			a.S[loaders.AuditInitiatorUserID], a.S[loaders.AuditInitiatorAppID], a.S[loaders.AuditInitiatorSPID], a.S[loaders.AuditResult]}
	}
	return eventKey(seeds, 'a', a.S[loaders.AuditID], a.ActivityAt, fields)
}

// provKey is auditKey for a provisioning event.
func provKey(seeds [2]maphash.Seed, p *loaders.ProvisioningRecord) [2]uint64 {
	var fields []string
	if p.S[loaders.ProvID] == "" {
		fields = []string{p.S[loaders.ProvJobID], p.S[loaders.ProvCycleID], p.S[loaders.ProvChangeID],
			p.S[loaders.ProvAction], p.S[loaders.ProvSourceIdentityID]}
	}
	return eventKey(seeds, 'p', p.S[loaders.ProvID], p.ActivityAt, fields)
}

func eventKey(seeds [2]maphash.Seed, kind byte, id string, at time.Time, fields []string) [2]uint64 {
	var h1, h2 maphash.Hash
	h1.SetSeed(seeds[0])
	h2.SetSeed(seeds[1])
	var nums [8]byte
	binary.LittleEndian.PutUint64(nums[:], uint64(at.UnixMicro())) // DuckDB keeps microseconds
	for _, h := range []*maphash.Hash{&h1, &h2} {
		h.WriteByte(kind)
		h.WriteString(id)
		h.WriteByte(0)
		h.Write(nums[:])
		for _, f := range fields {
			h.WriteByte(0)
			h.WriteString(f)
		}
	}
	return [2]uint64{h1.Sum64(), h2.Sum64()}
}

// hasher builds the text a content hash is taken of.
type hasher struct{ b []byte }

func (h *hasher) str(s string) {
	h.b = binary.AppendUvarint(h.b, uint64(len(s)))
	h.b = append(h.b, s...)
}

func (h *hasher) num(v int64, ok bool) {
	if ok {
		h.b = append(h.b, 1)
		h.b = binary.LittleEndian.AppendUint64(h.b, uint64(v))
	} else {
		h.b = append(h.b, 0)
	}
}

func (h *hasher) sum() uint64 {
	s := uint64(crc32.Checksum(h.b, castagnoli))<<32 | uint64(crc32.ChecksumIEEE(h.b))
	if s == 0 {
		s = 1
	}
	return s
}

// auditHash hashes what an audit event says in its columns, targets and modified
// properties, without ingestion time, provenance and extra fields (of the event and of its
// targets), as contentHash does for sign-ins.
func auditHash(buf []byte, a *loaders.AuditRecord) (uint64, []byte) {
	h := hasher{b: buf[:0]}
	for i := range a.S {
		h.str(a.S[i])
	}
	h.num(a.ActivityAt.UnixMicro(), true)
	h.str(string(a.Details))
	h.num(int64(len(a.Targets)), true)
	for i := range a.Targets {
		t := &a.Targets[i]
		h.str(t.Type)
		h.str(t.ID)
		h.str(t.DisplayName)
		h.str(t.UPN)
		h.str(t.GroupType)
		h.num(int64(len(t.Props)), true)
		for _, p := range t.Props {
			h.str(p.Name)
			h.str(p.Old)
			h.str(p.New)
		}
	}
	return h.sum(), h.b
}

// provHash is auditHash for a provisioning event.
func provHash(buf []byte, p *loaders.ProvisioningRecord) (uint64, []byte) {
	h := hasher{b: buf[:0]}
	for i := range p.S {
		h.str(p.S[i])
	}
	h.num(p.ActivityAt.UnixMicro(), true)
	h.num(p.DurationMs.V, p.DurationMs.Valid)
	h.str(string(p.Steps))
	h.str(string(p.Modified))
	return h.sum(), h.b
}

// siblingWriter holds the appenders and the de-duplication state of the two sibling logs.
type siblingWriter struct {
	audits, targets, props, prov *chunkAppender
	// The version tables.
	aVersions, aRows, aTargets, aProps, pVersions, pRows *chunkAppender
	seenAudits, seenProv                                 map[[2]uint64]seenSignin
	// moreAudits and moreProv hold the content hashes of versions after the first.
	moreAudits, moreProv      map[[2]uint64][]uint64
	pendingAudit, pendingProv map[int64]struct{}
	nextAudit, nextProv       int64
}

func (s *siblingWriter) open(raw bindings.Connection) error {
	var err error
	for _, t := range []struct {
		a    **chunkAppender
		name string
	}{
		{&s.audits, "audits"}, {&s.targets, "audit_targets"}, {&s.props, "audit_modified_properties"}, {&s.prov, "provisioning"},
		{&s.aVersions, "audit_versions"}, {&s.aRows, "audit_version_rows"}, {&s.aTargets, "audit_version_targets"},
		{&s.aProps, "audit_version_modified_properties"}, {&s.pVersions, "provisioning_versions"}, {&s.pRows, "provisioning_version_rows"},
	} {
		if *t.a, err = newChunkAppender(raw, t.name); err != nil {
			return err
		}
	}
	return nil
}

func (s *siblingWriter) appenders() []*chunkAppender {
	return []*chunkAppender{s.audits, s.targets, s.props, s.prov, s.aVersions, s.aRows, s.aTargets, s.aProps, s.pVersions, s.pRows}
}

// prime reads the keys and content hashes of the events the database already holds.
func (s *siblingWriter) prime(ctx context.Context, d *DB, seeds [2]maphash.Seed) error {
	s.seenAudits, s.seenProv = map[[2]uint64]seenSignin{}, map[[2]uint64]seenSignin{}
	db := d.SQL
	if err := db.QueryRowContext(ctx, `SELECT greatest((SELECT coalesce(max(audit_key), 0) FROM audits),
		(SELECT coalesce(max(version_key), 0) FROM audit_versions)) + 1`).Scan(&s.nextAudit); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT greatest((SELECT coalesce(max(provisioning_key), 0) FROM provisioning),
		(SELECT coalesce(max(version_key), 0) FROM provisioning_versions)) + 1`).Scan(&s.nextProv); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT coalesce(id, ''), epoch_us(activity_at), coalesce(category, ''), coalesce(activity, ''),
		coalesce(correlation_id, ''), coalesce(initiator_user_id, ''), coalesce(initiator_app_id, ''),
		coalesce(initiator_service_principal_id, ''), coalesce(result, ''), a.audit_key,
		coalesce(CASE WHEN v.audit_key IS NULL THEN a.content_hash ELSE v.content_hash END, 0)
		FROM audits a LEFT JOIN audit_versions v USING (audit_key)`)
	if err != nil {
		return fmt.Errorf("read existing audit events: %w", err)
	}
	defer rows.Close()
	var a loaders.AuditRecord
	for rows.Next() {
		var us, key, hash int64
		if err := rows.Scan(&a.S[loaders.AuditID], &us, &a.S[loaders.AuditCategory], &a.S[loaders.AuditActivity],
			&a.S[loaders.AuditCorrelationID], &a.S[loaders.AuditInitiatorUserID], &a.S[loaders.AuditInitiatorAppID],
			&a.S[loaders.AuditInitiatorSPID], &a.S[loaders.AuditResult], &key, &hash); err != nil {
			return fmt.Errorf("read existing audit events: %w", err)
		}
		a.ActivityAt = time.UnixMicro(us).UTC()
		s.moreAudits = remember(s.seenAudits, s.moreAudits, auditKey(seeds, &a), key, uint64(hash))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read existing audit events: %w", err)
	}
	prows, err := db.QueryContext(ctx, `SELECT coalesce(id, ''), epoch_us(activity_at), coalesce(job_id, ''), coalesce(cycle_id, ''),
		coalesce(change_id, ''), coalesce(action, ''), coalesce(source_identity_id, ''), p.provisioning_key,
		coalesce(CASE WHEN v.provisioning_key IS NULL THEN p.content_hash ELSE v.content_hash END, 0)
		FROM provisioning p LEFT JOIN provisioning_versions v USING (provisioning_key)`)
	if err != nil {
		return fmt.Errorf("read existing provisioning events: %w", err)
	}
	defer prows.Close()
	var p loaders.ProvisioningRecord
	for prows.Next() {
		var us, key, hash int64
		if err := prows.Scan(&p.S[loaders.ProvID], &us, &p.S[loaders.ProvJobID], &p.S[loaders.ProvCycleID], &p.S[loaders.ProvChangeID],
			&p.S[loaders.ProvAction], &p.S[loaders.ProvSourceIdentityID], &key, &hash); err != nil {
			return fmt.Errorf("read existing provisioning events: %w", err)
		}
		p.ActivityAt = time.UnixMicro(us).UTC()
		s.moreProv = remember(s.seenProv, s.moreProv, provKey(seeds, &p), key, uint64(hash))
	}
	return prows.Err()
}

// remember records one version read back from the database.
func remember(seen map[[2]uint64]seenSignin, more map[[2]uint64][]uint64, k [2]uint64, key int64, hash uint64) map[[2]uint64][]uint64 {
	if s, ok := seen[k]; ok {
		if s.hash != hash {
			if more == nil {
				more = map[[2]uint64][]uint64{}
			}
			more[k] = append(more[k], hash)
		}
		return more
	}
	seen[k] = seenSignin{key: key, seenVersion: seenVersion{hash: hash}}
	return more
}

// known tells whether hash is one of the versions already loaded of the event seen.
func known(seen seenSignin, more []uint64, hash uint64) bool {
	if seen.hash == hash {
		return true
	}
	for _, h := range more {
		if h == hash {
			return true
		}
	}
	return false
}

// batch writes a batch's audit and provisioning events, counting them into fr and widening
// the file's event span.
func (s *siblingWriter) batch(fr *FileResult, b *batch, first, last *time.Time) error {
	span := func(t time.Time) {
		if first.IsZero() || t.Before(*first) {
			*first = t
		}
		if t.After(*last) {
			*last = t
		}
	}
	for i := range b.audits {
		rw := &b.audits[i]
		fr.Records++
		if seen, ok := s.seenAudits[rw.key]; ok {
			if known(seen, s.moreAudits[rw.key], rw.hash) {
				fr.Duplicates++
				continue
			}
			if s.moreAudits == nil {
				s.moreAudits = map[[2]uint64][]uint64{}
			}
			s.moreAudits[rw.key] = append(s.moreAudits[rw.key], rw.hash)
			vkey := s.nextAudit
			s.nextAudit++
			if err := appendVersionMeta(s.aVersions, seen.key, vkey, fr.SourceID, rw.a.IngestedAt, rw.hash, auditLine(&rw.a)); err != nil {
				return fmt.Errorf("write %s %s: %w", fr.Path, place(rw.a.Line, rw.a.Index), err)
			}
			if err := appendAudit(s.aRows, s.aTargets, s.aProps, vkey, fr, rw); err != nil {
				return fmt.Errorf("write %s %s: %w", fr.Path, place(rw.a.Line, rw.a.Index), err)
			}
			s.pendingAudit = pend(s.pendingAudit, seen.key)
			fr.Versions++
			continue
		}
		key := s.nextAudit
		s.nextAudit++
		s.seenAudits[rw.key] = seenSignin{key: key, seenVersion: seenVersion{hash: rw.hash}}
		if err := appendAudit(s.audits, s.targets, s.props, key, fr, rw); err != nil {
			return fmt.Errorf("write %s %s: %w", fr.Path, place(rw.a.Line, rw.a.Index), err)
		}
		fr.Loaded++
		fr.LogTypes[loaders.AuditLog]++
		span(rw.a.ActivityAt)
	}
	for i := range b.provs {
		rw := &b.provs[i]
		fr.Records++
		if seen, ok := s.seenProv[rw.key]; ok {
			if known(seen, s.moreProv[rw.key], rw.hash) {
				fr.Duplicates++
				continue
			}
			if s.moreProv == nil {
				s.moreProv = map[[2]uint64][]uint64{}
			}
			s.moreProv[rw.key] = append(s.moreProv[rw.key], rw.hash)
			vkey := s.nextProv
			s.nextProv++
			if err := appendVersionMeta(s.pVersions, seen.key, vkey, fr.SourceID, rw.p.IngestedAt, rw.hash, provLine(&rw.p)); err != nil {
				return fmt.Errorf("write %s %s: %w", fr.Path, place(rw.p.Line, rw.p.Index), err)
			}
			if err := appendProv(s.pRows, vkey, fr, rw); err != nil {
				return fmt.Errorf("write %s %s: %w", fr.Path, place(rw.p.Line, rw.p.Index), err)
			}
			s.pendingProv = pend(s.pendingProv, seen.key)
			fr.Versions++
			continue
		}
		key := s.nextProv
		s.nextProv++
		s.seenProv[rw.key] = seenSignin{key: key, seenVersion: seenVersion{hash: rw.hash}}
		if err := appendProv(s.prov, key, fr, rw); err != nil {
			return fmt.Errorf("write %s %s: %w", fr.Path, place(rw.p.Line, rw.p.Index), err)
		}
		fr.Loaded++
		fr.LogTypes[loaders.ProvisioningLog]++
		span(rw.p.ActivityAt)
	}
	return nil
}

func pend(m map[int64]struct{}, k int64) map[int64]struct{} {
	if m == nil {
		m = map[int64]struct{}{}
	}
	m[k] = struct{}{}
	return m
}

func place(line, index int64) string {
	if line > 0 {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("record %d", index)
}

func auditLine(a *loaders.AuditRecord) int64 {
	if a.Line > 0 {
		return a.Line
	}
	return a.Index
}

func provLine(p *loaders.ProvisioningRecord) int64 {
	if p.Line > 0 {
		return p.Line
	}
	return p.Index
}

// appendVersionMeta writes an audit_versions or provisioning_versions row (the rank is set
// by the merge).
func appendVersionMeta(a *chunkAppender, key, vkey int64, sourceID int, ingested time.Time, hash uint64, line int64) error {
	a.BigInt(key)
	a.BigInt(vkey)
	a.Int(0)
	a.Time(ingested)
	a.BigInt(int64(hash))
	a.Int(int32(sourceID))
	a.BigInt(line)
	return a.EndRow()
}

// appendAudit writes an audit event with its targets and modified properties to the tables
// given (audits and its child tables, or their audit_version_* twins).
func appendAudit(a, targets, props *chunkAppender, key int64, fr *FileResult, rw *auditRow) error {
	r := &rw.a
	a.BigInt(key)
	a.Text(r.S[loaders.AuditID])
	a.Time(r.ActivityAt)
	a.Time(r.IngestedAt)
	for i := loaders.AuditID + 1; i < loaders.NumAuditStr; i++ {
		a.Text(r.S[i])
	}
	a.JSON(r.Details)
	a.JSON(rw.extra)
	a.Int(int32(fr.SourceID))
	a.Text(fr.Path)
	a.BigInt(auditLine(r))
	a.BigInt(int64(rw.hash))
	if err := a.EndRow(); err != nil {
		return err
	}
	for ti := range r.Targets {
		t := &r.Targets[ti]
		targets.BigInt(key)
		targets.Int(int32(ti + 1))
		targets.Text(t.Type)
		targets.Text(t.ID)
		targets.Text(t.DisplayName)
		targets.Text(t.UPN)
		targets.Text(t.GroupType)
		targets.JSON(t.Extra)
		if err := targets.EndRow(); err != nil {
			return err
		}
		for pi, p := range t.Props {
			props.BigInt(key)
			props.Int(int32(ti + 1))
			props.Int(int32(pi + 1))
			props.Text(p.Name)
			props.Text(p.Old)
			props.Text(p.New)
			if err := props.EndRow(); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendProv writes a provisioning event to provisioning or provisioning_version_rows.
func appendProv(a *chunkAppender, key int64, fr *FileResult, rw *provRow) error {
	r := &rw.p
	a.BigInt(key)
	a.Text(r.S[loaders.ProvID])
	a.Time(r.ActivityAt)
	a.Time(r.IngestedAt)
	for i := loaders.ProvID + 1; i < loaders.NumProvStr; i++ {
		a.Text(r.S[i])
	}
	a.OptBigInt(r.DurationMs.V, r.DurationMs.Valid)
	a.JSON(r.Steps)
	a.JSON(r.Modified)
	a.JSON(rw.extra)
	a.Int(int32(fr.SourceID))
	a.Text(fr.Path)
	a.BigInt(provLine(r))
	a.BigInt(int64(rw.hash))
	return a.EndRow()
}
