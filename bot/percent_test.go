package bot_test

import (
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

func TestPercentRounding(t *testing.T) {
	for _, tc := range []struct {
		correct, answered, want int
	}{
		{0, 0, 0}, {0, 3, 0}, {1, 3, 33}, {2, 3, 67}, {3, 3, 100},
		{1, 8, 13},                  // 12.5 rounds up
		{5, 8, 63},                  // 62.5 rounds up
		{199, 200, 99}, {1, 201, 1}, // never 100% with a miss, never 0% with a hit
	} {
		if got := (bot.Tally{Correct: tc.correct, Answered: tc.answered}).Percent(); got != tc.want {
			t.Errorf("%d of %d: %d%%, want %d%%", tc.correct, tc.answered, got, tc.want)
		}
	}
}

// The leaderboard's text and its picture show one accuracy: 2 of 3 right
// is 67% in both (the picture used to truncate it to 66%).
func TestLeaderboardTextAndPictureAgreeOnAccuracy(t *testing.T) {
	h := newHarness(t, nil)
	p := &pictures{}
	h.bot = bot.New(bot.Config{Bank: bottest.Bank(t), Store: bottest.OpenDB(t), Clock: h.clock, DrawLimit: -1, Pictures: p})
	h.study("ann", 2, true)
	h.study("ann", 1, false)
	board, _ := h.board("ann", "period", "all", "chart", "yes")
	bottest.MustContain(t, board.Text, "67% of 3 answers")
	if len(p.standings) != 1 || p.standings[0].Accuracy != 67 {
		t.Fatalf("the picture was drawn with %+v, want 67%%", p.standings)
	}
	stats, err := h.command("ann", "stats")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, stats.Text, "2 of 3 correct (67%)")
}
