package main

import (
	"database/sql"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
)

// duckdbVersionBySQL asks a fresh in-memory database, the way a user would check.
func duckdbVersionBySQL(t *testing.T) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT version()").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// stamp sets what scripts/release.sh passes with -ldflags -X, for the length of the test.
func stamp(t *testing.T, v, c, d string) {
	oldV, oldC, oldD := version, commit, date
	version, commit, date = v, c, d
	t.Cleanup(func() { version, commit, date = oldV, oldC, oldD })
}

func TestVersionJSONStamped(t *testing.T) {
	stamp(t, "v9.8.7", "0123456789abcdef0123456789abcdef01234567", "2026-01-02T03:04:05Z")
	code, out, errOut := runCLI(t, "version", "--json")
	if code != exitOK {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not one JSON object of strings: %v\n%s", err, out)
	}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "commit,date,duckdb,go,platform,version" {
		t.Errorf("JSON keys %v", keys)
	}
	want := map[string]string{
		"version":  "v9.8.7",
		"commit":   "0123456789abcdef0123456789abcdef01234567",
		"date":     "2026-01-02T03:04:05Z",
		"go":       runtime.Version(),
		"duckdb":   duckdbVersionBySQL(t),
		"platform": runtime.GOOS + "/" + runtime.GOARCH,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if !strings.HasPrefix(got["duckdb"], "v1.") {
		t.Errorf("duckdb = %q, want a DuckDB release such as v1.5.6", got["duckdb"])
	}
}

func TestVersionTextStamped(t *testing.T) {
	stamp(t, "v9.8.7", "abc123", "2026-01-02T03:04:05Z")
	code, out, _ := runCLI(t, "--version")
	if code != exitOK {
		t.Fatalf("code %d", code)
	}
	want := "signinlens v9.8.7\n" +
		"  commit:   abc123\n" +
		"  built:    2026-01-02T03:04:05Z\n" +
		"  go:       " + runtime.Version() + "\n" +
		"  duckdb:   " + duckdbVersionBySQL(t) + "\n" +
		"  platform: " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// Without -ldflags, go run and go build say what the toolchain recorded and "unknown" for
// the rest, never an empty field.
func TestVersionUnstamped(t *testing.T) {
	stamp(t, "", "", "")
	wantCommit := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				wantCommit = s.Value
			}
		}
	}
	_, out, _ := runCLI(t, "version")
	if !strings.HasPrefix(out, "signinlens devel") {
		t.Errorf("unstamped version line: %q", out)
	}
	if !strings.Contains(out, "\n  built:    unknown\n") {
		t.Errorf("unstamped build date should be unknown:\n%s", out)
	}
	if !strings.Contains(out, "\n  commit:   "+wantCommit) {
		t.Errorf("commit should be %q:\n%s", wantCommit, out)
	}
}
