package storage_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage"
)

// Record applies the rules it is given in Options.Rules, to the member, the
// review and every score, in the commit that records the answer; the rules
// it is not given are the standard ones.
func TestRecordAppliesTheRulesItIsGiven(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prepbot.db")
	rules := bot.Rules{
		Member: func(m *bot.Member, a *bot.Answer) {
			bot.StandardRules().Member(m, a)
			m.Points += 100 // a bonus only this rule gives
		},
		Score: func(s *bot.Score, a *bot.Answer) {
			bot.StandardRules().Score(s, a)
			s.Points *= 3
		},
	}
	db, err := storage.Open(path, storage.Options{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := t.Context()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "u", UserName: "Ada", PostID: 1, CardID: "c1",
		Category: "go", Correct: true, Points: 10, At: at, Day: "2026-11-30", Periods: []string{"all", "w2026-W49"}}
	m, err := db.Record(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if m.Points != 110 {
		t.Errorf("Record returned a member with %d points, want 110 (the Member rule given)", m.Points)
	}
	if stored, err := db.Member(ctx, "g", "u"); err != nil || stored.Points != 110 {
		t.Errorf("the stored member has %d points (%v), want 110", stored.Points, err)
	}
	for _, period := range a.Periods {
		for _, cat := range []string{"", "go"} {
			board, err := db.Leaderboard(ctx, "g", period, cat, 10)
			if err != nil || len(board) != 1 || board[0].Points != 30 {
				t.Errorf("board %s %q: %+v (%v), want one score of 30 (the Score rule given)", period, cat, board, err)
			}
		}
	}
	reviews, err := db.Reviews(ctx, "g", "u")
	if err != nil || len(reviews) != 1 || reviews[0].Grade != 4 || reviews[0].Due != "2026-12-01" {
		t.Errorf("reviews: %+v (%v), want the standard rule's: graded 4, due the next day", reviews, err)
	}
}
