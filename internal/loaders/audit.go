// The two sibling logs of the sign-ins: audit events (Graph directoryAudit, diagnostic
// category AuditLogs, Log Analytics AuditLogs, the admin center's audit download) and
// provisioning events (Graph provisioningObjectSummary, ProvisioningLogs,
// AADProvisioningLogs, the provisioning download), normalized as the sign-ins are: text
// columns in arrays indexed by a column enum, so that the store writes them in a loop and
// every format's field table fills the same slots.

package loaders

import "time"

// The log types of the two sibling logs, as load summaries and sources.log_types name them.
const (
	AuditLog        = "audit"
	ProvisioningLog = "provisioning"
)

// AuditStr names a text column of the audits table.
type AuditStr int

// The audit text columns, in schema order (id first, then after the two times the rest).
const (
	AuditID AuditStr = iota
	AuditCategory
	AuditActivity
	AuditOperationType
	AuditResult
	AuditResultReason
	AuditLoggedByService
	AuditCorrelationID
	AuditInitiatedByType
	AuditInitiatorUserID
	AuditInitiatorUPN
	AuditInitiatorDisplayName
	AuditInitiatorIP
	AuditInitiatorAppID
	AuditInitiatorSPID
	AuditInitiatorSPName
	NumAuditStr
)

// AuditColumns returns the audits column of each AuditStr, indexed by it.
func AuditColumns() [NumAuditStr]string {
	return [NumAuditStr]string{"id", "category", "activity", "operation_type", "result", "result_reason",
		"logged_by_service", "correlation_id", "initiated_by_type", "initiator_user_id", "initiator_upn",
		"initiator_display_name", "initiator_ip_address", "initiator_app_id", "initiator_service_principal_id",
		"initiator_service_principal_name"}
}

// AuditRecord is one normalized audit event.
type AuditRecord struct {
	S          [NumAuditStr]string
	ActivityAt time.Time
	IngestedAt time.Time // zero when the format has no write time
	// Details is additionalDetails as one JSON object {key: value}; nil when there are none.
	Details []byte
	Targets []AuditTarget

	// BadField and BadReason name a field whose value could not be read; the record is
	// rejected when it is the event time.
	BadField, BadReason string

	extra []byte // JSON object text being built, without the closing brace

	Line, Index, Offset int64 // provenance, as Record's
}

// AuditTarget is one target resource of an audit event, with its modified properties.
type AuditTarget struct {
	Type, ID, DisplayName, UPN, GroupType string
	Extra                                 []byte // other fields of the target as a JSON object; nil when none
	Props                                 []ModifiedProperty
}

// ModifiedProperty is one property an audit event changed: its old and new values as text
// (a JSON value that is not a string is kept as its JSON text).
type ModifiedProperty struct {
	Name, Old, New string
}

// Reset clears a for reuse, keeping allocated capacity.
func (a *AuditRecord) Reset() {
	extra, details, targets := a.extra[:0], a.Details[:0], a.Targets[:0]
	*a = AuditRecord{}
	a.extra, a.Details, a.Targets = extra, details[:0], targets
}

// AddExtra records a source field that has no column; raw must be JSON text.
func (a *AuditRecord) AddExtra(key string, raw []byte) { a.extra = appendExtra(a.extra, key, raw) }

// Extra returns the JSON object of fields without a column, or "" when there are none.
func (a *AuditRecord) Extra() string {
	if len(a.extra) == 0 {
		return ""
	}
	return string(a.extra) + "}"
}

// ProvStr names a text column of the provisioning table.
type ProvStr int

// The provisioning text columns, in schema order (id first, then after the two times the
// rest up to initiator_name).
const (
	ProvID ProvStr = iota
	ProvJobID
	ProvCycleID
	ProvChangeID
	ProvAction
	ProvStatus
	ProvErrorCode
	ProvErrorCategory
	ProvReason
	ProvSourceSystemID
	ProvSourceSystemName
	ProvTargetSystemID
	ProvTargetSystemName
	ProvSourceIdentityID
	ProvSourceIdentityName
	ProvSourceIdentityType
	ProvTargetIdentityID
	ProvTargetIdentityName
	ProvTargetIdentityType
	ProvServicePrincipalID
	ProvServicePrincipalName
	ProvInitiatorID
	ProvInitiatorName
	NumProvStr
)

// ProvColumns returns the provisioning column of each ProvStr, indexed by it.
func ProvColumns() [NumProvStr]string {
	return [NumProvStr]string{"id", "job_id", "cycle_id", "change_id", "action", "status", "error_code",
		"error_category", "reason", "source_system_id", "source_system_name", "target_system_id",
		"target_system_name", "source_identity_id", "source_identity_name", "source_identity_type",
		"target_identity_id", "target_identity_name", "target_identity_type", "service_principal_id",
		"service_principal_name", "initiator_id", "initiator_name"}
}

// ProvisioningRecord is one normalized provisioning event.
type ProvisioningRecord struct {
	S          [NumProvStr]string
	ActivityAt time.Time
	IngestedAt time.Time
	DurationMs Opt[int64]
	Steps      []byte // provisioningSteps as compact JSON (an array); nil when none
	Modified   []byte // modifiedProperties as compact JSON (an array); nil when none

	BadField, BadReason string

	extra []byte

	Line, Index, Offset int64
}

// Reset clears p for reuse, keeping allocated capacity.
func (p *ProvisioningRecord) Reset() {
	extra, steps, mod := p.extra[:0], p.Steps[:0], p.Modified[:0]
	*p = ProvisioningRecord{}
	p.extra, p.Steps, p.Modified = extra, steps[:0], mod[:0]
}

// AddExtra records a source field that has no column; raw must be JSON text.
func (p *ProvisioningRecord) AddExtra(key string, raw []byte) {
	p.extra = appendExtra(p.extra, key, raw)
}

// Extra returns the JSON object of fields without a column, or "" when there are none.
func (p *ProvisioningRecord) Extra() string {
	if len(p.extra) == 0 {
		return ""
	}
	return string(p.extra) + "}"
}

// clone returns a copy of a that shares no reused buffer with it (the targets' own slices
// are made afresh for every record and are shared).
func (a *AuditRecord) clone() AuditRecord {
	cp := *a
	cp.extra = append([]byte(nil), a.extra...)
	cp.Details = append([]byte(nil), a.Details...)
	cp.Targets = append([]AuditTarget(nil), a.Targets...)
	return cp
}

// clone returns a copy of p that shares no reused buffer with it.
func (p *ProvisioningRecord) clone() ProvisioningRecord {
	cp := *p
	cp.extra = append([]byte(nil), p.extra...)
	cp.Steps = append([]byte(nil), p.Steps...)
	cp.Modified = append([]byte(nil), p.Modified...)
	return cp
}

// Clone is clone for other packages (the store keeps records past the call).
func (a *AuditRecord) Clone() AuditRecord { return a.clone() }

// Clone is clone for other packages.
func (p *ProvisioningRecord) Clone() ProvisioningRecord { return p.clone() }

// Detach is Clone without the extra fields (Extra of the copy is ""): for a caller that has
// taken them with AppendExtra, so they are copied once.
func (a *AuditRecord) Detach() AuditRecord {
	cp := *a
	cp.extra = nil
	if len(a.Details) > 0 {
		cp.Details = append([]byte(nil), a.Details...)
	} else {
		cp.Details = nil
	}
	if len(a.Targets) > 0 {
		cp.Targets = append([]AuditTarget(nil), a.Targets...)
	} else {
		cp.Targets = nil
	}
	return cp
}

// Detach is Clone without the extra fields.
func (p *ProvisioningRecord) Detach() ProvisioningRecord {
	cp := *p
	cp.extra = nil
	cp.Steps = append([]byte(nil), p.Steps...)
	cp.Modified = append([]byte(nil), p.Modified...)
	return cp
}

// AppendExtra appends the JSON object of the fields without a column to dst (nothing when
// there are none).
func (a *AuditRecord) AppendExtra(dst []byte) []byte { return appendClosed(dst, a.extra) }

// AppendExtra appends the JSON object of the fields without a column to dst.
func (p *ProvisioningRecord) AppendExtra(dst []byte) []byte { return appendClosed(dst, p.extra) }

func appendClosed(dst, open []byte) []byte {
	if len(open) == 0 {
		return dst
	}
	return append(append(dst, open...), '}')
}
