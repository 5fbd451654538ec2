package slack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot/bottest"
)

// The features of issue 18 on Slack, every message through the strict
// fake: seasons (/prep season start Q1 prep), the consistency board with
// the own-rank line, streak freezes, and study rounds that close once
// every player has answered.

// s18User is a member of the workspace T1: a user id and the name Slack
// gives with their commands and presses.
type s18User struct{ id, name string }

var (
	s18Alice = s18User{"UALICE", "alice"}
	s18Bob   = s18User{"UBOB", "bob"}
	s18Boss  = s18User{"UBOSS", "boss"}
)

// s18Command sends /prep text as u and returns the acknowledgement's
// payload: the reply.
func (r *rig) s18Command(u s18User, text string) map[string]any {
	r.t.Helper()
	cmd := r.slash(text, u.id)
	cmd["user_name"] = u.name
	ack := r.f.Envelope(fmt.Sprintf("s18-%d", nextTs.Add(1)), "slash_commands", cmd, 0)
	p, ok := ack["payload"].(map[string]any)
	if !ok {
		r.t.Fatalf("/prep %s: no reply in the acknowledgement: %v", text, ack)
	}
	return p
}

// s18Text is /prep text's reply as u sees it.
func (r *rig) s18Text(u s18User, text string) string {
	r.t.Helper()
	return blocksOf(r.s18Command(u, text)).text()
}

// s18Press presses a button as u and returns the reply posted to the
// press's response_url.
func (r *rig) s18Press(u s18User, actionID string) kit {
	r.t.Helper()
	if actionID == "" {
		r.t.Fatal("no such button")
	}
	p := r.press(actionID)
	p["user"] = map[string]any{"id": u.id, "username": u.name, "name": u.name, "team_id": "T1"}
	r.f.Envelope(fmt.Sprintf("s18-%d", nextTs.Add(1)), "interactive", p, 0)
	return blocksOf(r.f.Next("response").JSON)
}

// s18Answer has u draw an easy python card (10 points) and answer it,
// right or wrong; it returns the verdict's text.
func (r *rig) s18Answer(u s18User, correct bool) string {
	r.t.Helper()
	k := blocksOf(r.s18Command(u, "question python easy"))
	c := k.card(r.t, r.Bank)
	i := c.QuickCheck.CorrectIndex()
	want := "Correct! +10 points"
	if !correct {
		i, want = (i+1)%len(c.QuickCheck.Options), "Not quite"
	}
	v := r.s18Press(u, k.button(string("ABCDE"[i]))).text()
	bottest.MustContain(r.t, v, want)
	return v
}

// s18Lines returns the lines of text that contain s.
func s18Lines(text, s string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			lines = append(lines, l)
		}
	}
	return lines
}

// s18Place checks that the board's line with a medal names the member
// and their points.
func s18Place(t *testing.T, board, medal, name, points string) {
	t.Helper()
	l := s18Lines(board, medal)
	if len(l) != 1 || !strings.Contains(l[0], name) || !strings.Contains(l[0], points) {
		t.Fatalf("want %s for %s with %s in:\n%s", medal, name, points, board)
	}
}

// An admin starts a season with /prep season start Q1 prep; a member
// cannot; only answers from then on count on its board, from zero; it
// ends, and its final standings stay readable by name, and in /prep
// season list.
func TestSurface18SeasonsOnSlack(t *testing.T) {
	r := newRig(t, Config{})
	r.f.Mu.Lock()
	r.f.Admins[s18Boss.id] = true
	r.f.Mu.Unlock()
	r.s18Answer(s18Alice, true)
	r.s18Answer(s18Alice, true) // 20 points before the season
	r.Clock.Add(time.Minute)

	bottest.MustContain(t, r.s18Text(s18Bob, "season start Mine"), "Only server admins can start or end a season", "season list")
	p := r.s18Command(s18Boss, "season start Q1 prep")
	if p["response_type"] != "in_channel" {
		t.Errorf("a season's start is announced to the channel: %v", p["response_type"])
	}
	bottest.MustContain(t, blocksOf(p).text(), "Season started: Q1 prep", "starts from zero for everyone", "Running since 25 Nov 2026 08:01 (UTC)")
	r.Clock.Add(time.Minute)
	r.s18Answer(s18Bob, true) // 10 points in the season

	season := r.s18Text(s18Bob, "leaderboard season")
	bottest.MustContain(t, season, "Leaderboard: season Q1 prep", "Running since 25 Nov 2026 08:01")
	s18Place(t, season, "🥇", "bob", ": 10 points · 100% of 1 answer")
	if strings.Contains(season, "alice") {
		t.Fatalf("the season's board counts alice's answers from before it:\n%s", season)
	}
	week := r.s18Text(s18Bob, "leaderboard")
	s18Place(t, week, "🥇", "alice", ": 20 points")
	s18Place(t, week, "🥈", "bob", ": 10 points")

	bottest.MustContain(t, r.s18Text(s18Bob, "season end"), "Only server admins")
	r.Clock.Add(time.Hour)
	end := r.s18Text(s18Boss, "season end")
	bottest.MustContain(t, end, "Season ended: Q1 prep", "Its final standings stay")
	s18Place(t, end, "🥇", "bob", ": 10 points")
	r.Clock.Add(time.Hour)
	r.s18Answer(s18Alice, true) // after the season: the week's board only

	final := r.s18Text(s18Alice, `leaderboard season:"Q1 prep"`)
	bottest.MustContain(t, final, "Leaderboard: season Q1 prep", "Final standings: from 25 Nov 2026 08:01 to 25 Nov 2026 09:02 (UTC)")
	s18Place(t, final, "🥇", "bob", ": 10 points · 100% of 1 answer")
	if strings.Contains(final, "alice") || strings.Contains(final, "You:") {
		t.Fatalf("the ended season's standings moved after it ended:\n%s", final)
	}
	s18Place(t, r.s18Text(s18Bob, "leaderboard"), "🥇", "alice", ": 30 points")
	bottest.MustContain(t, r.s18Text(s18Bob, "season list"), "No season is running", "Past seasons", "Q1 prep", "25 Nov 2026 to 25 Nov 2026")
}

// /prep leaderboard by:days ranks by days studied, not points: kit, first
// on points with one day, is 11th by days and sees their own line under
// the top 10; a member in the top 10 sees none.
func TestSurface18DaysBoardAndOwnRankOnSlack(t *testing.T) {
	r := newRig(t, Config{})
	var members []s18User
	for i := 1; i <= 10; i++ {
		members = append(members, s18User{fmt.Sprintf("UM%02d", i), fmt.Sprintf("m%02d", i)})
	}
	kit := s18User{"UKIT", "kit"}
	for _, m := range members {
		r.s18Answer(m, true)
	}
	for range 3 {
		r.s18Answer(kit, true) // 30 points, all on Wednesday
	}
	r.Clock.Add(24 * time.Hour) // Thursday, the same week
	for _, m := range members {
		r.s18Answer(m, false) // a second day studied, no points
	}

	points := r.s18Text(kit, "leaderboard")
	bottest.MustContain(t, points, "Leaderboard: this week")
	s18Place(t, points, "🥇", "kit", ": 30 points")
	if strings.Contains(points, "You:") {
		t.Fatalf("kit is in the top 10 by points, yet gets an own line:\n%s", points)
	}

	days := r.s18Text(kit, "leaderboard by:days")
	bottest.MustContain(t, days, "Days studied: this week", "a day counts once", "You: 11th, 1 day · 30 points")
	s18Place(t, days, "🥇", "m", ": 2 days · 10 points")
	if n := len(s18Lines(days, ": 2 days · 10 points")); n != 10 {
		t.Fatalf("%d members listed with 2 days, want the 10 who studied twice:\n%s", n, days)
	}
	if strings.Contains(days, "kit") {
		t.Fatalf("kit (1 day) is listed in the days board's top 10:\n%s", days)
	}
	if out := r.s18Text(members[0], "leaderboard by:days"); strings.Contains(out, "You:") {
		t.Fatalf("a member in the top 10 gets an own line:\n%s", out)
	}
}

// Seven days of streak earn a freeze, which /prep stats shows; a missed
// day uses it, and the next verdict says so, once.
func TestSurface18StreakFreezesOnSlack(t *testing.T) {
	r := newRig(t, Config{})
	for d := range 7 { // 25 November to 1 December
		if d > 0 {
			r.Clock.Add(24 * time.Hour)
		}
		bottest.MustContain(t, r.s18Answer(s18Alice, true), fmt.Sprintf("*Streak*\n%d day", d+1))
	}
	p := r.s18Command(s18Alice, "stats")
	if p["response_type"] != "ephemeral" {
		t.Errorf("stats are private: %v", p["response_type"])
	}
	bottest.MustContain(t, blocksOf(p).text(), "*Current streak*\n7 days", "*Streak freezes*\n1 of 2 (one for each 7 days of streak; a missed day uses one)")

	r.Clock.Add(48 * time.Hour) // 2 December missed; 3 December
	v := r.s18Answer(s18Alice, true)
	bottest.MustContain(t, v, "*Streak*\n8 days", "*Streak freeze*\nA streak freeze kept your streak over 2026-12-02, a day you missed (0 freezes left).")
	bottest.MustContain(t, r.s18Text(s18Alice, "stats"), "*Current streak*\n8 days", "*Streak freezes*\n0 of 2")
	r.Clock.Add(24 * time.Hour)
	if v := r.s18Answer(s18Alice, true); strings.Contains(v, "Streak freeze") || !strings.Contains(v, "*Streak*\n9 days") {
		t.Fatalf("the day after, the verdict speaks of the freeze again, or the streak is off:\n%s", v)
	}
}

// A study round's card 2 closes as soon as both players have answered
// it, with the clock standing still; while one of them has not, it stays
// open.
func TestSurface18RoundClosesEarlyOnSlack(t *testing.T) {
	r := newRig(t, Config{})
	ctx := context.Background()
	card1 := blocksOf(r.s18Command(s18Alice, "study coding 2 30"))
	bottest.MustContain(t, card1.text(), "Study round: card 1 of 2")
	for _, u := range []s18User{s18Alice, s18Bob} {
		r.s18Press(u, card1.button("A"))
	}
	r.Clock.Add(30 * time.Second)
	if err := r.Bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.f.Next("chat.postMessage").Form.Get("text"), "Time! Card 1 of 2")
	card2 := blocksOf(r.f.Next("chat.postMessage").Form.Get("blocks"))
	bottest.MustContain(t, card2.text(), "Study round: card 2 of 2")

	stopped := r.Clock.Now()
	r.s18Press(s18Alice, card2.button("A"))
	if err := r.Bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	// bob, a player, has not answered: the card is still open to him
	if v := r.s18Press(s18Bob, card2.button("B")).text(); strings.Contains(v, "Time is up") {
		t.Fatalf("card 2 closed before bob answered:\n%s", v)
	}
	if err := r.Bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.f.Next("chat.postMessage").Form.Get("text"), "Time! Card 2 of 2")
	bottest.MustContain(t, blocksOf(r.f.Next("chat.postMessage").Form.Get("blocks")).text(), "Study round over", "alice", "bob")
	if !r.Clock.Now().Equal(stopped) {
		t.Fatal("the clock moved")
	}
}
