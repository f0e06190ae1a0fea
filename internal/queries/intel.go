package queries

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The indicator types of an --intel file.
const (
	IntelIP        = "ip"
	IntelCIDR      = "cidr"
	IntelASN       = "asn"
	IntelUserAgent = "user-agent"
)

// minPatternLen is the shortest user-agent substring an indicator may give: shorter ones
// would match nearly every user agent.
const minPatternLen = 3

// Indicator is one row of an --intel file.
type Indicator struct {
	Line      int    // line of the file
	Indicator string // as written
	Type      string // ip, cidr, asn or user-agent
	// Value is the indicator as matched: the address or network in canonical form, AS1234,
	// or the user-agent substring in lower case.
	Value string
	Label string
	ASN   int64 // type asn

	addr   netip.Addr
	prefix netip.Prefix
}

// Intel is an --intel file: the indicators the ioc-match detection looks for.
type Intel struct {
	Path       string
	SHA256     string
	Indicators []Indicator
}

// Counts says how many indicators of each type the file holds, in words: "3 ip, 1 asn".
func (in *Intel) Counts() string {
	n := map[string]int{}
	for _, x := range in.Indicators {
		n[x.Type]++
	}
	var parts []string
	for _, t := range []string{IntelIP, IntelCIDR, IntelASN, IntelUserAgent} {
		if n[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[t], t))
		}
	}
	return strings.Join(parts, ", ")
}

var (
	asnWithPrefix = regexp.MustCompile(`^(?i)AS(\d+)$`)
	digitsOnly    = regexp.MustCompile(`^\d+$`)
	// addressLike is what an address or network looks like: digits and dots, or hex digits
	// and colons, with an optional /length.
	addressLike = regexp.MustCompile(`^(?:[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:/\d*)?$`)
)

// LoadIntel reads an indicator file: CSV with a header line naming the columns indicator
// and label, and optionally type (ip, cidr, asn or user-agent); other columns are ignored,
// lines starting with # are comments. Without a type the indicator's shape decides: an IP
// address, a network in CIDR notation, AS followed by digits, else a user-agent substring
// (a bare number is refused as ambiguous: write AS1234 or give the type asn). Every bad
// row is reported as file:line.
func LoadIntel(path string) (*Intel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("intel %w", err)
	}
	sum := sha256.Sum256(data)
	in := &Intel{Path: path, SHA256: hex.EncodeToString(sum[:])}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	col := map[string]int{}
	var errs []string
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %w", path, pe.StartLine, pe.Err)
			}
			return nil, fmt.Errorf("read intel %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if len(col) == 0 {
			for i, name := range rec {
				col[strings.ToLower(strings.TrimSpace(name))] = i
			}
			_, hasInd := col["indicator"]
			_, hasLabel := col["label"]
			if !hasInd || !hasLabel {
				return nil, fmt.Errorf("%s:%d: the first line must be the header naming the columns indicator and label (and optionally type), e.g. indicator,label,type", path, line)
			}
			continue
		}
		field := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		x, err := parseIndicator(field("indicator"), strings.ToLower(field("type")))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v", path, line, err))
			continue
		}
		x.Line, x.Label = line, field("label")
		key := x.Type + "\x00" + x.Value
		if prev, dup := seen[key]; dup {
			errs = append(errs, fmt.Sprintf("%s:%d: %s %s already listed on line %d", path, line, x.Type, x.Value, prev))
			continue
		}
		seen[key] = line
		in.Indicators = append(in.Indicators, x)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	if len(in.Indicators) == 0 {
		return nil, fmt.Errorf("%s: no indicators (want a header line indicator,label,type and one indicator a line)", path)
	}
	return in, nil
}

// parseIndicator reads one indicator of the given type ("" to infer it).
func parseIndicator(s, typ string) (Indicator, error) {
	x := Indicator{Indicator: s, Type: typ}
	if s == "" {
		return x, fmt.Errorf("empty indicator")
	}
	if typ == "" {
		switch {
		case isAddr(s):
			x.Type = IntelIP
		case strings.Contains(s, "/") && isPrefix(s):
			x.Type = IntelCIDR
		case asnWithPrefix.MatchString(s):
			x.Type = IntelASN
		case digitsOnly.MatchString(s):
			return x, fmt.Errorf("%s: a bare number is ambiguous; write AS%s for an autonomous system, or give the type column", s, s)
		case addressLike.MatchString(s):
			return x, fmt.Errorf("%s is not a valid IP address or network (give the type user-agent if it is a user-agent substring)", s)
		default:
			x.Type = IntelUserAgent
		}
	}
	switch x.Type {
	case IntelIP:
		a, err := netip.ParseAddr(s)
		if err != nil {
			return x, fmt.Errorf("%s is not an IP address", s)
		}
		x.addr = a.Unmap().WithZone("")
		x.Value = x.addr.String()
	case IntelCIDR:
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return x, fmt.Errorf("%s is not a network in CIDR notation (such as 203.0.113.0/24 or 2001:db8::/32)", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		x.prefix = p.Masked()
		x.Value = x.prefix.String()
	case IntelASN:
		digits := s
		if m := asnWithPrefix.FindStringSubmatch(s); m != nil {
			digits = m[1]
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || !digitsOnly.MatchString(digits) || n < 1 || n > 4294967295 {
			return x, fmt.Errorf("%s is not an autonomous system number (AS1 to AS4294967295)", s)
		}
		x.ASN = n
		x.Value = "AS" + strconv.FormatInt(n, 10)
	case IntelUserAgent:
		if len([]rune(s)) < minPatternLen {
			return x, fmt.Errorf("user-agent substring %q is shorter than %d characters and would match nearly everything", s, minPatternLen)
		}
		x.Value = strings.ToLower(s)
	default:
		return x, fmt.Errorf("type %q: want ip, cidr, asn or user-agent (or leave it empty)", x.Type)
	}
	return x, nil
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

func isPrefix(s string) bool {
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// The --intel indicators as temporary tables, re-created for every detection run:
// intel_indicators (pos from 1, the indicator as written, type, value as matched, label,
// asn) and intel_ip_matches (an address seen in the sign-ins or audit events, and the pos
// of an ip or cidr indicator it falls under). Both are empty without --intel.
const (
	intelIndicatorsTable = `CREATE OR REPLACE TEMP TABLE intel_indicators (pos INTEGER, indicator VARCHAR, type VARCHAR, value VARCHAR, label VARCHAR, asn BIGINT)`
	intelIPMatchesTable  = `CREATE OR REPLACE TEMP TABLE intel_ip_matches (ip_address VARCHAR, pos INTEGER)`
)

// distinctAddresses are the addresses the ip and cidr indicators are matched against.
const distinctAddresses = `SELECT ip_address FROM signins WHERE ip_address IS NOT NULL
UNION SELECT initiator_ip_address FROM audits WHERE initiator_ip_address IS NOT NULL`

// prepareIntel fills the intel tables. Addresses are compared as addresses, not as text
// (2001:DB8::1 and 2001:db8:0::1 are one address, ::ffff:192.0.2.1 is 192.0.2.1), so the
// matching of ip and cidr indicators is done here, once per distinct address.
func prepareIntel(ctx context.Context, db *sql.DB, in *Intel) error {
	var inds, matches [][]any
	// A network length: v4 and v6 networks of one length are looked up apart.
	type length struct {
		v6   bool
		bits int
	}
	byAddr := map[netip.Addr][]int{}
	byPrefix := map[length]map[netip.Prefix][]int{}
	if in != nil {
		for i, x := range in.Indicators {
			pos := i + 1
			var asn any
			if x.Type == IntelASN {
				asn = x.ASN
			}
			inds = append(inds, []any{pos, x.Indicator, x.Type, x.Value, x.Label, asn})
			switch x.Type {
			case IntelIP:
				byAddr[x.addr] = append(byAddr[x.addr], pos)
			case IntelCIDR:
				l := length{x.prefix.Addr().Is6(), x.prefix.Bits()}
				if byPrefix[l] == nil {
					byPrefix[l] = map[netip.Prefix][]int{}
				}
				byPrefix[l][x.prefix] = append(byPrefix[l][x.prefix], pos)
			}
		}
	}
	if len(byAddr) > 0 || len(byPrefix) > 0 {
		lengths := make([]length, 0, len(byPrefix))
		for l := range byPrefix {
			lengths = append(lengths, l)
		}
		sort.Slice(lengths, func(i, j int) bool {
			if lengths[i].v6 != lengths[j].v6 {
				return !lengths[i].v6
			}
			return lengths[i].bits < lengths[j].bits
		})
		rows, err := db.QueryContext(ctx, distinctAddresses)
		if err != nil {
			return fmt.Errorf("read addresses: %w", err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return fmt.Errorf("read addresses: %w", err)
			}
			a, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil {
				continue // not an address: no indicator can match it
			}
			a = a.Unmap().WithZone("")
			for _, pos := range byAddr[a] {
				matches = append(matches, []any{s, pos})
			}
			for _, l := range lengths {
				if l.v6 != a.Is6() {
					continue
				}
				p, err := a.Prefix(l.bits)
				if err != nil {
					continue
				}
				for _, pos := range byPrefix[l][p] {
					matches = append(matches, []any{s, pos})
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read addresses: %w", err)
		}
	}
	if err := createTempTable(ctx, db, intelIndicatorsTable, "intel_indicators", inds); err != nil {
		return fmt.Errorf("intel indicators: %w", err)
	}
	if err := createChunked(ctx, db, intelIPMatchesTable, "intel_ip_matches", matches); err != nil {
		return fmt.Errorf("intel matches: %w", err)
	}
	return nil
}

// createChunked is createTempTable for many rows: one bound INSERT per 10,000 rows.
func createChunked(ctx context.Context, db *sql.DB, create, table string, rows [][]any) error {
	const chunk = 10000
	if err := createTempTable(ctx, db, create, table, nil); err != nil {
		return err
	}
	for len(rows) > 0 {
		n := min(chunk, len(rows))
		if err := insertRows(ctx, db, table, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
