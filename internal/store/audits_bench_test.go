package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// auditBenchData writes about size bytes of audit events into dir, in diagnostic-settings
// JSON lines (category AuditLogs) or Graph JSON lines: the fixture's four events again and
// again with distinct ids and times.
func auditBenchData(b *testing.B, dir string, diagnostic bool, size int64) {
	b.Helper()
	f, err := os.Open(filepath.Join(auditFixtures, "graph", "directoryAudits.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var events []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			b.Fatal(err)
		}
		events = append(events, m)
	}
	out, err := os.Create(filepath.Join(dir, "PT1H.json"))
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(out)
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var n int64
	for i := 0; n < size; i++ {
		e := events[i%len(events)]
		at := start.Add(time.Duration(i) * time.Second)
		e["id"] = fmt.Sprintf("Directory_bench_%08d", i)
		e["activityDateTime"] = at.Format(time.RFC3339Nano)
		body, _ := json.Marshal(e)
		line := string(body)
		if diagnostic {
			line = fmt.Sprintf(`{"time":%q,"resourceId":"/tenants/t-0001/providers/Microsoft.aadiam","operationName":%q,"operationVersion":"1.0","category":"AuditLogs","tenantId":"t-0001","resultSignature":"None","durationMs":0,"callerIpAddress":"203.0.113.10","correlationId":%q,"Level":4,"properties":%s}`,
				at.Add(40*time.Second).Format("2006-01-02T15:04:05.0000000Z"), e["activityDisplayName"], e["correlationId"], body)
		}
		k, _ := w.WriteString(line + "\n")
		n += int64(k)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	out.Close()
}

// BenchmarkAuditLoadVsSignins loads a generated diagnostic-settings export of sign-ins and
// audit events of about the same size, alternately, and reports each one's MB/s and the
// ratio audit/sign-in, so that machine noise hits both alike.
//
//	go test ./internal/store -run '^$' -bench AuditLoadVsSignins -count 3
func BenchmarkAuditLoadVsSignins(b *testing.B) {
	signins := benchData(b, "diagnostic")
	_, sSize := benchInputs(b, signins)
	for _, c := range []struct {
		name       string
		diagnostic bool
	}{{"diagnostic", true}, {"graph-jsonl", false}} {
		b.Run(c.name, func(b *testing.B) {
			audits := b.TempDir()
			auditBenchData(b, audits, c.diagnostic, sSize)
			_, aSize := benchInputs(b, audits)
			var sT, aT time.Duration
			b.ResetTimer()
			for b.Loop() {
				sT += loadOnce(b, signins)
				aT += loadOnce(b, audits)
			}
			sMB := float64(sSize) / 1e6 * float64(b.N) / sT.Seconds()
			aMB := float64(aSize) / 1e6 * float64(b.N) / aT.Seconds()
			b.ReportMetric(sMB, "signin-MB/s")
			b.ReportMetric(aMB, "audit-MB/s")
			b.ReportMetric(aMB/sMB, "audit/signin")
			if strings.Contains(os.Getenv("SIGNINLENS_BENCH_VERBOSE"), "1") {
				b.Logf("sign-ins %d bytes, audits %d bytes", sSize, aSize)
			}
		})
	}
}
