package gen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Stats describes what Write produced.
type Stats struct {
	Format       string
	Events       int            // sign-ins written
	ByLogType    map[string]int // sign-ins per log type
	Audits       int            // directory audit events written
	Provisioning int            // provisioning events written
	Files        int            // files written
	Bytes        int64          // bytes written
}

// sink renders events in one export format.
type sink interface {
	write(e *Event) error
	close() error
}

type formatDef struct {
	name, title string
	open        func(o *output, cfg Config, t *tenant) (sink, error)
}

// formatDefs is the one list of formats: Formats, validation and the tests derive from it.
// Read-only.
var formatDefs = []formatDef{
	{"graph", "Microsoft Graph beta /auditLogs/signIns response pages (page-0001.json, ...)", openGraph},
	{"admin-json", "Entra admin center JSON download, one array per log (InteractiveSignIns_<from>_<to>.json, ...)", openAdminJSON},
	{"diagnostic", "diagnostic settings archive, JSON lines (insights-logs-<category>/.../PT1H.json)", openDiagnostic},
	{"admin-csv", "Entra admin center CSV download with the AuthDetails files (InteractiveSignIns_<from>_<to>.csv, ...)", openAdminCSV},
	{"la-csv", "Log Analytics portal CSV export, one file per table (SigninLogs.csv, ...)", openLACSV},
	{"la-json", "Log Analytics rows as JSON lines, one file per table (SigninLogs.json, ...)", openLAJSON},
}

// Describe returns a one-line description of a format, or "" for an unknown one.
func Describe(format string) string {
	f, err := lookupFormat(format)
	if err != nil {
		return ""
	}
	return f.title
}

// Formats lists the export formats Write can produce, in a new slice each call.
func Formats() []string {
	out := make([]string, len(formatDefs))
	for i, f := range formatDefs {
		out[i] = f.name
	}
	return out
}

func lookupFormat(name string) (formatDef, error) {
	for _, f := range formatDefs {
		if f.name == name {
			return f, nil
		}
	}
	return formatDef{}, fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(Formats(), ", "))
}

// Write generates the events of cfg and writes them into dir in one export format (one of
// Formats). The directory is created if needed. Files are written under a temporary name and
// renamed when complete; on error the incomplete ones are removed.
func Write(dir, format string, cfg Config) (Stats, error) {
	st, err := WriteAll(context.Background(), dir, []string{format}, cfg, Options{})
	if err != nil {
		return Stats{}, err
	}
	return st[0], nil
}

// Options adjust WriteAll.
type Options struct {
	// Subdirs puts each format in dir/<format>/ instead of dir itself (needed for several
	// formats: admin-json and admin-csv share file names but for the extension).
	Subdirs bool
	// Overwrite replaces existing files of the same name instead of failing.
	Overwrite bool
}

// WriteAll writes the events of cfg in every given format, formats in parallel (up to
// GOMAXPROCS at a time, each with its own generator, which costs little next to rendering).
// On error or cancellation every file written is removed again.
func WriteAll(ctx context.Context, dir string, formats []string, cfg Config, opt Options) ([]Stats, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	defs := make([]formatDef, len(formats))
	for i, name := range formats {
		if defs[i], err = lookupFormat(name); err != nil {
			return nil, err
		}
	}
	if _, err := newGenerator(cfg); err != nil {
		return nil, err
	}
	stats := make([]Stats, len(defs))
	outs := make([]*output, len(defs))
	errs := make([]error, len(defs))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, d := range defs {
		sub := dir
		if opt.Subdirs {
			sub = filepath.Join(dir, d.name)
		}
		outs[i] = &output{dir: sub, overwrite: opt.Overwrite, stats: Stats{Format: d.name, ByLogType: map[string]int{}}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			stats[i], errs[i] = writeOne(ctx, outs[i], d, cfg)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, o := range outs {
			o.abort()
			o.removeDone()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return stats, nil
}

func writeOne(ctx context.Context, o *output, d formatDef, cfg Config) (Stats, error) {
	g, err := newGenerator(cfg)
	if err != nil {
		return Stats{}, err
	}
	s, err := d.open(o, cfg, g.t)
	if err != nil {
		return Stats{}, fmt.Errorf("%s: %w", d.name, err)
	}
	var counts [4]int
	err = g.run(func(e *Event) error {
		if e.Seq&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		counts[logIndex(e.LogType)]++
		return s.write(e)
	})
	if err == nil {
		err = s.close()
	}
	var audits, prov int
	if err == nil && ctx.Err() == nil {
		audits, prov, err = writeRecords(o, d.name, g)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return Stats{}, fmt.Errorf("%s: %w", d.name, err)
	}
	st := o.stats
	st.Audits, st.Provisioning = audits, prov
	for j, lt := range LogTypes() {
		st.ByLogType[lt] = counts[j]
		st.Events += counts[j]
	}
	return st, nil
}

// output is the directory one format writes into.
type output struct {
	dir       string
	overwrite bool
	stats     Stats
	open      []*outFile
	done      []string // files completed, removed again if the run fails
}

// outFile is a file being written under a temporary name.
type outFile struct {
	o         *output
	path, tmp string
	f         *os.File
	w         *bufio.Writer
	n         int64
}

func (o *output) create(rel string) (*outFile, error) {
	path := filepath.Join(o.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	tmp := path + ".partial"
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if o.overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(tmp, flags, 0o644)
	if err != nil {
		return nil, err
	}
	of := &outFile{o: o, path: path, tmp: tmp, f: f, w: bufio.NewWriterSize(f, 256<<10)}
	o.open = append(o.open, of)
	return of, nil
}

func (f *outFile) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.n += int64(n)
	return n, err
}

// close completes the file: flush, close, rename to its final name.
func (f *outFile) close() error {
	err := f.w.Flush()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if _, serr := os.Stat(f.path); serr == nil && !f.o.overwrite {
			err = fmt.Errorf("%s already exists", f.path)
		} else {
			err = os.Rename(f.tmp, f.path)
		}
	}
	for i, g := range f.o.open {
		if g == f {
			f.o.open = append(f.o.open[:i], f.o.open[i+1:]...)
			break
		}
	}
	if err != nil {
		os.Remove(f.tmp)
		return err
	}
	f.o.done = append(f.o.done, f.path)
	f.o.stats.Files++
	f.o.stats.Bytes += f.n
	return nil
}

// abort removes the files still being written.
func (o *output) abort() {
	for _, f := range o.open {
		f.f.Close()
		os.Remove(f.tmp)
	}
	o.open = nil
}

// removeDone removes the files completed so far.
func (o *output) removeDone() {
	for _, p := range o.done {
		os.Remove(p)
	}
	o.done = nil
}
