package store

// What a load reports: per file (FileResult) and in total (Summary), and its problems.

import (
	"sort"
	"time"

	"github.com/signinlens/signinlens/internal/loaders"
)

// FileResult is the accounting of one input: Records = Loaded + Versions + Duplicates +
// Rejected + Skipped.
type FileResult struct {
	SourceID          int              `json:"-"`
	Path              string           `json:"path"`
	SHA256            string           `json:"sha256"`
	Bytes             int64            `json:"bytes"`
	Format            string           `json:"format"`
	Detection         string           `json:"detection,omitempty"`
	Encoding          string           `json:"encoding,omitempty"`
	LogTypes          map[string]int64 `json:"log_types"`
	Records           int64            `json:"records"`
	Loaded            int64            `json:"loaded"`
	Versions          int64            `json:"versions"` // further, different versions of a sign-in already loaded, merged into it
	Duplicates        int64            `json:"duplicates"`
	Rejected          int64            `json:"rejected"`
	Skipped           int64            `json:"skipped"`
	AuthSteps         int64            `json:"auth_steps,omitempty"`
	SkippedCategories map[string]int64 `json:"skipped_categories,omitempty"`
	Problems          []ProblemJSON    `json:"problems"`
	ProblemsOmitted   int64            `json:"problems_omitted,omitempty"`
	Notes             []string         `json:"notes,omitempty"`
	Unavailable       []string         `json:"unavailable_fields,omitempty"`
	First             *time.Time       `json:"first_event,omitempty"`
	Last              *time.Time       `json:"last_event,omitempty"`
	Error             string           `json:"error,omitempty"`
}

// ProblemJSON is a rejected record as reported.
type ProblemJSON struct {
	Line    int64  `json:"line,omitempty"`
	Record  int64  `json:"record,omitempty"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
	Excerpt string `json:"excerpt,omitempty"`
}

// Totals adds up the files.
type Totals struct {
	Files      int              `json:"files"`
	Records    int64            `json:"records"`
	Loaded     int64            `json:"loaded"`
	Versions   int64            `json:"versions"`
	Duplicates int64            `json:"duplicates"`
	Rejected   int64            `json:"rejected"`
	Skipped    int64            `json:"skipped"`
	ByLogType  map[string]int64 `json:"by_log_type"`
}

// Summary is the result of a load.
type Summary struct {
	Files  []*FileResult `json:"files"`
	Totals Totals        `json:"totals"`
	// OrphanAuthSteps counts auth-detail rows whose sign-in is not in the database.
	OrphanAuthSteps int64 `json:"orphan_auth_steps,omitempty"`
}

// problemsKept bounds the problems kept per file in the summary; all are in load_problems.
const problemsKept = 200

func (s *Summary) total() {
	t := Totals{Files: len(s.Files), ByLogType: map[string]int64{}}
	for _, lt := range loaders.LogTypes() {
		t.ByLogType[lt] = 0
	}
	t.ByLogType[loaders.AuditLog], t.ByLogType[loaders.ProvisioningLog] = 0, 0
	for _, f := range s.Files {
		t.Records += f.Records
		t.Loaded += f.Loaded
		t.Versions += f.Versions
		t.Duplicates += f.Duplicates
		t.Rejected += f.Rejected
		t.Skipped += f.Skipped
		for k, v := range f.LogTypes {
			t.ByLogType[k] += v
		}
	}
	s.Totals = t
}

func recordIndex(p loaders.Problem) int64 {
	if p.Line > 0 {
		return 0
	}
	return p.Index
}

// SortedKeys returns the keys of a count map in order.
func SortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
