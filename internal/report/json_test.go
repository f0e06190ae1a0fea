package report

import (
	"reflect"
	"strings"
	"testing"

	"github.com/signinlens/signinlens/internal/analyze"
)

// TestJSONCoversTheModel: the JSON document lists its fields itself (to give sections and
// detection runs their query's metadata), so every field of analyze.Report with a json
// name must have its place there, under the same name.
func TestJSONCoversTheModel(t *testing.T) {
	names := func(typ reflect.Type) map[string]bool {
		out := map[string]bool{}
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				out[name] = true
			}
		}
		return out
	}
	doc := names(reflect.TypeOf(jsonReport{}))
	for name := range names(reflect.TypeOf(analyze.Report{})) {
		if !doc[name] {
			t.Errorf("analyze.Report's %q is missing from the JSON report", name)
		}
	}
}
