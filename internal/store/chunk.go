package store

// A table appender that writes DuckDB data chunks in place.
//
// duckdb-go's Appender takes a row as []driver.Value and sets each value through a type
// switch and, for text, one cgo call (plus, for JSON columns, a round of encoding/json):
// about 35 µs per sign-in with its child rows, the largest single cost of a load. This
// appender writes the chunk's memory directly (fixed-width values, 16-byte string_t
// headers, validity bits) and makes cgo calls only per chunk of 2,048 rows. Long strings
// are copied into Go memory that stays pinned while DuckDB reads the chunk; DuckDB copies
// what it appends (the appender's collection owns its strings), so the memory is reused
// for the next chunk.

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// colKind is what the writer puts in a column; each is checked against the table.
type colKind uint8

const (
	kText     colKind = iota // VARCHAR
	kJSON                    // JSON (stored as VARCHAR; the text must be valid JSON)
	kBigint                  // BIGINT
	kInt                     // INTEGER
	kDouble                  // DOUBLE
	kBool                    // BOOLEAN
	kTime                    // TIMESTAMP WITH TIME ZONE
	kTextList                // VARCHAR[]
)

func (k colKind) String() string {
	return [...]string{"VARCHAR", "JSON", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "TIMESTAMPTZ", "VARCHAR[]"}[k]
}

// kindOf is the column kind of a DuckDB type; false when this appender cannot write it.
func kindOf(t bindings.LogicalType) (colKind, bool) {
	switch bindings.GetTypeId(t) {
	case bindings.TypeVarchar:
		if bindings.LogicalTypeGetAlias(t) == "JSON" {
			return kJSON, true
		}
		return kText, true
	case bindings.TypeBigInt:
		return kBigint, true
	case bindings.TypeInteger:
		return kInt, true
	case bindings.TypeDouble:
		return kDouble, true
	case bindings.TypeBoolean:
		return kBool, true
	case bindings.TypeTimestampTZ:
		return kTime, true
	case bindings.TypeList:
		child := bindings.ListTypeChildType(t)
		defer bindings.DestroyLogicalType(&child)
		if bindings.GetTypeId(child) == bindings.TypeVarchar {
			return kTextList, true
		}
	}
	return 0, false
}

type chunkColumn struct {
	kind colKind
	vec  bindings.Vector
	data unsafe.Pointer // the vector's values: width depends on kind
	mask []uint64       // validity bits, one per row (1 = valid)
	// VARCHAR[] only: the child vector of all items of the chunk.
	child     bindings.Vector
	childData unsafe.Pointer
	items     int // items used in child
	itemCap   int // items reserved in child
}

// chunkAppender appends rows to one table, value by value in column order:
//
//	a.BigInt(k); a.Text(s); ...; a.EndRow()
type chunkAppender struct {
	table string
	app   bindings.Appender
	chunk bindings.DataChunk
	cols  []chunkColumn
	size  int // rows per chunk
	row   int // rows written in the chunk
	col   int // next column of the row being written
	arena arena
	err   error // first error of a row, reported by EndRow
}

// rawConn is the DuckDB C connection behind a duckdb-go connection (the driver.Conn that
// sql.Conn.Raw passes), so that an appender made here shares its transaction. duckdb-go
// keeps the handle in an unexported field; a duckdb-go upgrade that changes the layout
// fails here with an error (and in TestRawConnection), never with a bad pointer.
func rawConn(driverConn any) (bindings.Connection, error) {
	v := reflect.ValueOf(driverConn)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
		f := v.Elem().FieldByName("conn")
		if f.IsValid() && f.Type() == reflect.TypeFor[bindings.Connection]() {
			p := f.FieldByName("Ptr")
			if p.IsValid() && p.Kind() == reflect.UnsafePointer && !p.IsNil() {
				return bindings.Connection{Ptr: p.UnsafePointer()}, nil
			}
		}
	}
	return bindings.Connection{}, fmt.Errorf("this duckdb-go version (%T) does not expose its connection as expected", driverConn)
}

// newChunkAppender opens an appender on table, in conn's transaction.
func newChunkAppender(conn bindings.Connection, table string) (*chunkAppender, error) {
	a := &chunkAppender{table: table, size: int(bindings.VectorSize())}
	if bindings.AppenderCreateExt(conn, "", "", table, &a.app) == bindings.StateError {
		msg := bindings.AppenderError(a.app)
		bindings.AppenderDestroy(&a.app)
		return nil, fmt.Errorf("append to %s: %s", table, msg)
	}
	types := make([]bindings.LogicalType, bindings.AppenderColumnCount(a.app))
	for i := range types {
		types[i] = bindings.AppenderColumnType(a.app, bindings.IdxT(i))
	}
	defer func() {
		for i := range types {
			bindings.DestroyLogicalType(&types[i])
		}
	}()
	a.cols = make([]chunkColumn, len(types))
	for i, t := range types {
		k, ok := kindOf(t)
		if !ok {
			a.close()
			return nil, fmt.Errorf("table %s column %d has a type this version of signinlens does not write: %w", table, i+1, errOtherVersion)
		}
		a.cols[i].kind = k
	}
	a.chunk = bindings.CreateDataChunk(types)
	a.prepare()
	return a, nil
}

// errOtherVersion is a database whose tables differ from the ones this version writes.
var errOtherVersion = errors.New("the database was made by another version of signinlens; load into a new --db")

// prepare points the columns at the (new or reset) chunk's memory.
func (a *chunkAppender) prepare() {
	for i := range a.cols {
		c := &a.cols[i]
		c.vec = bindings.DataChunkGetVector(a.chunk, bindings.IdxT(i))
		c.data = bindings.VectorGetData(c.vec)
		bindings.VectorEnsureValidityWritable(c.vec)
		c.mask = unsafe.Slice((*uint64)(bindings.VectorGetValidity(c.vec)), (a.size+63)/64)
		if c.kind == kTextList {
			bindings.ListVectorSetSize(c.vec, 0)
			c.child = bindings.ListVectorGetChild(c.vec)
			c.childData = bindings.VectorGetData(c.child)
			c.items, c.itemCap = 0, 0
		}
	}
	a.row, a.col = 0, 0
	a.arena.reset()
}

// next is the column to write a k value to, or nil (and a.err set) when the table's
// column there is not of that kind: then nothing is written.
func (a *chunkAppender) next(k colKind) *chunkColumn {
	i := a.col
	a.col++
	if i >= len(a.cols) || a.cols[i].kind != k {
		if a.err == nil {
			a.err = fmt.Errorf("table %s has no %s column %d: %w", a.table, k, i+1, errOtherVersion)
		}
		return nil
	}
	return &a.cols[i]
}

func (a *chunkAppender) null(c *chunkColumn) {
	c.mask[a.row>>6] &^= 1 << (a.row & 63)
	if c.kind == kText || c.kind == kJSON || c.kind == kTextList {
		*(*[16]byte)(unsafe.Add(c.data, a.row*16)) = [16]byte{}
	}
}

// Text writes s; "" is NULL. Invalid UTF-8 is replaced (DuckDB text must be UTF-8).
func (a *chunkAppender) Text(s string) {
	c := a.next(kText)
	if c == nil {
		return
	}
	if s == "" {
		a.null(c)
		return
	}
	a.putString(c.data, a.row, clean(s))
}

// JSON writes JSON text; empty is NULL. The caller guarantees it is valid JSON.
func (a *chunkAppender) JSON(b []byte) {
	c := a.next(kJSON)
	if c == nil {
		return
	}
	if len(b) == 0 {
		a.null(c)
		return
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	a.putString(c.data, a.row, s)
}

func (a *chunkAppender) BigInt(v int64) {
	c := a.next(kBigint)
	if c == nil {
		return
	}
	*(*int64)(unsafe.Add(c.data, a.row*8)) = v
}

// OptBigInt writes v, or NULL when !ok.
func (a *chunkAppender) OptBigInt(v int64, ok bool) {
	c := a.next(kBigint)
	if c == nil {
		return
	}
	if !ok {
		a.null(c)
		return
	}
	*(*int64)(unsafe.Add(c.data, a.row*8)) = v
}

func (a *chunkAppender) Int(v int32) {
	c := a.next(kInt)
	if c == nil {
		return
	}
	*(*int32)(unsafe.Add(c.data, a.row*4)) = v
}

// OptDouble writes v, or NULL when !ok.
func (a *chunkAppender) OptDouble(v float64, ok bool) {
	c := a.next(kDouble)
	if c == nil {
		return
	}
	if !ok {
		a.null(c)
		return
	}
	*(*float64)(unsafe.Add(c.data, a.row*8)) = v
}

// OptBool writes v, or NULL when !ok.
func (a *chunkAppender) OptBool(v, ok bool) {
	c := a.next(kBool)
	if c == nil {
		return
	}
	if !ok {
		a.null(c)
		return
	}
	*(*bool)(unsafe.Add(c.data, a.row)) = v
}

// Time writes t in microseconds since the epoch; the zero time is NULL.
func (a *chunkAppender) Time(t time.Time) {
	c := a.next(kTime)
	if c == nil {
		return
	}
	if t.IsZero() {
		a.null(c)
		return
	}
	*(*int64)(unsafe.Add(c.data, a.row*8)) = t.UnixMicro()
}

// TextList writes a list of text; nil is NULL, an empty non-nil list is [].
func (a *chunkAppender) TextList(l []string) {
	c := a.next(kTextList)
	if c == nil {
		return
	}
	if l == nil {
		a.null(c)
		return
	}
	need := c.items + len(l)
	if need > c.itemCap {
		newCap := max(need, 2*c.itemCap, a.size)
		if bindings.ListVectorReserve(c.vec, bindings.IdxT(newCap)) == bindings.StateError {
			a.err = fmt.Errorf("append to %s: cannot reserve %d list items", a.table, newCap)
			return
		}
		c.child = bindings.ListVectorGetChild(c.vec)
		c.childData = bindings.VectorGetData(c.child)
		c.itemCap = newCap
	}
	entry := (*[2]uint64)(unsafe.Add(c.data, a.row*16))
	entry[0], entry[1] = uint64(c.items), uint64(len(l))
	for i, s := range l {
		a.putString(c.childData, c.items+i, clean(s))
	}
	c.items = need
}

// putString writes s as the i-th string_t of data: 4 bytes length, then up to 12 bytes
// inline, or a 4-byte prefix and a pointer to the bytes.
func (a *chunkAppender) putString(data unsafe.Pointer, i int, s string) {
	p := (*[16]byte)(unsafe.Add(data, i*16))
	n := len(s)
	*(*uint32)(unsafe.Pointer(p)) = uint32(n)
	if n <= 12 {
		copy(p[4:], s)
		clear(p[4+n:])
		return
	}
	copy(p[4:8], s[:4])
	// A uintptr, not a pointer: the slot is C memory, and the arena keeps the bytes alive.
	*(*uintptr)(unsafe.Pointer(&p[8])) = a.arena.put(s)
}

// EndRow completes a row; when the chunk is full it goes to DuckDB.
func (a *chunkAppender) EndRow() error {
	if a.col != len(a.cols) && a.err == nil {
		a.err = fmt.Errorf("table %s has %d columns, not %d: %w", a.table, len(a.cols), a.col, errOtherVersion)
	}
	a.col = 0
	if a.err != nil {
		return a.err
	}
	a.row++
	if a.row == a.size {
		return a.appendChunk()
	}
	return nil
}

func (a *chunkAppender) appendChunk() error {
	if a.row == 0 {
		return nil
	}
	for i := range a.cols {
		if c := &a.cols[i]; c.kind == kTextList {
			if bindings.ListVectorSetSize(c.vec, bindings.IdxT(c.items)) == bindings.StateError {
				return fmt.Errorf("append to %s: cannot size a list", a.table)
			}
		}
	}
	bindings.DataChunkSetSize(a.chunk, bindings.IdxT(a.row))
	state := bindings.AppendDataChunk(a.app, a.chunk)
	runtime.KeepAlive(a.arena.blocks)
	if state == bindings.StateError {
		return fmt.Errorf("append to %s: %s", a.table, bindings.AppenderError(a.app))
	}
	bindings.DataChunkReset(a.chunk)
	a.prepare()
	return nil
}

// Flush hands every row written so far to DuckDB (inside the connection's transaction).
func (a *chunkAppender) Flush() error {
	if err := a.appendChunk(); err != nil {
		return err
	}
	if bindings.AppenderFlush(a.app) == bindings.StateError {
		return fmt.Errorf("append to %s: %s", a.table, bindings.AppenderError(a.app))
	}
	return nil
}

// close releases the appender without appending what was not flushed.
func (a *chunkAppender) close() {
	if a.app.Ptr != nil {
		bindings.AppenderClear(a.app)
		bindings.AppenderDestroy(&a.app)
	}
	if a.chunk.Ptr != nil {
		bindings.DestroyDataChunk(&a.chunk)
	}
	a.arena.release()
}

// arena holds the long strings of the current chunk in pinned Go memory.
type arena struct {
	blocks [][]byte
	cur    int // block in use
	off    int // bytes used in it
	pin    runtime.Pinner
}

const arenaBlock = 1 << 20

// put copies s into the arena and returns the address of the copy.
func (ar *arena) put(s string) uintptr {
	if ar.cur >= len(ar.blocks) || ar.off+len(s) > len(ar.blocks[ar.cur]) {
		ar.grow(len(s))
	}
	b := ar.blocks[ar.cur][ar.off:]
	copy(b, s)
	ar.off += len(s)
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}

// grow moves to the next block with room for n bytes, allocating one when none has.
func (ar *arena) grow(n int) {
	for ar.cur+1 < len(ar.blocks) {
		ar.cur++
		ar.off = 0
		if len(ar.blocks[ar.cur]) >= n {
			return
		}
	}
	b := make([]byte, max(arenaBlock, n))
	ar.pin.Pin(unsafe.SliceData(b))
	ar.blocks = append(ar.blocks, b)
	ar.cur, ar.off = len(ar.blocks)-1, 0
}

func (ar *arena) reset() { ar.cur, ar.off = 0, 0 }

func (ar *arena) release() {
	ar.pin.Unpin()
	ar.blocks = nil
	ar.reset()
}
