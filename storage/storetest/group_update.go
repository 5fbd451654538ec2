package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/prepbot/prepbot/bot"
)

func testUpdateGroup(t *testing.T, open Opener) {
	t.Run("starts from the zero group, keeps the id, and saves", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		err := s.UpdateGroup(ctx, "g", func(g *bot.Group) error {
			if !equalGroup(*g, bot.Group{ID: "g"}) {
				t.Errorf("UpdateGroup of a new group got %+v, want the zero group with its id", *g)
			}
			g.TimeZone, g.ID = "Asia/Tokyo", "other"
			g.Season = bot.Season{ID: "sq1", Name: "Q1", Start: t0}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := bot.Group{ID: "g", TimeZone: "Asia/Tokyo", Season: bot.Season{ID: "sq1", Name: "Q1", Start: t0}}
		if g, err := s.Group(ctx, "g"); err != nil || !equalGroup(g, want) {
			t.Errorf("Group after UpdateGroup = %+v, %v; want %+v", g, err, want)
		}
		if g, err := s.Group(ctx, "other"); err != nil || !equalGroup(g, bot.Group{ID: "other"}) {
			t.Errorf("UpdateGroup moved the group: Group(other) = %+v, %v", g, err)
		}
	})
	t.Run("fn's error changes nothing, also for a new group", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if err := s.SaveGroup(ctx, bot.Group{ID: "g", TimeZone: "UTC"}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"g", "new"} {
			err := s.UpdateGroup(ctx, id, func(g *bot.Group) error { g.TimeZone = "Asia/Tokyo"; return errFn })
			if !errors.Is(err, errFn) {
				t.Errorf("UpdateGroup(%q) whose fn fails = %v, want fn's error", id, err)
			}
		}
		if g, err := s.Group(ctx, "g"); err != nil || g.TimeZone != "UTC" {
			t.Errorf("after a failed UpdateGroup: %+v, %v", g, err)
		}
		if g, err := s.Group(ctx, "new"); err != nil || !equalGroup(g, bot.Group{ID: "new"}) {
			t.Errorf("a failed UpdateGroup of a new group left %+v, %v", g, err)
		}
	})
	t.Run("concurrent updates: none is lost", func(t *testing.T) {
		s := store(t, open)
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = s.UpdateGroup(t.Context(), "g", func(g *bot.Group) error {
					g.Seasons = append(g.Seasons, bot.Season{ID: fmt.Sprint("s", i), Name: fmt.Sprint("S", i), Start: t0, End: t0})
					return nil
				})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("update %d: %v", i, err)
			}
		}
		if g, err := s.Group(t.Context(), "g"); err != nil || len(g.Seasons) != n {
			t.Errorf("after %d concurrent updates each adding a season: %d seasons, %v", n, len(g.Seasons), err)
		}
	})
}
