package bot

import (
	"fmt"
	"time"
)

// Clock tells the time; tests inject a fixed one.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// ClockFunc adapts a function to a Clock.
type ClockFunc func() time.Time

func (f ClockFunc) Now() time.Time { return f() }

const dayLayout = "2006-01-02"

// Day is t's calendar date in loc, as 2006-01-02.
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format(dayLayout) }

// DayBefore returns the calendar day before day (2006-01-02). Calendar
// arithmetic, not 24 hours: it is right across DST changes.
func DayBefore(day string) string { return AddDays(day, -1) }

// Periods are the leaderboard periods a moment counts toward in loc: all
// time, its month and its ISO week.
func Periods(t time.Time, loc *time.Location) []string {
	return []string{PeriodAll, PeriodKey("month", t, loc), PeriodKey("week", t, loc)}
}

// PeriodAll is the all-time period key.
const PeriodAll = "all"

// PeriodKey is the key of the week or month containing t in loc ("all" for
// anything else).
func PeriodKey(period string, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	switch period {
	case "week":
		y, w := t.ISOWeek()
		return fmt.Sprintf("w%04d-W%02d", y, w)
	case "month":
		return fmt.Sprintf("m%04d-%02d", t.Year(), int(t.Month()))
	}
	return PeriodAll
}

// LoadLocation loads a time zone by IANA name; "" is UTC.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if name == "Local" {
		// Go's name for the machine's own zone: it differs from machine to
		// machine (and is UTC in the container), so a group's day would move
		// with the host
		return nil, Errorf(EInvalid, "Local is the server's own time zone, which differs between machines: use an IANA name such as Europe/Berlin, America/New_York or UTC")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(EInvalid, "unknown time zone %q: use an IANA name such as Europe/Berlin, America/New_York or UTC", shorten(name, 40))
	}
	return loc, nil
}
