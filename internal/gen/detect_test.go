package gen_test

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store/storetest"
)

// TestDetectionsFindThePlants loads the bundled sample and checks, detection by detection,
// that the findings are the planted incidents: exactly them for the detections a scenario is
// made for, at least them for the broader ones (whose background findings are named), and
// nothing for the benign session-roaming user around the roaming.
func TestDetectionsFindThePlants(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the bundled sample")
	}
	db, sum := storetest.OpenLoad(t, filepath.Join("..", "..", "testdata", "sample"))
	var loaded, skipped int
	for _, f := range sum.Files {
		loaded += int(f.Loaded)
		skipped += int(f.Skipped)
	}
	// Audit and provisioning records are skipped until their loaders exist (71 + 40).
	if loaded != 1200 || (skipped != 0 && skipped != 111) {
		t.Fatalf("loaded %d sign-ins, skipped %d records", loaded, skipped)
	}
	ctx := context.Background()
	asOf, err := queries.LatestEvent(ctx, db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := queries.RunDetections(ctx, db.SQL, queries.Params{}, asOf, "")
	if err != nil {
		t.Fatal(err)
	}

	// Entities of the scenarios, from the model.
	scen, err := gen.Scenarios(sampleCfg)
	if err != nil {
		t.Fatal(err)
	}
	entity := map[string]string{}
	for _, s := range scen {
		entity[s.Name] = s.Entity
	}
	sprayed := map[string]bool{}
	spID := map[string]string{}
	for _, e := range model(t, sampleCfg) {
		switch e.Scenario {
		case gen.ScenarioPasswordSpray:
			sprayed[strings.ToLower(e.UserPrincipalName)] = true
		case gen.ScenarioSPCredentialSwitch, gen.ScenarioMINewResource:
			spID[e.Scenario] = e.ServicePrincipalID
		}
	}
	who := func(f queries.Finding) string {
		switch {
		case f.UserPrincipalName != "":
			return f.UserPrincipalName
		case f.ServicePrincipalID != "":
			return f.ServicePrincipalID
		}
		return f.IPAddress
	}
	by := map[string][]string{}
	for _, f := range fs {
		by[f.Detection] = append(by[f.Detection], who(f))
	}
	set := func(xs ...string) []string {
		out := slices.Clone(xs)
		sort.Strings(out)
		return slices.Compact(out)
	}
	got := func(id string) []string { return set(by[id]...) }

	// Detections made for one scenario each: exactly the planted entities.
	exact := map[string][]string{
		"password-spray":          {entity[gen.ScenarioPasswordSpray]},
		"brute-force":             {entity[gen.ScenarioBruteForce]},
		"mfa-fatigue":             {entity[gen.ScenarioMFAFatigue]},
		"new-country":             {entity[gen.ScenarioNewCountry]},
		"disabled-account":        {entity[gen.ScenarioDisabledAccount]},
		"ca-blocked":              {entity[gen.ScenarioCABlock]},
		"single-factor-admin-app": {entity[gen.ScenarioSingleFactorPortal]},
		"sp-credential-change":    {spID[gen.ScenarioSPCredentialSwitch]},
		"mi-new-resource":         {spID[gen.ScenarioMINewResource]},
		// The device-code scenario and the device-code phishing.
		"signin-by-device-code": {entity[gen.ScenarioDeviceCode], entity[gen.ScenarioDeviceCodePhishing]},
		// The AiTM relay's axios sign-in, and the python-requests script to the Office app.
		"aitm-phishing": {entity[gen.ScenarioAiTMReplay], entity[gen.ScenarioPythonRequests]},
		// The IMAP sign-in, and the mail scanner's Authenticated SMTP relay (background by design).
		"legacy-protocol-signin": {entity[gen.ScenarioLegacyAuth], "scanner@contoso.com"},
		// The attackers' successes come from places their victims never were.
		"impossible-travel": {entity[gen.ScenarioImpossibleTravel], entity[gen.ScenarioBruteForce], entity[gen.ScenarioLegacyAuth],
			entity[gen.ScenarioDeviceCode], entity[gen.ScenarioPythonRequests], entity[gen.ScenarioNewCountry]},
		// Nothing is missing, truncated or silent in the sample.
		"missing-log-type": nil, "export-truncated": nil, "time-gap": nil,
	}
	// ROPC: the sprayed accounts, the IMAP sign-in, the scanner's SMTP and the first-ropc user.
	ropc := []string{entity[gen.ScenarioLegacyAuth], "scanner@contoso.com", entity[gen.ScenarioFirstROPC]}
	for u := range sprayed {
		ropc = append(ropc, u)
	}
	exact["ropc"] = ropc
	for id, want := range exact {
		if g, w := got(id), set(want...); !slices.Equal(g, w) {
			t.Errorf("%s found %q, want %q", id, g, w)
		}
	}
	// identity-protection-risk: high only for the planted sign-in (background has a rare
	// low or medium risk).
	var high []string
	for _, f := range fs {
		if f.Detection == "identity-protection-risk" && f.Severity == "high" {
			high = append(high, who(f))
		}
	}
	if w := []string{entity[gen.ScenarioHighRisk]}; !slices.Equal(set(high...), w) {
		t.Errorf("identity-protection-risk high: %q, want %q", high, w)
	}
	// Broader detections: the planted entities are among the findings.
	atLeast := map[string][]string{
		"suspicious-user-agent": {entity[gen.ScenarioPythonRequests], entity[gen.ScenarioAiTMReplay]},
	}
	for id, want := range atLeast {
		for _, w := range want {
			if !slices.Contains(by[id], w) {
				t.Errorf("%s did not find %s (found %q)", id, w, got(id))
			}
		}
	}
	for _, u := range by["cross-tenant-signin"] {
		if !strings.Contains(u, "#ext#") {
			t.Errorf("cross-tenant-signin found a member: %s", u)
		}
	}
	// The benign roaming session stays quiet.
	var roam gen.Scenario
	for _, s := range scen {
		if s.Name == gen.ScenarioSessionRoaming {
			roam = s
		}
	}
	for _, f := range fs {
		if f.UserPrincipalName == roam.Entity && f.LastSeen.After(roam.Time.Add(-time.Hour)) && f.FirstSeen.Before(roam.End.Add(time.Hour)) {
			t.Errorf("the benign roaming session was flagged: %+v", f)
		}
	}
	// Every detection of the catalogue is covered above, so a new one is placed on purpose.
	covered := map[string]bool{"identity-protection-risk": true, "cross-tenant-signin": true}
	for id := range exact {
		covered[id] = true
	}
	for id := range atLeast {
		covered[id] = true
	}
	dets, err := queries.OfKind("detection")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range dets {
		if !covered[q.ID] {
			t.Errorf("detection %s is not in this test: say which planted incidents it must find", q.ID)
		}
	}
}
