package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// arrivals draws n sorted times over the period from the hourly activity profile, one at a
// time (the sequential method for order statistics, as the sign-ins' background stream).
type arrivals struct {
	start   time.Time
	cum     []float64
	r       *rand.Rand
	n, done int
	u       float64
	slot    int
}

func newArrivals(g *generator, n int, stream uint64) *arrivals {
	return &arrivals{start: g.cfg.Start, cum: g.cum, r: rand.New(rand.NewPCG(uint64(g.cfg.Seed), stream)), n: max(n, 0)}
}

func (a *arrivals) more() bool { return a.done < a.n }

func (a *arrivals) next() time.Time {
	m := a.n - a.done
	a.done++
	v := 1 - a.r.Float64()
	a.u += (1 - a.u) * -math.Expm1(math.Log(v)/float64(m))
	if a.u >= 1 {
		a.u = math.Nextafter(1, 0)
	}
	last := len(a.cum) - 2
	for a.slot < last && a.cum[a.slot+1] <= a.u {
		a.slot++
	}
	frac := (a.u - a.cum[a.slot]) / (a.cum[a.slot+1] - a.cum[a.slot])
	frac = min(max(frac, 0), 0.9999999999)
	off := int64(a.slot)*hour100ns + int64(frac*hour100ns)
	return a.start.Add(time.Duration(off) * 100)
}

// runAudits streams the background audit events merged with the planted ones.
func (g *generator) runAudits(fn func(*Audit) error) error {
	arr := newArrivals(g, g.cfg.Audits, 0xa0d17)
	bg := &auditBuilder{g: g, r: arr.r, admins: g.admins()}
	var cur Audit
	have := false
	pi := 0
	for seq := 0; ; seq++ {
		if !have && arr.more() {
			bg.build(&cur, arr.next())
			have = true
		}
		var a *Audit
		switch {
		case have && (pi >= len(g.auditScen) || !g.auditScen[pi].Time.Before(cur.Time)):
			a, have = &cur, false
		case pi < len(g.auditScen):
			a = &g.auditScen[pi]
			pi++
		default:
			return nil
		}
		g.stampAudit(a, seq)
		if err := fn(a); err != nil {
			return err
		}
	}
}

// stampAudit gives a its position-dependent identifiers.
func (g *generator) stampAudit(a *Audit, seq int) {
	d := g.t.ids
	a.Seq = seq
	if a.CorrelationID == "" {
		a.CorrelationID = d.guid(keyAuditCorrelation, uint64(seq))
	}
	prefix := "Directory"
	if a.Service == svcDRS {
		prefix = svcDRS
	}
	x, y := d.words(keyAuditID, uint64(seq))
	var letters [5]byte
	for i := range letters {
		letters[i] = byte('A' + (x>>(8*i))%26)
	}
	a.ID = fmt.Sprintf("%s_%s_%s_%d", prefix, a.CorrelationID, letters[:], y%900_000_000+10_000_000)
}

// Services that log audit events.
const (
	svcCore     = "Core Directory"
	svcAuthM    = "Authentication Methods"
	svcSSPR     = "Self-service Password Management"
	svcCA       = "Conditional Access"
	svcDRS      = "Device Registration Service"
	svcProvSync = "Account Provisioning"
)

// groups of the tenant: display names; ids are keyGroup guids by index.
var groupNames = []string{"All Staff", "Finance", "Engineering", "Sales EMEA", "VPN Users", "SG-ServiceNow-Users", "Project Falcon", "M365 Licensing - E5"}

// Microsoft's first-party apps that initiate audit events.
var (
	initMFA = app{"981f26a1-7f43-403b-a875-f8b09b8cd720", "Azure MFA StrongAuthenticationService"}
	initDRS = app{"01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Service"}
)

type auditBuilder struct {
	g      *generator
	r      *rand.Rand
	admins []int
}

// admins returns the users who administer the tenant: user 0 and the first member from the
// middle of the directory on who no scenario acts, so that an intruder's account is not also
// an administrator at work.
func (g *generator) admins() []int {
	t := g.t
	actors := map[string]bool{}
	for i := range g.scen {
		actors[g.scen[i].UserID] = true
	}
	out := []int{0}
	for i := len(t.users) / 2; i < len(t.users); i++ {
		u := &t.users[i]
		if !u.guest && !actors[u.id] && i != t.scanner && i != t.disabled && i != t.breakGlass {
			return append(out, i)
		}
	}
	return out
}

func (t *tenant) groupTarget(i int) AuditTarget {
	return AuditTarget{Type: "Group", ID: t.ids.guid(keyGroup, uint64(i)), DisplayName: groupNames[i], GroupType: "unifiedGroups"}
}

func (t *tenant) userTarget(ui int) AuditTarget {
	u := &t.users[ui]
	return AuditTarget{Type: "User", ID: u.id, UPN: u.upn}
}

// jsonList renders values as the JSON text of a string array, as modifiedProperties do.
func jsonList(vs ...string) string {
	b := []byte{'['}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, v)
	}
	return string(append(b, ']'))
}

func included(names ...string) ModifiedProperty {
	b := []byte{'"'}
	for i, n := range names {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		b = append(b, n...)
	}
	b = append(b, '"')
	s := string(appendJSONEscaped(nil, b))
	return ModifiedProperty{Name: "Included Updated Properties", New: s[1 : len(s)-1]}
}

var (
	jobTitles   = []string{"Analyst", "Senior Analyst", "Engineer", "Senior Engineer", "Account Manager", "Team Lead", "Consultant"}
	departments = []string{"Finance", "Engineering", "Sales", "Marketing", "Operations", "Human Resources"}
	methods     = []struct{ reason, prop string }{
		{"User registered Authenticator App with Notification and Code", "StrongAuthenticationPhoneAppDetail"},
		{"User registered Mobile Phone SMS", "StrongAuthenticationUserDetails"},
		{"User registered Authenticator App with Code", "StrongAuthenticationPhoneAppDetail"},
	}
)

// build fills a with one background audit event at `at`.
func (b *auditBuilder) build(a *Audit, at time.Time) {
	g, t, r := b.g, b.g.t, b.r
	*a = Audit{Time: at, Result: "success", Targets: a.Targets[:0], Details: a.Details[:0]}
	a.Ingested = at.Add(time.Duration(30+r.IntN(600))*time.Second + time.Duration(r.IntN(10_000_000))*100)
	admin := b.admins[r.IntN(len(b.admins))]
	// The subject is drawn as the sign-ins draw their users, so active users are changed most
	// and act from networks they also sign in from.
	ui := t.bgUsers[int(float64(len(t.bgUsers))*math.Pow(r.Float64(), 1.5))]
	byUser := func(ui int) {
		u := &t.users[ui]
		a.InitUserID, a.InitUPN = u.id, u.upn
		a.InitIP = g.userNetwork(u, &u.laptop, at).ip
	}
	byApp := func(appID, spID, name string) { a.InitAppID, a.InitSPID, a.InitName = appID, spID, name }
	hrSync := &t.sps[0]
	switch x := r.IntN(100); {
	case x < 25: // HR-driven attribute changes
		a.Category, a.Activity, a.OperationType, a.Service = "UserManagement", "Update user", "Update", svcCore
		if r.IntN(3) == 0 {
			byUser(admin)
		} else {
			byApp(hrSync.appID, hrSync.spID, hrSync.name)
		}
		tg := t.userTarget(ui)
		if r.IntN(2) == 0 {
			o, n := pickTwo(r, jobTitles)
			tg.Props = append(tg.Props, ModifiedProperty{"JobTitle", jsonList(o), jsonList(n)}, included("JobTitle"))
		} else {
			o, n := pickTwo(r, departments)
			tg.Props = append(tg.Props, ModifiedProperty{"Department", jsonList(o), jsonList(n)}, included("Department"))
		}
		a.Targets = append(a.Targets, tg)
		a.Details = append(a.Details, KeyValue{"UserType", "Member"})
	case x < 40, x < 45:
		a.Category, a.Service = "GroupManagement", svcCore
		a.Activity, a.OperationType = "Add member to group", "Assign"
		if x >= 40 {
			a.Activity, a.OperationType = "Remove member from group", "Unassign"
		}
		byUser(admin)
		gi := r.IntN(len(groupNames))
		gt := t.groupTarget(gi)
		tg := t.userTarget(ui)
		old, nw := "", jsonList(gt.ID)
		oldName, newName := "", jsonList(gt.DisplayName)
		if x >= 40 {
			old, nw, oldName, newName = nw, "", newName, ""
		}
		tg.Props = append(tg.Props, ModifiedProperty{"Group.ObjectID", old, nw}, ModifiedProperty{"Group.DisplayName", oldName, newName})
		gt.Props = nil
		a.Targets = append(a.Targets, tg, gt)
	case x < 53: // security info registered by the user, from where the user is
		m := methods[r.IntN(len(methods))]
		a.Category, a.Activity, a.OperationType, a.Service = "UserManagement", "User registered security info", "Add", svcAuthM
		a.ResultReason = m.reason
		byUser(ui)
		a.Targets = append(a.Targets, t.userTarget(ui))
	case x < 57:
		a.Category, a.Activity, a.OperationType, a.Service = "UserManagement", "Reset password (self-service)", "Update", svcSSPR
		a.ResultReason = "Successfully completed reset."
		byUser(ui)
		a.Targets = append(a.Targets, t.userTarget(ui))
	case x < 61:
		a.Category, a.Activity, a.OperationType, a.Service = "UserManagement", "Reset user password", "Update", svcCore
		byUser(admin)
		a.Targets = append(a.Targets, t.userTarget(ui))
	case x < 64:
		a.Category, a.Activity, a.OperationType, a.Service = "UserManagement", "Change user password", "Update", svcCore
		byUser(ui)
		a.Targets = append(a.Targets, t.userTarget(ui))
	case x < 68:
		w := &t.sps[r.IntN(len(t.sps))]
		a.Category, a.Activity, a.OperationType, a.Service = "ApplicationManagement", "Update application", "Update", svcCore
		byUser(admin)
		a.Targets = append(a.Targets, AuditTarget{Type: "Application", ID: t.ids.guid(keyAppObject, uint64(r.IntN(len(t.sps)))), DisplayName: w.name,
			Props: []ModifiedProperty{{"AppAddress", `[{"AddressType":0,"Address":"https://` + w.appID[:8] + `.contoso.com/signin-oidc","ReplyAddressClientType":1,"ReplyAddressIndex":null,"IsReplyAddressDefault":false}]`, `[{"AddressType":0,"Address":"https://` + w.appID[:8] + `.contoso.com/auth/callback","ReplyAddressClientType":1,"ReplyAddressIndex":null,"IsReplyAddressDefault":false}]`}, included("AppAddress")}})
		a.Details = append(a.Details, KeyValue{"AppId", w.appID})
	case x < 78:
		u := &t.users[ui]
		a.Category, a.Activity, a.OperationType, a.Service = "Device", "Update device", "Update", svcCore
		byApp(initDRS.id, t.ids.guid(keyObject, 1<<32), initDRS.name)
		dev := u.laptop
		if dev.id == "" || r.IntN(3) == 0 {
			dev = u.phone
		}
		if dev.id == "" {
			dev = device{id: t.ids.guid(keyDevice, uint64(2*ui)), name: fmt.Sprintf("CONTOSO-LT-%04d", ui+1), platform: "windows"}
		}
		a.Targets = append(a.Targets, AuditTarget{Type: "Device", ID: dev.id, DisplayName: dev.name,
			Props: []ModifiedProperty{{"ApproximateLastLogonTimestamp", `["` + at.Add(-72*time.Hour).Format("2006-01-02T15:04:05Z") + `"]`, `["` + at.Format("2006-01-02T15:04:05Z") + `"]`}, included("ApproximateLastLogonTimestamp")}})
		a.Details = append(a.Details, KeyValue{"DeviceId", dev.id}, KeyValue{"DeviceOSType", osName(dev.platform)})
	case x < 83:
		a.Category, a.Activity, a.OperationType, a.Service = "GroupManagement", "Update group", "Update", svcCore
		byUser(admin)
		gt := t.groupTarget(r.IntN(len(groupNames)))
		gt.Props = []ModifiedProperty{{"Description", jsonList("Members of " + gt.DisplayName), jsonList(gt.DisplayName + " (owned by IT)")}, included("Description")}
		a.Targets = append(a.Targets, gt)
	case x < 92:
		a.Category, a.Activity, a.OperationType, a.Service = "ApplicationManagement", "Add app role assignment grant to user", "Assign", svcCore
		byUser(admin)
		a.Targets = append(a.Targets, AuditTarget{Type: "ServicePrincipal", ID: t.serviceNowSP(), DisplayName: "ServiceNow",
			Props: []ModifiedProperty{{"AppRole.Id", "", jsonList("00000000-0000-0000-0000-000000000000")}, {"User.UPN", "", jsonList(t.users[ui].upn)}}},
			t.userTarget(ui))
	case x < 96:
		a.Category, a.Activity, a.OperationType, a.Service = "UserManagement", "Add user", "Add", svcCore
		byApp(hrSync.appID, hrSync.spID, hrSync.name)
		n := uint64(at.UnixNano())
		tg := AuditTarget{Type: "User", ID: t.ids.guid(keyObject, n), UPN: fmt.Sprintf("new.hire%04d@%s", n%10_000, domain)}
		tg.Props = []ModifiedProperty{{"AccountEnabled", "", "[true]"}, {"UserType", "", jsonList("Member")}, included("AccountEnabled", "UserType")}
		a.Targets = append(a.Targets, tg)
	default:
		a.Category, a.Activity, a.OperationType, a.Service = "UserManagement", "Disable account", "Update", svcCore
		a.Result, a.ResultReason = "failure", "Insufficient privileges to complete the operation."
		byUser(ui)
		a.Targets = append(a.Targets, t.userTarget(t.bgUsers[r.IntN(len(t.bgUsers))]))
	}
}

func osName(platform string) string {
	switch platform {
	case "mac":
		return "MacOS"
	case "ios":
		return "iOS"
	case "android":
		return "Android"
	case "linux":
		return "Linux"
	}
	return "Windows"
}

// serviceNowSP returns the object id of the ServiceNow gallery application's service
// principal (the provisioning job's).
func (t *tenant) serviceNowSP() string { return t.ids.guid(keyObject, 1<<33) }

// sortAudits orders planted audit events by time, keeping the build order for equal times.
func sortAudits(a []Audit) {
	sort.SliceStable(a, func(i, j int) bool { return a[i].Time.Before(a[j].Time) })
}

// pickTwo returns two different values of list.
func pickTwo(r *rand.Rand, list []string) (string, string) {
	i := r.IntN(len(list))
	return list[i], list[(i+1+r.IntN(len(list)-1))%len(list)]
}
