// Package csvtest holds the end-to-end tests and benchmarks of the CSV loaders: they load
// through the store into DuckDB, which the loaders package itself cannot import, and they
// compare the loaders' speed with DuckDB's own read_csv over the same file.
package csvtest
