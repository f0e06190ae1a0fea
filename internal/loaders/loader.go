// Package loaders recognises Entra ID sign-in log exports (admin center CSV and JSON,
// Log Analytics and Sentinel exports, Microsoft Graph responses, diagnostic-settings
// archives) and streams their records as normalized Records. It does no database work:
// the store package decides what is loaded, what is a duplicate, and records the accounting.
package loaders

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ParseError is an input that cannot be read, with where and why.
type ParseError struct {
	File   string
	Line   int64 // 0 when not known
	Record int64 // 0 when not known
	Field  string
	Reason string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	} else if e.Record > 0 {
		fmt.Fprintf(&b, ": record %d", e.Record)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Problem is one record that was rejected, with where it starts and why.
type Problem struct {
	Line    int64 // 1-based line, 0 when not a text position
	Index   int64 // 1-based record index, 0 when not counted
	Offset  int64 // byte offset in the decoded text, -1 when not known
	Field   string
	Reason  string
	Excerpt string
}

// Sink receives what a loader reads from one file: every record is passed to exactly one
// of Record, Skip or Reject, so the counts reconcile by construction.
type Sink interface {
	// Record takes a sign-in; r is reused by the loader after the call returns.
	Record(r *Record) error
	// Audit takes an audit event; a is reused by the loader after the call returns.
	Audit(a *AuditRecord) error
	// Provisioning takes a provisioning event; p is reused after the call returns.
	Provisioning(p *ProvisioningRecord) error
	// Skip counts a record of a log that is not loaded (risk, Graph activity...).
	Skip(category string)
	// Reject counts a record that could not be read.
	Reject(p Problem)
	// AuthStep takes one row of a separate authentication-details file (the admin
	// center's *_AuthDetails_* CSV); the store joins it to its sign-in by RequestID.
	AuthStep(st *AuthStep) error
}

// Input is one file to read: a file on disk, a member of a zip, or a test buffer.
type Input struct {
	Path string // shown in reports; zip members as archive.zip!member
	Size int64
	Open func() (io.ReadCloser, error)
}

// FileInput returns the Input of a file on disk, opened read-only.
func FileInput(path string, size int64) Input {
	return Input{Path: path, Size: size, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// Info describes a file after reading.
type Info struct {
	Path        string
	Bytes       int64
	SHA256      string
	Format      string
	Detection   string // why the detector chose Format
	Encoding    string
	Notes       []string
	Unavailable []string // normalized fields the format cannot carry
}

// Format is one export format the loaders read.
type Format struct {
	Name  string // short name shown in summaries
	Title string // what it is, for help text
	// Match says whether a file's first bytes (decoded to UTF-8) look like this format.
	Match func(h *Head) (ok bool, why string)
	Read  func(c *ReadContext) error
	// Unavailable lists normalized fields this format cannot carry.
	Unavailable []string
}

// Head is what the detector sees of a file.
type Head struct {
	Name     string // base name of the file (zip member name for members)
	Path     string
	Bytes    []byte // up to the first 64 KiB of decoded text
	Encoding string
}

// ReadContext is handed to a format's reader.
type ReadContext struct {
	Path string
	Name string
	R    *bufio.Reader // decoded UTF-8 text from the start of the file
	Sink Sink
	Info *Info
	// LogTypeHint is the log type that the file name or folder implies, or "".
	LogTypeHint string
	opt         ReadOptions // with Workers and BlockSize set
}

// ReadOptions tune how an input is read. The zero value is what Read uses.
type ReadOptions struct {
	// Workers is the number of goroutines that parse the blocks of a large JSON file (JSON
	// lines, a top-level array, a Graph page); 1 reads every file with the calling goroutine
	// alone, and 0 means one per CPU (GOMAXPROCS).
	Workers int
	// Slots, when not nil, is shared by the reads of one load: a block worker holds a place
	// in it while it parses a block, so the reads together parse at most cap(Slots) blocks
	// at once. A worker holds it only while parsing, never while waiting for the sink.
	Slots chan struct{}
	// BlockSize is the size of the blocks of lines or array elements handed to the workers;
	// 0 means 4 MiB. Tests use small blocks to cut small inputs into many.
	BlockSize int
	// Parsing, when not nil, is called with +1 when a goroutine starts parsing the input's
	// records and with -1 when it stops: the goroutine reading the input while it parses
	// (not while block workers do), and a block worker for each block. Tests count the
	// parsers at work with it; it must be safe for concurrent use.
	Parsing func(delta int)
}

// defaultBlockSize is the size of the blocks of a parallel JSON read.
const defaultBlockSize = 4 << 20

// resolved returns o with the defaults filled in.
func (o ReadOptions) resolved() ReadOptions {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.BlockSize <= 0 {
		o.BlockSize = defaultBlockSize
	}
	return o
}

// parsing reports a goroutine starting (+1) or stopping (-1) to parse records.
func (o *ReadOptions) parsing(delta int) {
	if o.Parsing != nil {
		o.Parsing(delta)
	}
}

// Note records a choice a reviewer should know about.
func (c *ReadContext) Note(format string, args ...any) {
	c.Info.Notes = append(c.Info.Notes, fmt.Sprintf(format, args...))
}

// Detect names the format of a file from its first bytes, with the reason.
func Detect(h *Head) (*Format, string) {
	for _, f := range formats {
		if ok, why := f.Match(h); ok {
			return f, why
		}
	}
	return nil, ""
}

// ErrUnrecognized is wrapped by the error for a file that is no known export.
var ErrUnrecognized = errors.New("not a recognized sign-in log export")

const headSize = 64 << 10

// Read reads one input, passing its records to sink, and returns what it found. Only an
// input that cannot be read at all returns an error (a *ParseError for bad content); a bad
// record is rejected through the sink and reading goes on. A large JSON file is parsed by
// one goroutine per CPU; ReadWith takes the number.
func Read(in Input, sink Sink) (*Info, error) { return ReadWith(in, sink, ReadOptions{}) }

// ReadWith is Read with options.
func ReadWith(in Input, sink Sink, opt ReadOptions) (*Info, error) {
	rc, err := in.Open()
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) { // a refused archive member: reported like bad content
			return &Info{Path: in.Path}, err
		}
		return nil, fmt.Errorf("open %s: %w", in.Path, err)
	}
	defer rc.Close()
	h := sha256.New()
	counted := &countingReader{r: rc, h: h}
	info := &Info{Path: in.Path}
	err = readDecoded(in, counted, sink, info, opt.resolved())
	// Hash the whole file, whatever the reader consumed.
	if _, cerr := io.Copy(io.Discard, counted); cerr != nil && err == nil {
		err = fmt.Errorf("read %s: %w", in.Path, cerr)
	}
	info.Bytes = counted.n
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	return info, err
}

type countingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	return n, err
}

// headReaders recycles the buffered readers of readDecoded: a folder of hourly files
// allocated two fresh 64 KiB buffers per file.
var headReaders sync.Pool

func headReader(r io.Reader) *bufio.Reader {
	br, ok := headReaders.Get().(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(nil, headSize) // never r itself, which may be a bufio.Reader
	}
	br.Reset(r)
	return br
}

func putHeadReader(br *bufio.Reader) {
	br.Reset(nil)
	headReaders.Put(br)
}

func readDecoded(in Input, raw io.Reader, sink Sink, info *Info, opt ReadOptions) error {
	br := headReader(raw)
	defer putHeadReader(br)
	name := filepath.Base(in.Path)
	if i := strings.LastIndexByte(in.Path, '!'); i >= 0 {
		name = filepath.Base(in.Path[i+1:])
	}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return &ParseError{File: in.Path, Reason: "gzip header unreadable: " + err.Error()}
		}
		defer zr.Close()
		br = headReader(zr)
		defer putHeadReader(br)
		name = strings.TrimSuffix(name, ".gz")
		info.Notes = append(info.Notes, "gzip-compressed; read transparently")
	}
	text, enc, err := decode(br)
	if err != nil {
		return &ParseError{File: in.Path, Reason: err.Error()}
	}
	info.Encoding = enc
	tr := br // UTF-8 needs no second buffer
	if text != io.Reader(br) {
		tr = headReader(text)
		defer putHeadReader(tr)
	}
	head, _ := tr.Peek(headSize)
	if len(bytes.TrimSpace(head)) == 0 {
		info.Format = "empty"
		info.Detection = "the file holds no data"
		return nil
	}
	if strings.EqualFold(filepath.Ext(name), ".md") {
		info.Format = "ignored"
		info.Detection = "a Markdown document (notes beside the export), not an export"
		return nil
	}
	prefixed := syslogPrefixLen(firstLine(head)) > 0
	if prefixed {
		tr = headReader(&prefixStripper{br: tr})
		defer putHeadReader(tr)
		head, _ = tr.Peek(headSize)
	}
	hd := &Head{Name: name, Path: in.Path, Bytes: head, Encoding: enc}
	f, why := Detect(hd)
	if f == nil {
		info.Format = "unrecognized"
		return &ParseError{File: in.Path, Line: 1, Reason: unrecognizedReason(head)}
	}
	info.Format, info.Detection = f.Name, why
	if prefixed {
		info.Detection += "; a syslog prefix (timestamp and host, or an RFC 5424 header) before each JSON object was stripped"
		info.Notes = append(info.Notes, "each line's syslog prefix was removed before reading; byte offsets count the text without the prefixes")
	}
	info.Unavailable = append([]string(nil), f.Unavailable...)
	c := &ReadContext{Path: in.Path, Name: name, R: tr, Sink: sink, Info: info, LogTypeHint: LogTypeFromName(in.Path), opt: opt}
	opt.parsing(+1)
	err = f.Read(c)
	opt.parsing(-1)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return err
		}
		// The text could not be read further (an oversized value, a decoding or I/O
		// failure): what was read before stays loaded, and the file says why it stopped.
		return &ParseError{File: in.Path, Reason: "reading stopped: " + err.Error()}
	}
	return nil
}

func unrecognizedReason(head []byte) string {
	if !utf8.Valid(head[:min(len(head), 512)]) || bytes.IndexByte(head, 0) >= 0 {
		return fmt.Sprintf("%s: the file is binary, not a text export; expected one of: %s", ErrUnrecognized, formatNames())
	}
	for _, hint := range unrecognizedHints {
		if s := hint(head); s != "" {
			return fmt.Sprintf("%s: %s", ErrUnrecognized, s)
		}
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	return fmt.Sprintf("%s (starts %q); expected one of: %s", ErrUnrecognized, clip(string(bytes.TrimSpace(first)), 80), formatNames())
}

func formatNames() string {
	var names []string
	for _, f := range formats {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ") + " (see 'signinlens load --help')"
}

// decode returns UTF-8 text: a UTF-8 BOM is dropped, UTF-16 with BOM is converted, and
// text that is not valid UTF-8 is read as Windows-1252.
func decode(br *bufio.Reader) (io.Reader, string, error) {
	b, _ := br.Peek(headSize)
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		return br, "utf-8-bom", nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), "utf-16le", nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), "utf-16be", nil
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[3] == 0 && (b[0] == '{' || b[0] == '[' || b[0] < 0x80):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), "utf-16le (no BOM)", nil
	case len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0:
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), "utf-16be (no BOM)", nil
	}
	if !validUTF8Prefix(b) && bytes.IndexByte(b, 0) < 0 {
		return transform.NewReader(br, charmap.Windows1252.NewDecoder()), "windows-1252", nil
	}
	return br, "utf-8", nil
}

// validUTF8Prefix is utf8.Valid allowing a rune cut at the end of the buffer.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		r, _ := utf8.DecodeLastRune(b)
		if r != utf8.RuneError {
			return false
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// LogTypeFromName reads the log type implied by a file or folder name: admin-center
// downloads (InteractiveSignIns_...), diagnostic containers (insights-logs-signinlogs) and
// Extractor-Suite files (...-nonInteractiveUser-SignInLogs.json). It returns "" when none.
func LogTypeFromName(path string) string {
	p := strings.ToLower(filepath.ToSlash(path))
	switch {
	case strings.Contains(p, "noninteractive"):
		return NonInteractive
	case strings.Contains(p, "msisignins"), strings.Contains(p, "managedidentity"):
		return ManagedIdent
	case strings.Contains(p, "applicationsignins"), strings.Contains(p, "serviceprincipal"):
		return ServicePrinc
	case strings.Contains(p, "interactivesignins"), strings.Contains(p, "interactiveuser"),
		strings.Contains(p, "insights-logs-signinlogs"):
		return Interactive
	}
	return ""
}

// Expander turns one file on disk into inputs (the zip reader is one; see formats.go).
type Expander func(path string, size int64) (inputs []Input, handled bool, err error)

// Inputs lists the inputs under paths: files as given, folders walked recursively in
// lexical order (hidden files and folders skipped), archives expanded.
func Inputs(paths []string) ([]Input, error) {
	var out []Input
	seen := map[string]bool{}
	add := func(path string, size int64) error {
		abs, err := filepath.Abs(path)
		if err == nil && seen[abs] {
			return nil
		}
		seen[abs] = true
		for _, e := range expanders {
			ins, handled, err := e(path, size)
			if err != nil {
				return err
			}
			if handled {
				out = append(out, ins...)
				return nil
			}
		}
		out = append(out, FileInput(path, size))
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("input %w", err)
		}
		if !st.IsDir() {
			if err := add(p, st.Size()); err != nil {
				return nil, err
			}
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && !skipByName(d.Name()) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
		sort.Strings(files)
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				return nil, fmt.Errorf("input %w", err)
			}
			if err := add(f, st.Size()); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// skipByName leaves out files in a folder that are signinlens's own outputs (databases,
// workbooks, Parquet), never exports. Anything else is read, and reported if unrecognized.
func skipByName(name string) bool {
	l := strings.ToLower(name)
	for _, ext := range []string{".duckdb", ".duckdb.wal", ".xlsx", ".parquet"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}
