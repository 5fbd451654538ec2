package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// groupReads counts the group reads that reach the real store beneath.
type groupReads struct {
	bot.Store
	n atomic.Int64
}

func (s *groupReads) Group(ctx context.Context, id string) (bot.Group, error) {
	s.n.Add(1)
	return s.Store.Group(ctx, id)
}

// An answer reads its group's settings once, however many of its steps
// need them (the day of a peek, the answer's periods, the disputes told
// with the verdict): on PostgreSQL each read is a round trip.
func TestAnswerReadsItsGroupOnce(t *testing.T) {
	reads := &groupReads{Store: bottest.OpenDB(t)}
	h := newHarness(t, nil)
	h.bot = bot.New(bot.Config{Bank: bottest.Bank(t), Store: reads, Clock: h.clock, Chat: h.chat, DrawLimit: 1000})
	card, c := h.drawn("ann", "category", "python", "difficulty", "medium")
	before := reads.n.Load()
	v, err := h.press("ann", right(card, c), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, v.Title, "Correct")
	if n := reads.n.Load() - before; n != 1 {
		t.Fatalf("an answer read its group %d times; want once", n)
	}
}

// Within a request, a group read after a change to it sees the change,
// each reader gets a copy of its own, and outside a request every read
// goes to the store.
func TestGroupMemo(t *testing.T) {
	reads := &groupReads{Store: bottest.OpenDB(t)}
	s := bot.NewMemoStore(reads)
	ctx := bot.WithGroupMemo(context.Background())
	g, err := s.Group(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	g.Seasons = append(g.Seasons, bot.Season{ID: "sx"}) // a reader's own copy
	if g, _ := s.Group(ctx, "g1"); len(g.Seasons) != 0 || reads.n.Load() != 1 {
		t.Fatalf("second read: %d seasons, %d reads of the store; want 0 and 1", len(g.Seasons), reads.n.Load())
	}
	if err := s.UpdateGroup(ctx, "g1", func(g *bot.Group) error {
		g.TimeZone = "Asia/Tokyo"
		g.Season = bot.Season{ID: "s1", Name: "Q1", Start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Group(ctx, "g1"); g.TimeZone != "Asia/Tokyo" || g.Season.ID != "s1" || reads.n.Load() != 2 {
		t.Fatalf("after the change: %+v, %d reads; want the change, read afresh", g, reads.n.Load())
	}
	for range 2 {
		if _, err := s.Group(context.Background(), "g1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads.n.Load(); n != 4 {
		t.Fatalf("outside a request: %d reads of the store in all; want 4 (every read)", n)
	}
}
