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

func TestUsageAndHelp(t *testing.T) {
	if code, out, _ := runCLI(t); code != exitUsage || !strings.Contains(out, "Commands:") {
		t.Errorf("no args: code %d", code)
	}
	if code, _, errOut := runCLI(t, "frobnicate"); code != exitUsage || !strings.Contains(errOut, `signinlens: error: unknown command "frobnicate"`) {
		t.Errorf("unknown command: code %d, stderr %q", code, errOut)
	}
	for _, c := range commands() {
		name := c.name
		code, out, _ := runCLI(t, name, "--help")
		if code != exitOK || strings.Count(out, "Usage: signinlens "+name) != 1 || !strings.Contains(out, "Example") {
			t.Errorf("%s --help: code %d, usage missing or without examples:\n%s", name, code, out)
		}
	}
	if code, _, errOut := runCLI(t, "load", "--no-such-flag", "x"); code != exitUsage || !strings.Contains(errOut, "hint: try: signinlens load --help") {
		t.Errorf("bad flag: code %d stderr %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "signinlens ") {
		t.Errorf("version: %d %q", code, out)
	}
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
