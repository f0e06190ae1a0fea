package gen_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
)

// TestPlantedIncidents checks the bundled sample's newer plants and the audit events that
// follow the incidents against the times and entities its README documents (written by hand).
func TestPlantedIncidents(t *testing.T) {
	cfg := sampleCfg
	minute := func(tm time.Time) string { return tm.UTC().Format("2006-01-02 15:04") }
	by := map[string][]*gen.Event{}
	var all []*gen.Event
	for _, e := range model(t, cfg) {
		all = append(all, e)
		if e.Scenario != "" {
			by[e.Scenario] = append(by[e.Scenario], e)
		}
	}
	scen, err := gen.Scenarios(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(scen) != 19 {
		t.Fatalf("%d scenarios, want 19", len(scen))
	}
	planted := 0
	for _, s := range scen {
		planted += s.Events
		if s.Benign != (s.Name == gen.ScenarioSessionRoaming) {
			t.Errorf("%s: benign %v", s.Name, s.Benign)
		}
	}
	if planted != 70 {
		t.Errorf("%d planted sign-ins, want 70", planted)
	}

	type want struct {
		at, logType, upn, app, ip string
		asn                       int
		country, protocol         string
	}
	check := func(name string, wants []want) []*gen.Event {
		t.Helper()
		evs := by[name]
		if len(evs) != len(wants) {
			t.Fatalf("%s: %d sign-ins, want %d", name, len(evs), len(wants))
		}
		for i, w := range wants {
			e := evs[i]
			got := want{minute(e.Created), e.LogType, e.UserPrincipalName, e.AppDisplayName, e.IPAddress, e.ASN, e.Country, e.AuthProtocol}
			if got != w || e.ErrorCode != 0 {
				t.Errorf("%s sign-in %d: %+v (error %d), want %+v", name, i, got, e.ErrorCode, w)
			}
		}
		return evs
	}

	aitm := check(gen.ScenarioAiTMReplay, []want{
		{"2025-06-05 08:05", gen.Interactive, "bianca.wilke@contoso.com", "OfficeHome", "192.0.2.161", 14061, "NL", "none"},
		{"2025-06-05 08:30", gen.NonInteractive, "bianca.wilke@contoso.com", "One Outlook Web", "192.0.2.171", 16276, "FR", "none"},
		{"2025-06-05 08:45", gen.NonInteractive, "bianca.wilke@contoso.com", "Microsoft Office", "192.0.2.171", 16276, "FR", "none"},
	})
	if aitm[0].UserAgent != "axios/1.7.7" || aitm[1].SessionID != aitm[0].SessionID || aitm[2].SessionID != aitm[0].SessionID {
		t.Errorf("aitm: user agent %q, sessions %s %s %s", aitm[0].UserAgent, aitm[0].SessionID, aitm[1].SessionID, aitm[2].SessionID)
	}
	dc := check(gen.ScenarioDeviceCodePhishing, []want{
		{"2025-06-06 09:12", gen.Interactive, "isaiah.sato@contoso.com", "Microsoft Authentication Broker", "192.0.2.181", 63949, "US", "deviceCode"},
		{"2025-06-06 09:53", gen.NonInteractive, "isaiah.sato@contoso.com", "Microsoft Office", "192.0.2.181", 63949, "US", "none"},
	})
	if dc[0].ResourceDisplayName != "Device Registration Service" || dc[0].OriginalTransfer != "deviceCodeFlow" || dc[1].DeviceName != "DESKTOP-7Q2M4KX" {
		t.Errorf("device-code-phishing: resource %q, transfer %q, device %q", dc[0].ResourceDisplayName, dc[0].OriginalTransfer, dc[1].DeviceName)
	}
	check(gen.ScenarioHostingNetwork, []want{
		{"2025-06-06 20:10", gen.Interactive, "jana.holloway@contoso.com", "One Outlook Web", "192.0.2.130", 16509, "GB", "none"},
	})
	ropc := check(gen.ScenarioFirstROPC, []want{
		{"2025-06-07 07:25", gen.Interactive, "lukasz.mueller@contoso.com", "Microsoft Office", "198.18.0.49", 7922, "US", "ropc"},
	})
	for _, e := range all {
		if e.UserPrincipalName == ropc[0].UserPrincipalName && e.AuthProtocol == "ropc" && e != ropc[0] {
			t.Errorf("first-ropc: an earlier ROPC sign-in at %s", e.Created)
		}
	}
	roam := check(gen.ScenarioSessionRoaming, []want{
		{"2025-06-06 09:05", gen.Interactive, "lee.smith@contoso.com", "One Outlook Web", "203.0.113.12", 2856, "GB", "none"},
		{"2025-06-06 09:30", gen.NonInteractive, "lee.smith@contoso.com", "One Outlook Web", "2001:db8:622f:11::3", 25135, "GB", "none"},
	})
	if roam[0].SessionID != roam[1].SessionID || roam[0].UserAgent != roam[1].UserAgent {
		t.Errorf("session-roaming: sessions %s %s, user agents %q %q", roam[0].SessionID, roam[1].SessionID, roam[0].UserAgent, roam[1].UserAgent)
	}

	// The audit events that follow the incidents, in time order.
	wantAudits := []string{
		"2025-06-04 10:05 impossible-travel User registered security info by megan.bowen@contoso.com from 192.0.2.150 on megan.bowen@contoso.com",
		"2025-06-04 10:05 impossible-travel Update user by Azure MFA StrongAuthenticationService from  on megan.bowen@contoso.com",
		"2025-06-04 11:40 brute-force Update application – Certificates and secrets management  by carlos.smith@contoso.com from 192.0.2.41 on contoso-hr-sync",
		"2025-06-05 08:52 aitm-session-replay Add delegated permission grant by bianca.wilke@contoso.com from 192.0.2.171 on Microsoft Graph",
		"2025-06-05 08:52 aitm-session-replay Consent to application by bianca.wilke@contoso.com from 192.0.2.171 on Mail Backup Pro",
		"2025-06-05 23:07 mfa-fatigue Add user by emily.garcia@contoso.com from 192.0.2.88 on svc-backup-admin@contoso.com",
		"2025-06-05 23:13 mfa-fatigue Add member to role by emily.garcia@contoso.com from 192.0.2.88 on svc-backup-admin@contoso.com",
		"2025-06-05 23:20 mfa-fatigue Update conditional access policy by emily.garcia@contoso.com from 192.0.2.88 on CA001: Require MFA for all users",
		"2025-06-06 09:32 device-code-phishing Add device by Device Registration Service from  on DESKTOP-7Q2M4KX",
		"2025-06-06 09:32 device-code-phishing Register device by isaiah.sato@contoso.com from 192.0.2.181 on DESKTOP-7Q2M4KX",
		"2025-06-06 09:32 device-code-phishing Add registered owner to device by Device Registration Service from  on DESKTOP-7Q2M4KX",
	}
	var got []string
	total := 0
	var roleProps, caOld, caNew, keyNew string
	if err := gen.Audits(cfg, func(a *gen.Audit) error {
		total++
		if a.Scenario == "" {
			return nil
		}
		who := a.InitUPN
		if who == "" {
			who = a.InitName
		}
		target := a.Targets[0].UPN
		if target == "" {
			target = a.Targets[0].DisplayName
		}
		got = append(got, fmt.Sprintf("%s %s %s by %s from %s on %s", minute(a.Time), a.Scenario, a.Activity, who, a.InitIP, target))
		for _, p := range a.Targets[0].Props {
			switch {
			case a.Activity == "Add member to role" && p.Name == "Role.DisplayName":
				roleProps = p.New
			case p.Name == "ConditionalAccessPolicy":
				caOld, caNew = p.Old, p.New
			case p.Name == "KeyDescription":
				keyNew = p.New
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if total != 71 {
		t.Errorf("%d audit events, want 71 (60 background, 11 planted)", total)
	}
	if fmt.Sprint(got) != fmt.Sprint(wantAudits) {
		t.Errorf("planted audits:\n%s\nwant\n%s", join(got), join(wantAudits))
	}
	if roleProps != `["Global Administrator"]` {
		t.Errorf("role assigned: %s", roleProps)
	}
	if len(caNew) <= len(caOld) {
		t.Errorf("CA policy exclusion not added: %s => %s", caOld, caNew)
	}
	sw := by[gen.ScenarioSPCredentialSwitch][0]
	if !contains(keyNew, sw.CredentialKeyID) || !contains(keyNew, "AsymmetricX509Cert") {
		t.Errorf("the certificate added (%s) is not the one contoso-hr-sync signs in with (%s)", keyNew, sw.CredentialKeyID)
	}
	n := 0
	if err := gen.ProvisioningEvents(cfg, func(*gen.Provisioning) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 40 {
		t.Errorf("%d provisioning events, want 40", n)
	}
}

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += "  " + x + "\n"
	}
	return out
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
