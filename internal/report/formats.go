// Package report renders the result model of package analyze: the Excel workbook (one
// file per sheet), Markdown and JSON reports, and the table formats of query, sql and
// findings (text, CSV, JSON, Markdown). Writers only read the model; none queries the
// database, apart from streaming the optional raw rows through analyze.RawRows.
package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/signinlens/signinlens/internal/analyze"
)

// Format is one rendering of a Report, picked by the output file's extension.
type Format struct {
	Name  string
	Exts  []string // lower case, with the dot; the first is the canonical one
	Title string
	Raw   bool // renders the --raw sign-ins
	Write func(ctx context.Context, w io.Writer, r *analyze.Report) error
}

// Formats is the one list of report formats: it drives the help text, the error for an
// unknown extension and the test that renders every format. Each call returns a fresh list.
func Formats() []*Format {
	return []*Format{
		{Name: "xlsx", Exts: []string{".xlsx"}, Raw: true, Write: WriteXLSX,
			Title: "Excel workbook: Summary, Findings, Evidence, Charts, one sheet per query, Sources, Methodology (and Raw with --raw)"},
		{Name: "markdown", Exts: []string{".md", ".markdown"}, Write: WriteMarkdown,
			Title: "Markdown: the Summary, findings, and each query's table (first 25 rows)"},
		{Name: "json", Exts: []string{".json"}, Write: WriteJSON,
			Title: "JSON: the whole result model (meta, sources, counts, answers, sections, findings, warnings)"},
	}
}

// Extensions lists every accepted extension, for messages.
func Extensions() string {
	var exts []string
	for _, f := range Formats() {
		exts = append(exts, f.Exts...)
	}
	return strings.Join(exts, ", ")
}

// FormatHelp is the format list for usage text, one line each.
func FormatHelp() string {
	var b strings.Builder
	for _, f := range Formats() {
		fmt.Fprintf(&b, "  %-16s %s\n", strings.Join(f.Exts, " "), f.Title)
	}
	return b.String()
}

// FormatFor picks the format from the output path's extension.
func FormatFor(path string) (*Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range Formats() {
		for _, e := range f.Exts {
			if e == ext {
				return f, nil
			}
		}
	}
	if ext == "" {
		return nil, fmt.Errorf("output %s has no extension: want one of %s", path, Extensions())
	}
	return nil, fmt.Errorf("output %s: unknown extension %s: want one of %s", path, ext, Extensions())
}

// WriteFile renders r in the format chosen by path's extension to a temporary file next
// to path and renames it into place, so a failed run leaves no partial report.
func WriteFile(ctx context.Context, path string, r *analyze.Report) error {
	f, err := FormatFor(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := f.Write(ctx, tmp, r); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	return nil
}
