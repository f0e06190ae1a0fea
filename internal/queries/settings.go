package queries

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// ValidateSet checks ID.PARAM=VALUE overrides against the catalogue: the id must be a
// query or detection, the parameter one it declares, the value of the parameter's type.
func ValidateSet(set map[string]string) error {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []string
	for _, k := range keys {
		if err := validateSetting(k, set[k]); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

func validateSetting(key, value string) error {
	id, name, ok := strings.Cut(key, ".")
	if !ok || id == "" || name == "" {
		return fmt.Errorf("%q: want ID.PARAM=VALUE", key)
	}
	q, ok := Get(id)
	if !ok {
		return fmt.Errorf("%s: no query or detection %q ('signinlens findings --help' lists the detections)", key, id)
	}
	var names []string
	for _, prm := range q.Params {
		if prm.Name == name {
			if _, err := convertParam(prm, value); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			return nil
		}
		names = append(names, prm.Name)
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: %s has no parameters", key, id)
	}
	return fmt.Errorf("%s: %s has no parameter %q (it has %s)", key, id, name, strings.Join(names, ", "))
}

// LoadSettings reads a settings file: one ID.PARAM=VALUE per line, blank lines and lines
// starting with # ignored, a # after whitespace starting a comment. The result is meant to
// be merged under --set (the command line wins). Every bad line is reported as file:line.
func LoadSettings(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("settings %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	where := map[string]int{}
	var errs []string
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || v == "" {
			errs = append(errs, fmt.Sprintf("%s:%d: want ID.PARAM=VALUE, e.g. password-spray.min_users=5", path, n))
			continue
		}
		if err := validateSetting(k, v); err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v", path, n, err))
			continue
		}
		if prev, dup := where[k]; dup {
			errs = append(errs, fmt.Sprintf("%s:%d: %s already set on line %d", path, n, k, prev))
			continue
		}
		where[k] = n
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read settings %s: %w", path, err)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return out, nil
}

// commentStart finds a # that starts a comment: at the start of the line or after a space.
func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return i
		}
	}
	return -1
}
