package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
)

// TableFormats are the text renderings of a table, for --format. One list drives the flag
// help, the validation message and the tests.
func TableFormats() []string { return []string{"table", "csv", "json", "markdown"} }

// RenderOptions tune text output.
type RenderOptions struct {
	Loc *time.Location // display zone for table, csv and markdown; JSON is always UTC
}

// CheckTableFormat validates a --format value.
func CheckTableFormat(f string) error {
	for _, x := range TableFormats() {
		if f == x {
			return nil
		}
	}
	return fmt.Errorf("unknown format %q: want one of %s", f, strings.Join(TableFormats(), ", "))
}

// RenderTable writes t in one of TableFormats().
func RenderTable(w io.Writer, t *analyze.Table, format string, opt RenderOptions) error {
	if opt.Loc == nil {
		opt.Loc = time.UTC
	}
	switch format {
	case "table":
		return renderText(w, t, opt)
	case "csv":
		return renderCSV(w, t, opt)
	case "json":
		return renderJSON(w, t)
	case "markdown":
		return renderMarkdown(w, t, opt)
	}
	return CheckTableFormat(format)
}

// SafeCSV neutralises a cell that a spreadsheet would run as a formula (OWASP CSV
// injection): text starting with = + - @ tab or CR gets a leading apostrophe. Numbers stay.
func SafeCSV(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
		return "'" + s
	}
	return s
}

func renderCSV(w io.Writer, t *analyze.Table, opt RenderOptions) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = SafeCSV(c.Name)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, r := range t.Rows {
		for i, v := range r {
			s := queries.Text(v, opt.Loc)
			if _, isStr := v.(string); isStr || isList(v) {
				s = SafeCSV(s)
			}
			rec[i] = s
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func isList(v any) bool { _, ok := v.([]any); return ok }

// renderJSON writes an array of objects keyed by column name; times in RFC 3339 UTC.
func renderJSON(w io.Writer, t *analyze.Table) error {
	var b strings.Builder
	b.WriteString("[")
	for ri, r := range t.Rows {
		if ri > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, v := range r {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(t.Columns[i].Name)
			b.Write(k)
			b.WriteString(": ")
			b.Write(jsonValue(v))
		}
		b.WriteString("}")
	}
	if len(t.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonValue(v any) []byte {
	switch x := v.(type) {
	case time.Time:
		v = x.UTC().Format(time.RFC3339Nano)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return []byte("null")
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = string(jsonValue(e))
		}
		return []byte("[" + strings.Join(parts, ", ") + "]")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(strconv.Quote(fmt.Sprint(v)))
	}
	return b
}

func cellText(v any, loc *time.Location) string {
	s := queries.Text(v, loc)
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	return s
}

func renderText(w io.Writer, t *analyze.Table, opt RenderOptions) error {
	const maxWidth = 60
	widths := make([]int, len(t.Columns))
	cells := make([][]string, len(t.Rows))
	for i, c := range t.Columns {
		widths[i] = utf8.RuneCountInString(c.Name)
	}
	for ri, r := range t.Rows {
		cells[ri] = make([]string, len(r))
		for i, v := range r {
			s := cellText(v, opt.Loc)
			if utf8.RuneCountInString(s) > maxWidth {
				s = string([]rune(s)[:maxWidth-1]) + "…"
			}
			cells[ri][i] = s
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(vals []string, numeric []bool) {
		for i, s := range vals {
			pad := widths[i] - utf8.RuneCountInString(s)
			if i > 0 {
				b.WriteString("  ")
			}
			if numeric != nil && numeric[i] {
				b.WriteString(strings.Repeat(" ", pad) + s)
			} else if i < len(vals)-1 {
				b.WriteString(s + strings.Repeat(" ", pad))
			} else {
				b.WriteString(s)
			}
		}
		b.WriteString("\n")
	}
	names := make([]string, len(t.Columns))
	numeric := make([]bool, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
		numeric[i] = isNumericType(c.Type)
	}
	line(names, nil)
	rules := make([]string, len(widths))
	for i, wd := range widths {
		rules[i] = strings.Repeat("-", wd)
	}
	line(rules, nil)
	for _, r := range cells {
		line(r, numeric)
	}
	fmt.Fprintf(&b, "(%d rows)\n", len(t.Rows))
	_, err := io.WriteString(w, b.String())
	return err
}

func isNumericType(t string) bool {
	switch strings.ToUpper(t) {
	case "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "DOUBLE", "FLOAT", "DECIMAL", "REAL":
		return true
	}
	return strings.HasPrefix(strings.ToUpper(t), "DECIMAL")
}

// mdHeader writes the header and alignment rows of a Markdown table (numbers right-aligned).
// Column names come from the catalogue or the user's own SQL, not from the export, and are
// written as they are but for what would break the row (| and line breaks); every cell
// value goes through mdEscape.
func mdHeader(b *strings.Builder, cols []analyze.Column) {
	name := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ")
	b.WriteString("|")
	for _, c := range cols {
		b.WriteString(" " + name.Replace(c.Name) + " |")
	}
	b.WriteString("\n|")
	for _, c := range cols {
		if isNumericType(c.Type) {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
}

func renderMarkdown(w io.Writer, t *analyze.Table, opt RenderOptions) error {
	var b strings.Builder
	mdHeader(&b, t.Columns)
	for _, r := range t.Rows {
		b.WriteString("|")
		for _, v := range r {
			b.WriteString(" " + mdEscape(cellText(v, opt.Loc)) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
