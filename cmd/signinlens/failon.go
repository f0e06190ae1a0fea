package main

import (
	"fmt"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/words"
)

// checkFailOn is --fail-on: an error exiting 4 when a finding at or above severity exists, nil
// when none does or severity is empty (the flag not given).
func checkFailOn(found []queries.Finding, severity string) error {
	if severity == "" {
		return nil
	}
	min := queries.SeverityRank(severity)
	var n int64
	for _, f := range found {
		if queries.SeverityRank(f.Severity) >= min {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return exitError{code: exitFindings, err: fmt.Errorf("%s at severity %s or above (--fail-on %s)", words.Plural(n, "finding", "findings"), severity, severity)}
}
