package loaders

import (
	"reflect"
	"testing"
)

func TestLogTypesIsAFreshSlice(t *testing.T) {
	want := []string{"interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity"}
	got := LogTypes()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("LogTypes() = %v, want %v", got, want)
	}
	got[0] = "changed"
	if again := LogTypes(); !reflect.DeepEqual(again, want) {
		t.Errorf("after changing a returned slice, LogTypes() = %v, want %v", again, want)
	}
}
