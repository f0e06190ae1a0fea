package gen

import "fmt"

// graphPageSize is the number of sign-ins per page, Graph's maximum $top.
const graphPageSize = 1000

// graphSink writes Graph beta /auditLogs/signIns response pages: page-0001.json, ...
// Every page but the last has an @odata.nextLink. Unlike Graph, which returns the newest
// sign-in first, pages are in ascending time order.
type graphSink struct {
	o      *output
	t      *tenant
	pages  int
	page   int
	inPage int
	f      *outFile
	buf    []byte
}

func openGraph(o *output, cfg Config, t *tenant) (sink, error) {
	return &graphSink{o: o, t: t, pages: (cfg.Events + graphPageSize - 1) / graphPageSize}, nil
}

func (s *graphSink) write(e *Event) error {
	if s.f == nil || s.inPage == graphPageSize {
		if err := s.endPage(); err != nil {
			return err
		}
		s.page++
		f, err := s.o.create(fmt.Sprintf("page-%04d.json", s.page))
		if err != nil {
			return err
		}
		s.f, s.inPage = f, 0
		b := append(s.buf[:0], `{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",`...)
		if s.page < s.pages {
			b = append(b, `"@odata.nextLink":"https://graph.microsoft.com/beta/auditLogs/signIns?$top=1000&$skiptoken=`...)
			b = append(b, s.t.ids.hex(keySkipToken, uint64(s.page), 64, false)...)
			b = append(b, `",`...)
		}
		b = append(b, `"value":[`...)
		s.buf = b
	} else {
		s.buf = append(s.buf[:0], ',')
	}
	s.buf = append(s.buf, '\n')
	s.buf = appendSignIn(s.buf, e, flGraph)
	s.inPage++
	_, err := s.f.Write(s.buf)
	return err
}

func (s *graphSink) endPage() error {
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

func (s *graphSink) close() error { return s.endPage() }
