package main

import (
	"errors"
	"flag"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the README's generated flag tables and the scripts' cmp files")

// TestMain makes the test binary act as signinlens when a script runs 'exec signinlens':
// the same run function as main, in a process of its own with the script's folder as its
// working directory.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"signinlens": main})
}

// TestScripts runs testdata/script/*.txtar, the end-to-end cases: what a person types and
// what they see, exit codes included. Run one with -run TestScripts/NAME.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Cmds:                map[string]func(ts *testscript.TestScript, neg bool, args []string){"exits": cmdExits},
	})
}

// cmdExits is 'exits CODE PROGRAM ARGS...': run PROGRAM like exec, and pass only when it
// exits with CODE. exec and '! exec' tell success from failure; the exit codes of
// signinlens say which failure, so the scripts check them exactly.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var xe *exec.ExitError
		if !errors.As(err, &xe) {
			ts.Fatalf("exits: %v", err)
		}
		got = xe.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}
