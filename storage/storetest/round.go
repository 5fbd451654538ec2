package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// sampleRound has every field set to something other than its zero value.
func sampleRound(group, channel string) bot.Round {
	return bot.Round{Group: group, Channel: channel, Starter: "U1", Category: "postgres", Count: 5, Seconds: 30,
		Index: 2, Post: 41, Deadline: time.Date(2026, 11, 23, 9, 31, 0, 250000000, time.FixedZone("UTC-3", -3*3600)),
		Scores: map[string]int{"U1": 25, "U2": 0}, Names: map[string]string{"U1": "Ann", "U2": "Ben"}}
}

func sortedRounds(rs []bot.Round) []bot.Round {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b bot.Round) int { return strings.Compare(a.Group+"\x00"+a.Channel, b.Group+"\x00"+b.Channel) })
	return rs
}

func testRound(t *testing.T, open Opener) {
	save := func(t *testing.T, s bot.Store, rs ...bot.Round) {
		t.Helper()
		for _, r := range rs {
			if err := s.SaveRound(t.Context(), r); err != nil {
				t.Fatalf("SaveRound(%s/%s): %v", r.Group, r.Channel, err)
			}
		}
	}
	expect := func(t *testing.T, s bot.Store, when string, want bot.Round) {
		t.Helper()
		if got, err := s.Round(t.Context(), want.Group, want.Channel); err != nil || !equalRound(got, want) {
			t.Errorf("%s: Round(%q, %q)\n got %+v, %v\nwant %+v", when, want.Group, want.Channel, got, err, want)
		}
	}
	t.Run("unknown is ErrNotFound, for Round and UpdateRound", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if r, err := s.Round(ctx, "g", "C1"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Round in an empty store = %+v, %v; want ErrNotFound", r, err)
		}
		save(t, s, sampleRound("g", "C1"))
		for _, k := range [][2]string{{"g", "C2"}, {"g2", "C1"}, {"g", "C"}} {
			if r, err := s.Round(ctx, k[0], k[1]); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("Round(%q, %q) with only g/C1 saved = %+v, %v; want ErrNotFound", k[0], k[1], r, err)
			}
			called := false
			err := s.UpdateRound(ctx, k[0], k[1], func(*bot.Round) error { called = true; return nil })
			if !errors.Is(err, bot.ErrNotFound) || called {
				t.Errorf("UpdateRound(%q, %q) with only g/C1 saved: %v, fn called: %v; want ErrNotFound without calling fn", k[0], k[1], err, called)
			}
			if _, err := s.Round(ctx, k[0], k[1]); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("UpdateRound(%q, %q) of no round created one: %v", k[0], k[1], err)
			}
		}
	})
	t.Run("every field reads back, and saving again replaces all of them", func(t *testing.T) {
		s := store(t, open)
		full := sampleRound("g", "C1")
		steps := []struct {
			name string
			save bot.Round
		}{
			{"every field set", full},
			{"the next card, a scorer fewer", func() bot.Round {
				r := sampleRound("g", "C1")
				r.Index, r.Post, r.Deadline = 3, 42, full.Deadline.Add(40*time.Second)
				delete(r.Scores, "U2")
				delete(r.Names, "U2")
				return r
			}()},
			{"nobody scored, no category", bot.Round{Group: "g", Channel: "C1", Starter: "U3", Count: 1, Seconds: 10, Post: 43, Deadline: t0}},
		}
		for _, st := range steps {
			save(t, s, st.save)
			expect(t, s, st.name, st.save)
		}
	})
	t.Run("Rounds lists every round in progress", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if rs, err := s.Rounds(ctx); err != nil || len(rs) != 0 {
			t.Errorf("Rounds in an empty store = %+v, %v; want none", rs, err)
		}
		all := []bot.Round{sampleRound("discord:1", "C1"), sampleRound("discord:1", "C2"), sampleRound("discord:10", "C1"), sampleRound("slack:T1", "C1")}
		save(t, s, all...)
		if err := s.DeleteRound(ctx, "discord:1", "C2"); err != nil {
			t.Fatal(err)
		}
		want := []bot.Round{all[0], all[2], all[3]}
		got, err := s.Rounds(ctx)
		if err != nil || !slices.EqualFunc(sortedRounds(got), want, equalRound) {
			t.Errorf("Rounds = %+v, %v\nwant %+v", sortedRounds(got), err, want)
		}
	})
	t.Run("UpdateRound changes one round with what fn leaves", func(t *testing.T) {
		s := store(t, open)
		r, other := sampleRound("g", "C1"), sampleRound("g", "C2")
		save(t, s, r, other)
		err := s.UpdateRound(t.Context(), "g", "C1", func(got *bot.Round) error {
			if !equalRound(*got, r) {
				t.Errorf("UpdateRound gave fn\n %+v\nwant %+v", *got, r)
			}
			got.Index++
			got.Scores["U3"] = 7
			got.Names = map[string]string{"U3": "Cy"}
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateRound: %v", err)
		}
		want := sampleRound("g", "C1")
		want.Index++
		want.Scores["U3"] = 7
		want.Names = map[string]string{"U3": "Cy"}
		expect(t, s, "after UpdateRound", want)
		expect(t, s, "another channel's after UpdateRound", other)
	})
	t.Run("UpdateRound's fn error is returned and rolls back", func(t *testing.T) {
		s := store(t, open)
		r := sampleRound("g", "C1")
		save(t, s, r)
		err := s.UpdateRound(t.Context(), "g", "C1", func(got *bot.Round) error {
			got.Index, got.Post = 4, 99
			got.Scores["U1"] = 1000
			return fmt.Errorf("the round is over: %w", errFn)
		})
		if !errors.Is(err, errFn) {
			t.Fatalf("UpdateRound whose fn fails: %v, want fn's error", err)
		}
		expect(t, s, "after a failed UpdateRound", r)
	})
	t.Run("concurrent UpdateRounds each see the one before", func(t *testing.T) {
		s := store(t, open)
		save(t, s, bot.Round{Group: "g", Channel: "C1", Starter: "U1", Count: 20, Seconds: 30, Deadline: t0})
		const n = 16
		saw, errs := make([]int, n), make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = s.UpdateRound(t.Context(), "g", "C1", func(r *bot.Round) error {
					saw[i] = r.Index // the last call counts: a backend may retry fn
					r.Index++
					if r.Scores == nil {
						r.Scores = map[string]int{}
					}
					r.Scores[fmt.Sprint("U", i)] = i
					return nil
				})
			})
		}
		close(start)
		wg.Wait()
		eachSeenOnce(t, "UpdateRound", saw, errs)
		r, err := s.Round(t.Context(), "g", "C1")
		if err != nil || r.Index != n || len(r.Scores) != n {
			t.Errorf("after %d concurrent UpdateRounds: index %d, %d scores (%v); want %d and %d", n, r.Index, len(r.Scores), err, n, n)
		}
	})
	t.Run("DeleteRound removes one, and deleting none is no error", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		keep := sampleRound("g2", "C1")
		save(t, s, sampleRound("g", "C1"), keep)
		if err := s.DeleteRound(ctx, "g", "C1"); err != nil {
			t.Fatalf("DeleteRound: %v", err)
		}
		if r, err := s.Round(ctx, "g", "C1"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Round after DeleteRound = %+v, %v; want ErrNotFound", r, err)
		}
		if err := s.UpdateRound(ctx, "g", "C1", func(*bot.Round) error { return nil }); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("UpdateRound after DeleteRound: %v, want ErrNotFound", err)
		}
		// beyond the doc comment: bbolt deletes idempotently
		if err := s.DeleteRound(ctx, "g", "C1"); err != nil {
			t.Errorf("DeleteRound of a deleted round: %v, want nil", err)
		}
		expect(t, s, "another group's round after DeleteRound", keep)
	})
}
