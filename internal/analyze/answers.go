package analyze

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/queries"
	"github.com/signinlens/signinlens/internal/store"
	"github.com/signinlens/signinlens/internal/words"
)

// The Summary's lines: the answers drawn from the catalogue's summary: headers, and the
// warnings about what the loaded exports lack.

func (r *Report) warnings(caps []int64) []string {
	var w []string
	var rejected, versions, dups, skipped int64
	skippedBy := map[string]int64{}
	for _, f := range r.Sources {
		rejected += f.Rejected
		versions += f.Versions
		dups += f.Duplicates
		skipped += f.Skipped
		for k, v := range f.SkippedCategories {
			skippedBy[k] += v
		}
		switch {
		case f.Error != "":
			w = append(w, fmt.Sprintf("%s could not be read: %s", f.Path, f.Error))
		case f.Format == "unrecognized" || f.Format == "unreadable":
			w = append(w, fmt.Sprintf("%s is not a recognized sign-in export; nothing was loaded from it", f.Path))
		case f.Format == "empty":
			w = append(w, fmt.Sprintf("%s is empty", f.Path))
		}
		if f.Rejected > 0 {
			first := ""
			if len(f.Problems) > 0 {
				first = " (first: " + problemPlace(f.Problems[0]) + ": " + f.Problems[0].Reason + ")"
			}
			w = append(w, fmt.Sprintf("%s: %s rejected%s; see Sources", f.Path, words.Plural(f.Rejected, "record", "records"), first))
		}
		for _, c := range caps {
			if f.Records == c {
				w = append(w, fmt.Sprintf("%s holds exactly %s records, a known export cap: the export is probably cut short; export shorter periods or use the Graph API or diagnostic settings", f.Path, words.Thousands(c)))
			}
		}
	}
	if versions > 0 {
		w = append(w, fmt.Sprintf("%s merged into sign-ins already loaded (same request id, log type, time and error code, different content; each kept in signin_versions)", words.Plural(versions, "record version", "record versions")))
	}
	if dups > 0 {
		w = append(w, fmt.Sprintf("%s removed (copies of a version already loaded: same request id, log type, time and error code, same content)", words.Plural(dups, "duplicate record", "duplicate records")))
	}
	if skipped > 0 {
		var parts []string
		for _, k := range store.SortedKeys(skippedBy) {
			parts = append(parts, fmt.Sprintf("%s %d", k, skippedBy[k]))
		}
		w = append(w, fmt.Sprintf("%s skipped because not sign-ins (%s)", words.Plural(skipped, "record", "records"), strings.Join(parts, ", ")))
	}
	var missingTypes []string
	for _, c := range r.Counts {
		if c.SignIns == 0 {
			missingTypes = append(missingTypes, c.LogType)
		}
	}
	if r.Meta.SignIns == 0 && r.Meta.AuditEvents+r.Meta.ProvisioningEvents > 0 {
		w = append(w, fmt.Sprintf("no sign-ins were loaded, only %s and %s: the sign-in questions and detections have nothing to answer from; export the sign-in logs (interactive, non-interactive, service principal, managed identity) beside them",
			words.Plural(r.Meta.AuditEvents, "audit event", "audit events"), words.Plural(r.Meta.ProvisioningEvents, "provisioning event", "provisioning events")))
		missingTypes = nil
	}
	if len(missingTypes) > 0 {
		w = append(w, fmt.Sprintf("no %s sign-ins were loaded: if the tenant has them, the export is missing those logs, and answers about them are incomplete", strings.Join(missingTypes, ", ")))
	}
	formats := map[string][]string{}
	for _, f := range r.Sources {
		if f.Loaded > 0 && len(f.Unavailable) > 0 {
			formats[f.Format] = f.Unavailable
		}
	}
	for _, name := range keysOf(formats) {
		w = append(w, fmt.Sprintf("the %s format cannot carry these fields, so reports show them as not available: %s", name, strings.Join(formats[name], ", ")))
	}
	for _, s := range r.Sections {
		if s.Unavailable != "" {
			w = append(w, s.Unavailable)
		}
	}
	w = append(w, queries.RunWarnings(r.DetectionRuns)...)
	if r.OrphanAuthSteps > 0 {
		w = append(w, fmt.Sprintf("%d authentication-detail rows have no matching sign-in (their request id was not loaded)", r.OrphanAuthSteps))
	}
	if !r.Meta.Last.IsZero() && r.Meta.AsOf.Before(r.Meta.Last) {
		w = append(w, fmt.Sprintf("as-of %s is before the latest event (%s): later events are outside every window",
			r.Meta.AsOf.In(r.Location()).Format("2006-01-02 15:04 MST"), r.Meta.Last.In(r.Location()).Format("2006-01-02 15:04 MST")))
	}
	if w == nil {
		w = []string{}
	}
	return w
}

// exportCaps are the record counts at which an export tool stops, as the export-truncated
// detection bound them (its caps parameter, which --set changes): a file holding exactly
// one of them is probably truncated. The detection's run is used when there is one, else
// the parameter is bound afresh; no entry in the catalogue means no caps.
func exportCaps(runs []DetectionRun, p Params, asOf time.Time) ([]int64, error) {
	var b Bound
	for _, r := range runs {
		if r.Query != nil && r.Query.ID == "export-truncated" {
			b = r.Bound
		}
	}
	if b.Args == nil {
		q, ok := queries.Get("export-truncated")
		if !ok {
			return nil, nil
		}
		var err error
		if b, _, err = queries.Bind(q, p, asOf); err != nil {
			return nil, err
		}
	}
	text, _ := b.Args["caps"].(string)
	var caps []int64
	for _, f := range strings.Split(text, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("export-truncated.caps: %q is not a whole number", f)
		}
		caps = append(caps, n)
	}
	return caps, nil
}

// answers are the Summary's one-line answers, in the order of the summary: headers, each
// drawn from its query's section by the template the header declares: the sign-in answers,
// and apart from them the changes (queries reading the audit or provisioning log). A query
// missing from the report is left out; one that cannot be answered from these exports says
// why. When no audit log was loaded the audit queries' lines give way to one line saying so;
// the provisioning line is left out when no provisioning log was loaded.
func answers(r *Report) (signIns, changes []string, err error) {
	qs, err := queries.Summarized()
	if err != nil {
		return nil, nil, err
	}
	signIns, changes = []string{}, []string{}
	noAudit := false
	for _, q := range qs {
		s := r.Section(q.ID)
		if s == nil || s.Table == nil {
			continue
		}
		audit, prov := slices.Contains(q.LogTypes, "audit"), slices.Contains(q.LogTypes, "provisioning")
		switch {
		case audit && r.Meta.AuditEvents == 0:
			if !noAudit {
				noAudit = true
				changes = append(changes, "No audit log was loaded, so what changed (roles, authentication methods, consents, application credentials, Conditional Access) cannot be answered; export the audit log beside the sign-ins")
			}
			continue
		case prov && r.Meta.ProvisioningEvents == 0:
			continue
		}
		line := s.Unavailable
		if s.Answerable() {
			if line, err = q.Summary.Line(s.Query, s.Table, s.Bound, r.Location()); err != nil {
				return nil, nil, err
			}
		}
		if line == "" {
			continue
		}
		if audit || prov {
			changes = append(changes, line)
		} else {
			signIns = append(signIns, line)
		}
	}
	return signIns, changes, nil
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
