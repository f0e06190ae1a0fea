// Parallel parsing of the elements of a top-level JSON array and of the records array
// of a Graph page or {"records": [...]} envelope.

package loaders

import (
	"bytes"
	"errors"
	"io"

	"github.com/valyala/fastjson"
)

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
