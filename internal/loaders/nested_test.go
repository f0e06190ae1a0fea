package loaders

import (
	"strings"
	"testing"
)

// A list held as JSON text (RiskEventTypes_V2 "[]" in a Log Analytics row) once kept its
// nested parser: after four such rows in a file, JSON text was no longer parsed, and the
// authentication steps, status and risk event types of every later row were lost.
func TestNestedListTextDoesNotExhaustParsers(t *testing.T) {
	row := `{"TimeGenerated":"2025-06-10T09:00:30Z","Id":"x%d","CreatedDateTime":"2025-06-10T09:00:00Z","ResultType":"0","Type":"SigninLogs",` +
		`"UserPrincipalName":"a@b.example","RiskEventTypes_V2":"[\"anonymizedIPAddress\"]",` +
		`"AuthenticationDetails":"[{\"authenticationMethod\":\"Password\",\"succeeded\":true}]"}`
	var b strings.Builder
	for i := 0; i < 10; i++ {
		b.WriteString(strings.Replace(row, "%d", string(rune('0'+i)), 1))
		b.WriteByte('\n')
	}
	_, s, err := readText(t, "rows.jsonl", b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != 10 {
		t.Fatalf("%d records", len(s.recs))
	}
	for i, r := range s.recs {
		if len(r.AuthSteps) != 1 || len(r.RiskEventTypes) != 1 || r.RiskEventTypes[0] != "anonymizedIPAddress" {
			t.Errorf("record %d: steps %v, risk event types %q", i+1, r.AuthSteps, r.RiskEventTypes)
		}
	}
}
