package slack

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot/bottest"
)

// usersInfo counts the users.info calls about a user.
func (r *rig) usersInfo(user string) int {
	r.f.Mu.Lock()
	defer r.f.Mu.Unlock()
	n := 0
	for _, c := range r.f.All {
		if c.Method == "users.info" && c.Form.Get("user") == user {
			n++
		}
	}
	return n
}

// ims returns the chat.postMessage calls to a user's id: their direct
// messages with the app.
func (r *rig) ims(user string) []string {
	r.f.Mu.Lock()
	defer r.f.Mu.Unlock()
	var out []string
	for _, c := range r.f.All {
		if c.Method == "chat.postMessage" && c.Form.Get("channel") == user && c.Error == "" {
			out = append(out, blocksOf(c.Form.Get("blocks")).text())
		}
	}
	return out
}

// The Slack profile's tz is the member's zone until they choose one,
// looked up once (users.info, cached), not on every press; /prep remind
// sends the reminder to the member's direct messages with the app.
func TestSlackZoneAndReminder(t *testing.T) {
	r := newRig(t, Config{})
	r.f.Mu.Lock()
	r.f.Zones["U1"] = "Asia/Tokyo"
	r.f.Mu.Unlock()
	ack := r.f.Envelope("z1", "slash_commands", r.slash("timezone", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Asia/Tokyo", "from your Slack profile")
	ack = r.f.Envelope("z2", "slash_commands", r.slash("remind 20:00", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "20:00", "Asia/Tokyo")
	// a card and its answer: no more users.info
	ack = r.f.Envelope("z3", "slash_commands", r.slash("question postgres", "U1"), 0)
	k := blocksOf(ack["payload"])
	card := k.card(t, r.Bank)
	r.f.Envelope("z4", "interactive", r.press(k.button(string("ABCDE"[card.QuickCheck.CorrectIndex()]))), 0)
	r.f.Next("response")
	if n := r.usersInfo("U1"); n != 1 {
		t.Fatalf("users.info asked %d times about U1; want once, then cached", n)
	}
	if m, _ := r.DB.Member(context.Background(), "slack:T1", "U1"); m.PlatformZone != "Asia/Tokyo" || m.LastDay != "2026-11-25" {
		t.Fatalf("member %+v: want the profile's zone kept and the answer on the 25th in Tokyo", m)
	}

	// U2 has not studied: 20:00 in Tokyo is 11:00 UTC
	r.f.Mu.Lock()
	r.f.Zones["U2"] = "Asia/Tokyo"
	r.f.Mu.Unlock()
	r.f.Envelope("z5", "slash_commands", r.slash("remind 20:00", "U2"), 0)
	r.Clock.Set(time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC))
	if _, err := r.Bot.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ims := r.ims("U1"); len(ims) != 0 {
		t.Fatalf("U1 studied today, yet got %v", ims)
	}
	ims := r.ims("U2")
	if len(ims) != 1 {
		t.Fatalf("U2's direct messages: %v; want one reminder", ims)
	}
	bottest.MustContain(t, ims[0], "Time to study", "/prep question", "/prep remind off")
	if _, err := r.Bot.Tick(context.Background()); err != nil || len(r.ims("U2")) != 1 {
		t.Fatalf("a second tick the same day: %v, %d messages", err, len(r.ims("U2")))
	}
}

// Without users:read, users.info is refused (missing_scope) and the
// member's day follows the workspace's zone; without chat:write, the
// reminder is refused and retried, not lost.
func TestSlackScopesForZonesAndReminders(t *testing.T) {
	r := newRig(t, Config{})
	r.f.Mu.Lock()
	r.f.Zones["U1"] = "Asia/Tokyo"
	r.f.Scopes = slices.DeleteFunc(slices.Clone(r.f.Scopes), func(s string) bool { return s == "users:read" })
	r.f.Mu.Unlock()
	ack := r.f.Envelope("s1", "slash_commands", r.slash("timezone", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "*UTC*", "the server's")
	ack = r.f.Envelope("s2", "slash_commands", r.slash("remind 20:00", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "20:00", "UTC")
	refused := r.f.TakeRefusals()
	if len(refused) != 1 || refused[0].Method != "users.info" || refused[0].Error != "missing_scope" {
		t.Fatalf("refusals %v: want users.info refused once (then not asked again for an hour)", refused)
	}

	r.f.Mu.Lock()
	r.f.Scopes = slices.DeleteFunc(slices.Clone(r.f.Scopes), func(s string) bool { return s == "chat:write" })
	r.f.Mu.Unlock()
	r.Clock.Set(time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC))
	if _, err := r.Bot.Tick(context.Background()); err == nil {
		t.Fatal("a reminder Slack refused was not reported")
	}
	if refused := r.f.TakeRefusals(); len(refused) != 1 || refused[0].Method != "chat.postMessage" {
		t.Fatalf("refusals %v: want chat.postMessage refused", refused)
	}
	r.f.Mu.Lock()
	r.f.Scopes = append(r.f.Scopes, "chat:write")
	r.f.Mu.Unlock()
	if _, err := r.Bot.Tick(context.Background()); err != nil || len(r.ims("U1")) != 1 {
		t.Fatalf("the reminder was not retried once allowed: %v, %v", err, r.ims("U1"))
	}
}

// A press from a member the adapter has not seen yet is answered without
// waiting for users.info (asked in the background for their next
// request): a burst of presses from new members would otherwise each wait
// for a second exchange with Slack before its answer is recorded.
func TestPressDoesNotWaitForUsersInfo(t *testing.T) {
	r := newRig(t, Config{})
	r.f.Mu.Lock()
	r.f.Zones["U1"] = "Asia/Tokyo"
	r.f.Mu.Unlock()
	// the card is drawn by another member (a slash command looks the
	// zone up first); U1, never seen, presses its answer
	ack := r.f.Envelope("p1", "slash_commands", r.slash("question postgres", "U9"), 0)
	k := blocksOf(ack["payload"])
	card := k.card(t, r.Bank)
	release := r.f.Hold("users.info")
	defer release()
	r.f.Envelope("p2", "interactive", r.press(k.button(string("ABCDE"[card.QuickCheck.CorrectIndex()]))), 0)
	verdict := r.f.Next("response") // while users.info has not answered
	bottest.MustContain(t, blocksOf(verdict.JSON).text(), "Correct")
	release()
	r.lookupsEnded(t) // the lookup in the background has ended
	// the zone asked in the background is used from the next request on
	ack = r.f.Envelope("p3", "slash_commands", r.slash("timezone", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Asia/Tokyo", "from your Slack profile")
	if n := r.usersInfo("U1"); n != 1 {
		t.Fatalf("users.info asked %d times about U1; want once", n)
	}
}

// lookupsEnded waits until no users.info lookup is queued or running.
func (r *rig) lookupsEnded(t *testing.T) {
	t.Helper()
	bottest.WaitUntil(t, "the zone lookups to end", func() bool {
		r.a.zmu.Lock()
		defer r.a.zmu.Unlock()
		return len(r.a.looking) == 0
	})
}

// A wave of new members asks users.info no faster than Slack's Tier 4
// allows (a burst, then 100 a minute): the rest run with the workspace's
// zone at once and wait their turn, and Close does not wait for them.
func TestZoneLookupsKeepToUsersInfoPace(t *testing.T) {
	r := newRig(t, Config{})
	start := time.Now()
	const users = zoneBurst + 15
	for i := range users {
		user := fmt.Sprintf("U%d", 100+i)
		ack := r.f.Envelope(fmt.Sprint("s", i), "slash_commands", r.slash("timezone", user), 0)
		bottest.MustContain(t, blocksOf(ack["payload"]).text(), "time zone")
	}
	elapsed := time.Since(start)
	asked := 0
	for i := range users {
		asked += r.usersInfo(fmt.Sprintf("U%d", 100+i))
	}
	allowed := zoneBurst + int(elapsed.Seconds()*float64(zoneRate)) + 1
	if asked > allowed || asked < zoneBurst {
		t.Fatalf("users.info asked about %d of %d new members in %v; want %d to %d (a burst of %d, then %v a second)",
			asked, users, elapsed, zoneBurst, allowed, zoneBurst, float64(zoneRate))
	}
	r.a.zmu.Lock()
	waiting := len(r.a.looking)
	r.a.zmu.Unlock()
	if waiting+asked < users {
		t.Fatalf("%d members asked about and %d waiting their turn; want all %d", asked, waiting, users)
	}
	closed := make(chan error, 1)
	go func() { closed <- r.a.Close() }()
	bottest.Await(t, "Close with lookups still queued", closed)
}
