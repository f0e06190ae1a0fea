package gen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signinlens/signinlens/internal/gen"
)

// The audit and provisioning events each format holds, read back with the standard library
// and reduced to one line each (times to the second, which every format keeps), compared with
// the model and between formats.

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// dyn returns a JSON value that Log Analytics carries as JSON text.
func dyn(t *testing.T, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("dynamic column %q: %v", s, err)
	}
	return out
}

func modelAudit(a *gen.Audit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%s|%s|%s|", a.ID, a.Time.Truncate(time.Second).Format(time.RFC3339), a.Category, a.Activity,
		a.OperationType, a.Result, a.ResultReason, a.Service, a.CorrelationID)
	fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s", a.InitUserID, a.InitUPN, a.InitIP, a.InitAppID, a.InitSPID, a.InitName)
	for _, tg := range a.Targets {
		fmt.Fprintf(&b, "|T %s,%s,%s,%s", tg.Type, tg.ID, tg.DisplayName, tg.UPN)
		for _, p := range tg.Props {
			fmt.Fprintf(&b, "|P %s=%s=>%s", p.Name, p.Old, p.New)
		}
	}
	for _, d := range a.Details {
		fmt.Fprintf(&b, "|D %s=%s", d.Key, d.Value)
	}
	return b.String()
}

// graphAudit reduces a directoryAudit object (Graph, admin JSON, diagnostic properties, or
// Log Analytics columns turned into the same keys) to the model's line.
func graphAudit(t *testing.T, o map[string]any, timeLayout string) string {
	a := gen.Audit{ID: str(o["id"]), Category: str(o["category"]), Activity: str(o["activityDisplayName"]),
		OperationType: str(o["operationType"]), Result: str(o["result"]), ResultReason: str(o["resultReason"]),
		Service: str(o["loggedByService"]), CorrelationID: str(o["correlationId"])}
	a.Time = parseTime(t, timeLayout, str(o["activityDateTime"]))
	init := o["initiatedBy"].(map[string]any)
	if u, ok := init["user"].(map[string]any); ok {
		a.InitUserID, a.InitUPN, a.InitIP = str(u["id"]), str(u["userPrincipalName"]), str(u["ipAddress"])
	} else if ap, ok := init["app"].(map[string]any); ok {
		a.InitAppID, a.InitSPID, a.InitName = str(ap["appId"]), str(ap["servicePrincipalId"]), str(ap["displayName"])
	}
	for _, x := range o["targetResources"].([]any) {
		m := x.(map[string]any)
		tg := gen.AuditTarget{Type: str(m["type"]), ID: str(m["id"]), DisplayName: str(m["displayName"]), UPN: str(m["userPrincipalName"])}
		for _, y := range m["modifiedProperties"].([]any) {
			p := y.(map[string]any)
			tg.Props = append(tg.Props, gen.ModifiedProperty{Name: str(p["displayName"]), Old: str(p["oldValue"]), New: str(p["newValue"])})
		}
		a.Targets = append(a.Targets, tg)
	}
	for _, x := range o["additionalDetails"].([]any) {
		m := x.(map[string]any)
		a.Details = append(a.Details, gen.KeyValue{Key: str(m["key"]), Value: str(m["value"])})
	}
	return modelAudit(&a)
}

// laAudit turns an AuditLogs row into Graph's keys.
func laAudit(t *testing.T, row map[string]any) map[string]any {
	return map[string]any{"id": row["Id"], "category": row["Category"], "activityDisplayName": row["ActivityDisplayName"],
		"operationType": row["AADOperationType"], "result": row["Result"], "resultReason": row["ResultReason"],
		"loggedByService": row["LoggedByService"], "correlationId": row["CorrelationId"], "activityDateTime": row["ActivityDateTime"],
		"initiatedBy": dyn(t, row["InitiatedBy"]), "targetResources": dyn(t, row["TargetResources"]), "additionalDetails": dyn(t, row["AdditionalDetails"])}
}

func modelProv(p *gen.Provisioning, withSourceSystem bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d|", p.ID, p.Time.Truncate(time.Second).Format(time.RFC3339), p.JobID, p.CycleID, p.ChangeID,
		p.Action, p.Status, p.ErrorCode, p.ErrorCategory, p.Reason, p.DurationMs)
	if withSourceSystem {
		fmt.Fprintf(&b, "%s,%s|", p.SourceSystemID, p.SourceSystemName)
	}
	fmt.Fprintf(&b, "%s,%s|%s,%s,%s|%s,%s,%s|%s,%s|%s,%s", p.TargetSystemID, p.TargetSystemName, p.SourceID, p.SourceName, p.SourceType,
		p.TargetID, p.TargetName, p.TargetType, p.SPID, p.SPName, p.InitiatorID, p.InitiatorName)
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "|S %s,%s,%s,%s", s.Name, s.Type, s.Status, s.Description)
		for _, d := range s.Details {
			fmt.Fprintf(&b, ",%s=%s", d.Key, d.Value)
		}
	}
	for _, m := range p.Props {
		fmt.Fprintf(&b, "|P %s=%s=>%s", m.Name, m.Old, m.New)
	}
	return b.String()
}

func ident(v any) (id, name, typ string) {
	m, _ := v.(map[string]any)
	return str(m["id"]), str(m["displayName"]), str(m["identityType"])
}

// graphProv reduces a provisioningObjectSummary object to the model's line.
func graphProv(t *testing.T, o map[string]any, timeLayout string, withSourceSystem bool) string {
	p := gen.Provisioning{ID: str(o["id"]), JobID: str(o["jobId"]), CycleID: str(o["cycleId"]), ChangeID: str(o["changeId"]),
		Action: str(o["provisioningAction"])}
	p.Time = parseTime(t, timeLayout, str(o["activityDateTime"]))
	p.DurationMs, _ = strconv.Atoi(str(o["durationInMilliseconds"]))
	st := o["provisioningStatusInfo"].(map[string]any)
	p.Status = str(st["status"])
	if e, ok := st["errorInformation"].(map[string]any); ok {
		p.ErrorCode, p.ErrorCategory, p.Reason = str(e["errorCode"]), str(e["errorCategory"]), str(e["reason"])
	}
	p.SourceSystemID, p.SourceSystemName, _ = ident(o["sourceSystem"])
	p.TargetSystemID, p.TargetSystemName, _ = ident(o["targetSystem"])
	p.SourceID, p.SourceName, p.SourceType = ident(o["sourceIdentity"])
	p.TargetID, p.TargetName, p.TargetType = ident(o["targetIdentity"])
	p.SPID, p.SPName, _ = ident(o["servicePrincipal"])
	p.InitiatorID, p.InitiatorName, _ = ident(o["initiatedBy"])
	for _, x := range o["provisioningSteps"].([]any) {
		m := x.(map[string]any)
		s := gen.ProvisioningStep{Name: str(m["name"]), Type: str(m["provisioningStepType"]), Status: str(m["status"]), Description: str(m["description"])}
		d := m["details"].(map[string]any)
		// Details keep their written order: ReportableIdentifier, then ErrorCode.
		for _, k := range []string{"ReportableIdentifier", "ErrorCode"} {
			if v, ok := d[k]; ok {
				s.Details = append(s.Details, gen.KeyValue{Key: k, Value: str(v)})
			}
		}
		if len(s.Details) != len(d) {
			t.Fatalf("step details %v", d)
		}
		p.Steps = append(p.Steps, s)
	}
	for _, x := range o["modifiedProperties"].([]any) {
		m := x.(map[string]any)
		p.Props = append(p.Props, gen.ModifiedProperty{Name: str(m["displayName"]), Old: str(m["oldValue"]), New: str(m["newValue"])})
	}
	return modelProv(&p, withSourceSystem)
}

func laProv(t *testing.T, row map[string]any) map[string]any {
	return map[string]any{"id": row["Id"], "jobId": row["JobId"], "cycleId": row["CycleId"], "changeId": row["ChangeId"],
		"provisioningAction": row["ProvisioningAction"], "activityDateTime": row["ActivityDateTime"], "durationInMilliseconds": str(row["DurationMs"]),
		"provisioningStatusInfo": dyn(t, row["ProvisioningStatusInfo"]), "targetSystem": dyn(t, row["TargetSystem"]),
		"sourceIdentity": dyn(t, row["SourceIdentity"]), "targetIdentity": dyn(t, row["TargetIdentity"]),
		"servicePrincipal": dyn(t, row["ServicePrincipal"]), "initiatedBy": dyn(t, row["InitiatedBy"]),
		"provisioningSteps": dyn(t, row["ProvisioningSteps"]), "modifiedProperties": dyn(t, row["ModifiedProperties"])}
}

func csvMaps(t *testing.T, path string) []map[string]any {
	recs := readCSV(t, path)
	var out []map[string]any
	for _, r := range recs[1:] {
		m := map[string]any{}
		for i, h := range recs[0] {
			m[strings.TrimSuffix(h, " [UTC]")] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func jsonArray(t *testing.T, path string) []map[string]any {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

func graphPages(t *testing.T, dir, prefix, context string) []map[string]any {
	paths, _ := filepath.Glob(filepath.Join(dir, prefix+"-page-*.json"))
	if len(paths) == 0 {
		t.Fatalf("no %s pages in %s", prefix, dir)
	}
	var out []map[string]any
	for i, p := range paths {
		b, _ := os.ReadFile(p)
		var page struct {
			Context  string           `json:"@odata.context"`
			NextLink string           `json:"@odata.nextLink"`
			Value    []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if page.Context != "https://graph.microsoft.com/v1.0/$metadata#"+context || (page.NextLink == "") != (i == len(paths)-1) {
			t.Fatalf("%s: context %q, nextLink %q", p, page.Context, page.NextLink)
		}
		out = append(out, page.Value...)
	}
	return out
}

func diagRecords(t *testing.T, dir, container, category string) []map[string]any {
	var out []map[string]any
	for _, p := range files(t, filepath.Join(dir, container)) {
		readJSONObjects(t, p, func(o map[string]any) {
			if o["category"] != category {
				t.Fatalf("%s: category %v", p, o["category"])
			}
			tm := o["time"].(string)
			if !strings.Contains(filepath.ToSlash(p), "/h="+tm[11:13]+"/") {
				t.Fatalf("%s: time %s outside the blob's hour", p, tm)
			}
			out = append(out, o["properties"].(map[string]any))
		})
	}
	return out
}

func jsonLines(t *testing.T, path string) []map[string]any {
	var out []map[string]any
	readJSONObjects(t, path, func(o map[string]any) { out = append(out, o) })
	return out
}

func adminCSVAudit(t *testing.T, m map[string]any) string {
	a := gen.Audit{CorrelationID: str(m["CorrelationId"]), Service: str(m["Service"]), Category: str(m["Category"]),
		Activity: str(m["Activity"]), Result: str(m["Result"]), ResultReason: str(m["ResultReason"])}
	a.Time = parseTime(t, "2006-01-02T15:04:05Z", str(m["Date (UTC)"]))
	if m["ActorType"] == "User" {
		a.InitUserID, a.InitUPN, a.InitIP = str(m["ActorObjectId"]), str(m["ActorUserPrincipalName"]), str(m["IPAddress"])
	} else {
		a.InitSPID, a.InitName = str(m["ActorServicePrincipalId"]), str(m["ActorServicePrincipalName"])
	}
	for ti := 1; ; ti++ {
		n := fmt.Sprintf("Target%d", ti)
		if str(m[n+"Type"]) == "" {
			break
		}
		tg := gen.AuditTarget{Type: str(m[n+"Type"]), ID: str(m[n+"ObjectId"]), DisplayName: str(m[n+"DisplayName"]), UPN: str(m[n+"UserPrincipalName"])}
		for pi := 1; str(m[fmt.Sprintf("%sModifiedProperty%dName", n, pi)]) != ""; pi++ {
			k := fmt.Sprintf("%sModifiedProperty%d", n, pi)
			tg.Props = append(tg.Props, gen.ModifiedProperty{Name: str(m[k+"Name"]), Old: str(m[k+"OldValue"]), New: str(m[k+"NewValue"])})
		}
		a.Targets = append(a.Targets, tg)
	}
	for di := 1; str(m[fmt.Sprintf("AdditionalDetail%dKey", di)]) != ""; di++ {
		k := fmt.Sprintf("AdditionalDetail%d", di)
		a.Details = append(a.Details, gen.KeyValue{Key: str(m[k+"Key"]), Value: str(m[k+"Value"])})
	}
	return modelAudit(&a)
}

func adminCSVProv(t *testing.T, m map[string]any) map[string]any {
	var steps, props any
	if err := json.Unmarshal([]byte(str(m["Provisioning Steps"])), &steps); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(str(m["Modified Properties"])), &props); err != nil {
		t.Fatal(err)
	}
	var errInfo any
	if str(m["Error Code"]) != "" {
		errInfo = map[string]any{"errorCode": m["Error Code"], "errorCategory": m["Error Category"], "reason": m["Reason"]}
	}
	obj := func(id, name, typ string) map[string]any {
		return map[string]any{"id": m[id], "displayName": m[name], "identityType": m[typ]}
	}
	return map[string]any{"id": m["Id"], "jobId": m["Job ID"], "cycleId": m["Cycle ID"], "changeId": m["Change ID"],
		"provisioningAction": m["Action"], "activityDateTime": m["Date (UTC)"], "durationInMilliseconds": m["Duration (ms)"],
		"provisioningStatusInfo": map[string]any{"status": m["Status"], "errorInformation": errInfo},
		"sourceSystem":           obj("Source System ID", "Source System", ""), "targetSystem": obj("Target System ID", "Target System", ""),
		"sourceIdentity":   obj("Source Identity ID", "Source Identity Name", "Source Identity Type"),
		"targetIdentity":   obj("Target Identity ID", "Target Identity Name", "Target Identity Type"),
		"servicePrincipal": obj("Service Principal ID", "Application", ""), "initiatedBy": map[string]any{"displayName": m["Initiated By"]},
		"provisioningSteps": steps, "modifiedProperties": props}
}

// TestAuditsSameInEveryFormat checks that every format holds exactly the model's audit and
// provisioning events, in time order, with their targets, modified properties and details.
func TestAuditsSameInEveryFormat(t *testing.T) {
	cfg := gen.Config{Seed: 5, Events: 3000, Scenarios: true}
	dir := t.TempDir()
	stats, err := gen.WriteAll(context.Background(), dir, gen.Formats(), cfg, gen.Options{Subdirs: true})
	if err != nil {
		t.Fatal(err)
	}
	var wantA, wantAdminA []string
	var wantP, wantPNoSource []string
	if err := gen.Audits(cfg, func(a *gen.Audit) error {
		wantA = append(wantA, modelAudit(a))
		// The admin-center CSV has no id, operation type or initiating app id.
		c := a.Clone()
		c.ID, c.OperationType, c.InitAppID = "", "", ""
		wantAdminA = append(wantAdminA, modelAudit(c))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := gen.ProvisioningEvents(cfg, func(p *gen.Provisioning) error {
		wantP = append(wantP, modelProv(p, true))
		wantPNoSource = append(wantPNoSource, modelProv(p, false))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(wantA) != 3000/20+11 || len(wantP) != 3000/30 {
		t.Fatalf("model: %d audits, %d provisioning events; want %d and %d", len(wantA), len(wantP), 3000/20+11, 3000/30)
	}
	const z7, diag, la, adm = "2006-01-02T15:04:05.0000000Z", "2006-01-02T15:04:05.0000000-07:00", "2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05Z"
	for _, st := range stats {
		d := filepath.Join(dir, st.Format)
		var gotA, gotP []string
		wa, wp := wantA, wantP
		switch st.Format {
		case "graph":
			for _, o := range graphPages(t, d, "directoryAudits", "auditLogs/directoryAudits") {
				gotA = append(gotA, graphAudit(t, o, z7))
			}
			for _, o := range graphPages(t, d, "provisioning", "auditLogs/provisioning") {
				gotP = append(gotP, graphProv(t, o, z7, true))
			}
		case "admin-json":
			for _, o := range jsonArray(t, filepath.Join(d, "AuditLogs_2025-06-01_2025-06-07.json")) {
				gotA = append(gotA, graphAudit(t, o, z7))
			}
			for _, o := range jsonArray(t, filepath.Join(d, "ProvisioningLogs_2025-06-01_2025-06-07.json")) {
				gotP = append(gotP, graphProv(t, o, z7, true))
			}
		case "diagnostic":
			recs := diagRecords(t, d, "insights-logs-auditlogs", "AuditLogs")
			sortByTime(recs)
			for _, o := range recs {
				gotA = append(gotA, graphAudit(t, o, diag))
			}
			precs := diagRecords(t, d, "insights-logs-provisioninglogs", "ProvisioningLogs")
			sortByTime(precs)
			for _, o := range precs {
				gotP = append(gotP, graphProv(t, o, diag, true))
			}
		case "la-csv", "la-json":
			var rowsA, rowsP []map[string]any
			if st.Format == "la-csv" {
				rowsA, rowsP = csvMaps(t, filepath.Join(d, "AuditLogs.csv")), csvMaps(t, filepath.Join(d, "AADProvisioningLogs.csv"))
			} else {
				rowsA, rowsP = jsonLines(t, filepath.Join(d, "AuditLogs.json")), jsonLines(t, filepath.Join(d, "AADProvisioningLogs.json"))
			}
			layout := la
			if st.Format == "la-csv" {
				layout = "1/2/2006, 3:04:05.000 PM"
			}
			for _, r := range rowsA {
				gotA = append(gotA, graphAudit(t, laAudit(t, r), layout))
			}
			for _, r := range rowsP {
				gotP = append(gotP, graphProv(t, laProv(t, r), layout, false))
			}
			wp = wantPNoSource
		case "admin-csv":
			for _, m := range csvMaps(t, filepath.Join(d, "AuditLogs_2025-06-01_2025-06-07.csv")) {
				gotA = append(gotA, adminCSVAudit(t, m))
			}
			wa = wantAdminA
			for _, m := range csvMaps(t, filepath.Join(d, "ProvisioningLogs_2025-06-01_2025-06-07.csv")) {
				gotP = append(gotP, graphProv(t, adminCSVProv(t, m), adm, true))
			}
		default:
			t.Fatalf("format %s not covered", st.Format)
		}
		if st.Audits != len(wantA) || st.Provisioning != len(wantP) {
			t.Errorf("%s: stats say %d audits and %d provisioning events, want %d and %d", st.Format, st.Audits, st.Provisioning, len(wantA), len(wantP))
		}
		compareLines(t, st.Format+" audits", gotA, wa)
		compareLines(t, st.Format+" provisioning", gotP, wp)
	}
}

// sortByTime orders diagnostic records (read blob by blob, by write hour) by activity time;
// ties keep their order.
func sortByTime(recs []map[string]any) {
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && str(recs[j]["activityDateTime"]) < str(recs[j-1]["activityDateTime"]); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
}

func compareLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d records, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: record %d\n got %s\nwant %s", what, i, got[i], want[i])
			return
		}
	}
}

// TestAdminAuditHeader holds the admin-center audit CSV header to the layout incident-response
// scripts for that download expect (written out by hand).
func TestAdminAuditHeader(t *testing.T) {
	h := gen.AdminAuditHeader()
	head := "Date (UTC),CorrelationId,Service,Category,Activity,Result,ResultReason,User Agent,ActorType,ActorDisplayName," +
		"ActorObjectId,ActorUserPrincipalName,IPAddress,ActorHomeTenantId,ActorHomeTenantName,ActorServicePrincipalId," +
		"ActorServicePrincipalName,Target1Type,Target1DisplayName,Target1ObjectId,Target1UserPrincipalName," +
		"Target1ModifiedProperty1Name,Target1ModifiedProperty1OldValue,Target1ModifiedProperty1NewValue"
	if got := strings.Join(h[:24], ","); got != head {
		t.Errorf("header starts\n%s\nwant\n%s", got, head)
	}
	if len(h) != 86 || h[len(h)-2] != "AdditionalDetail6Key" || h[len(h)-1] != "AdditionalDetail6Value" || h[len(h)-13] != "Target3ModifiedProperty5NewValue" {
		t.Errorf("%d columns, ending %q", len(h), h[len(h)-13:])
	}
}

// TestAuditsOff checks that the audit and provisioning logs can be left out, and that the
// sign-ins do not depend on them.
func TestAuditsOff(t *testing.T) {
	on := gen.Config{Seed: 9, Events: 1000, Scenarios: true}
	off := on
	off.Audits, off.Provisioning = -1, -1
	a, b := model(t, on), model(t, off)
	if len(a) != len(b) {
		t.Fatalf("%d sign-ins with audits, %d without", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || !a[i].Created.Equal(b[i].Created) || a[i].UserPrincipalName != b[i].UserPrincipalName || a[i].IPAddress != b[i].IPAddress {
			t.Fatalf("sign-in %d differs: %+v vs %+v", i, a[i], b[i])
		}
	}
	dir := t.TempDir()
	st, err := gen.Write(dir, "la-csv", off)
	if err != nil {
		t.Fatal(err)
	}
	if st.Audits != 0 || st.Provisioning != 0 || st.Files != 4 {
		t.Errorf("without audits: %d audit events, %d provisioning events, %d files", st.Audits, st.Provisioning, st.Files)
	}
	for _, p := range files(t, dir) {
		if isRecordFile(p) {
			t.Errorf("without audits: %s written", p)
		}
	}
}
