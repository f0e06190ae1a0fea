package gen

// adminPrefix returns the admin center's download file name prefix of a log type.
func adminPrefix(logType string) string {
	switch logType {
	case Interactive:
		return "InteractiveSignIns"
	case NonInteractive:
		return "NonInteractiveSignIns"
	case ServicePrincipal:
		return "ApplicationSignIns"
	default:
		return "MSISignIns"
	}
}

// adminJSONSink writes the admin center's JSON download: one top-level array per log type,
// one sign-in per line, in files such as InteractiveSignIns_2025-06-01_2025-06-07.json.
type adminJSONSink struct {
	files [4]*outFile
	n     [4]int
	buf   []byte
}

func openAdminJSON(o *output, cfg Config, t *tenant) (sink, error) {
	s := &adminJSONSink{}
	from, to := cfg.dateRange()
	for i, lt := range LogTypes() {
		f, err := o.create(adminPrefix(lt) + "_" + from + "_" + to + ".json")
		if err != nil {
			return nil, err
		}
		if _, err := f.Write([]byte{'['}); err != nil {
			return nil, err
		}
		s.files[i] = f
	}
	return s, nil
}

func (s *adminJSONSink) write(e *Event) error {
	i := logIndex(e.LogType)
	b := s.buf[:0]
	if s.n[i] > 0 {
		b = append(b, ',')
	}
	b = append(b, '\n')
	b = appendSignIn(b, e, flAdmin)
	s.buf = b
	s.n[i]++
	_, err := s.files[i].Write(b)
	return err
}

func (s *adminJSONSink) close() error {
	for _, f := range s.files {
		if _, err := f.Write([]byte("\n]\n")); err != nil {
			return err
		}
		if err := f.close(); err != nil {
			return err
		}
	}
	return nil
}
