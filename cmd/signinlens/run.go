package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand. Each lives in its own file; commands lists them all.
type command struct {
	name    string
	summary string
	hidden  bool // left out of the command list (developer tools)
	run     func(ctx context.Context, e *env, args []string) error
}

// commands is every subcommand, in the order 'signinlens --help' lists them, then the
// developer commands of a -tags devtools build.
func commands() []command {
	return append([]command{
		{name: "analyze", summary: "run every query and detection and write one report (Excel, Markdown or JSON)", run: runAnalyze},
		{name: "explain", summary: "say what a sign-in error code means", run: runExplain},
		{name: "export", summary: "write the normalized tables as Parquet for Spark, Trino, ClickHouse or ADX", run: runExport},
		{name: "findings", summary: "run the detections (password spray, impossible travel, ...) and list their findings", run: runFindings},
		{name: "load", summary: "load exports into a database and account for every record", run: runLoad},
		{name: "queries", summary: "list the canned queries and detections, or show one in full", run: runQueries},
		{name: "query", summary: "run one canned query and print its table (table, CSV, JSON, Markdown)", run: runQuery},
		{name: "schema", summary: "print the normalized schema with the meaning of each column", run: runSchema},
		{name: "sql", summary: "run ad hoc SQL over the normalized tables", run: runSQL},
		{name: "version", summary: "print the version", run: runVersion},
	}, devCommands()...)
}

// lookup finds a command by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// env is what a command may touch: its streams. Nothing else writes to the terminal.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	// flags is the flag set the command made last; the README test generates the flag
	// tables from it, so the documentation is the flag set the command really parses.
	flags *pflag.FlagSet
}

const usage = `signinlens analyzes Microsoft Entra ID activity log exports (sign-ins, audit, provisioning) offline.

Usage:
  signinlens <command> [flags] [arguments]

Commands:
%s
Run 'signinlens <command> --help' for a command's flags and examples.

Example:
  signinlens analyze exports/ -o report.xlsx
`

func commandList() string {
	var b strings.Builder
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
		}
	}
	return b.String()
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := lookup(args[1]); ok {
				return exitCode(e, c.run(ctx, e, []string{"--help"}))
			}
		}
		fmt.Fprintf(stdout, usage, commandList())
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" {
		args[0] = "version"
	}
	c, ok := lookup(args[0])
	if !ok {
		errorf(e, "unknown command %q", args[0])
		hintf(e, "run 'signinlens --help' for the list of commands")
		return exitUsage
	}
	return exitCode(e, c.run(ctx, e, args[1:]))
}

// newFlags returns a flag set that reports errors instead of exiting and prints the
// command's own usage text.
func newFlags(e *env, name, usageText string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintln(e.stdout, strings.TrimSpace(usageText))
		fmt.Fprintln(e.stdout, "\nFlags:")
		fmt.Fprint(e.stdout, fs.FlagUsages())
	}
	fs.SortFlags = false
	e.flags = fs
	return fs
}

// parseFlags parses args; --help prints usage and returns errHelp, which exits 0.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) { // pflag has printed the usage already
			return errHelp
		}
		return usageError{msg: err.Error(), try: "signinlens " + fs.Name() + " --help"}
	}
	return nil
}
