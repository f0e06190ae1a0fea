package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

const readmePath = "../../README.md"

// commandFlags is the flag set a command really parses: the one it made while printing
// its help.
func commandFlags(t *testing.T, c command) *pflag.FlagSet {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	if err := c.run(context.Background(), e, []string{"--help"}); err != errHelp {
		t.Fatalf("%s --help: %v", c.name, err)
	}
	if e.flags == nil {
		t.Fatalf("%s made no flag set", c.name)
	}
	return e.flags
}

func flagMarkers(name string) (begin, end string) {
	return "<!-- flags:" + name + ":begin -->", "<!-- flags:" + name + ":end -->"
}

// flagTable is the README's table of a command's flags, between its markers: each flag
// as --help shows it, with its help text and its default when it has one.
func flagTable(name string, fs *pflag.FlagSet) string {
	begin, end := flagMarkers(name)
	var b strings.Builder
	b.WriteString(begin + "\n")
	n := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if n == 0 {
			b.WriteString("| flag | meaning |\n|---|---|\n")
		}
		n++
		arg, usage := pflag.UnquoteUsage(f)
		flag := "--" + f.Name
		if f.Shorthand != "" {
			flag = "-" + f.Shorthand + ", " + flag
		}
		if arg != "" {
			flag += " " + arg
		}
		switch f.DefValue {
		case "", "false", "0", "[]":
		default:
			usage += fmt.Sprintf(" (default `%s`)", f.DefValue)
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", flag, strings.NewReplacer("|", `\|`, "\n", " ").Replace(usage))
	})
	if n == 0 {
		b.WriteString("No flags besides `--help`.\n")
	}
	b.WriteString(end + "\n")
	return b.String()
}

// TestReadmeFlagTables checks that every command's section of the README lists the flags
// of its flag set; -update rewrites the tables between the markers and nothing else.
func TestReadmeFlagTables(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	want := readme
	for _, c := range commands() {
		begin, end := flagMarkers(c.name)
		i, j := bytes.Index(want, []byte(begin)), bytes.Index(want, []byte(end))
		if i < 0 || j < i {
			t.Errorf("README.md: the %s section needs %s and %s, in that order", c.name, begin, end)
			continue
		}
		j += len(end)
		if j < len(want) && want[j] == '\n' {
			j++
		}
		want = bytes.Join([][]byte{want[:i], []byte(flagTable(c.name, commandFlags(t, c))), want[j:]}, nil)
	}
	if t.Failed() || bytes.Equal(readme, want) {
		return
	}
	if *update {
		if err := os.WriteFile(readmePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's flag tables are out of date with the flag sets; run: go test ./cmd/signinlens -run TestReadmeFlagTables -update")
}
