package main

import (
	"github.com/signinlens/signinlens/internal/analyze"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/spf13/pflag"
)

// intelFlags are the optional knowledge an investigator brings to analyze and findings:
// the incident's indicators.
type intelFlags struct {
	intel string
}

func (f *intelFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.intel, "intel", "", "CSV `file` of indicators (columns indicator, label and optionally type: ip, cidr, asn or user-agent); adds detection ioc-match")
}

// loadIntel reads --intel into p; call it before opening any database, so that a bad row
// fails fast (every bad row is named as file:line).
func (f *intelFlags) loadIntel(p *analyze.Params) error {
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
