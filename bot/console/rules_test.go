package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank"
)

func streakOf(t *testing.T, s *session) string {
	t.Helper()
	out := s.do("/stats")
	i := strings.Index(out, "Current streak: ")
	if i < 0 {
		t.Fatalf("no streak in:\n%s", out)
	}
	rest := out[i+len("Current streak: "):]
	return strings.TrimSpace(rest[:strings.IndexAny(rest, "|\n")])
}

func TestStreakCountsLocalDays(t *testing.T) {
	for _, tc := range []struct {
		name, zone string
		steps      []string // local times of answers, then "=N days" checks
	}{
		{"near midnight", "Europe/Berlin", []string{
			"2026-11-24 23:59:59", "=1 day",
			"2026-11-25 00:00:01", "=2 days", // two seconds later, the next local day
			"2026-11-25 18:00:00", "=2 days", // twice in a day counts once
			"2026-11-26 23:00:00", "=3 days",
			"2026-11-28 08:00:00", "=1 day", // missed the 27th: starts over
		}},
		{"spring forward (23-hour day)", "Europe/Berlin", []string{
			"2026-03-28 23:30:00", "=1 day",
			"2026-03-29 23:30:00", "=2 days", // only 23 hours later
			"2026-03-30 00:10:00", "=3 days",
		}},
		{"fall back (25-hour day)", "Europe/Berlin", []string{
			"2026-10-24 00:05:00", "=1 day",
			"2026-10-25 23:55:00", "=2 days", // 48 hours and 50 minutes later, still the next day
			"2026-10-27 00:01:00", "=1 day",
		}},
		{"the group's zone decides", "America/New_York", []string{
			"2026-11-25 18:30:00", "=1 day",
			"2026-11-25 22:30:00", "=1 day", // already Nov 26 in UTC, still Nov 25 in New York
			"2026-11-26 19:00:00", "=2 days",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, time.Now(), tc.zone)
			u := e.user("dana")
			for _, step := range tc.steps {
				if want, ok := strings.CutPrefix(step, "="); ok {
					if got := streakOf(t, u); got != want {
						t.Fatalf("after the answers up to here: streak %q, want %q", got, want)
					}
					continue
				}
				e.clock.Set(at(t, step, tc.zone))
				out, _ := u.answer(false, "/question") // a wrong answer keeps the streak too
				mustContain(t, out, "Not quite")
			}
		})
	}
}

func TestLongestStreakAndBrokenStreak(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-01 12:00:00", "UTC"), "")
	u := e.user("lee")
	for d := 0; d < 4; d++ {
		u.answer(true, "/question")
		e.clock.Add(24 * time.Hour)
	}
	e.clock.Add(48 * time.Hour) // two days without answering
	mustContain(t, u.do("/stats"), "Current streak: none: answer a card today to start one", "Longest streak: 4 days", "Streak freezes: 0 of 2")
}

func TestDailyQuestionExactlyOnceAcrossRestart(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 08:00:00", "Europe/Berlin"), "")
	admin := e.user("admin")
	mustContain(t, admin.do("/qotd set channel:#study time:09:00 timezone:Europe/Berlin weekdays:mon-fri"),
		"#study gets a question at 09:00 Europe/Berlin, Monday to Friday", "Next: Wed 25 Nov 09:00")

	daily := func(out string) int { return strings.Count(out, "Question of the day") }
	e.clock.Set(at(t, "2026-11-25 08:59:59", "Europe/Berlin"))
	if n := daily(admin.do("/help")); n != 0 {
		t.Fatalf("posted %d before 09:00", n)
	}
	e.clock.Set(at(t, "2026-11-25 09:00:00", "Europe/Berlin"))
	if n := daily(admin.do("/help")); n != 1 {
		t.Fatalf("posted %d at 09:00, want 1", n)
	}
	e.clock.Set(at(t, "2026-11-25 09:01:00", "Europe/Berlin"))
	if n := daily(admin.do("/help")); n != 0 {
		t.Fatalf("posted again a minute later")
	}
	e.restart()
	admin = e.user("admin")
	if n := daily(admin.do("/help")); n != 0 {
		t.Fatalf("posted again after a restart the same day")
	}
	mustContain(t, admin.do("/qotd status"), "last posted 2026-11-25", "next Thu 26 Nov 09:00")

	// Down from Wednesday evening to Thursday 15:00: the missed post is made on start.
	e.restart()
	e.clock.Set(at(t, "2026-11-26 15:00:00", "Europe/Berlin"))
	admin = e.user("admin")
	if n := daily(admin.do("/help")); n != 1 {
		t.Fatalf("catch-up after downtime posted %d, want 1", n)
	}
	// Down all of Friday: Friday is over, so nothing is caught up on Saturday,
	// and the weekend has no posts.
	e.restart()
	e.clock.Set(at(t, "2026-11-28 10:00:00", "Europe/Berlin"))
	admin = e.user("admin")
	if n := daily(admin.do("/help")); n != 0 {
		t.Fatalf("posted %d on a Saturday", n)
	}
	e.clock.Set(at(t, "2026-11-30 09:30:00", "Europe/Berlin"))
	if n := daily(admin.do("/help")); n != 1 {
		t.Fatalf("Monday: posted %d", n)
	}
}

func TestDailyQuestionsDoNotRepeat(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-01 10:00:00", "UTC"), "")
	chat := &bottest.Chat{}
	admin := e.user("admin")
	admin.do("/qotd set channel:#general time:09:00 timezone:UTC categories:coding,postgres")
	e.bot.SetChat(chat)
	seen := map[string]bool{}
	for day := 0; day < 40; day++ {
		if n, err := e.bot.Tick(context.Background()); err != nil || n != 1 {
			t.Fatalf("day %d: posted %d, %v", day, n, err)
		}
		if day == 20 {
			e.restart() // the bags survive a restart
			e.bot.SetChat(chat)
		}
		e.clock.Add(24 * time.Hour)
	}
	cats := map[string]int{}
	for _, p := range chat.Posts() {
		id := p.Reply.Footer
		if seen[id] {
			t.Fatalf("%s posted twice in 40 days from 40 cards", id)
		}
		seen[id] = true
		c, _ := e.bank.Card(id)
		cats[c.Category]++
	}
	if cats["coding"] != 20 || cats["postgres"] != 20 {
		t.Fatalf("categories should alternate: %v", cats)
	}
}

func TestDailyQuestionChannelGone(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	chat := &bottest.Chat{Fail: map[string]error{"#deleted": fmt.Errorf("discord: 404 unknown channel: %w", bot.ErrChannelGone)}}
	admin := e.user("admin")
	admin.do("/qotd set channel:#deleted time:09:00 timezone:UTC")
	e.bot.SetChat(chat)
	n, err := e.bot.Tick(context.Background())
	if n != 0 || !errors.Is(err, bot.ErrChannelGone) {
		t.Fatalf("tick: %d %v", n, err)
	}
	mustContain(t, admin.do("/qotd status"), "⚠️ Paused: posting to #deleted failed", "run /qotd set again")
	if n, err := e.bot.Tick(context.Background()); n != 0 || err != nil {
		t.Fatalf("a paused schedule is skipped: %d %v", n, err)
	}
	// a passing failure is retried on the next tick
	chat.Fail = map[string]error{"#flaky": errors.New("503 service unavailable")}
	admin.do("/qotd set channel:#flaky time:09:00 timezone:UTC")
	if n, _ := e.bot.Tick(context.Background()); n != 0 {
		t.Fatalf("posted through a failure")
	}
	chat.Fail = nil
	if n, err := e.bot.Tick(context.Background()); n != 1 || err != nil {
		t.Fatalf("retry: %d %v", n, err)
	}
}

func TestQotdAdminOnly(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	req := bot.Request{Platform: "test", Group: "g", Channel: "#c", User: bot.User{ID: "u1", Name: "member"}, Command: "qotd"}
	for _, sub := range []string{"set", "off", "now"} {
		req.Args = map[string]string{"sub": sub, "time": "09:00"}
		r, err := e.bot.Handle(context.Background(), req)
		if bot.ErrorCode(err) != bot.EForbidden || !r.Private || !strings.Contains(r.Text, "Only server admins") {
			t.Errorf("/qotd %s by a member: %v %+v", sub, err, r)
		}
	}
	if list, _ := e.db.Schedules(context.Background(), "g"); len(list) != 0 {
		t.Fatalf("a refused /qotd set saved a schedule: %+v", list)
	}
	req.Args = map[string]string{"sub": "status"}
	if r, err := e.bot.Handle(context.Background(), req); err != nil || !strings.Contains(r.Text, "No channel gets a daily question") {
		t.Errorf("status is for everyone: %v %+v", err, r)
	}
	admin := e.user("admin")
	mustContain(t, admin.do("/qotd set time:25:00"), "Give the time as HH:MM")
	mustContain(t, admin.do("/qotd set time:09:00 timezone:Mars/Olympus"), `unknown time zone "Mars/Olympus"`)
	mustContain(t, admin.do("/qotd set time:09:00 categories:golang"), `Unknown category "golang"`)
	mustContain(t, admin.do("/qotd set time:09:00 weekdays:funday"), `Unknown weekday "funday"`)
	mustContain(t, admin.do("/qotd off channel:#nowhere"), "There is no daily question in #nowhere")
}

func TestAnswerRecordedOnceUnderConcurrentPresses(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	req := bot.Request{Group: "g", Channel: "#c", User: bot.User{ID: "u1", Name: "eve"}, Command: "question"}
	r, err := e.bot.Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	card, _ := e.bank.Card(r.Footer)
	right := card.QuickCheck.CorrectIndex()
	var wg sync.WaitGroup
	results := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			press := req
			press.Command, press.Action = "", r.Buttons[right].ID
			_, err := e.bot.Handle(context.Background(), press)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	ok, dup := 0, 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case bot.ErrorCode(err) == bot.EConflict:
			dup++
		default:
			t.Fatalf("press failed: %v", err)
		}
	}
	m, _ := e.db.Member(context.Background(), "g", "u1")
	if ok != 1 || dup != 19 || m.Answered != 1 || m.Points != 15 && m.Points != 10 && m.Points != 20 {
		t.Fatalf("20 presses: %d recorded, %d refused; member %+v", ok, dup, m)
	}
}

func TestLeaderboardPeriodsAndTies(t *testing.T) {
	e := newEnv(t, at(t, "2026-10-28 12:00:00", "UTC"), "")
	ann, ben, cat := e.user("ann"), e.user("ben"), e.user("cat")
	// October (week 44): ann scores on an easy card.
	ann.answer(true, "/question difficulty:easy")
	// November, week 48: ben and cat both get one medium right, ben first;
	// cat also gets one wrong, so ben leads on accuracy.
	e.clock.Set(at(t, "2026-11-23 09:00:00", "UTC"))
	ben.answer(true, "/question difficulty:medium")
	e.clock.Add(time.Minute)
	cat.answer(true, "/question difficulty:medium")
	e.clock.Add(time.Minute)
	cat.answer(false, "/question difficulty:medium")
	// ann gets one medium right later the same week: ties ben on points and
	// accuracy, but got there later.
	e.clock.Add(time.Hour)
	ann.answer(true, "/question difficulty:medium")

	week := ann.do("/leaderboard period:week")
	order := func(out string, names ...string) {
		t.Helper()
		last := -1
		for _, n := range names {
			i := strings.Index(out, " "+n+": ")
			if i < 0 || i < last {
				t.Fatalf("want order %v in:\n%s", names, out)
			}
			last = i
		}
	}
	order(week, "ben", "ann", "cat")
	mustContain(t, week, "ben: 15 points · 100% of 1 answer", "cat: 15 points · 50% of 2 answers")
	month := ann.do("/leaderboard period:month")
	order(month, "ben", "ann", "cat")
	all := ann.do("/leaderboard period:all")
	order(all, "ann", "ben", "cat") // ann has October's points too
	mustContain(t, all, "ann: 25 points")
	if out := ann.do("/leaderboard period:week category:fastapi"); !strings.Contains(out, "No points yet") {
		// only if nobody drew a fastapi card this week
		if !strings.Contains(out, "FastAPI") {
			t.Fatalf("category leaderboard: %s", out)
		}
	}
	e.clock.Set(at(t, "2026-12-01 09:00:00", "UTC"))
	mustContain(t, ann.do("/leaderboard period:week"), "No points yet for this week")
}

func TestDrawCooldown(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	u, other := e.user("flood"), e.user("calm")
	for i := 0; i < 5; i++ {
		mustContain(t, u.do("/question"), "Quick check:")
		e.clock.Add(time.Second)
	}
	mustContain(t, u.do("/question"), "Slow down", "you can draw another card in 55 seconds")
	mustContain(t, other.do("/question"), "Quick check:") // the limit is per member
	e.clock.Add(55 * time.Second)
	mustContain(t, u.do("/question"), "Quick check:")
}

func TestRequestLogsCarryAnID(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	b := bot.New(bot.Config{Bank: e.bank, Store: e.db, Clock: e.clock, Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	b.Handle(context.Background(), bot.Request{Platform: "discord", Group: "g", Channel: "c", User: bot.User{ID: "u"}, Command: "help", InteractionID: "int-42"})
	b.Handle(context.Background(), bot.Request{Platform: "slack", Group: "g", Channel: "c", User: bot.User{ID: "u"}, Command: "question", Args: map[string]string{"category": "nope"}})
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one log line per request:\n%s", logs.String())
	}
	var first, second map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[1]), &second)
	if first["request_id"] != "int-42" || first["msg"] != "request handled" || first["command"] != "help" {
		t.Errorf("first = %v", first)
	}
	if id, _ := second["request_id"].(string); len(id) != 16 || second["msg"] != "request refused" || second["outcome"] != "invalid" {
		t.Errorf("second = %v", second)
	}
}

// pressAnswer answers the card in out right or wrong and returns the reply.
func (s *session) pressAnswer(out string, correct bool) string {
	s.e.t.Helper()
	card := s.e.lastCard(out)
	pick := card.QuickCheck.CorrectIndex()
	if !correct {
		pick = (pick + 1) % len(card.QuickCheck.Options)
	}
	return s.do(button(s.e.t, out, string("ABCDE"[pick])))
}

func TestReviewIntroducesNewCardsAndBringsThemBack(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-02 09:00:00", "UTC"), "")
	u := e.user("rae")
	seen := map[string]bool{}
	out := u.do("/review")
	for i := 0; i < 5; i++ { // five new cards a day
		mustContain(t, out, "Review: a new card ("+fmt.Sprint(i+1)+" of 5 new today)")
		c := e.lastCard(out)
		if seen[c.ID] {
			t.Fatalf("new card %s dealt twice", c.ID)
		}
		seen[c.ID] = true
		verdict := u.pressAnswer(out, i != 0) // miss the first
		mustContain(t, verdict, "Next review card")
		out = u.do(button(t, verdict, "Next review card"))
	}
	mustContain(t, out, "Review: done for today", "You reviewed 5 cards today", "Next review: 2026-11-03")
	mustContain(t, u.do("/stats"), "Review: 0 due today, next on 2026-11-03")

	e.clock.Add(24 * time.Hour) // all five are due after one day
	out = u.do("/review")
	mustContain(t, out, "Review: 5 cards due")
	c := e.lastCard(out)
	if !seen[c.ID] {
		t.Fatalf("a due card should come before new ones, got %s", c.ID)
	}
}

func TestReviewAfterALongAbsenceIsCapped(t *testing.T) {
	e := newEnv(t, at(t, "2026-09-01 09:00:00", "UTC"), "")
	u := e.user("sam")
	// review every day for six days: what is due, then five new cards
	for d := 0; d < 6; d++ {
		out := u.do("/review")
		for i := 0; !strings.Contains(out, "done for today"); i++ {
			if i > 40 {
				t.Fatalf("day %d never ends:\n%s", d, out)
			}
			verdict := u.pressAnswer(out, true)
			out = u.do(button(t, verdict, "Next review card"))
		}
		e.clock.Add(24 * time.Hour)
	}
	e.clock.Add(90 * 24 * time.Hour) // gone for three months: everything is due
	out := u.do("/review")
	mustContain(t, out, "Review: 20 cards due today (10 more wait for the next days)")
	mustContain(t, u.do("/stats"), "Review: 30 due today")
}

func TestPracticeTargetsTheWeakestCategory(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-02 09:00:00", "UTC"), "")
	u := e.user("pat")
	for _, cat := range []string{"python", "fastapi", "microservices", "coding"} {
		u.answer(true, "/question category:"+cat)
		e.clock.Add(15 * time.Second)
	}
	u.answer(false, "/question category:postgres")
	u.answer(false, "/question category:postgres")
	e.clock.Add(time.Minute)
	out := u.do("/practice")
	mustContain(t, out, "Practice: You miss 100% of PostgreSQL & Persistence questions; this is one you missed.")
	if c := e.lastCard(out); c.Category != "postgres" {
		t.Fatalf("practice drew %s", c.ID)
	}
	mustContain(t, u.do("/practice category:coding"), "Practice: You answered every Coding & Logic Challenges question right so far: keep it sharp.")
	mustContain(t, u.do("/practice category:golang"), `Unknown category "golang"`)
}

func TestWeeklyDigest(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-23 10:00:00", "Europe/Berlin"), "") // a Monday
	ann, admin := e.user("ann"), e.user("admin")                      // the last console made is where posts appear
	mustContain(t, admin.do("/qotd set time:18:00 timezone:Europe/Berlin weekdays:sat digest:fri"),
		"Every Friday at 18:00 it also gets the week's digest")
	mustContain(t, admin.do("/qotd set time:18:00 timezone:Europe/Berlin digest:mon-fri"), "Give the digest one weekday")
	admin.do("/qotd set time:18:00 timezone:Europe/Berlin weekdays:sat digest:fri")
	for d := 0; d < 4; d++ { // ann answers Monday to Thursday; misses postgres
		ann.answer(true, "/question category:python")
		ann.answer(false, "/question category:postgres")
		e.clock.Add(24 * time.Hour)
	}
	admin.answer(true, "/question category:coding")
	digests := func(out string) int { return strings.Count(out, "== This week in study") }
	e.clock.Set(at(t, "2026-11-27 17:59:00", "Europe/Berlin"))
	if n := digests(admin.do("/help")); n != 0 {
		t.Fatalf("digest before its time")
	}
	e.clock.Set(at(t, "2026-11-27 18:00:00", "Europe/Berlin"))
	out := admin.do("/help")
	if digests(out) != 1 {
		t.Fatalf("want one digest on Friday at 18:00:\n%s", out)
	}
	mustContain(t, out, "Leaderboard", "1. ann: ", "(50% of 8 answers)", "Longest streaks: ann 4 days",
		"Missed most: PostgreSQL & Persistence: 100% of this week's answers were wrong. Try /practice category:postgres.")
	e.restart()
	admin = e.user("admin")
	if n := digests(admin.do("/help")); n != 0 {
		t.Fatalf("digest posted again after a restart")
	}
	mustContain(t, admin.do("/qotd status"), "weekly digest on Friday")
}

func TestStudyRound(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 18:00:00", "UTC"), "")
	ann, bob := e.user("ann"), e.user("bob") // posts appear in bob's console, the last one made
	out := ann.do("/study category:python count:2 seconds:30")
	mustContain(t, out, "Study round: card 1 of 2", "30 seconds to answer")
	if strings.Contains(out, "] Answer") {
		t.Fatalf("the answer stays hidden during a round:\n%s", out)
	}
	mustContain(t, bob.do("/study"), "A study round is already running in this channel")
	card := e.lastCard(out)
	e.clock.Add(3 * time.Second) // ann answers right at once: 15-ish points plus a speed bonus
	mustContain(t, ann.pressAnswer(out, true), "Correct! +", "(with a speed bonus)")
	e.clock.Add(20 * time.Second)
	rd, err := e.db.Round(context.Background(), "console", "#study")
	if err != nil {
		t.Fatal(err)
	}
	wrong := (card.QuickCheck.CorrectIndex() + 1) % len(card.QuickCheck.Options)
	r, _ := e.bot.Handle(context.Background(), bot.Request{Platform: "console", Group: "console", Channel: "#study",
		User: bot.User{ID: "bob", Name: "bob"}, Action: fmt.Sprintf("a:%d:%d", rd.Post, wrong)}) // bob, in the same channel
	mustContain(t, r.Title, "Not quite")
	e.clock.Add(8 * time.Second) // time is up: the answer, then card 2
	next := bob.do("/help")
	mustContain(t, next, "Time! Card 1 of 2", "The answer is", "Study round: card 2 of 2")
	if e.lastCard(next).ID == card.ID {
		t.Fatal("the same card twice in a round")
	}
	mustContain(t, ann.pressAnswer(out, true), "Time is up for this card")
	e.clock.Add(31 * time.Second)
	end := bob.do("/help")
	mustContain(t, end, "Time! Card 2 of 2", "Study round over", "1. ann: ", "2. bob: 0 points")
	m, _ := e.db.Member(context.Background(), "console", "ann")
	base := map[questionbank.Difficulty]int{questionbank.Easy: 10, questionbank.Medium: 15, questionbank.Hard: 20}[card.Difficulty]
	if m.Points <= base {
		t.Fatalf("the speed bonus should count toward the leaderboard: %d points for a %s card", m.Points, card.Difficulty)
	}
	mustContain(t, ann.do("/study stop"), "No study round is running here")
}

func TestStudyRoundStopAndRestart(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 18:00:00", "UTC"), "")
	ann := e.user("ann")
	out := ann.do("/study count:3")
	ann.pressAnswer(out, true)
	req := bot.Request{Platform: "test", Group: "console", Channel: "#study", User: bot.User{ID: "carl"}, Command: "study", Args: map[string]string{"category": "stop"}}
	if _, err := e.bot.Handle(context.Background(), req); bot.ErrorCode(err) != bot.EForbidden {
		t.Fatalf("a member who did not start the round stopped it: %v", err)
	}
	e.restart()
	bob := e.user("bob")
	bob.out.Reset()
	if err := e.bot.CloseRounds(context.Background()); err != nil { // what console and serve do at start
		t.Fatal(err)
	}
	mustContain(t, bob.out.String(), "Study round closed: prepbot restarted", "1. ann: ")
	if _, err := e.db.Round(context.Background(), "console", "#study"); err == nil {
		t.Fatal("the round survived the restart")
	}
	if m, _ := e.db.Member(context.Background(), "console", "ann"); m.Answered != 1 {
		t.Fatalf("the round's answer was lost: %+v", m)
	}
}
