package loaders

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads the timestamp spellings found in sign-in exports and returns UTC:
// RFC 3339 with 0-9 fractional digits and Z or an offset; ISO without a zone, with T or a
// space; US text "9/19/2023, 1:45:17.287 PM" and "11/14/2025 1:48:53 AM"; day-first text
// "12.03.2025 07:22:01" or "05/01/2024 10:11:12" when dayFirst is set (dotted dates are
// always day-first); and .NET's "/Date(1690123456000)/". Values without a zone are UTC.
func ParseTime(s string, dayFirst bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty time")
	}
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		return parseISO(s)
	}
	if strings.HasPrefix(s, "/Date(") || strings.HasPrefix(s, `\/Date(`) {
		return parseDotNetDate(s)
	}
	return parseNumericDate(s, dayFirst)
}

func parseISO(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	v := s
	if len(v) > 10 && v[10] == ' ' {
		v = v[:10] + "T" + v[11:]
	}
	if len(v) == 10 {
		v += "T00:00:00"
	}
	// No zone: UTC.
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999Z0700", v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot read time %q", clip(s, 40))
}

func parseDotNetDate(s string) (time.Time, error) {
	i := strings.IndexByte(s, '(')
	j := strings.IndexByte(s, ')')
	if i < 0 || j < i {
		return time.Time{}, fmt.Errorf("cannot read time %q", clip(s, 40))
	}
	body := s[i+1 : j]
	if body == "" {
		return time.Time{}, fmt.Errorf("cannot read time %q", clip(s, 40))
	}
	// An offset suffix (+0100) does not move the instant; the milliseconds are UTC.
	if k := strings.IndexAny(body[1:], "+-"); k >= 0 {
		body = body[:k+1]
	}
	ms, err := strconv.ParseInt(body, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot read time %q", clip(s, 40))
	}
	return time.UnixMilli(ms).UTC(), nil
}

// parseNumericDate reads "M/D/YYYY[,] h:mm[:ss[.fff]] [AM|PM] [+hh:mm]" and dotted or
// day-first variants.
func parseNumericDate(s string, dayFirst bool) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("cannot read time %q", clip(s, 40))
	}
	datePart, rest, _ := strings.Cut(s, " ")
	datePart = strings.TrimSuffix(datePart, ",")
	sep := byte('/')
	if strings.IndexByte(datePart, '.') > 0 {
		sep, dayFirst = '.', true
	} else if strings.IndexByte(datePart, '-') > 0 {
		sep = '-'
	}
	parts := strings.Split(datePart, string(sep))
	if len(parts) != 3 {
		return bad()
	}
	a, e1 := strconv.Atoi(parts[0])
	b, e2 := strconv.Atoi(parts[1])
	y, e3 := strconv.Atoi(parts[2])
	if e1 != nil || e2 != nil || e3 != nil {
		return bad()
	}
	month, day := a, b
	if dayFirst {
		month, day = b, a
	}
	if y < 100 {
		y += 2000
	}
	var hour, min, sec, nsec int
	loc := time.UTC
	rest = strings.TrimSpace(rest)
	if rest != "" {
		fields := strings.Fields(rest)
		clock := strings.Split(fields[0], ":")
		if len(clock) < 2 || len(clock) > 3 {
			return bad()
		}
		var err error
		if hour, err = strconv.Atoi(clock[0]); err != nil {
			return bad()
		}
		if min, err = strconv.Atoi(clock[1]); err != nil {
			return bad()
		}
		if len(clock) == 3 {
			secs, frac, _ := strings.Cut(clock[2], ".")
			if sec, err = strconv.Atoi(secs); err != nil {
				return bad()
			}
			if frac != "" {
				if len(frac) > 9 {
					frac = frac[:9]
				}
				f, err := strconv.Atoi(frac)
				if err != nil {
					return bad()
				}
				for i := len(frac); i < 9; i++ {
					f *= 10
				}
				nsec = f
			}
		}
		for _, f := range fields[1:] {
			switch strings.ToUpper(f) {
			case "AM":
				if hour == 12 {
					hour = 0
				} else if hour > 12 {
					return bad()
				}
			case "PM":
				if hour < 12 {
					hour += 12
				} else if hour > 12 {
					return bad()
				}
			case "UTC", "Z", "GMT":
			default:
				off, ok := parseOffset(f)
				if !ok {
					return bad()
				}
				loc = time.FixedZone("", off)
			}
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return bad()
	}
	t := time.Date(y, time.Month(month), day, hour, min, sec, nsec, loc)
	if t.Day() != day { // 31 February and the like
		return bad()
	}
	return t.UTC(), nil
}

func parseOffset(f string) (int, bool) {
	if len(f) < 3 || (f[0] != '+' && f[0] != '-') {
		return 0, false
	}
	sign := 1
	if f[0] == '-' {
		sign = -1
	}
	body := strings.ReplaceAll(f[1:], ":", "")
	if len(body) != 2 && len(body) != 4 {
		return 0, false
	}
	h, err := strconv.Atoi(body[:2])
	if err != nil {
		return 0, false
	}
	m := 0
	if len(body) == 4 {
		if m, err = strconv.Atoi(body[2:]); err != nil {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}

// DateOrder inspects date texts of one file and decides whether they are day-first. A first
// field above 12 settles it; otherwise month-first (US) is assumed and ambiguous is true.
func DateOrder(samples []string) (dayFirst, ambiguous bool) {
	numeric := false
	for _, s := range samples {
		s = strings.TrimSpace(s)
		if len(s) >= 10 && s[4] == '-' {
			continue
		}
		numeric = true
		d, _, _ := strings.Cut(s, " ")
		if strings.IndexByte(d, '.') > 0 {
			return true, false
		}
		p := strings.Split(strings.TrimSuffix(d, ","), "/")
		if len(p) != 3 {
			continue
		}
		a, _ := strconv.Atoi(p[0])
		b, _ := strconv.Atoi(p[1])
		if a > 12 {
			return true, false
		}
		if b > 12 {
			return false, false
		}
	}
	return false, numeric
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
