package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The shipped binary is the default build, and the generator is not in it: only a
// -tags devtools build links internal/gen (see devtools_off.go).
func TestDefaultBuildLeavesOutGenerator(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the build's packages")
	}
	out, err := exec.Command(gobin, "list", "-deps", "-tags=", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "github.com/signinlens/signinlens/internal/store") {
		t.Fatalf("go list -deps printed no plausible dependency list:\n%s", out)
	}
	if slices.Contains(deps, "github.com/signinlens/signinlens/internal/gen") {
		t.Error("the default build of signinlens links internal/gen; the generator belongs behind -tags devtools")
	}
}
