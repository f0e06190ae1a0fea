package gen

import (
	"strconv"
	"time"
)

// Columns of the Log Analytics tables AuditLogs and AADProvisioningLogs and of the admin
// center's audit and provisioning CSV downloads.

// recCol is one column of a record table: val appends the cell's text (JSON text for
// dynamic columns); datetimes come from at.
type recCol[T any] struct {
	name string
	typ  laType
	val  func(b []byte, x *T, c *laCtx) []byte
	at   func(x *T) time.Time
}

func rStr[T any](name string, f func(x *T) string) recCol[T] {
	return recCol[T]{name: name, typ: laString, val: func(b []byte, x *T, _ *laCtx) []byte { return append(b, f(x)...) }}
}

func rConst[T any](name, v string) recCol[T] {
	return recCol[T]{name: name, typ: laString, val: func(b []byte, _ *T, _ *laCtx) []byte { return append(b, v...) }}
}

func rDyn[T any](name string, f func(b []byte, x *T) []byte) recCol[T] {
	return recCol[T]{name: name, typ: laDynamic, val: func(b []byte, x *T, _ *laCtx) []byte { return f(b, x) }}
}

func rTime[T any](name string, f func(x *T) time.Time) recCol[T] {
	return recCol[T]{name: name, typ: laDatetime, at: f}
}

func rWorkspace[T any]() recCol[T] {
	return recCol[T]{name: "TenantId", typ: laString, val: func(b []byte, _ *T, c *laCtx) []byte { return append(b, c.workspace...) }}
}

func rTenant[T any]() recCol[T] {
	return recCol[T]{name: "AADTenantId", typ: laString, val: func(b []byte, _ *T, c *laCtx) []byte { return append(b, c.tenant...) }}
}

func rResourceID[T any]() recCol[T] {
	return recCol[T]{name: "ResourceId", typ: laString, val: func(b []byte, _ *T, c *laCtx) []byte { return append(b, c.resourceID...) }}
}

// auditColumns is the AuditLogs table in the order of a real row (the OTRF AuditLogs sample)
// and the table reference.
var auditColumns = []recCol[Audit]{
	rWorkspace[Audit](),
	rConst[Audit]("SourceSystem", "Azure AD"),
	rTime("TimeGenerated", func(a *Audit) time.Time { return a.Ingested }),
	rResourceID[Audit](),
	rStr("OperationName", func(a *Audit) string { return a.Activity }),
	rConst[Audit]("OperationVersion", "1.0"),
	rStr("Category", func(a *Audit) string { return a.Category }),
	rStr("ResultType", func(a *Audit) string { return a.Result }),
	rConst[Audit]("ResultSignature", "None"),
	rStr("ResultDescription", func(a *Audit) string { return a.ResultReason }),
	{name: "DurationMs", typ: laInt, val: func(b []byte, _ *Audit, _ *laCtx) []byte { return append(b, '0') }},
	rStr("CorrelationId", func(a *Audit) string { return a.CorrelationID }),
	rConst[Audit]("Resource", "Microsoft.aadiam"),
	rConst[Audit]("ResourceGroup", "Microsoft.aadiam"),
	rConst[Audit]("ResourceProvider", ""),
	rStr("Identity", auditIdentity),
	rConst[Audit]("Level", "4"),
	rConst[Audit]("Location", ""),
	rDyn("AdditionalDetails", func(b []byte, a *Audit) []byte { return appendKeyValues(b, a.Details) }),
	rStr("Id", func(a *Audit) string { return a.ID }),
	rDyn("InitiatedBy", appendInitiator),
	rStr("LoggedByService", func(a *Audit) string { return a.Service }),
	rStr("Result", func(a *Audit) string { return a.Result }),
	rStr("ResultReason", func(a *Audit) string { return a.ResultReason }),
	rDyn("TargetResources", appendTargets),
	rTenant[Audit](),
	rStr("ActivityDisplayName", func(a *Audit) string { return a.Activity }),
	rTime("ActivityDateTime", func(a *Audit) time.Time { return a.Time }),
	rStr("AADOperationType", func(a *Audit) string { return a.OperationType }),
	rConst[Audit]("Type", "AuditLogs"),
}

// provColumns is the AADProvisioningLogs table (table reference). The table has no column for
// the source system (its SourceSystem is Log Analytics' own, "Azure AD"); TargetSystem keeps
// the target.
var provColumns = []recCol[Provisioning]{
	rWorkspace[Provisioning](),
	rConst[Provisioning]("SourceSystem", "Azure AD"),
	rTime("TimeGenerated", func(p *Provisioning) time.Time { return p.Ingested }),
	rConst[Provisioning]("OperationName", "Provisioning activity"),
	rConst[Provisioning]("OperationVersion", "1.0"),
	rConst[Provisioning]("Category", "ProvisioningLogs"),
	rStr("ResultType", provResultType),
	rStr("ResultSignature", provSignature),
	rStr("ResultDescription", func(p *Provisioning) string { return p.Reason }),
	{name: "DurationMs", typ: laInt, val: func(b []byte, p *Provisioning, _ *laCtx) []byte { return strconv.AppendInt(b, int64(p.DurationMs), 10) }},
	rStr("CorrelationId", func(p *Provisioning) string { return p.ChangeID }),
	rStr("Identity", func(p *Provisioning) string { return p.InitiatorName }),
	rConst[Provisioning]("Level", "4"),
	rConst[Provisioning]("Location", ""),
	rTenant[Provisioning](),
	rTime("ActivityDateTime", func(p *Provisioning) time.Time { return p.Time }),
	rStr("ChangeId", func(p *Provisioning) string { return p.ChangeID }),
	rStr("CycleId", func(p *Provisioning) string { return p.CycleID }),
	rStr("Id", func(p *Provisioning) string { return p.ID }),
	rDyn("InitiatedBy", appendProvInitiator),
	rStr("JobId", func(p *Provisioning) string { return p.JobID }),
	rDyn("ModifiedProperties", func(b []byte, p *Provisioning) []byte { return appendModified(b, p.Props) }),
	rStr("ProvisioningAction", func(p *Provisioning) string { return p.Action }),
	rDyn("ProvisioningStatusInfo", appendProvStatus),
	rDyn("ProvisioningSteps", appendProvSteps),
	rDyn("ServicePrincipal", appendProvSP),
	rDyn("SourceIdentity", func(b []byte, p *Provisioning) []byte {
		return appendProvIdentity(b, p.SourceID, p.SourceName, p.SourceType)
	}),
	rDyn("TargetIdentity", func(b []byte, p *Provisioning) []byte {
		return appendProvIdentity(b, p.TargetID, p.TargetName, p.TargetType)
	}),
	rDyn("TargetSystem", func(b []byte, p *Provisioning) []byte {
		return appendProvIdentity(b, p.TargetSystemID, p.TargetSystemName, "")
	}),
	rConst[Provisioning]("Type", "AADProvisioningLogs"),
}

func recHeader[T any](cols []recCol[T]) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.name
		if c.typ == laDatetime {
			h[i] += " [UTC]"
		}
	}
	return h
}

// The admin center's audit CSV: one row per event; targets, their modified properties and
// the additional details spread over numbered columns. No public file exists; the header is
// the one incident-response scripts for this download expect ("Date (UTC)", CorrelationId,
// Service, ..., Target3ModifiedProperty5NewValue, AdditionalDetail6Value). It has no column for
// the event id, the operation type or the initiating app's id.
const (
	adminAuditTargets = 3
	adminAuditProps   = 5
	adminAuditDetails = 6
)

func adminAuditHeader() []string {
	h := []string{"Date (UTC)", "CorrelationId", "Service", "Category", "Activity", "Result", "ResultReason", "User Agent",
		"ActorType", "ActorDisplayName", "ActorObjectId", "ActorUserPrincipalName", "IPAddress", "ActorHomeTenantId",
		"ActorHomeTenantName", "ActorServicePrincipalId", "ActorServicePrincipalName"}
	for t := 1; t <= adminAuditTargets; t++ {
		n := "Target" + strconv.Itoa(t)
		h = append(h, n+"Type", n+"DisplayName", n+"ObjectId", n+"UserPrincipalName")
		for p := 1; p <= adminAuditProps; p++ {
			m := n + "ModifiedProperty" + strconv.Itoa(p)
			h = append(h, m+"Name", m+"OldValue", m+"NewValue")
		}
	}
	for d := 1; d <= adminAuditDetails; d++ {
		n := "AdditionalDetail" + strconv.Itoa(d)
		h = append(h, n+"Key", n+"Value")
	}
	return h
}

// AdminAuditHeader is the header of the admin-center audit CSV written by admin-csv, in a new
// slice each call.
func AdminAuditHeader() []string { return adminAuditHeader() }

// auditUserAgent is the User-Agent additional detail, which the download also shows in a column.
func auditUserAgent(a *Audit) string {
	for _, d := range a.Details {
		if d.Key == "User-Agent" {
			return d.Value
		}
	}
	return ""
}

func adminAuditRow(r *row, a *Audit) {
	r.isoSeconds(a.Time)
	for _, s := range []string{a.CorrelationID, a.Service, a.Category, a.Activity, a.Result, a.ResultReason, auditUserAgent(a)} {
		r.str(s)
	}
	if a.InitiatedByUser() {
		for _, s := range []string{"User", "", a.InitUserID, a.InitUPN, a.InitIP, "", "", "", ""} {
			r.str(s)
		}
	} else {
		for _, s := range []string{"Application", a.InitName, "", "", "", "", "", a.InitSPID, a.InitName} {
			r.str(s)
		}
	}
	for ti := range adminAuditTargets {
		var t AuditTarget
		if ti < len(a.Targets) {
			t = a.Targets[ti]
		}
		r.str(t.Type)
		r.str(t.DisplayName)
		r.str(t.ID)
		r.str(t.UPN)
		for pi := range adminAuditProps {
			var p ModifiedProperty
			if pi < len(t.Props) {
				p = t.Props[pi]
			}
			r.str(p.Name)
			r.str(p.Old)
			r.str(p.New)
		}
	}
	for di := range adminAuditDetails {
		var d KeyValue
		if di < len(a.Details) {
			d = a.Details[di]
		}
		r.str(d.Key)
		r.str(d.Value)
	}
}

// adminProvHeader is the admin center's provisioning CSV (our choice of names: no public
// sample exists); steps and modified properties are JSON text.
var adminProvHeader = []string{"Date (UTC)", "Id", "Job ID", "Cycle ID", "Change ID", "Action", "Status", "Error Code", "Error Category",
	"Reason", "Source System", "Source System ID", "Target System", "Target System ID", "Source Identity ID", "Source Identity Name",
	"Source Identity Type", "Target Identity ID", "Target Identity Name", "Target Identity Type", "Application",
	"Service Principal ID", "Initiated By", "Duration (ms)", "Provisioning Steps", "Modified Properties"}

// AdminProvisioningHeader is the header of the admin-center provisioning CSV written by
// admin-csv, in a new slice each call.
func AdminProvisioningHeader() []string { return append([]string(nil), adminProvHeader...) }

func adminProvRow(r *row, p *Provisioning) {
	r.isoSeconds(p.Time)
	for _, s := range []string{p.ID, p.JobID, p.CycleID, p.ChangeID, p.Action, p.Status, p.ErrorCode, p.ErrorCategory, p.Reason,
		p.SourceSystemName, p.SourceSystemID, p.TargetSystemName, p.TargetSystemID, p.SourceID, p.SourceName, p.SourceType,
		p.TargetID, p.TargetName, p.TargetType, p.SPName, p.SPID, p.InitiatorName} {
		r.str(s)
	}
	r.int(p.DurationMs)
	r.buf = appendProvSteps(r.buf, p)
	r.end()
	r.buf = appendModified(r.buf, p.Props)
	r.end()
}
