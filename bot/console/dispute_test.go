package console_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/console"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// typedEnv is an env on the small test bank, whose networking-dns-ttl card
// (medium, 15 points) is answered by typing: caching, or cache time. Its
// clock starts on Wednesday 25 November 2026 (ISO week 48).
func typedEnv(t *testing.T) *env {
	bank, err := bankfile.Load("../../questionbank/bankfile/testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: bottest.NewClock(at(t, "2026-11-25 10:00:00", "UTC")), path: filepath.Join(t.TempDir(), "p.db"), bank: bank}
	e.open()
	return e
}

// drawTyped draws networking cards until the typed one comes.
func (s *session) drawTyped() string {
	s.e.t.Helper()
	for range 6 {
		out := s.do("/question category:networking")
		if s.e.lastCard(out).ID == "networking-dns-ttl" {
			return out
		}
	}
	s.e.t.Fatal("never drew the typed card")
	return ""
}

// typeAnswer draws the typed card and answers it with text in the text
// prompt (or, after the hint, with hint set, with /answer), returning the
// verdict.
func (s *session) typeAnswer(text string, hint bool) string {
	s.e.t.Helper()
	card := s.drawTyped()
	if hint {
		mustContain(s.e.t, s.do(button(s.e.t, card, "Hint")), "How long resolvers may cache")
		return s.do("/answer " + text)
	}
	s.do(button(s.e.t, card, "Type answer"))
	return s.do(text)
}

// typedPost is the post a member typed an answer to, found through the
// store's Answer.
func (e *env) typedPost(group, user string) uint64 {
	e.t.Helper()
	for id := uint64(1); id < 50; id++ {
		if a, err := e.db.Answer(context.Background(), group, user, bot.KindAnswer, id); err == nil && a.Option == -1 {
			return id
		}
	}
	e.t.Fatalf("%s typed no answer in %s", user, group)
	return 0
}

// as handles a request of a member of the console group directly: for what
// a member's own console cannot send (a press of another member's button).
func (e *env) as(user string, admin bool, req bot.Request) string {
	e.t.Helper()
	req.Platform, req.Group, req.Channel = "console", "console", "#study"
	req.User = bot.User{ID: user, Name: user, Admin: admin}
	r, _ := e.bot.Handle(context.Background(), req)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n", r.Title, r.Text)
	for _, f := range r.Fields {
		fmt.Fprintf(&b, "%s: %s\n", f.Name, f.Value)
	}
	return b.String()
}

func dispute(post uint64) string {
	return bot.Action{Kind: bot.ActionDispute, Post: post}.ID()
}

func (e *env) member(group, user string) bot.Member {
	e.t.Helper()
	m, err := e.db.Member(context.Background(), group, user)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// score is a member's score on a period's board (0 when not on it).
func (e *env) score(period, user string) bot.Score {
	e.t.Helper()
	_, s, err := e.db.Rank(context.Background(), "console", period, "", user, bot.ByPoints)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// A rejected typed answer gets a Dispute button; its member disputes it
// once; an admin lists it and accepts it a week later: the text counts for
// the card in the group from then on (not in another group), and the
// answer is re-scored once, in the week and month it was given in, not the
// current ones, without another day studied. The member hears of it once.
func TestDisputeAcceptedRescoresOnce(t *testing.T) {
	e := typedEnv(t)
	alice, bob, carol := e.user("alice"), e.user("bob"), e.user("carol")

	verdict := alice.typeAnswer("time to live", false)
	mustContain(t, verdict, "Not quite", "You answered “time to live”", "Dispute")
	post := e.typedPost("console", "alice")

	// only the member who answered can dispute it
	mustContain(t, e.as("bob", true, bot.Request{Action: dispute(post)}), "You have no answer to this card to dispute")
	sent := alice.do(button(t, verdict, "Dispute"))
	mustContain(t, sent, "Dispute #1 sent", "time to live", "An admin will look at it")
	mustContain(t, e.as("alice", false, bot.Request{Action: dispute(post)}), "You already disputed this answer (#1)")

	// members cannot see or decide disputes
	for _, cmd := range []bot.Request{{Command: "disputes"}, {Command: "accept", Args: map[string]string{"id": "1"}}, {Command: "reject", Args: map[string]string{"id": "1"}}} {
		mustContain(t, e.as("dave", false, cmd), "Only server admins decide disputes")
	}
	list := bob.do("/disputes")
	mustContain(t, list, "Disputes waiting: 1", "#1 What does a DNS record's TTL control", "Accepted: caching, cache time",
		"alice typed “time to live”, 25 Nov 10:00")

	// a week later (ISO week 49, December)
	e.clock.Add(7 * 24 * time.Hour)
	before := e.member("console", "alice")
	if before.Points != 0 || before.Answered != 1 || before.Correct != 0 || before.Streak != 1 {
		t.Fatalf("alice before the accept: %+v", before)
	}
	mustContain(t, bob.do("/accept 1"), "Dispute #1 accepted", "“time to live” is now an accepted answer", "alice's answer now counts as right: +15 points")
	after := e.member("console", "alice")
	if after.Points != 15 || after.Answered != 1 || after.Correct != 1 || after.Streak != 1 || after.LastDay != "2026-11-25" {
		t.Errorf("alice after the accept: %+v; want 15 points, 1 of 1 right, the same streak and day", after)
	}
	for period, want := range map[string]int{"all": 15, "w2026-W48": 15, "m2026-11": 15, "w2026-W49": 0, "m2026-12": 0} {
		if s := e.score(period, "alice"); s.Points != want || (want > 0 && (s.Correct != 1 || s.Answered != 1 || s.Days != 1)) {
			t.Errorf("alice's %s score: %+v; want %d points", period, s, want)
		}
	}
	if act, err := e.db.Activity(context.Background(), "console", "alice"); err != nil || len(act) != 1 || act["2026-11-25"] != 1 {
		t.Errorf("alice's activity: %v, %v; want one answer on 2026-11-25", act, err)
	}

	// a second accept, and a redelivered one, change nothing
	mustContain(t, carol.do("/accept 1"), "Dispute #1 was already accepted")
	mustContain(t, e.as("bob", true, bot.Request{Command: "accept", Args: map[string]string{"id": "#1"}, InteractionID: "again"}), "already accepted")
	if m := e.member("console", "alice"); m.Points != 15 || m.Correct != 1 {
		t.Errorf("a second accept re-scored again: %+v", m)
	}
	mustContain(t, bob.do("/reject 1"), "Dispute #1 was already accepted")

	// alice hears of it with her next private reply, once
	mustContain(t, alice.do("/stats"), "Your dispute #1", "Accepted: your answer “time to live”", "+15 points")
	if out := alice.do("/stats"); strings.Contains(out, "Your dispute #1") {
		t.Errorf("told twice:\n%s", out)
	}
	mustContain(t, e.as("alice", false, bot.Request{Action: dispute(post)}), "You already disputed this answer, and an admin accepted it")
	mustContain(t, bob.do("/disputes"), "No disputes are waiting")

	// the text now counts for everyone in the group, and only there
	mustContain(t, carol.typeAnswer("time to live", false), "Correct! +15 points")
	var out bytes.Buffer
	elsewhere := &session{e: e, out: &out, c: console.New(console.Options{Bot: e.bot, Out: &out, User: "erin", Group: "other", PictureDir: t.TempDir()})}
	mustContain(t, elsewhere.typeAnswer("time to live", false), "Not quite")
}

// The re-score follows the rules of a right answer then: after the hint,
// half the points. An answer after the model answer, or a right one, has
// nothing to dispute; a rejection leaves the answer as it was, tells the
// member with the admin's reason, and the answer cannot be disputed again.
func TestDisputeRules(t *testing.T) {
	e := typedEnv(t)
	alice, bob, carol, dave := e.user("alice"), e.user("bob"), e.user("carol"), e.user("dave")

	verdict := alice.typeAnswer("time to live", true)
	mustContain(t, alice.do(button(t, verdict, "Dispute")), "Dispute #1 sent")
	mustContain(t, bob.do("/accept 1"), "+7 points")
	if m := e.member("console", "alice"); m.Points != 7 || m.Correct != 1 {
		t.Errorf("a re-score after the hint: %+v; want half of 15 points", m)
	}

	right := bob.typeAnswer("caching", false)
	mustContain(t, right, "Correct! +15 points")
	if strings.Contains(right, "Dispute") {
		t.Errorf("a right answer offers a dispute:\n%s", right)
	}
	mustContain(t, e.as("bob", false, bot.Request{Action: dispute(e.typedPost("console", "bob"))}), "was accepted, so there is nothing to dispute")

	card := dave.drawTyped()
	mustContain(t, dave.do(button(t, card, "Answer")), "Accepted answers: caching, cache time")
	peeked := dave.do("/answer resolver cache lifetime")
	mustContain(t, peeked, "Recorded, without points")
	if strings.Contains(peeked, "Dispute") {
		t.Errorf("an answer after the model answer offers a dispute:\n%s", peeked)
	}
	mustContain(t, e.as("dave", false, bot.Request{Action: dispute(e.typedPost("console", "dave"))}), "opened the model answer")

	verdict = carol.typeAnswer("how long it lives", false)
	mustContain(t, carol.do(button(t, verdict, "Dispute")), "Dispute #2 sent")
	mustContain(t, bob.do(`/reject 2 a TTL bounds the caching, not the record`), "Dispute #2 rejected", "carol's answer “how long it lives” stays as it was scored")
	mustContain(t, bob.do("/accept 2"), "Dispute #2 was already rejected")
	if m := e.member("console", "carol"); m.Points != 0 || m.Correct != 0 || m.Answered != 1 {
		t.Errorf("a rejection changed carol: %+v", m)
	}
	mustContain(t, carol.do("/help"), "Your dispute #2", "Rejected: your answer “how long it lives”", "The admin said: a TTL bounds the caching, not the record")
	mustContain(t, e.as("carol", false, bot.Request{Action: dispute(e.typedPost("console", "carol"))}), "You already disputed this answer, and an admin rejected it")
	if m := e.member("console", "carol"); m.Points != 0 {
		t.Errorf("carol earned points without an accept: %+v", m)
	}

	for _, tc := range []struct{ line, want string }{
		{"/accept", "Give the number of a dispute"},
		{"/accept seven", "Give the number of a dispute"},
		{"/accept 99", "There is no dispute #99 waiting"},
		{"/reject -3", "Give the number of a dispute"},
	} {
		mustContain(t, bob.do(tc.line), tc.want)
	}
}

// A member's own dispute is accepted by another admin, except on the
// console, whose one member at the terminal is its admin; anyone may
// withdraw their own.
func TestOwnDisputeNeedsAnotherAdmin(t *testing.T) {
	e := typedEnv(t)
	alice := e.user("alice")
	verdict := alice.typeAnswer("time to live", false)
	alice.do(button(t, verdict, "Dispute"))
	req := bot.Request{Platform: "discord", Group: "console", Channel: "#study", User: bot.User{ID: "alice", Name: "alice", Admin: true},
		Command: "accept", Args: map[string]string{"id": "1"}}
	r, err := e.bot.Handle(context.Background(), req)
	if bot.ErrorCode(err) != bot.EForbidden || !strings.Contains(r.Text, "You cannot accept your own dispute") {
		t.Fatalf("an admin accepting their own dispute on a platform: %v %+v", err, r)
	}
	if m := e.member("console", "alice"); m.Points != 0 {
		t.Fatalf("points without another admin: %+v", m)
	}
	mustContain(t, alice.do("/accept 1"), "Dispute #1 accepted")
}

// Two admins accepting at once (or two replicas taking one accept) decide
// once and re-score once.
func TestAcceptAtOnceRescoresOnce(t *testing.T) {
	e := typedEnv(t)
	alice := e.user("alice")
	verdict := alice.typeAnswer("time to live", false)
	alice.do(button(t, verdict, "Dispute"))
	const n = 6
	outs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			outs[i] = e.as("admin"+strconv.Itoa(i), true, bot.Request{Command: "accept", Args: map[string]string{"id": "1"}})
		})
	}
	wg.Wait()
	accepted := 0
	for _, o := range outs {
		switch {
		case strings.HasPrefix(o, "Dispute #1 accepted"):
			accepted++
		case !strings.HasPrefix(o, "Dispute #1 was already accepted"):
			t.Errorf("accept: %s", o)
		}
	}
	if accepted != 1 {
		t.Errorf("%d accepts decided the dispute, want 1", accepted)
	}
	if m := e.member("console", "alice"); m.Points != 15 || m.Correct != 1 {
		t.Errorf("alice after %d accepts at once: %+v", n, m)
	}
	g, err := e.db.Group(context.Background(), "console")
	if err != nil || len(g.Accepted["networking-dns-ttl"]) != 1 {
		t.Errorf("accepted answers: %v, %v; want the one text", g.Accepted, err)
	}
}

// A group holds at most bot.MaxDisputes pending disputes: past them a
// dispute is refused with what to do; /disputes lists the oldest first and
// says how many more wait.
func TestDisputesAreCapped(t *testing.T) {
	e := typedEnv(t)
	ctx := context.Background()
	err := e.db.UpdateGroup(ctx, "console", func(g *bot.Group) error {
		for i := range bot.MaxDisputes {
			g.DisputeSeq++
			g.Disputes = append(g.Disputes, bot.Dispute{ID: g.DisputeSeq, Post: uint64(1000 + i), Card: "networking-dns-ttl", Channel: "#study",
				User: "m" + strconv.Itoa(i), Name: "member " + strconv.Itoa(i), Text: "guess " + strconv.Itoa(i),
				At: e.clock.Now().Add(time.Duration(bot.MaxDisputes-i) * time.Minute)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	alice := e.user("alice")
	verdict := alice.typeAnswer("time to live", false)
	mustContain(t, alice.do(button(t, verdict, "Dispute")), "That did not work", "already has 100 disputes waiting", "press Dispute again")
	list := alice.do("/disputes")
	mustContain(t, list, "Disputes waiting: 100", "member 99 typed “guess 99”", "…and 85 more.")
	if strings.Contains(list, "guess 0”") {
		t.Errorf("the newest dispute is listed before older ones:\n%s", list)
	}
	if strings.Index(list, "guess 99") > strings.Index(list, "guess 98") {
		t.Errorf("not oldest first:\n%s", list)
	}
}

// A card holds at most 20 answers a group accepted: past them an accept
// still re-scores the answer, and says its text was not added.
func TestAcceptedAnswersPerCardAreCapped(t *testing.T) {
	e := typedEnv(t)
	err := e.db.UpdateGroup(context.Background(), "console", func(g *bot.Group) error {
		for i := range 20 {
			g.Accepted = map[string][]string{"networking-dns-ttl": append(g.Accepted["networking-dns-ttl"], "answer number "+strconv.Itoa(i))}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := e.user("alice"), e.user("bob")
	verdict := alice.typeAnswer("time to live", false)
	alice.do(button(t, verdict, "Dispute"))
	mustContain(t, bob.do("/accept 1"), "Dispute #1 accepted", "already has 20 answers accepted here, so “time to live” was not added", "+15 points")
	if m := e.member("console", "alice"); m.Points != 15 {
		t.Errorf("alice: %+v", m)
	}
	mustContain(t, bob.typeAnswer("time to live", false), "Not quite")
}

// An answer given during a season is re-scored in that season's standings,
// also once it has ended, and not in the season running at the accept.
func TestRescoreCountsInTheAnswersSeason(t *testing.T) {
	e := typedEnv(t)
	alice, bob := e.user("alice"), e.user("bob")
	mustContain(t, bob.do(`/season start name:"Q4 prep"`), "Season started: Q4 prep")
	verdict := alice.typeAnswer("time to live", false)
	alice.do(button(t, verdict, "Dispute"))
	mustContain(t, bob.do(`/season start name:"Q1 prep"`), "Season started: Q1 prep")
	mustContain(t, bob.do("/accept 1"), "+15 points")
	g, err := e.db.Group(context.Background(), "console")
	if err != nil || len(g.Seasons) != 1 {
		t.Fatalf("group: %+v, %v", g, err)
	}
	if s := e.score(g.Seasons[0].ID, "alice"); s.Points != 15 || s.Correct != 1 {
		t.Errorf("alice in the ended season: %+v; want 15 points", s)
	}
	if s := e.score(g.Season.ID, "alice"); s.Points != 0 {
		t.Errorf("alice in the season running: %+v; want nothing", s)
	}
	mustContain(t, bob.do(`/leaderboard season:"Q4 prep"`), "alice", "15")
}

// An accept cut short between its decision and its re-score (a crash) is
// completed before the member is told of it: they never hear of points
// they did not get.
func TestDecisionCutShortIsRecordedBeforeItIsTold(t *testing.T) {
	e := typedEnv(t)
	alice := e.user("alice")
	verdict := alice.typeAnswer("time to live", false)
	alice.do(button(t, verdict, "Dispute"))
	// the decision as an accept leaves it, without the re-score after it
	err := e.db.UpdateGroup(context.Background(), "console", func(g *bot.Group) error {
		g.Disputes[0].Outcome, g.Disputes[0].By, g.Disputes[0].Decided, g.Disputes[0].Points = bot.DisputeAccepted, "bob", e.clock.Now(), 15
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m := e.member("console", "alice"); m.Points != 0 {
		t.Fatalf("alice before: %+v", m)
	}
	mustContain(t, alice.do("/help"), "Your dispute #1", "+15 points")
	if m := e.member("console", "alice"); m.Points != 15 || m.Correct != 1 {
		t.Errorf("alice was told of points she did not get: %+v", m)
	}
	alice.do("/help")
	if m := e.member("console", "alice"); m.Points != 15 {
		t.Errorf("re-scored twice: %+v", m)
	}
}
