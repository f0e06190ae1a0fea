//go:build devtools

// The generate command is a developer tool: it is built only with -tags devtools, so the
// shipped binary does not carry the generator (see devtools_off.go).

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
	"github.com/signinlens/signinlens/internal/words"
)

const generateUsage = `Usage: signinlens generate --out DIR [flags]

Writes the sign-in, directory audit and provisioning logs of a synthetic Entra ID tenant:
users, guests, service principals and managed identities signing in over a period, the
directory's background administration and a ServiceNow provisioning job, the same events in
every export format chosen. The same flags always give the same bytes. With --scenarios,
attack patterns and what the intruders changed afterwards (audit events) are injected at
fixed times and listed when done. For benchmarks, demos and tests; the data is
made up (documentation IP ranges, a fictitious Contoso tenant).

With one --format the files go straight into DIR; with several (default: all) each format
gets its own folder DIR/<format>/. DIR must be empty or missing, unless --force, which
replaces files of the same name and leaves other files alone.

Formats:
%s
Examples:
  signinlens generate --out /tmp/tenant --scenarios
  signinlens generate --out /tmp/bench --format diagnostic --format la-csv --events 1000000 --days 30
  signinlens generate --out testdata/sample --format diagnostic --events 1200 --seed 1 \
      --start 2025-05-24 --days 15 --scenarios --force

Built only with -tags devtools: go run -tags devtools ./cmd/signinlens generate ...`

// devCommands is the developer commands: with -tags devtools, generate.
func devCommands() []command {
	return []command{
		{name: "generate", summary: "write a synthetic tenant's sign-in logs (developer tool)", hidden: true, run: runGenerate},
	}
}

func generateFormats() string {
	var b strings.Builder
	for _, f := range gen.Formats() {
		fmt.Fprintf(&b, "  %-11s %s\n", f, gen.Describe(f))
	}
	return b.String()
}

func runGenerate(ctx context.Context, e *env, args []string) error {
	var (
		out, start, tenant string
		formats            []string
		force, scenarios   bool
		cfg                gen.Config
	)
	const try = "signinlens generate --out /tmp/tenant --scenarios"
	fs := newFlags(e, "generate", fmt.Sprintf(generateUsage, generateFormats()))
	fs.StringVar(&out, "out", "", "folder to write into (required)")
	fs.StringSliceVar(&formats, "format", nil, "export format, repeatable or comma-separated (default all)")
	fs.IntVar(&cfg.Events, "events", 10_000, "sign-ins to write, scenario events included")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of every random choice")
	fs.StringVar(&start, "start", "2025-06-01", "first day of the period (UTC), YYYY-MM-DD")
	fs.IntVar(&cfg.Days, "days", 7, "length of the period in days")
	fs.IntVar(&cfg.Users, "users", 0, "user accounts (default 50 + events/1000, at most 5000)")
	fs.StringVar(&tenant, "tenant", "", "tenant id GUID (default derived from the seed)")
	fs.IntVar(&cfg.Audits, "audits", 0, "background directory audit events (default events/20; -1 for no audit log)")
	fs.IntVar(&cfg.Provisioning, "provisioning", 0, "provisioning events (default events/30; -1 for no provisioning log)")
	fs.BoolVar(&scenarios, "scenarios", false, "inject the attack scenarios")
	fs.BoolVar(&force, "force", false, "write into a folder that is not empty")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: fmt.Sprintf("generate takes no arguments, got %q", fs.Arg(0)), try: try}
	}
	if out == "" {
		return usageError{msg: "--out is required", try: try}
	}
	if len(formats) == 0 {
		formats = gen.Formats()
	}
	for _, f := range formats {
		if !slices.Contains(gen.Formats(), f) {
			return usageError{msg: fmt.Sprintf("unknown format %q (known: %s)", f, strings.Join(gen.Formats(), ", ")), try: "signinlens generate --out /tmp/tenant --format diagnostic"}
		}
	}
	formats = slices.Compact(formats)
	day, err := time.Parse("2006-01-02", start)
	if err != nil {
		return usageError{msg: fmt.Sprintf("--start %q is not a date like 2025-06-01", start), try: try}
	}
	if cfg.Events <= 0 || cfg.Days <= 0 || cfg.Users < 0 {
		return usageError{msg: "--events and --days must be positive, --users not negative", try: try}
	}
	cfg.Start, cfg.Tenant, cfg.Scenarios = day, tenant, scenarios
	// Validate the whole configuration before touching the disk.
	list, err := gen.Scenarios(cfg)
	if err != nil {
		return usageError{msg: err.Error(), try: try}
	}
	if !force {
		if err := generateDirEmpty(out); err != nil {
			return err
		}
	}
	began := time.Now()
	stats, err := gen.WriteAll(ctx, out, formats, cfg, gen.Options{Subdirs: len(formats) > 1, Overwrite: force})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	for _, st := range stats {
		where := out
		if len(formats) > 1 {
			where = out + string(os.PathSeparator) + st.Format
		}
		fmt.Fprintf(e.stdout, "%-10s %d sign-ins, %s, %s, %d files, %s in %s\n", st.Format, st.Events,
			words.Plural(int64(st.Audits), "audit event", "audit events"), words.Plural(int64(st.Provisioning), "provisioning event", "provisioning events"),
			st.Files, human(st.Bytes), where)
	}
	if len(stats) > 0 {
		st := stats[0]
		fmt.Fprintf(e.stdout, "log types: %d interactive, %d non-interactive, %d service principal, %d managed identity (%.1fs)\n",
			st.ByLogType[gen.Interactive], st.ByLogType[gen.NonInteractive], st.ByLogType[gen.ServicePrincipal],
			st.ByLogType[gen.ManagedIdentity], time.Since(began).Seconds())
	}
	if len(list) > 0 {
		fmt.Fprintln(e.stdout, "\nscenarios (UTC):")
		for _, s := range list {
			desc := s.Description
			if s.Audits > 0 {
				desc += " (+" + words.Plural(int64(s.Audits), "audit event", "audit events") + ")"
			}
			fmt.Fprintf(e.stdout, "  %-21s %s  %-45s %s\n", s.Name, s.Time.Format("2006-01-02 15:04"), s.Entity, desc)
		}
	}
	return nil
}

// generateDirEmpty refuses a folder that exists and holds anything.
func generateDirEmpty(dir string) error {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return usageError{msg: fmt.Sprintf("--out %s is a file, not a folder", dir), try: "signinlens generate --out " + dir + " --force"}
	}
	if _, err := f.Readdirnames(1); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
		return usageError{msg: fmt.Sprintf("%s is not empty; generated files would mix with what is there", dir), try: "signinlens generate --out " + dir + " --force"}
	}
	return nil
}
