package queries_test

import (
	"context"
	"testing"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store/storetest"
)

// TestFamilies runs the family macros over spellings seen in exports (and a few made up to
// reach every rule); each expected family and version is written by hand.
func TestFamilies(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	if err := queries.Prepare(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	osCases := []struct{ raw, family, version string }{
		{"Windows10", "Windows", "10"},
		{"Windows 10", "Windows", "10"},
		{"Windows", "Windows", ""},
		{"Windows 11", "Windows", "11"},
		{"Windows8.1", "Windows", "8.1"},
		{"  windows7 ", "Windows", "7"},
		{"Windows Phone 8.1", "Windows Phone", "8.1"},
		{"MacOs", "macOS", ""},
		{"macOS", "macOS", ""},
		{"Mac OS X 10.15", "macOS", "10.15"},
		{"Macintosh", "macOS", ""},
		{"Ios", "iOS", ""},
		{"iOS 17.4", "iOS", "17.4"},
		{"iPadOS", "iOS", ""},
		{"Android", "Android", ""},
		{"Android 14", "Android", "14"},
		{"ChromeOS", "ChromeOS", ""},
		{"Chrome OS", "ChromeOS", ""},
		{"CrOS", "ChromeOS", ""},
		{"Linux", "Linux", ""},
		{"Ubuntu 22.04", "Linux", "22.04"},
		{"FreeBSD 14", "FreeBSD", "14"},
		{"PlayStation", "PlayStation", ""},
		{"", "(unknown)", ""},
		{"   ", "(unknown)", ""},
	}
	for _, c := range osCases {
		var fam, ver string
		if err := db.SQL.QueryRowContext(ctx, "SELECT os_family(?), os_version(?)", c.raw, c.raw).Scan(&fam, &ver); err != nil {
			t.Fatal(err)
		}
		if fam != c.family || ver != c.version {
			t.Errorf("operating system %q: family %q version %q, want %q %q", c.raw, fam, ver, c.family, c.version)
		}
	}
	var nullFam string
	if err := db.SQL.QueryRowContext(ctx, "SELECT os_family(NULL::VARCHAR) || '/' || browser_family(NULL::VARCHAR)").Scan(&nullFam); err != nil {
		t.Fatal(err)
	}
	if nullFam != "(unknown)/(unknown)" {
		t.Errorf("NULL families: %q", nullFam)
	}
	browserCases := []struct{ raw, family, version string }{
		{"Edge 124.0.2478", "Edge", "124.0.2478"},
		{"Edge 125.0.2535", "Edge", "125.0.2535"},
		{"Microsoft Edge", "Edge", ""},
		{"Edge Mobile 120.0", "Edge", "120.0"},
		{"Chrome 125.0.0", "Chrome", "125.0.0"},
		{"Chrome Mobile 125", "Chrome", "125"},
		{"Chromium 119.0", "Chrome", "119.0"},
		{"Firefox 126.0", "Firefox", "126.0"},
		{"Firefox Mobile", "Firefox", ""},
		{"Safari 17.4", "Safari", "17.4"},
		{"Mobile Safari", "Safari", ""},
		{"Mobile Safari 17.4", "Safari", "17.4"},
		{"IE 11.0", "Internet Explorer", "11.0"},
		{"Internet Explorer", "Internet Explorer", ""},
		{"Samsung Browser 24.0", "Samsung Internet", "24.0"},
		{"Opera 109.0", "Opera", "109.0"},
		{"Rich Client 4.61.0.0", "Rich Client", "4.61.0.0"},
		{"IEMobile", "IEMobile", ""},
		{"", "(unknown)", ""},
	}
	for _, c := range browserCases {
		var fam, ver string
		if err := db.SQL.QueryRowContext(ctx, "SELECT browser_family(?), browser_version(?)", c.raw, c.raw).Scan(&fam, &ver); err != nil {
			t.Fatal(err)
		}
		if fam != c.family || ver != c.version {
			t.Errorf("browser %q: family %q version %q, want %q %q", c.raw, fam, ver, c.family, c.version)
		}
	}
}
