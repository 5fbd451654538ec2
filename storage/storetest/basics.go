package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

func testGroup(t *testing.T, open Opener) {
	t.Run("unknown is the zero group with its id", func(t *testing.T) {
		s := store(t, open)
		for _, id := range []string{"discord:1", "slack:T1", "console"} {
			g, err := s.Group(t.Context(), id)
			if err != nil || !equalGroup(g, bot.Group{ID: id}) {
				t.Errorf("Group(%q) = %+v, %v; want %+v, nil", id, g, err, bot.Group{ID: id})
			}
		}
	})
	t.Run("saved settings read back per group and are replaced", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		steps := []struct {
			save bot.Group
			want map[string]bot.Group // by id, after the save
		}{
			{bot.Group{ID: "discord:1", TimeZone: "Europe/Berlin"}, map[string]bot.Group{
				"discord:1": {ID: "discord:1", TimeZone: "Europe/Berlin"}, "discord:10": {ID: "discord:10"}}},
			{bot.Group{ID: "discord:10", TimeZone: "America/New_York"}, map[string]bot.Group{
				"discord:1": {ID: "discord:1", TimeZone: "Europe/Berlin"}, "discord:10": {ID: "discord:10", TimeZone: "America/New_York"}}},
			{bot.Group{ID: "discord:1", TimeZone: "Asia/Tokyo"}, map[string]bot.Group{
				"discord:1": {ID: "discord:1", TimeZone: "Asia/Tokyo"}, "discord:10": {ID: "discord:10", TimeZone: "America/New_York"}}},
			{bot.Group{ID: "discord:1"}, map[string]bot.Group{
				"discord:1": {ID: "discord:1"}, "discord:10": {ID: "discord:10", TimeZone: "America/New_York"}}},
			// the season running and the past ones are kept with the group
			{seasons("discord:1"), map[string]bot.Group{
				"discord:1": seasons("discord:1"), "discord:10": {ID: "discord:10", TimeZone: "America/New_York"}}},
			{ended("discord:1"), map[string]bot.Group{
				"discord:1": ended("discord:1"), "discord:10": {ID: "discord:10", TimeZone: "America/New_York"}}},
		}
		for i, st := range steps {
			if err := s.SaveGroup(ctx, st.save); err != nil {
				t.Fatalf("step %d: SaveGroup(%+v): %v", i, st.save, err)
			}
			for id, want := range st.want {
				if g, err := s.Group(ctx, id); err != nil || !equalGroup(g, want) {
					t.Errorf("step %d, after SaveGroup(%+v): Group(%q) = %+v, %v; want %+v", i, st.save, id, g, err, want)
				}
			}
		}
	})
}

// sampleSeasons is a group with a season running and two past ones, every
// field of theirs set.
func sampleSeasons() bot.Group {
	return bot.Group{ID: "g", TimeZone: "Asia/Tokyo",
		Season: bot.Season{ID: "sq1-prep", Name: "Q1 prep", Start: t0.Add(48 * time.Hour), By: "U1"},
		Seasons: []bot.Season{
			{ID: "sq3", Name: "Q3", Start: t0.AddDate(0, -5, 0), End: t0.AddDate(0, -2, 0).Add(time.Microsecond), By: "U2"},
			{ID: "sq4-prep", Name: "Q4 prep", Start: t0.AddDate(0, -2, 0), End: t0.Add(48 * time.Hour), By: "U1"},
		}}
}

// seasons is sampleSeasons for a group id; ended is it after its season
// ended.
func seasons(id string) bot.Group { g := sampleSeasons(); g.ID = id; return g }

func ended(id string) bot.Group {
	g := seasons(id)
	s := g.Season
	s.End = t0.AddDate(0, 3, 0)
	g.Season, g.Seasons = bot.Season{}, append(g.Seasons, s)
	return g
}

// equalGroup compares groups; times are equal when they are the same
// instant, and no seasons equal an empty list of them.
func equalGroup(a, b bot.Group) bool { return reflect.DeepEqual(normGroup(a), normGroup(b)) }

func normGroup(g bot.Group) bot.Group {
	norm := func(s bot.Season) bot.Season {
		s.Start, s.End = s.Start.UTC(), s.End.UTC()
		return s
	}
	g.Season = norm(g.Season)
	var past []bot.Season
	for _, s := range g.Seasons {
		past = append(past, norm(s))
	}
	g.Seasons = past
	return g
}

// samplePost has every field set to something other than its zero value.
func samplePost() bot.Post {
	return bot.Post{Group: "discord:1", Channel: "C1", CardID: "postgres-mvcc", Category: "postgres",
		Daily: true, Review: true, Round: true, By: "U1",
		At: time.Date(2026, 11, 23, 9, 30, 15, 123456000, time.FixedZone("UTC+5:30", 5*3600+1800))}
}

func testPost(t *testing.T, open Opener) {
	t.Run("ids are set and distinct", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		seen := map[uint64]bool{}
		for i := range 5 {
			p := samplePost()
			p.CardID = "card-" + string(rune('a'+i))
			if err := s.CreatePost(ctx, &p); err != nil {
				t.Fatalf("CreatePost #%d: %v", i, err)
			}
			if p.ID == 0 || seen[p.ID] {
				t.Fatalf("CreatePost #%d set ID %d; ids so far %v: want a new non-zero id", i, p.ID, seen)
			}
			seen[p.ID] = true
		}
	})
	t.Run("an id given by the caller is replaced, never another post overwritten", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		first := samplePost()
		if err := s.CreatePost(ctx, &first); err != nil {
			t.Fatal(err)
		}
		second := samplePost()
		second.ID, second.CardID = first.ID, "redis-persistence"
		if err := s.CreatePost(ctx, &second); err != nil {
			t.Fatal(err)
		}
		if second.ID == first.ID || second.ID == 0 {
			t.Fatalf("CreatePost of a post given the id %d of another set ID %d: want an id of its own", first.ID, second.ID)
		}
		for _, want := range []bot.Post{first, second} {
			if got, err := s.Post(ctx, want.ID); err != nil || !equalPost(got, want) {
				t.Errorf("Post(%d) = %+v, %v; want %+v", want.ID, got, err, want)
			}
		}
	})
	t.Run("every field reads back", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		all := samplePost()
		cases := []struct {
			name string
			post bot.Post
		}{
			{"every field set", all},
			{"daily only", bot.Post{Group: "slack:T1", Channel: "C9", CardID: "k8s-probes", Category: "kubernetes", Daily: true, By: "schedule", At: t0}},
			{"review only", bot.Post{Group: "slack:T1", Channel: "C9", CardID: "k8s-probes", Category: "kubernetes", Review: true, By: "U2", At: t0.Add(time.Microsecond)}},
			{"round only", bot.Post{Group: "console", Channel: "#study", CardID: "tcp-handshake", Category: "networking", Round: true, By: "local", At: t0.Add(36 * time.Hour)}},
			{"no flags, in the first second of a day", bot.Post{Group: "g", Channel: "C1", CardID: "x", Category: "y", By: "U3", At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}},
		}
		for _, c := range cases {
			p := c.post
			if err := s.CreatePost(ctx, &p); err != nil {
				t.Fatalf("%s: CreatePost: %v", c.name, err)
			}
			want := c.post
			want.ID = p.ID
			if !equalPost(p, want) {
				t.Errorf("%s: CreatePost changed more than the id: %+v, want %+v", c.name, p, want)
			}
			if got, err := s.Post(ctx, p.ID); err != nil || !equalPost(got, want) {
				t.Errorf("%s: Post(%d)\n got %+v, %v\nwant %+v", c.name, p.ID, got, err, want)
			}
		}
	})
	t.Run("unknown id is ErrNotFound", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if _, err := s.Post(ctx, 1); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Post(1) in an empty store: %v, want ErrNotFound", err)
		}
		p := samplePost()
		if err := s.CreatePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		for _, id := range []uint64{0, p.ID + 1, p.ID + 1000, 1 << 62} {
			if got, err := s.Post(ctx, id); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("Post(%d) with only post %d stored = %+v, %v; want ErrNotFound", id, p.ID, got, err)
			}
		}
	})
}

func testDraw(t *testing.T, open Opener) {
	bagA := questionbank.BagState{Seed: 7, Pos: 1, Size: 10, Sum: 99, Last: "postgres-mvcc"}
	bagB := questionbank.BagState{Seed: 1 << 63, Pos: 9, Size: 10, Sum: 1<<64 - 1, Last: "redis-persistence"}
	// draw runs Draw, checking what fn sees, and leaves next in the bag (or
	// fails with fail).
	draw := func(t *testing.T, s bot.Store, key string, want, next questionbank.BagState, fail error) error {
		t.Helper()
		called := false
		err := s.Draw(t.Context(), key, func(st *questionbank.BagState) error {
			called = true
			if *st != want {
				t.Errorf("Draw(%q) gave fn the bag %+v, want %+v", key, *st, want)
			}
			*st = next
			return fail
		})
		if !called {
			t.Errorf("Draw(%q) did not call fn", key)
		}
		return err
	}
	t.Run("a new key starts from a zero bag and what fn leaves is saved per key", func(t *testing.T) {
		s := store(t, open)
		steps := []struct {
			key        string
			want, next questionbank.BagState
		}{
			{"g:all", questionbank.BagState{}, bagA},
			{"g:all", bagA, bagB},
			{"g:postgres", questionbank.BagState{}, bagA},
			{"g2:all", questionbank.BagState{}, bagA},
			{"g:all", bagB, questionbank.BagState{}},
			{"g:all", questionbank.BagState{}, bagA},
			{"g:postgres", bagA, bagA},
		}
		for i, st := range steps {
			if err := draw(t, s, st.key, st.want, st.next, nil); err != nil {
				t.Fatalf("step %d: Draw(%q): %v", i, st.key, err)
			}
		}
	})
	t.Run("fn's error is returned and rolls back", func(t *testing.T) {
		s := store(t, open)
		if err := draw(t, s, "g:all", questionbank.BagState{}, bagA, nil); err != nil {
			t.Fatal(err)
		}
		if err := draw(t, s, "g:all", bagA, bagB, errFn); !errors.Is(err, errFn) {
			t.Fatalf("Draw whose fn fails: %v, want fn's error", err)
		}
		if err := draw(t, s, "g:new", questionbank.BagState{}, bagB, errFn); !errors.Is(err, errFn) {
			t.Fatalf("Draw of a new key whose fn fails: %v, want fn's error", err)
		}
		// what the failed fns left is gone
		if err := draw(t, s, "g:all", bagA, bagA, nil); err != nil {
			t.Fatal(err)
		}
		if err := draw(t, s, "g:new", questionbank.BagState{}, bagA, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("concurrent draws of one key each see the one before", func(t *testing.T) {
		s := store(t, open)
		const n = 16
		var wg sync.WaitGroup
		start := make(chan struct{})
		saw := make([]int, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = s.Draw(t.Context(), "g:all", func(st *questionbank.BagState) error {
					saw[i] = st.Pos // the last call counts: a backend may retry fn
					st.Pos++
					return nil
				})
			})
		}
		close(start)
		wg.Wait()
		eachSeenOnce(t, "draw", saw, errs)
		if err := draw(t, s, "g:all", questionbank.BagState{Pos: n}, questionbank.BagState{}, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// eachSeenOnce checks what n concurrent read-modify-write calls saw: no
// error, and each of 0 to n-1 once (else one call lost another's update).
func eachSeenOnce(t *testing.T, what string, saw []int, errs []error) {
	t.Helper()
	seen := map[int]bool{}
	for i := range saw {
		if errs[i] != nil {
			t.Fatalf("%s %d: %v", what, i, errs[i])
		}
		seen[saw[i]] = true
	}
	if len(seen) != len(saw) {
		t.Errorf("%d concurrent calls of %s saw %v: want each of 0 to %d once (a call lost another's update)", len(saw), what, saw, len(saw)-1)
	}
}
