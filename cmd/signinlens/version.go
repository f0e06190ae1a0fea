package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set with -ldflags "-X main.version=v1.2.3"; otherwise read from build info.
var version = ""

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "devel-" + s.Value[:12]
			}
		}
	}
	return "devel"
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "Usage: signinlens version\n\nPrints the version of signinlens and of the Go toolchain that built it.\n\nExamples:\n  signinlens version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "signinlens %s (%s, DuckDB built in)\n", currentVersion(), runtime.Version())
	return nil
}
