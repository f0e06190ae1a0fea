package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/words"
	"github.com/xuri/excelize/v2"
)

// colKind says how a column's values are written.
type colKind int

const (
	kindText colKind = iota
	kindInt
	kindCode // a whole number shown as it is (an error code, a line number), without separators
	kindFloat
	kindPct  // the catalogue writes percentages in percent (95.3), shown as 95.3%
	kindTime // instant, shown in the display zone
	kindDate // calendar day (UTC days, as the SQL computed them)
	kindBool
)

type colFormat struct {
	header string
	kind   colKind
	style  int
	width  float64
}

// declaredKind maps a display kind of the catalogue's column: lines (queries.OutCol.Kind)
// to the writer's.
func declaredKind(kind string) colKind {
	switch kind {
	case "integer":
		return kindInt
	case "code":
		return kindCode
	case "number":
		return kindFloat
	case "percent":
		return kindPct
	case "time":
		return kindTime
	case "day":
		return kindDate
	case "boolean":
		return kindBool
	}
	return kindText // text, list
}

// sectionKinds is how each column of a catalogue section is shown: as its query's column:
// lines declare it. A column the query does not declare (a report built in code) is shown
// by its type.
func sectionKinds(s *analyze.Section) []colKind {
	declared := map[string]string{}
	for _, c := range s.Query.Columns {
		declared[c.Name] = c.Kind
	}
	out := typeKinds(s.Table)
	for i, c := range s.Table.Columns {
		if k, ok := declared[c.Name]; ok {
			out[i] = declaredKind(k)
		}
	}
	return out
}

// typeKinds is how each column of a table built outside the catalogue (Findings, Evidence,
// Sources, Raw) is shown: by its type, and as a code when its name is among codes.
func typeKinds(t *analyze.Table, codes ...string) []colKind {
	out := make([]colKind, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = typeKind(c, t.Rows, i)
		if out[i] == kindInt && slices.Contains(codes, c.Name) {
			out[i] = kindCode
		}
	}
	return out
}

func typeKind(c analyze.Column, rows [][]any, i int) colKind {
	t := strings.ToUpper(c.Type)
	switch {
	case t == "DATE":
		return kindDate
	case strings.HasPrefix(t, "TIMESTAMP"):
		return kindTime
	case t == "BOOLEAN":
		return kindBool
	case t == "DOUBLE" || t == "FLOAT" || t == "REAL" || strings.HasPrefix(t, "DECIMAL"):
		return kindFloat
	case isNumericType(t):
		return kindInt
	}
	if t == "" { // a table built in Go: look at the values
		for _, r := range rows {
			switch r[i].(type) {
			case time.Time:
				return kindTime
			case int64:
				return kindInt
			case float64:
				return kindFloat
			case nil:
				continue
			}
			break
		}
	}
	return kindText
}

// signinCodes are the whole-number columns of the signins table (on the Raw and Evidence
// sheets) that name something rather than count it: shown without thousands separators.
func signinCodes() []string {
	return []string{"signin_key", "error_code", "autonomous_system_number", "source_id", "source_line", "content_hash"}
}

// formats works out each column's header, cell style and width; kinds says how each
// column is shown (sectionKinds or typeKinds).
func (b *book) formats(t *analyze.Table, kinds []colKind) []colFormat {
	out := make([]colFormat, len(t.Columns))
	seen := map[string]int{}
	for i, c := range t.Columns {
		k := kinds[i]
		f := colFormat{header: c.Name, kind: k}
		switch k {
		case kindTime:
			f.header += " (" + b.zone + ")"
			f.style, f.width = b.s.datetime, 20
		case kindDate:
			f.header += " (UTC)"
			f.style, f.width = b.s.date, 12
		case kindInt:
			f.style = b.s.intNum
		case kindCode:
			f.style = b.s.plainInt
		case kindFloat:
			f.style = b.s.float
		case kindPct:
			f.style = b.s.pct
		}
		key := strings.ToLower(f.header)
		if n := seen[key]; n > 0 {
			f.header = fmt.Sprintf("%s %d", f.header, n+1)
		}
		seen[key]++
		w := float64(utf8.RuneCountInString(f.header)) + 4 // room for the filter button
		for ri, r := range t.Rows {
			if ri == 2000 {
				break
			}
			var n int
			switch k {
			case kindTime, kindDate:
				continue
			case kindInt, kindCode:
				n = len(words.Thousands(toInt(r[i]))) + 1
			case kindFloat, kindPct:
				n = 10
			default:
				n = utf8.RuneCountInString(queries.Text(r[i], b.loc))
			}
			w = max(w, float64(n)+2)
		}
		f.width = max(f.width, min(w, 60))
		out[i] = f
	}
	return out
}

func toInt(v any) int64 {
	n, _ := analyze.AsInt(v)
	return n
}

// excelSerial is the spreadsheet day number of t's wall clock in loc: Excel has no zones.
func excelSerial(t time.Time, loc *time.Location) float64 {
	w := t.In(loc)
	naive := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	return float64(naive.Unix())/86400 + 25569 + float64(naive.Nanosecond())/86400e9
}

// value converts a model value to what excelize writes: numbers stay numbers, instants
// become date serials in the display zone, and everything else becomes a string.
func (b *book) value(v any, f colFormat) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if f.kind == kindDate {
			return excelize.Cell{StyleID: b.s.date, Value: excelSerial(x, time.UTC)}
		}
		return excelize.Cell{StyleID: b.s.datetime, Value: excelSerial(x, b.loc)}
	case int64:
		return excelize.Cell{StyleID: f.style, Value: x}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		st := f.style
		if st == 0 || st == b.s.intNum {
			st = b.s.float
		}
		return excelize.Cell{StyleID: st, Value: x}
	case bool:
		return x
	case string:
		if f.kind == kindDate {
			if d, err := time.Parse(time.DateOnly, x); err == nil {
				return excelize.Cell{StyleID: b.s.date, Value: excelSerial(d, time.UTC)}
			}
		}
		return b.clip(x) // a plain string: excelize writes it as text, never as a formula
	}
	return b.clip(queries.Text(v, b.loc))
}

// set writes one value with the ordinary (non-streaming) API.
func (b *book) set(sheet string, col, row int, v any, style int) error {
	ref := cell(col, row)
	var err error
	switch x := v.(type) {
	case nil:
		return nil
	case excelize.Cell:
		if x.StyleID != 0 && style == 0 {
			style = x.StyleID
		}
		return b.set(sheet, col, row, x.Value, style)
	case string:
		err = b.f.SetCellStr(sheet, ref, b.clip(x))
	case int64:
		err = b.f.SetCellInt(sheet, ref, x)
	case int:
		err = b.f.SetCellInt(sheet, ref, int64(x))
	case float64:
		err = b.f.SetCellFloat(sheet, ref, x, -1, 64)
	case bool:
		err = b.f.SetCellBool(sheet, ref, x)
	default:
		err = b.f.SetCellStr(sheet, ref, b.clip(queries.Text(v, b.loc)))
	}
	if err == nil && style != 0 {
		err = b.f.SetCellStyle(sheet, ref, ref, style)
	}
	return err
}
