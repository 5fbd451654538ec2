package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// storeReads counts the reads of groups, members and peeks that reach the
// real store beneath.
type storeReads struct {
	bot.Store
	groups, members, peeks, presses atomic.Int64
}

func (s *storeReads) Group(ctx context.Context, id string) (bot.Group, error) {
	s.groups.Add(1)
	return s.Store.Group(ctx, id)
}

func (s *storeReads) Member(ctx context.Context, group, user string) (bot.Member, error) {
	s.members.Add(1)
	return s.Store.Member(ctx, group, user)
}

func (s *storeReads) Peeked(ctx context.Context, group, user, card string) (bot.Peek, error) {
	s.peeks.Add(1)
	return s.Store.Peeked(ctx, group, user, card)
}

func (s *storeReads) ReadPress(ctx context.Context, group, user, card string) (bot.PressState, error) {
	s.presses.Add(1)
	return s.Store.ReadPress(ctx, group, user, card)
}

func (s *storeReads) counts() [4]int64 {
	return [4]int64{s.groups.Load(), s.members.Load(), s.peeks.Load(), s.presses.Load()}
}

// An answer reads what it needs before its commit in one read (ReadPress:
// one round trip on PostgreSQL), however many of its steps need its group
// (the day of a peek, the answer's periods, the disputes told with the
// verdict), its member (their own day) and its card's peek.
func TestAnswerReadsTheStoreOnce(t *testing.T) {
	reads := &storeReads{Store: bottest.OpenDB(t)}
	h := newHarness(t, nil)
	h.bot = bot.New(bot.Config{Bank: bottest.Bank(t), Store: reads, Clock: h.clock, Chat: h.chat, DrawLimit: 1000})
	card, c := h.drawn("ann", "category", "python", "difficulty", "medium")
	before := reads.counts()
	v, err := h.press("ann", right(card, c), "")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, v.Title, "Correct")
	after := reads.counts()
	var n [4]int64
	for i := range n {
		n[i] = after[i] - before[i]
	}
	if n != [4]int64{0, 0, 0, 1} {
		t.Fatalf("an answer read the store %d times (groups %d, members %d, peeks %d, ReadPress %d); want one ReadPress",
			n[0]+n[1]+n[2]+n[3], n[0], n[1], n[2], n[3])
	}
}

// Within a request, a read after a change through the store sees the
// change, each reader gets a copy of its own, and outside a request every
// read goes to the store.
func TestRequestMemo(t *testing.T) {
	t.Run("groups", func(t *testing.T) {
		reads := &storeReads{Store: bottest.OpenDB(t)}
		s := bot.NewMemoStore(reads)
		ctx := bot.WithMemo(context.Background())
		g, err := s.Group(ctx, "g1")
		if err != nil {
			t.Fatal(err)
		}
		g.Seasons = append(g.Seasons, bot.Season{ID: "sx"}) // a reader's own copy
		if g, _ := s.Group(ctx, "g1"); len(g.Seasons) != 0 || reads.groups.Load() != 1 {
			t.Fatalf("second read: %d seasons, %d reads of the store; want 0 and 1", len(g.Seasons), reads.groups.Load())
		}
		if err := s.UpdateGroup(ctx, "g1", func(g *bot.Group) error {
			g.TimeZone = "Asia/Tokyo"
			g.Season = bot.Season{ID: "s1", Name: "Q1", Start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if g, _ := s.Group(ctx, "g1"); g.TimeZone != "Asia/Tokyo" || g.Season.ID != "s1" || reads.groups.Load() != 2 {
			t.Fatalf("after the change: %+v, %d reads; want the change, read afresh", g, reads.groups.Load())
		}
		for range 2 {
			if _, err := s.Group(context.Background(), "g1"); err != nil {
				t.Fatal(err)
			}
		}
		if n := reads.groups.Load(); n != 4 {
			t.Fatalf("outside a request: %d reads of the store in all; want 4 (every read)", n)
		}
	})
	t.Run("ReadPress, members and peeks", func(t *testing.T) {
		reads := &storeReads{Store: bottest.OpenDB(t)}
		s := bot.NewMemoStore(reads)
		ctx := bot.WithMemo(context.Background())
		at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		record := func(post uint64, points int) {
			t.Helper()
			a := &bot.Answer{Kind: bot.KindAnswer, Group: "g1", Channel: "c1", User: "ann", PostID: post, CardID: "python-gil",
				Category: "python", Correct: true, Points: points, At: at, Day: "2026-12-02", Periods: bot.Periods(at, time.UTC)}
			if _, err := s.Record(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		record(1, 10)
		if err := s.SavePeek(ctx, "g1", "ann", "python-gil", bot.Peek{Day: "2026-12-02", Hint: true}); err != nil {
			t.Fatal(err)
		}
		st, err := s.ReadPress(ctx, "g1", "ann", "python-gil")
		if err != nil || st.Member.Points != 10 || !st.Peek.Hint || st.Group.ID != "g1" {
			t.Fatalf("ReadPress = %+v, %v; want ann's 10 points and the hint", st, err)
		}
		st.Member.Categories["python"] = bot.Tally{Answered: 99} // a reader's own copy
		st.Member.Froze = append(st.Member.Froze, "2026-12-01")
		m, _ := s.Member(ctx, "g1", "ann")
		p, _ := s.Peeked(ctx, "g1", "ann", "python-gil")
		g, _ := s.Group(ctx, "g1")
		if m.Categories["python"].Answered != 1 || len(m.Froze) != 0 || !p.Hint || g.ID != "g1" {
			t.Fatalf("reads after ReadPress: member %+v, peek %+v, group %+v; want the member as recorded (not the reader's change), the hint", m, p, g)
		}
		if c := reads.counts(); c != [4]int64{0, 0, 0, 1} {
			t.Fatalf("reads of the store after ReadPress and a read of each: %v (groups, members, peeks, ReadPress); want only the ReadPress", c)
		}
		record(2, 20) // a new answer: the next member read is fresh
		if m, _ := s.Member(ctx, "g1", "ann"); m.Points != 30 || reads.members.Load() != 1 {
			t.Fatalf("after Record: %d points, %d member reads of the store; want 30, read afresh", m.Points, reads.members.Load())
		}
		if err := s.UpdateMember(ctx, "g1", "ann", func(m *bot.Member) error { m.TimeZone = "Asia/Tokyo"; return nil }); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Member(ctx, "g1", "ann"); m.TimeZone != "Asia/Tokyo" || reads.members.Load() != 2 {
			t.Fatalf("after UpdateMember: zone %q, %d member reads; want Asia/Tokyo, read afresh", m.TimeZone, reads.members.Load())
		}
		if err := s.SavePeek(ctx, "g1", "ann", "python-gil", bot.Peek{Day: "2026-12-02", Answer: true}); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Peeked(ctx, "g1", "ann", "python-gil"); !p.Answer || !p.Hint || reads.peeks.Load() != 1 {
			t.Fatalf("after SavePeek: %+v, %d peek reads; want hint and answer, read afresh", p, reads.peeks.Load())
		}
		if _, err := s.ReadPress(context.Background(), "g1", "ann", "python-gil"); err != nil || reads.presses.Load() != 2 {
			t.Fatalf("ReadPress outside a request: %v, %d reads; want a read of the store", err, reads.presses.Load())
		}
	})
}
