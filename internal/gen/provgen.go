package gen

import (
	"math/rand/v2"
	"strings"
	"time"
)

// The provisioning job: outbound user provisioning from Entra ID to ServiceNow, one cycle
// every 40 minutes, as the gallery connector runs.
const (
	provCycle      = 40 * time.Minute
	serviceNowName = "ServiceNow"
	entraName      = "Azure Active Directory"
)

// provisioning failures the ServiceNow connector reports, and why users are skipped.
var (
	provFailures = []struct{ code, category, reason string }{
		{"InvalidLookupReference", "NonServiceFailure", "The value of the attribute 'department' refers to a record that does not exist in the ServiceNow reference table."},
		{"DuplicateTargetEntries", "NonServiceFailure", "The operation failed because more than one user was found in ServiceNow with the matching attribute 'user_name'."},
		{"ServiceNowTooManyRequests", "Failure", "ServiceNow throttled the request (HTTP 429); the change is retried in the next cycle."},
	}
	provSkips = []string{
		"NotEffectivelyEntitled: the user is not assigned to the application or is not a member of a group assigned to it.",
		"RedundantExport: the user already has the same attribute values in ServiceNow; no change was exported.",
	}
)

func (t *tenant) provJobID() string {
	return "ServiceNowOutDelta." + strings.ReplaceAll(t.id, "-", "") + "." + t.ids.hex(keyProvisioning, 1<<40, 32, false)
}

// runProvisioning streams the provisioning events.
func (g *generator) runProvisioning(fn func(*Provisioning) error) error {
	arr := newArrivals(g, g.cfg.Provisioning, 0x9e0f)
	var p Provisioning
	job := g.t.provJobID()
	for seq := 0; arr.more(); seq++ {
		at := arr.next()
		// Changes are exported in the cycle that follows them: snap to the cycle's start,
		// spread over its first two minutes, keeping the order.
		off := at.Sub(g.cfg.Start)
		cycle := off / provCycle
		start := g.cfg.Start.Add(cycle * provCycle)
		at = start.Add(5*time.Second + (off-cycle*provCycle)/20).Truncate(100 * time.Nanosecond)
		g.buildProvisioning(&p, arr.r, at, seq, uint64(cycle), job)
		if err := fn(&p); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) buildProvisioning(p *Provisioning, r *rand.Rand, at time.Time, seq int, cycle uint64, job string) {
	t := g.t
	d := t.ids
	*p = Provisioning{Seq: seq, Time: at, JobID: job, Steps: p.Steps[:0], Props: p.Props[:0]}
	p.Ingested = at.Add(time.Duration(60+r.IntN(300))*time.Second + time.Duration(r.IntN(10_000_000))*100)
	p.ID = d.guid(keyProvisioning, uint64(seq))
	p.ChangeID = d.guid(keyProvisioningChange, uint64(seq))
	p.CycleID = d.guid(keyProvisioningCycle, cycle)
	p.DurationMs = 300 + r.IntN(2500)
	p.SourceSystemID, p.SourceSystemName = d.guid(keyObject, 1<<34), entraName
	p.TargetSystemID, p.TargetSystemName = d.guid(keyObject, 1<<35), serviceNowName
	p.SPID, p.SPName = t.serviceNowSP(), serviceNowName
	p.InitiatorID, p.InitiatorName = "", "Azure AD Provisioning Service"
	ui := t.bgUsers[r.IntN(len(t.bgUsers))]
	u := &t.users[ui]
	p.SourceID, p.SourceName, p.SourceType = u.id, u.display, "User"
	p.TargetName, p.TargetType = u.display, "user"
	sysID := d.hex(keyServiceNowID, uint64(ui), 32, false)
	switch x := r.IntN(100); {
	case x < 30:
		p.Action = "create"
	case x < 90:
		p.Action = "update"
	default:
		p.Action = "disable"
	}
	p.Status = "success"
	switch y := r.IntN(100); {
	case y < 10:
		p.Status = "skipped"
		p.Reason = provSkips[r.IntN(len(provSkips))]
		p.ErrorCode = strings.SplitN(p.Reason, ":", 2)[0]
		p.ErrorCategory = "SuccessOrNonFailure"
	case y < 15:
		f := provFailures[r.IntN(len(provFailures))]
		p.Status, p.ErrorCode, p.ErrorCategory, p.Reason = "failure", f.code, f.category, f.reason
	}
	if p.Action != "create" || p.Status == "success" {
		p.TargetID = sysID
	}
	local, _, _ := strings.Cut(u.upn, "@")
	first, last, _ := strings.Cut(u.display, " ")
	switch p.Action {
	case "create":
		p.Props = append(p.Props,
			ModifiedProperty{"user_name", "", u.upn}, ModifiedProperty{"email", "", u.upn},
			ModifiedProperty{"first_name", "", first}, ModifiedProperty{"last_name", "", last}, ModifiedProperty{"active", "", "True"})
	case "update":
		o, n := pickTwo(r, departments)
		p.Props = append(p.Props, ModifiedProperty{"department", o, n})
	default:
		p.Props = append(p.Props, ModifiedProperty{"active", "True", "False"})
	}
	verb := map[string]string{"create": "Add", "update": "Update", "disable": "Update"}[p.Action]
	change := map[string]string{"create": "Add", "update": "Update", "disable": "Update"}[p.Action]
	p.Steps = append(p.Steps,
		ProvisioningStep{Name: "EntryImport", Type: "import", Status: "success",
			Description: "Received User '" + u.upn + "' change of type (" + change + ") from " + entraName},
		ProvisioningStep{Name: "EntrySynchronizationScoping", Type: "scoping", Status: "success",
			Description: "Determine if User in scope by evaluating against each scoping filter"})
	if p.Status == "skipped" {
		p.Steps[1].Status = "skipped"
		p.Steps[1].Description = p.Reason
		p.Props = p.Props[:0]
		return
	}
	match := ProvisioningStep{Name: "EntryImportByMatching", Type: "matching", Status: "success",
		Description: "Retrieved " + local + " from " + serviceNowName}
	if p.Action == "create" {
		match.Name, match.Description = "EntryImportObjectNotFound", "Unable to match User '"+u.upn+"' with an existing entry in "+serviceNowName
	}
	export := ProvisioningStep{Name: "EntryExport" + verb, Type: "export", Status: p.Status,
		Description: "User '" + local + "' was " + map[string]string{"Add": "created", "Update": "updated"}[verb] + " in " + serviceNowName}
	if p.Status == "failure" {
		export.Description = "Failed to " + strings.ToLower(verb) + " User '" + local + "' in " + serviceNowName + ": " + p.Reason
		export.Details = []KeyValue{{"ReportableIdentifier", local}, {"ErrorCode", p.ErrorCode}}
	} else {
		export.Details = []KeyValue{{"ReportableIdentifier", local}}
	}
	p.Steps = append(p.Steps, match, export)
}
