// The per-file day/month decision for locale dates in CSV cells.

package loaders

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/words"
)

// dateOrder decides, per file, whether locale dates are day-first. A date whose first
// field is above 12 settles it (and a dotted date is always day-first); until then rows
// are held back, up to a bound, after which month-first (US) is assumed.
type dateOrder struct {
	cols      []int  // date cells to inspect
	name      string // the date column named in notes
	decided   bool
	dayFirst  bool
	assumed   bool // month-first taken without evidence
	portal    bool // the format's own form is US text (Log Analytics), not an Excel re-save
	locale    bool // a non-ISO date was seen
	example   string
	byLine    int64
	bySample  string
	noSeconds int64
}

// hold inspects a row's date cells and reports whether it must wait for the decision.
func (d *dateOrder) hold(rw *csvRow) bool {
	if d.decided {
		return false
	}
	wait := false
	for _, i := range d.cols {
		v := strings.TrimSpace(rw.cells[i])
		if v == "" || (len(v) >= 10 && v[4] == '-' && v[7] == '-') || !numericDate(v) {
			continue
		}
		if !d.locale {
			d.locale, d.example = true, v
		}
		if df, amb := DateOrder([]string{v}); !amb {
			d.decided, d.dayFirst, d.byLine, d.bySample = true, df, rw.line, v
			return true // released at once, in order, with the held rows
		}
		wait = true
	}
	return wait
}

// numericDate reports text that starts like a date of numbers: 3/4/2025, 12.03.2025.
func numericDate(v string) bool {
	d, _, _ := strings.Cut(v, " ")
	d = strings.TrimSuffix(d, ",")
	parts := strings.FieldsFunc(d, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

// settle ends the wait: without evidence, month-first.
func (d *dateOrder) settle() {
	if !d.decided {
		d.decided, d.dayFirst, d.assumed = true, false, true
	}
}

func (d *dateOrder) orderName() string {
	if d.dayFirst {
		return "day-first (day/month/year)"
	}
	return "month-first (month/day/year)"
}

// parse reads a date cell in the file's order; reason says why it cannot.
func (d *dateOrder) parse(v string, loc *time.Location) (time.Time, string) {
	v = strings.TrimSpace(v)
	t, err := ParseTime(v, d.dayFirst)
	if err != nil {
		if _, err2 := ParseTime(v, !d.dayFirst); err2 == nil && d.decided {
			why := "no date settled the order, so US month-first was assumed"
			if !d.assumed {
				why = fmt.Sprintf("as %q on line %d shows", d.bySample, d.byLine)
			}
			return time.Time{}, fmt.Sprintf("date %q contradicts the order of this file's dates: they are %s, %s", v, d.orderName(), why)
		}
		return time.Time{}, err.Error()
	}
	if (len(v) < 10 || v[4] != '-') && strings.Count(v, ":") == 1 {
		d.noSeconds++
	}
	if loc != nil && loc != time.UTC && !hasZone(v) {
		// A zone-less text under a header naming another zone: that zone's wall clock.
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc).UTC()
	}
	return t, ""
}

// hasZone reports whether a time text names its zone or offset.
func hasZone(v string) bool {
	if len(v) >= 10 && v[4] == '-' && v[7] == '-' {
		if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
			return true
		}
		rest := v[10:]
		return strings.ContainsAny(rest, "+") || strings.LastIndexByte(rest, '-') > 0
	}
	fields := strings.Fields(v)
	for _, f := range fields[min(1, len(fields)):] {
		switch strings.ToUpper(f) {
		case "UTC", "GMT", "Z":
			return true
		}
		if f[0] == '+' || f[0] == '-' {
			return true
		}
	}
	return false
}

func (d *dateOrder) note(c *ReadContext) {
	if !d.locale {
		return
	}
	switch {
	case d.portal && d.assumed && strings.Contains(d.example, ", ") && (strings.HasSuffix(d.example, "M") || strings.HasSuffix(d.example, "m")):
		// The portal's own form ("9/19/2023, 1:45:17.287 PM") is month-first: no choice made.
	case d.portal && d.assumed:
		c.Note("times in %s are in the portal's US form (e.g. %q); no date has a day above 12, so month/day/year is taken, as the portal writes it", d.name, d.example)
	case d.portal && d.dayFirst:
		c.Note("times in %s are day-first, not the portal's US form: %q on line %d has a day above 12", d.name, d.bySample, d.byLine)
	case d.portal:
	case d.assumed:
		c.Note("dates in %s are locale text such as %q, not ISO 8601 (the file was probably re-saved by Excel or written by Export-Csv); no date has a day above 12, so the day/month order cannot be proven: read as month-first (US), e.g. 3/4/2025 is 4 March", d.name, d.example)
	default:
		c.Note("dates in %s are locale text such as %q, not ISO 8601 (the file was probably re-saved by Excel or written by Export-Csv): read as %s, as %q on line %d shows", d.name, d.example, d.orderName(), d.bySample, d.byLine)
	}
	if d.noSeconds > 0 {
		c.Note("%s in %s have no seconds (minute precision only, as Excel shows them)", words.Plural(d.noSeconds, "date", "dates"), d.name)
	}
}
