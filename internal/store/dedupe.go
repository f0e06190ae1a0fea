package store

// De-duplication keys: the keys of what the database already holds (prime), and the
// keys of sign-ins and authentication steps. What a seen key means (copy, further version
// or new sign-in) is decided in writer.file with isCopy (versions.go).

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"time"

	"github.com/signinlens/signinlens/internal/loaders"
)

// prime loads the keys of what the database already holds, so loading more files later
// de-duplicates against earlier loads too.
func (w *writer) prime(ctx context.Context) error {
	db := w.d.SQL
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(signin_key), 0) + 1 FROM signins").Scan(&w.nextKey); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(source_id), 0) + 1 FROM sources").Scan(&w.nextSrc); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT greatest(?, coalesce(max(version_key), 0) + 1) FROM signin_versions", w.nextKey).Scan(&w.nextKey); err != nil {
		return fmt.Errorf("read database: %w", err)
	}
	if err := w.sib.prime(ctx, w.d, [2]maphash.Seed{w.seed1, w.seed2}); err != nil {
		return err
	}
	// One row per version of each sign-in (the sign-in itself when it has one): the sign-in's
	// key, and the version's content hash and ingestion time.
	rows, err := db.QueryContext(ctx, `SELECT coalesce(id, ''), log_type, epoch_ns(created_at), error_code,
		coalesce(user_id, ''), coalesce(app_id, ''), coalesce(ip_address, ''), coalesce(correlation_id, ''),
		coalesce(unique_token_id, ''), coalesce(service_principal_id, ''), s.signin_key,
		coalesce(CASE WHEN v.signin_key IS NULL THEN s.content_hash ELSE v.content_hash END, 0),
		coalesce(epoch_us(CASE WHEN v.signin_key IS NULL THEN s.ingested_at ELSE v.ingested_at END), 0)
		FROM signins s LEFT JOIN signin_versions v USING (signin_key)`)
	if err != nil {
		return fmt.Errorf("read existing sign-ins: %w", err)
	}
	defer rows.Close()
	var r loaders.Record
	for rows.Next() {
		var ns, skey, hash, ing int64
		if err := rows.Scan(&r.S[loaders.ID], &r.LogType, &ns, &r.ErrorCode, &r.S[loaders.UserID], &r.S[loaders.AppID],
			&r.S[loaders.IPAddress], &r.S[loaders.CorrelationID], &r.S[loaders.UniqueTokenID], &r.S[loaders.ServicePrincipalID],
			&skey, &hash, &ing); err != nil {
			return fmt.Errorf("read existing sign-ins: %w", err)
		}
		r.CreatedAt = time.Unix(0, ns).UTC()
		w.remember(w.key(&r), skey, seenVersion{hash: uint64(hash), ing: ing})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read existing sign-ins: %w", err)
	}
	srows, err := db.QueryContext(ctx, `SELECT coalesce(request_id, ''), coalesce(log_type, ''), coalesce(epoch_ns(step_time), 0),
		coalesce(method, ''), coalesce(method_detail, ''), coalesce(succeeded::VARCHAR, ''), coalesce(result_detail, ''),
		coalesce(requirement, ''), coalesce(source_line, 0) FROM signin_auth_steps
		WHERE source_id IN (SELECT source_id FROM sources WHERE format = 'admin-authdetails-csv')`)
	if err != nil {
		return fmt.Errorf("read existing auth steps: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var st loaders.AuthStep
		var ns int64
		var succ string
		if err := srows.Scan(&st.RequestID, &st.LogType, &ns, &st.Method, &st.MethodDetail, &succ, &st.ResultDetail, &st.Requirement, &st.Line); err != nil {
			return fmt.Errorf("read existing auth steps: %w", err)
		}
		if ns != 0 {
			st.Time = time.Unix(0, ns).UTC()
		}
		st.Succeeded, _ = loaders.ParseBool(succ)
		w.seenSteps[w.stepKey(&st)] = struct{}{}
	}
	return srows.Err()
}

// key identifies a sign-in for de-duplication: id, log type, event time and error code;
// records without an id are identified by their other identifying fields as well.
func (w *writer) key(r *loaders.Record) [2]uint64 {
	return signinKey([2]maphash.Seed{w.seed1, w.seed2}, r)
}

// signinKey is writer.key; parsers call it, so the writer only looks the key up.
func signinKey(seeds [2]maphash.Seed, r *loaders.Record) [2]uint64 {
	var h1, h2 maphash.Hash
	h1.SetSeed(seeds[0])
	h2.SetSeed(seeds[1])
	// DuckDB keeps microseconds; compare at that precision so reloads match.
	var nums [16]byte
	binary.LittleEndian.PutUint64(nums[:8], uint64(r.CreatedAt.UnixMicro()))
	binary.LittleEndian.PutUint64(nums[8:], uint64(r.ErrorCode))
	for _, h := range []*maphash.Hash{&h1, &h2} {
		h.WriteString(r.S[loaders.ID])
		h.WriteByte(0)
		h.WriteString(r.LogType)
		h.WriteByte(0)
		h.Write(nums[:])
		if r.S[loaders.ID] == "" {
			for _, f := range []loaders.Str{loaders.UserID, loaders.AppID, loaders.IPAddress, loaders.CorrelationID, loaders.UniqueTokenID, loaders.ServicePrincipalID} {
				h.WriteByte(0)
				h.WriteString(r.S[f])
			}
		}
	}
	return [2]uint64{h1.Sum64(), h2.Sum64()}
}

func (w *writer) stepKey(st *loaders.AuthStep) [2]uint64 {
	// Formatted once and hashed with both seeds: the writer does this for every step row.
	k := fmt.Sprintf("%s\x00%s\x00%d\x00%s\x00%s\x00%d\x00%s\x00%s\x00%d", st.RequestID, st.LogType, st.Time.UnixMicro(),
		st.Method, st.MethodDetail, st.Succeeded, st.ResultDetail, st.Requirement, st.Line)
	return [2]uint64{maphash.String(w.seed1, k), maphash.String(w.seed2, k)}
}
