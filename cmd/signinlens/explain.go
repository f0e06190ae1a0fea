package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/signinlens/signinlens/internal/reference"
)

const explainUsage = `Usage: signinlens explain CODE...
       signinlens explain --all

Prints what a sign-in error code (status.errorCode, ResultType, "Sign-in error code")
means and how the admin center's Status column classes it: success, interrupted or
failure. Codes may be written with or without the AADSTS prefix. Queries see the same
table as error_codes(code, class, meaning).

Examples:
  signinlens explain 50126
  signinlens explain AADSTS50074 53003
  signinlens explain --all`

func runExplain(ctx context.Context, e *env, args []string) error {
	var all bool
	fs := newFlags(e, "explain", explainUsage)
	fs.BoolVar(&all, "all", false, "list every code the reference table knows")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if all {
		if fs.NArg() > 0 {
			return usageError{msg: "--all takes no codes", try: "signinlens explain --all"}
		}
		for _, c := range reference.Codes() {
			fmt.Fprintf(e.stdout, "%-8d %-12s %s\n", c.Code, c.Class, c.Meaning)
		}
		return nil
	}
	if fs.NArg() == 0 {
		return usageError{msg: "no error code given", try: "signinlens explain 50126"}
	}
	codes := make([]int64, 0, fs.NArg())
	for _, a := range fs.Args() {
		s := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(a)), "AADSTS")
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return usageError{msg: fmt.Sprintf("%q is not an error code: want a number such as 50126 or AADSTS50126", a), try: "signinlens explain 50126"}
		}
		codes = append(codes, n)
	}
	var unknown []string
	for _, n := range codes {
		c, ok := reference.LookupCode(n)
		if !ok {
			unknown = append(unknown, strconv.FormatInt(n, 10))
			fmt.Fprintf(e.stdout, "%d  not in the reference table; Microsoft's lookup: https://login.microsoftonline.com/error?code=%d\n", n, n)
			continue
		}
		fmt.Fprintf(e.stdout, "%d  %s  %s\n", c.Code, c.Class, c.Meaning)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("unknown error code %s (an unknown non-zero code is classed failure unless the export says otherwise)", strings.Join(unknown, ", "))
	}
	return nil
}
