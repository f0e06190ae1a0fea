package gen

import (
	"encoding/csv"
	"fmt"
	"time"
)

// Writers of the audit and provisioning logs. Each format writes them beside its sign-ins,
// in the files its source would have: Graph pages, admin-center downloads, diagnostic
// containers, Log Analytics tables.

// recSink renders audit or provisioning events in one export format.
type recSink[T any] interface {
	write(x *T) error
	close() error
}

// recFormat describes how one format writes one record kind.
type recFormat[T any] struct {
	json     func(b []byte, x *T, f flavor) []byte                    // Graph object
	diag     func(b []byte, x *T, tenantID, resourceID string) []byte // diagnostic record
	ingested func(x *T) time.Time
	cols     []recCol[T]
	adminRow func(r *row, x *T)
	header   []string

	graphName, graphContext string // page file prefix, Graph collection
	adminName               string // admin-center download prefix
	container               string // diagnostic container
	table                   string // Log Analytics table
}

func auditFormat() *recFormat[Audit] {
	return &recFormat[Audit]{
		json: appendAudit, diag: appendAuditDiagnostic, ingested: func(a *Audit) time.Time { return a.Ingested },
		cols: auditColumns, adminRow: adminAuditRow, header: adminAuditHeader(),
		graphName: "directoryAudits", graphContext: "auditLogs/directoryAudits",
		adminName: "AuditLogs", container: "insights-logs-auditlogs", table: "AuditLogs",
	}
}

func provFormat() *recFormat[Provisioning] {
	return &recFormat[Provisioning]{
		json: appendProvisioning, diag: appendProvDiagnostic, ingested: func(p *Provisioning) time.Time { return p.Ingested },
		cols: provColumns, adminRow: adminProvRow, header: adminProvHeader,
		graphName: "provisioning", graphContext: "auditLogs/provisioning",
		adminName: "ProvisioningLogs", container: "insights-logs-provisioninglogs", table: "AADProvisioningLogs",
	}
}

// openRec opens the sink of one record kind for a format; n is the number of records.
func openRec[T any](format string, rf *recFormat[T], o *output, cfg Config, t *tenant, n int) (recSink[T], error) {
	from, to := cfg.dateRange()
	switch format {
	case "graph":
		return &pagedSink[T]{o: o, t: t, rf: rf, pages: (n + graphPageSize - 1) / graphPageSize}, nil
	case "admin-json":
		f, err := o.create(rf.adminName + "_" + from + "_" + to + ".json")
		if err != nil {
			return nil, err
		}
		return &jsonSink[T]{f: f, rf: rf, array: true}, nil
	case "diagnostic":
		return &diagSink[T]{o: o, t: t, rf: rf, resourceID: "/tenants/" + t.id + "/providers/Microsoft.aadiam"}, nil
	case "admin-csv":
		f, err := o.create(rf.adminName + "_" + from + "_" + to + ".csv")
		if err != nil {
			return nil, err
		}
		w := csv.NewWriter(f)
		w.UseCRLF = true
		if err := w.Write(rf.header); err != nil {
			return nil, err
		}
		return &csvSink[T]{f: f, w: w, rf: rf}, nil
	case "la-csv":
		f, err := o.create(rf.table + ".csv")
		if err != nil {
			return nil, err
		}
		w := csv.NewWriter(f)
		if err := w.Write(recHeader(rf.cols)); err != nil {
			return nil, err
		}
		if w.Flush(); w.Error() != nil {
			return nil, w.Error()
		}
		return &laRecSink[T]{f: f, rf: rf, ctx: newLACtx(t)}, nil
	case "la-json":
		f, err := o.create(rf.table + ".json")
		if err != nil {
			return nil, err
		}
		return &laRecSink[T]{f: f, rf: rf, ctx: newLACtx(t), json: true}, nil
	}
	return nil, fmt.Errorf("no audit writer for format %q", format)
}

// pagedSink writes Graph v1.0 response pages: <graphName>-page-0001.json, ...
type pagedSink[T any] struct {
	o             *output
	t             *tenant
	rf            *recFormat[T]
	pages, page   int
	inPage, total int
	f             *outFile
	buf           []byte
}

func (s *pagedSink[T]) startPage() error {
	s.page++
	f, err := s.o.create(fmt.Sprintf("%s-page-%04d.json", s.rf.graphName, s.page))
	if err != nil {
		return err
	}
	s.f, s.inPage = f, 0
	b := append(s.buf[:0], `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#`...)
	b = append(b, s.rf.graphContext...)
	b = append(b, `",`...)
	if s.page < s.pages {
		b = append(b, `"@odata.nextLink":"https://graph.microsoft.com/v1.0/`...)
		b = append(b, s.rf.graphContext...)
		b = append(b, `?$top=1000&$skiptoken=`...)
		b = append(b, s.t.ids.hex(keySkipToken, uint64(1<<20+s.page), 64, false)...)
		b = append(b, `",`...)
	}
	s.buf = append(b, `"value":[`...)
	return nil
}

func (s *pagedSink[T]) write(x *T) error {
	if s.f == nil || s.inPage == graphPageSize {
		if err := s.endPage(); err != nil {
			return err
		}
		if err := s.startPage(); err != nil {
			return err
		}
	} else {
		s.buf = append(s.buf[:0], ',')
	}
	s.buf = append(s.buf, '\n')
	s.buf = s.rf.json(s.buf, x, flGraph)
	s.inPage++
	s.total++
	_, err := s.f.Write(s.buf)
	return err
}

func (s *pagedSink[T]) endPage() error {
	if s.f == nil {
		return nil
	}
	if _, err := s.f.Write([]byte("\n]}\n")); err != nil {
		return err
	}
	err := s.f.close()
	s.f = nil
	return err
}

func (s *pagedSink[T]) close() error {
	if s.total == 0 { // an empty collection is one page with no value
		if err := s.startPage(); err != nil {
			return err
		}
		if _, err := s.f.Write(append(s.buf, "]}\n"...)); err != nil {
			return err
		}
		err := s.f.close()
		s.f = nil
		return err
	}
	return s.endPage()
}

// jsonSink writes one JSON array (admin-center download), one object per line.
type jsonSink[T any] struct {
	f     *outFile
	rf    *recFormat[T]
	array bool
	n     int
	buf   []byte
}

func (s *jsonSink[T]) write(x *T) error {
	b := s.buf[:0]
	if s.n == 0 {
		b = append(b, '[')
	} else {
		b = append(b, ',')
	}
	b = append(b, '\n')
	b = s.rf.json(b, x, flAdmin)
	s.buf = b
	s.n++
	_, err := s.f.Write(b)
	return err
}

func (s *jsonSink[T]) close() error {
	end := "\n]\n"
	if s.n == 0 {
		end = "[]\n"
	}
	if _, err := s.f.Write([]byte(end)); err != nil {
		return err
	}
	return s.f.close()
}

// diagSink writes one diagnostic container, one PT1H.json blob per hour of the write time.
// Records arrive in activity order and are written within minutes, so at most a few hours
// are open at once.
type diagSink[T any] struct {
	o          *output
	t          *tenant
	rf         *recFormat[T]
	resourceID string
	open       []hourFile
	buf        []byte
}

// maxWriteDelay bounds how long after its activity time a record is written.
const maxWriteDelay = 15 * time.Minute

func (s *diagSink[T]) write(x *T) error {
	at := s.rf.ingested(x)
	// No later record is written before at - maxWriteDelay: close hours ended by then.
	horizon := at.Add(-maxWriteDelay).Unix() / 3600
	kept := s.open[:0]
	for _, h := range s.open {
		if h.hour < horizon {
			if err := h.f.close(); err != nil {
				return err
			}
			continue
		}
		kept = append(kept, h)
	}
	s.open = kept
	hour := at.Unix() / 3600
	var f *outFile
	for _, h := range s.open {
		if h.hour == hour {
			f = h.f
		}
	}
	if f == nil {
		rel := fmt.Sprintf("%s/tenantId=%s/y=%04d/m=%02d/d=%02d/h=%02d/m=00/PT1H.json",
			s.rf.container, s.t.id, at.Year(), int(at.Month()), at.Day(), at.Hour())
		var err error
		if f, err = s.o.create(rel); err != nil {
			return err
		}
		s.open = append(s.open, hourFile{hour, f})
	}
	s.buf = s.rf.diag(s.buf[:0], x, s.t.id, s.resourceID)
	s.buf = append(s.buf, '\n')
	_, err := f.Write(s.buf)
	return err
}

func (s *diagSink[T]) close() error {
	for _, h := range s.open {
		if err := h.f.close(); err != nil {
			return err
		}
	}
	s.open = nil
	return nil
}

// csvSink writes the admin center's CSV download.
type csvSink[T any] struct {
	f   *outFile
	w   *csv.Writer
	rf  *recFormat[T]
	row row
}

func (s *csvSink[T]) write(x *T) error {
	s.row.reset()
	s.rf.adminRow(&s.row, x)
	return s.row.flush(s.w)
}

func (s *csvSink[T]) close() error {
	if s.w.Flush(); s.w.Error() != nil {
		return s.w.Error()
	}
	return s.f.close()
}

// laRecSink writes a Log Analytics table as the portal's CSV export or as JSON lines.
type laRecSink[T any] struct {
	f       *outFile
	rf      *recFormat[T]
	ctx     *laCtx
	json    bool
	row     row
	buf     []byte
	scratch []byte
}

func (s *laRecSink[T]) write(x *T) error {
	if s.json {
		b := append(s.buf[:0], '{')
		for _, c := range s.rf.cols {
			b = key(b, c.name)
			switch c.typ {
			case laDatetime:
				b = append(b, '"')
				b = appendTime(b, c.at(x), 3, "Z")
				b = append(b, '"')
			case laInt:
				b = c.val(b, x, s.ctx)
			default:
				s.scratch = c.val(s.scratch[:0], x, s.ctx)
				b = appendJSONEscaped(b, s.scratch)
			}
			b = append(b, ',')
		}
		b = append(closeObj(b), '\n')
		s.buf = b
		_, err := s.f.Write(b)
		return err
	}
	r := &s.row
	r.reset()
	for _, c := range s.rf.cols {
		if c.typ == laDatetime {
			r.laTime(c.at(x))
			continue
		}
		r.buf = c.val(r.buf, x, s.ctx)
		r.end()
	}
	s.buf = r.appendCSV(s.buf[:0])
	_, err := s.f.Write(s.buf)
	return err
}

func (s *laRecSink[T]) close() error { return s.f.close() }

// writeRecords writes the audit and provisioning events of g in one format.
func writeRecords(o *output, format string, g *generator) (audits, prov int, err error) {
	if g.cfg.Audits >= 0 {
		s, err := openRec(format, auditFormat(), o, g.cfg, g.t, g.cfg.Audits+len(g.auditScen))
		if err != nil {
			return 0, 0, err
		}
		if err := g.runAudits(func(a *Audit) error { audits++; return s.write(a) }); err != nil {
			return 0, 0, err
		}
		if err := s.close(); err != nil {
			return 0, 0, err
		}
	}
	if g.cfg.Provisioning >= 0 {
		s, err := openRec(format, provFormat(), o, g.cfg, g.t, g.cfg.Provisioning)
		if err != nil {
			return 0, 0, err
		}
		if err := g.runProvisioning(func(p *Provisioning) error { prov++; return s.write(p) }); err != nil {
			return 0, 0, err
		}
		if err := s.close(); err != nil {
			return 0, 0, err
		}
	}
	return audits, prov, nil
}
