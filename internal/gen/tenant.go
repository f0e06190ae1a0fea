package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// tenant is the directory the events come from: users with their devices and networks,
// service principals, managed identities and Conditional Access policies. It is built once
// per Config from its own random stream.
type tenant struct {
	cfg       Config
	ids       ids
	id        string
	workspace string
	users     []user
	bgUsers   []int // users that sign in as background traffic
	sps       []workload
	mis       []workload
	spWeights []float64
	miWeights []float64
	policyIDs [numPolicies]string
	resSPIDs  [numResources]string
	guestTIDs []string
	subID     string

	// Named actors (indexes into users); -1 when the tenant is too small to have them.
	breakGlass, scanner, disabled int
	ropcUser                      int // the first-ropc scenario's user, -1 without scenarios
}

type user struct {
	id, upn, display string
	guest            bool
	homeTenant       string
	homeTenantName   string
	place            int
	office           int // index into offices, -1 for remote workers and guests
	homeIP           string
	homeASN          int
	mobileASN        int
	mobileIPs        [3]string
	laptop, phone    device
	mfaMethod        string
	mfaDetail        string
	excludedFromCA   bool
}

type device struct {
	platform           string // windows, mac, linux, ios, android
	id, name           string // "" when the device is not registered
	trust              string
	compliant, managed bool
	browser            int // index into browsersByPlatform[platform]
}

// workload is a service principal or managed identity.
type workload struct {
	name, appID, spID string
	credType          string
	keyID, thumbprint string
	fedID             string
	// After switchAt (Unix seconds, 0 = never) the service principal uses these credentials.
	switchAt                      int64
	newCredType, newKey, newThumb string
	resources                     []int
	place                         int
	ips                           []string
	asn                           int
	msiType, assoc                string
}

const domain = "contoso.com"

func newTenant(cfg Config) *tenant {
	t := &tenant{cfg: cfg, ids: newIDs(cfg.Seed), id: cfg.Tenant, breakGlass: -1, scanner: -1, disabled: -1, ropcUser: -1}
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x7e4a47))
	t.workspace = t.ids.guid(keyWorkspace, 0)
	t.subID = t.ids.guid(keySubscription, 0)
	for i := range t.policyIDs {
		t.policyIDs[i] = t.ids.guid(keyPolicy, uint64(i))
	}
	for i := range t.resSPIDs {
		t.resSPIDs[i] = t.ids.guid(keyResourceSP, uint64(i))
	}
	for i := range guestOrgs {
		t.guestTIDs = append(t.guestTIDs, t.ids.guid(keyGuestTenant, uint64(i)))
	}
	if cfg.Users >= MinScenarioUsers {
		t.breakGlass, t.scanner, t.disabled = 9, cfg.Users-2, cfg.Users-1
	}
	t.buildUsers(r)
	t.buildWorkloads(r)
	return t
}

func pickWeighted[T any](r *rand.Rand, items []T, weight func(T) float64) int {
	var total float64
	for _, it := range items {
		total += weight(it)
	}
	x := r.Float64() * total
	for i, it := range items {
		x -= weight(it)
		if x < 0 {
			return i
		}
	}
	return len(items) - 1
}

func fold(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if f, ok := asciiFold[c]; ok {
			b.WriteString(strings.ToLower(f))
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func (t *tenant) buildUsers(r *rand.Rand) {
	n := t.cfg.Users
	t.users = make([]user, n)
	seen := make(map[string]int, n)
	for i := range t.users {
		u := &t.users[i]
		u.id = t.ids.guid(keyUser, uint64(i))
		first := firstNames[r.IntN(len(firstNames))]
		last := lastNames[r.IntN(len(lastNames))]
		u.display = first + " " + last
		local := fold(first) + "." + fold(last)
		if k := seen[local]; k > 0 {
			seen[local] = k + 1
			local = fmt.Sprintf("%s%d", local, k+1)
		} else {
			seen[local] = 1
		}
		// Roles that scenarios rely on get fixed homes.
		u.guest = i > 10 && r.IntN(100) < 8 && i != t.scanner && i != t.disabled
		u.office = -1
		switch {
		case i == 2: // the impossible-travel actor lives in Amsterdam
			u.place = plAmsterdam
		case i == 10: // the new-country actor lives in Chicago
			u.place = plChicago
		case u.guest:
			org := r.IntN(len(guestOrgs))
			u.place = guestOrgs[org].place
			u.homeTenant, u.homeTenantName = t.guestTIDs[org], guestOrgs[org].name
			u.upn = local + "_" + guestOrgs[org].domain + "#EXT#@contoso.onmicrosoft.com"
		default:
			u.place = homePlaces[pickWeighted(r, homePlaces, func(h struct {
				place  int
				weight float64
			}) float64 {
				return h.weight
			})].place
		}
		if !u.guest {
			u.homeTenant, u.homeTenantName = t.id, "Contoso"
			u.upn = local + "@" + domain
			for o, of := range offices {
				if of.place == u.place && r.IntN(100) < 75 {
					u.office = o
				}
			}
		}
		switch i {
		case t.breakGlass:
			u.display, u.upn, u.office, u.place = "Emergency Access Admin", "breakglass-admin@contoso.onmicrosoft.com", 0, plSeattle
			u.excludedFromCA = true
		case t.scanner:
			u.display, u.upn, u.office, u.place = "Scan to Email", "scanner@"+domain, 0, plSeattle
			u.excludedFromCA = true
		}
		nets := countryNets[places[u.place].country]
		u.homeASN = nets.fixed[r.IntN(len(nets.fixed))]
		u.mobileASN = nets.mobile
		if i < 130_000 {
			k := i + 1
			u.homeIP = fmt.Sprintf("198.%d.%d.%d", 18+k>>16, (k>>8)&255, k&255)
		} else {
			u.homeIP = fmt.Sprintf("2001:db8:%x:%x::1", 0x100+u.place, i)
		}
		for d := range u.mobileIPs {
			u.mobileIPs[d] = fmt.Sprintf("2001:db8:%x:%x::%x", u.mobileASN, i, d+1)
		}
		u.laptop = t.newLaptop(r, i, u)
		u.phone = t.newPhone(r, i)
		switch x := r.IntN(100); {
		case x < 75:
			u.mfaMethod = "Mobile app notification"
		case x < 87:
			u.mfaMethod = "OATH verification code"
		default:
			u.mfaMethod, u.mfaDetail = "Text message", fmt.Sprintf("+X XXXXXXXX%02d", r.IntN(100))
		}
	}
	for i := range t.users {
		if i != t.breakGlass && i != t.disabled && i != t.scanner {
			t.bgUsers = append(t.bgUsers, i)
		}
	}
}

func (t *tenant) newLaptop(r *rand.Rand, i int, u *user) device {
	d := device{}
	switch x := r.IntN(100); {
	case x < 75:
		d.platform = "windows"
	case x < 95:
		d.platform = "mac"
	default:
		d.platform = "linux"
	}
	switch d.platform {
	case "windows":
		d.id = t.ids.guid(keyDevice, uint64(2*i))
		d.name = fmt.Sprintf("CONTOSO-LT-%04d", i+1)
		d.trust = "Azure AD joined"
		if r.IntN(100) < 40 {
			d.trust = "Hybrid Azure AD joined"
		}
		d.managed, d.compliant = true, r.IntN(100) >= 5
		d.browser = [4]int{0, 0, 1, 2}[r.IntN(4)]
		if r.IntN(100) < 5 {
			d.browser = 3
		}
	case "mac":
		d.id = t.ids.guid(keyDevice, uint64(2*i))
		d.name = strings.SplitN(u.display, " ", 2)[0] + "'s MacBook Pro"
		d.trust = "Azure AD registered"
		d.managed, d.compliant = true, r.IntN(100) >= 10
		d.browser = r.IntN(3)
	default:
		d.browser = r.IntN(2)
	}
	return d
}

func (t *tenant) newPhone(r *rand.Rand, i int) device {
	d := device{platform: "ios"}
	if r.IntN(100) < 40 {
		d.platform = "android"
	}
	if r.IntN(100) < 70 {
		d.id = t.ids.guid(keyDevice, uint64(2*i+1))
		if d.platform == "ios" {
			d.name = "iPhone"
		} else {
			d.name = "Pixel 8"
		}
		d.trust = "Azure AD registered"
		d.managed, d.compliant = true, r.IntN(100) >= 15
	}
	return d
}

// The service principal that changes credentials in the sp-credential-switch scenario.
const switchingSP = "contoso-hr-sync"

// The managed identity that reaches a new resource in the mi-new-resource scenario.
const wanderingMI = "func-invoice-processor"

func (t *tenant) buildWorkloads(r *rand.Rand) {
	azure := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("198.51.100.%d", 20+len(t.sps)*4+i)
		}
		return out
	}
	type spDef struct {
		name, cred string
		res        []int
		place      int
		onPrem     bool
		weight     float64
	}
	defs := []spDef{
		{switchingSP, "clientSecret", []int{resGraph}, plBoydton, false, 10},
		{"terraform-prod-deployer", "clientSecret", []int{resARM}, plBoydton, false, 8},
		{"github-actions-ci", "federatedIdentityCredential", []int{resARM, resKeyVault}, plBoydton, false, 12},
		{"Veeam Backup for Microsoft 365", "certificate", []int{resEXO, resSPO, resGraph}, plSeattle, true, 20},
		{"ServiceNow Connector", "clientSecret", []int{resGraph}, plDublin, false, 6},
		{"PowerBI Gateway Sync", "certificate", []int{resARM, resSQL}, plDublin, false, 5},
		{"mail-notifier", "clientSecret", []int{resGraph, resEXO}, plDublin, false, 4},
		{"Sentinel Logic App Connector", "certificate", []int{resGraph}, plBoydton, false, 3},
	}
	for i := 0; i < t.cfg.Users/500; i++ {
		defs = append(defs, spDef{fmt.Sprintf("app-integration-%02d", i+1), []string{"clientSecret", "certificate"}[i%2],
			[]int{[]int{resGraph, resARM, resKeyVault}[i%3]}, []int{plBoydton, plDublin}[i%2], false, 2})
	}
	for i, d := range defs {
		w := workload{name: d.name, credType: d.cred, resources: d.res, place: d.place}
		w.appID = t.ids.guid(keyApp, uint64(i))
		w.spID = t.ids.guid(keySP, uint64(i))
		switch d.cred {
		case "federatedIdentityCredential":
			w.fedID = t.ids.guid(keyFederated, uint64(i))
		default:
			w.keyID = t.ids.guid(keyCredential, uint64(2*i))
		}
		if d.cred == "certificate" {
			w.thumbprint = t.ids.hex(keyCredential, uint64(2*i), 40, true)
		}
		if d.onPrem {
			w.ips, w.asn = []string{offices[0].ip}, offices[0].asn
		} else {
			w.ips, w.asn = azure(1+r.IntN(3)), 8075
		}
		if d.name == switchingSP {
			w.switchAt = t.spSwitchTime().Unix()
			w.newCredType = "certificate"
			w.newKey = t.ids.guid(keyCredential, uint64(2*i+1))
			w.newThumb = t.ids.hex(keyCredential, uint64(2*i+1), 40, true)
		}
		t.sps = append(t.sps, w)
		t.spWeights = append(t.spWeights, d.weight)
	}

	type miDef struct {
		name, typ, provider, rg string
		res                     []int
		weight                  float64
	}
	mis := []miDef{
		{wanderingMI, "systemAssigned", "Microsoft.Web/sites", "rg-finance-prod", []int{resKeyVault, resStorage}, 10},
		{"id-aks-workload", "userAssigned", "Microsoft.ManagedIdentity/userAssignedIdentities", "rg-identity", []int{resKeyVault, resARM}, 14},
		{"vm-build-agent-01", "systemAssigned", "Microsoft.Compute/virtualMachines", "rg-devops", []int{resStorage, resARM}, 6},
		{"logic-hr-onboarding", "systemAssigned", "Microsoft.Logic/workflows", "rg-hr-automation", []int{resGraph}, 4},
		{"adf-contoso-etl", "systemAssigned", "Microsoft.DataFactory/factories", "rg-data", []int{resSQL, resStorage}, 8},
		{"id-automation-runbooks", "userAssigned", "Microsoft.ManagedIdentity/userAssignedIdentities", "rg-identity", []int{resARM, resGraph}, 3},
	}
	for i, d := range mis {
		n := len(defs) + i
		w := workload{name: d.name, credType: "managedIdentity", resources: d.res, msiType: d.typ}
		w.appID = t.ids.guid(keyApp, uint64(n))
		w.spID = t.ids.guid(keySP, uint64(n))
		w.assoc = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/%s/%s", t.subID, d.rg, d.provider, d.name)
		t.mis = append(t.mis, w)
		t.miWeights = append(t.miWeights, d.weight)
	}
}
