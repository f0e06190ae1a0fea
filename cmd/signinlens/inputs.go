package main

import (
	"fmt"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
)

// listInputs expands paths and refuses to read the database itself as an input.
func listInputs(paths []string, dbPath string) ([]loaders.Input, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	inputs, err := loaders.Inputs(paths)
	if err != nil {
		return nil, err
	}
	if dbPath != "" {
		abs := store.AbsPath(dbPath)
		for _, in := range inputs {
			if store.AbsPath(in.Path) == abs {
				return nil, usageError{msg: fmt.Sprintf("--db %s is also an input; the database must be a separate file", dbPath), try: "signinlens load --db case.duckdb exports/"}
			}
		}
	}
	return inputs, nil
}
