//go:build !devtools

package main

import (
	"strings"
	"testing"
)

// Without -tags devtools there is no generate command at all, hidden or not.
func TestNoGenerateInDefaultBuild(t *testing.T) {
	code, out, errOut := runCLI(t, "generate", "--out", t.TempDir())
	if code != exitUsage || out != "" || !strings.Contains(errOut, `unknown command "generate"`) {
		t.Errorf("generate in the default build: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
