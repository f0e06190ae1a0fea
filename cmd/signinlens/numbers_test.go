package main

import (
	"testing"
)

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{human(1023), "1023 B"},
		{human(1536), "1.5 KiB"},
		{human(4 << 30), "4.0 GiB"},
		{count(950), "950"},
		{count(12345), "12k"},
		{count(4_100_000), "4.1M"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
