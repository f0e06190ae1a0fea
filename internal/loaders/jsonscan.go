package loaders

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/valyala/fastjson"
)

// maxValue bounds one JSON value held in memory (a record, or a whole top-level object
// such as a Graph page). Arrays at the top level are streamed element by element instead.
const maxValue = 256 << 20

// errTruncated marks a value cut off by the end of the file.
var errTruncated = errors.New("cut off by the end of the file")

// valueScanner splits a JSON text into values without decoding them: successive top-level
// values, and the elements of top-level arrays. It tracks line numbers and byte offsets so
// every record can be located, and never holds more than one value in memory.
type valueScanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte
	end  int   // end of valid bytes
	off  int64 // file offset of buf[0]
	line int64 // line number of buf[pos]
	err  error // sticky read error; io.EOF at the end
}

func newValueScanner(r io.Reader) *valueScanner {
	buf, ok := scanBufs.Get().(*[]byte)
	if !ok || len(*buf) == 0 {
		b := make([]byte, 1<<20)
		buf = &b
	}
	return &valueScanner{r: r, buf: *buf, line: 1}
}

// scanBufs recycles scanner buffers across files (a Graph page grows one to 4 MiB).
var scanBufs sync.Pool

// release hands the buffer back; the scanner must not be used afterwards.
func (s *valueScanner) release() {
	if b := s.buf; len(b) <= 16<<20 {
		scanBufs.Put(&b)
	}
	s.buf = nil
}

// stringRun is the number of leading bytes of b, inside a JSON string, that are neither a
// quote nor a backslash: they can be skipped without looking at them one by one.
func stringRun(b []byte) int {
	q := bytes.IndexByte(b, '"')
	if q < 0 {
		q = len(b)
	}
	if k := bytes.IndexByte(b[:q], '\\'); k >= 0 {
		return k
	}
	return q
}

// fill reads more input, keeping the bytes from keep on (moved to the front). It returns
// how far those bytes moved, and false when no more input can be had.
func (s *valueScanner) fill(keep int) (shift int, ok bool) {
	if s.err != nil {
		return 0, false
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.off += int64(keep)
		s.pos -= keep
		s.end = n
		shift = keep
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxValue {
			s.err = fmt.Errorf("a JSON value is larger than %d MiB", maxValue>>20)
			return shift, false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.err = err
			return shift, n > 0
		}
		if n > 0 {
			return shift, true
		}
	}
}

// peek skips white space (counting lines) and returns the next byte without consuming it.
func (s *valueScanner) peek() (byte, bool) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			switch c {
			case '\n':
				s.line++
			case ' ', '\t', '\r':
			default:
				return c, true
			}
			s.pos++
		}
		if _, ok := s.fill(s.pos); !ok {
			return 0, false
		}
	}
}

// offset is the file offset of the next unread byte.
func (s *valueScanner) offset() int64 { return s.off + int64(s.pos) }

// next returns the raw bytes of the value starting at the next non-space byte. The slice is
// valid until the following call. At the end of input it returns io.EOF.
func (s *valueScanner) next() ([]byte, error) {
	c, ok := s.peek()
	if !ok {
		if s.err != nil && s.err != io.EOF {
			return nil, s.err
		}
		return nil, io.EOF
	}
	start := s.pos
	i := s.pos
	depth := 0
	inStr, esc := false, false
	scalar := c != '{' && c != '[' && c != '"'
	for {
		for ; i < s.end; i++ {
			if inStr && !esc {
				// Jump over the plain bytes of a string (most of a JSON text) with fast scans.
				if k := stringRun(s.buf[i:s.end]); k > 0 {
					s.line += int64(bytes.Count(s.buf[i:i+k], []byte{'\n'}))
					if i += k; i == s.end {
						break
					}
				}
			}
			c := s.buf[i]
			if c == '\n' {
				s.line++
			}
			if scalar {
				switch c {
				case ',', ']', '}', ' ', '\t', '\r', '\n', '[', '{', '"':
					if i == start { // a stray separator: hand it over so it is reported, and move on
						s.pos = i + 1
						return s.buf[start : i+1], nil
					}
					s.pos = i
					if c == '\n' {
						s.line--
					}
					return s.buf[start:i], nil
				}
				continue
			}
			if inStr {
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
					if depth == 0 {
						s.pos = i + 1
						return s.buf[start : i+1], nil
					}
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.pos = i + 1
					return s.buf[start : i+1], nil
				}
			}
		}
		shift, ok := s.fill(start)
		start -= shift
		i -= shift
		if !ok {
			s.pos = s.end
			if scalar && s.err == io.EOF {
				return s.buf[start:s.end], nil
			}
			if s.err != nil && s.err != io.EOF {
				return nil, s.err
			}
			return s.buf[start:s.end], errTruncated
		}
	}
}

// consume skips one byte (a bracket or separator already seen with peek).
func (s *valueScanner) consume() { s.pos++ }

// JSON lines are parsed in parallel within one file: the reading goroutine cuts the text
// into blocks of whole lines, workers parse blocks into records, and the records are handed
// to the sink in file order, so line numbers, record indexes and de-duplication are the same
// as when one goroutine reads the file.

// The number of workers and the size of the blocks are ReadOptions (ReadContext.opt).

// lineBlock is a run of whole lines, or of the elements of a top-level array, and once
// parsed, what the sink is to receive.
type lineBlock struct {
	data     []byte
	elems    []elem // the array elements in data; nil for a block of lines
	borrowed bool   // data belongs to the caller (a page being read): not pooled
	line     int64  // line number of the first line
	off      int64  // byte offset of the first line
	final    bool   // the last block: its last line may lack a newline
	// tooLong is set for a line longer than maxValue, which is reported, not parsed.
	tooLong *Problem
	out     blockSink
	fallbk  int64
	done    chan struct{}
}

// blockSink collects a block's output for the sink, in order.
type blockSink struct {
	events []blockEvent
	recs   []Record
	steps  []AuthStep
	probs  []Problem
	n      int64 // records seen (the index of the last)
}

type blockEvent struct {
	kind byte // 'r' record, 'a' auth step, 'p' problem, 's' skip
	i    int  // index into recs, steps or probs
	cat  string
}

func (s *blockSink) Record(r *Record) error {
	cp := *r
	cp.extra = append([]byte(nil), r.extra...)
	cp.CAPolicies = append([]CAPolicy(nil), r.CAPolicies...)
	cp.AuthSteps = append([]AuthStep(nil), r.AuthSteps...)
	s.recs = append(s.recs, cp)
	s.events = append(s.events, blockEvent{kind: 'r', i: len(s.recs) - 1})
	return nil
}

func (s *blockSink) AuthStep(st *AuthStep) error {
	s.steps = append(s.steps, *st)
	s.events = append(s.events, blockEvent{kind: 'a', i: len(s.steps) - 1})
	return nil
}

func (s *blockSink) Skip(category string) {
	s.events = append(s.events, blockEvent{kind: 's', cat: category})
}

func (s *blockSink) Reject(p Problem) {
	s.probs = append(s.probs, p)
	s.events = append(s.events, blockEvent{kind: 'p', i: len(s.probs) - 1})
}

// lineReader cuts decoded text into blocks of whole lines.
type lineReader struct {
	r     io.Reader
	size  int    // block size
	carry []byte // the start of a line read past the last block
	line  int64
	off   int64
	err   error
}

// blockPool recycles block buffers across blocks and files: a folder of hourly files
// would otherwise allocate (and clear) a fresh 4 MiB buffer per file. It holds buffers of
// defaultBlockSize only; other sizes (in tests) are allocated as asked.
var blockPool sync.Pool

// getBlock returns an empty buffer with room for size bytes.
func getBlock(size int) []byte {
	if size == defaultBlockSize {
		if b, ok := blockPool.Get().(*[]byte); ok {
			return (*b)[:0]
		}
	}
	return make([]byte, 0, size)
}

func putBlock(b []byte) {
	if cap(b) == defaultBlockSize {
		blockPool.Put(&b)
	}
}

// next returns the next block, or nil at the end of input (err then holds a read error).
func (lr *lineReader) next() *lineBlock {
	if lr.err != nil && len(lr.carry) == 0 {
		return nil
	}
	buf := append(getBlock(lr.size), lr.carry...)
	lr.carry = lr.carry[:0]
	for {
		// Fill the buffer, then cut after its last newline.
		for lr.err == nil && len(buf) < cap(buf) {
			n, err := lr.r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil {
				lr.err = err
			}
		}
		if lr.err != nil {
			if len(buf) == 0 {
				return nil
			}
			return lr.block(buf, len(buf), true)
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			lr.carry = append(lr.carry, buf[i+1:]...)
			return lr.block(buf, i+1, false)
		}
		if len(buf) > maxValue {
			return lr.skipLongLine(buf)
		}
		nb := make([]byte, len(buf), 2*cap(buf))
		copy(nb, buf)
		putBlock(buf)
		buf = nb
	}
}

func (lr *lineReader) block(buf []byte, n int, final bool) *lineBlock {
	b := &lineBlock{data: buf[:n], line: lr.line + 1, off: lr.off, final: final, done: make(chan struct{})}
	lr.line += int64(bytes.Count(buf[:n], []byte{'\n'}))
	lr.off += int64(n)
	return b
}

// skipLongLine reports a line longer than maxValue and skips to its end.
func (lr *lineReader) skipLongLine(buf []byte) *lineBlock {
	p := &Problem{Line: lr.line + 1, Offset: lr.off, Reason: fmt.Sprintf("line longer than %d MiB; the rest of the line is skipped", maxValue>>20), Excerpt: excerpt(buf[:min(len(buf), 200)])}
	n := int64(len(buf))
	small := buf[:0:lr.size]
	for lr.err == nil {
		m, err := lr.r.Read(small[:cap(small)])
		if err != nil {
			lr.err = err
		}
		if i := bytes.IndexByte(small[:m], '\n'); i >= 0 {
			lr.carry = append(lr.carry[:0], small[i+1:m]...)
			n += int64(i + 1)
			break
		}
		n += int64(m)
	}
	b := &lineBlock{line: lr.line + 1, off: lr.off, tooLong: p, done: make(chan struct{})}
	close(b.done)
	lr.line++
	lr.off += n
	return b
}

// parseLines runs the per-line logic of the serial reader over one block.
func (j *jsonReader) parseLines(b *lineBlock) {
	data, line, off := b.data, b.line, b.off
	for len(data) > 0 {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l = data[:i+1]
		}
		data = data[len(l):]
		if t := bytes.TrimSpace(l); len(t) > 0 {
			j.value(t, line, off, b.final && len(data) == 0 && l[len(l)-1] != '\n')
		}
		line++
		off += int64(len(l))
	}
}

// readLinesParallel reads JSON lines with the options' Workers goroutines. A file of one
// block is parsed by the calling goroutine, straight to the sink.
func (j *jsonReader) readLinesParallel() error {
	lr := &lineReader{r: j.c.R, size: j.c.opt.BlockSize}
	first := lr.next()
	if first == nil {
		return readErr(lr.err)
	}
	if first.tooLong == nil && first.final {
		j.parseLines(first)
		putBlock(first.data)
		return readErr(lr.err)
	}
	j.parallel(first, lr.next)
	return readErr(lr.err)
}

// parseBlock runs the serial reader's logic over one block of lines or array elements.
func (j *jsonReader) parseBlock(b *lineBlock) {
	if b.elems == nil {
		j.parseLines(b)
		return
	}
	for _, e := range b.elems {
		raw := b.data[e.start:e.end]
		if !e.record {
			j.value(raw, e.line, e.off, e.truncated)
			continue
		}
		// An element of a page's records array (the page is valid JSON): what value
		// does for each element of an envelope it parsed whole.
		v, err := j.p.ParseBytes(raw)
		if err != nil {
			j.index++
			j.c.Sink.Reject(Problem{Line: e.line, Index: j.index, Offset: -1, Reason: "invalid JSON: " + err.Error(), Excerpt: excerpt(raw)})
			continue
		}
		j.record(v, e.line, -1)
	}
}

// parallel parses first and the blocks next returns (until nil) with the options' Workers
// goroutines, and hands their output to the sink in order. The calling goroutine only cuts
// and hands over blocks meanwhile: it stops counting as a parser until the workers are done.
func (j *jsonReader) parallel(first *lineBlock, next func() *lineBlock) {
	opt := &j.c.opt
	opt.parsing(-1)
	defer opt.parsing(+1)
	work := make(chan *lineBlock)
	order := make(chan *lineBlock, 2*opt.Workers)
	stop := make(chan struct{})
	workers := make([]*jsonReader, opt.Workers)
	var wg sync.WaitGroup
	for i := range workers {
		c := *j.c
		wj := &jsonReader{c: &c, lineMode: j.lineMode, p: getParser(), worker: true}
		workers[i] = wj
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer parsers.Put(wj.p)
			for b := range work {
				wj.c.Sink = &b.out
				wj.index, wj.timeFallback = 0, 0
				if opt.Slots != nil {
					opt.Slots <- struct{}{}
				}
				opt.parsing(+1)
				wj.parseBlock(b)
				opt.parsing(-1)
				if opt.Slots != nil {
					<-opt.Slots
				}
				b.out.n, b.fallbk = wj.index, wj.timeFallback
				close(b.done)
			}
		}()
	}
	// The reader feeds the workers and queues blocks in file order.
	go func() {
		defer close(order)
		defer close(work)
		for b := first; b != nil; b = next() {
			select {
			case order <- b:
			case <-stop:
				return
			}
			if b.tooLong != nil {
				continue
			}
			select {
			case work <- b:
			case <-stop:
				return
			}
		}
	}()
	for b := range order {
		<-b.done
		j.emit(b)
		if !b.borrowed {
			putBlock(b.data)
		}
	}
	close(stop)
	wg.Wait()
	for _, wj := range workers {
		for k, v := range wj.n.TypeNames {
			if j.n.TypeNames == nil {
				j.n.TypeNames = map[string]int{}
			}
			j.n.TypeNames[k] += v
		}
	}
}

// elem is one element of a top-level array within a block.
type elem struct {
	start, end int
	line, off  int64
	truncated  bool // cut off by the end of the file
	record     bool // an element of a page's records array, parsed as a record
}

// elemReader cuts a top-level array (with the arrays nested in it, as ConvertTo-Json of
// several pages writes) into blocks of whole elements, as array walks it.
type elemReader struct {
	s     *valueScanner
	size  int        // block size
	depth int        // arrays open
	done  bool       // the outer array is closed, or the input ended
	tail  *lineBlock // a problem to hand over after the current block
	err   error      // read error
}

func (er *elemReader) next() *lineBlock {
	if er.tail != nil {
		b := er.tail
		er.tail = nil
		return b
	}
	if er.done {
		return nil
	}
	s := er.s
	b := &lineBlock{data: getBlock(er.size), elems: make([]elem, 0, 256), done: make(chan struct{})}
	for len(b.data) < er.size {
		c, ok := s.peek()
		if !ok {
			er.done = true
			p := &Problem{Line: s.line, Offset: s.offset(), Reason: "the JSON array is cut off at the end of the file (no closing ']'); the records before it were read"}
			if s.err != nil && s.err != io.EOF {
				er.err, p = s.err, nil
			}
			if p != nil {
				er.tail = &lineBlock{tooLong: p, done: make(chan struct{})}
				close(er.tail.done)
			}
			break
		}
		switch c {
		case ']':
			s.consume()
			if er.depth--; er.depth == 0 {
				er.done = true
				return b.orNext(er)
			}
			continue
		case ',':
			s.consume()
			continue
		case '[':
			s.consume()
			er.depth++
			continue
		}
		line, off := s.line, s.offset()
		raw, err := s.next()
		if err != nil && !errors.Is(err, errTruncated) {
			if err == io.EOF {
				continue
			}
			er.err, er.done = err, true
			break
		}
		start := len(b.data)
		b.data = append(b.data, raw...)
		b.elems = append(b.elems, elem{start: start, end: len(b.data), line: line, off: off, truncated: err != nil})
		if err != nil { // truncated: the last element
			er.done = true
			break
		}
	}
	return b.orNext(er)
}

// orNext is b, or when b holds no element, the reader's next block.
func (b *lineBlock) orNext(er *elemReader) *lineBlock {
	if len(b.elems) > 0 {
		return b
	}
	putBlock(b.data)
	return er.next()
}

// arrayParallel is array with the elements parsed by the options' Workers goroutines (an
// array of one block is parsed by the calling goroutine).
func (j *jsonReader) arrayParallel(s *valueScanner) error {
	s.consume() // '['
	er := &elemReader{s: s, size: j.c.opt.BlockSize, depth: 1}
	first := er.next()
	if first == nil {
		return er.err
	}
	if er.done && er.tail == nil {
		if first.tooLong != nil {
			j.emit(first)
		} else {
			j.parseBlock(first)
		}
		putBlock(first.data)
		return er.err
	}
	j.parallel(first, er.next)
	return er.err
}

// emit hands a parsed block to the sink, numbering its records after those before it.
func (j *jsonReader) emit(b *lineBlock) {
	s := j.c.Sink
	if b.tooLong != nil {
		j.index++
		p := *b.tooLong
		p.Index = j.index
		s.Reject(p)
		return
	}
	base := j.index
	j.timeFallback += b.fallbk
	for _, e := range b.out.events {
		switch e.kind {
		case 'r':
			r := &b.out.recs[e.i]
			r.Index += base
			if err := s.Record(r); err != nil {
				s.Reject(Problem{Line: r.Line, Index: r.Index, Offset: r.Offset, Reason: err.Error()})
			}
		case 'a': // no JSON format has separate auth steps today; kept for completeness
			as, ok := s.(interface{ AuthStep(*AuthStep) error })
			if !ok {
				continue
			}
			if err := as.AuthStep(&b.out.steps[e.i]); err != nil {
				s.Reject(Problem{Line: b.out.steps[e.i].Line, Offset: -1, Reason: err.Error()})
			}
		case 'p':
			p := b.out.probs[e.i]
			if p.Index > 0 {
				p.Index += base
			}
			s.Reject(p)
		case 's':
			s.Skip(e.cat)
		}
	}
	j.index = base + b.out.n
	b.out = blockSink{}
}

func readErr(err error) error {
	if err == nil || err == io.EOF {
		return nil
	}
	return err
}

// A Graph page (or a {"records": [...]} envelope) is one top-level object of up to a few
// MB holding an array of records. Parsed whole, it is a tree of ~200,000 values; its
// records are instead parsed one by one, in parallel, once the page is known to be valid
// JSON, with exactly the results of parsing it whole.

// pageBlocks cuts the records array of an envelope page into blocks of elements of about
// size bytes, or returns nil when raw is not one (then value parses it whole, as before).
func pageBlocks(raw []byte, line int64, size int) []*lineBlock {
	if fastjson.ValidateBytes(raw) != nil {
		return nil // value reports it
	}
	top := newValueScanner(bytes.NewReader(raw))
	defer top.release()
	if c, _ := top.peek(); c != '{' {
		return nil
	}
	top.consume()
	// value takes the first "value" key, else the first "records" key, when it holds an
	// array and the object has no createdDateTime (then it is a record).
	var found [2]bool
	var arr [2][2]int64
	for {
		c, ok := top.peek()
		if !ok || c == '}' {
			break
		}
		if c == ',' {
			top.consume()
			continue
		}
		name, err := top.next()
		if err != nil || bytes.IndexByte(name, '\\') >= 0 {
			return nil // escaped names: leave the matching to fastjson
		}
		key := string(name) // name is only valid until the next read
		if c, ok := top.peek(); !ok || c != ':' {
			return nil
		}
		top.consume()
		vc, _ := top.peek()
		start := top.offset()
		if _, err := top.next(); err != nil {
			return nil
		}
		k := -1
		switch key {
		case `"createdDateTime"`:
			return nil
		case `"value"`:
			k = 0
		case `"records"`:
			k = 1
		}
		if k >= 0 && !found[k] {
			found[k] = true
			if vc == '[' {
				arr[k] = [2]int64{start, top.offset()}
			}
		}
	}
	span := arr[0]
	if span[1] == 0 {
		span = arr[1]
	}
	if span[1] == 0 {
		return nil
	}
	// The elements of the array, as whole values (a nested array is one element).
	es := newValueScanner(bytes.NewReader(raw[span[0]:span[1]]))
	defer es.release()
	if c, _ := es.peek(); c != '[' {
		return nil
	}
	es.consume()
	var blocks []*lineBlock
	b := &lineBlock{data: raw, borrowed: true, elems: []elem{}, done: make(chan struct{})}
	filled := 0
	for {
		c, ok := es.peek()
		if !ok || c == ']' {
			break
		}
		if c == ',' {
			es.consume()
			continue
		}
		start := span[0] + es.offset()
		v, err := es.next()
		if err != nil {
			return nil
		}
		b.elems = append(b.elems, elem{start: int(start), end: int(start) + len(v), line: line, off: -1, record: true})
		if filled += len(v); filled >= size {
			blocks = append(blocks, b)
			b = &lineBlock{data: raw, borrowed: true, elems: []elem{}, done: make(chan struct{})}
			filled = 0
		}
	}
	if len(b.elems) > 0 || len(blocks) == 0 {
		blocks = append(blocks, b)
	}
	return blocks
}

// page reads an envelope page's records in parallel; false when raw is not one.
func (j *jsonReader) page(raw []byte, line int64) bool {
	blocks := pageBlocks(raw, line, j.c.opt.BlockSize)
	if blocks == nil {
		return false
	}
	if len(blocks) == 1 {
		j.parseBlock(blocks[0])
		return true
	}
	rest := blocks[1:]
	j.parallel(blocks[0], func() *lineBlock {
		if len(rest) == 0 {
			return nil
		}
		b := rest[0]
		rest = rest[1:]
		return b
	})
	return true
}
