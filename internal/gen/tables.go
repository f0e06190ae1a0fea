package gen

// Static reference data: Microsoft first-party applications and resources with their
// well-known application ids, places, networks, devices and user agents.

// microsoftTenant owns Microsoft's first-party applications (appOwnerTenantId).
const microsoftTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

type app struct{ id, name string }

var (
	appTeams         = app{"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"}
	appTeamsWeb      = app{"5e3ce6c0-2b1f-4285-8d4b-75ee78787346", "Microsoft Teams Web Client"}
	appOfficeHome    = app{"4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"}
	appOffice        = app{"d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"}
	appOWA           = app{"9199bf20-a13f-4107-85dc-02114787ef48", "One Outlook Web"}
	appOutlookMobile = app{"27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile"}
	appBroker        = app{"29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker"}
	appPortal        = app{"c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"}
	appGraphPS       = app{"14d82eec-204b-4c2f-b7e8-296a70dab67e", "Microsoft Graph PowerShell"}
	appAzCLI         = app{"04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI"}
	appAzPS          = app{"1950a258-227b-4e31-a9cf-717495945fc2", "Microsoft Azure PowerShell"}
	appSPOWeb        = app{"08e18876-6177-487e-b8b5-cf950c1e598c", "SharePoint Online Web Client Extensibility"}
	appOneDrive      = app{"ab9b8c07-8f02-4f72-87fa-80105867a763", "OneDrive SyncEngine"}
	appEdge          = app{"ecd6b820-32c2-49b6-98a6-444530e5a77a", "Microsoft Edge"}
	appWinSignIn     = app{"38aa3b87-a06d-4817-b275-7a316988d93b", "Windows Sign In"}
	appEXO           = app{"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"}
	appCompanyPortal = app{"9ba1a5c7-f17a-4de9-a1f1-6178c8d51223", "Microsoft Intune Company Portal"}
	appVSCode        = app{"aebc6443-996d-45c2-90f0-388ff96faa56", "Visual Studio Code"}
)

// Resources, indexed by the res* constants.
const (
	resGraph = iota
	resEXO
	resSPO
	resARM
	resTeams
	resAAD
	resKeyVault
	resStorage
	resSQL
	resIntune
	resDRS
	numResources
)

var resources = [numResources]app{
	resGraph:    {"00000003-0000-0000-c000-000000000000", "Microsoft Graph"},
	resEXO:      {"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"},
	resSPO:      {"00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"},
	resARM:      {"797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"},
	resTeams:    {"cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Microsoft Teams Services"},
	resAAD:      {"00000002-0000-0000-c000-000000000000", "Windows Azure Active Directory"},
	resKeyVault: {"cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "Azure Key Vault"},
	resStorage:  {"e406a681-f3d4-42a8-90b6-c2b029497af1", "Azure Storage"},
	resSQL:      {"022907d3-0f1b-48f7-badc-1ba6abab6d66", "Azure SQL Database"},
	resIntune:   {"0000000a-0000-0000-c000-000000000000", "Microsoft Intune"},
	resDRS:      {"01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Service"},
}

// kind is how a client reaches Entra ID; it decides device, browser and user agent.
type kind uint8

const (
	kindBrowser  kind = iota
	kindDesktop       // rich client on the laptop
	kindMobile        // app on the phone
	kindCLI           // scripting tools on the laptop
	kindWinLogon      // Windows sign-in / PRT
	kindEAS           // Exchange ActiveSync native mail on the phone
	kindSMTP          // Authenticated SMTP from a device
	kindIMAP          // IMAP4 mail client
)

func (k kind) clientApp() string {
	switch k {
	case kindBrowser:
		return "Browser"
	case kindEAS:
		return "Exchange ActiveSync"
	case kindSMTP:
		return "Authenticated SMTP"
	case kindIMAP:
		return "IMAP4"
	default:
		return "Mobile Apps and Desktop clients"
	}
}

func (k kind) legacy() bool { return k == kindEAS || k == kindSMTP || k == kindIMAP }

// flow is one kind of user sign-in: a client app reaching a resource.
type flow struct {
	app    app
	res    int
	kind   kind
	wI, wN float64 // relative weights in the interactive and non-interactive logs
}

var flows = []flow{
	{appOfficeHome, resGraph, kindBrowser, 12, 3},
	{appOWA, resEXO, kindBrowser, 10, 5},
	{appTeams, resTeams, kindDesktop, 12, 18},
	{appTeams, resEXO, kindDesktop, 0, 5},
	{appTeams, resSPO, kindDesktop, 0, 4},
	{appTeamsWeb, resTeams, kindBrowser, 3, 1},
	{appOffice, resGraph, kindDesktop, 10, 10},
	{appOffice, resEXO, kindDesktop, 0, 4},
	{appOffice, resSPO, kindDesktop, 0, 4},
	{appPortal, resARM, kindBrowser, 5, 3},
	{appWinSignIn, resAAD, kindWinLogon, 10, 5},
	{appBroker, resGraph, kindMobile, 5, 6},
	{appOutlookMobile, resEXO, kindMobile, 6, 8},
	{appTeams, resTeams, kindMobile, 3, 4},
	{appSPOWeb, resSPO, kindBrowser, 4, 1},
	{appOneDrive, resSPO, kindDesktop, 1, 10},
	{appEdge, resGraph, kindDesktop, 3, 5},
	{appGraphPS, resGraph, kindCLI, 2, 1},
	{appAzCLI, resARM, kindCLI, 1.5, 1},
	{appAzPS, resARM, kindCLI, 1, 0.5},
	{appVSCode, resGraph, kindDesktop, 1, 1},
	{appCompanyPortal, resIntune, kindMobile, 1, 2},
	{appEXO, resEXO, kindEAS, 0.6, 0},
}

// place is a city as Entra ID geolocates it.
type place struct {
	city, state, country string
	lat, lon             float64
	tz                   int // UTC offset in hours (summer), to decide working hours
}

const (
	plSeattle = iota
	plNewYork
	plChicago
	plAustin
	plLondon
	plManchester
	plAmsterdam
	plUtrecht
	plMunich
	plBerlin
	plParis
	plToronto
	plZurich
	plBoydton
	plDublin
	plBucharest
	plHanoi
	plSydney
	plFrankfurt
	plSaoPaulo
	plLagos
	plLosAngeles
	plAshburn
	plNuremberg
	numPlaces
)

var places = [numPlaces]place{
	plSeattle:    {"Seattle", "Washington", "US", 47.6062, -122.3321, -7},
	plNewYork:    {"New York", "New York", "US", 40.7128, -74.006, -4},
	plChicago:    {"Chicago", "Illinois", "US", 41.8781, -87.6298, -5},
	plAustin:     {"Austin", "Texas", "US", 30.2672, -97.7431, -5},
	plLondon:     {"London", "England", "GB", 51.5072, -0.1276, 1},
	plManchester: {"Manchester", "England", "GB", 53.4808, -2.2426, 1},
	plAmsterdam:  {"Amsterdam", "Noord-Holland", "NL", 52.3676, 4.9041, 2},
	plUtrecht:    {"Utrecht", "Utrecht", "NL", 52.0907, 5.1214, 2},
	plMunich:     {"Munich", "Bayern", "DE", 48.1351, 11.582, 2},
	plBerlin:     {"Berlin", "Berlin", "DE", 52.52, 13.405, 2},
	plParis:      {"Paris", "Ile-de-France", "FR", 48.8566, 2.3522, 2},
	plToronto:    {"Toronto", "Ontario", "CA", 43.6532, -79.3832, -4},
	plZurich:     {"Zürich", "Zurich", "CH", 47.3769, 8.5417, 2},
	plBoydton:    {"Boydton", "Virginia", "US", 36.6676, -78.3875, -4},
	plDublin:     {"Dublin", "Dublin", "IE", 53.3498, -6.2603, 1},
	plBucharest:  {"Bucharest", "Bucuresti", "RO", 44.4268, 26.1025, 3},
	plHanoi:      {"Hanoi", "Hanoi", "VN", 21.0278, 105.8342, 7},
	plSydney:     {"Sydney", "New South Wales", "AU", -33.8688, 151.2093, 10},
	plFrankfurt:  {"Frankfurt am Main", "Hessen", "DE", 50.1109, 8.6821, 2},
	plSaoPaulo:   {"São Paulo", "Sao Paulo", "BR", -23.5505, -46.6333, -3},
	plLagos:      {"Lagos", "Lagos", "NG", 6.5244, 3.3792, 1},
	plLosAngeles: {"Los Angeles", "California", "US", 34.0522, -118.2437, -7},
	plAshburn:    {"Ashburn", "Virginia", "US", 39.0438, -77.4874, -4},
	plNuremberg:  {"Nuremberg", "Bayern", "DE", 49.4521, 11.0767, 2},
}

// homePlaces are where members live, with weights.
var homePlaces = []struct {
	place  int
	weight float64
}{
	{plSeattle, 18}, {plNewYork, 12}, {plChicago, 8}, {plAustin, 7},
	{plLondon, 15}, {plManchester, 5}, {plAmsterdam, 10}, {plUtrecht, 4},
	{plMunich, 12}, {plBerlin, 9},
}

// Consumer networks per country: fixed-line ASNs and a mobile ASN.
var countryNets = map[string]struct {
	fixed  []int
	mobile int
}{
	"US": {[]int{7922, 701, 7018}, 21928},
	"GB": {[]int{2856, 5089}, 25135},
	"NL": {[]int{1136, 33915}, 31615},
	"DE": {[]int{3320, 3209}, 6805},
	"FR": {[]int{3215}, 15557},
	"CA": {[]int{812}, 577},
	"CH": {[]int{3303}, 3303},
}

// office is a corporate site behind one NAT address.
type office struct {
	place int
	ip    string
	asn   int
}

var offices = []office{
	{plSeattle, "203.0.113.10", 3356},
	{plNewYork, "203.0.113.11", 3356},
	{plLondon, "203.0.113.12", 2856},
	{plAmsterdam, "203.0.113.13", 1136},
	{plMunich, "203.0.113.14", 3320},
}

const corporateNetwork = "Contoso corporate network"

// guestTenants are the partner organisations guests come from.
var guestOrgs = []struct {
	name, domain string
	place        int
}{
	{"Fabrikam", "fabrikam.com", plParis},
	{"Northwind Traders", "northwindtraders.com", plToronto},
	{"Tailspin Toys", "tailspintoys.com", plZurich},
}

var firstNames = []string{
	"Adele", "Alex", "Allan", "Bianca", "Carlos", "Chloé", "Christie", "Daniel", "Debra", "Diego",
	"Emily", "Enrico", "Fatima", "Grady", "Hannah", "Henrietta", "Isaiah", "Jana", "Johanna", "Joni",
	"José", "Kenji", "Lee", "Lidia", "Lynne", "Łukasz", "Megan", "Miriam", "Nestor", "Noah",
	"Olivia", "Patti", "Pradeep", "Priya", "Raul", "Sakura", "Samira", "Sofia", "Tomás", "Zoë",
}

var lastNames = []string{
	"Vance", "Wilber", "Deyoung", "Kowalski", "Gonzalez", "Dubois", "Cline", "Berg", "Bailey", "Ramos",
	"Braun", "Rossi", "Khan", "Archie", "Schmidt", "Cerrato", "Langer", "Novak", "Müller", "Sherman",
	"García", "Tanaka", "Gu", "Holloway", "Robbins", "Nowak", "Bowen", "Caldwell", "Wilke", "Jansen",
	"Smith", "Fernandez", "Gupta", "Iyer", "Castillo", "Sato", "Haddad", "Andersson", "Ferreira", "Byrne",
}

// asciiFold maps the accented letters used in names to ASCII for user principal names.
var asciiFold = map[rune]string{
	'é': "e", 'á': "a", 'ë': "e", 'ü': "ue", 'Ł': "L", 'ł': "l", 'í': "i", 'ó': "o", 'ç': "c",
}

// Browsers: the deviceDetail.browser text and the user agent, per platform.
type browserSpec struct{ field, ua string }

var browsersByPlatform = map[string][]browserSpec{
	"windows": {
		{"Edge 124.0.2478", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80"},
		{"Edge 125.0.2535", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.51"},
		{"Chrome 125.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"},
		{"Firefox 126.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0"},
	},
	"mac": {
		{"Safari 17.4", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15"},
		{"Chrome 125.0.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"},
		{"Edge 125.0.2535", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.51"},
	},
	"linux": {
		{"Firefox 126.0", "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"},
		{"Chrome 125.0.0", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"},
	},
	"ios": {
		{"Mobile Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"},
	},
	"android": {
		{"Chrome Mobile 125.0.6422", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.113 Mobile Safari/537.36"},
	},
}

// osField is deviceDetail.operatingSystem. Entra spells Windows differently for browsers and
// rich clients, which is kept.
func osField(platform string, k kind) string {
	switch platform {
	case "windows":
		if k == kindBrowser {
			return "Windows 10"
		}
		return "Windows10"
	case "mac":
		return "MacOs"
	case "linux":
		return "Linux"
	case "ios":
		return "Ios"
	default:
		return "Android"
	}
}

// richClient returns the browser text and user agent of a non-browser client.
func richClient(a app, k kind, platform string) (browser, ua string) {
	switch k {
	case kindWinLogon:
		return "", "Windows-AzureAD-Authentication-Provider/1.0"
	case kindEAS:
		if platform == "ios" {
			return "", "Apple-iPhone15C2/2104.261"
		}
		return "", "Android-Mail/2024.05.05.633012345.Release"
	case kindSMTP, kindIMAP:
		return "", "BAV2ROPC"
	case kindCLI:
		switch {
		case a == appAzCLI && platform == "mac":
			return "Rich Client 1.28.0", "AZURECLI/2.61.0 (HOMEBREW) azsdk-python-core/1.30.1 Python/3.11.9 (macOS-14.4.1-arm64-arm-64bit)"
		case a == appAzCLI:
			return "Rich Client 1.28.0", "AZURECLI/2.61.0 (MSI) azsdk-python-core/1.30.1 Python/3.11.8 (Windows-10-10.0.22631-SP0)"
		case platform == "mac":
			return "Rich Client 4.61.0.0", "Mozilla/5.0 (Macintosh; Darwin 23.4.0 Darwin Kernel Version 23.4.0; en-US) PowerShell/7.4.2"
		default:
			return "Rich Client 4.61.0.0", "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; en-US) PowerShell/7.4.2"
		}
	case kindMobile:
		ios := platform == "ios"
		switch a {
		case appOutlookMobile:
			if ios {
				return "Rich Client 1.3.1", "Outlook-iOS/2.0"
			}
			return "Rich Client 5.2.0", "Outlook-Android/2.0"
		case appCompanyPortal:
			if ios {
				return "Rich Client 1.3.1", "CompanyPortal/5.2405.0 (iOS 17.4.1)"
			}
			return "Rich Client 5.2.0", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240505.005)"
		case appTeams:
			if ios {
				return "Rich Client 1.3.1", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 TeamsMobile-iOS"
			}
			return "Rich Client 5.2.0", "Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.113 Mobile Safari/537.36 TeamsMobile-Android"
		default:
			if ios {
				return "Mobile Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 PKeyAuth/1.0"
			}
			return "Rich Client 5.2.0", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240505.005)"
		}
	}
	// kindDesktop
	mac := platform == "mac"
	switch a {
	case appTeams:
		if mac {
			return "Rich Client 4.61.0.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Teams/24124.2315.2911.3357/49"
		}
		return "Rich Client 4.61.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0 Teams/24124.2315.2911.3357/49"
	case appOneDrive:
		if mac {
			return "Rich Client 4.61.0.0", "Microsoft SkyDriveSync 24.086.0428.0001 ship; Mac OS X 14.4.1"
		}
		return "Rich Client 4.61.0.0", "Microsoft SkyDriveSync 24.086.0428.0001 ship; Windows NT 10.0 (22631)"
	case appEdge:
		if mac {
			return "Edge 125.0.2535", browsersByPlatform["mac"][2].ua
		}
		return "Edge 125.0.2535", browsersByPlatform["windows"][1].ua
	case appVSCode:
		return "Rich Client 4.61.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.89.1 Chrome/120.0.6099.291 Electron/28.2.8 Safari/537.36"
	default:
		if mac {
			return "Rich Client 4.61.0.0", "Microsoft Office/16.0 (Macintosh; Mac OS X 14.4.1; Microsoft Outlook 16.84)"
		}
		return "Rich Client 4.61.0.0", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)"
	}
}

// Failure reasons as Graph reports them in status.failureReason.
var failureReasons = map[int]string{
	16000:   "Either multiple user identities are available for the current request or selected account is not supported for the scenario.",
	50053:   "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
	50055:   "The password is expired.",
	50057:   "The user account is disabled.",
	50058:   "Session information is not sufficient for single-sign-on.",
	50074:   "Strong Authentication is required.",
	50076:   "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
	50126:   "Error validating credentials due to invalid username or password.",
	50133:   "Session is invalid due to expiration or recent password change.",
	50140:   "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
	50173:   "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
	50199:   "For security reasons, user confirmation is required for this request.",
	53000:   "Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant.",
	53003:   "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
	65001:   "The user or administrator has not consented to use the application.",
	70044:   "The session has expired or is invalid due to sign-in frequency checks by conditional access.",
	500121:  "Authentication failed during strong authentication request.",
	7000215: "Invalid client secret is provided.",
	7000222: "The provided client secret keys are expired.",
}

// Additional details Graph gives for some outcomes (status.additionalDetails).
var additionalDetails = map[int]string{
	50126:  "The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes.",
	50140:  "The user was shown the 'Stay signed in?' prompt.",
	50074:  "The user needs to perform multi-factor authentication. There could be multiple things requiring multi-factor, e.g. Conditional Access policies, per-user enforcement, requested by client, among others.",
	50058:  "The user isn't signed in, so the application has to prompt the user to sign in.",
	500121: "The user didn't complete the MFA prompt. They may have decided not to authenticate, timed out while doing other work, or has an issue with their authentication setup.",
	53003:  "The access policy does not allow token issuance. If this is unexpected, see the conditional access policy that applied to this request in the Azure Portal.",
}

// Error mixes of background traffic, per log type (code, weight).
type weighted struct {
	code   int
	weight float64
}

var (
	interactiveErrors = []weighted{
		{0, 86.6}, {50140, 4}, {50074, 2.5}, {50126, 2}, {50058, 1.5}, {50076, 0.8},
		{500121, 0.5}, {50199, 0.5}, {16000, 0.4}, {50055, 0.1}, {50053, 0.1}, {65001, 0.1},
	}
	nonInteractiveErrors = []weighted{{0, 95.3}, {50076, 1.8}, {70044, 1.2}, {50173, 0.4}, {50133, 0.3}, {50058, 1}}
)

// Conditional Access policies of the tenant, in evaluation order.
const (
	caMFA = iota
	caLegacy
	caCountries
	caAzureDevice
	numPolicies
)

var policyDefs = [numPolicies]struct {
	name  string
	grant []string
}{
	caMFA:         {"CA001: Require MFA for all users", []string{"Mfa"}},
	caLegacy:      {"CA002: Block legacy authentication", []string{"Block"}},
	caCountries:   {"CA003: Block listed countries", []string{"Block"}},
	caAzureDevice: {"CA004: Compliant device for Azure management", []string{"RequireCompliantDevice"}},
}

// blockedCountries is the named location CA003 blocks.
var blockedCountries = map[string]bool{"NG": true, "KP": true, "IR": true}
