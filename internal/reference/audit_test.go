package reference

import "testing"

// Every entry of the audit lists parses, and the lists hold what the detections promise.
func TestAuditListsParse(t *testing.T) {
	roles, err := parsePrivilegedRoles()
	if err != nil {
		t.Fatal(err)
	}
	scopes, err := parseHighPrivScopes()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, r := range roles {
		byName[r.Name] = r.TemplateID
	}
	for name, id := range map[string]string{
		"Global Administrator":          "62e90394-69f5-4237-9190-012177145e10",
		"Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
		"Application Administrator":     "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
		"Company Administrator":         "62e90394-69f5-4237-9190-012177145e10",
	} {
		if byName[name] != id {
			t.Errorf("privilegedroles.tsv: %s is %q, want %s", name, byName[name], id)
		}
	}
	kinds := map[string]string{}
	for _, s := range scopes {
		kinds[s.Permission] = s.Kind
	}
	for p, k := range map[string]string{"Mail.Read": "mail", "Mail.ReadWrite": "mail", "Files.ReadWrite.All": "files",
		"Directory.ReadWrite.All": "directory"} {
		if kinds[p] != k {
			t.Errorf("highprivscopes.tsv: %s is %q, want %s", p, kinds[p], k)
		}
	}
	if _, listed := kinds["offline_access"]; listed {
		t.Error("offline_access alone is not high-privilege; the detection weighs it with mail scopes")
	}
	if _, err := loadList("x.tsv", "Global Administrator\tnot-a-guid\twhy\n", 3, func(r []string) (PrivilegedRole, error) {
		return PrivilegedRole{}, appID(r[1])
	})(); err == nil {
		t.Error("a role line with a bad template id parsed")
	}
}
