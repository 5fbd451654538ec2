package bot_test

import (
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// pictures records what the domain asks to have drawn.
type pictures struct {
	standings []bot.Standing
	days      map[string]int
	today     time.Time
	tallies   []bot.CategoryTally
}

func (p *pictures) Leaderboard(title string, standings []bot.Standing) ([]byte, error) {
	p.standings = standings
	return []byte("ranking: " + title), nil
}

func (p *pictures) Stats(title string, days map[string]int, today time.Time, tallies []bot.CategoryTally) ([]byte, error) {
	p.days, p.today, p.tallies = days, today, tallies
	return []byte("year: " + title), nil
}

// The pictures of /stats and /leaderboard chart:yes are drawn by the
// Pictures the bot is given, from what the domain knows; a bot without one
// replies the same, without pictures.
func TestPicturesAreDrawnByTheConfiguredPictures(t *testing.T) {
	bank, db := bottest.Bank(t), bottest.OpenDB(t)
	h := &harness{t: t, clock: bottest.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)), chat: &bottest.Chat{}}
	without := bot.New(bot.Config{Bank: bank, Store: db, Clock: h.clock, DrawLimit: -1})
	p := &pictures{}
	with := bot.New(bot.Config{Bank: bank, Store: db, Clock: h.clock, DrawLimit: -1, Pictures: p})

	h.bot = with
	card, c := h.drawn("ann", "category", "postgres")
	if _, err := h.press("ann", right(card, c), ""); err != nil {
		t.Fatal(err)
	}

	h.bot = without
	stats, err := h.command("ann", "stats")
	if err != nil {
		t.Fatal(err)
	}
	board, err := h.command("ann", "leaderboard", "period", "all", "chart", "yes")
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Attachments) != 0 || len(board.Attachments) != 0 {
		t.Fatalf("a bot without Pictures attached %d and %d pictures", len(stats.Attachments), len(board.Attachments))
	}
	bottest.MustContain(t, stats.Text, "Accuracy per category")
	bottest.MustContain(t, board.Text, "**ann**")

	h.bot = with
	stats, err = h.command("ann", "stats")
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Attachments) != 1 || stats.Attachments[0].Name != "stats.png" || string(stats.Attachments[0].Data) != "year: ann: 1 answer in the last year" {
		t.Fatalf("stats picture: %+v", stats.Attachments)
	}
	if len(p.tallies) != len(bank.Categories()) || p.days[h.clock.Now().Format("2006-01-02")] != 1 {
		t.Fatalf("stats drawn from %d categories and days %v", len(p.tallies), p.days)
	}
	for i, ct := range p.tallies {
		want := bot.Tally{}
		if bank.Categories()[i].ID == "postgres" {
			want = bot.Tally{Answered: 1, Correct: 1}
		}
		if ct.Name != bank.Categories()[i].Name || ct.Tally != want {
			t.Errorf("category %d: %+v, want %s with %+v", i, ct, bank.Categories()[i].Name, want)
		}
	}
	board, err = h.command("ann", "leaderboard", "period", "all", "chart", "yes")
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Attachments) != 1 || board.Attachments[0].Name != "leaderboard.png" || string(board.Attachments[0].Data) != "ranking: Leaderboard: all time" {
		t.Fatalf("leaderboard picture: %+v", board.Attachments)
	}
	if len(p.standings) != 1 || p.standings[0].Name != "ann" || p.standings[0].Accuracy != 100 || p.standings[0].Streak != 1 || p.standings[0].Points == 0 {
		t.Fatalf("standings: %+v", p.standings)
	}
}
