package loaders

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The same six sign-ins (testdata/csv/same-events: three interactive, one non-interactive,
// one service principal, one managed identity) exported as Graph JSON pages, as the admin
// center's CSV download and as Log Analytics CSV exports. Every format must load them to
// the same values, except the fields a file declares it cannot carry; and a field a file
// declares unavailable must really be empty.

// loaded is one record with the file it came from.
type loaded struct {
	rec         Record
	file        string
	unavailable map[string]bool
}

// loadDir reads every file under dir with Read and returns the sign-ins by request id and
// the separate authentication steps.
func loadDir(t *testing.T, dir string) (map[string]*loaded, []AuthStep) {
	t.Helper()
	var files []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no files under %s", dir)
	}
	out := map[string]*loaded{}
	var steps []AuthStep
	for _, f := range files {
		info, s := readFile(t, f)
		if len(s.problems) > 0 {
			t.Errorf("%s: %d problems, first %+v", f, len(s.problems), s.problems[0])
		}
		un := map[string]bool{}
		for _, u := range info.Unavailable {
			un[u] = true
		}
		for i := range s.recs {
			r := s.recs[i]
			id := r.S[ID]
			if _, dup := out[id]; dup {
				t.Fatalf("%s: id %s twice", f, id)
			}
			out[id] = &loaded{rec: r, file: filepath.Base(f), unavailable: un}
		}
		steps = append(steps, s.steps...)
	}
	return out, steps
}

// compared are the fields checked across formats: every schema field but the write time
// (a property of the pipeline, not of the sign-in), plus the log type and the status.
var compared = func() []string {
	var out []string
	for _, f := range schemaFields {
		if f != "ingested_at" {
			out = append(out, f)
		}
	}
	return append(out, "log_type", "status")
}()

// fieldText renders one field of a record for comparison; times at second precision.
func fieldText(r *Record, name string) string {
	for i, c := range strColumns {
		if c == name {
			return r.S[i]
		}
	}
	tri := func(t Tri) string {
		switch t {
		case True:
			return "true"
		case False:
			return "false"
		}
		return ""
	}
	switch name {
	case "log_type":
		return r.LogType
	case "status":
		return r.Status()
	case "created_at":
		return r.CreatedAt.Truncate(time.Second).Format(time.RFC3339)
	case "ingested_at":
		if r.IngestedAt.IsZero() {
			return ""
		}
		return r.IngestedAt.Truncate(time.Second).Format(time.RFC3339)
	case "autonomous_system_number":
		if r.ASN.Valid {
			return fmt.Sprint(r.ASN.V)
		}
	case "processing_time_ms":
		if r.ProcessingMs.Valid {
			return fmt.Sprint(r.ProcessingMs.V)
		}
	case "latitude":
		if r.Latitude.Valid {
			return fmt.Sprint(r.Latitude.V)
		}
	case "longitude":
		if r.Longitude.Valid {
			return fmt.Sprint(r.Longitude.V)
		}
	case "error_code":
		if r.HasErrorCode {
			return fmt.Sprint(r.ErrorCode)
		}
	case "device_compliant":
		return tri(r.Compliant)
	case "device_managed":
		return tri(r.Managed)
	case "is_interactive":
		return tri(r.Interactive)
	case "flagged_for_review":
		return tri(r.Flagged)
	case "risk_event_types":
		return strings.Join(r.RiskEventTypes, ",")
	case "ca_policies":
		var b []string
		for _, p := range r.CAPolicies {
			b = append(b, fmt.Sprintf("%s|%s|%s|%v|%v", p.ID, p.Name, p.Result, p.Grant, p.Session))
		}
		return strings.Join(b, ";")
	case "auth_steps":
		return stepsText(r.AuthSteps)
	default:
		panic("fieldText: unknown field " + name)
	}
	return ""
}

func stepsText(steps []AuthStep) string {
	var b []string
	for _, s := range steps {
		b = append(b, fmt.Sprintf("%s|%s|%s|%d|%s|%s", s.Time.Truncate(time.Second).Format(time.RFC3339), s.Method, s.MethodDetail, s.Succeeded, s.ResultDetail, s.Requirement))
	}
	return strings.Join(b, ";")
}

func TestSameEventsAcrossCSVFormats(t *testing.T) {
	base := "../../testdata/csv/same-events"
	ref, _ := loadDir(t, filepath.Join(base, "graph"))
	// Hand-counted: three interactive, one of each other log.
	wantTypes := map[string]int{Interactive: 3, NonInteractive: 1, ServicePrinc: 1, ManagedIdent: 1}
	countTypes := func(m map[string]*loaded) map[string]int {
		c := map[string]int{}
		for _, l := range m {
			c[l.rec.LogType]++
		}
		return c
	}
	if got := countTypes(ref); fmt.Sprint(got) != fmt.Sprint(wantTypes) {
		t.Fatalf("graph reference: log types %v, want %v", got, wantTypes)
	}
	for _, format := range []string{"admin", "la"} {
		t.Run(format, func(t *testing.T) {
			got, steps := loadDir(t, filepath.Join(base, format))
			if c := countTypes(got); fmt.Sprint(c) != fmt.Sprint(wantTypes) {
				t.Errorf("log types %v, want %v", c, wantTypes)
			}
			compareCount := 0
			for id, want := range ref {
				g, ok := got[id]
				if !ok {
					t.Errorf("%s missing", id)
					continue
				}
				for _, f := range compared {
					gv, wv := fieldText(&g.rec, f), fieldText(&want.rec, f)
					if g.unavailable[f] {
						if gv != "" && f != "created_at" {
							t.Errorf("%s %s: %s is declared unavailable but holds %q", g.file, id, f, gv)
						}
						continue
					}
					compareCount++
					if gv != wv {
						t.Errorf("%s %s: %s = %q, graph has %q", g.file, id, f, gv, wv)
					}
				}
			}
			t.Logf("%d field values compared", compareCount)
			if format != "admin" {
				return
			}
			// The admin center's AuthDetails files: the steps of each sign-in, in order, and
			// one row (hand-written) whose sign-in is in no file.
			byID := map[string][]AuthStep{}
			for _, s := range steps {
				byID[s.RequestID] = append(byID[s.RequestID], s)
			}
			if len(steps) != 6 {
				t.Errorf("%d auth-detail rows, want 6", len(steps))
			}
			for id, want := range ref {
				if g, w := stepsText(byID[id]), stepsText(want.rec.AuthSteps); g != w {
					t.Errorf("auth steps of %s:\n got %s\nwant %s", id, g, w)
				}
				delete(byID, id)
			}
			if len(byID) != 1 || len(byID["99999999-0000-0000-0000-000000000099"]) != 1 {
				t.Errorf("orphan auth steps %v, want only 99999999-...-099", byID)
			}
		})
	}
}

// The Log Analytics JSON exports (the query API's tables[] and rows as JSON lines) of the
// same events load through json.go; their rows hold a subset of columns, so the key
// columns are compared.
func TestSameEventsLogAnalyticsJSON(t *testing.T) {
	base := "../../testdata/csv/same-events"
	ref, _ := loadDir(t, filepath.Join(base, "graph"))
	got, _ := loadDir(t, filepath.Join(base, "la-json"))
	if len(got) != len(ref) {
		t.Fatalf("%d sign-ins, want %d", len(got), len(ref))
	}
	keys := []string{"log_type", "id", "created_at", "user_principal_name", "user_id", "user_display_name", "app_id", "ip_address",
		"error_code", "status", "failure_reason", "city", "state", "country", "latitude", "resource_id", "resource_display_name",
		"correlation_id", "service_principal_id", "service_principal_name", "conditional_access_status", "auth_steps"}
	for id, want := range ref {
		g := got[id]
		if g == nil {
			t.Errorf("%s missing", id)
			continue
		}
		for _, f := range keys {
			if gv, wv := fieldText(&g.rec, f), fieldText(&want.rec, f); gv != wv {
				t.Errorf("%s %s: %s = %q, graph has %q", g.file, id, f, gv, wv)
			}
		}
	}
}
