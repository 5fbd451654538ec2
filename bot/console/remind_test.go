package console_test

import (
	"strings"
	"testing"
	"time"
)

// In the console, /timezone and /remind work as on the platforms, and the
// reminder is a line in the session, once a day, on a day not studied.
func TestTimezoneAndReminderInTheConsole(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), "UTC")
	s := e.user("ann")
	mustContain(t, s.do("/timezone Atlantis/Capital"), "Unknown time zone", "/timezone Europe/Berlin")
	mustContain(t, s.do("/timezone Europe/Berlin"), "now follows Europe/Berlin")
	mustContain(t, s.do("/timezone"), "Europe/Berlin", "you chose it")
	mustContain(t, s.do("/remind 7pm"), "/remind 20:00")
	mustContain(t, s.do("/remind 20:00"), "20:00", "Europe/Berlin")

	e.clock.Set(time.Date(2026, 11, 27, 18, 59, 0, 0, time.UTC)) // 19:59 in Berlin
	if out := s.do("/remind"); strings.Contains(out, "private message to ann") {
		t.Fatalf("a reminder before its time:\n%s", out)
	}
	e.clock.Set(time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)) // 20:00 in Berlin
	out := s.do("/help")
	mustContain(t, out, "Time to study (a private message to ann)", "/question")
	if out := s.do("/help"); strings.Contains(out, "a private message to ann") {
		t.Fatalf("a second reminder the same day:\n%s", out)
	}
	// studying the next day before 20:00 keeps the reminder away
	e.clock.Set(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	s.answer(true, "/question category:python")
	e.clock.Set(time.Date(2026, 11, 28, 19, 30, 0, 0, time.UTC))
	if out := s.do("/stats"); strings.Contains(out, "a private message to ann") {
		t.Fatalf("a reminder on a day studied:\n%s", out)
	}
	mustContain(t, s.do("/remind off"), "Your reminder is off")
}
