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
	// 1,200 sign-ins, 71 audit and 40 provisioning events (testdata/sample/README.md).
	if lt := sum.Totals.ByLogType; sum.Totals.Loaded != 1311 || sum.Totals.Skipped != 0 || lt["audit"] != 71 || lt["provisioning"] != 40 {
		t.Fatalf("loaded %d records (%v), skipped %d", sum.Totals.Loaded, lt, sum.Totals.Skipped)
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
	sprayWon := ""
	spID := map[string]string{}
	for _, e := range model(t, sampleCfg) {
		switch e.Scenario {
		case gen.ScenarioPasswordSpray:
			sprayed[strings.ToLower(e.UserPrincipalName)] = true
			if e.ErrorCode == 0 {
				sprayWon = strings.ToLower(e.UserPrincipalName)
			}
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
		"password-spray": {entity[gen.ScenarioPasswordSpray]},
		"brute-force":    {entity[gen.ScenarioBruteForce]},
		"mfa-fatigue":    {entity[gen.ScenarioMFAFatigue]},
		// Every attacker's success from a country its victim had not signed in from in the
		// baseline week (the spray's success, the IMAP sign-in, the brute force, the trip, the
		// high-risk sign-in, the AiTM replay, the script, the new country).
		"new-country": {entity[gen.ScenarioNewCountry], sprayWon, entity[gen.ScenarioLegacyAuth], entity[gen.ScenarioBruteForce],
			entity[gen.ScenarioImpossibleTravel], entity[gen.ScenarioHighRisk], entity[gen.ScenarioAiTMReplay], entity[gen.ScenarioPythonRequests]},
		// First uses after a baseline without them.
		"first-device-code":   {entity[gen.ScenarioDeviceCode], entity[gen.ScenarioDeviceCodePhishing]},
		"first-legacy-client": {entity[gen.ScenarioLegacyAuth]},
		"first-ropc":          {entity[gen.ScenarioFirstROPC], entity[gen.ScenarioLegacyAuth], sprayWon},
		"workload-new-asn":    nil,
		// Successful interactive sign-ins from hosting networks: the planted one and the
		// attackers' (AiTM relay, device code, device-code phishing, high risk, MFA fatigue),
		// and the spray's success and the IMAP sign-in from the VPN network AS9009 (medium).
		"hosting-network-signin": {entity[gen.ScenarioHostingNetwork], entity[gen.ScenarioAiTMReplay], entity[gen.ScenarioDeviceCode],
			entity[gen.ScenarioDeviceCodePhishing], entity[gen.ScenarioHighRisk], entity[gen.ScenarioMFAFatigue], sprayWon, entity[gen.ScenarioLegacyAuth]},
		// What followed, in the audit log.
		"compromise-then-persistence": {entity[gen.ScenarioAiTMReplay], entity[gen.ScenarioBruteForce], entity[gen.ScenarioMFAFatigue],
			entity[gen.ScenarioImpossibleTravel]},
		"registration-after-device-code": {entity[gen.ScenarioDeviceCodePhishing]},
		"credential-added-to-app":        {entity[gen.ScenarioBruteForce]},
		"consent-grant":                  {entity[gen.ScenarioAiTMReplay]},
		"ca-policy-weakened":             {entity[gen.ScenarioMFAFatigue]},
		// The Global Administrator role goes to the account the MFA-fatigue intruder creates.
		"privileged-role-assigned":     {"svc-backup-admin@contoso.com"},
		"security-info-added-by-other": nil, "provisioning-failures": nil, "ioc-match": nil,
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
			entity[gen.ScenarioDeviceCode], entity[gen.ScenarioPythonRequests], entity[gen.ScenarioNewCountry], sprayWon,
			entity[gen.ScenarioHighRisk]},
		// Nothing is missing, truncated or silent in the sample.
		"missing-log-type": nil, "export-truncated": nil, "time-gap": nil,
	}
	// ROPC: the spray's failures as one finding for its address, the spray's success, the IMAP
	// sign-in, the scanner's SMTP and the first-ropc user.
	exact["ropc"] = []string{entity[gen.ScenarioPasswordSpray], sprayWon, entity[gen.ScenarioLegacyAuth], "scanner@contoso.com",
		entity[gen.ScenarioFirstROPC]}
	if len(sprayed) < 10 || !sprayed[sprayWon] {
		t.Errorf("the model's spray tried %d accounts, won %q", len(sprayed), sprayWon)
	}
	for id, want := range exact {
		if g, w := got(id), set(want...); !slices.Equal(g, w) {
			t.Errorf("%s found %q, want %q", id, g, w)
		}
	}
	// identity-protection-risk: high only for the planted sign-in (background has a rare
	// low or medium risk); session-hijack: high only for the AiTM replay (background sessions
	// that move to a new network within one country are low).
	highOnly := map[string][]string{
		"identity-protection-risk": {entity[gen.ScenarioHighRisk]},
		"session-hijack":           {entity[gen.ScenarioAiTMReplay]},
	}
	for id, want := range highOnly {
		var high []string
		for _, f := range fs {
			if f.Detection == id && f.Severity == "high" {
				high = append(high, who(f))
			}
			if id == "session-hijack" && f.Detection == id && f.Severity == "medium" {
				t.Errorf("session-hijack: a medium finding in the sample: %+v", f)
			}
		}
		if w := set(want...); !slices.Equal(set(high...), w) {
			t.Errorf("%s high: %q, want %q", id, high, w)
		}
	}
	// Broader detections: the planted entities are among the findings.
	atLeast := map[string][]string{
		// The admin tools' findings name no single user; the attackers' HTTP-library sign-ins
		// are aitm-phishing's.
		"suspicious-user-agent": nil,
		// The attackers' machines are new devices; so are some background phones.
		"new-device": {entity[gen.ScenarioAiTMReplay], entity[gen.ScenarioDeviceCodePhishing], entity[gen.ScenarioHighRisk],
			entity[gen.ScenarioBruteForce], sprayWon},
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
	covered := map[string]bool{"cross-tenant-signin": true}
	for id := range highOnly {
		covered[id] = true
	}
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
