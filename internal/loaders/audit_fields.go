// The field tables of audit and provisioning events: Graph camelCase names, Log Analytics
// PascalCase columns (nested values as JSON text), PowerShell PascalCase objects and SIEM
// lower-casing all land in the same columns, because names are matched in lower case and
// nested values go through nestedValue (which reads JSON text and drops .NET type names).

package loaders

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// keepable reports a value worth keeping in extra: not null, not an empty array or object.
func keepable(v *fastjson.Value) bool {
	switch v.Type() {
	case fastjson.TypeNull:
		return false
	case fastjson.TypeArray:
		return len(v.GetArray()) > 0
	case fastjson.TypeObject:
		return v.GetObject().Len() > 0
	}
	return true
}

// AuditField maps one top-level field of an audit event onto a; fields without a column go
// to a's extra.
func (n *Normalizer) AuditField(a *AuditRecord, key string, v *fastjson.Value) {
	key, lower := n.keyOfString(key)
	n.auditField(a, key, lower, v)
}

func (n *Normalizer) auditField(a *AuditRecord, key, lower string, v *fastjson.Value) {
	set := func(col AuditStr) {
		if s := n.text(key, v); s != "" {
			a.S[col] = s
		}
	}
	switch lower {
	case "id":
		set(AuditID)
	case "activitydatetime":
		n.eventTime(key, v, &a.ActivityAt, &a.BadField, &a.BadReason)
	case "timegenerated":
		n.eventTime(key, v, &a.IngestedAt, &a.BadField, &a.BadReason)
	case "category":
		set(AuditCategory)
	case "activitydisplayname", "activity":
		set(AuditActivity)
	case "operationname":
		// Log Analytics and the diagnostic envelope repeat the activity name here.
		if a.S[AuditActivity] == "" {
			set(AuditActivity)
		}
		n.auditExtra(a, key, v)
	case "operationtype", "aadoperationtype":
		set(AuditOperationType)
	case "result":
		if s := n.text(key, v); s != "" {
			a.S[AuditResult] = strings.ToLower(s)
		}
	case "resultreason":
		set(AuditResultReason)
	case "loggedbyservice":
		set(AuditLoggedByService)
	case "correlationid":
		set(AuditCorrelationID)
	case "initiatedby":
		n.initiatedBy(a, key, v)
	case "targetresources":
		n.auditTargets(a, key, v)
	case "additionaldetails":
		n.auditDetails(a, key, v)
	default:
		n.auditExtra(a, key, v)
	}
}

func (n *Normalizer) auditExtra(a *AuditRecord, key string, v *fastjson.Value) {
	if keepable(v) {
		n.scratch = v.MarshalTo(n.scratch[:0])
		a.AddExtra(key, n.scratch)
	}
}

// eventTime reads a time field; a value that is no time is noted as the record's bad field.
func (n *Normalizer) eventTime(key string, v *fastjson.Value, dst *time.Time, badField, badReason *string) {
	s := n.text(key, v)
	if s == "" {
		return
	}
	t, err := ParseTime(s, false)
	if err != nil {
		*badField, *badReason = key, err.Error()
		return
	}
	*dst = t
}

// object returns the object v holds (directly or as JSON text) and a release function.
func (n *Normalizer) object(key string, v *fastjson.Value) (*fastjson.Object, func()) {
	nv := n.nestedValue(key, v)
	if nv == nil {
		return nil, func() {}
	}
	o, err := nv.Object()
	if err != nil {
		n.release(v, nv)
		return nil, func() {}
	}
	return o, func() { n.release(v, nv) }
}

// initiatedBy maps initiatedBy{user{...}|app{...}}.
func (n *Normalizer) initiatedBy(a *AuditRecord, key string, v *fastjson.Value) {
	o, done := n.object(key, v)
	defer done()
	if o == nil {
		if v.Type() == fastjson.TypeString && strings.TrimSpace(string(v.GetStringBytes())) != "" {
			n.auditExtra(a, key, v)
		}
		return
	}
	o.Visit(func(k []byte, sv *fastjson.Value) {
		sub, lower := n.keyOf(k)
		so, err := sv.Object()
		if err != nil {
			if sv.Type() == fastjson.TypeString && isTypeName(string(sv.GetStringBytes())) {
				n.typeName(key + "." + sub)
			} else if keepable(sv) {
				n.auditExtra(a, key+"."+sub, sv)
			}
			return
		}
		switch lower {
		case "user":
			var found bool
			so.Visit(func(k2 []byte, fv *fastjson.Value) {
				name, l2 := n.keyOf(k2)
				col := AuditStr(-1)
				switch l2 {
				case "id":
					col = AuditInitiatorUserID
				case "userprincipalname":
					col = AuditInitiatorUPN
				case "displayname":
					col = AuditInitiatorDisplayName
				case "ipaddress":
					col = AuditInitiatorIP
				}
				if col < 0 {
					if keepable(fv) {
						n.auditExtra(a, key+"."+sub+"."+name, fv)
					}
					return
				}
				if s := n.text(name, fv); s != "" {
					a.S[col] = s
					found = true
				}
			})
			if found {
				a.S[AuditInitiatedByType] = "user"
			}
		case "app":
			var found bool
			so.Visit(func(k2 []byte, fv *fastjson.Value) {
				name, l2 := n.keyOf(k2)
				col := AuditStr(-1)
				switch l2 {
				case "appid":
					col = AuditInitiatorAppID
				case "displayname":
					col = AuditInitiatorDisplayName
				case "serviceprincipalid":
					col = AuditInitiatorSPID
				case "serviceprincipalname":
					col = AuditInitiatorSPName
				}
				if col < 0 {
					if keepable(fv) {
						n.auditExtra(a, key+"."+sub+"."+name, fv)
					}
					return
				}
				if s := n.text(name, fv); s != "" {
					if col != AuditInitiatorDisplayName || a.S[col] == "" {
						a.S[col] = s
					}
					found = true
				}
			})
			if found && a.S[AuditInitiatedByType] == "" {
				a.S[AuditInitiatedByType] = "app"
			}
		default:
			if keepable(sv) {
				n.auditExtra(a, key+"."+sub, sv)
			}
		}
	})
}

// auditTargets maps targetResources[] with their modifiedProperties[].
func (n *Normalizer) auditTargets(a *AuditRecord, key string, v *fastjson.Value) {
	n.eachObject(key, v, func(o *fastjson.Object) {
		var t AuditTarget
		o.Visit(func(k []byte, sv *fastjson.Value) {
			name, lower := n.keyOf(k)
			switch lower {
			case "type":
				t.Type = n.text(name, sv)
			case "id":
				t.ID = n.text(name, sv)
			case "displayname":
				t.DisplayName = n.text(name, sv)
			case "userprincipalname":
				t.UPN = n.text(name, sv)
			case "grouptype":
				t.GroupType = n.text(name, sv)
			case "modifiedproperties":
				n.eachObject(name, sv, func(po *fastjson.Object) {
					var p ModifiedProperty
					po.Visit(func(k2 []byte, pv *fastjson.Value) {
						switch _, l2 := n.keyOf(k2); l2 {
						case "displayname":
							p.Name = n.text(name, pv)
						case "oldvalue":
							p.Old = propertyValue(pv)
						case "newvalue":
							p.New = propertyValue(pv)
						}
					})
					t.Props = append(t.Props, p)
				})
			default:
				if keepable(sv) {
					t.Extra = appendExtra(t.Extra, name, sv.MarshalTo(nil))
				}
			}
		})
		t.Extra = closeExtra(t.Extra)
		a.Targets = append(a.Targets, t)
	})
}

// propertyValue is an old or new value as text: a string as it is (Graph writes JSON
// values as JSON text in strings), any other JSON value as its JSON text, null as "".
func propertyValue(v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeNull:
		return ""
	case fastjson.TypeString:
		return string(v.GetStringBytes())
	}
	return string(v.MarshalTo(nil))
}

// auditDetails turns additionalDetails [{key, value}] into one JSON object {key: value}. A
// key that repeats gets " (2)", " (3)" ... appended, so no value is lost.
func (n *Normalizer) auditDetails(a *AuditRecord, key string, v *fastjson.Value) {
	nv := n.nestedValue(key, v)
	defer n.release(v, nv)
	if nv == nil {
		return
	}
	switch nv.Type() {
	case fastjson.TypeObject:
		if nv.GetObject().Len() > 0 {
			a.Details = nv.MarshalTo(a.Details[:0])
		}
		return
	case fastjson.TypeArray:
	default:
		n.auditExtra(a, key, v)
		return
	}
	var d detailsBuilder
	d.b = a.Details[:0]
	for _, e := range nv.GetArray() {
		o, err := e.Object()
		if err != nil {
			continue
		}
		var k string
		var val *fastjson.Value
		o.Visit(func(kb []byte, ev *fastjson.Value) {
			switch _, l := n.keyOf(kb); l {
			case "key":
				k = propertyValue(ev)
			case "value":
				val = ev
			}
		})
		if val == nil || val.Type() == fastjson.TypeString || val.Type() == fastjson.TypeNull {
			var s string
			if val != nil {
				s = propertyValue(val)
			}
			d.addString(k, s, val == nil || val.Type() == fastjson.TypeNull)
		} else {
			d.addRaw(k, val.MarshalTo(nil))
		}
	}
	a.Details = d.close()
}

// detailsBuilder builds the additional_details object, numbering repeated keys.
type detailsBuilder struct {
	b    []byte
	keys []string // the keys so far (a handful: a list beats a map)
	arr  [8]string
}

func (d *detailsBuilder) key(k string) string {
	if d.keys == nil {
		d.keys = d.arr[:0]
	}
	c := 1
	for _, s := range d.keys {
		if s == k {
			c++
		}
	}
	d.keys = append(d.keys, k)
	if c > 1 {
		return k + " (" + strconv.Itoa(c) + ")"
	}
	return k
}

func (d *detailsBuilder) addString(k, v string, null bool) {
	if null {
		d.b = appendExtra(d.b, d.key(k), "null")
		return
	}
	d.b = appendExtraString(d.b, d.key(k), v)
}

func (d *detailsBuilder) addRaw(k string, raw []byte) { d.b = appendExtra(d.b, d.key(k), raw) }

func (d *detailsBuilder) close() []byte { return closeExtra(d.b) }

// ProvisioningField maps one top-level field of a provisioning event onto p; fields without
// a column go to p's extra.
func (n *Normalizer) ProvisioningField(p *ProvisioningRecord, key string, v *fastjson.Value) {
	key, lower := n.keyOfString(key)
	n.provField(p, key, lower, v)
}

func (n *Normalizer) provField(p *ProvisioningRecord, key, lower string, v *fastjson.Value) {
	set := func(col ProvStr) {
		if s := n.text(key, v); s != "" {
			p.S[col] = s
		}
	}
	switch lower {
	case "id":
		set(ProvID)
	case "activitydatetime":
		n.eventTime(key, v, &p.ActivityAt, &p.BadField, &p.BadReason)
	case "timegenerated":
		n.eventTime(key, v, &p.IngestedAt, &p.BadField, &p.BadReason)
	case "jobid":
		set(ProvJobID)
	case "cycleid":
		set(ProvCycleID)
	case "changeid":
		set(ProvChangeID)
	case "provisioningaction":
		set(ProvAction)
	case "action":
		// The older (beta) spelling: Create, StagedDelete; provisioningAction wins.
		if s := n.text(key, v); s != "" && p.S[ProvAction] == "" {
			p.S[ProvAction] = lowerFirst(s)
		}
	case "provisioningstatusinfo", "statusinfo":
		n.provStatus(p, key, v)
	case "sourcesystem":
		n.provParts(p, key, v, ProvSourceSystemID, ProvSourceSystemName, -1)
	case "targetsystem":
		n.provParts(p, key, v, ProvTargetSystemID, ProvTargetSystemName, -1)
	case "sourceidentity":
		n.provParts(p, key, v, ProvSourceIdentityID, ProvSourceIdentityName, ProvSourceIdentityType)
	case "targetidentity":
		n.provParts(p, key, v, ProvTargetIdentityID, ProvTargetIdentityName, ProvTargetIdentityType)
	case "serviceprincipal":
		n.provParts(p, key, v, ProvServicePrincipalID, ProvServicePrincipalName, -1)
	case "initiatedby":
		n.provParts(p, key, v, ProvInitiatorID, ProvInitiatorName, -1)
	case "durationinmilliseconds", "durationms":
		if i, ok := n.int(key, v); ok {
			p.DurationMs = Opt[int64]{V: i, Valid: true}
		}
	case "provisioningsteps":
		p.Steps = n.compactJSON(key, v, p.Steps)
	case "modifiedproperties":
		p.Modified = n.compactJSON(key, v, p.Modified)
	default:
		n.provExtra(p, key, v)
	}
}

func (n *Normalizer) provExtra(p *ProvisioningRecord, key string, v *fastjson.Value) {
	if keepable(v) {
		n.scratch = v.MarshalTo(n.scratch[:0])
		p.AddExtra(key, n.scratch)
	}
}

// compactJSON is the compact JSON text of the array or object v holds (directly or as JSON
// text), written into dst; empty for nothing, an empty array or a .NET type name.
func (n *Normalizer) compactJSON(key string, v *fastjson.Value, dst []byte) []byte {
	nv := n.nestedValue(key, v)
	defer n.release(v, nv)
	if nv == nil || !keepable(nv) {
		return dst[:0]
	}
	return nv.MarshalTo(dst[:0])
}

// provStatus maps provisioningStatusInfo{status, errorInformation{...}} and the older
// statusInfo{status, errorCode, reason, ...}.
func (n *Normalizer) provStatus(p *ProvisioningRecord, key string, v *fastjson.Value) {
	o, done := n.object(key, v)
	defer done()
	if o == nil {
		if s := n.text(key, v); s != "" && p.S[ProvStatus] == "" {
			p.S[ProvStatus] = strings.ToLower(s)
		}
		return
	}
	var visit func(prefix string, o *fastjson.Object)
	visit = func(prefix string, o *fastjson.Object) {
		o.Visit(func(k []byte, sv *fastjson.Value) {
			name, lower := n.keyOf(k)
			var col ProvStr = -1
			switch lower {
			case "status":
				if s := n.text(name, sv); s != "" {
					p.S[ProvStatus] = strings.ToLower(s)
				}
				return
			case "errorinformation":
				if eo, err := sv.Object(); err == nil {
					visit(prefix+name+".", eo)
					return
				}
			case "errorcode":
				col = ProvErrorCode
			case "errorcategory":
				col = ProvErrorCategory
			case "reason":
				col = ProvReason
			}
			if col >= 0 {
				if s := n.text(name, sv); s != "" {
					p.S[col] = s
				}
				return
			}
			if keepable(sv) && lower != "@odata.type" {
				n.provExtra(p, prefix+name, sv)
			}
		})
	}
	visit(key+".", o)
}

// provParts maps an object with id, displayName and optionally identityType (systems,
// identities, the service principal, the initiator); its other fields go to extra.
func (n *Normalizer) provParts(p *ProvisioningRecord, key string, v *fastjson.Value, id, name, typ ProvStr) {
	o, done := n.object(key, v)
	defer done()
	if o == nil {
		if s := n.text(key, v); s != "" && p.S[name] == "" {
			p.S[name] = s // a flat cell holding the name alone
		}
		return
	}
	o.Visit(func(k []byte, sv *fastjson.Value) {
		sub, lower := n.keyOf(k)
		col := ProvStr(-1)
		switch lower {
		case "id":
			col = id
		case "displayname":
			col = name
		case "identitytype":
			col = typ
		}
		if col >= 0 {
			if s := n.text(sub, sv); s != "" {
				p.S[col] = s
			}
			return
		}
		if keepable(sv) && lower != "@odata.type" {
			n.provExtra(p, key+"."+sub, sv)
		}
	})
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// finishAudit checks an audit event before it is handed over: "" when it may be loaded,
// else why not and the field at fault.
func finishAudit(a *AuditRecord) (string, string) {
	if a.BadField != "" && a.ActivityAt.IsZero() {
		return "activity time unreadable: " + a.BadReason, a.BadField
	}
	if a.ActivityAt.IsZero() {
		return "audit record without activityDateTime (the event time)", "activityDateTime"
	}
	return "", ""
}

// finishProvisioning is finishAudit for a provisioning event.
func finishProvisioning(p *ProvisioningRecord) (string, string) {
	if p.BadField != "" && p.ActivityAt.IsZero() {
		return "activity time unreadable: " + p.BadReason, p.BadField
	}
	if p.ActivityAt.IsZero() {
		return "provisioning record without activityDateTime (the event time)", "activityDateTime"
	}
	return "", ""
}
