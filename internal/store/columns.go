package store

// How a sign-in, its CA policies and authentication steps, a problem and a source
// become table rows, column by column.

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signinlens/signinlens/internal/loaders"
)

func (w *writer) insertSource(ctx context.Context, fr *FileResult) error {
	// An appender like the rows it accounts for, in the same transaction: one INSERT per
	// file cost about 2 ms of statement overhead, most of the load time of hourly folders.
	lt, _ := json.Marshal(fr.LogTypes)
	sk, _ := json.Marshal(fr.SkippedCategories)
	var first, last any
	if fr.First != nil {
		first, last = *fr.First, *fr.Last
	}
	err := w.sources.AppendRow(int32(fr.SourceID), fr.Path, fr.Bytes, fr.SHA256, fr.Format, fr.Detection, fr.Encoding,
		json.RawMessage(lt), fr.Records, fr.Loaded, fr.Versions, fr.Duplicates, fr.Rejected, fr.Skipped, json.RawMessage(sk), first, last,
		anyList(fr.Unavailable), anyList(fr.Notes), time.Now())
	if err != nil {
		return fmt.Errorf("record source %s: %w", fr.Path, err)
	}
	return nil
}

// anyList is a text list for an appender's LIST column; nil becomes an empty list.
func anyList(items []string) []any {
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = clean(s)
	}
	return out
}

func (w *writer) appendSignin(fr *FileResult, rw *row) error {
	key := w.nextKey
	w.nextKey++
	return w.appendRow(w.signins, w.ca, w.steps, key, fr, rw)
}

// appendRow writes a sign-in with its CA policies and steps to the tables given (signins
// and its child tables, or their signin_version_* twins).
func (w *writer) appendRow(a, ca, steps *chunkAppender, key int64, fr *FileResult, rw *row) error {
	r := &rw.r
	a.BigInt(key)
	a.Text(r.LogType)
	a.Text(r.S[loaders.ID])
	a.Time(r.CreatedAt)
	a.Time(r.IngestedAt)
	texts(a, r, loaders.CorrelationID, loaders.SPCredentialThumbprint)
	texts(a, r, loaders.ClientCredentialType, loaders.FederatedCredentialID)
	texts(a, r, loaders.IPAddress, loaders.IPAddressFromResourceProvider)
	a.OptBigInt(r.ASN.V, r.ASN.Valid)
	texts(a, r, loaders.City, loaders.Country)
	unknown := r.Latitude.Valid && r.Longitude.Valid && r.Latitude.V == 0 && r.Longitude.V == 0 // 0,0
	a.OptDouble(r.Latitude.V, r.Latitude.Valid && !unknown)
	a.OptDouble(r.Longitude.V, r.Longitude.Valid && !unknown)
	a.Int(int32(r.ErrorCode))
	texts(a, r, loaders.FailureReason, loaders.AdditionalDetails)
	a.Text(r.Status())
	texts(a, r, loaders.ClientAppUsed, loaders.DeviceName)
	a.OptBool(tri(r.Compliant))
	a.OptBool(tri(r.Managed))
	texts(a, r, loaders.DeviceTrustType, loaders.RiskDetail)
	a.TextList(r.RiskEventTypes)
	texts(a, r, loaders.CrossTenantAccessType, loaders.TenantID)
	a.OptBool(tri(r.Interactive))
	a.OptBool(tri(r.Flagged))
	a.OptBigInt(r.ProcessingMs.V, r.ProcessingMs.Valid)
	a.Text(r.S[loaders.OriginalTransferMethod])
	a.JSON(rw.extra)
	a.Int(int32(fr.SourceID))
	a.Text(fr.Path)
	a.BigInt(sourceLine(r))
	a.BigInt(int64(rw.hash))
	if err := a.EndRow(); err != nil {
		return err
	}
	for i := range rw.ca {
		p := &rw.ca[i]
		c := ca
		c.BigInt(key)
		c.Text(p.ID)
		c.Text(p.Name)
		c.Text(p.Result)
		c.TextList(p.Grant)
		c.TextList(p.Session)
		c.JSON(p.Extra)
		if err := c.EndRow(); err != nil {
			return err
		}
	}
	for i := range rw.steps {
		st := &rw.steps[i]
		st.RequestID, st.LogType = r.S[loaders.ID], r.LogType
		if err := appendStepTo(steps, key, true, st, i+1, fr.SourceID, sourceLine(r)); err != nil {
			return err
		}
	}
	return nil
}

// texts writes the text columns from..to inclusive.
func texts(a *chunkAppender, r *loaders.Record, from, to loaders.Str) {
	for i := from; i <= to; i++ {
		a.Text(r.S[i])
	}
}

// tri is a BOOLEAN column's value and whether it is known.
func tri(t loaders.Tri) (v, ok bool) {
	return t == loaders.True, t != loaders.Unknown
}

func sourceLine(r *loaders.Record) int64 {
	if r.Line > 0 {
		return r.Line
	}
	return r.Index
}

// appendStep writes an authentication step; a step whose sign-in is not (yet) loaded has
// no key (linked false).
func (w *writer) appendStep(key int64, linked bool, st *loaders.AuthStep, index, sourceID int, line int64) error {
	return appendStepTo(w.steps, key, linked, st, index, sourceID, line)
}

func appendStepTo(a *chunkAppender, key int64, linked bool, st *loaders.AuthStep, index, sourceID int, line int64) error {
	a.OptBigInt(key, linked)
	a.Text(st.RequestID)
	a.Text(st.LogType)
	a.Int(int32(index))
	a.Time(st.Time)
	a.Text(st.Method)
	a.Text(st.MethodDetail)
	a.OptBool(tri(st.Succeeded))
	a.Text(st.ResultDetail)
	a.Text(st.Requirement)
	a.JSON(st.Extra)
	a.Int(int32(sourceID))
	a.BigInt(line)
	return a.EndRow()
}

func (w *writer) appendProblem(fr *FileResult, p loaders.Problem) error {
	var line, rec, off any
	if p.Line > 0 {
		line = p.Line
	}
	if p.Index > 0 {
		rec = p.Index
	}
	if p.Offset >= 0 {
		off = p.Offset
	}
	return w.problems.AppendRow(int32(fr.SourceID), fr.Path, line, rec, off, nullStr(p.Field), clean(p.Reason), nullStr(p.Excerpt))
}

func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func nullStr(s string) driver.Value {
	if s == "" {
		return nil
	}
	return clean(s)
}
