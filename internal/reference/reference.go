// Package reference holds the embedded reference data that loaders, queries and detections
// share: sign-in error codes with their meaning and the admin center's outcome class, and
// the documented lists the detections join (tool user agents, administrative applications,
// legacy authentication clients).
package reference

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed errorcodes.tsv
var errorCodesTSV string

// Code is one sign-in error code.
type Code struct {
	Code    int64
	Class   string // success, interrupted or failure
	Meaning string
}

var parseCodes = sync.OnceValues(func() (map[int64]Code, error) {
	m := map[int64]Code{}
	for i, line := range strings.Split(errorCodesTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("errorcodes.tsv:%d: want 3 tab-separated fields, got %d", i+1, len(f))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("errorcodes.tsv:%d: %w", i+1, err)
		}
		switch f[1] {
		case "success", "interrupted", "failure":
		default:
			return nil, fmt.Errorf("errorcodes.tsv:%d: class %q is not success, interrupted or failure", i+1, f[1])
		}
		if _, dup := m[n]; dup {
			return nil, fmt.Errorf("errorcodes.tsv:%d: code %d listed twice", i+1, n)
		}
		m[n] = Code{Code: n, Class: f[1], Meaning: f[2]}
	}
	return m, nil
})

func codes() map[int64]Code {
	m, err := parseCodes()
	if err != nil {
		panic(err) // embedded data is checked by the package's tests
	}
	return m
}

// LookupCode returns what is known about an error code.
func LookupCode(n int64) (Code, bool) {
	c, ok := codes()[n]
	return c, ok
}

// Codes returns every known error code in numeric order.
func Codes() []Code {
	m := codes()
	out := make([]Code, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
