package queries

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/signinlens/signinlens/internal/loaders"
	"github.com/signinlens/signinlens/internal/store"
)

// The catalogue over a sign-in that arrived in three versions (testdata/versions, see its
// README): MFA required, then MFA completed, then Identity Protection's risk added with
// the transfer method back at none. Every question that depends on a field that changed
// must give the answer of the merged sign-in, in every format and whatever the order.
func TestCatalogueOnVersionedSignin(t *testing.T) {
	for _, format := range []string{"la-csv", "la-json", "diagnostic", "graph"} {
		for _, variant := range []string{"all", "reversed", "split"} {
			t.Run(format+"/"+variant, func(t *testing.T) {
				checkVersionedAnswers(t, filepath.Join("../../testdata/versions", format, variant))
			})
		}
	}
}

func checkVersionedAnswers(t *testing.T, dir string) {
	ctx := context.Background()
	db, err := store.Open("", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in, err := loaders.Inputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.Load(ctx, in, store.LoadOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Totals.Loaded != 2 || sum.Totals.Versions != 2 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	if err := Prepare(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	asOf, err := LatestEvent(ctx, db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	run := func(id string, cols ...string) string {
		t.Helper()
		q, ok := Get(id)
		if !ok {
			t.Fatalf("no catalogue entry %s", id)
		}
		tab, _, err := Run(ctx, db.SQL, q, Params{}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		idx := map[string]int{}
		for i, c := range tab.Columns {
			idx[c.Name] = i
		}
		var out [][]any
		for _, r := range tab.Rows {
			var row []any
			for _, c := range cols {
				i, ok := idx[c]
				if !ok {
					t.Fatalf("%s has no column %s", id, c)
				}
				row = append(row, r[i])
			}
			out = append(out, row)
		}
		return fmt.Sprint(out)
	}
	checks := []struct{ id, want string }{
		{"risky-signins", "[[alice@contoso.example medium atRisk [anonymizedIPAddress]]]"},
		{"risky-users", "[[alice@contoso.example medium 1 atRisk [anonymizedIPAddress]]]"},
		{"auth-methods", "[[Primary authentication Password 1 1] [Primary authentication Previously satisfied 1 1] [Multifactor authentication Mobile app notification 1 1]]"},
		{"who-how-what", "[[alice@contoso.example Microsoft Azure CLI Microsoft Graph 1 0] [bob@contoso.example Microsoft Teams Microsoft Teams Services 1 0]]"},
	}
	cols := map[string][]string{
		"risky-signins": {"user_principal_name", "risk_level_aggregated", "risk_state", "risk_event_types"},
		"risky-users":   {"user_principal_name", "highest_risk", "risky_sign_ins", "latest_risk_state", "risk_event_types"},
		"auth-methods":  {"requirement", "method", "steps", "succeeded"},
		"who-how-what":  {"user_principal_name", "app_display_name", "resource_display_name", "sign_ins", "failed_sign_ins"},
	}
	for _, c := range checks {
		if got := run(c.id, cols[c.id]...); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.id, got, c.want)
		}
	}
	// The detections: the risk of version 3 and the device-code transfer of versions 1-2.
	findings, _, err := RunDetections(ctx, db.SQL, Params{}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range findings {
		switch f.Detection {
		case "identity-protection-risk", "signin-by-device-code":
			got[f.Detection] += fmt.Sprintf("%s %s %d;", f.Severity, f.UserPrincipalName, f.Events)
		}
	}
	want := map[string]string{"identity-protection-risk": "medium alice@contoso.example 1;", "signin-by-device-code": "medium alice@contoso.example 1;"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}
