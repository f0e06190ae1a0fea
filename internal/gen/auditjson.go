package gen

import "strconv"

// JSON renderings of audit and provisioning events: the Graph objects (directoryAudit,
// provisioningObjectSummary), which the admin center's JSON download and the diagnostic
// records' `properties` also carry.

func appendKeyValues(b []byte, kvs []KeyValue) []byte {
	b = append(b, '[')
	for _, kv := range kvs {
		b = append(b, '{')
		b = kStr(b, "key", kv.Key)
		b = kStr(b, "value", kv.Value)
		b = append(closeObj(b), ',')
	}
	return closeArr(b)
}

func appendModified(b []byte, props []ModifiedProperty) []byte {
	b = append(b, '[')
	for _, p := range props {
		b = append(b, '{')
		b = kStr(b, "displayName", p.Name)
		b = kStrNull(b, "oldValue", p.Old)
		b = kStrNull(b, "newValue", p.New)
		b = append(closeObj(b), ',')
	}
	return closeArr(b)
}

// appendInitiator appends initiatedBy: {"user": {...}, "app": null} or the reverse.
func appendInitiator(b []byte, a *Audit) []byte {
	b = append(b, '{')
	if a.InitiatedByUser() {
		b = append(key(b, "user"), '{')
		b = kStr(b, "id", a.InitUserID)
		b = append(key(b, "displayName"), "null,"...)
		b = kStr(b, "userPrincipalName", a.InitUPN)
		b = kStrNull(b, "ipAddress", a.InitIP)
		b = append(key(b, "userType"), "null,"...)
		b = append(key(b, "homeTenantId"), "null,"...)
		b = append(key(b, "homeTenantName"), "null,"...)
		b = append(closeObj(b), ',')
		b = append(key(b, "app"), "null,"...)
	} else {
		b = append(key(b, "app"), '{')
		b = kStrNull(b, "appId", a.InitAppID)
		b = kStr(b, "displayName", a.InitName)
		b = kStrNull(b, "servicePrincipalId", a.InitSPID)
		b = kStr(b, "servicePrincipalName", a.InitName)
		b = append(closeObj(b), ',')
		b = append(key(b, "user"), "null,"...)
	}
	return closeObj(b)
}

func appendTargets(b []byte, a *Audit) []byte {
	b = append(b, '[')
	for i := range a.Targets {
		t := &a.Targets[i]
		b = append(b, '{')
		b = kStr(b, "id", t.ID)
		b = kStrNull(b, "displayName", t.DisplayName)
		b = kStr(b, "type", t.Type)
		b = kStrNull(b, "userPrincipalName", t.UPN)
		b = kStrNull(b, "groupType", t.GroupType)
		b = append(appendModified(key(b, "modifiedProperties"), t.Props), ',')
		b = append(closeObj(b), ',')
	}
	return closeArr(b)
}

// appendAudit appends the Graph directoryAudit object of a (flDiag: +00:00 times, as the
// diagnostic records' properties spell them).
func appendAudit(b []byte, a *Audit, f flavor) []byte {
	b = append(b, '{')
	b = kStr(b, "id", a.ID)
	b = kStr(b, "category", a.Category)
	b = kStr(b, "correlationId", a.CorrelationID)
	b = kStr(b, "result", a.Result)
	b = kStr(b, "resultReason", a.ResultReason)
	b = kStr(b, "activityDisplayName", a.Activity)
	b = kTime(b, "activityDateTime", a.Time, f)
	b = kStr(b, "loggedByService", a.Service)
	b = kStr(b, "operationType", a.OperationType)
	b = append(appendInitiator(key(b, "initiatedBy"), a), ',')
	b = append(appendTargets(key(b, "targetResources"), a), ',')
	b = append(appendKeyValues(key(b, "additionalDetails"), a.Details), ',')
	return closeObj(b)
}

// auditIdentity is the diagnostic record's `identity`: who acted.
func auditIdentity(a *Audit) string {
	if a.InitiatedByUser() {
		return a.InitUPN
	}
	return a.InitName
}

// appendAuditDiagnostic appends one AuditLogs diagnostic-settings record.
func appendAuditDiagnostic(b []byte, a *Audit, tenantID, resourceID string) []byte {
	b = append(b, `{ "time": "`...)
	b = appendTime(b, a.Ingested, 7, "Z")
	b = append(b, `", `...)
	b = diagStr(b, "resourceId", resourceID)
	b = diagStr(b, "operationName", a.Activity)
	b = diagStr(b, "operationVersion", "1.0")
	b = diagStr(b, "category", "AuditLogs")
	b = diagStr(b, "tenantId", tenantID)
	b = diagStr(b, "resultSignature", "None")
	if a.ResultReason != "" {
		b = diagStr(b, "resultDescription", a.ResultReason)
	}
	b = append(b, `"durationMs": 0, `...)
	if a.InitIP != "" {
		b = diagStr(b, "callerIpAddress", a.InitIP)
	}
	b = diagStr(b, "correlationId", a.CorrelationID)
	b = diagStr(b, "identity", auditIdentity(a))
	b = append(b, `"Level": 4, "properties": `...)
	b = appendAudit(b, a, flDiag)
	return append(b, '}')
}

func diagStr(b []byte, k, v string) []byte {
	b = append(b, '"')
	b = append(b, k...)
	b = append(b, '"', ':', ' ')
	b = appendJSONString(b, v)
	return append(b, ',', ' ')
}

func appendDetailsObject(b []byte, kvs []KeyValue) []byte {
	b = append(b, '{')
	for _, kv := range kvs {
		b = kStr(b, kv.Key, kv.Value)
	}
	return closeObj(b)
}

func appendProvIdentity(b []byte, id, name, typ string) []byte {
	b = append(b, '{')
	b = kStrNull(b, "id", id)
	b = kStr(b, "displayName", name)
	if typ != "" {
		b = kStr(b, "identityType", typ)
	}
	b = append(key(b, "details"), "{},"...)
	return closeObj(b)
}

func appendProvStatus(b []byte, p *Provisioning) []byte {
	b = append(b, '{')
	b = kStr(b, "status", p.Status)
	if p.ErrorCode == "" {
		b = append(key(b, "errorInformation"), "null,"...)
	} else {
		b = append(key(b, "errorInformation"), '{')
		b = kStr(b, "errorCode", p.ErrorCode)
		b = kStr(b, "errorCategory", p.ErrorCategory)
		b = kStr(b, "reason", p.Reason)
		b = append(key(b, "additionalDetails"), "null,"...)
		b = append(key(b, "recommendedAction"), "null,"...)
		b = append(closeObj(b), ',')
	}
	return closeObj(b)
}

func appendProvSteps(b []byte, p *Provisioning) []byte {
	b = append(b, '[')
	for i := range p.Steps {
		s := &p.Steps[i]
		b = append(b, '{')
		b = kStr(b, "name", s.Name)
		b = kStr(b, "provisioningStepType", s.Type)
		b = kStr(b, "status", s.Status)
		b = kStr(b, "description", s.Description)
		b = append(appendDetailsObject(key(b, "details"), s.Details), ',')
		b = append(closeObj(b), ',')
	}
	return closeArr(b)
}

func appendProvInitiator(b []byte, p *Provisioning) []byte {
	b = append(b, '{')
	b = kStrNull(b, "id", p.InitiatorID)
	b = kStr(b, "displayName", p.InitiatorName)
	b = kStr(b, "initiatorType", "system")
	return closeObj(b)
}

func appendProvSP(b []byte, p *Provisioning) []byte {
	b = append(b, '{')
	b = kStr(b, "id", p.SPID)
	b = kStr(b, "displayName", p.SPName)
	return closeObj(b)
}

// appendProvisioning appends the Graph provisioningObjectSummary object of p.
func appendProvisioning(b []byte, p *Provisioning, f flavor) []byte {
	b = append(b, '{')
	b = kStr(b, "id", p.ID)
	b = kTime(b, "activityDateTime", p.Time, f)
	b = kStr(b, "jobId", p.JobID)
	b = kStr(b, "cycleId", p.CycleID)
	b = kStr(b, "changeId", p.ChangeID)
	b = kStr(b, "provisioningAction", p.Action)
	b = kInt(b, "durationInMilliseconds", p.DurationMs)
	b = append(appendProvInitiator(key(b, "initiatedBy"), p), ',')
	b = append(appendProvSP(key(b, "servicePrincipal"), p), ',')
	b = append(appendProvIdentity(key(b, "sourceSystem"), p.SourceSystemID, p.SourceSystemName, ""), ',')
	b = append(appendProvIdentity(key(b, "targetSystem"), p.TargetSystemID, p.TargetSystemName, ""), ',')
	b = append(appendProvIdentity(key(b, "sourceIdentity"), p.SourceID, p.SourceName, p.SourceType), ',')
	b = append(appendProvIdentity(key(b, "targetIdentity"), p.TargetID, p.TargetName, p.TargetType), ',')
	b = append(appendProvStatus(key(b, "provisioningStatusInfo"), p), ',')
	b = append(appendProvSteps(key(b, "provisioningSteps"), p), ',')
	b = append(appendModified(key(b, "modifiedProperties"), p.Props), ',')
	return closeObj(b)
}

// provResultType is the diagnostic record's and Log Analytics' ResultType.
func provResultType(p *Provisioning) string {
	switch p.Status {
	case "failure":
		return "Failure"
	case "skipped":
		return "Skipped"
	}
	return "Success"
}

func provSignature(p *Provisioning) string {
	if p.ErrorCode == "" {
		return "None"
	}
	return p.ErrorCode
}

// appendProvDiagnostic appends one ProvisioningLogs diagnostic-settings record.
func appendProvDiagnostic(b []byte, p *Provisioning, tenantID, resourceID string) []byte {
	b = append(b, `{ "time": "`...)
	b = appendTime(b, p.Ingested, 7, "Z")
	b = append(b, `", `...)
	b = diagStr(b, "resourceId", resourceID)
	b = diagStr(b, "operationName", "Provisioning activity")
	b = diagStr(b, "operationVersion", "1.0")
	b = diagStr(b, "category", "ProvisioningLogs")
	b = diagStr(b, "tenantId", tenantID)
	b = diagStr(b, "resultType", provResultType(p))
	b = diagStr(b, "resultSignature", provSignature(p))
	if p.Reason != "" {
		b = diagStr(b, "resultDescription", p.Reason)
	}
	b = append(b, `"durationMs": `...)
	b = strconv.AppendInt(b, int64(p.DurationMs), 10)
	b = append(b, ", "...)
	b = diagStr(b, "correlationId", p.ChangeID)
	b = diagStr(b, "identity", p.InitiatorName)
	b = append(b, `"Level": 4, "properties": `...)
	b = appendProvisioning(b, p, flDiag)
	return append(b, '}')
}
