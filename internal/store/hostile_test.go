package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"unicode/utf16"

	"github.com/signinlens/signinlens/internal/loaders"
)

func TestEnormousAndInvalidText(t *testing.T) {
	dir := t.TempDir()
	ua := strings.Repeat("A", 1<<20) // a 1 MiB user agent
	rec := func(id, agent string) string {
		return `{"id":"` + id + `","createdDateTime":"2025-06-01T10:00:00Z","userId":"u1","userAgent":"` + agent + `","status":{"errorCode":0}}` + "\n"
	}
	body := rec("big", ua) + rec("bad-utf8", "Mozilla\xff\xfe/5.0") + rec("formula", `=HYPERLINK(\"http://x\",\"y\")`)
	os.WriteFile(filepath.Join(dir, "lines.jsonl"), []byte(body), 0o644)
	db := openTemp(t)
	sum := load(t, db, dir)
	if sum.Totals.Loaded != 3 || sum.Totals.Rejected != 0 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	got := queryRows(t, db, "SELECT id, length(user_agent), user_agent FROM signins WHERE id <> 'big' ORDER BY id")
	if got[0][0] != "bad-utf8" || got[0][2] != "Mozilla\uFFFD/5.0" { // a run of invalid bytes becomes one U+FFFD
		t.Errorf("invalid UTF-8 not replaced: %q", got[0][2])
	}
	if got[1][2] != `=HYPERLINK("http://x","y")` {
		t.Errorf("text must be stored as sent: %q", got[1][2])
	}
	if big := queryRows(t, db, "SELECT length(user_agent) FROM signins WHERE id = 'big'"); big[0][0] != "1048576" {
		t.Errorf("1 MiB user agent stored as %s characters", big[0][0])
	}
}

func TestUTF16BigEndianWithBOM(t *testing.T) {
	src := `[{"id":"be1","createdDateTime":"2025-06-01T10:00:00Z","userId":"u1","userDisplayName":"Zoë","status":{"errorCode":0}}]`
	u := utf16.Encode([]rune(src))
	b := []byte{0xFE, 0xFF}
	for _, c := range u {
		b = append(b, byte(c>>8), byte(c))
	}
	p := filepath.Join(t.TempDir(), "ps.json")
	os.WriteFile(p, b, 0o644)
	db := openTemp(t)
	sum := load(t, db, p)
	if sum.Files[0].Encoding != "utf-16be" || sum.Totals.Loaded != 1 {
		t.Fatalf("encoding %q loaded %d", sum.Files[0].Encoding, sum.Totals.Loaded)
	}
	if got := queryRows(t, db, "SELECT user_display_name FROM signins"); got[0][0] != "Zoë" {
		t.Errorf("name %q", got[0][0])
	}
}

func TestAuditOnlyExportLoads(t *testing.T) {
	db := openTemp(t)
	sum := load(t, db, "../../testdata/json/shapes/records-envelope.json")
	if sum.Totals.Loaded != 2 {
		t.Fatalf("setup: %+v", sum.Totals)
	}
	p := filepath.Join(t.TempDir(), "audit.json")
	os.WriteFile(p, []byte(`[{"id":"a","activityDateTime":"2025-06-01T10:00:00Z","activityDisplayName":"Add user"}]`), 0o644)
	sum = load(t, db, p)
	if sum.Totals.Skipped != 0 || sum.Totals.Loaded != 1 || sum.Totals.ByLogType[loaders.AuditLog] != 1 || sum.Files[0].LogTypes[loaders.AuditLog] != 1 {
		t.Errorf("audit export: %+v %v", sum.Totals, sum.Files[0].SkippedCategories)
	}
	if got := queryRows(t, db, "SELECT id, activity, activity_at FROM audits"); len(got) != 1 || got[0][0] != "a" || got[0][1] != "Add user" ||
		got[0][2] != "2025-06-01 10:00:00 +0000 UTC" {
		t.Errorf("audits %v", got)
	}
}
