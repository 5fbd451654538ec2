package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/storage"
)

// interviewBank has one card with four key concepts and two follow-ups,
// and a card that cannot be graded (an accepted answer only).
const interviewBank = `
categories:
  - id: db
    name: Databases
  - id: trivia
    name: Trivia
cards:
  - id: db-mvcc
    category: db
    number: 1
    difficulty: medium
    prompt: How does PostgreSQL let readers and writers work on the same rows at once?
    key_concepts:
      - concept: An update writes a new version of the row instead of changing it in place
        terms: ["new version of the row", "new row version", "keeps the old version", "writes a new version"]
        misconceptions: ["readers lock the rows they read"]
      - concept: Each transaction reads from a snapshot of the data committed when it started
        terms: ["snapshot", "data committed before it started"]
      - concept: So readers never block writers and writers never block readers
        terms: ["readers do not block writers", "never block", "no read locks"]
      - concept: VACUUM later removes the dead row versions that no snapshot can see
        terms: ["vacuum", "dead tuples", "dead row versions"]
    answer: >-
      PostgreSQL uses MVCC: an update writes a new version of the row and keeps the old one, each
      transaction reads from a snapshot, so readers and writers never block each other, and VACUUM
      removes the dead versions later.
    follow_ups:
      - prompt: A report runs for an hour while the table is updated heavily. What happens to it and to the table?
        key_concepts:
          - concept: The report's snapshot keeps seeing the old row versions, so it stays consistent
            terms: ["snapshot stays the same", "old versions", "consistent view"]
          - concept: VACUUM cannot remove dead tuples the snapshot may still need, so the table bloats
            terms: ["bloat", "cannot remove dead tuples", "held back"]
        answer: The report sees its snapshot throughout; VACUUM cannot remove what it may need, so the table bloats until it ends.
      - prompt: Two sessions update the same row at the same time. What happens?
        key_concepts:
          - concept: The second waits for the first one's row lock until it commits or rolls back
            terms: ["waits for the lock", "row lock", "blocks until the first commits"]
          - concept: Under READ COMMITTED it then re-reads the latest committed version and applies its update to it
            terms: ["re-reads", "latest committed version", "re-evaluates"]
        answer: The second waits on the row lock; under READ COMMITTED it then re-reads the new version and updates that.
  - id: trivia-capital
    category: trivia
    number: 2
    prompt: What is the capital of France?
    answers: [Paris]
`

const (
	strongAnswer = `PostgreSQL uses MVCC. When a transaction updates a row it writes a new version of the row instead of
changing it in place, and it keeps the old version for the transactions that still need it.
Each transaction reads from a snapshot of the data that was committed before it started, so readers do not block
writers and writers do not block readers: there are no read locks.
The old, dead row versions are removed later by VACUUM, once no snapshot can see them.`
	keywordAnswer = "MVCC, snapshot, new row version, vacuum, dead tuples, never block"
	weakAnswer    = "I think it locks the whole table while someone writes, and the others wait for it."
)

// ih is a harness for mock interviews: the bot with the built-in grader on
// a real database the test can read.
type ih struct {
	*harness
	db *storage.DB
}

func newInterviewHarness(t *testing.T, drawLimit int) *ih {
	t.Helper()
	db := bottest.OpenDB(t)
	h := &harness{t: t, clock: bottest.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)), chat: &bottest.Chat{}}
	h.bot = bot.New(bot.Config{Bank: bankOf(t, interviewBank), Store: db, Clock: h.clock, Chat: h.chat, DrawLimit: drawLimit, Grader: grade.Builtin{}})
	return &ih{harness: h, db: db}
}

// start runs /interview for a member and checks the question it asks.
func (h *ih) start(user string, args ...string) bot.Reply {
	h.t.Helper()
	r, err := h.command(user, "interview", args...)
	if err != nil {
		h.t.Fatalf("/interview %v: %v (%s)", args, err, r.Text)
	}
	if !strings.HasPrefix(r.Title, "Mock interview") || button(r, "i:") == "" || button(r, "End interview") == "" {
		h.t.Fatalf("/interview asked %+v", r)
	}
	return r
}

// answer presses a question's Answer button, checks that it opens a long
// prompt, and submits text to it.
func (h *ih) answer(user string, question bot.Reply, text string) (bot.Reply, error) {
	h.t.Helper()
	open, err := h.press(user, button(question, "i:"), "")
	if err != nil {
		return open, err
	}
	if open.Modal == nil || !open.Modal.Long || !strings.HasPrefix(open.Modal.Action, "j:") {
		h.t.Fatalf("Answer opened %+v, want a long prompt", open.Modal)
	}
	return h.press(user, open.Modal.Action, text)
}

// graded answers a question and returns the grade's reply and score.
func (h *ih) graded(user string, question bot.Reply, text string) (bot.Reply, int) {
	h.t.Helper()
	r, err := h.answer(user, question, text)
	if err != nil {
		h.t.Fatalf("answering: %v (%s)", err, r.Text)
	}
	return r, scoreOf(h.t, r)
}

func scoreOf(t *testing.T, r bot.Reply) int {
	t.Helper()
	s, ok := strings.CutPrefix(r.Title, "Your answer: ")
	n, err := strconv.Atoi(strings.TrimSuffix(s, "/100"))
	if !ok || err != nil {
		t.Fatalf("no score in the title %q", r.Title)
	}
	return n
}

// A whole session: the question, the graded answer with its concepts,
// the model answer, both follow-ups graded on their own concepts, and the
// summary at the end, then another interview.
func TestInterviewSessionEndToEnd(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	q := h.start("ann", "category", "db")
	bottest.MustContain(t, q.Text, "The interviewer asks", "readers and writers work on the same rows")
	if !q.Private || q.Footer != "db-mvcc" {
		t.Fatalf("the question: private %v, footer %q", q.Private, q.Footer)
	}
	g, score := h.graded("ann", q, strongAnswer)
	if score < 60 {
		t.Errorf("a strong answer scored %d:\n%s", score, g.Text)
	}
	if n := strings.Count(g.Text, "**covered**:"); n < 3 {
		t.Errorf("a strong answer covered %d of 4 concepts:\n%s", n, g.Text)
	}
	bottest.MustContain(t, g.Text, "(you said “", "The interviewer has a follow-up question.")
	model, err := h.press("ann", button(g, "Model answer"), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, model.Text, "PostgreSQL uses MVCC: an update writes a new version")

	f1, err := h.press("ann", button(g, "Follow-up question"), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, f1.Title, "Follow-up 1 of 2")
	bottest.MustContain(t, f1.Text, "The interviewer follows up", "A report runs for an hour")
	g1, s1 := h.graded("ann", f1, "The report keeps its snapshot, so it sees the old versions and a consistent view, but the table will bloat because vacuum cannot remove dead tuples it may still need.")
	if s1 < 60 {
		t.Errorf("a good answer to the first follow-up scored %d:\n%s", s1, g1.Text)
	}
	f2, err := h.press("ann", button(g1, "Follow-up question"), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, f2.Title, "Follow-up 2 of 2")
	g2, s2 := h.graded("ann", f2, weakAnswer)
	if s2 >= s1 {
		t.Errorf("a wrong answer to the second follow-up scored %d, the good one %d", s2, s1)
	}
	// the last question ends the session with its summary
	bottest.MustContain(t, g2.Text, "**What an interviewer still wants to hear**", "The second waits for the first one's row lock",
		"**Interview summary**", "1. Question: How does PostgreSQL", "2. Follow-up: A report", "3. Follow-up: Two sessions",
		"/100**; missed: ", "Average: **")
	for _, line := range strings.Split(g2.Text, "\n") {
		if strings.HasPrefix(line, "- **missed**") && strings.Contains(line, "you said") {
			t.Errorf("a missed concept quotes words as if they showed it: %s", line)
		}
	}
	if button(g2, "Follow-up question") != "" || button(g2, "Another interview") == "" {
		t.Fatalf("the last grade's buttons: %+v", g2.Buttons)
	}
	// graded once
	if r, err := h.press("ann", strings.Replace(button(f2, "i:"), "i:", "j:", 1), "a better answer, now that I have read the model"); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("a second submission of the same question: %v (%s)", err, r.Text)
	}
	again, err := h.press("ann", button(g2, "Another interview"), "")
	if err != nil || !strings.HasPrefix(again.Title, "Mock interview") {
		t.Fatalf("Another interview: %v %+v", err, again)
	}
	m, err := h.db.Member(context.Background(), "discord:g1", "ann")
	if err != nil || m.Interviews["db"].Answered != 3 {
		t.Fatalf("the member's interview tally: %+v, %v", m.Interviews, err)
	}
}

// A bare list of the right keywords scores below a real explanation of
// the same card, and the right words around a wrong idea are flagged.
func TestInterviewKeywordListScoresBelowAnExplanation(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	_, strong := h.graded("ann", h.start("ann", "db"), strongAnswer)
	kw, keywords := h.graded("bob", h.start("bob", "db"), keywordAnswer)
	if keywords >= strong {
		t.Errorf("a keyword list scored %d, a real answer %d:\n%s", keywords, strong, kw.Text)
	}
	wrong, _ := h.graded("cid", h.start("cid", "db"), "Readers lock the rows they read, so a writer waits for every reader to finish; there is no snapshot.")
	bottest.MustContain(t, wrong.Text, "**Careful:**", "readers lock the rows they read")
}

// Interview answers earn no points and count toward no board; /stats
// shows the interview average per category; they count as studying for
// the streak.
func TestInterviewEarnsNoPointsAndFeedsStats(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	_, s1 := h.graded("ann", h.start("ann", "db"), strongAnswer)
	h.clock.Add(24 * time.Hour)
	_, s2 := h.graded("ann", h.start("ann", "db"), weakAnswer)
	ctx := context.Background()
	for _, period := range append(bot.Periods(h.clock.Now(), time.UTC), bot.Periods(h.clock.Now().Add(-24*time.Hour), time.UTC)...) {
		if board, err := h.db.Leaderboard(ctx, "discord:g1", period, "", 10); err != nil || len(board) != 0 {
			t.Errorf("leaderboard %s: %+v, %v; want nobody", period, board, err)
		}
		if board, err := h.db.DaysBoard(ctx, "discord:g1", period, "", 10); err != nil || len(board) != 0 {
			t.Errorf("days board %s: %+v, %v; want nobody", period, board, err)
		}
	}
	m, err := h.db.Member(ctx, "discord:g1", "ann")
	if err != nil || m.Points != 0 || m.Answered != 0 || m.Streak != 2 {
		t.Fatalf("member %+v, %v; want no points, no quick-check answers, a 2-day streak", m, err)
	}
	stats, err := h.command("ann", "stats")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, stats.Text, "No quick checks answered yet")
	avg := (s1 + s2 + 1) / 2
	want := "Databases: " + strconv.Itoa(avg) + "/100 average (2 answers)"
	found := false
	for _, f := range stats.Fields {
		found = found || f.Name == "Mock interviews" && strings.Contains(f.Value, want)
	}
	if !found {
		t.Errorf("/stats does not show %q: %+v", want, stats.Fields)
	}
	board, err := h.command("ann", "leaderboard")
	if err != nil || strings.Contains(board.Text, "**ann**") {
		t.Errorf("the leaderboard shows an interview: %v %s", err, board.Text)
	}
}

// A low score brings the card back sooner than a high one: the second
// day, the strong answer pushes the card 6 days out, the weak one to
// tomorrow.
func TestInterviewLowScoreMakesTheCardDueSooner(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	for _, u := range []string{"ann", "bob"} {
		h.graded(u, h.start(u, "db"), strongAnswer)
	}
	h.clock.Add(24 * time.Hour)
	h.graded("ann", h.start("ann", "db"), strongAnswer)
	_, low := h.graded("bob", h.start("bob", "db"), weakAnswer)
	if bot.InterviewGrade(low) >= 3 {
		t.Fatalf("a weak answer scored %d, grade %d", low, bot.InterviewGrade(low))
	}
	due := func(user string) string {
		rs, err := h.db.Reviews(context.Background(), "discord:g1", user)
		if err != nil || len(rs) != 1 {
			t.Fatalf("reviews of %s: %+v, %v", user, rs, err)
		}
		return rs[0].Due
	}
	today := bot.Day(h.clock.Now(), time.UTC)
	if got := due("bob"); got != bot.AddDays(today, 1) {
		t.Errorf("after a low score the card is due %s, want tomorrow (%s)", got, bot.AddDays(today, 1))
	}
	if got := due("ann"); got != bot.AddDays(today, 6) {
		t.Errorf("after a second strong answer the card is due %s, want in 6 days", got)
	}
}

// Only the member who started an interview can press its buttons or
// submit its answers, and a card's own buttons do nothing on it.
func TestInterviewIsTheMembersOwn(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	q := h.start("ann", "db")
	post := strings.TrimPrefix(button(q, "i:"), "i:")
	for _, action := range []string{"i:" + post, "j:" + post, "k:" + post + ":ask", "k:" + post + ":end", "k:" + post + ":model", "k:" + post + ":next"} {
		r, err := h.press("bob", action, strongAnswer)
		refused(t, "bob pressing "+action, r, err, bot.EForbidden, "another member's", "/interview")
	}
	for _, action := range []string{"a:" + post + ":0", "h:" + post, "r:" + post, "s:" + post + ":nailed", "t:" + post, "w:" + post} {
		r, err := h.press("ann", action, "Paris")
		refused(t, "a card's button "+action, r, err, bot.EInvalid, "mock interview question")
	}
	r, err := h.press("ann", "j:"+post, "   ")
	refused(t, "an empty answer", r, err, bot.EInvalid, "empty", "Answer")
	r, err = h.press("ann", "j:"+post, "MVCC, vacuum")
	refused(t, "an answer of two words", r, err, bot.EInvalid, "not a word or two", "Answer")
	r, err = h.press("ann", "j:"+post, strings.Repeat("word ", 700))
	refused(t, "an answer of 3,500 characters", r, err, bot.EInvalid, "at most 3000")
	g, _ := h.graded("ann", q, strongAnswer)
	if g.Title == "" {
		t.Fatal("no grade")
	}
	r, err = h.answer("ann", q, strongAnswer)
	refused(t, "a second answer", r, err, bot.EConflict, "already answered")
	m, _ := h.db.Member(context.Background(), "discord:g1", "ann")
	if m.Interviews["db"].Answered != 1 {
		t.Errorf("graded %d times", m.Interviews["db"].Answered)
	}
}

// The session lives in the database: a replica that did not start it
// takes its next presses.
func TestInterviewAcrossReplicas(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	q := h.start("ann", "db")
	other := bot.New(bot.Config{Bank: h.bot.Bank(), Store: h.db, Clock: h.clock, DrawLimit: 1000, Grader: grade.Builtin{}})
	first := h.bot
	h.bot = other
	g, _ := h.graded("ann", q, strongAnswer)
	h.bot = first
	f1, err := h.press("ann", button(g, "Follow-up question"), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, f1.Title, "Follow-up 1 of 2")
	end, err := h.press("ann", button(f1, "End interview"), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, end.Title, "Interview ended")
	bottest.MustContain(t, end.Text, "1. Question: How does PostgreSQL", "/100**")
}

// Ending before any answer says nothing was graded.
func TestInterviewEndedAtOnce(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	q := h.start("ann", "db")
	end, err := h.press("ann", button(q, "End interview"), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, end.Text, "before answering a question, so nothing was graded")
}

// What cannot be interviewed on says what to do instead.
func TestInterviewRefusals(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	r, err := h.command("ann", "interview", "category", "trivia")
	refused(t, "a category without key concepts", r, err, bot.EInvalid, "No card of Trivia", "/question")
	r, err = h.command("ann", "interview", "category", "nope")
	refused(t, "an unknown category", r, err, bot.EInvalid, "nope")

	without := bot.New(bot.Config{Bank: h.bot.Bank(), Store: h.db, Clock: h.clock})
	r, err = without.Handle(context.Background(), bot.Request{Platform: "discord", Group: "discord:g1", Channel: "c1", User: bot.User{ID: "ann"}, Command: "interview"})
	refused(t, "a bot without a grader", r, err, bot.EInvalid, "not available", "/practice")

	// the draw cooldown: /review and /practice's, twice /question's
	limited := newInterviewHarness(t, 1)
	for range 2 {
		limited.start("ann", "db")
	}
	r, err = limited.command("ann", "interview", "category", "db")
	refused(t, "a third interview within a minute", r, err, bot.ETooMany, "Slow down")
}

// The member's words are quoted as typed, never as formatting or a
// mention.
func TestInterviewQuotesTheMembersWordsSafely(t *testing.T) {
	h := newInterviewHarness(t, 1000)
	g, _ := h.graded("ann", h.start("ann", "db"), "Every update **writes a new version** of the row <@&123> @everyone, and each transaction reads a [snapshot](https://evil.example).")
	if strings.Contains(g.Text, "<@&") || strings.Contains(g.Text, "](http") || strings.Contains(g.Text, "“**") {
		t.Errorf("the member's words format the reply:\n%s", g.Text)
	}
	bottest.MustContain(t, g.Text, "(you said “")
}

// The interview's button ids read back as they were made; ids it never
// makes are refused.
func TestInterviewActionIDs(t *testing.T) {
	for _, a := range []bot.Action{
		{Kind: bot.ActionInterviewType, Post: 7},
		{Kind: bot.ActionInterviewTyped, Post: 7},
		{Kind: bot.ActionInterviewStep, Post: 7, Step: bot.StepAsk},
		{Kind: bot.ActionInterviewStep, Post: 7, Step: bot.StepModel},
		{Kind: bot.ActionInterviewStep, Post: 7, Step: bot.StepEnd},
		{Kind: bot.ActionInterviewStep, Post: 7, Step: bot.StepNext},
	} {
		got, err := bot.ParseAction(a.ID())
		if err != nil || got != a {
			t.Errorf("ParseAction(%q) = %+v, %v; want %+v", a.ID(), got, err, a)
		}
	}
	for _, id := range []string{"i:", "i:x", "i:7:1", "j:7:ask", "k:7", "k:7:", "k:7:bogus", "k:x:ask", "k:7:ask:1"} {
		if a, err := bot.ParseAction(id); err == nil {
			t.Errorf("ParseAction(%q) = %+v, want a refusal", id, a)
		}
	}
	if !(bot.Action{Kind: bot.ActionInterviewTyped}).Records() || (bot.Action{Kind: bot.ActionInterviewType}).Records() {
		t.Error("only a submitted explanation records an answer")
	}
}
