package bot_test

import (
	"testing"

	"github.com/prepbot/prepbot/bot"
)

// Every action the bot makes reads back as itself, and anything else is
// refused, never misread.
func TestParseAction(t *testing.T) {
	for _, a := range []bot.Action{
		{Kind: bot.ActionOption, Post: 42, Option: 3}, {Kind: bot.ActionHint, Post: 1}, {Kind: bot.ActionReveal, Post: 18446744073709551615},
		{Kind: bot.ActionType, Post: 7}, {Kind: bot.ActionTyped, Post: 7}, {Kind: bot.ActionRate, Post: 9, Rating: "partly"},
		{Kind: bot.ActionNext, Category: "postgres"}, {Kind: bot.ActionNext}, {Kind: bot.ActionReview},
	} {
		got, err := bot.ParseAction(a.ID())
		if err != nil || got != a {
			t.Errorf("%+v -> %q -> %+v, %v", a, a.ID(), got, err)
		}
	}
	for _, id := range []string{"", "a", "a:", "a:1", "a:x:1", "a:1:x", "z:1", "h:-1", "s:1", "h:1:2:3x", "a:1:2:3"} {
		if a, err := bot.ParseAction(id); err == nil {
			t.Errorf("%q read as %+v", id, a)
		}
	}
	if a, _ := bot.ParseAction("w:5"); !a.Records() || a.Deals() {
		t.Errorf("a typed answer records and deals nothing")
	}
	if a, _ := bot.ParseAction("h:5"); a.Records() {
		t.Errorf("a hint records nothing")
	}
}

func FuzzParseAction(f *testing.F) {
	for _, s := range []string{"a:1:2", "q:postgres", "v:", "s:3:nailed", "w:9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		a, err := bot.ParseAction(id)
		if err != nil {
			return
		}
		if b, err := bot.ParseAction(a.ID()); err != nil || b != a {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", id, a, a.ID(), b, err)
		}
	})
}
