package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/spf13/pflag"
)

// queryFlags are the parameters shared by query, findings and analyze.
type queryFlags struct {
	asOf     string
	window   string
	since    string
	until    string
	app      string
	user     string
	ip       string
	logTypes []string
	tz       string
	set      []string
	baseline string
}

func (q *queryFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&q.asOf, "as-of", "", "end `time` of every window (default: the latest event in the data, never the clock)")
	fs.StringVar(&q.window, "window", "", "`duration` ending at --as-of, e.g. 24h, 7d, 2w, or all (default: each query's own)")
	fs.StringVar(&q.since, "since", "", "absolute start `time` (exclusive); overrides --window")
	fs.StringVar(&q.until, "until", "", "absolute end `time` (inclusive); overrides --as-of as the end")
	fs.StringVar(&q.app, "app", "", "only this application (`id or name`)")
	fs.StringVar(&q.user, "user", "", "only this user (`id or UPN`)")
	fs.StringVar(&q.ip, "ip", "", "only this IP `address`")
	fs.StringArrayVar(&q.logTypes, "log-type", nil, "only this `log type` (repeatable): "+strings.Join(loaders.LogTypes(), ", "))
	fs.StringVar(&q.tz, "tz", "UTC", "time `zone` for displayed times (IANA name such as Europe/Berlin)")
	fs.StringVar(&q.baseline, "baseline", "", "end of the first-seen detections' baseline, a `duration or date`: 7d judges the last 7 days against everything before them, 2025-06-01 judges what follows that date (default 7d)")
	fs.StringArrayVar(&q.set, "set", nil, "override a parameter: `ID.PARAM=VALUE` (repeatable), e.g. password-spray.min_users=5")
}

// params validates the flags. Call it before opening any file.
func (q *queryFlags) params() (analyze.Params, *time.Location, error) {
	var p analyze.Params
	bad := func(format string, args ...any) (analyze.Params, *time.Location, error) {
		return p, nil, usageError{msg: fmt.Sprintf(format, args...), try: "signinlens query app-users --db case.duckdb --window 7d"}
	}
	loc, err := loadZone(q.tz)
	if err != nil {
		return p, nil, err
	}
	parse := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := loaders.ParseTime(s, false)
		if err != nil {
			return t, fmt.Errorf("--%s: %v (use RFC 3339, e.g. 2025-06-15T23:59:59Z)", name, err)
		}
		return t, nil
	}
	if p.AsOf, err = parse("as-of", q.asOf); err != nil {
		return bad("%v", err)
	}
	if p.Since, err = parse("since", q.since); err != nil {
		return bad("%v", err)
	}
	if p.Until, err = parse("until", q.until); err != nil {
		return bad("%v", err)
	}
	if !p.Since.IsZero() && !p.Until.IsZero() && !p.Since.Before(p.Until) {
		return bad("--since must be before --until")
	}
	if q.window != "" {
		d, all, err := queries.ParseWindow(q.window)
		if err != nil {
			return bad("--window: %v", err)
		}
		p.Window, p.All = d, all
	}
	for _, lt := range q.logTypes {
		ok := false
		for _, known := range loaders.LogTypes() {
			ok = ok || lt == known
		}
		if !ok {
			return bad("--log-type %q: want one of %s", lt, strings.Join(loaders.LogTypes(), ", "))
		}
	}
	p.App, p.User, p.IP, p.LogTypes = q.app, q.user, q.ip, q.logTypes
	if q.baseline != "" {
		if p.Baseline, p.BaselineEnd, err = queries.ParseBaseline(q.baseline, func(s string) (time.Time, error) { return loaders.ParseTime(s, false) }); err != nil {
			return bad("--baseline: %v", err)
		}
	}
	if len(q.set) > 0 {
		p.Set = map[string]string{}
		for _, s := range q.set {
			k, v, ok := strings.Cut(s, "=")
			if !ok || !strings.Contains(k, ".") {
				return bad("--set %q: want ID.PARAM=VALUE", s)
			}
			p.Set[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return p, loc, nil
}

// configUsage is the help of --config, a settings file of parameters that --set overrides.
const configUsage = "settings `file` of ID.PARAM=VALUE lines, applied under --set"

// applySettings reads the --config file, if any, into p.Set; --set wins over the file.
func applySettings(config string, p *analyze.Params) error {
	if config == "" {
		return nil
	}
	settings, err := queries.LoadSettings(config)
	if err != nil {
		return err
	}
	for k, v := range p.Set {
		settings[k] = v
	}
	p.Set = settings
	return nil
}

// resolveAsOf fills the default as-of from the data.
func resolveAsOf(ctx context.Context, db *sql.DB, p *analyze.Params) (time.Time, error) {
	if !p.AsOf.IsZero() {
		return p.AsOf.UTC(), nil
	}
	return queries.LatestEvent(ctx, db)
}
