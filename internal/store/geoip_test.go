package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/store/storetest"
)

// ---------------------------------------------------------------------------------------
// A minimal writer of MaxMind DB files (format 2.0, 24-bit records), enough for the tests:
// a search tree over the given networks and a data section of maps, strings, doubles and
// unsigned integers. See the MaxMind DB File Format Specification.
// ---------------------------------------------------------------------------------------

type mmdbNetwork struct {
	prefix string
	data   map[string]any
}

// mmdbValue encodes one value: control byte (type, size), extended type, size bytes, payload.
func mmdbValue(b *bytes.Buffer, v any) {
	head := func(typ, size int) {
		ctrl := byte(0)
		if typ <= 7 {
			ctrl = byte(typ << 5)
		}
		var extra []byte
		switch {
		case size < 29:
			ctrl |= byte(size)
		case size < 29+256:
			ctrl |= 29
			extra = []byte{byte(size - 29)}
		case size < 285+65536:
			ctrl |= 30
			extra = []byte{byte((size - 285) >> 8), byte(size - 285)}
		default:
			ctrl |= 31
			n := size - 65821
			extra = []byte{byte(n >> 16), byte(n >> 8), byte(n)}
		}
		b.WriteByte(ctrl)
		if typ > 7 {
			b.WriteByte(byte(typ - 7))
		}
		b.Write(extra)
	}
	uint := func(typ int, n uint64) {
		var be [8]byte
		binary.BigEndian.PutUint64(be[:], n)
		trimmed := bytes.TrimLeft(be[:], "\x00")
		head(typ, len(trimmed))
		b.Write(trimmed)
	}
	switch x := v.(type) {
	case string:
		head(2, len(x))
		b.WriteString(x)
	case float64:
		head(3, 8)
		var be [8]byte
		binary.BigEndian.PutUint64(be[:], math.Float64bits(x))
		b.Write(be[:])
	case uint16:
		uint(5, uint64(x))
	case uint32:
		uint(6, uint64(x))
	case uint64:
		uint(9, x)
	case []string:
		head(11, len(x))
		for _, s := range x {
			mmdbValue(b, s)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		head(7, len(keys))
		for _, k := range keys {
			mmdbValue(b, k)
			mmdbValue(b, x[k])
		}
	default:
		panic("mmdb test writer: no encoding for a value of this type")
	}
}

// writeMMDB writes a database of ipVersion 4 or 6 (an IPv6 database holds IPv4 networks
// under ::/96, where readers look for them) and returns its path.
func writeMMDB(t *testing.T, name, dbType string, ipVersion int, built time.Time, nets []mmdbNetwork) string {
	t.Helper()
	type record struct{ kind, v int } // kind 0 empty, 1 node, 2 data offset
	nodes := [][2]record{{}}
	var data bytes.Buffer
	for _, n := range nets {
		p := netip.MustParsePrefix(n.prefix)
		addr, bits := p.Addr().AsSlice(), p.Bits()
		if ipVersion == 6 && p.Addr().Is4() {
			addr, bits = append(make([]byte, 12), addr...), bits+96
		}
		offset := data.Len()
		mmdbValue(&data, n.data)
		cur := 0
		for i := 0; i < bits; i++ {
			bit := int(addr[i/8]>>(7-i%8)) & 1
			if i == bits-1 {
				nodes[cur][bit] = record{2, offset}
				break
			}
			if nodes[cur][bit].kind != 1 {
				nodes = append(nodes, [2]record{})
				nodes[cur][bit] = record{1, len(nodes) - 1}
			}
			cur = nodes[cur][bit].v
		}
	}
	var out bytes.Buffer
	count := len(nodes)
	for _, n := range nodes {
		for _, r := range n {
			v := count // empty
			switch r.kind {
			case 1:
				v = r.v
			case 2:
				v = count + 16 + r.v
			}
			out.Write([]byte{byte(v >> 16), byte(v >> 8), byte(v)})
		}
	}
	out.Write(make([]byte, 16))
	out.Write(data.Bytes())
	out.WriteString("\xAB\xCD\xEFMaxMind.com")
	mmdbValue(&out, map[string]any{
		"node_count": uint32(count), "record_size": uint16(24), "ip_version": uint16(ipVersion),
		"database_type": dbType, "languages": []string{"en"}, "binary_format_major_version": uint16(2),
		"binary_format_minor_version": uint16(0), "build_epoch": uint64(built.Unix()),
		"description": map[string]any{"en": "test database"},
	})
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Sign-ins as Graph signIn objects: what the export has and lacks is what the test fills.
const geoSignins = `{"id":"s1","createdDateTime":"2025-06-10T08:00:00Z","userPrincipalName":"a@contoso.example","ipAddress":"198.51.100.7","status":{"errorCode":0},"signInEventTypes":["interactiveUser"]}
{"id":"s2","createdDateTime":"2025-06-10T08:10:00Z","userPrincipalName":"a@contoso.example","ipAddress":"198.51.100.7","status":{"errorCode":0},"signInEventTypes":["interactiveUser"]}
{"id":"s3","createdDateTime":"2025-06-10T08:20:00Z","userPrincipalName":"b@contoso.example","ipAddress":"198.51.100.9","location":{"city":"Lyon","countryOrRegion":"FR","geoCoordinates":{"latitude":45.76,"longitude":4.84}},"status":{"errorCode":0},"signInEventTypes":["interactiveUser"]}
{"id":"s4","createdDateTime":"2025-06-10T08:30:00Z","userPrincipalName":"c@contoso.example","ipAddress":"203.0.113.5","autonomousSystemNumber":64999,"status":{"errorCode":0},"signInEventTypes":["interactiveUser"]}
{"id":"s5","createdDateTime":"2025-06-10T08:40:00Z","userPrincipalName":"d@contoso.example","ipAddress":"192.0.2.1","status":{"errorCode":0},"signInEventTypes":["interactiveUser"]}
{"id":"s6","createdDateTime":"2025-06-10T08:50:00Z","userPrincipalName":"e@contoso.example","ipAddress":"2001:DB8::5","status":{"errorCode":0},"signInEventTypes":["interactiveUser"]}
`

func TestFillGeoIP(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "signins.jsonl")
	if err := os.WriteFile(in, []byte(geoSignins), 0o644); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	storetest.Load(t, db, in)
	ctx := context.Background()
	// As if the format could not carry these (an admin-center download): the fill makes
	// them available for this source.
	if _, err := db.SQL.Exec(`UPDATE sources SET unavailable_fields = ['autonomous_system_number', 'city', 'state']`); err != nil {
		t.Fatal(err)
	}
	built := time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)
	city := writeMMDB(t, "Test-City.mmdb", "Test-City", 6, built, []mmdbNetwork{
		{"198.51.100.0/24", map[string]any{"country": map[string]any{"iso_code": "DE"}, "city": map[string]any{"names": map[string]any{"en": "Berlin", "de": "Berlin"}},
			"location": map[string]any{"latitude": 52.52, "longitude": 13.405}}},
		{"203.0.113.0/24", map[string]any{"country": map[string]any{"iso_code": "US"}, "city": map[string]any{"names": map[string]any{"en": "Ashburn"}},
			"location": map[string]any{"latitude": 39.04, "longitude": -77.49}}},
		{"2001:db8::/32", map[string]any{"registered_country": map[string]any{"iso_code": "NL"}}},
	})
	asn := writeMMDB(t, "Test-ASN.mmdb", "Test-ASN", 4, built.Add(24*time.Hour), []mmdbNetwork{
		{"198.51.100.0/25", map[string]any{"autonomous_system_number": uint32(64500), "autonomous_system_organization": "Example Hosting"}},
		{"203.0.113.0/24", map[string]any{"autonomous_system_number": uint32(64501)}},
	})
	fills, err := db.FillGeoIP(ctx, []string{city, asn})
	if err != nil {
		t.Fatal(err)
	}
	// By hand. The city database knows 4 of the addresses that lack something: 198.51.100.7
	// (s1, s2 get DE, Berlin and coordinates), 198.51.100.9 (s3 lacks only its ASN, which a
	// city database does not have: its export's Lyon, FR stays), 203.0.113.5 (s4 gets US,
	// Ashburn, coordinates), 2001:DB8::5 (s6 gets NL, from the registered country only);
	// 192.0.2.1 (s5) is in no network. Filled: 4 sign-ins, country 4, city 3, coordinates 3.
	// The ASN database (IPv4 only) then knows 198.51.100.7 and .9: s1, s2, s3 get 64500; s4
	// lacks nothing any more and keeps its export's 64999; s6 is IPv6.
	want := []struct {
		signins, asn, country, city, coords int64
		addresses                           int
	}{{4, 0, 4, 3, 3, 4}, {3, 3, 0, 0, 0, 2}}
	if len(fills) != 2 {
		t.Fatalf("%d fills", len(fills))
	}
	for i, w := range want {
		g := fills[i]
		if g.SignIns != w.signins || g.ASN != w.asn || g.Country != w.country || g.City != w.city || g.Coordinates != w.coords || g.Addresses != w.addresses {
			t.Errorf("fill %d: %+v, want %+v", i, g, w)
		}
	}
	if fills[0].DatabaseType != "Test-City" || !fills[0].BuildTime.Equal(built) || fills[0].SHA256 != sha(t, city) {
		t.Errorf("fill 0 metadata: %+v", fills[0])
	}
	type row struct {
		ASN           any
		Country, City any
		Lat, Lon      any
	}
	got := map[string]row{}
	rows, err := db.SQL.Query(`SELECT id, autonomous_system_number, country, city, latitude, longitude FROM signins`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.ASN, &r.Country, &r.City, &r.Lat, &r.Lon); err != nil {
			t.Fatal(err)
		}
		got[id] = r
	}
	rows.Close()
	wantRows := map[string]row{
		"s1": {int64(64500), "DE", "Berlin", 52.52, 13.405},
		"s2": {int64(64500), "DE", "Berlin", 52.52, 13.405},
		"s3": {int64(64500), "FR", "Lyon", 45.76, 4.84},
		"s4": {int64(64999), "US", "Ashburn", 39.04, -77.49},
		"s5": {nil, nil, nil, nil, nil},
		"s6": {nil, "NL", nil, nil, nil},
	}
	if !reflect.DeepEqual(got, wantRows) {
		t.Errorf("sign-ins\n got %v\nwant %v", got, wantRows)
	}
	var unavailable, notes []any
	var rawU, rawN any
	if err := db.SQL.QueryRow(`SELECT unavailable_fields, notes FROM sources`).Scan(&rawU, &rawN); err != nil {
		t.Fatal(err)
	}
	unavailable, _ = rawU.([]any)
	notes, _ = rawN.([]any)
	if !reflect.DeepEqual(unavailable, []any{"state"}) {
		t.Errorf("unavailable_fields %v, want [state]", unavailable)
	}
	if len(notes) != 2 || !strings.Contains(notes[0].(string), "4 sign-ins (ASN 0, country 4, city 3, coordinates 3) from Test-City.mmdb (Test-City, built 2025-06-03, SHA-256 "+sha(t, city)+")") ||
		!strings.Contains(notes[1].(string), "3 sign-ins (ASN 3, country 0, city 0, coordinates 0) from Test-ASN.mmdb (Test-ASN, built 2025-06-04") {
		t.Errorf("notes %q", notes)
	}
	// Again: nothing is left to fill, and no note is added.
	again, err := db.FillGeoIP(ctx, []string{city, asn})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range again {
		if g.SignIns != 0 {
			t.Errorf("second fill: %+v", g)
		}
	}
	var n int
	if err := db.SQL.QueryRow(`SELECT len(notes) FROM sources`).Scan(&n); err != nil || n != 2 {
		t.Errorf("notes after the second fill: %d %v", n, err)
	}
}

func TestFillGeoIPRefusesOtherFiles(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "GeoLite2-City.csv")
	if err := os.WriteFile(path, []byte("network,geoname_id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := db.FillGeoIP(context.Background(), []string{path})
	if err == nil || !strings.Contains(err.Error(), "geoip "+path+": not a MaxMind-format database") {
		t.Errorf("error %v", err)
	}
	if _, err := db.FillGeoIP(context.Background(), []string{filepath.Join(t.TempDir(), "missing.mmdb")}); err == nil {
		t.Error("a missing file was accepted")
	}
}
