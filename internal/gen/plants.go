package gen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// planter carries buildScenarios' helpers to the plants added for session, baseline and
// infrastructure detections and to the audit events that follow the incidents.
type planter struct {
	r        *rand.Rand
	begin    func(name, desc, entity, ip, logType string)
	add      func(when time.Time, s userSignIn, noMFA bool, after func(e *Event))
	at       func(i, hh, mm int) time.Time
	jitter   func(max time.Duration) time.Duration
	attacker *device
	chrome   string
	free     []int // users with no part in the older scenarios, in a seeded order
	cur      func() *Scenario
}

// Attackers' and roaming networks of the newer plants (documentation addresses, real ASNs of
// hosting providers: 14061 DigitalOcean, 16276 OVH, 63949 Akamai Linode, 16509 Amazon).
var (
	netAiTMProxy  = network{"192.0.2.161", plAmsterdam, 14061, ""}
	netAiTMReplay = network{"192.0.2.171", plParis, 16276, ""}
	netDCPhish    = network{"192.0.2.181", plNewYork, 63949, ""}
)

// Objects the plants create.
const (
	objNewAdmin = iota + 1
	objPhishDevice
	objConsentApp
	objConsentSP
	objGlobalAdminRole
)

// axiosUA is the user agent of the AiTM kit's relay server.
const axiosUA = "axios/1.7.7"

// morePlants adds the sign-in plants of the session, baseline and infrastructure detections,
// then the audit events that follow the incidents.
func (g *generator) morePlants(p *planter) {
	t := g.t
	var picked []int
	pick := func(office bool) int {
		for _, ui := range p.free {
			u := &t.users[ui]
			if u.guest || (office && u.office < 0) || contains(picked, ui) {
				continue
			}
			picked = append(picked, ui)
			return ui
		}
		return -1
	}
	uniqueSession := func(n uint64) func(e *Event) {
		return func(e *Event) { e.SessionID = t.ids.guid(keySession, 1<<62|n) }
	}
	officeHome := flow{app: appOfficeHome, res: resGraph, kind: kindBrowser}
	owa := flow{app: appOWA, res: resEXO, kind: kindBrowser}
	last := g.cfg.Days - 1

	// AiTM session replay: the kit's relay signs the victim in to OfficeHome (MFA completed
	// through the proxy) with its HTTP library's user agent from a hosting network; 25 and 40
	// minutes later the stolen session cookie is replayed from another provider and country.
	if ui := pick(false); ui >= 0 {
		u := &t.users[ui]
		p.begin(ScenarioAiTMReplay, "an adversary-in-the-middle relay signs in to OfficeHome with an HTTP library's user agent (axios) from a hosting network (AS14061, NL); the same session id is then used from another hosting network and country (AS16276, FR) within the hour", u.upn, netAiTMProxy.ip, Interactive)
		t0 := p.at(min(4, last), 8, 5)
		session := uniqueSession(1)
		p.add(t0, userSignIn{logType: Interactive, user: ui, flow: officeHome, kind: kindBrowser, dev: p.attacker, net: netAiTMProxy,
			fresh: true, protocol: "none", ua: axiosUA}, false, func(e *Event) {
			session(e)
			e.Browser, e.OperatingSystem = "", ""
		})
		for k, f := range []flow{owa, {app: appOffice, res: resGraph, kind: kindBrowser}} {
			p.add(t0.Add(time.Duration(25+15*k)*time.Minute+p.jitter(30*time.Second)), userSignIn{logType: NonInteractive, user: ui, flow: f,
				kind: kindBrowser, dev: p.attacker, net: netAiTMReplay, protocol: "none", ua: p.chrome}, false, session)
		}
	}

	// Device-code phishing: the victim enters the attacker's code; the attacker's client, the
	// authentication broker, gets tokens for the Device Registration Service from a hosting
	// network, registers a device (audit, below) and signs in with it.
	dcVictim := pick(false)
	var dcAt time.Time
	if dcVictim >= 0 {
		u := &t.users[dcVictim]
		p.begin(ScenarioDeviceCodePhishing, "a device code flow sign-in by the authentication broker to the Device Registration Service from a hosting network (AS63949), a device registered from the same address 20 minutes later (audit), then a sign-in with that new device", u.upn, netDCPhish.ip, Interactive)
		dcAt = p.at(min(5, last), 9, 12)
		broker := flow{app: appBroker, res: resDRS, kind: kindDesktop}
		p.add(dcAt, userSignIn{logType: Interactive, user: dcVictim, flow: broker, kind: kindDesktop, dev: p.attacker, net: netDCPhish,
			fresh: true, protocol: "deviceCode", ua: p.chrome}, false, func(e *Event) {
			e.OriginalTransfer = "deviceCodeFlow"
			uniqueSession(2)(e)
		})
		rogue := &device{platform: "windows", id: t.ids.guid(keyObject, objPhishDevice), name: "DESKTOP-7Q2M4KX", trust: "Azure AD registered"}
		p.add(dcAt.Add(41*time.Minute+p.jitter(30*time.Second)), userSignIn{logType: NonInteractive, user: dcVictim,
			flow: flow{app: appOffice, res: resGraph, kind: kindDesktop}, kind: kindDesktop, dev: rogue, net: netDCPhish, protocol: "none"}, false, uniqueSession(3))
	}

	// A successful interactive sign-in from a cloud provider's address in the user's own city
	// (a cloud desktop or a proxy there), so that only the network gives it away.
	if ui := pick(false); ui >= 0 {
		u := &t.users[ui]
		netHosting := network{"192.0.2.130", u.place, 16509, ""}
		p.begin(ScenarioHostingNetwork, "a successful interactive sign-in to Outlook on the web from a hosting provider's network (Amazon, AS16509) in the user's own city", u.upn, netHosting.ip, Interactive)
		p.add(p.at(min(5, last), 20, 10), userSignIn{logType: Interactive, user: ui, flow: owa, kind: kindBrowser, dev: p.attacker, net: netHosting,
			fresh: true, protocol: "none", ua: p.chrome}, false, uniqueSession(4))
	}

	// A user's first ROPC sign-in (no earlier one in the export: see backgroundUser).
	if ui := pick(false); ui >= 0 {
		u := &t.users[ui]
		t.ropcUser = ui
		when := p.at(last, 7, 25)
		net := g.userNetwork(u, &u.laptop, when)
		p.begin(ScenarioFirstROPC, "a user who never used the resource owner password credentials flow signs in with it (authenticationProtocol ropc, single factor) on the last day", u.upn, net.ip, Interactive)
		p.add(when, userSignIn{logType: Interactive, user: ui, flow: flow{app: appOffice, res: resGraph, kind: kindDesktop}, kind: kindDesktop,
			dev: &u.laptop, net: net, fresh: true, protocol: "ropc"}, true, nil)
	}

	// Benign: one laptop session moves from the office network to the phone's hotspot (the
	// mobile carrier) in the same country, 25 minutes apart.
	if ui := pick(true); ui >= 0 {
		u := &t.users[ui]
		o := offices[u.office]
		day := min(5, last)
		when := p.at(day, 10-places[o.place].tz, 5)
		p.begin(ScenarioSessionRoaming, "benign: one session moves from the office network to the user's mobile carrier in the same country within 25 minutes (must not be flagged)", u.upn, o.ip, Interactive)
		p.cur().Benign = true
		p.add(when, userSignIn{logType: Interactive, user: ui, flow: owa, kind: kindBrowser, dev: &u.laptop,
			net: network{o.ip, o.place, o.asn, corporateNetwork}, protocol: "none"}, false, nil)
		p.add(when.Add(25*time.Minute), userSignIn{logType: NonInteractive, user: ui, flow: owa, kind: kindBrowser, dev: &u.laptop,
			net: network{u.mobileIPs[day%3], u.place, u.mobileASN, ""}, protocol: "none"}, false, nil)
	}

	g.plantAudits(p, dcVictim, dcAt)
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// lastEvent returns the last planted sign-in of a scenario, or nil.
func (g *generator) lastEvent(name string) *Event {
	var out *Event
	for i := range g.scen {
		if e := &g.scen[i]; e.Scenario == name && (out == nil || !e.Created.Before(out.Created)) {
			out = e
		}
	}
	return out
}

// plantAudits adds what the intruders changed after their sign-ins.
func (g *generator) plantAudits(p *planter, dcVictim int, dcAt time.Time) {
	t := g.t
	scenario := func(name string) *Scenario {
		for i := range g.scenarios {
			if g.scenarios[i].Name == name {
				return &g.scenarios[i]
			}
		}
		return nil
	}
	corr := uint64(1 << 48)
	plant := func(name string, a Audit, sameOp bool) {
		if !sameOp {
			corr++
		}
		a.Scenario = name
		a.Result = "success"
		a.CorrelationID = t.ids.guid(keyAuditCorrelation, corr)
		a.Ingested = a.Time.Add(time.Duration(40+p.r.IntN(300))*time.Second + p.jitter(time.Second))
		g.auditScen = append(g.auditScen, a)
		scenario(name).Audits++
	}
	byUser := func(a *Audit, ui int, ip string) {
		u := &t.users[ui]
		a.InitUserID, a.InitUPN, a.InitIP = u.id, u.upn, ip
	}

	// Impossible travel: from Sydney, the intruder registers an authenticator app.
	if e := g.lastEvent(ScenarioImpossibleTravel); e != nil {
		at := e.Created.Add(35*time.Minute + p.jitter(time.Minute))
		a := Audit{Time: at, Category: "UserManagement", Activity: "User registered security info", OperationType: "Add", Service: svcAuthM,
			ResultReason: "User registered Authenticator App with Notification and Code", Targets: []AuditTarget{t.userTarget(2)}}
		byUser(&a, 2, e.IPAddress)
		plant(ScenarioImpossibleTravel, a, false)
		b := Audit{Time: at.Add(2 * time.Second), Category: "UserManagement", Activity: "Update user", OperationType: "Update", Service: svcCore,
			InitAppID: initMFA.id, InitSPID: t.ids.guid(keyObject, 1<<36), InitName: initMFA.name}
		tg := t.userTarget(2)
		tg.Props = []ModifiedProperty{{"StrongAuthenticationPhoneAppDetail", "[]",
			`[{"DeviceName":"SM-A546B","DeviceTag":"SoftwareTokenActivated","DeviceToken":"` + t.ids.hex(keyObject, 1<<37, 24, false) + `","Id":"` + t.ids.guid(keyObject, 1<<38) + `","NotificationType":"GCM","OathTokenTimeDrift":0,"OathSecretKey":null,"PhoneAppVersion":"6.2405.3212","TimeInterval":null}]`},
			included("StrongAuthenticationPhoneAppDetail")}
		b.Targets = []AuditTarget{tg}
		plant(ScenarioImpossibleTravel, b, true)
	}

	// Brute force: the next morning, from the same address, the guessed account adds a
	// certificate to the HR sync application; the service principal signs in with it 20
	// minutes later (the sp-credential-switch sign-in).
	if e := g.lastEvent(ScenarioBruteForce); e != nil {
		for i := range t.sps {
			w := &t.sps[i]
			if w.name != switchingSP {
				continue
			}
			at := t.spSwitchTime().Add(-20*time.Minute + p.jitter(time.Minute))
			if at.Before(e.Created) {
				at = e.Created.Add(30 * time.Minute)
			}
			oldKey := fmt.Sprintf("[KeyIdentifier=%s,KeyType=Password,KeyUsage=Verify,DisplayName=hr-sync-secret]", w.keyID)
			newKey := fmt.Sprintf("[KeyIdentifier=%s,KeyType=AsymmetricX509Cert,KeyUsage=Verify,DisplayName=CN=%s]", w.newKey, w.name)
			a := Audit{Time: at, Category: "ApplicationManagement", Activity: "Update application – Certificates and secrets management ",
				OperationType: "Update", Service: svcCore, Details: []KeyValue{{"AppId", w.appID}, {"User-Agent", p.chrome}}}
			byUser(&a, 1, e.IPAddress)
			a.Targets = []AuditTarget{{Type: "Application", ID: t.ids.guid(keyAppObject, uint64(i)), DisplayName: w.name,
				Props: []ModifiedProperty{{"KeyDescription", jsonList(oldKey), jsonList(oldKey, newKey)}, included("KeyDescription")}}}
			plant(ScenarioBruteForce, a, false)
		}
	}

	// MFA fatigue: the approved push leads to a new account, made Global Administrator, and
	// excluded from the MFA policy.
	if e := g.lastEvent(ScenarioMFAFatigue); e != nil {
		at := e.Created
		admin := AuditTarget{Type: "User", ID: t.ids.guid(keyObject, objNewAdmin), UPN: "svc-backup-admin@" + domain}
		a := Audit{Time: at.Add(8*time.Minute + p.jitter(time.Minute)), Category: "UserManagement", Activity: "Add user", OperationType: "Add", Service: svcCore}
		byUser(&a, 3, e.IPAddress)
		created := admin
		created.Props = []ModifiedProperty{{"AccountEnabled", "", "[true]"}, {"DisplayName", "", jsonList("Backup Service Admin")},
			{"UserPrincipalName", "", jsonList(admin.UPN)}, included("AccountEnabled", "DisplayName", "UserPrincipalName")}
		a.Targets = []AuditTarget{created}
		plant(ScenarioMFAFatigue, a, false)

		b := Audit{Time: at.Add(14*time.Minute + p.jitter(time.Minute)), Category: "RoleManagement", Activity: "Add member to role", OperationType: "Assign", Service: svcCore}
		byUser(&b, 3, e.IPAddress)
		role := admin
		role.Props = []ModifiedProperty{{"Role.ObjectID", "", jsonList(t.ids.guid(keyObject, objGlobalAdminRole))}, {"Role.DisplayName", "", jsonList("Global Administrator")},
			{"Role.TemplateId", "", jsonList("62e90394-69f5-4237-9190-012177145e10")}, {"Role.WellKnownObjectName", "", jsonList("TenantAdmins")}}
		b.Targets = []AuditTarget{role}
		plant(ScenarioMFAFatigue, b, false)

		c := Audit{Time: at.Add(21*time.Minute + p.jitter(time.Minute)), Category: "Policy", Activity: "Update conditional access policy", OperationType: "Update", Service: svcCA}
		byUser(&c, 3, e.IPAddress)
		pid, name := t.policyIDs[caMFA], policyDefs[caMFA].name
		policy := func(exclude string) string {
			return `{"id":"` + pid + `","displayName":"` + name + `","createdDateTime":"2024-02-12T09:41:07.2249541+00:00","state":"enabled","conditions":{"applications":{"includeApplications":["All"],"excludeApplications":[]},"users":{"includeUsers":["All"],"excludeUsers":[` + exclude + `],"includeGroups":[],"excludeGroups":[]},"clientAppTypes":["all"]},"grantControls":{"operator":"OR","builtInControls":["mfa"]}}`
		}
		c.Targets = []AuditTarget{{Type: "Policy", ID: pid, DisplayName: name,
			Props: []ModifiedProperty{{"ConditionalAccessPolicy", policy(`"` + t.users[t.breakGlass].id + `"`), policy(`"` + t.users[t.breakGlass].id + `","` + admin.ID + `"`)}}}}
		plant(ScenarioMFAFatigue, c, false)
	}

	// Device-code phishing: the broker's token registers a device from the attacker's address.
	if dcVictim >= 0 {
		devID := t.ids.guid(keyObject, objPhishDevice)
		dev := AuditTarget{Type: "Device", ID: devID, DisplayName: "DESKTOP-7Q2M4KX"}
		at := dcAt.Add(20*time.Minute + p.jitter(time.Minute))
		a := Audit{Time: at, Category: "Device", Activity: "Add device", OperationType: "Add", Service: svcCore,
			InitAppID: initDRS.id, InitSPID: t.ids.guid(keyObject, 1<<32), InitName: initDRS.name}
		added := dev
		added.Props = []ModifiedProperty{{"AccountEnabled", "", "[true]"}, {"DeviceOSType", "", jsonList("Windows")}, {"DeviceTrustType", "", jsonList("Workplace")},
			{"DisplayName", "", jsonList(dev.DisplayName)}, included("AccountEnabled", "DeviceOSType", "DeviceTrustType", "DisplayName")}
		a.Targets = []AuditTarget{added}
		plant(ScenarioDeviceCodePhishing, a, false)
		b := Audit{Time: at.Add(time.Second), Category: "Device", Activity: "Register device", OperationType: "Add", Service: svcDRS,
			ResultReason: "Successfully registered device", Targets: []AuditTarget{dev},
			Details: []KeyValue{{"Device Id", devID}, {"Device OS", "Windows 10.0.19045"}, {"Device Trust Type", "Workplace"}, {"Device Profile", "RegisteredDevice"}}}
		byUser(&b, dcVictim, netDCPhish.ip)
		plant(ScenarioDeviceCodePhishing, b, true)
		c := Audit{Time: at.Add(2 * time.Second), Category: "Device", Activity: "Add registered owner to device", OperationType: "Assign", Service: svcCore,
			InitAppID: initDRS.id, InitSPID: t.ids.guid(keyObject, 1<<32), InitName: initDRS.name}
		owner := dev
		owner.Props = []ModifiedProperty{{"Device.ObjectID", "", jsonList(devID)}, {"Device.DisplayName", "", jsonList(dev.DisplayName)}}
		c.Targets = []AuditTarget{owner, t.userTarget(dcVictim)}
		plant(ScenarioDeviceCodePhishing, c, true)
	}

	// AiTM: from the replay address, the intruder consents to a mail-reading application.
	if e := g.lastEvent(ScenarioAiTMReplay); e != nil {
		var ui int
		for i := range t.users {
			if t.users[i].upn == e.UserPrincipalName {
				ui = i
			}
		}
		appID := t.ids.guid(keyObject, objConsentApp)
		sp := AuditTarget{Type: "ServicePrincipal", ID: t.ids.guid(keyObject, objConsentSP), DisplayName: "Mail Backup Pro"}
		scopes := "Mail.Read Mail.Send offline_access User.Read"
		at := e.Created.Add(6*time.Minute + p.jitter(time.Minute))
		a := Audit{Time: at, Category: "ApplicationManagement", Activity: "Add delegated permission grant", OperationType: "Assign", Service: svcCore}
		byUser(&a, ui, e.IPAddress)
		grant := AuditTarget{Type: "ServicePrincipal", ID: t.resSPIDs[resGraph], DisplayName: "Microsoft Graph",
			Props: []ModifiedProperty{{"DelegatedPermissionGrant.Scope", "", `"` + scopes + `"`}, {"DelegatedPermissionGrant.ConsentType", "", `"Principal"`},
				{"ServicePrincipal.ObjectID", "", `"` + sp.ID + `"`}}}
		a.Targets = []AuditTarget{grant}
		plant(ScenarioAiTMReplay, a, false)
		b := Audit{Time: at.Add(time.Second), Category: "ApplicationManagement", Activity: "Consent to application", OperationType: "Assign", Service: svcCore}
		byUser(&b, ui, e.IPAddress)
		consent := sp
		consent.Props = []ModifiedProperty{{"ConsentContext.IsAdminConsent", "", `"False"`}, {"ConsentContext.IsAppOnly", "", `"False"`},
			{"ConsentContext.OnBehalfOfAll", "", `"False"`},
			{"ConsentAction.Permissions", "", `"[] => [[Id: ` + t.ids.hex(keyObject, objConsentApp, 43, false) + `, ClientId: ` + sp.ID + `, PrincipalId: ` + t.users[ui].id + `, ResourceId: ` + t.resSPIDs[resGraph] + `, ConsentType: Principal, Scope: ` + scopes + `, CreatedDateTime: , LastModifiedDateTime ]]; "`},
			{"TargetId.ServicePrincipalNames", "", `"` + appID + `"`}}
		b.Targets = []AuditTarget{consent}
		b.Details = []KeyValue{{"User-Agent", p.chrome}, {"AppId", appID}}
		plant(ScenarioAiTMReplay, b, true)
	}
}
