package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// GeoIPFill is what one MaxMind-format database filled in the sign-ins.
type GeoIPFill struct {
	Path         string
	SHA256       string
	DatabaseType string    // as the database's metadata names it (GeoLite2-City, GeoLite2-ASN, DBIP-City-Lite, ...)
	BuildTime    time.Time // the database's build time, UTC
	Addresses    int       // distinct addresses lacking a value that the database knows
	SignIns      int64     // sign-ins that got at least one value
	ASN          int64     // sign-ins whose autonomous system number was filled
	Country      int64     // ... whose country was filled
	City         int64     // ... whose city was filled
	Coordinates  int64     // ... whose latitude and longitude were filled
}

// Summary says the fill in one line: "412 sign-ins (ASN 412, country 0, city 0,
// coordinates 0) from GeoLite2-ASN.mmdb (GeoLite2-ASN, built 2025-06-03, SHA-256 ...)".
func (g GeoIPFill) Summary() string {
	return fmt.Sprintf("%d sign-ins (ASN %d, country %d, city %d, coordinates %d) from %s (%s, built %s, SHA-256 %s)",
		g.SignIns, g.ASN, g.Country, g.City, g.Coordinates, filepath.Base(g.Path), g.DatabaseType,
		g.BuildTime.Format("2006-01-02"), g.SHA256)
}

// geoRecord is the part of a GeoIP2/GeoLite2 (or compatible) City, Country or ASN record
// the sign-ins have columns for.
type geoRecord struct {
	ASN     uint64 `maxminddb:"autonomous_system_number"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// needsGeo selects the sign-ins lacking a value a GeoIP database can give.
const needsGeo = `ip_address IS NOT NULL AND (autonomous_system_number IS NULL OR coalesce(country, '') = ''
	OR coalesce(city, '') = '' OR (latitude IS NULL AND longitude IS NULL))`

// FillGeoIP fills the autonomous system number, country, city and coordinates of sign-ins
// whose export lacks them, from MaxMind-format databases (an ASN database, a City or
// Country database, or both), in the order given: a later database fills only what the
// earlier left empty. A value the export has is never changed. Each database is one
// UPDATE over the distinct addresses that lack something. Fields that a source's format
// cannot carry stop being "not available" for that source once some of its sign-ins were
// filled, and the source gets a note saying how many, from which file (SHA-256, build date).
func (db *DB) FillGeoIP(ctx context.Context, paths []string) ([]GeoIPFill, error) {
	var out []GeoIPFill
	for _, p := range paths {
		g, err := db.fillGeoIP(ctx, p)
		if err != nil {
			return out, fmt.Errorf("geoip %s: %w", p, err)
		}
		out = append(out, g)
	}
	return out, nil
}

func (db *DB) fillGeoIP(ctx context.Context, path string) (GeoIPFill, error) {
	g := GeoIPFill{Path: path}
	data, err := os.ReadFile(path)
	if err != nil {
		return g, err
	}
	sum := sha256.Sum256(data)
	g.SHA256 = hex.EncodeToString(sum[:])
	r, err := maxminddb.OpenBytes(data)
	if err != nil {
		return g, fmt.Errorf("not a MaxMind-format database: %w", err)
	}
	defer r.Close()
	g.DatabaseType, g.BuildTime = r.Metadata.DatabaseType, r.Metadata.BuildTime().UTC()

	rows, err := db.SQL.QueryContext(ctx, `SELECT DISTINCT ip_address FROM signins WHERE `+needsGeo)
	if err != nil {
		return g, fmt.Errorf("read addresses: %w", err)
	}
	var fill [][]any
	for rows.Next() {
		var ip string
		if err := rows.Scan(&ip); err != nil {
			rows.Close()
			return g, fmt.Errorf("read addresses: %w", err)
		}
		if row, ok := lookupGeo(r, ip); ok {
			fill = append(fill, row)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return g, fmt.Errorf("read addresses: %w", err)
	}
	g.Addresses = len(fill)
	if len(fill) == 0 {
		return g, nil
	}
	return g, db.applyGeo(ctx, &g, fill)
}

// lookupGeo finds ip in r: one geo_fill row (ip, asn, country, city, latitude, longitude)
// with NULL for what the database does not know, ok false when it knows nothing.
func lookupGeo(r *maxminddb.Reader, ip string) ([]any, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return nil, false
	}
	a = a.Unmap().WithZone("")
	if a.Is6() && r.Metadata.IPVersion == 4 {
		return nil, false
	}
	var rec geoRecord
	res := r.Lookup(a)
	if !res.Found() || res.Decode(&rec) != nil {
		return nil, false
	}
	row := []any{ip, nil, nil, nil, nil, nil}
	if rec.ASN > 0 {
		row[1] = int64(rec.ASN)
	}
	if cc := rec.Country.ISOCode; cc != "" {
		row[2] = cc
	} else if cc := rec.RegisteredCountry.ISOCode; cc != "" {
		row[2] = cc
	}
	if name := rec.City.Names["en"]; name != "" {
		row[3] = name
	}
	if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
		row[4], row[5] = *rec.Location.Latitude, *rec.Location.Longitude
	}
	for _, v := range row[1:] {
		if v != nil {
			return row, true
		}
	}
	return nil, false
}

// geoCounts counts, per source, the sign-ins each field would be filled for.
const geoCounts = `SELECT s.source_id,
	count(*) FILTER (WHERE s.autonomous_system_number IS NULL AND g.asn IS NOT NULL),
	count(*) FILTER (WHERE coalesce(s.country, '') = '' AND g.country IS NOT NULL),
	count(*) FILTER (WHERE coalesce(s.city, '') = '' AND g.city IS NOT NULL),
	count(*) FILTER (WHERE s.latitude IS NULL AND s.longitude IS NULL AND g.latitude IS NOT NULL),
	count(*) FILTER (WHERE (s.autonomous_system_number IS NULL AND g.asn IS NOT NULL)
		OR (coalesce(s.country, '') = '' AND g.country IS NOT NULL)
		OR (coalesce(s.city, '') = '' AND g.city IS NOT NULL)
		OR (s.latitude IS NULL AND s.longitude IS NULL AND g.latitude IS NOT NULL))
FROM signins s JOIN geo_fill g ON g.ip = s.ip_address
GROUP BY s.source_id ORDER BY s.source_id`

const geoUpdate = `UPDATE signins AS s SET
	autonomous_system_number = coalesce(s.autonomous_system_number, g.asn),
	country = CASE WHEN coalesce(s.country, '') = '' THEN coalesce(g.country, s.country) ELSE s.country END,
	city = CASE WHEN coalesce(s.city, '') = '' THEN coalesce(g.city, s.city) ELSE s.city END,
	latitude = CASE WHEN s.latitude IS NULL AND s.longitude IS NULL THEN g.latitude ELSE s.latitude END,
	longitude = CASE WHEN s.latitude IS NULL AND s.longitude IS NULL THEN g.longitude ELSE s.longitude END
FROM geo_fill AS g
WHERE g.ip = s.ip_address`

// applyGeo writes fill into a temporary table, counts what it fills per source, and runs
// the one UPDATE, all in one transaction.
func (db *DB) applyGeo(ctx context.Context, g *GeoIPFill, fill [][]any) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE geo_fill (ip VARCHAR, asn BIGINT, country VARCHAR, city VARCHAR, latitude DOUBLE, longitude DOUBLE)`); err != nil {
		return fmt.Errorf("geo_fill: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS geo_fill`)
	const chunk = 5000
	for rest := fill; len(rest) > 0; {
		n := min(chunk, len(rest))
		args := make([]any, 0, n*6)
		for _, r := range rest[:n] {
			args = append(args, r...)
		}
		stmt := `INSERT INTO geo_fill VALUES ` + strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?), `, n), ", ")
		if _, err := conn.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("geo_fill: %w", err)
		}
		rest = rest[n:]
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	type perSource struct {
		id                                  int64
		asn, country, city, coords, signins int64
	}
	var sources []perSource
	rows, err := tx.QueryContext(ctx, geoCounts)
	if err != nil {
		return fmt.Errorf("count fills: %w", err)
	}
	for rows.Next() {
		var p perSource
		if err := rows.Scan(&p.id, &p.asn, &p.country, &p.city, &p.coords, &p.signins); err != nil {
			rows.Close()
			return fmt.Errorf("count fills: %w", err)
		}
		sources = append(sources, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count fills: %w", err)
	}
	if _, err := tx.ExecContext(ctx, geoUpdate); err != nil {
		return fmt.Errorf("fill sign-ins: %w", err)
	}
	for _, p := range sources {
		if p.signins == 0 {
			continue
		}
		g.SignIns += p.signins
		g.ASN += p.asn
		g.Country += p.country
		g.City += p.city
		g.Coordinates += p.coords
		var filled []string
		for _, f := range []struct {
			n      int64
			fields []string
		}{{p.asn, []string{"autonomous_system_number"}}, {p.country, []string{"country"}}, {p.city, []string{"city"}},
			{p.coords, []string{"latitude", "longitude"}}} {
			if f.n > 0 {
				filled = append(filled, f.fields...)
			}
		}
		one := *g
		one.SignIns, one.ASN, one.Country, one.City, one.Coordinates = p.signins, p.asn, p.country, p.city, p.coords
		note := "GeoIP filled what the export lacked for " + one.Summary()
		if _, err := tx.ExecContext(ctx, `UPDATE sources SET
				unavailable_fields = list_filter(unavailable_fields, f -> NOT list_contains(?::VARCHAR[], f)),
				notes = list_append(coalesce(notes, []::VARCHAR[]), ?)
			WHERE source_id = ?`, filled, note, p.id); err != nil {
			return fmt.Errorf("note the fill: %w", err)
		}
	}
	return tx.Commit()
}
