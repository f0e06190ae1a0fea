package loaders

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// auditLines is about size bytes of diagnostic AuditLogs records: the four fixture events
// again and again with distinct ids and times.
func auditLines(tb testing.TB, size int) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "audit", "graph", "directoryAudits.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	var events []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			tb.Fatal(err)
		}
		events = append(events, m)
	}
	var b bytes.Buffer
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; b.Len() < size; i++ {
		e := events[i%len(events)]
		at := start.Add(time.Duration(i) * time.Second)
		e["id"] = fmt.Sprintf("Directory_bench_%08d", i)
		e["activityDateTime"] = at.Format(time.RFC3339Nano)
		body, _ := json.Marshal(e)
		fmt.Fprintf(&b, `{"time":%q,"resourceId":"/tenants/t-0001/providers/Microsoft.aadiam","operationName":%q,"operationVersion":"1.0","category":"AuditLogs","tenantId":"t-0001","resultSignature":"None","durationMs":0,"callerIpAddress":"203.0.113.10","correlationId":%q,"Level":4,"properties":%s}`+"\n",
			at.Add(40*time.Second).Format("2006-01-02T15:04:05.0000000Z"), e["activityDisplayName"], e["correlationId"], body)
	}
	return b.Bytes()
}

// BenchmarkAuditVsSigninLines parses diagnostic JSON lines of sign-ins and of audit events
// of about the same size with one goroutine, alternately, and reports the CPU time per MB
// of each and their ratio (audit/sign-in; below 1 is faster), CPU time being steadier than
// wall time on a shared machine.
//
//	go test ./internal/loaders -run '^$' -bench AuditVsSigninLines -count 3
func BenchmarkAuditVsSigninLines(b *testing.B) {
	signins := genLines(b, 20_000)
	audits := auditLines(b, len(signins))
	read := func(data []byte) time.Duration {
		c0 := cpuTime()
		s := &countSink{}
		if _, err := ReadWith(bytesInput("PT1H.json", data), s, ReadOptions{Workers: 1}); err != nil || s.n == 0 || s.rejected > 0 {
			b.Fatalf("read: %v, %d records, %d rejected", err, s.n, s.rejected)
		}
		return cpuTime() - c0
	}
	var sT, aT time.Duration
	for b.Loop() {
		sT += read(signins)
		aT += read(audits)
	}
	sPerMB := sT.Seconds() * 1e3 / (float64(len(signins)) / 1e6 * float64(b.N))
	aPerMB := aT.Seconds() * 1e3 / (float64(len(audits)) / 1e6 * float64(b.N))
	b.ReportMetric(sPerMB, "signin-cpu-ms/MB")
	b.ReportMetric(aPerMB, "audit-cpu-ms/MB")
	b.ReportMetric(aPerMB/sPerMB, "audit/signin")
}
