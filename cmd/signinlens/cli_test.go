package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs the whole CLI in-process, as main does.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSchemaListsEveryColumn(t *testing.T) {
	code, out, _ := runCLI(t, "schema")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"signins", "signin_ca_policies", "signin_auth_steps", "sources", "load_problems",
		"created_at", "event time (createdDateTime), UTC", "risk_event_types", "extra"} {
		if !strings.Contains(out, want) {
			t.Errorf("schema output lacks %q", want)
		}
	}
}

// The command list is one literal; a name given twice would hide the second command.
func TestCommandNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		if seen[c.name] {
			t.Errorf("command %s listed twice", c.name)
		}
		seen[c.name] = true
	}
}
