package gen

import (
	"fmt"
	"strconv"
	"strings"
)

// diagnosticSink writes what an Entra diagnostic setting archives to a storage account: one
// container per category, one PT1H.json blob per hour (by the record's `time`), one record
// per line.
type diagnosticSink struct {
	o          *output
	t          *tenant
	resourceID string
	open       [4][]hourFile // per log type; at most two hours are open at once
	buf        []byte
}

type hourFile struct {
	hour int64 // Unix time / 3600
	f    *outFile
}

func openDiagnostic(o *output, cfg Config, t *tenant) (sink, error) {
	return &diagnosticSink{o: o, t: t, resourceID: "/tenants/" + t.id + "/providers/Microsoft.aadiam"}, nil
}

func (s *diagnosticSink) file(e *Event) (*outFile, error) {
	// Records are written a few seconds after the event, so no later event can land in an
	// hour that ended before this event was created.
	created := e.Created.Unix() / 3600
	for i := range s.open {
		kept := s.open[i][:0]
		for _, h := range s.open[i] {
			if h.hour < created {
				if err := h.f.close(); err != nil {
					return nil, err
				}
				continue
			}
			kept = append(kept, h)
		}
		s.open[i] = kept
	}
	li := logIndex(e.LogType)
	hour := e.Ingested.Unix() / 3600
	for _, h := range s.open[li] {
		if h.hour == hour {
			return h.f, nil
		}
	}
	at := e.Ingested
	rel := fmt.Sprintf("insights-logs-%s/tenantId=%s/y=%04d/m=%02d/d=%02d/h=%02d/m=00/PT1H.json",
		strings.ToLower(category(e.LogType)), s.t.id, at.Year(), int(at.Month()), at.Day(), at.Hour())
	f, err := s.o.create(rel)
	if err != nil {
		return nil, err
	}
	s.open[li] = append(s.open[li], hourFile{hour, f})
	return f, nil
}

func (s *diagnosticSink) write(e *Event) error {
	f, err := s.file(e)
	if err != nil {
		return err
	}
	s.buf = appendDiagnostic(s.buf[:0], e, s.resourceID)
	s.buf = append(s.buf, '\n')
	_, err = f.Write(s.buf)
	return err
}

// appendDiagnostic appends one diagnostic-settings record, spaced as Azure Monitor writes it.
func appendDiagnostic(b []byte, e *Event, resourceID string) []byte {
	str := func(b []byte, k, v string) []byte {
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':', ' ')
		b = appendJSONString(b, v)
		return append(b, ',', ' ')
	}
	b = append(b, `{ "time": "`...)
	b = appendTime(b, e.Ingested, 7, "Z")
	b = append(b, `", `...)
	b = str(b, "resourceId", resourceID)
	b = str(b, "operationName", "Sign-in activity")
	b = str(b, "operationVersion", "1.0")
	b = str(b, "category", category(e.LogType))
	b = str(b, "tenantId", e.TenantID)
	b = str(b, "resultType", strconv.Itoa(e.ErrorCode))
	b = str(b, "resultSignature", "None")
	if e.ErrorCode != 0 {
		b = str(b, "resultDescription", e.FailureReason)
	}
	b = append(b, `"durationMs": 0, `...)
	if e.LogType != ManagedIdentity {
		b = str(b, "callerIpAddress", e.IPAddress)
	}
	b = str(b, "correlationId", e.CorrelationID)
	if e.IsUser() {
		b = str(b, "identity", e.UserDisplayName)
	}
	b = append(b, `"Level": 4, `...)
	if e.LogType != ManagedIdentity {
		b = str(b, "location", e.Country)
	}
	b = append(b, `"properties": `...)
	b = appendSignIn(b, e, flDiag)
	return append(b, '}')
}

func (s *diagnosticSink) close() error {
	for i := range s.open {
		for _, h := range s.open[i] {
			if err := h.f.close(); err != nil {
				return err
			}
		}
		s.open[i] = nil
	}
	return nil
}
