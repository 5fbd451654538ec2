package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// tick runs the scheduler at a moment and returns the private messages
// sent so far.
func (h *harness) tickAt(t time.Time) []bottest.Direct {
	h.t.Helper()
	h.clock.Set(t)
	if _, err := h.bot.Tick(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	return h.chat.Directs()
}

func day27(hour, min int) time.Time { return time.Date(2026, 11, 27, hour, min, 0, 0, time.UTC) }

// /remind sets, shows and stops the reminder, and refuses a time it
// cannot read with an example.
func TestRemindCommand(t *testing.T) {
	h := newHarness(t, nil)
	r, err := h.command("ann", "remind")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "Your reminder is off", "/remind 20:00")
	for _, bad := range []string{"25:00", "8pm", "20:60", "soon"} {
		r, err := h.command("ann", "remind", "time", bad)
		if err == nil || bot.ErrorCode(err) != bot.EInvalid {
			t.Fatalf("/remind %s: %v, want it refused", bad, err)
		}
		bottest.MustContain(t, r.Text, "/remind 20:00", "/remind off")
	}
	r, err = h.command("ann", "remind", "time", "20:00")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "**20:00**", "UTC", "/remind off")
	r, _ = h.command("ann", "remind")
	bottest.MustContain(t, r.Text, "**20:00**")
	r, _ = h.command("ann", "remind", "time", "off")
	bottest.MustContain(t, r.Text, "Your reminder is off")
	if d := h.tickAt(day27(21, 0)); len(d) != 0 {
		t.Fatalf("a reminder turned off was sent: %+v", d)
	}
}

// A reminder comes at the member's time on a day they have not studied,
// once a day; never to a member who studied that day.
func TestReminderOnADayNotStudiedOnceADay(t *testing.T) {
	h := newHarness(t, nil) // Friday 27 November 10:00 UTC
	for _, u := range []string{"ann", "bob"} {
		if _, err := h.command(u, "remind", "time", "20:00"); err != nil {
			t.Fatal(err)
		}
	}
	h.answer("bob") // bob studied today
	if d := h.tickAt(day27(19, 59)); len(d) != 0 {
		t.Fatalf("a reminder before its time: %+v", d)
	}
	d := h.tickAt(day27(20, 0))
	if len(d) != 1 || d[0].User != "ann" || d[0].Group != "discord:g1" || !d[0].Reply.Private {
		t.Fatalf("at 20:00: %+v; want one private message to ann, who has not studied", d)
	}
	text := d[0].Reply.Title + "\n" + d[0].Reply.Text + "\n" + fmt.Sprint(d[0].Reply.Fields) + "\n" + d[0].Reply.Footer
	bottest.MustContain(t, text, "Time to study", "/question", "/review", "/remind off", "0 of 2")
	for _, at := range []time.Time{day27(20, 1), day27(23, 59)} {
		if d := h.tickAt(at); len(d) != 1 {
			t.Fatalf("a second reminder the same day, at %s: %+v", at.Format("15:04"), d)
		}
	}
	// the next day bob has a streak to keep, and both have not studied
	d = h.tickAt(day27(20, 0).AddDate(0, 0, 1))
	if len(d) != 3 {
		t.Fatalf("the next day at 20:00: %d messages in all, want 3", len(d))
	}
	var bobs bot.Reply
	for _, m := range d[1:] {
		if m.User == "bob" {
			bobs = m.Reply
		}
	}
	bottest.MustContain(t, bobs.Title+" "+bobs.Text, "Your 1 day streak is at risk", "keep your streak of 1 day")
	// a member who studies before their time gets none
	h.clock.Set(day27(12, 0).AddDate(0, 0, 2))
	h.answer("ann")
	d = h.tickAt(day27(20, 0).AddDate(0, 0, 2))
	if len(d) != 4 || d[3].User != "bob" {
		t.Fatalf("on a day ann studied: %+v; want only bob's", d[3:])
	}
}

// The reminder's time is the member's own: at 20:00 in Tokyo, 11:00 UTC.
func TestReminderFollowsTheMembersZone(t *testing.T) {
	h := newHarness(t, nil)
	h.clock.Set(day27(1, 0))
	h.command("ann", "timezone", "zone", "Asia/Tokyo")
	r, _ := h.command("ann", "remind", "time", "20:00")
	bottest.MustContain(t, r.Text, "Asia/Tokyo")
	if d := h.tickAt(day27(10, 59)); len(d) != 0 {
		t.Fatalf("before 20:00 in Tokyo: %+v", d)
	}
	if d := h.tickAt(day27(11, 0)); len(d) != 1 {
		t.Fatalf("at 20:00 in Tokyo: %d messages, want 1", len(d))
	}
	// 20:00 UTC is the 28th, 05:00, in Tokyo: not yet
	if d := h.tickAt(day27(20, 0)); len(d) != 1 {
		t.Fatalf("at 05:00 in Tokyo: %d messages, want still 1", len(d))
	}
}

// A member the platform will not message loses the reminder and is told
// the next time they use the bot, once; a passing failure is retried.
func TestReminderOffWhenThePlatformRefuses(t *testing.T) {
	h := newHarness(t, nil)
	h.command("ann", "remind", "time", "20:00")
	h.chat.Fail = map[string]error{"ann": errors.New("connection reset")}
	h.clock.Set(day27(20, 0))
	if _, err := h.bot.Tick(context.Background()); err == nil {
		t.Fatal("a failed reminder was not reported")
	}
	delete(h.chat.Fail, "ann")
	if d := h.tickAt(day27(20, 1)); len(d) != 1 {
		t.Fatalf("the reminder was not retried after a passing failure: %+v", d)
	}

	h.chat.Fail["ann"] = fmt.Errorf("%w: DMs closed", bot.ErrUnreachable)
	h.clock.Set(day27(20, 0).AddDate(0, 0, 1))
	if _, err := h.bot.Tick(context.Background()); err != nil {
		t.Fatalf("an unreachable member is not an error of the scheduler: %v", err)
	}
	delete(h.chat.Fail, "ann")
	if d := h.tickAt(day27(20, 1).AddDate(0, 0, 2)); len(d) != 1 {
		t.Fatalf("the reminder is still on after the platform refused it: %d messages", len(d))
	}
	card, c := h.drawn("ann", "category", "python")
	v, err := h.press("ann", right(card, c), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, fmt.Sprint(v.Fields), "Reminder off", "refused the private message", "/remind 20:00")
	if stats, _ := h.command("ann", "stats"); strings.Contains(fmt.Sprint(stats.Fields), "Reminder off") {
		t.Fatalf("the notice shows twice: %+v", stats.Fields)
	}
	r, _ := h.command("ann", "remind")
	if strings.Contains(fmt.Sprint(r.Fields), "Reminder off") {
		t.Fatalf("the notice shows twice: %+v", r)
	}
	bottest.MustContain(t, r.Text, "Your reminder is off")
}

// /stats tells a member whose reminder the bot turned off, once.
func TestStatsTellsOfAReminderTurnedOff(t *testing.T) {
	h := newHarness(t, nil)
	h.answer("bob")
	h.command("bob", "remind", "time", "20:00")
	h.chat.Fail = map[string]error{"bob": fmt.Errorf("%w: DMs closed", bot.ErrUnreachable)}
	h.tickAt(day27(20, 0).AddDate(0, 0, 1))
	stats, err := h.command("bob", "stats")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, fmt.Sprint(stats.Fields), "Reminder off", "/remind 20:00")
	if stats, _ := h.command("bob", "stats"); strings.Contains(fmt.Sprint(stats.Fields), "Reminder off") {
		t.Fatalf("the notice shows twice: %+v", stats.Fields)
	}
}

// Ticks at once (as on two replicas) send a due reminder once.
func TestReminderSentOnceByConcurrentTicks(t *testing.T) {
	h := newHarness(t, nil)
	for i := range 5 {
		h.command(fmt.Sprint("m", i), "remind", "time", "20:00")
	}
	h.clock.Set(day27(20, 0))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := h.bot.Tick(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, d := range h.chat.Directs() {
		seen[d.User]++
	}
	if len(seen) != 5 {
		t.Fatalf("reminded %v, want each of 5 members", seen)
	}
	for u, n := range seen {
		if n != 1 {
			t.Errorf("%s got %d reminders", u, n)
		}
	}
}
