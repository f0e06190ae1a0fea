package loaders

import (
	"strings"
	"testing"
)

// The admin center's audit download with the current blade's column titles (one flat
// "Target(s)" cell, the initiator as a UPN or an app's name): header-driven, unknown
// columns kept in extra.
func TestAdminAuditCSVBladeTitles(t *testing.T) {
	text := "Date (UTC),Service,Category,Activity,Status,Status reason,Target(s),Initiated by (actor),User agent\r\n" +
		"2025-06-02T09:15:30Z,Core Directory,RoleManagement,Add member to role,Success,,bob@contoso.example,admin@contoso.example,Mozilla/5.0\r\n" +
		"2025-06-02T10:05:45Z,Core Directory,ApplicationManagement,Add service principal credentials,Failure,Insufficient privileges,Payroll Connector,Automation App,\r\n" +
		"yesterday,Core Directory,UserManagement,Add user,Success,,carol@contoso.example,admin@contoso.example,\r\n"
	info, s, err := readText(t, "AuditLogs_2025-06-02_2025-06-03.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "admin-audit-csv" || len(s.audits) != 2 || len(s.problems) != 1 || len(s.recs) != 0 {
		t.Fatalf("format %s, %d audits, problems %+v", info.Format, len(s.audits), s.problems)
	}
	a, b := s.audits[0], s.audits[1]
	if a.S[AuditInitiatorUPN] != "admin@contoso.example" || a.S[AuditInitiatedByType] != "user" || a.S[AuditResult] != "success" ||
		len(a.Targets) != 1 || a.Targets[0].UPN != "bob@contoso.example" || a.Extra() != `{"User agent":"Mozilla/5.0"}` || a.Line != 2 {
		t.Errorf("row 1: %+v targets %+v extra %s", a.S, a.Targets, a.Extra())
	}
	if b.S[AuditInitiatorDisplayName] != "Automation App" || b.S[AuditResult] != "failure" || b.S[AuditResultReason] != "Insufficient privileges" ||
		b.Targets[0].DisplayName != "Payroll Connector" {
		t.Errorf("row 2: %+v targets %+v", b.S, b.Targets)
	}
	if p := s.problems[0]; p.Line != 4 || p.Field != "Date (UTC)" || !strings.Contains(p.Reason, "cannot read the time") {
		t.Errorf("problem %+v", p)
	}
}

// PowerShell's ConvertTo-Json of Get-MgAuditLogDirectoryAudit: PascalCase names, nested
// objects flattened to .NET type names without -Depth (treated as missing), /Date()/ times.
func TestPowerShellDirectoryAudit(t *testing.T) {
	text := `[{"ActivityDateTime":"\/Date(1748855730000)\/","ActivityDisplayName":"Add user","Category":"UserManagement",` +
		`"CorrelationId":"c1","Id":"Directory_X","InitiatedBy":{"App":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphAppIdentity",` +
		`"User":{"Id":"u1","UserPrincipalName":"admin@contoso.example","IPAddress":"203.0.113.10"}},"LoggedByService":"Core Directory",` +
		`"OperationType":"Add","Result":"success","ResultReason":"","TargetResources":["Microsoft.Graph.PowerShell.Models.MicrosoftGraphTargetResource"],` +
		`"AdditionalDetails":"System.Object[]","AdditionalProperties":{}}]`
	info, s, err := readText(t, "audit.json", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.audits) != 1 || len(s.problems) != 0 {
		t.Fatalf("%d audits, problems %+v", len(s.audits), s.problems)
	}
	a := s.audits[0]
	if !a.ActivityAt.Equal(mustTime(t, "2025-06-02T09:15:30Z")) || a.S[AuditInitiatorUPN] != "admin@contoso.example" ||
		a.S[AuditInitiatorIP] != "203.0.113.10" || a.S[AuditInitiatedByType] != "user" || len(a.Targets) != 0 || len(a.Details) != 0 {
		t.Errorf("audit %+v at %v targets %+v details %s", a.S, a.ActivityAt, a.Targets, a.Details)
	}
	if a.Extra() != "" {
		t.Errorf("extra %s", a.Extra())
	}
	if len(info.Notes) != 1 || !strings.Contains(info.Notes[0], ".NET type name") {
		t.Errorf("notes %q", info.Notes)
	}
}

// The admin center's provisioning download, header-driven.
func TestAdminProvisioningCSV(t *testing.T) {
	text := "Date (UTC),Identity,Action,Source System,Target System,Status,Job ID,Change ID,Error Code,Reason,Portal link\r\n" +
		"2025-06-02T12:40:10Z,Carol White,Update,Azure Active Directory,ServiceNow,Failure,job-1,chg-2,ServiceNowDuplicateEntry,Already exists,https://portal.example/x\r\n"
	info, s, err := readText(t, "ProvisioningLogs_2025-06-02.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "admin-audit-csv" || len(s.provs) != 1 || len(s.problems) != 0 {
		t.Fatalf("format %s, %d provisioning, problems %+v", info.Format, len(s.provs), s.problems)
	}
	p := s.provs[0]
	if p.S[ProvAction] != "update" || p.S[ProvStatus] != "failure" || p.S[ProvJobID] != "job-1" || p.S[ProvErrorCode] != "ServiceNowDuplicateEntry" ||
		p.S[ProvReason] != "Already exists" || p.S[ProvTargetSystemName] != "ServiceNow" || p.Extra() != `{"Identity":"Carol White","Portal link":"https://portal.example/x"}` {
		t.Errorf("provisioning %+v extra %s", p.S, p.Extra())
	}
}

// PowerShell's Export-Csv of Get-MgAuditLogDirectoryAudit: Graph property names as columns,
// nested objects written as .NET type names (missing), read by the audit download's reader.
func TestPowerShellAuditCSV(t *testing.T) {
	text := "\"ActivityDateTime\",\"ActivityDisplayName\",\"AdditionalDetails\",\"Category\",\"CorrelationId\",\"Id\",\"InitiatedBy\",\"LoggedByService\",\"OperationType\",\"Result\",\"ResultReason\",\"TargetResources\"\r\n" +
		"\"2025-06-02T09:15:30Z\",\"Add member to role\",\"System.Object[]\",\"RoleManagement\",\"c1\",\"Directory_1\",\"Microsoft.Graph.PowerShell.Models.MicrosoftGraphAuditActivityInitiator\",\"Core Directory\",\"Assign\",\"success\",\"\",\"System.Object[]\"\r\n"
	info, s, err := readText(t, "audits.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "admin-audit-csv" || len(s.audits) != 1 || len(s.problems) != 0 {
		t.Fatalf("format %s, %d audits, problems %+v", info.Format, len(s.audits), s.problems)
	}
	a := s.audits[0]
	if a.S[AuditID] != "Directory_1" || a.S[AuditActivity] != "Add member to role" || a.S[AuditOperationType] != "Assign" ||
		a.S[AuditLoggedByService] != "Core Directory" || a.Extra() != "" || len(a.Targets) != 0 || len(a.Details) != 0 {
		t.Errorf("audit %+v extra %s", a.S, a.Extra())
	}
	if n := info.Notes[len(info.Notes)-1]; !strings.Contains(n, "AdditionalDetails, InitiatedBy, TargetResources") {
		t.Errorf("notes %q", info.Notes)
	}
}
