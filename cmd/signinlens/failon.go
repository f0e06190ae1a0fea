package main

import (
	"fmt"

	"github.com/signinlens/signinlens/analyze"
)

// checkFailOn is --fail-on: an error exiting 4 when a finding at or above severity exists, nil
// when none does or severity is empty (the flag not given).
func checkFailOn(found []analyze.Finding, severity string) error {
	if severity == "" {
		return nil
	}
	min := analyze.SeverityRank(severity)
	var n int64
	for _, f := range found {
		if analyze.SeverityRank(f.Severity) >= min {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return exitError{code: exitFindings, err: fmt.Errorf("%s at severity %s or above (--fail-on %s)", plural(n, "finding", "findings"), severity, severity)}
}
