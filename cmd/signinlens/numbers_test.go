package main

import "testing"

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1000), "1,000"},
		{thousands(1048576), "1,048,576"},
		{thousands(-1234567), "-1,234,567"},
		{plural(1, "finding", "findings"), "1 finding"},
		{plural(0, "finding", "findings"), "0 findings"},
		{plural(25000, "record", "records"), "25,000 records"},
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
