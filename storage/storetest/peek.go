package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

func testPeek(t *testing.T, open Opener) {
	t.Run("none is the zero Peek", func(t *testing.T) {
		s := store(t, open)
		if p, err := s.Peeked(t.Context(), "g", "ann", "postgres-mvcc"); err != nil || p != (bot.Peek{}) {
			t.Errorf("Peeked in an empty store = %+v, %v; want the zero Peek", p, err)
		}
	})
	t.Run("the same day merges, a new day replaces", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		steps := []struct {
			save, want bot.Peek
		}{
			{bot.Peek{Day: day(0), Hint: true}, bot.Peek{Day: day(0), Hint: true}},
			{bot.Peek{Day: day(0), Answer: true}, bot.Peek{Day: day(0), Hint: true, Answer: true}},
			{bot.Peek{Day: day(0), Hint: true}, bot.Peek{Day: day(0), Hint: true, Answer: true}},
			{bot.Peek{Day: day(1), Answer: true}, bot.Peek{Day: day(1), Answer: true}},
			{bot.Peek{Day: day(1), Hint: true}, bot.Peek{Day: day(1), Hint: true, Answer: true}},
			{bot.Peek{Day: day(2), Hint: true}, bot.Peek{Day: day(2), Hint: true}},
		}
		for i, st := range steps {
			if err := s.SavePeek(ctx, "g", "ann", "postgres-mvcc", st.save); err != nil {
				t.Fatalf("step %d: SavePeek(%+v): %v", i, st.save, err)
			}
			if got, err := s.Peeked(ctx, "g", "ann", "postgres-mvcc"); err != nil || got != st.want {
				t.Errorf("step %d: after SavePeek(%+v), Peeked = %+v, %v; want %+v", i, st.save, got, err, st.want)
			}
		}
	})
	t.Run("per group, member and card", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if err := s.SavePeek(ctx, "discord:1", "ann", "postgres-mvcc", bot.Peek{Day: day(0), Hint: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePeek(ctx, "discord:1", "ann", "postgres-mvcc-2", bot.Peek{Day: day(0), Answer: true}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			group, user, card string
			want              bot.Peek
		}{
			{"discord:1", "ann", "postgres-mvcc", bot.Peek{Day: day(0), Hint: true}},
			{"discord:1", "ann", "postgres-mvcc-2", bot.Peek{Day: day(0), Answer: true}},
			{"discord:1", "ann", "postgres", bot.Peek{}},
			{"discord:1", "anna", "postgres-mvcc", bot.Peek{}},
			{"discord:1", "ben", "postgres-mvcc", bot.Peek{}},
			{"discord:10", "ann", "postgres-mvcc", bot.Peek{}},
		}
		for _, c := range cases {
			if got, err := s.Peeked(ctx, c.group, c.user, c.card); err != nil || got != c.want {
				t.Errorf("Peeked(%q, %q, %q) = %+v, %v; want %+v", c.group, c.user, c.card, got, err, c.want)
			}
		}
	})
	t.Run("concurrent peeks of one day merge", func(t *testing.T) {
		s := store(t, open)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 8)
		for i := range errs {
			p := bot.Peek{Day: day(0), Hint: i%2 == 0, Answer: i%2 == 1}
			wg.Go(func() { <-start; errs[i] = s.SavePeek(t.Context(), "g", "ann", "postgres-mvcc", p) })
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("SavePeek %d: %v", i, err)
			}
		}
		want := bot.Peek{Day: day(0), Hint: true, Answer: true}
		if got, err := s.Peeked(t.Context(), "g", "ann", "postgres-mvcc"); err != nil || got != want {
			t.Errorf("Peeked after concurrent hint and answer peeks = %+v, %v; want %+v", got, err, want)
		}
	})
}

func testDelivery(t *testing.T, open Opener) {
	t.Run("an id is new once", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		steps := []struct {
			id   string
			at   time.Time
			want bool
		}{
			{"discord:1", t0, true},
			{"discord:1", t0, false},
			{"discord:1", t0.Add(time.Hour), false},
			{"discord:10", t0, true},
			{"slack:1", t0, true},
			{"discord:", t0, true},
			{"discord:10", t0.Add(-time.Hour), false},
		}
		for i, st := range steps {
			if got, err := s.FirstDelivery(ctx, st.id, st.at); err != nil || got != st.want {
				t.Errorf("step %d: FirstDelivery(%q) = %v, %v; want %v", i, st.id, got, err, st.want)
			}
		}
	})
	t.Run("concurrent copies of one id: exactly one is new", func(t *testing.T) {
		s := store(t, open)
		const n = 32
		news, errs := make([]bool, n), make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() { <-start; news[i], errs[i] = s.FirstDelivery(t.Context(), "slack:action:1", t0) })
		}
		close(start)
		wg.Wait()
		count := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("FirstDelivery %d: %v", i, errs[i])
			}
			if news[i] {
				count++
			}
		}
		if count != 1 {
			t.Errorf("%d concurrent FirstDelivery of one id: %d new, want exactly 1", n, count)
		}
	})
	for _, restart := range []bool{false, true} {
		name := "PurgeDeliveries forgets the ids seen before a moment"
		if restart {
			name += ", after a restart"
		}
		t.Run(name, func(t *testing.T) { testPurge(t, open, restart) })
	}
}

// testPurge records delivery ids, purges those seen before a moment (on
// the same store, or after a restart when the backend has one) and checks
// which are new again.
func testPurge(t *testing.T, open Opener, restart bool) {
	s, reopen := open(t)
	ctx := t.Context()
	before := t0.Add(48 * time.Hour)
	ids := []struct {
		id     string
		at     time.Time
		purged bool
	}{
		{"discord:old", t0, true},
		{"discord:a-second-before", before.Add(-time.Second), true},
		{"discord:at-the-moment", before, false},
		{"discord:after", before.Add(time.Hour), false},
	}
	for _, d := range ids {
		if first, err := s.FirstDelivery(ctx, d.id, d.at); err != nil || !first {
			t.Fatalf("FirstDelivery(%q) = %v, %v; want true", d.id, first, err)
		}
	}
	if restart && reopen == nil {
		t.Skip("the backend keeps nothing across a restart")
	}
	if restart {
		s = reopen()
	}
	n, err := s.PurgeDeliveries(ctx, before)
	if err != nil || n != 2 {
		t.Errorf("PurgeDeliveries(%s) = %d, %v; want 2", before.Format(time.RFC3339), n, err)
	}
	if n, err := s.PurgeDeliveries(ctx, before); err != nil || n != 0 {
		t.Errorf("PurgeDeliveries(%s) again = %d, %v; want 0", before.Format(time.RFC3339), n, err)
	}
	if reopen != nil {
		s = reopen() // the purge is durable too
	}
	for _, d := range ids {
		if first, err := s.FirstDelivery(ctx, d.id, before.Add(2*time.Hour)); err != nil || first != d.purged {
			t.Errorf("FirstDelivery(%q) after the purge = %v, %v; want %v", d.id, first, err, d.purged)
		}
	}
}

// testReadPress checks that ReadPress reads what Group, Member and Peeked
// read, for every mix of a group with settings or none, a member with a
// record or none, and a peek of the card or none.
func testReadPress(t *testing.T, open Opener) {
	s := store(t, open)
	ctx := t.Context()
	f := newFixture(t, s)
	f.record(ans("ann", "p1", "postgres", 10, t0).in("discord:1"), ans("ben", "p2", "redis", 0, t0).in("discord:2"))
	g := seasons("discord:1")
	g.TimeZone = "Asia/Tokyo"
	if err := s.SaveGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePeek(ctx, "discord:1", "ann", "postgres-mvcc", bot.Peek{Day: day(0), Hint: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePeek(ctx, "discord:2", "cid", "redis-ttl", bot.Peek{Day: day(1), Answer: true}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ group, user, card string }{
		{"discord:1", "ann", "postgres-mvcc"}, // group, member, peek
		{"discord:1", "ann", "redis-ttl"},     // no peek of this card
		{"discord:1", "ben", "postgres-mvcc"}, // no member here
		{"discord:2", "ben", "postgres-mvcc"}, // no group settings
		{"discord:2", "cid", "redis-ttl"},     // a peek, no member
		{"discord:3", "dan", "linux-signals"}, // nothing at all
	}
	peeked := 0
	for _, c := range cases {
		st, err := s.ReadPress(ctx, c.group, c.user, c.card)
		if err != nil {
			t.Fatalf("ReadPress(%q, %q, %q): %v", c.group, c.user, c.card, err)
		}
		wg, err1 := s.Group(ctx, c.group)
		wm, err2 := s.Member(ctx, c.group, c.user)
		wp, err3 := s.Peeked(ctx, c.group, c.user, c.card)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		if !equalGroup(st.Group, wg) || !equalMember(st.Member, wm) || st.Peek != wp {
			t.Errorf("ReadPress(%q, %q, %q) = %+v; want what Group, Member and Peeked read: %+v, %+v, %+v", c.group, c.user, c.card, st, wg, wm, wp)
		}
		if st.Peek != (bot.Peek{}) {
			peeked++
		}
	}
	if peeked != 2 {
		t.Errorf("ReadPress read %d peeks; want the 2 saved (the cases test nothing)", peeked)
	}
}
