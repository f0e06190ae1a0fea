// Parallel parsing of JSON lines: the block reader, the workers and the hand-over of
// their records to the sink in file order.

package loaders

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

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
	auds   []AuditRecord
	provs  []ProvisioningRecord
	steps  []AuthStep
	probs  []Problem
	n      int64 // records seen (the index of the last)
}

type blockEvent struct {
	kind byte // 'r' record, 'u' audit, 'v' provisioning, 'a' auth step, 'p' problem, 's' skip
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

func (s *blockSink) Audit(a *AuditRecord) error {
	s.auds = append(s.auds, a.clone())
	s.events = append(s.events, blockEvent{kind: 'u', i: len(s.auds) - 1})
	return nil
}

func (s *blockSink) Provisioning(p *ProvisioningRecord) error {
	s.provs = append(s.provs, p.clone())
	s.events = append(s.events, blockEvent{kind: 'v', i: len(s.provs) - 1})
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
		case 'u':
			a := &b.out.auds[e.i]
			a.Index += base
			if err := s.Audit(a); err != nil {
				s.Reject(Problem{Line: a.Line, Index: a.Index, Offset: a.Offset, Reason: err.Error()})
			}
		case 'v':
			p := &b.out.provs[e.i]
			p.Index += base
			if err := s.Provisioning(p); err != nil {
				s.Reject(Problem{Line: p.Line, Index: p.Index, Offset: p.Offset, Reason: err.Error()})
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
