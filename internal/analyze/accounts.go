package analyze

import (
	"fmt"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/words"
)

// TopAccountLines is how many accounts the Summary names.
const TopAccountLines = 5

// topAccounts are the Summary's lines about the accounts to look at first: one sentence
// for each of the first n rows of the accounts section (highest score first). None when
// the section did not run.
func topAccounts(r *Report, n int) []string {
	out := []string{}
	s := r.Section("accounts")
	if s == nil || s.Table == nil {
		return out
	}
	t := s.Table
	col := func(row []any, name string) any {
		if i := ColumnIndex(t, name); i >= 0 {
			return row[i]
		}
		return nil
	}
	text := func(row []any, name string) string { return queries.Text(col(row, name), r.Location()) }
	num := func(row []any, name string) int64 { v, _ := AsInt(col(row, name)); return v }
	at := func(row []any, name string) string {
		if v, ok := col(row, name).(time.Time); ok {
			return v.In(r.Location()).Format("2006-01-02 15:04 MST")
		}
		return ""
	}
	for i, row := range t.Rows {
		if i == n {
			break
		}
		var sev []string
		for _, s := range []string{"high", "medium", "low"} {
			if k := num(row, s); k > 0 {
				sev = append(sev, fmt.Sprintf("%d %s", k, s))
			}
		}
		line := fmt.Sprintf("%s (%s): score %d, %s (%s): %s", text(row, "account"), text(row, "kind"), num(row, "score"),
			words.Plural(num(row, "findings"), "finding", "findings"), strings.Join(sev, ", "), text(row, "detections"))
		var also []string
		if b, _ := col(row, "success_after_failures").(bool); b {
			also = append(also, "a success after failures")
		}
		if b, _ := col(row, "persistence").(bool); b {
			also = append(also, "persistence found")
		}
		if len(also) > 0 {
			line += "; " + strings.Join(also, ", ")
		}
		if first, last := at(row, "first_suspicious"), at(row, "last_suspicious"); first != "" {
			if last != "" && last != first {
				line += "; suspicious from " + first + " to " + last
			} else {
				line += "; suspicious at " + first
			}
		}
		out = append(out, line)
	}
	return out
}
