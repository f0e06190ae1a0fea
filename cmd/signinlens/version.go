package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// Stamped by scripts/release.sh with -ldflags "-X main.version=v1.2.3 -X main.commit=...
// -X main.date=...". Unstamped builds fall back to what the Go toolchain recorded.
var (
	version = ""
	commit  = ""
	date    = ""
)

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

// versionInfo is what `signinlens version` reports; the JSON names are for scripts.
type versionInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Date     string `json:"date"`
	Go       string `json:"go"`
	DuckDB   string `json:"duckdb"`
	Platform string `json:"platform"`
}

func currentVersionInfo() versionInfo {
	v := versionInfo{
		Version:  currentVersion(),
		Commit:   commit,
		Date:     date,
		Go:       runtime.Version(),
		DuckDB:   bindings.LibraryVersion(), // asked of the linked engine: on Windows, the duckdb.dll found at run time
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if v.Commit == "" {
					v.Commit = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && commit == "" && v.Commit != "" {
			v.Commit += "-dirty"
		}
	}
	return v
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", `Usage: signinlens version [--json]

Prints the version of signinlens, the commit and date it was built from, the Go toolchain,
the DuckDB engine it runs and the platform. Unstamped builds (go run, go build) show
"unknown" for what they do not know.

Examples:
  signinlens version
  signinlens version --json`)
	asJSON := fs.Bool("json", false, "print the same facts as one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v := currentVersionInfo()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	orUnknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	fmt.Fprintf(e.stdout, "signinlens %s\n", v.Version)
	fmt.Fprintf(e.stdout, "  commit:   %s\n", orUnknown(v.Commit))
	fmt.Fprintf(e.stdout, "  built:    %s\n", orUnknown(v.Date))
	fmt.Fprintf(e.stdout, "  go:       %s\n", v.Go)
	fmt.Fprintf(e.stdout, "  duckdb:   %s\n", v.DuckDB)
	fmt.Fprintf(e.stdout, "  platform: %s\n", v.Platform)
	return nil
}
