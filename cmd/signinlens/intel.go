package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/spf13/pflag"
)

// intelFlags are the optional knowledge an investigator brings to analyze and findings:
// the incident's indicators and offline GeoIP databases.
type intelFlags struct {
	intel string
	geoip []string
}

func (f *intelFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.intel, "intel", "", "CSV `file` of indicators (columns indicator, label and optionally type: ip, cidr, asn or user-agent); adds detection ioc-match")
	fs.StringArrayVar(&f.geoip, "geoip", nil, "MaxMind-format `database` (.mmdb: ASN, City or Country; repeatable) filling the ASN, country, city and coordinates the export lacks; written into the database")
}

// load reads --intel into p and checks that the --geoip files exist; call it before
// opening any database, so that a bad row fails fast (every bad row is named file:line).
func (f *intelFlags) load(p *analyze.Params) error {
	for _, g := range f.geoip {
		st, err := os.Stat(g)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("--geoip %s does not exist (a MaxMind-format .mmdb file; nothing is downloaded)", g)
		case err != nil:
			return fmt.Errorf("--geoip %w", err)
		case st.IsDir():
			return fmt.Errorf("--geoip %s is a folder; give the .mmdb file", g)
		}
	}
	if f.intel == "" {
		return nil
	}
	in, err := queries.LoadIntel(f.intel)
	if err != nil {
		return err
	}
	p.Intel = in
	return nil
}

// fillGeoIP runs --geoip over the loaded sign-ins and says on stderr what each database
// filled (unless --quiet); the sources' notes keep the same for the report.
func (f *intelFlags) fillGeoIP(ctx context.Context, e *env, db *store.DB, quiet bool) error {
	if len(f.geoip) == 0 {
		return nil
	}
	fills, err := db.FillGeoIP(ctx, f.geoip)
	if err != nil {
		return err
	}
	if !quiet {
		for _, g := range fills {
			fmt.Fprintf(e.stderr, "geoip: filled %s\n", g.Summary())
		}
	}
	return nil
}
