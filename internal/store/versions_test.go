package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/loaders"
)

// The fixtures under testdata/versions (see its README) hold, in four formats, one sign-in
// of Alice in three versions (MFA required; MFA completed; risk added, transfer method
// none), a sign-in of Bob, a byte-identical copy of Bob's and, where the format has an
// ingestion time, version 2 again with only a later ingestion time.
const versionsDir = "../../testdata/versions"

var versionFormats = []string{"la-csv", "la-json", "diagnostic", "graph"}

// hasIngestion tells whether a format carries an ingestion time (and so the re-delivered copy).
func hasIngestion(format string) bool { return format != "graph" }

func loadFiles(t *testing.T, db *DB, paths ...string) *Summary {
	t.Helper()
	var ins []loaders.Input
	for _, p := range paths {
		in, err := loaders.Inputs([]string{p})
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in...)
	}
	sum, err := db.Load(context.Background(), ins, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Error != "" || f.Rejected != 0 {
			t.Fatalf("%s: error %q, %d rejected %v", f.Path, f.Error, f.Rejected, f.Problems)
		}
		if f.Records != f.Loaded+f.Versions+f.Duplicates+f.Rejected+f.Skipped {
			t.Errorf("%s: records %d != loaded %d + versions %d + duplicates %d + rejected %d + skipped %d",
				f.Path, f.Records, f.Loaded, f.Versions, f.Duplicates, f.Rejected, f.Skipped)
		}
	}
	return sum
}

func fixture(format, variant string) string {
	return filepath.Join(versionsDir, format, variant)
}

func TestVersionsMergeIntoOneSignin(t *testing.T) {
	for _, format := range versionFormats {
		t.Run(format, func(t *testing.T) {
			db := openTemp(t)
			sum := loadFiles(t, db, fixture(format, "all"))
			// 6 records: Alice ×3 versions, Bob, Bob's copy, Alice's version 2 re-delivered.
			want := Totals{Records: 6, Loaded: 2, Versions: 2, Duplicates: 2}
			if !hasIngestion(format) {
				want.Records, want.Duplicates = 5, 1
			}
			got := sum.Totals
			if got.Records != want.Records || got.Loaded != want.Loaded || got.Versions != want.Versions || got.Duplicates != want.Duplicates {
				t.Fatalf("totals %+v, want records %d loaded %d versions %d duplicates %d", got, want.Records, want.Loaded, want.Versions, want.Duplicates)
			}
			if src := queryRows(t, db, "SELECT records, loaded, versions, duplicates FROM sources"); len(src) != 1 ||
				src[0][0] != fmt.Sprint(want.Records) || src[0][2] != "2" || src[0][3] != fmt.Sprint(want.Duplicates) {
				t.Errorf("sources %v", src)
			}
			rows := queryRows(t, db, `SELECT user_principal_name, additional_details, authentication_requirement, mfa_auth_method,
				risk_state, risk_level_aggregated, risk_level_during_signin, risk_event_types, original_transfer_method,
				authentication_protocol, ingested_at FROM signins ORDER BY user_principal_name`)
			if len(rows) != 2 {
				t.Fatalf("signins %v", rows)
			}
			alice := rows[0]
			wantAlice := []string{"alice@contoso.example", "MFA successfully completed", "multiFactorAuthentication", "Mobile app notification",
				"atRisk", "medium", "none", "[anonymizedIPAddress]", "deviceCodeFlow", "deviceCode", "2025-06-10 10:15:00 +0000 UTC"}
			if !hasIngestion(format) {
				wantAlice[10] = "NULL"
			}
			if fmt.Sprint(alice) != fmt.Sprint(wantAlice) {
				t.Errorf("merged sign-in\n got %v\nwant %v", alice, wantAlice)
			}
			steps := queryRows(t, db, `SELECT a.step_index, a.method, a.requirement, a.succeeded FROM signin_auth_steps a
				JOIN signins s USING (signin_key) WHERE s.user_principal_name = 'alice@contoso.example' ORDER BY a.step_index`)
			if fmt.Sprint(steps) != "[[1 Password Primary authentication true] [2 Mobile app notification Multifactor authentication true]]" {
				t.Errorf("steps %v", steps)
			}
			// Version 3 has no CA results: those of version 2 stand.
			ca := queryRows(t, db, `SELECT c.policy_name, c.result, c.enforced_grant_controls FROM signin_ca_policies c
				JOIN signins s USING (signin_key) WHERE s.user_principal_name = 'alice@contoso.example'`)
			if fmt.Sprint(ca) != "[[Require MFA for all users success [Mfa]]]" {
				t.Errorf("CA policies %v", ca)
			}
			vers := queryRows(t, db, `SELECT s.user_principal_name, v.version, v.source_line FROM signin_versions v
				JOIN signins s USING (signin_key) ORDER BY 1, 2`)
			// Lines (or record indexes) of the versions in merge order; the CSV has a header line.
			first := 1
			if format == "la-csv" {
				first = 2
			}
			// Bob's sign-in, in one version, has none listed.
			wantVers := fmt.Sprintf("[[alice@contoso.example 1 %d] [alice@contoso.example 2 %d] [alice@contoso.example 3 %d]]",
				first, first+1, first+2)
			if fmt.Sprint(vers) != wantVers {
				t.Errorf("versions %v, want %s", vers, wantVers)
			}
			// The full content of each of Alice's versions is kept.
			kept := queryRows(t, db, `SELECT v.version, r.additional_details, r.risk_state, r.original_transfer_method
				FROM signin_versions v JOIN signin_version_rows r ON r.signin_key = v.version_key ORDER BY v.version`)
			if fmt.Sprint(kept) != "[[1 MFA required in Azure AD none deviceCodeFlow] [2 MFA successfully completed none deviceCodeFlow] [3 MFA successfully completed atRisk none]]" {
				t.Errorf("version rows %v", kept)
			}
		})
	}
}

// snapshot is what must not depend on the order or grouping of the inputs: every table
// of sign-ins without keys, file ids and positions (which name the inputs).
var snapshot = []string{
	`SELECT * EXCLUDE (signin_key, source_id, source_file, source_line) FROM %ssignins`,
	`SELECT s.id, c.* EXCLUDE (signin_key) FROM %[1]ssignin_ca_policies c JOIN %[1]ssignins s USING (signin_key)`,
	`SELECT s.id, a.* EXCLUDE (signin_key, source_id, source_line) FROM %[1]ssignin_auth_steps a JOIN %[1]ssignins s USING (signin_key)`,
	`SELECT s.id, v.version, v.ingested_at, v.fields, v.content_hash FROM %[1]ssignin_versions v JOIN %[1]ssignins s USING (signin_key)`,
	`SELECT * EXCLUDE (signin_key, source_id, source_file, source_line) FROM %ssignin_version_rows`,
}

func TestVersionsLoadTheSameInAnyOrder(t *testing.T) {
	for _, format := range versionFormats {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			all, rev := fixture(format, "all"), fixture(format, "reversed")
			split, _ := filepath.Glob(filepath.Join(fixture(format, "split"), "*"))
			if len(split) != 2 {
				t.Fatalf("split files %v", split)
			}
			variants := map[string][][]string{
				"reversed":        {{rev}},
				"two files":       {{split[0], split[1]}},
				"two files, back": {{split[1], split[0]}},
				"twice":           {{all}, {all}},
				"two loads":       {{split[1]}, {split[0]}},
			}
			ref := filepath.Join(dir, "ref.duckdb")
			build := func(path string, loads [][]string) {
				db, err := Open(path, Options{Threads: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				for i, paths := range loads {
					sum := loadFiles(t, db, paths...)
					if i > 0 && (sum.Totals.Loaded != 0 || sum.Totals.Versions != 0) && strings.Contains(path, "twice") {
						t.Errorf("second load of the same file: %+v", sum.Totals)
					}
				}
			}
			build(ref, [][]string{{all}})
			for name, loads := range variants {
				path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".duckdb")
				build(path, loads)
				db, err := Open(ref, Options{Threads: 1})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.SQL.Exec(fmt.Sprintf("ATTACH '%s' AS other (READ_ONLY)", path)); err != nil {
					t.Fatal(err)
				}
				for _, q := range snapshot {
					a, b := fmt.Sprintf(q, ""), fmt.Sprintf(q, "other.")
					for _, d := range [][2]string{{a, b}, {b, a}} {
						if diff := queryRows(t, db, "("+d[0]+") EXCEPT ALL ("+d[1]+")"); len(diff) != 0 {
							t.Errorf("%s: %s\nhas rows the reference lacks (or back): %v", name, a, diff)
						}
					}
				}
				for _, table := range []string{"signins", "signin_versions", "signin_auth_steps", "signin_ca_policies"} {
					n := queryRows(t, db, fmt.Sprintf("SELECT (SELECT count(*) FROM %[1]s) - (SELECT count(*) FROM other.%[1]s)", table))
					if n[0][0] != "0" {
						t.Errorf("%s: %s differs in rows by %s", name, table, n[0][0])
					}
				}
				db.Close()
			}
		})
	}
}

func TestVersionsCopies(t *testing.T) {
	db := openTemp(t)
	loadFiles(t, db, fixture("la-json", "all"))
	// Loading again: every record is a copy of a version already loaded.
	sum := loadFiles(t, db, fixture("la-json", "all"))
	if tt := sum.Totals; tt.Loaded != 0 || tt.Versions != 0 || tt.Duplicates != 6 {
		t.Errorf("second load %+v", tt)
	}
	if n := queryRows(t, db, "SELECT count(*) FROM signin_versions"); n[0][0] != "3" {
		t.Errorf("%s versions", n[0][0])
	}
}

func TestContentHashIgnoresIngestionAndPlace(t *testing.T) {
	var a, b loaders.Record
	a.S[loaders.ID], a.LogType, a.S[loaders.RiskState] = "x", loaders.Interactive, "none"
	b = a
	b.Line, b.Index, b.Offset = 7, 3, 900
	ha, _ := contentHash(nil, &a)
	hb, _ := contentHash(nil, &b)
	if ha != hb {
		t.Errorf("position changed the hash")
	}
	b.S[loaders.RiskState] = "atRisk"
	if hc, _ := contentHash(nil, &b); hc == ha {
		t.Errorf("risk state did not change the hash")
	}
	// A value moved from one field to the next is a different record.
	c := a
	c.S[loaders.UserID], c.S[loaders.UserPrincipalName] = "ab", ""
	d := a
	d.S[loaders.UserID], d.S[loaders.UserPrincipalName] = "a", "b"
	hc, _ := contentHash(nil, &c)
	hd, _ := contentHash(nil, &d)
	if hc == hd {
		t.Errorf("field boundaries are not part of the hash")
	}
}

type collectSink struct{ recs []loaders.Record }

func (c *collectSink) Record(r *loaders.Record) error {
	cp := *r
	cp.AuthSteps = append([]loaders.AuthStep(nil), r.AuthSteps...)
	cp.CAPolicies = append([]loaders.CAPolicy(nil), r.CAPolicies...)
	c.recs = append(c.recs, cp)
	return nil
}
func (c *collectSink) Skip(string)                      {}
func (c *collectSink) Audit(*loaders.AuditRecord) error { return nil }
func (c *collectSink) Provisioning(*loaders.ProvisioningRecord) error {
	return nil
}
func (c *collectSink) Reject(loaders.Problem)           {}
func (c *collectSink) AuthStep(*loaders.AuthStep) error { return nil }

// BenchmarkContentHash is the cost per sign-in that versions add to parsing: the content
// hash (of a full diagnostic record with steps and CA policies).
func BenchmarkContentHash(b *testing.B) {
	ins, err := loaders.Inputs([]string{fixture("diagnostic", "all")})
	if err != nil {
		b.Fatal(err)
	}
	s := &collectSink{}
	if _, err := loaders.Read(ins[0], s); err != nil {
		b.Fatal(err)
	}
	var buf []byte
	var sink uint64
	for b.Loop() {
		for i := range s.recs {
			var h uint64
			h, buf = contentHash(buf, &s.recs[i])
			sink += h
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s.recs)), "ns/signin")
	_ = sink
}
