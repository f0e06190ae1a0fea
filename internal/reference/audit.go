package reference

import (
	_ "embed"
	"fmt"
	"strings"
)

// The lists the audit detections join against, in the same documented TSV shape.
var (
	//go:embed privilegedroles.tsv
	privilegedRolesTSV string
	//go:embed highprivscopes.tsv
	highPrivScopesTSV string
)

// PrivilegedRole is one privileged Microsoft Entra built-in role.
type PrivilegedRole struct {
	Name       string // matched case-insensitively against the role's display name
	TemplateID string // lower case; matched against Role.TemplateId
	Why        string
}

// HighPrivScope is one high-privilege permission (delegated scope or application role).
type HighPrivScope struct {
	Permission string // matched case-insensitively
	Kind       string // mail, files or directory
	Why        string
}

var parsePrivilegedRoles = loadList("privilegedroles.tsv", privilegedRolesTSV, 3, func(r []string) (PrivilegedRole, error) {
	return PrivilegedRole{Name: r[0], TemplateID: r[1], Why: r[2]}, appID(r[1])
})

var parseHighPrivScopes = loadList("highprivscopes.tsv", highPrivScopesTSV, 3, func(r []string) (HighPrivScope, error) {
	switch r[1] {
	case "mail", "files", "directory":
	default:
		return HighPrivScope{}, fmt.Errorf("%s: kind %q is not mail, files or directory", r[0], r[1])
	}
	if strings.ContainsAny(r[0], " ,") {
		return HighPrivScope{}, fmt.Errorf("permission %q holds a space or comma", r[0])
	}
	return HighPrivScope{Permission: r[0], Kind: r[1], Why: r[2]}, nil
})

// PrivilegedRoles returns the privileged built-in roles.
func PrivilegedRoles() []PrivilegedRole { return must(parsePrivilegedRoles()) }

// HighPrivScopes returns the high-privilege permissions.
func HighPrivScopes() []HighPrivScope { return must(parseHighPrivScopes()) }
