//go:build devtools

package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestDevtoolsScripts runs testdata/devtools/*.txtar, the scripts of the developer
// commands; they run only with -tags devtools (.ci/run does).
func TestDevtoolsScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/devtools",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Cmds:                map[string]func(ts *testscript.TestScript, neg bool, args []string){"exits": cmdExits},
	})
}
