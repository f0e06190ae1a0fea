package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// Events calls fn for every event of cfg, in time order (createdDateTime, ties in a fixed
// order). The *Event is reused: fn must not keep it (use Clone). An error from fn stops the
// iteration and is returned.
func Events(cfg Config, fn func(*Event) error) error {
	g, err := newGenerator(cfg)
	if err != nil {
		return err
	}
	return g.run(fn)
}

// generator produces the background traffic as a stream and merges the scenario events in.
type generator struct {
	cfg Config
	t   *tenant
	r   *rand.Rand

	scenarios []Scenario
	scen      []Event // scenario events, sorted by Created
	auditScen []Audit // audit events the scenarios plant, sorted by Time

	// Background arrival process: sorted uniforms on [0,1) by the sequential method for
	// order statistics, mapped through the inverse CDF of an hourly activity profile.
	nBG, doneBG int
	u           float64
	cum         []float64 // cumulative profile, len hours+1, cum[0]=0, cum[hours]=1
	slot        int

	flowsI, flowsN, errI, errN picker
	spPick, miPick             picker
}

type picker struct{ cum []float64 }

func newPicker(weights []float64) picker {
	p := picker{cum: make([]float64, len(weights))}
	var total float64
	for i, w := range weights {
		total += w
		p.cum[i] = total
	}
	for i := range p.cum {
		p.cum[i] /= total
	}
	return p
}

func (p picker) pick(r *rand.Rand) int {
	x := r.Float64()
	for i, c := range p.cum {
		if x < c {
			return i
		}
	}
	return len(p.cum) - 1
}

func newGenerator(cfg Config) (*generator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &generator{cfg: cfg, t: newTenant(cfg), r: rand.New(rand.NewPCG(uint64(cfg.Seed), 0xb6))}
	if cfg.Scenarios {
		g.buildScenarios()
		if len(g.scen) > cfg.Events {
			return nil, fmt.Errorf("events must be at least %d with scenarios (the scenarios alone have %d), got %d", len(g.scen), len(g.scen), cfg.Events)
		}
	}
	g.nBG = cfg.Events - len(g.scen)
	g.buildProfile()
	var wi, wn, ei, en []float64
	for _, f := range flows {
		wi, wn = append(wi, f.wI), append(wn, f.wN)
	}
	for _, w := range interactiveErrors {
		ei = append(ei, w.weight)
	}
	for _, w := range nonInteractiveErrors {
		en = append(en, w.weight)
	}
	g.flowsI, g.flowsN, g.errI, g.errN = newPicker(wi), newPicker(wn), newPicker(ei), newPicker(en)
	g.spPick, g.miPick = newPicker(g.t.spWeights), newPicker(g.t.miWeights)
	return g, nil
}

// buildProfile sets the relative activity of every hour of the period: European and American
// working hours are busy, nights and weekends quiet, with a little per-hour noise.
func (g *generator) buildProfile() {
	hours := g.cfg.Days * 24
	r := rand.New(rand.NewPCG(uint64(g.cfg.Seed), 0x9f))
	g.cum = make([]float64, hours+1)
	for h := range hours {
		at := g.cfg.Start.Add(time.Duration(h) * time.Hour)
		hh := at.Hour()
		var eu, us float64
		if hh >= 7 && hh < 17 {
			eu = 1
		}
		if hh >= 13 && hh < 23 {
			us = 1
		}
		w := 0.35 + 0.8*eu + 0.8*us
		if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w = 0.35 + 0.12*(eu+us)
		}
		w *= 0.9 + 0.2*r.Float64()
		g.cum[h+1] = g.cum[h] + w
	}
	total := g.cum[hours]
	for i := range g.cum {
		g.cum[i] /= total
	}
	g.cum[hours] = 1
}

const hour100ns = 36_000_000_000 // 100 ns units per hour

// nextTime returns the time of the next background event.
func (g *generator) nextTime() time.Time {
	m := g.nBG - g.doneBG
	g.doneBG++
	v := 1 - g.r.Float64() // (0,1]
	g.u += (1 - g.u) * -math.Expm1(math.Log(v)/float64(m))
	if g.u >= 1 {
		g.u = math.Nextafter(1, 0)
	}
	last := len(g.cum) - 2
	for g.slot < last && g.cum[g.slot+1] <= g.u {
		g.slot++
	}
	frac := (g.u - g.cum[g.slot]) / (g.cum[g.slot+1] - g.cum[g.slot])
	frac = min(max(frac, 0), 0.9999999999)
	off := int64(g.slot)*hour100ns + int64(frac*hour100ns)
	return g.cfg.Start.Add(time.Duration(off) * 100)
}

func (g *generator) run(fn func(*Event) error) error {
	var bg Event
	have := false
	si := 0
	for seq := 0; seq < g.cfg.Events; seq++ {
		if !have && g.doneBG < g.nBG {
			g.background(&bg)
			have = true
		}
		var e *Event
		if have && (si >= len(g.scen) || !g.scen[si].Created.Before(bg.Created)) {
			e, have = &bg, false
		} else {
			e = &g.scen[si]
			si++
		}
		g.stamp(e, seq)
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// stamp gives e the identifiers that depend on its position.
func (g *generator) stamp(e *Event, seq int) {
	d := g.t.ids
	e.Seq = seq
	e.ID = d.guid(keyRequest, uint64(seq))
	e.CorrelationID = d.guid(keyCorrelation, uint64(seq))
	e.UniqueTokenID = d.token(uint64(seq))
	if e.IsUser() {
		e.OriginalRequestID = e.ID
	}
}

// reset clears e for reuse, keeping the capacity of its slices.
func reset(e *Event) {
	p, s, k := e.Policies[:0], e.AuthSteps[:0], e.RiskEventTypes[:0]
	*e = Event{Policies: p, AuthSteps: s, RiskEventTypes: k}
}

func (g *generator) background(e *Event) {
	at := g.nextTime()
	r := g.r
	reset(e)
	switch x := r.Float64(); {
	case x < 0.60:
		g.backgroundUser(e, NonInteractive, at)
	case x < 0.85:
		g.backgroundUser(e, Interactive, at)
	case x < 0.95:
		w := &g.t.sps[g.spPick.pick(r)]
		code := 0
		if w.credentialAt(at) == "clientSecret" {
			switch y := r.Float64(); {
			case y < 0.012:
				code = 7000215
			case y < 0.018:
				code = 7000222
			}
		}
		g.fillWorkload(e, r, ServicePrincipal, w, w.resources[r.IntN(len(w.resources))], code, at)
	default:
		w := &g.t.mis[g.miPick.pick(r)]
		g.fillWorkload(e, r, ManagedIdentity, w, w.resources[r.IntN(len(w.resources))], 0, at)
	}
}

// network is where a sign-in comes from.
type network struct {
	ip    string
	place int
	asn   int
	named string
}

// userSignIn describes a user sign-in to build.
type userSignIn struct {
	logType  string
	user     int
	flow     flow
	kind     kind
	dev      *device
	net      network
	code     int
	fresh    bool // full authentication rather than single sign-on
	protocol string
	ua       string // overrides the client's user agent when set
	foreign  bool   // from a device that is not the user's: a session of its own
}

func (g *generator) backgroundUser(e *Event, logType string, at time.Time) {
	r, t := g.r, g.t
	// The mail scanner relays through Authenticated SMTP now and then.
	if logType == Interactive && t.scanner >= 0 && r.IntN(250) == 0 {
		g.fillUser(e, r, at, userSignIn{logType: logType, user: t.scanner, flow: flow{app: appEXO, res: resEXO, kind: kindSMTP},
			kind: kindSMTP, dev: &device{platform: "windows"}, net: network{offices[0].ip, plSeattle, offices[0].asn, corporateNetwork}, fresh: true, protocol: "ropc"})
		return
	}
	ui := t.bgUsers[int(float64(len(t.bgUsers))*math.Pow(r.Float64(), 1.5))]
	u := &t.users[ui]
	var f flow
	var code int
	if logType == Interactive {
		f, code = flows[g.flowsI.pick(r)], interactiveErrors[g.errI.pick(r)].code
	} else {
		f, code = flows[g.flowsN.pick(r)], nonInteractiveErrors[g.errN.pick(r)].code
	}
	k := f.kind
	dev := &u.laptop
	switch {
	case k == kindMobile || k == kindEAS:
		dev = &u.phone
	case k == kindWinLogon && dev.platform != "windows":
		f, k = flows[0], kindBrowser
	case (k == kindDesktop || k == kindCLI) && dev.platform == "linux":
		k = kindBrowser
	case k == kindBrowser && r.IntN(100) < 15:
		dev = &u.phone
	}
	s := userSignIn{logType: logType, user: ui, flow: f, kind: k, dev: dev, code: code, protocol: "none"}
	// The first-ropc actor's phone mail uses modern authentication, so the planted sign-in
	// is that user's first ROPC.
	if k.legacy() && ui != t.ropcUser {
		s.protocol = "ropc"
	}
	s.net = g.userNetwork(u, dev, at)
	s.fresh = k == kindCLI || r.IntN(100) < 35
	g.fillUser(e, r, at, s)
	if logType == Interactive && e.ErrorCode == 0 && r.IntN(500) == 0 {
		e.RiskLevelDuringSignIn, e.RiskLevelAggregated, e.RiskState = "low", "low", "atRisk"
		e.RiskEventTypes = append(e.RiskEventTypes, "unfamiliarFeatures")
		if r.IntN(4) == 0 {
			e.RiskLevelDuringSignIn, e.RiskLevelAggregated = "medium", "medium"
		}
	}
}

// userNetwork picks the network a user signs in from at a given time: the office during local
// working hours on weekdays, home otherwise, the mobile network on the phone.
func (g *generator) userNetwork(u *user, dev *device, at time.Time) network {
	pl := u.place
	if dev == &u.phone {
		day := int(at.Sub(g.cfg.Start) / (24 * time.Hour))
		return network{u.mobileIPs[day%3], pl, u.mobileASN, ""}
	}
	if u.office >= 0 {
		local := at.Add(time.Duration(places[pl].tz) * time.Hour)
		wd := local.Weekday()
		if wd != time.Saturday && wd != time.Sunday && local.Hour() >= 8 && local.Hour() < 18 {
			o := offices[u.office]
			return network{o.ip, o.place, o.asn, corporateNetwork}
		}
	}
	return network{u.homeIP, pl, u.homeASN, ""}
}

// fillUser builds a user sign-in into e.
func (g *generator) fillUser(e *Event, r *rand.Rand, at time.Time, s userSignIn) {
	t := g.t
	u := &t.users[s.user]
	e.LogType = s.logType
	e.Interactive = s.logType == Interactive
	e.Created = at
	e.Ingested = at.Add(time.Duration(2_000+r.IntN(38_000))*time.Millisecond + time.Duration(r.IntN(10_000))*100)
	e.TenantID = t.id
	e.UserID, e.UserPrincipalName, e.UserDisplayName = u.id, u.upn, u.display
	e.SignInIdentifier = u.upn
	e.UserType, e.CrossTenantAccessType = "Member", "none"
	if u.guest {
		e.UserType, e.CrossTenantAccessType = "Guest", "b2bCollaboration"
	}
	e.HomeTenantID, e.HomeTenantName = u.homeTenant, u.homeTenantName
	e.AppID, e.AppDisplayName, e.AppOwnerTenantID = s.flow.app.id, s.flow.app.name, microsoftTenant
	res := resources[s.flow.res]
	e.ResourceID, e.ResourceDisplayName, e.ResourceTenantID = res.id, res.name, t.id
	e.ResourceServicePrincipalID = t.resSPIDs[s.flow.res]
	e.ClientCredentialType, e.MSIType = "none", "none"
	e.TokenIssuerType = "AzureAD"
	e.AuthProtocol, e.OriginalTransfer = s.protocol, "none"
	e.RiskLevelDuringSignIn, e.RiskLevelAggregated, e.RiskState, e.RiskDetail = "none", "none", "none", "none"

	pl := places[s.net.place]
	e.IPAddress, e.ASN, e.NamedLocation = s.net.ip, s.net.asn, s.net.named
	e.City, e.State, e.Country, e.Latitude, e.Longitude = pl.city, pl.state, pl.country, pl.lat, pl.lon

	dev := s.dev
	e.ClientAppUsed = s.kind.clientApp()
	if s.kind != kindSMTP && s.kind != kindIMAP {
		e.OperatingSystem = osField(dev.platform, s.kind)
	}
	if s.kind == kindBrowser {
		b := browsersByPlatform[dev.platform][dev.browser%len(browsersByPlatform[dev.platform])]
		e.Browser, e.UserAgent = b.field, b.ua
	} else {
		e.Browser, e.UserAgent = richClient(s.flow.app, s.kind, dev.platform)
	}
	if s.ua != "" {
		e.UserAgent = s.ua
	}
	// Browsers other than Edge and Safari pass no device identity, except towards Azure
	// management where the tenant deploys the extension that does.
	showDevice := dev.id != "" && (s.kind != kindBrowser || s.flow.res == resARM ||
		strings.HasPrefix(e.Browser, "Edge") || strings.HasPrefix(e.Browser, "Safari") || e.Browser == "Mobile Safari")
	if showDevice {
		e.DeviceID, e.DeviceName, e.TrustType = dev.id, dev.name, dev.trust
		e.Compliant, e.Managed = dev.compliant, dev.managed
	}
	e.IncomingTokenType = "none"
	if dev.platform == "windows" && dev.id != "" && (s.kind == kindDesktop || s.kind == kindWinLogon) && !s.fresh {
		e.IncomingTokenType = "primaryRefreshToken"
	}
	day := uint64(at.Sub(g.cfg.Start) / (24 * time.Hour))
	phone := uint64(0)
	if dev == &u.phone {
		phone = 1
	}
	key := uint64(s.user)<<20 | day<<1 | phone
	if s.foreign {
		key |= 1 << 63
	}
	e.SessionID = t.ids.guid(keySession, key)

	code := s.code
	// A non-compliant device cannot reach Azure management (CA004).
	if code == 0 && s.flow.res == resARM && !e.Compliant && !u.excludedFromCA && !s.kind.legacy() {
		code = 53000
	}
	e.ErrorCode = code
	if code != 0 {
		e.FailureReason = failureReasons[code]
		e.AdditionalDetails = additionalDetails[code]
	}
	g.applyCA(e, u, s.kind, s.flow.res)
	g.authSteps(e, r, u, s)

	switch s.logType {
	case Interactive:
		e.ProcessingMs = int(math.Exp(5.5 + 0.8*r.NormFloat64()))
	default:
		e.ProcessingMs = int(math.Exp(4.3 + 0.7*r.NormFloat64()))
	}
}

// caEvaluated reports whether Conditional Access ran: it does not for failures before or
// instead of the first factor completing.
func caEvaluated(code int) bool {
	switch code {
	case 0, 500121, 53003, 53000, 50140, 50199, 16000:
		return true
	}
	return false
}

func (g *generator) applyCA(e *Event, u *user, k kind, res int) {
	ev := caEvaluated(e.ErrorCode)
	var results [numPolicies]string
	switch {
	case u.excludedFromCA || k.legacy() || !ev:
		results[caMFA] = "notApplied"
	case e.ErrorCode == 500121:
		results[caMFA] = "failure"
	default:
		results[caMFA] = "success"
	}
	results[caLegacy] = "reportOnlyNotApplied"
	if k.legacy() {
		results[caLegacy] = "reportOnlyFailure"
	}
	results[caCountries] = "notApplied"
	if ev && blockedCountries[e.Country] && !u.excludedFromCA {
		results[caCountries] = "failure"
	}
	results[caAzureDevice] = "notApplied"
	if ev && res == resARM && !u.excludedFromCA && !k.legacy() {
		results[caAzureDevice] = "success"
		if !e.Compliant {
			results[caAzureDevice] = "failure"
		}
	}
	e.ConditionalAccess = "notApplied"
	for i, res := range results {
		e.Policies = append(e.Policies, CAPolicy{ID: g.t.policyIDs[i], DisplayName: policyDefs[i].name, GrantControls: policyDefs[i].grant, Result: res})
		switch {
		case res == "failure":
			e.ConditionalAccess = "failure"
		case res == "success" && e.ConditionalAccess == "notApplied":
			e.ConditionalAccess = "success"
		}
	}
	e.AuthRequirement = "singleFactorAuthentication"
	if results[caMFA] != "notApplied" || e.ErrorCode == 50074 || e.ErrorCode == 50076 {
		e.AuthRequirement = "multiFactorAuthentication"
	}
}

const (
	reqPrimary = "Primary authentication"
	reqMFA     = "Multi-factor authentication"
)

func (g *generator) authSteps(e *Event, r *rand.Rand, u *user, s userSignIn) {
	multi := e.AuthRequirement == "multiFactorAuthentication"
	at := e.Created
	password := func(ok bool) {
		res := "Correct password"
		if !ok {
			res = "Invalid username or password or Invalid on-premise username or password."
		}
		e.AuthSteps = append(e.AuthSteps, AuthStep{at, "Password", "Password Hash Sync", ok, res, reqPrimary})
	}
	mfa := func(ok bool) {
		res := "MFA successfully completed"
		if !ok {
			res = "MFA denied; user declined the authentication"
			if u.mfaMethod != "Mobile app notification" {
				res = "Invalid verification code"
			}
		}
		when := at.Add(time.Duration(4+r.IntN(16))*time.Second + time.Duration(r.IntN(10_000_000))*100)
		e.AuthSteps = append(e.AuthSteps, AuthStep{when, u.mfaMethod, u.mfaDetail, ok, res, reqMFA})
		e.MFAAuthMethod, e.MFAAuthDetail = u.mfaMethod, u.mfaDetail
	}
	previously := func(mfa bool) {
		e.AuthSteps = append(e.AuthSteps, AuthStep{at, "Previously satisfied", "", true, "First factor requirement satisfied by claim in the token", reqPrimary})
		if mfa {
			e.AuthSteps = append(e.AuthSteps, AuthStep{at, "Previously satisfied", "", true, "MFA requirement satisfied by claim in the token", reqMFA})
		}
	}
	if s.logType == NonInteractive {
		if e.ErrorCode == 0 {
			if r.IntN(4) == 0 {
				previously(false)
			}
			if multi {
				e.AdditionalDetails = "MFA requirement satisfied by claim in the token"
			}
		}
		return
	}
	switch e.ErrorCode {
	case 0, 50140, 50199, 16000:
		switch {
		case s.kind == kindWinLogon:
			e.AuthSteps = append(e.AuthSteps, AuthStep{at, "Windows Hello for Business", "Windows Hello for Business", true, "Windows Hello for Business authentication succeeded", reqPrimary})
			if multi && e.ErrorCode == 0 {
				e.AdditionalDetails = "MFA requirement satisfied by claim in the token"
			}
		case s.fresh || s.kind.legacy():
			password(true)
			if multi {
				mfa(true)
				if e.ErrorCode == 0 {
					e.AdditionalDetails = "MFA completed in Azure AD"
				}
			}
		default:
			previously(multi)
			if multi && e.ErrorCode == 0 {
				e.AdditionalDetails = "MFA requirement satisfied by claim in the token"
			}
		}
	case 53003, 53000:
		if s.fresh {
			password(true)
		} else {
			previously(false)
		}
	case 50126:
		password(false)
	case 50074:
		password(true)
	case 500121:
		password(true)
		mfa(false)
	}
}

// credentialAt returns the credential type a workload uses at a time.
func (w *workload) credentialAt(at time.Time) string {
	if w.switchAt != 0 && at.Unix() >= w.switchAt {
		return w.newCredType
	}
	return w.credType
}

// fillWorkload builds a service principal or managed identity sign-in into e.
func (g *generator) fillWorkload(e *Event, r *rand.Rand, logType string, w *workload, res int, code int, at time.Time) {
	t := g.t
	e.LogType = logType
	e.Created = at
	e.Ingested = at.Add(time.Duration(2_000+r.IntN(38_000))*time.Millisecond + time.Duration(r.IntN(10_000))*100)
	e.TenantID = t.id
	e.AppID, e.AppDisplayName, e.AppOwnerTenantID = w.appID, w.name, t.id
	rs := resources[res]
	e.ResourceID, e.ResourceDisplayName, e.ResourceTenantID = rs.id, rs.name, t.id
	e.ResourceServicePrincipalID = t.resSPIDs[res]
	e.HomeTenantID = t.id
	e.ServicePrincipalID, e.ServicePrincipalName = w.spID, w.name
	e.ClientCredentialType = w.credentialAt(at)
	e.CredentialKeyID, e.CredentialThumbprint, e.FederatedCredentialID = w.keyID, w.thumbprint, w.fedID
	if w.switchAt != 0 && at.Unix() >= w.switchAt {
		e.CredentialKeyID, e.CredentialThumbprint = w.newKey, w.newThumb
	}
	e.MSIType, e.MSIAssociatedResource = "none", ""
	e.TokenIssuerType, e.AuthProtocol, e.IncomingTokenType, e.CrossTenantAccessType = "AzureAD", "none", "none", "none"
	e.ConditionalAccess = "notApplied"
	e.RiskLevelDuringSignIn, e.RiskLevelAggregated, e.RiskState, e.RiskDetail = "none", "none", "none", "none"
	if logType == ManagedIdentity {
		e.MSIType, e.MSIAssociatedResource = w.msiType, w.assoc
		e.ProcessingMs = int(math.Exp(2.5 + 0.5*r.NormFloat64()))
	} else {
		pl := places[w.place]
		e.IPAddress, e.ASN = w.ips[r.IntN(len(w.ips))], w.asn
		e.City, e.State, e.Country, e.Latitude, e.Longitude = pl.city, pl.state, pl.country, pl.lat, pl.lon
		e.ProcessingMs = int(math.Exp(3.5 + 0.6*r.NormFloat64()))
	}
	e.ErrorCode = code
	if code != 0 {
		e.FailureReason = failureReasons[code]
	}
}

// sortEvents orders scenario events by time, keeping the build order for equal times.
func sortEvents(evs []Event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Created.Before(evs[j].Created) })
}
