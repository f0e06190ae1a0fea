// Command gendata writes synthetic sign-in exports for the benchmarks (bench/run.sh), with
// the gen package; -audits and -provisioning add the audit and provisioning logs (off by
// default, so that the sign-in benchmarks read sign-ins only). With -single it concatenates what it wrote into one JSON-lines file, the
// shape of a large Log Analytics or SIEM export.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
)

func main() {
	format := flag.String("format", "diagnostic", "export format (graph, admin-json, diagnostic, admin-csv, la-csv, la-json)")
	events := flag.Int("events", 130_000, "sign-ins to generate")
	days := flag.Int("days", 14, "days covered")
	seed := flag.Int64("seed", 1, "random seed")
	out := flag.String("out", "", "output folder")
	single := flag.String("single", "", "concatenate the output into this one file (JSON-lines formats) and remove the folder")
	audits := flag.Int("audits", -1, "background directory audit events (-1: no audit log, so the output holds sign-ins only; 0: events/20)")
	provisioning := flag.Int("provisioning", -1, "provisioning events (-1: no provisioning log; 0: events/30)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gendata: error: -out is required")
		os.Exit(2)
	}
	start := time.Now()
	st, err := gen.Write(*out, *format, gen.Config{Seed: *seed, Events: *events, Days: *days, Scenarios: true,
		Audits: *audits, Provisioning: *provisioning})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendata: error:", err)
		os.Exit(1)
	}
	if *single != "" {
		if err := concat(*out, *single); err != nil {
			fmt.Fprintln(os.Stderr, "gendata: error:", err)
			os.Exit(1)
		}
		os.RemoveAll(*out)
	}
	fmt.Printf("%s: %d sign-ins, %d audit events, %d provisioning events, %d files, %d bytes in %s\n",
		*format, st.Events, st.Audits, st.Provisioning, st.Files, st.Bytes, time.Since(start).Round(time.Millisecond))
}

func concat(dir, dst string) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, p := range files {
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, in)
		in.Close()
		if err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
