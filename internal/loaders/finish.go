package loaders

import "sort"

func sortStrings(s []string) { sort.Strings(s) }

// Finish completes a normalized record: it decides the log type when the record did not
// carry one and checks the fields every sign-in must have. It returns a reason and the
// field at fault when the record must be rejected.
func Finish(r *Record, nameHint string) (reason, field string) {
	if r.CreatedAt.IsZero() {
		if r.BadField != "" {
			return "cannot read the event time: " + r.BadReason, r.BadField
		}
		return "no event time (createdDateTime / Date (UTC)); the record cannot be placed in time", "createdDateTime"
	}
	if !r.HasErrorCode {
		return "no outcome: neither status.errorCode nor resultType is present", "status.errorCode"
	}
	if r.LogType == "" {
		r.LogType = inferLogType(r, nameHint)
	}
	return "", ""
}

// inferLogType applies the fallbacks in order: signInEventTypes, the diagnostic category
// (set by the reader), the file name, then the record's own fields.
func inferLogType(r *Record, nameHint string) string {
	for _, t := range r.EventTypes {
		switch t {
		case Interactive, NonInteractive, ServicePrinc, ManagedIdent:
			return t
		}
	}
	if nameHint != "" {
		return nameHint
	}
	if r.S[UserID] == "" && r.S[UserPrincipalName] == "" && r.S[ServicePrincipalID] != "" {
		switch r.S[ManagedIdentityType] {
		case "", "none":
		default:
			return ManagedIdent
		}
		if r.S[ClientCredentialType] == "managedIdentity" {
			return ManagedIdent
		}
		return ServicePrinc
	}
	if r.Interactive == False {
		return NonInteractive
	}
	return Interactive
}
