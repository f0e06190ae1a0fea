package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
)

// Exit codes, documented in the README's table. Only this file maps errors to them.
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitNoRecords = 3 // the inputs held no sign-in record
	exitFindings  = 4 // --fail-on: a finding at or above the given severity exists
	exitRejected  = 5 // --strict: at least one record was rejected
)

// errHelp is returned once --help has printed a command's usage: the run succeeded. A
// constant, so no command can replace it.
const errHelp = constError("help requested")

type constError string

func (c constError) Error() string { return string(c) }

// usageError is a wrong invocation; try is an example of a right one.
type usageError struct {
	msg string
	try string
}

func (u usageError) Error() string { return u.msg }

// exitError carries a specific exit code with its message.
type exitError struct {
	code int
	err  error
}

func (x exitError) Error() string { return x.err.Error() }
func (x exitError) Unwrap() error { return x.err }

func errorf(e *env, format string, args ...any) {
	fmt.Fprintf(e.stderr, "signinlens: error: "+format+"\n", args...)
}

func warnf(e *env, format string, args ...any) {
	fmt.Fprintf(e.stderr, "signinlens: warning: "+format+"\n", args...)
}

func hintf(e *env, format string, args ...any) {
	fmt.Fprintf(e.stderr, "signinlens: hint: "+format+"\n", args...)
}

// exitCode prints err in the one voice of the CLI and maps it to an exit code.
func exitCode(e *env, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		errorf(e, "%s", ue.msg)
		if ue.try != "" {
			hintf(e, "try: %s", ue.try)
		}
		return exitUsage
	}
	msg := strings.TrimSuffix(err.Error(), ".")
	var xe exitError
	if errors.As(err, &xe) {
		errorf(e, "%s", msg)
		return xe.code
	}
	if errors.Is(err, store.ErrNoRecords) {
		errorf(e, "%s", msg)
		hintf(e, "check that the paths hold sign-in log exports; 'signinlens load --help' lists the formats read")
		return exitNoRecords
	}
	var pe *loaders.ParseError
	if errors.As(err, &pe) {
		errorf(e, "%s", msg)
		return exitFailure
	}
	errorf(e, "%s", msg)
	return exitFailure
}
