// Package storetest opens throwaway databases and loads fixtures into them, for the tests of
// the packages above store. Every load is checked the way a user relies on it: each file's
// records reconcile with loaded + versions + duplicates + rejected + skipped.
package storetest

import (
	"context"
	"testing"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
)

// Open returns a fresh temporary database on one thread, closed when the test ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	return OpenWith(t, store.Options{Threads: 1})
}

// OpenWith returns a fresh temporary database with opt, closed when the test ends.
func OpenWith(t testing.TB, opt store.Options) *store.DB {
	t.Helper()
	db, err := store.Open("", opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Load loads paths into db with default options and fails the test on an error or on a file
// whose counts do not reconcile.
func Load(t testing.TB, db *store.DB, paths ...string) *store.Summary {
	t.Helper()
	ins, err := loaders.Inputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.Load(context.Background(), ins, store.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Records != f.Loaded+f.Versions+f.Duplicates+f.Rejected+f.Skipped {
			t.Errorf("%s: records %d != loaded %d + versions %d + duplicates %d + rejected %d + skipped %d",
				f.Path, f.Records, f.Loaded, f.Versions, f.Duplicates, f.Rejected, f.Skipped)
		}
	}
	return sum
}

// OpenLoad is Open followed by Load.
func OpenLoad(t testing.TB, paths ...string) (*store.DB, *store.Summary) {
	t.Helper()
	db := Open(t)
	return db, Load(t, db, paths...)
}
