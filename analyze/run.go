// Package analyze assembles the report from the catalogue's results and renders it. Every
// writer (text, CSV, JSON, Markdown, Excel) reads one neutral result model; none of them
// queries the database itself. Running the catalogue is the queries package's job.
package analyze

import (
	"context"
	"database/sql"
	"time"

	"github.com/signinlens/signinlens/queries"
)

// The result model's parts that the catalogue produces, under the names the writers use.
type (
	Table        = queries.Table
	Column       = queries.Column
	Params       = queries.Params
	Bound        = queries.Bound
	Finding      = queries.Finding
	DetectionRun = queries.DetectionRun
)

// ScopeMacro is the scoped() macro every catalogue query reads, for the Methodology record.
const ScopeMacro = queries.ScopeMacro

// Query runs a statement with bound arguments and returns its result.
func Query(ctx context.Context, db *sql.DB, query string, args ...any) (*Table, error) {
	return queries.Select(ctx, db, query, args...)
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
