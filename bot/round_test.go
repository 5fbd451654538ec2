package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// posted returns the titles the harness's chat received since from.
func (h *harness) postedSince(from int) []string {
	var out []string
	for _, p := range h.chat.Posts()[from:] {
		out = append(out, p.Reply.Title)
	}
	return out
}

// lastCard is the round card the chat received last.
func (h *harness) lastCard(t *testing.T) bot.Reply {
	t.Helper()
	posts := h.chat.Posts()
	for i := len(posts) - 1; i >= 0; i-- {
		if strings.HasPrefix(posts[i].Reply.Title, "Study round: card") {
			return posts[i].Reply
		}
	}
	t.Fatal("no round card posted")
	return bot.Reply{}
}

// A round card closes as soon as every player (everyone who answered an
// earlier card) has answered it; the first card runs its time, and a
// newcomer does not hold a card open for the others.
func TestRoundCardClosesWhenEveryPlayerAnswered(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	card1, err := h.command("ann", "study", "count", "3", "seconds", "30")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"ann", "bob"} {
		if _, err := h.press(u, button(card1, "a:"), ""); err != nil {
			t.Fatalf("%s on card 1: %v", u, err)
		}
	}
	n := len(h.chat.Posts())
	if err := h.bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.postedSince(n); len(got) != 0 {
		t.Fatalf("card 1 closed early (%v): the first card runs its time, nobody has played yet", got)
	}
	h.clock.Add(30 * time.Second)
	if err := h.bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	card2 := h.lastCard(t)
	if !strings.Contains(card2.Title, "card 2 of 3") {
		t.Fatalf("after card 1's time: %q", card2.Title)
	}

	// card 2: ann answers, then a newcomer; bob, a player, has not
	n = len(h.chat.Posts())
	for _, u := range []string{"ann", "cid"} {
		if _, err := h.press(u, button(card2, "a:"), ""); err != nil {
			t.Fatalf("%s on card 2: %v", u, err)
		}
	}
	if err := h.bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.postedSince(n); len(got) != 0 {
		t.Fatalf("card 2 closed (%v) before bob, a player, answered", got)
	}
	if _, err := h.press("bob", button(card2, "a:"), ""); err != nil {
		t.Fatal(err)
	}
	if err := h.bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	got := h.postedSince(n)
	if len(got) != 2 || !strings.HasPrefix(got[0], "Time! Card 2 of 3") || !strings.Contains(got[1], "card 3 of 3") {
		t.Fatalf("once every player answered card 2 (a few seconds into its 30): %v; want its reveal and card 3", got)
	}

	// card 3: the newcomer of card 2 is a player now
	card3 := h.lastCard(t)
	n = len(h.chat.Posts())
	for _, u := range []string{"ann", "bob"} {
		if _, err := h.press(u, button(card3, "a:"), ""); err != nil {
			t.Fatalf("%s on card 3: %v", u, err)
		}
	}
	if err := h.bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.postedSince(n); len(got) != 0 {
		t.Fatalf("card 3 closed (%v) before cid, who played card 2, answered", got)
	}
	if _, err := h.press("cid", button(card3, "a:"), ""); err != nil {
		t.Fatal(err)
	}
	if err := h.bot.TickRounds(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.postedSince(n); len(got) != 2 || !strings.HasPrefix(got[1], "Study round over") {
		t.Fatalf("after every player answered the last card: %v; want its reveal and the scoreboard", got)
	}
}
