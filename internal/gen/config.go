package gen

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Config says what to generate. The same Config always yields byte-identical output.
type Config struct {
	Seed      int64     // seeds every random choice; 0 is a valid seed
	Events    int       // total sign-ins across the four logs, scenario events included (default 10,000)
	Start     time.Time // start of the covered period (default 2025-06-01T00:00:00Z); converted to UTC
	Days      int       // length of the covered period in days (default 7)
	Users     int       // user accounts in the tenant (default 50 + Events/1000, at most 5,000)
	Tenant    string    // Entra tenant id; default derived from Seed
	Scenarios bool      // inject the attack patterns listed by Scenarios

	// Background directory audit and provisioning events, besides the ones the scenarios plant
	// (defaults Events/20 and Events/30; negative for none).
	Audits, Provisioning int
}

// Limits of the model.
const (
	// MinScenarioUsers is the fewest users a tenant with scenarios can have: the password spray
	// alone needs 15 accounts besides the named actors, and the newer plants five more.
	MinScenarioUsers = 40
	maxDays          = 3660
	maxUsers         = 1_000_000
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// withDefaults returns c with zero fields filled in, or an error naming the first bad field.
func (c Config) withDefaults() (Config, error) {
	if c.Events == 0 {
		c.Events = 10_000
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	c.Start = c.Start.UTC().Truncate(100 * time.Nanosecond)
	if c.Days == 0 {
		c.Days = 7
	}
	if c.Users == 0 {
		c.Users = min(50+c.Events/1000, 5000)
		if c.Scenarios {
			c.Users = max(c.Users, MinScenarioUsers)
		}
	}
	if c.Audits == 0 {
		c.Audits = c.Events / 20
	}
	if c.Provisioning == 0 {
		c.Provisioning = c.Events / 30
	}
	if c.Tenant == "" {
		c.Tenant = newIDs(c.Seed).guid(keyTenant, 0)
	}
	c.Tenant = strings.ToLower(c.Tenant)
	switch {
	case c.Events < 0:
		return c, fmt.Errorf("events must be positive, got %d", c.Events)
	case c.Days < 0 || c.Days > maxDays:
		return c, fmt.Errorf("days must be between 1 and %d, got %d", maxDays, c.Days)
	case c.Users < 1 || c.Users > maxUsers:
		return c, fmt.Errorf("users must be between 1 and %d, got %d", maxUsers, c.Users)
	case c.Scenarios && c.Users < MinScenarioUsers:
		return c, fmt.Errorf("scenarios need at least %d users, got %d", MinScenarioUsers, c.Users)
	case !guidRE.MatchString(c.Tenant):
		return c, fmt.Errorf("tenant must be a GUID such as 8f3a1c52-5d0e-4b7a-9c61-2e4f0d9b7a13, got %q", c.Tenant)
	}
	return c, nil
}

// End returns the end of the covered period (exclusive).
// plantWeek is how many days the planted incidents span: the last plantWeek days of a longer
// period, so that what comes before them is a baseline the first-seen detections judge them
// against.
const plantWeek = 7

// plantOffset is the day the planted incidents' week starts on, counted from Start.
func (c Config) plantOffset() int { return max(0, c.Days-plantWeek) }

func (c Config) end() time.Time { return c.Start.Add(time.Duration(c.Days) * 24 * time.Hour) }

// dateRange returns the first and last day of the period as YYYY-MM-DD, as the admin center
// names its downloads.
func (c Config) dateRange() (from, to string) {
	return c.Start.Format("2006-01-02"), c.end().Add(-time.Nanosecond).Format("2006-01-02")
}
