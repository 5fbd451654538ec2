package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// drawn draws a card by /question and returns it with its reply.
func (h *harness) drawn(user string, args ...string) (bot.Reply, *questionbank.Card) {
	h.t.Helper()
	r, err := h.command(user, "question", args...)
	if err != nil {
		h.t.Fatal(err)
	}
	c, ok := h.bot.Bank().Card(r.Footer)
	if !ok {
		h.t.Fatalf("no card id in the footer %q", r.Footer)
	}
	return r, c
}

// right is the action that picks the card's correct option.
func right(r bot.Reply, c *questionbank.Card) string {
	return fmt.Sprintf("%s%d", strings.TrimSuffix(button(r, "a:"), "0"), c.QuickCheck.CorrectIndex())
}

func (h *harness) points(user string) int {
	h.t.Helper()
	board, err := h.command("viewer", "leaderboard")
	if err != nil {
		h.t.Fatal(err)
	}
	for _, line := range strings.Split(board.Text, "\n") {
		if strings.Contains(line, "**"+user+"**") {
			var n int
			fmt.Sscanf(line[strings.Index(line, "**: ")+4:], "%d", &n)
			return n
		}
	}
	return 0
}

// Opening the model answer first makes an answer worth nothing and not
// correct; opening the hint first halves its points. The verdict says why.
// A peek of an earlier day is forgotten.
func TestRevealingCostsPoints(t *testing.T) {
	h := newHarness(t, nil)
	card, c := h.drawn("ann", "category", "python", "difficulty", "medium")
	if _, err := h.press("ann", button(card, "r:"), ""); err != nil {
		t.Fatal(err)
	}
	v, err := h.press("ann", right(card, c), "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Title != "Recorded, without points" || !strings.Contains(v.Footer, "opened the model answer") {
		t.Fatalf("after the reveal: %q / %q", v.Title, v.Footer)
	}
	if p := h.points("ann"); p != 0 {
		t.Fatalf("ann has %d points after answering from the model answer", p)
	}
	stats, _ := h.command("ann", "stats")
	if !strings.Contains(fmt.Sprint(stats.Fields), "{Accuracy 0%") {
		t.Fatalf("the answer counted as correct: %v", stats.Fields)
	}

	card, c = h.drawn("bob", "category", "python", "difficulty", "medium")
	if _, err := h.press("bob", button(card, "h:"), ""); err != nil {
		t.Fatal(err)
	}
	v, err = h.press("bob", right(card, c), "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.Title, "Correct! +7 points") || !strings.Contains(v.Footer, "half the points") {
		t.Fatalf("after the hint: %q / %q", v.Title, v.Footer)
	}

	// the next day, the same card earns its points again
	h.clock.Add(24 * time.Hour)
	for range 30 {
		card, c2 := h.drawn("ann", "category", "python", "difficulty", "medium")
		if c2.ID != c.ID {
			h.clock.Add(time.Minute)
			continue
		}
		v, err := h.press("ann", right(card, c2), "")
		if err != nil || !strings.HasPrefix(v.Title, "Correct! +15 points") {
			t.Fatalf("a day later: %q, %v", v.Title, err)
		}
		return
	}
	t.Fatal("never drew the card again")
}

// The same holds for typed cards (the reveal lists the accepted answers)
// and for the question of the day.
func TestRevealingCostsPointsOnTypedCardsAndTheDailyQuestion(t *testing.T) {
	h := newHarness(t, typedBank(t))
	card, _ := h.drawn("ann")
	if _, err := h.press("ann", button(card, "r:"), ""); err != nil {
		t.Fatal(err)
	}
	prompt, _ := h.press("ann", button(card, "Type answer"), "")
	v, err := h.press("ann", prompt.Modal.Action, "Paris")
	if err != nil || v.Title != "Recorded, without points" {
		t.Fatalf("typed after the reveal: %q %v", v.Title, err)
	}

	h = newHarness(t, nil)
	daily, err := h.qotd("sub", "now")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := h.bot.Bank().Card(daily.Footer)
	h.press("cat", button(daily, "r:"), "")
	if v, err := h.press("cat", right(daily, c), ""); err != nil || v.Title != "Recorded, without points" {
		t.Fatalf("daily question after the reveal: %q %v", v.Title, err)
	}
}

// The day's question is posted once: a second /qotd now says where it is,
// and the status says the next post is the next scheduled day.
func TestSecondQotdNowPostsNothing(t *testing.T) {
	h := newHarness(t, nil) // Friday 2026-11-27 10:00 UTC
	if _, err := h.qotd("sub", "set", "time", "18:00", "timezone", "UTC"); err != nil {
		t.Fatal(err)
	}
	first, err := h.qotd("sub", "now")
	if err != nil || first.Footer == "" {
		t.Fatalf("first now: %+v %v", first, err)
	}
	second, err := h.qotd("sub", "now")
	if err == nil || !strings.Contains(second.Text, "Today's question is already in <#c1>") || !strings.Contains(second.Text, "Sat 28 Nov 18:00") {
		t.Fatalf("second now: %q %v", second.Text, err)
	}
	status, _ := h.qotd("sub", "status")
	if !strings.Contains(status.Text, "next Sat 28 Nov 18:00") {
		t.Fatalf("status after now: %q", status.Text)
	}
	// a channel without a schedule: once a day too
	if _, err := h.qotd("sub", "now", "channel", "c9"); err != nil {
		t.Fatal(err)
	}
	if r, err := h.qotd("sub", "now", "channel", "c9"); err == nil {
		t.Fatalf("a second now in an unscheduled channel: %+v", r)
	}
	if n := len(h.chat.Posts()); n != 1 {
		t.Fatalf("%d posts to other channels, want 1", n)
	}
}

func ratingsBank(t *testing.T) *questionbank.Bank {
	t.Helper()
	doc, err := bankfile.Import("list.md", []byte("# System design\n\n1. **Caching**: when would you add a cache?\n2. **Queues**: why put a queue between two services?\n"), bankfile.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Cards {
		c.Answer = "A model answer."
	}
	b, err := questionbank.Build(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A bank without quick checks (an imported list) still builds a streak:
// rating yourself is studying, and /stats shows it apart from accuracy.
func TestSelfRatingsCountAsStudying(t *testing.T) {
	h := newHarness(t, ratingsBank(t))
	for day := range 3 {
		card, _ := h.drawn("ann")
		if _, err := h.press("ann", button(card, "r:"), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := h.press("ann", strings.Replace(button(card, "r:"), "r:", "s:", 1)+":partly", ""); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		h.clock.Add(24 * time.Hour)
	}
	h.clock.Add(-23 * time.Hour)
	stats, err := h.command("ann", "stats")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(stats.Fields)
	if !strings.Contains(got, "{Current streak 3 days") || !strings.Contains(got, "{Self-rated 3 cards (nailed 0, partly 3, missed 0)") {
		t.Fatalf("stats: %s", got)
	}
}

// Days are fixed when recorded: moving the group a day ahead (Etc/GMT+12
// to Pacific/Kiritimati) does not add a streak day in minutes, and moving
// it back does not lose one.
func TestZoneChangeNeitherAddsNorLosesStreakDays(t *testing.T) {
	h := newHarness(t, nil)
	h.clock.Set(time.Date(2026, 11, 27, 12, 1, 0, 0, time.UTC)) // 00:01 on the 27th in Etc/GMT+12
	zone := func(z string) {
		if _, err := h.qotd("sub", "set", "time", "09:00", "timezone", z); err != nil {
			t.Fatal(err)
		}
	}
	answer := func() {
		card, c := h.drawn("ann", "category", "python")
		if _, err := h.press("ann", right(card, c), ""); err != nil {
			t.Fatal(err)
		}
	}
	streak := func() string {
		stats, _ := h.command("ann", "stats")
		for _, f := range stats.Fields {
			if f.Name == "Current streak" {
				return f.Value
			}
		}
		return ""
	}
	zone("Etc/GMT+12")
	answer()
	zone("Pacific/Kiritimati") // now 02:02 on the 28th there
	answer()
	if s := streak(); s != "1 day" {
		t.Fatalf("after moving a day ahead: streak %s, want 1 day", s)
	}
	zone("Etc/GMT+12")
	answer()
	if s := streak(); s != "1 day" {
		t.Fatalf("after moving back: streak %s, want 1 day", s)
	}
	h.clock.Add(24 * time.Hour)
	answer()
	if s := streak(); s != "2 days" {
		t.Fatalf("the next day: streak %s, want 2 days", s)
	}
}

// Buttons belong where they were drawn: an answer only from the post's
// channel, a private card only from the member it was dealt to, a rating
// only after that member's reveal; a request that names no user is refused.
func TestButtonsBelongWhereTheyWereDrawn(t *testing.T) {
	h := newHarness(t, nil)
	card, c := h.drawn("ann", "category", "python")
	req := h.req("bob")
	req.Channel, req.Action = "elsewhere", right(card, c)
	if r, err := h.do(req); err == nil || !strings.Contains(r.Text, "That card belongs to <#c1>") {
		t.Fatalf("an answer from another channel: %q %v", r.Text, err)
	}
	private, err := h.command("ann", "practice")
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{button(private, "a:"), button(private, "r:"), button(private, "h:")} {
		if r, err := h.press("bob", action, ""); err == nil || !strings.Contains(r.Text, "dealt privately to another member") {
			t.Fatalf("bob pressed %s on ann's practice card: %q %v", action, r.Text, err)
		}
	}
	rate := strings.Replace(button(card, "r:"), "r:", "s:", 1) + ":nailed"
	if r, err := h.press("ann", rate, ""); err == nil || !strings.Contains(r.Text, "Open the model answer first") {
		t.Fatalf("a rating without the reveal: %q %v", r.Text, err)
	}
	if _, err := h.press("bob", button(card, "r:"), ""); err != nil {
		t.Fatal(err)
	}
	if r, err := h.press("ann", rate, ""); err == nil {
		t.Fatalf("ann rated after bob's reveal: %q", r.Title)
	}
	anon := h.req("")
	anon.Command = "question"
	if r, err := h.do(anon); err == nil || !strings.Contains(r.Text, "does not say who sent it") {
		t.Fatalf("a request with no user: %q %v", r.Text, err)
	}
}

// Every path that deals a card is rate-limited, /review and "Next review
// card" too.
func TestReviewDrawsAreRateLimited(t *testing.T) {
	h := newHarness(t, nil)
	h.bot = bot.New(bot.Config{Bank: h.bot.Bank(), Store: bottest.OpenDB(t), Clock: h.clock})
	dealt, refused := 0, 0
	for range 30 {
		r, err := h.bot.Handle(t.Context(), bot.Request{Platform: "discord", Group: "g", Channel: "c", User: bot.User{ID: "ann"}, Command: "review"})
		switch {
		case err == nil && len(r.Buttons) > 0:
			dealt++
		case err != nil && r.Title == "Slow down":
			refused++
		}
	}
	if dealt != 10 || refused != 20 {
		t.Fatalf("30 /review in a minute: %d dealt, %d refused; want 10 and 20", dealt, refused)
	}
}

// A study round's answer follows the same rule: a member who opened the
// card's model answer earlier today earns nothing for it in the round.
func TestRevealingCostsPointsInAStudyRound(t *testing.T) {
	bank := bankOf(t, `categories:
  - id: solo
    name: Solo
cards:
  - id: solo-1
    category: solo
    difficulty: medium
    prompt: Which isolation level does PostgreSQL use by default?
    answer: Read committed.
    quick_check:
      question: The default isolation level?
      options:
        - text: Read committed
          correct: true
        - text: Serializable
`)
	h := newHarness(t, bank)
	card, _ := h.drawn("ann")
	if _, err := h.press("ann", button(card, "r:"), ""); err != nil {
		t.Fatal(err)
	}
	round, err := h.command("bob", "study", "count", "1")
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.press("ann", button(round, "a:"), "") // option A, the right one
	if err != nil || v.Title != "Recorded, without points" || !strings.Contains(v.Footer, "opened the model answer") {
		t.Fatalf("round answer after the reveal: %q / %q, %v", v.Title, v.Footer, err)
	}
	if v, err := h.press("bob", button(round, "a:"), ""); err != nil || !strings.HasPrefix(v.Title, "Correct! +") {
		t.Fatalf("bob's round answer: %q, %v", v.Title, err)
	}
}
