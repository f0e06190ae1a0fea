package gen

import (
	"encoding/csv"
	"strconv"
	"time"
)

// Log Analytics tables, rendered as the portal's CSV export and as JSON rows.

type laType uint8

const (
	laString laType = iota
	laDatetime
	laBool
	laInt
	laDynamic
)

// laColumn is one column of a table: its value is appended as text (JSON text for dynamic
// columns, "true"/"false"/"" for booleans, digits for integers); datetimes come from at.
type laColumn struct {
	name string
	typ  laType
	val  func(b []byte, e *Event, c *laCtx) []byte
	at   func(e *Event) time.Time
}

// laCtx holds the per-tenant constants of the rows.
type laCtx struct {
	workspace, tenant, resourceID string
}

func laStr(name string, f func(e *Event) string) laColumn {
	return laColumn{name: name, typ: laString, val: func(b []byte, e *Event, _ *laCtx) []byte { return append(b, f(e)...) }}
}

func laConst(name, v string) laColumn {
	return laColumn{name: name, typ: laString, val: func(b []byte, _ *Event, _ *laCtx) []byte { return append(b, v...) }}
}

func laNum(name string, typ laType, f func(e *Event) int) laColumn {
	return laColumn{name: name, typ: typ, val: func(b []byte, e *Event, _ *laCtx) []byte { return strconv.AppendInt(b, int64(f(e)), 10) }}
}

func laDyn(name string, f func(b []byte, e *Event) []byte) laColumn {
	return laColumn{name: name, typ: laDynamic, val: func(b []byte, e *Event, _ *laCtx) []byte { return f(b, e) }}
}

func laFlag(name string, f func(e *Event) string) laColumn {
	return laColumn{name: name, typ: laBool, val: func(b []byte, e *Event, _ *laCtx) []byte { return append(b, f(e)...) }}
}

func laTimeCol(name string, f func(e *Event) time.Time) laColumn {
	return laColumn{name: name, typ: laDatetime, at: f}
}

func emptyArr(b []byte, _ *Event) []byte { return append(b, '[', ']') }
func noValue(b []byte, _ *Event) []byte  { return b }

var (
	colTenantID   = laColumn{name: "TenantId", typ: laString, val: func(b []byte, _ *Event, c *laCtx) []byte { return append(b, c.workspace...) }}
	colAADTenant  = laColumn{name: "AADTenantId", typ: laString, val: func(b []byte, _ *Event, c *laCtx) []byte { return append(b, c.tenant...) }}
	colResourceID = laColumn{name: "ResourceId", typ: laString, val: func(b []byte, _ *Event, c *laCtx) []byte { return append(b, c.resourceID...) }}
	colResultType = laStr("ResultType", func(e *Event) string { return strconv.Itoa(e.ErrorCode) })
	colResultDesc = laStr("ResultDescription", func(e *Event) string { return e.FailureReason })
	colCategory   = laStr("Category", func(e *Event) string { return category(e.LogType) })
	colStatus     = laDyn("Status", func(b []byte, e *Event) []byte { return appendStatus(b, e, flDiag) })
	colLocDetails = laDyn("LocationDetails", func(b []byte, e *Event) []byte { return appendLocation(b, e) })
	colPolicies   = laDyn("ConditionalAccessPolicies", appendPolicies)
	colProcessing = laDyn("AuthenticationProcessingDetails", appendProcessing)
)

// userColumns is the SigninLogs header of a real portal export, in its order; the
// non-interactive table differs in the latency column's name and has SignInEventTypes.
func userColumns(nonInteractive bool) []laColumn {
	latency := "ProcessingTimeInMilliseconds"
	if nonInteractive {
		latency = "ProcessingTimeInMs"
	}
	cols := []laColumn{
		colTenantID,
		laConst("SourceSystem", "Azure AD"),
		laTimeCol("TimeGenerated", func(e *Event) time.Time { return e.Ingested }),
		colResourceID,
		laConst("OperationName", "Sign-in activity"),
		laConst("OperationVersion", "1.0"),
		colCategory,
		colResultType,
		laConst("ResultSignature", "None"),
		colResultDesc,
		laNum("DurationMs", laInt, func(*Event) int { return 0 }),
		laStr("CorrelationId", func(e *Event) string { return e.CorrelationID }),
		laConst("Resource", "Microsoft.aadiam"),
		laConst("ResourceGroup", "Microsoft.aadiam"),
		laConst("ResourceProvider", ""),
		laStr("Identity", func(e *Event) string { return e.UserDisplayName }),
		laConst("Level", "4"),
		laStr("Location", func(e *Event) string { return e.Country }),
		laStr("AlternateSignInName", func(e *Event) string { return e.UserPrincipalName }),
		laStr("AppDisplayName", func(e *Event) string { return e.AppDisplayName }),
		laStr("AppId", func(e *Event) string { return e.AppID }),
		laDyn("AuthenticationContextClassReferences", emptyArr),
		laDyn("AuthenticationDetails", func(b []byte, e *Event) []byte { return appendAuthSteps(b, e, flDiag) }),
		laDyn("AppliedEventListeners", noValue),
		laDyn("AuthenticationMethodsUsed", noValue),
		colProcessing,
		laStr("AuthenticationRequirement", func(e *Event) string { return e.AuthRequirement }),
		laDyn("AuthenticationRequirementPolicies", appendRequirementPolicies),
		laStr("ClientAppUsed", func(e *Event) string { return e.ClientAppUsed }),
		colPolicies,
		laStr("ConditionalAccessStatus", func(e *Event) string { return e.ConditionalAccess }),
		laTimeCol("CreatedDateTime", func(e *Event) time.Time { return e.Created }),
		laDyn("DeviceDetail", appendDevice),
		laFlag("IsInteractive", func(e *Event) string { return strconv.FormatBool(e.Interactive) }),
		laStr("Id", func(e *Event) string { return e.ID }),
		laStr("IPAddress", func(e *Event) string { return e.IPAddress }),
		laFlag("IsRisky", func(e *Event) string {
			if e.RiskState == "atRisk" {
				return "true"
			}
			return ""
		}),
		colLocDetails,
		laDyn("MfaDetail", appendMFA),
		laDyn("NetworkLocationDetails", appendNetworks),
		laStr("OriginalRequestId", func(e *Event) string { return e.OriginalRequestID }),
		laStr(latency, func(e *Event) string { return strconv.Itoa(e.ProcessingMs) }),
		laStr("RiskDetail", func(e *Event) string { return e.RiskDetail }),
		laDyn("RiskEventTypes", appendRiskTypes),
		laDyn("RiskEventTypes_V2", appendRiskTypes),
		laStr("RiskLevelAggregated", func(e *Event) string { return e.RiskLevelAggregated }),
		laStr("RiskLevelDuringSignIn", func(e *Event) string { return e.RiskLevelDuringSignIn }),
		laStr("RiskState", func(e *Event) string { return e.RiskState }),
		laStr("ResourceDisplayName", func(e *Event) string { return e.ResourceDisplayName }),
		laStr("ResourceIdentity", func(e *Event) string { return e.ResourceID }),
		laStr("ResourceServicePrincipalId", func(e *Event) string { return e.ResourceServicePrincipalID }),
		laConst("ServicePrincipalId", ""),
		laConst("ServicePrincipalName", ""),
		colStatus,
		laConst("TokenIssuerName", ""),
		laStr("TokenIssuerType", func(e *Event) string { return e.TokenIssuerType }),
		laStr("UserAgent", func(e *Event) string { return e.UserAgent }),
		laStr("UserDisplayName", func(e *Event) string { return e.UserDisplayName }),
		laStr("UserId", func(e *Event) string { return e.UserID }),
		laStr("UserPrincipalName", func(e *Event) string { return e.UserPrincipalName }),
		colAADTenant,
		laStr("UserType", func(e *Event) string { return e.UserType }),
		laFlag("FlaggedForReview", func(*Event) string { return "false" }),
		laConst("IPAddressFromResourceProvider", ""),
		laStr("SignInIdentifier", func(e *Event) string { return e.SignInIdentifier }),
		laConst("SignInIdentifierType", "userPrincipalName"),
		laStr("ResourceTenantId", func(e *Event) string { return e.ResourceTenantID }),
		laStr("HomeTenantId", func(e *Event) string { return e.HomeTenantID }),
		laStr("UniqueTokenIdentifier", func(e *Event) string { return e.UniqueTokenID }),
		laDyn("SessionLifetimePolicies", emptyArr),
		laStr("AutonomousSystemNumber", func(e *Event) string { return strconv.Itoa(e.ASN) }),
		laStr("AuthenticationProtocol", func(e *Event) string { return e.AuthProtocol }),
		laStr("CrossTenantAccessType", func(e *Event) string { return e.CrossTenantAccessType }),
		laDyn("AppliedConditionalAccessPolicies", noValue),
		laConst("RiskLevel", ""),
	}
	if nonInteractive {
		cols = append(cols, laDyn("SignInEventTypes", func(b []byte, e *Event) []byte {
			return append(b, `["nonInteractiveUser"]`...)
		}))
		cols = append(cols, laConst("Type", "AADNonInteractiveUserSignInLogs"))
	} else {
		cols = append(cols, laConst("Type", "SigninLogs"))
	}
	return cols
}

// workloadColumns are the 33 columns of AADServicePrincipalSignInLogs and
// AADManagedIdentitySignInLogs (table reference). TimeGenerated is the event time there.
func workloadColumns(table string) []laColumn {
	return []laColumn{
		colTenantID,
		laConst("SourceSystem", "Azure AD"),
		laTimeCol("TimeGenerated", func(e *Event) time.Time { return e.Created }),
		laConst("OperationName", "Sign-in activity"),
		laConst("OperationVersion", "1.0"),
		colCategory,
		colResultType,
		laConst("ResultSignature", "None"),
		colResultDesc,
		laNum("DurationMs", laInt, func(*Event) int { return 0 }),
		laStr("CorrelationId", func(e *Event) string { return e.CorrelationID }),
		laConst("ResourceGroup", "Microsoft.aadiam"),
		laStr("Identity", func(e *Event) string { return e.ServicePrincipalName }),
		laConst("Level", "4"),
		laStr("Location", func(e *Event) string { return e.Country }),
		laStr("AppId", func(e *Event) string { return e.AppID }),
		laDyn("AuthenticationContextClassReferences", emptyArr),
		colProcessing,
		colPolicies,
		laStr("ConditionalAccessStatus", func(e *Event) string { return e.ConditionalAccess }),
		laStr("FederatedCredentialId", func(e *Event) string { return e.FederatedCredentialID }),
		laStr("Id", func(e *Event) string { return e.ID }),
		laStr("IPAddress", func(e *Event) string { return e.IPAddress }),
		colLocDetails,
		laStr("ResourceDisplayName", func(e *Event) string { return e.ResourceDisplayName }),
		laStr("ResourceIdentity", func(e *Event) string { return e.ResourceID }),
		laStr("ResourceServicePrincipalId", func(e *Event) string { return e.ResourceServicePrincipalID }),
		laStr("ServicePrincipalCredentialKeyId", func(e *Event) string { return e.CredentialKeyID }),
		laStr("ServicePrincipalCredentialThumbprint", func(e *Event) string { return e.CredentialThumbprint }),
		laStr("ServicePrincipalId", func(e *Event) string { return e.ServicePrincipalID }),
		laStr("ServicePrincipalName", func(e *Event) string { return e.ServicePrincipalName }),
		laStr("UniqueTokenIdentifier", func(e *Event) string { return e.UniqueTokenID }),
		laConst("Type", table),
	}
}

// laTables are the four tables in LogTypes order.
var laTables = [4]struct {
	name string
	cols []laColumn
}{
	{"SigninLogs", userColumns(false)},
	{"AADNonInteractiveUserSignInLogs", userColumns(true)},
	{"AADServicePrincipalSignInLogs", workloadColumns("AADServicePrincipalSignInLogs")},
	{"AADManagedIdentitySignInLogs", workloadColumns("AADManagedIdentitySignInLogs")},
}

// LAHeader returns the portal CSV header of a Log Analytics table, or nil for an unknown
// table.
func LAHeader(table string) []string {
	for _, t := range laTables {
		if t.name == table {
			h := make([]string, len(t.cols))
			for i, c := range t.cols {
				h[i] = c.name
				if c.typ == laDatetime {
					h[i] += " [UTC]"
				}
			}
			return h
		}
	}
	return nil
}

func newLACtx(t *tenant) *laCtx {
	return &laCtx{workspace: t.workspace, tenant: t.id, resourceID: "/tenants/" + t.id + "/providers/Microsoft.aadiam"}
}

// laCSVSink writes the Log Analytics portal's "Export to CSV (all columns)", one file per
// table, LF line ends as in the real sample. Quoting is encoding/csv's (the header goes
// through it; rows go through row.appendCSV, which is tested to match it byte for byte).
type laCSVSink struct {
	ctx   *laCtx
	files [4]*outFile
	row   row
	out   []byte
}

func openLACSV(o *output, cfg Config, t *tenant) (sink, error) {
	s := &laCSVSink{ctx: newLACtx(t)}
	for i, tb := range laTables {
		f, err := o.create(tb.name + ".csv")
		if err != nil {
			return nil, err
		}
		s.files[i] = f
		w := csv.NewWriter(f)
		if err := w.Write(LAHeader(tb.name)); err != nil {
			return nil, err
		}
		if w.Flush(); w.Error() != nil {
			return nil, w.Error()
		}
	}
	return s, nil
}

func (s *laCSVSink) write(e *Event) error {
	i := logIndex(e.LogType)
	r := &s.row
	r.reset()
	for _, c := range laTables[i].cols {
		switch c.typ {
		case laDatetime:
			r.laTime(c.at(e))
		case laBool:
			n := len(r.buf)
			r.buf = c.val(r.buf, e, s.ctx)
			switch string(r.buf[n:]) {
			case "true":
				r.buf = append(r.buf[:n], "TRUE"...)
			case "false":
				r.buf = append(r.buf[:n], "FALSE"...)
			}
			r.end()
		default:
			r.buf = c.val(r.buf, e, s.ctx)
			r.end()
		}
	}
	s.out = r.appendCSV(s.out[:0])
	_, err := s.files[i].Write(s.out)
	return err
}

func (s *laCSVSink) close() error {
	for _, f := range s.files {
		if err := f.close(); err != nil {
			return err
		}
	}
	return nil
}

// laJSONSink writes Log Analytics rows as JSON lines keyed by column name, as a REST-API
// exporter does: datetimes ISO with milliseconds, dynamic columns as JSON strings.
type laJSONSink struct {
	ctx     *laCtx
	files   [4]*outFile
	buf     []byte
	scratch []byte
}

func openLAJSON(o *output, cfg Config, t *tenant) (sink, error) {
	s := &laJSONSink{ctx: newLACtx(t)}
	for i, tb := range laTables {
		f, err := o.create(tb.name + ".json")
		if err != nil {
			return nil, err
		}
		s.files[i] = f
	}
	return s, nil
}

func (s *laJSONSink) write(e *Event) error {
	i := logIndex(e.LogType)
	b := append(s.buf[:0], '{')
	for _, c := range laTables[i].cols {
		b = key(b, c.name)
		switch c.typ {
		case laDatetime:
			b = append(b, '"')
			b = appendTime(b, c.at(e), 3, "Z")
			b = append(b, '"')
		case laBool:
			s.scratch = c.val(s.scratch[:0], e, s.ctx)
			if len(s.scratch) == 0 {
				b = append(b, "null"...)
			} else {
				b = append(b, s.scratch...)
			}
		case laInt:
			b = c.val(b, e, s.ctx)
		default:
			s.scratch = c.val(s.scratch[:0], e, s.ctx)
			b = appendJSONEscaped(b, s.scratch)
		}
		b = append(b, ',')
	}
	b = closeObj(b)
	b = append(b, '\n')
	s.buf = b
	_, err := s.files[i].Write(b)
	return err
}

func (s *laJSONSink) close() error {
	for _, f := range s.files {
		if err := f.close(); err != nil {
			return err
		}
	}
	return nil
}
