package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/signinlens/signinlens/internal/store"
)

const schemaUsage = `Usage: signinlens schema [--sql]

Prints the tables that every export is normalized into, with one line per column saying
what it holds. Queries given to 'signinlens sql' read these tables.

Examples:
  signinlens schema
  signinlens schema --sql > schema.sql`

func runSchema(ctx context.Context, e *env, args []string) error {
	var raw bool
	fs := newFlags(e, "schema", schemaUsage)
	fs.BoolVar(&raw, "sql", false, "print the CREATE TABLE statements instead")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "schema takes no arguments", try: "signinlens schema"}
	}
	if raw {
		fmt.Fprint(e.stdout, store.Schema())
		return nil
	}
	tableLine := regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS (\w+)`)
	// A table made in the shape of another has no column lines of its own: say whose.
	copyLine := regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS (\w+) AS SELECT \* FROM (\w+) LIMIT 0;\s*(?:--\s*(.*))?$`)
	columnLine := regexp.MustCompile(`^\s+(\w+)\s+([A-Z][A-Z0-9\[\] ]*?)(?:\s+(?:PRIMARY KEY|NOT NULL))?\s*,?\s*--\s*(.*)$`)
	for _, line := range strings.Split(store.Schema(), "\n") {
		if m := copyLine.FindStringSubmatch(line); m != nil {
			fmt.Fprintf(e.stdout, "\n%s\n  same columns as %s", m[1], m[2])
			if m[3] != "" {
				fmt.Fprintf(e.stdout, ": %s", m[3])
			}
			fmt.Fprintln(e.stdout)
			continue
		}
		if m := tableLine.FindStringSubmatch(line); m != nil {
			fmt.Fprintf(e.stdout, "\n%s\n", m[1])
			continue
		}
		if m := columnLine.FindStringSubmatch(line); m != nil {
			fmt.Fprintf(e.stdout, "  %-34s %-12s %s\n", m[1], strings.TrimSpace(m[2]), m[3])
		}
	}
	return nil
}
