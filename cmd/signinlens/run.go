package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand. Each lives in its own file and registers itself in init.
type command struct {
	name    string
	summary string
	hidden  bool // left out of the command list (developer tools)
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// env is what a command may touch: its streams. Nothing else writes to the terminal.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

const usage = `signinlens analyzes Microsoft Entra ID sign-in log exports offline.

Usage:
  signinlens <command> [flags] [arguments]

Commands:
%s
Run 'signinlens <command> --help' for a command's flags and examples.

Example:
  signinlens analyze exports/ -o report.xlsx
`

func commandList() string {
	names := make([]string, 0, len(commands))
	for n, c := range commands {
		if !c.hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-12s %s\n", n, commands[n].summary)
	}
	return b.String()
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
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
	c, ok := commands[args[0]]
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
