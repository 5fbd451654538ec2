package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The features of issue 18 as a member at the terminal sees them: seasons,
// the consistency board with the own-rank line, streak freezes, and study
// rounds that close once every player has answered. The console's one
// member is its admin, so the refusal of a member's /season start is
// tested on Discord and Slack.

// s18Start is Wednesday 25 November 2026, 08:00 UTC (ISO week 48).
var s18Start = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

// s18Answer draws an easy python card (10 points) and answers it, right
// or wrong, returning the verdict as printed.
func s18Answer(t *testing.T, s *session, correct bool) string {
	t.Helper()
	v, _ := s.answer(correct, "/question category:python difficulty:easy")
	want := "== Not quite =="
	if correct {
		want = "== Correct! +10 points =="
	}
	mustContain(t, v, want)
	return v
}

// s18Lines returns the lines of out that contain s.
func s18Lines(out, s string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			lines = append(lines, l)
		}
	}
	return lines
}

// An admin starts a season; only answers from then on count on its board,
// from zero; it ends, and its final standings stay readable by name, and
// in /season list.
func TestSurface18SeasonsInTheConsole(t *testing.T) {
	e := newEnv(t, s18Start, "UTC")
	alice, bob := e.user("alice"), e.user("bob")
	mustContain(t, bob.do("/season list"), "== Seasons ==", "No season is running")
	mustContain(t, bob.do("/leaderboard period:season"), "No season is running", `/season start name:"Q1 prep"`)

	s18Answer(t, alice, true)
	s18Answer(t, alice, true) // 20 points before the season
	e.clock.Add(time.Minute)
	mustContain(t, alice.do(`/season start name:"Q1 prep"`), "== Season started: Q1 prep ==", "starts from zero for everyone", "/season end",
		"(Running since 25 Nov 2026 08:01 (UTC)")
	e.clock.Add(time.Minute)
	s18Answer(t, bob, true) // 10 points in the season

	season := bob.do("/leaderboard period:season")
	mustContain(t, season, "== Leaderboard: season Q1 prep ==", "🥇 bob: 10 points · 100% of 1 answer", "Running since 25 Nov 2026 08:01")
	if strings.Contains(season, "alice") {
		t.Fatalf("the season's board counts alice's answers from before it:\n%s", season)
	}
	mustContain(t, bob.do("/leaderboard"), "🥇 alice: 20 points", "🥈 bob: 10 points")
	mustContain(t, bob.do("/season list"), "Running: Q1 prep, since 25 Nov 2026")

	e.clock.Add(time.Hour)
	mustContain(t, alice.do("/season end"), "== Season ended: Q1 prep ==", "🥇 bob: 10 points", `/leaderboard season:"Q1 prep"`)
	e.clock.Add(time.Hour)
	s18Answer(t, alice, true) // after the season: the week's board only
	s18Answer(t, alice, true)

	final := alice.do(`/leaderboard season:"q1 PREP"`)
	mustContain(t, final, "== Leaderboard: season Q1 prep ==", "🥇 bob: 10 points · 100% of 1 answer",
		"(Final standings: from 25 Nov 2026 08:01 to 25 Nov 2026 09:02 (UTC)")
	if len(s18Lines(final, "alice")) != 0 || len(s18Lines(final, "You:")) != 0 {
		t.Fatalf("the ended season's standings moved after it ended:\n%s", final)
	}
	mustContain(t, alice.do("/leaderboard"), "🥇 alice: 40 points")
	mustContain(t, bob.do("/leaderboard period:season"), "No season is running", `see one with /leaderboard season:"Q1 prep"`)
	mustContain(t, bob.do("/season list"), "No season is running", "Past seasons", "- Q1 prep: 25 Nov 2026 to 25 Nov 2026")
}

// /leaderboard by:days ranks by days studied, not points: kit, first on
// points with one day, is 11th by days and sees their own line under the
// top 10; a member in the top 10 sees none.
func TestSurface18DaysBoardAndOwnRankInTheConsole(t *testing.T) {
	e := newEnv(t, s18Start, "UTC")
	var members []*session
	for i := 1; i <= 10; i++ {
		members = append(members, e.user(fmt.Sprintf("m%02d", i)))
	}
	kit := e.user("kit")
	for _, m := range members {
		s18Answer(t, m, true)
	}
	for range 3 {
		s18Answer(t, kit, true) // 30 points, all on Wednesday
	}
	e.clock.Add(24 * time.Hour) // Thursday, the same week
	for _, m := range members {
		s18Answer(t, m, false) // a second day studied, no points
	}

	points := kit.do("/leaderboard")
	mustContain(t, points, "== Leaderboard: this week ==", "🥇 kit: 30 points")
	if strings.Contains(points, "You:") {
		t.Fatalf("kit is in the top 10 by points, yet gets an own line:\n%s", points)
	}

	days := kit.do("/leaderboard by:days")
	mustContain(t, days, "== Days studied: this week ==", "a day counts once", "You: 11th, 1 day · 30 points")
	first := s18Lines(days, "🥇")
	if len(first) != 1 || !strings.Contains(first[0], ": 2 days · 10 points") {
		t.Fatalf("the days board's first place should have studied 2 days:\n%s", days)
	}
	if n := len(s18Lines(days, ": 2 days · 10 points")); n != 10 {
		t.Fatalf("%d members listed with 2 days, want the 10 who studied twice:\n%s", n, days)
	}
	if len(s18Lines(days, "kit")) != 0 {
		t.Fatalf("kit (1 day) is listed in the days board's top 10:\n%s", days)
	}
	if out := members[0].do("/leaderboard by:days"); strings.Contains(out, "You:") {
		t.Fatalf("a member in the top 10 gets an own line:\n%s", out)
	}
}

// Seven days of streak earn a freeze, which /stats shows; a missed day
// uses it, and the next verdict says so, once.
func TestSurface18StreakFreezesInTheConsole(t *testing.T) {
	e := newEnv(t, s18Start, "UTC")
	ann := e.user("ann")
	for d := range 7 { // 25 November to 1 December
		if d > 0 {
			e.clock.Add(24 * time.Hour)
		}
		v := s18Answer(t, ann, true)
		mustContain(t, v, fmt.Sprintf("Streak: %d day", d+1))
		if d == 5 {
			mustContain(t, ann.do("/stats"), "Streak freezes: 0 of 2")
		}
	}
	mustContain(t, ann.do("/stats"), "Current streak: 7 days", "Streak freezes: 1 of 2 (one for each 7 days of streak; a missed day uses one)")

	e.clock.Add(48 * time.Hour) // 2 December missed; 3 December
	v := s18Answer(t, ann, true)
	mustContain(t, v, "Streak: 8 days", "Streak freeze: A streak freeze kept your streak over 2026-12-02, a day you missed (0 freezes left).")
	mustContain(t, ann.do("/stats"), "Current streak: 8 days", "Streak freezes: 0 of 2")
	e.clock.Add(24 * time.Hour)
	if v := s18Answer(t, ann, true); strings.Contains(v, "Streak freeze:") || !strings.Contains(v, "Streak: 9 days") {
		t.Fatalf("the day after, the verdict speaks of the freeze again, or the streak is off:\n%s", v)
	}
}

// A study round's first card runs its time; a later one closes as soon as
// every player (here the one at the terminal) has answered it, with the
// clock standing still.
func TestSurface18RoundClosesEarlyInTheConsole(t *testing.T) {
	e := newEnv(t, s18Start, "UTC")
	ann := e.user("ann")
	mustContain(t, ann.do("/study category:coding count:2 seconds:30"), "== Study round: card 1 of 2")
	ann.do("A")
	if out := ann.do("/help"); strings.Contains(out, "Time!") {
		t.Fatalf("the first card closed before its time:\n%s", out)
	}
	e.clock.Add(30 * time.Second)
	mustContain(t, ann.do("/help"), "== Time! Card 1 of 2 ==", "== Study round: card 2 of 2")

	stopped := e.clock.Now()
	v := ann.do("B")
	if strings.Contains(v, "Time is up") {
		t.Fatalf("card 2 refused its answer:\n%s", v)
	}
	out := ann.do("/help")
	mustContain(t, out, "== Time! Card 2 of 2 ==", "== Study round over ==", "ann: ")
	if !e.clock.Now().Equal(stopped) {
		t.Fatal("the clock moved")
	}
}
