package gen

import (
	"math/rand/v2"
	"time"
)

// Scenario is an attack pattern injected with Config.Scenarios, described so that tests can
// assert that a detection finds it.
type Scenario struct {
	Name        string    // stable identifier, e.g. "password-spray"
	Description string    // what happens, with the counts
	Entity      string    // what a detection reports: a user principal name, IP address, service principal or managed identity name
	IP          string    // source address of the pattern's key events ("" for managed identities)
	LogType     string    // log of the events
	Time        time.Time // createdDateTime of the first event
	End         time.Time // createdDateTime of the last event
	Events      int       // sign-ins carrying Event.Scenario == Name
	Failures    int       // of which failed or were interrupted (error code != 0)
	Audits      int       // directory audit events carrying Audit.Scenario == Name (what the intruder changed)
	Benign      bool      // a look-alike of an attack that detections must leave alone
}

// Scenario names.
const (
	ScenarioPasswordSpray      = "password-spray"
	ScenarioBruteForce         = "brute-force"
	ScenarioImpossibleTravel   = "impossible-travel"
	ScenarioMFAFatigue         = "mfa-fatigue"
	ScenarioLegacyAuth         = "legacy-auth"
	ScenarioDisabledAccount    = "disabled-account"
	ScenarioDeviceCode         = "device-code"
	ScenarioHighRisk           = "high-risk"
	ScenarioPythonRequests     = "python-requests"
	ScenarioCABlock            = "ca-block"
	ScenarioSingleFactorPortal = "single-factor-portal"
	ScenarioSPCredentialSwitch = "sp-credential-switch"
	ScenarioMINewResource      = "mi-new-resource"
	ScenarioNewCountry         = "new-country"
	ScenarioAiTMReplay         = "aitm-session-replay"
	ScenarioDeviceCodePhishing = "device-code-phishing"
	ScenarioHostingNetwork     = "hosting-network"
	ScenarioFirstROPC          = "first-ropc"
	ScenarioSessionRoaming     = "session-roaming"
)

// Scenarios returns the scenarios cfg injects (none unless cfg.Scenarios), in time order of
// their first event.
func Scenarios(cfg Config) ([]Scenario, error) {
	g, err := newGenerator(cfg)
	if err != nil {
		return nil, err
	}
	return append([]Scenario(nil), g.scenarios...), nil
}

// Attackers' networks (documentation addresses, real-world ASNs).
var (
	netSpray      = network{"192.0.2.77", plBucharest, 9009, ""}
	netBrute      = network{"192.0.2.41", plHanoi, 45899, ""}
	netTravel     = network{"192.0.2.150", plSydney, 1221, ""}
	netFatigue    = network{"192.0.2.88", plFrankfurt, 14061, ""}
	netIMAP       = network{"192.0.2.19", plBucharest, 9009, ""}
	netDeviceCode = network{"192.0.2.201", plLosAngeles, 20473, ""}
	netTor        = network{"192.0.2.66", plNuremberg, 24940, ""}
	netPython     = network{"192.0.2.120", plAshburn, 14618, ""}
	netBlocked    = network{"192.0.2.99", plLagos, 29465, ""}
	netNewCountry = network{"192.0.2.55", plSaoPaulo, 26599, ""}
)

// spSwitchTime is when the switching service principal starts using its certificate.
func (t *tenant) spSwitchTime() time.Time {
	return t.cfg.Start.Add(time.Duration(t.cfg.plantOffset()+min(t.cfg.Days, plantWeek)/2)*24*time.Hour + 12*time.Hour)
}

func (g *generator) buildScenarios() {
	t := g.t
	// attacker is the unregistered Windows machine with Chrome that attackers use.
	attacker := &device{platform: "windows", browser: 2}
	r := rand.New(rand.NewPCG(uint64(g.cfg.Seed), 0x5ce4a))
	day := func(i int, hh, mm int) time.Time {
		i = min(i+g.cfg.plantOffset(), g.cfg.Days-1)
		return g.cfg.Start.Add(time.Duration(i)*24*time.Hour + time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	}
	jitter := func(max time.Duration) time.Duration { return time.Duration(r.Int64N(int64(max)/100)) * 100 }
	// at is day plus up to 50 seconds, so single events do not sit on round minutes.
	at := func(i int, hh, mm int) time.Time { return day(i, hh, mm).Add(jitter(50 * time.Second)) }
	officeHome := flow{app: appOfficeHome, res: resGraph, kind: kindBrowser}
	owa := flow{app: appOWA, res: resEXO, kind: kindBrowser}

	var cur *Scenario
	begin := func(name, desc, entity, ip, logType string) {
		g.scenarios = append(g.scenarios, Scenario{Name: name, Description: desc, Entity: entity, IP: ip, LogType: logType})
		cur = &g.scenarios[len(g.scenarios)-1]
	}
	// add builds one user sign-in of the current scenario; noMFA signs in an account that
	// Conditional Access does not cover (how a sprayed or guessed password alone succeeds).
	add := func(when time.Time, s userSignIn, noMFA bool, after func(e *Event)) {
		// An intruder's sign-in from a machine of their own starts a session of its own.
		s.foreign = s.dev != &t.users[s.user].laptop && s.dev != &t.users[s.user].phone
		g.scen = append(g.scen, Event{})
		e := &g.scen[len(g.scen)-1]
		if noMFA {
			saved := t.users[s.user].excludedFromCA
			t.users[s.user].excludedFromCA = true
			g.fillUser(e, r, when, s)
			t.users[s.user].excludedFromCA = saved
		} else {
			g.fillUser(e, r, when, s)
		}
		if after != nil {
			after(e)
		}
		g.note(cur, e)
	}
	user := func(i int) *user { return &t.users[i] }
	chrome := browsersByPlatform["windows"][2].ua

	// Password spray: one address, 15 accounts, one wrong password each, then one success.
	pool := make([]int, 0, t.scanner-11)
	for i := 11; i < t.scanner; i++ {
		pool = append(pool, i)
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	targets := pool[:15]
	victim := targets[r.IntN(len(targets))]
	begin(ScenarioPasswordSpray, "one IP address tries one password against 15 accounts within 30 minutes (50126 each), then signs in to one of them", netSpray.ip, netSpray.ip, Interactive)
	t0 := day(1, 3, 10)
	desktopSpray := flow{app: appOffice, res: resGraph, kind: kindDesktop}
	for k, ui := range targets {
		add(t0.Add(time.Duration(k)*100*time.Second+jitter(20*time.Second)), userSignIn{logType: Interactive, user: ui, flow: desktopSpray,
			kind: kindDesktop, dev: attacker, net: netSpray, code: 50126, fresh: true, protocol: "ropc", ua: chrome}, false, nil)
	}
	add(t0.Add(28*time.Minute+jitter(30*time.Second)), userSignIn{logType: Interactive, user: victim, flow: desktopSpray,
		kind: kindDesktop, dev: attacker, net: netSpray, fresh: true, protocol: "ropc", ua: chrome}, true, nil)

	// Brute force: 25 wrong passwords for one account within 40 minutes, then a success.
	begin(ScenarioBruteForce, "25 wrong passwords (50126) for one account from one IP address within 40 minutes, then a success", user(1).upn, netBrute.ip, Interactive)
	t0 = day(2, 14, 5)
	for k := range 25 {
		add(t0.Add(time.Duration(k)*90*time.Second+jitter(10*time.Second)), userSignIn{logType: Interactive, user: 1, flow: officeHome,
			kind: kindBrowser, dev: attacker, net: netBrute, code: 50126, fresh: true, protocol: "none"}, false, nil)
	}
	add(t0.Add(39*time.Minute+jitter(20*time.Second)), userSignIn{logType: Interactive, user: 1, flow: officeHome,
		kind: kindBrowser, dev: attacker, net: netBrute, fresh: true, protocol: "none"}, true, nil)

	// Impossible travel: Amsterdam, then Sydney 30 minutes later.
	u2 := user(2)
	begin(ScenarioImpossibleTravel, "one account signs in successfully in Amsterdam (NL) and 30 minutes later in Sydney (AU)", u2.upn, netTravel.ip, Interactive)
	t0 = at(3, 9, 0)
	add(t0, userSignIn{logType: Interactive, user: 2, flow: owa, kind: kindBrowser, dev: &u2.laptop,
		net: g.userNetwork(u2, &u2.laptop, t0), fresh: true, protocol: "none"}, false, nil)
	add(t0.Add(30*time.Minute), userSignIn{logType: Interactive, user: 2, flow: owa, kind: kindBrowser, dev: attacker,
		net: netTravel, protocol: "none"}, false, nil)

	// MFA fatigue: six denied pushes within 20 minutes, then an approved one.
	t.users[3].mfaMethod, t.users[3].mfaDetail = "Mobile app notification", ""
	begin(ScenarioMFAFatigue, "six MFA push notifications denied (500121) within 20 minutes, then one approved", user(3).upn, netFatigue.ip, Interactive)
	t0 = day(4, 22, 40)
	for k := range 6 {
		add(t0.Add(time.Duration(k)*3*time.Minute+jitter(40*time.Second)), userSignIn{logType: Interactive, user: 3, flow: officeHome,
			kind: kindBrowser, dev: attacker, net: netFatigue, code: 500121, fresh: true, protocol: "none"}, false, nil)
	}
	add(t0.Add(19*time.Minute), userSignIn{logType: Interactive, user: 3, flow: officeHome, kind: kindBrowser, dev: attacker,
		net: netFatigue, fresh: true, protocol: "none"}, false, nil)

	// Legacy authentication: a successful IMAP4 sign-in.
	begin(ScenarioLegacyAuth, "a successful sign-in over IMAP4 (legacy authentication, no MFA possible)", user(4).upn, netIMAP.ip, Interactive)
	add(at(2, 6, 15), userSignIn{logType: Interactive, user: 4, flow: flow{app: appEXO, res: resEXO, kind: kindIMAP}, kind: kindIMAP,
		dev: &device{platform: "windows"}, net: netIMAP, fresh: true, protocol: "ropc"}, false, nil)

	// Disabled account.
	if t.disabled >= 0 {
		ud := user(t.disabled)
		when := at(5, 10, 12)
		begin(ScenarioDisabledAccount, "a sign-in attempt to a disabled account (50057)", ud.upn, ud.homeIP, Interactive)
		add(when, userSignIn{logType: Interactive, user: t.disabled, flow: officeHome, kind: kindBrowser, dev: &ud.laptop,
			net: network{ud.homeIP, ud.place, ud.homeASN, ""}, code: 50057, fresh: true, protocol: "none"}, false, nil)
	}

	// Device code flow.
	begin(ScenarioDeviceCode, "a successful sign-in with the device code flow (authenticationProtocol deviceCode) from an unfamiliar host", user(5).upn, netDeviceCode.ip, Interactive)
	add(at(3, 16, 45), userSignIn{logType: Interactive, user: 5, flow: flow{app: appOffice, res: resGraph, kind: kindDesktop}, kind: kindDesktop,
		dev: attacker, net: netDeviceCode, fresh: true, protocol: "deviceCode", ua: chrome}, false, func(e *Event) { e.OriginalTransfer = "deviceCodeFlow" })

	// High-risk sign-in.
	begin(ScenarioHighRisk, "a successful sign-in that Identity Protection rated high risk (anonymized IP address, unfamiliar features)", user(6).upn, netTor.ip, Interactive)
	add(at(4, 2, 30), userSignIn{logType: Interactive, user: 6, flow: officeHome, kind: kindBrowser, dev: attacker, net: netTor,
		protocol: "none", ua: "Mozilla/5.0 (Windows NT 10.0; rv:115.0) Gecko/20100101 Firefox/115.0"}, false, func(e *Event) {
		e.Browser = "Firefox 115.0"
		e.RiskLevelDuringSignIn, e.RiskLevelAggregated, e.RiskState = "high", "high", "atRisk"
		e.RiskEventTypes = append(e.RiskEventTypes, "anonymizedIPAddress", "unfamiliarFeatures")
	})

	// Scripted token use: python-requests.
	begin(ScenarioPythonRequests, "a successful non-interactive sign-in by a script (user agent python-requests) from a cloud host", user(7).upn, netPython.ip, NonInteractive)
	add(at(5, 13, 20), userSignIn{logType: NonInteractive, user: 7, flow: flow{app: appOffice, res: resGraph, kind: kindDesktop}, kind: kindDesktop,
		dev: attacker, net: netPython, protocol: "none", ua: "python-requests/2.31.0"}, false, func(e *Event) {
		e.Browser, e.OperatingSystem = "Python Requests 2.31", ""
	})

	// Conditional Access block.
	begin(ScenarioCABlock, "a sign-in blocked by Conditional Access (53003, CA003 failure) from a blocked country", user(8).upn, netBlocked.ip, Interactive)
	add(at(2, 19, 5), userSignIn{logType: Interactive, user: 8, flow: officeHome, kind: kindBrowser, dev: attacker, net: netBlocked,
		code: 53003, fresh: true, protocol: "none"}, false, nil)

	// Single-factor Azure Portal sign-in by the break-glass account.
	if t.breakGlass >= 0 {
		ub := user(t.breakGlass)
		begin(ScenarioSingleFactorPortal, "a successful single-factor sign-in to the Azure Portal (an account excluded from Conditional Access)", ub.upn, offices[0].ip, Interactive)
		add(at(1, 11, 30), userSignIn{logType: Interactive, user: t.breakGlass, flow: flow{app: appPortal, res: resARM, kind: kindBrowser},
			kind: kindBrowser, dev: &ub.laptop, net: network{offices[0].ip, plSeattle, offices[0].asn, corporateNetwork}, fresh: true, protocol: "none"}, false, nil)
	}

	// Service principal switches from a client secret to a certificate with a new key id.
	for i := range t.sps {
		w := &t.sps[i]
		if w.name != switchingSP {
			continue
		}
		when := t.spSwitchTime()
		begin(ScenarioSPCredentialSwitch, "a service principal that used a client secret signs in with a certificate and a new credential key id; it keeps using the certificate", w.name, w.ips[0], ServicePrincipal)
		g.scen = append(g.scen, Event{})
		e := &g.scen[len(g.scen)-1]
		g.fillWorkload(e, r, ServicePrincipal, w, resGraph, 0, when)
		e.IPAddress = w.ips[0]
		g.note(cur, e)
	}

	// Managed identity reaches a resource it never used, on the last day.
	for i := range t.mis {
		w := &t.mis[i]
		if w.name != wanderingMI {
			continue
		}
		begin(ScenarioMINewResource, "a managed identity obtains a token for Microsoft Graph, a resource it never used before, on the last day", w.name, "", ManagedIdentity)
		g.scen = append(g.scen, Event{})
		e := &g.scen[len(g.scen)-1]
		g.fillWorkload(e, r, ManagedIdentity, w, resGraph, 0, at(g.cfg.Days-1, 11, 0))
		g.note(cur, e)
	}

	// New country on the last day.
	u10 := user(10)
	begin(ScenarioNewCountry, "a successful sign-in from a country the account never used (BR), on the last day", u10.upn, netNewCountry.ip, Interactive)
	add(at(g.cfg.Days-1, 16, 20), userSignIn{logType: Interactive, user: 10, flow: owa, kind: kindBrowser, dev: &u10.laptop,
		net: netNewCountry, fresh: true, protocol: "none"}, false, nil)

	g.morePlants(&planter{r: r, begin: begin, add: add, at: at, jitter: jitter, attacker: attacker, chrome: chrome, free: pool[len(targets):],
		cur: func() *Scenario { return cur }})
	sortEvents(g.scen)
	sortScenarios(g.scenarios)
	sortAudits(g.auditScen)
}

// note attributes e to s and widens s's time span.
func (g *generator) note(s *Scenario, e *Event) {
	e.Scenario = s.Name
	if s.Events == 0 || e.Created.Before(s.Time) {
		s.Time = e.Created
	}
	if e.Created.After(s.End) {
		s.End = e.Created
	}
	s.Events++
	if e.ErrorCode != 0 {
		s.Failures++
	}
}

func sortScenarios(s []Scenario) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Time.Before(s[j-1].Time); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
