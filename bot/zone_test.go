package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// answer draws a card for user and answers it right.
func (h *harness) answer(user string) {
	h.t.Helper()
	card, c := h.drawn(user, "category", "python")
	if _, err := h.press(user, right(card, c), ""); err != nil {
		h.t.Fatal(err)
	}
}

// currentStreak is the "Current streak" of a member's /stats.
func (h *harness) currentStreak(user string) string {
	h.t.Helper()
	stats, err := h.command(user, "stats")
	if err != nil {
		h.t.Fatal(err)
	}
	for _, f := range stats.Fields {
		if f.Name == "Current streak" {
			return f.Value
		}
	}
	return ""
}

// /timezone shows the member's zone and where it comes from, refuses an
// unknown one with an example, and sets a first one at once.
func TestTimezoneShowsSetsAndRefuses(t *testing.T) {
	h := newHarness(t, nil)
	r, err := h.command("ann", "timezone")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "**UTC**", "the server's")
	for _, zone := range []string{"Mars/Olympus_Mons", "Local", "Europe/"} {
		r, err := h.command("ann", "timezone", "zone", zone)
		if err == nil || bot.ErrorCode(err) != bot.EInvalid {
			t.Fatalf("/timezone %s: %v, want it refused", zone, err)
		}
		bottest.MustContain(t, r.Text, "/timezone Europe/Berlin")
	}
	// nothing counted yet: a first zone takes effect at once; its name
	// may be typed in any case
	r, err = h.command("ann", "timezone", "zone", "asia/tokyo")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "now follows **Asia/Tokyo**")
	r, _ = h.command("ann", "timezone")
	bottest.MustContain(t, r.Text, "**Asia/Tokyo**", "you chose it", "Fri 27 Nov 19:00")
	r, _ = h.command("ann", "timezone", "zone", "Asia/Tokyo")
	bottest.MustContain(t, r.Text, "already follows")
}

// A change of zone takes effect at the start of the member's next day in
// the zone they leave, and says so: an answer before then counts on the
// old day, so moving a day ahead gains nothing.
func TestTimezoneChangeTakesEffectTheNextDay(t *testing.T) {
	h := newHarness(t, nil) // Friday 27 November 10:00 UTC
	h.answer("ann")
	r, err := h.command("ann", "timezone", "zone", "Pacific/Kiritimati") // already the 28th there
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "changes to **Pacific/Kiritimati**", "start of your next day: Sat 28 Nov 00:00 UTC", "One change takes effect a day")
	h.answer("ann")
	if s := h.currentStreak("ann"); s != "1 day" {
		t.Fatalf("an answer before the change took effect: streak %s, want 1 day", s)
	}
	r, _ = h.command("ann", "timezone")
	bottest.MustContain(t, r.Text, "**UTC**", "changes to **Pacific/Kiritimati**")

	h.clock.Set(time.Date(2026, 11, 28, 0, 30, 0, 0, time.UTC)) // 14:30 on the 28th in Kiritimati
	r, _ = h.command("ann", "timezone")
	bottest.MustContain(t, r.Text, "**Pacific/Kiritimati**", "you chose it")
	if strings.Contains(r.Text, "changes to") {
		t.Fatalf("the change is in effect, yet: %s", r.Text)
	}
	h.answer("ann")
	if s := h.currentStreak("ann"); s != "2 days" {
		t.Fatalf("the next day: streak %s, want 2 days", s)
	}
	// a change asked for again before it takes effect replaces it, or
	// cancels it when it names the zone in effect
	h.command("ann", "timezone", "zone", "Europe/Berlin")
	r, _ = h.command("ann", "timezone", "zone", "Pacific/Kiritimati")
	bottest.MustContain(t, r.Text, "cancelled", "stays on **Pacific/Kiritimati**")
}

// The member's streak follows their own day; the group's boards keep the
// group's days.
func TestStreakFollowsTheMembersDayBoardsTheGroups(t *testing.T) {
	h := newHarness(t, nil)
	h.clock.Set(time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)) // the 28th, 01:00, in Kiritimati
	if _, err := h.command("ann", "timezone", "zone", "Pacific/Kiritimati"); err != nil {
		t.Fatal(err)
	}
	h.answer("ann")
	h.clock.Set(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)) // the 28th, 23:00, in Kiritimati: ann's same day
	h.answer("ann")
	if s := h.currentStreak("ann"); s != "1 day" {
		t.Fatalf("two answers on ann's one day (two of the group's): streak %s, want 1 day", s)
	}
	h.clock.Set(time.Date(2026, 11, 28, 11, 0, 0, 0, time.UTC)) // the 29th, 01:00, in Kiritimati
	h.answer("ann")
	if s := h.currentStreak("ann"); s != "2 days" {
		t.Fatalf("ann's next day: streak %s, want 2 days", s)
	}
	// the group's consistency board counts the group's days: the 27th
	// and the 28th
	board, err := h.command("ann", "leaderboard", "by", "days", "period", "all")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, board.Text, "**ann**: 2 days")
}

// Changing zones to and fro, one change a day, gains no streak day: the
// first day in a zone behind is longer, the first back ahead shorter.
func TestZoneSwitchingToAndFroGainsNothing(t *testing.T) {
	h := newHarness(t, nil)
	at := func(day, hour, min int) { h.clock.Set(time.Date(2026, 11, day, hour, min, 0, 0, time.UTC)) }
	at(27, 0, 1)
	h.answer("ann")                                   // the 27th
	h.command("ann", "timezone", "zone", "Etc/GMT+2") // two hours behind, from the 28th 00:00 UTC
	at(28, 0, 1)                                      // 22:01 on the 27th there
	h.answer("ann")                                   // counts as the 28th, the day in the old zone
	at(28, 2, 1)                                      // 00:01 on the 28th there
	h.answer("ann")                                   // the same day: no third day two hours later
	if s := h.currentStreak("ann"); s != "2 days" {
		t.Fatalf("after moving two hours behind: streak %s, want 2 days", s)
	}
	h.command("ann", "timezone", "zone", "UTC") // back, from 00:00 on the 29th there (02:00 UTC)
	at(29, 2, 1)
	h.answer("ann")
	at(30, 0, 1)
	h.answer("ann")
	if s := h.currentStreak("ann"); s != "4 days" {
		t.Fatalf("four days, 00:01 on the 27th to 00:01 on the 30th: streak %s, want 4 days (as without moving)", s)
	}
}

// A member's day follows the zone their platform reports (Request.TimeZone,
// Slack's profile tz) until they choose one; it is kept, and written only
// when it changes.
func TestPlatformZoneIsTheDefault(t *testing.T) {
	h := newHarness(t, nil)
	req := h.req("ann")
	req.Command, req.TimeZone = "timezone", "America/New_York"
	r, err := h.do(req)
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "**America/New_York**", "from your Discord profile")
	req.TimeZone = "Not/AZone" // a zone this server cannot load is ignored
	r, _ = h.do(req)
	bottest.MustContain(t, r.Text, "**America/New_York**")
	if _, err := h.command("ann", "timezone", "zone", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	req.TimeZone = "America/New_York"
	r, _ = h.do(req)
	bottest.MustContain(t, r.Text, "**Europe/Berlin**", "you chose it")
}

// Review due days follow the member's day: a card missed at 23:30 of the
// member's day is due on their next day, not the group's.
func TestReviewFollowsTheMembersDay(t *testing.T) {
	h := newHarness(t, nil)
	h.clock.Set(time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)) // 23:30 on the 27th in Kiritimati
	if _, err := h.command("ann", "timezone", "zone", "Pacific/Kiritimati"); err != nil {
		t.Fatal(err)
	}
	card, c := h.drawn("ann", "category", "python")
	if _, err := h.press("ann", wrong(card, c), ""); err != nil {
		t.Fatal(err)
	}
	// 10:30 UTC is the 28th in Kiritimati, still the 27th in UTC: the
	// missed card is due today for ann
	h.clock.Set(time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC))
	r, err := h.command("ann", "review")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Text, "*Review: 1 card due*") || r.Footer != c.ID {
		t.Fatalf("the card missed on ann's day before is not due on her next day: %q %q", r.Text, r.Footer)
	}
}
