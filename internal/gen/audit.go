package gen

import "time"

// Audit is one generated directory audit event (Graph directoryAudit): the model every writer
// renders. Strings that do not apply are empty.
type Audit struct {
	Seq      int    // position in time order, from 0
	Scenario string // the Scenario.Name of the incident it follows, "" for background activity

	ID            string    // Directory_<correlation id>_<5 letters>_<number>, as Entra writes them
	Time          time.Time // activityDateTime, UTC, 100 ns precision
	Ingested      time.Time // write time: diagnostic `time`, Log Analytics TimeGenerated
	Category      string    // UserManagement, GroupManagement, ApplicationManagement, RoleManagement, Policy, Device
	Activity      string    // activityDisplayName
	OperationType string    // Add, Update, Delete, Assign
	Result        string    // success or failure
	ResultReason  string
	Service       string // loggedByService
	CorrelationID string

	// Initiator: a user (InitUserID set) or an app (InitAppID or InitSPID set).
	InitUserID, InitUPN, InitIP   string
	InitAppID, InitSPID, InitName string // the app's id, service principal id and display name

	Targets []AuditTarget
	Details []KeyValue // additionalDetails
}

// AuditTarget is one targetResources entry.
type AuditTarget struct {
	Type, ID, DisplayName, UPN, GroupType string
	Props                                 []ModifiedProperty
}

// ModifiedProperty is one modifiedProperties entry; Old and New are the exported text (JSON
// text for most directory properties, "" for null).
type ModifiedProperty struct{ Name, Old, New string }

// KeyValue is one additionalDetails entry or provisioning step detail.
type KeyValue struct{ Key, Value string }

// InitiatedByUser reports whether a user (rather than an app) initiated the event.
func (a *Audit) InitiatedByUser() bool { return a.InitUserID != "" }

// Clone returns a copy of a that shares nothing with it.
func (a *Audit) Clone() *Audit {
	c := *a
	c.Targets = make([]AuditTarget, len(a.Targets))
	for i, t := range a.Targets {
		t.Props = append([]ModifiedProperty(nil), t.Props...)
		c.Targets[i] = t
	}
	c.Details = append([]KeyValue(nil), a.Details...)
	return &c
}

// Provisioning is one generated provisioning event (Graph provisioningObjectSummary).
type Provisioning struct {
	Seq      int
	Scenario string // always "" today: the provisioning log has no planted incident

	ID, JobID, CycleID, ChangeID string
	Time, Ingested               time.Time
	Action                       string // create, update, delete, disable (provisioningAction)
	Status                       string // success, failure, skipped
	ErrorCode, ErrorCategory     string // failure and skipped events
	Reason                       string // the error's or the skip's reason
	DurationMs                   int

	SourceSystemID, SourceSystemName string
	TargetSystemID, TargetSystemName string
	SourceID, SourceName, SourceType string
	TargetID, TargetName, TargetType string
	SPID, SPName                     string // the provisioning application's service principal
	InitiatorID, InitiatorName       string

	Steps []ProvisioningStep
	Props []ModifiedProperty
}

// ProvisioningStep is one provisioningSteps entry.
type ProvisioningStep struct {
	Name, Type, Status, Description string
	Details                         []KeyValue
}

// Clone returns a copy of p that shares nothing with it.
func (p *Provisioning) Clone() *Provisioning {
	c := *p
	c.Steps = make([]ProvisioningStep, len(p.Steps))
	for i, s := range p.Steps {
		s.Details = append([]KeyValue(nil), s.Details...)
		c.Steps[i] = s
	}
	c.Props = append([]ModifiedProperty(nil), p.Props...)
	return &c
}

// Audits calls fn for every directory audit event of cfg in time order (activityDateTime,
// ties in a fixed order). The *Audit is reused: fn must not keep it (use Clone).
func Audits(cfg Config, fn func(*Audit) error) error {
	g, err := newGenerator(cfg)
	if err != nil {
		return err
	}
	return g.runAudits(fn)
}

// ProvisioningEvents calls fn for every provisioning event of cfg in time order. The
// *Provisioning is reused: fn must not keep it (use Clone).
func ProvisioningEvents(cfg Config, fn func(*Provisioning) error) error {
	g, err := newGenerator(cfg)
	if err != nil {
		return err
	}
	return g.runProvisioning(fn)
}
