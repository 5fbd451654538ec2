package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot/bottest"
)

// The features of issue 18 on Discord, every body through the strict
// fake: seasons, the consistency board with the own-rank line, streak
// freezes, and study rounds that close once every player has answered.

// s18Member is a member of the server g1: a snowflake id, the name shown
// and the permissions ("32" is Manage Server).
type s18Member struct{ id, name, perms string }

var (
	s18Alice = s18Member{"1001", "Alice", "0"}
	s18Bob   = s18Member{"1002", "Bob", "0"}
	s18Boss  = s18Member{"1009", "Boss", "32"}
)

// s18Send dispatches an interaction from m and returns the callback's
// body.
func (r *rig) s18Send(m s18Member, typ int, data any) wireResponse {
	r.t.Helper()
	r.f.dispatch("INTERACTION_CREATE", discordMember(interaction(typ, data, m.perms), m.id, m.name, m.perms))
	return decode(r.t, r.f.next("/interactions/").Body)
}

func (r *rig) s18Command(m s18Member, name string, opts ...map[string]any) wireResponse {
	r.t.Helper()
	return r.s18Send(m, 2, command(name, opts...))
}

func (r *rig) s18Press(m s18Member, id string) wireResponse {
	r.t.Helper()
	if id == "" {
		r.t.Fatal("no such button")
	}
	return r.s18Send(m, 3, map[string]any{"custom_id": id, "component_type": 2})
}

// s18Sub is a subcommand option with its options.
func s18Sub(name string, opts ...map[string]any) map[string]any {
	if opts == nil {
		opts = []map[string]any{}
	}
	return map[string]any{"name": name, "type": 1, "options": opts}
}

// s18Answer has m draw an easy python card (10 points) and answer it,
// right or wrong; it returns the verdict.
func (r *rig) s18Answer(m s18Member, correct bool) wireResponse {
	r.t.Helper()
	w := r.s18Command(m, "question", opt("category", 3, "python"), opt("difficulty", 3, "easy"))
	c := r.card(w)
	i := c.QuickCheck.CorrectIndex()
	want := "Correct! +10 points"
	if !correct {
		i, want = (i+1)%len(c.QuickCheck.Options), "Not quite"
	}
	v := r.s18Press(m, w.button(string("ABCDE"[i])))
	if v.Data.Flags&64 == 0 {
		r.t.Fatalf("a verdict is private: %s", v.text())
	}
	bottest.MustContain(r.t, v.text(), want)
	return v
}

// s18Message decodes a message body as Discord receives it: JSON, or the
// payload_json part of a multipart body (a reply with a picture).
func s18Message(t *testing.T, q recorded) wireResponse {
	t.Helper()
	body := q.Body
	if mt, params, err := mime.ParseMediaType(q.ContentType); err == nil && strings.HasPrefix(mt, "multipart/") {
		body = nil
		mr := multipart.NewReader(bytes.NewReader(q.Body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "payload_json" {
				body, _ = io.ReadAll(p)
				break
			}
		}
	}
	var w wireResponse
	if err := json.Unmarshal(body, &w.Data); err != nil {
		t.Fatalf("%s %s: not a message: %v\n%s", q.Method, q.Path, err, q.Body)
	}
	return w
}

// s18Stats is m's /stats as Discord shows it: deferred (it carries a
// picture), then the original response edited.
func (r *rig) s18Stats(m s18Member) string {
	r.t.Helper()
	d := r.s18Command(m, "stats")
	if d.Data.Flags&64 == 0 {
		r.t.Fatalf("/stats is private: %+v", d)
	}
	if d.Type != 5 {
		return d.text()
	}
	return s18Message(r.t, r.f.next("/webhooks/app1/")).text()
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

// An admin starts a season with /season start; a member cannot; only
// answers from then on count on its board, from zero; it ends, and its
// final standings stay readable by name, and in /season list.
func TestSurface18SeasonsOnDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.s18Answer(s18Alice, true)
	r.s18Answer(s18Alice, true) // 20 points before the season
	r.Clock.Add(time.Minute)

	w := r.s18Command(s18Bob, "season", s18Sub("start", opt("name", 3, "Mine")))
	if w.Data.Flags&64 == 0 {
		t.Errorf("a refusal is private: %s", w.text())
	}
	bottest.MustContain(t, w.text(), "Only server admins can start or end a season", "/season list")

	w = r.s18Command(s18Boss, "season", s18Sub("start", opt("name", 3, "Q1 prep")))
	if w.Data.Flags&64 != 0 {
		t.Errorf("a season's start is announced to the channel: %s", w.text())
	}
	bottest.MustContain(t, w.text(), "Season started: Q1 prep", "starts from zero for everyone", "(Running since 25 Nov 2026 08:01 (UTC)")
	r.Clock.Add(time.Minute)
	r.s18Answer(s18Bob, true) // 10 points in the season

	season := r.s18Command(s18Bob, "leaderboard", opt("period", 3, "season")).text()
	bottest.MustContain(t, season, "Leaderboard: season Q1 prep", "🥇 **Bob**: 10 points · 100% of 1 answer", "Running since 25 Nov 2026 08:01")
	if strings.Contains(season, "Alice") {
		t.Fatalf("the season's board counts Alice's answers from before it:\n%s", season)
	}
	bottest.MustContain(t, r.s18Command(s18Bob, "leaderboard").text(), "🥇 **Alice**: 20 points", "🥈 **Bob**: 10 points")

	bottest.MustContain(t, r.s18Command(s18Bob, "season", s18Sub("end")).text(), "Only server admins")
	r.Clock.Add(time.Hour)
	w = r.s18Command(s18Boss, "season", s18Sub("end"))
	bottest.MustContain(t, w.text(), "Season ended: Q1 prep", "🥇 **Bob**: 10 points", `/leaderboard season:"Q1 prep"`)
	r.Clock.Add(time.Hour)
	r.s18Answer(s18Alice, true) // after the season: the week's board only

	final := r.s18Command(s18Alice, "leaderboard", opt("season", 3, "Q1 prep")).text()
	bottest.MustContain(t, final, "Leaderboard: season Q1 prep", "🥇 **Bob**: 10 points · 100% of 1 answer",
		"(Final standings: from 25 Nov 2026 08:01 to 25 Nov 2026 09:02 (UTC)")
	if strings.Contains(final, "Alice") || strings.Contains(final, "You:") {
		t.Fatalf("the ended season's standings moved after it ended:\n%s", final)
	}
	bottest.MustContain(t, r.s18Command(s18Bob, "leaderboard").text(), "🥇 **Alice**: 30 points")
	list := r.s18Command(s18Bob, "season", s18Sub("list")).text()
	bottest.MustContain(t, list, "No season is running", "Past seasons", "**Q1 prep**: 25 Nov 2026 to 25 Nov 2026")
}

// /leaderboard by:days ranks by days studied, not points: Kit, first on
// points with one day, is 11th by days and sees their own line under the
// top 10; a member in the top 10 sees none.
func TestSurface18DaysBoardAndOwnRankOnDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	var members []s18Member
	for i := 1; i <= 10; i++ {
		members = append(members, s18Member{fmt.Sprint(2000 + i), fmt.Sprintf("M%02d", i), "0"})
	}
	kit := s18Member{"2011", "Kit", "0"}
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

	points := r.s18Command(kit, "leaderboard").text()
	bottest.MustContain(t, points, "Leaderboard: this week", "🥇 **Kit**: 30 points")
	if strings.Contains(points, "You:") {
		t.Fatalf("Kit is in the top 10 by points, yet gets an own line:\n%s", points)
	}

	w := r.s18Command(kit, "leaderboard", opt("by", 3, "days"))
	if w.Data.Flags&64 != 0 || len(w.Data.Embeds) != 1 {
		t.Fatalf("the board is one embed in the channel: %+v", w.Data)
	}
	days := w.Data.Embeds[0].Description
	bottest.MustContain(t, w.Data.Embeds[0].Title, "Days studied: this week")
	bottest.MustContain(t, days, "You: 11th, 1 day · 30 points")
	first := s18Lines(days, "🥇")
	if len(first) != 1 || !strings.Contains(first[0], ": 2 days · 10 points") {
		t.Fatalf("the days board's first place should have studied 2 days:\n%s", days)
	}
	if n := len(s18Lines(days, ": 2 days · 10 points")); n != 10 {
		t.Fatalf("%d members listed with 2 days, want the 10 who studied twice:\n%s", n, days)
	}
	if strings.Contains(days, "Kit") {
		t.Fatalf("Kit (1 day) is listed in the days board's top 10:\n%s", days)
	}
	if out := r.s18Command(members[0], "leaderboard", opt("by", 3, "days")).text(); strings.Contains(out, "You:") {
		t.Fatalf("a member in the top 10 gets an own line:\n%s", out)
	}
}

// Seven days of streak earn a freeze, which /stats shows; a missed day
// uses it, and the next verdict says so, once.
func TestSurface18StreakFreezesOnDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	for d := range 7 { // 25 November to 1 December
		if d > 0 {
			r.Clock.Add(24 * time.Hour)
		}
		bottest.MustContain(t, r.s18Answer(s18Alice, true).text(), fmt.Sprintf("Streak: %d day", d+1))
	}
	bottest.MustContain(t, r.s18Stats(s18Alice), "Current streak: 7 days", "Streak freezes: 1 of 2 (one for each 7 days of streak; a missed day uses one)")

	r.Clock.Add(48 * time.Hour) // 2 December missed; 3 December
	v := r.s18Answer(s18Alice, true).text()
	bottest.MustContain(t, v, "Streak: 8 days", "Streak freeze: A streak freeze kept your streak over 2026-12-02, a day you missed (0 freezes left).")
	bottest.MustContain(t, r.s18Stats(s18Alice), "Current streak: 8 days", "Streak freezes: 0 of 2")
	r.Clock.Add(24 * time.Hour)
	if v := r.s18Answer(s18Alice, true).text(); strings.Contains(v, "Streak freeze:") || !strings.Contains(v, "Streak: 9 days") {
		t.Fatalf("the day after, the verdict speaks of the freeze again, or the streak is off:\n%s", v)
	}
}

// A study round's card 2 closes as soon as both players have answered
// it, with the clock standing still; while one of them has not, it stays
// open.
func TestSurface18RoundClosesEarlyOnDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	ctx := context.Background()
	card1 := r.s18Command(s18Alice, "study", opt("category", 3, "coding"), opt("count", 3, "2"), opt("seconds", 3, "30"))
	bottest.MustContain(t, card1.text(), "Study round: card 1 of 2")
	for _, m := range []s18Member{s18Alice, s18Bob} {
		r.s18Press(m, card1.button("A"))
	}
	r.Clock.Add(30 * time.Second)
	if err := r.Bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, s18Message(t, r.f.next("/channels/c1/messages")).text(), "Time! Card 1 of 2")
	card2 := s18Message(t, r.f.next("/channels/c1/messages"))
	bottest.MustContain(t, card2.text(), "Study round: card 2 of 2")

	stopped := r.Clock.Now()
	r.s18Press(s18Alice, card2.button("A"))
	if err := r.Bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	// Bob, a player, has not answered: the card is still open to him
	if v := r.s18Press(s18Bob, card2.button("B")).text(); strings.Contains(v, "Time is up") {
		t.Fatalf("card 2 closed before Bob answered:\n%s", v)
	}
	if err := r.Bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, s18Message(t, r.f.next("/channels/c1/messages")).text(), "Time! Card 2 of 2")
	bottest.MustContain(t, s18Message(t, r.f.next("/channels/c1/messages")).text(), "Study round over", "Alice", "Bob")
	if !r.Clock.Now().Equal(stopped) {
		t.Fatal("the clock moved")
	}
}
