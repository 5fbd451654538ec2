package storetest

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

func testLeaderboard(t *testing.T, open Opener) {
	h := time.Hour
	dec := t0.AddDate(0, 0, 8) // 1 December, week 49
	type query struct {
		group, period, cat string
		limit              int
	}
	all := func(limit int) query { return query{"g", bot.PeriodAll, "", limit} }
	cases := []struct {
		name   string
		events []ev
		q      query
		want   []string // users, best first
	}{
		{"none", nil, all(10), nil},
		{"most points first",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 30, t0.Add(h)), ans("cy", "p3", "postgres", 20, t0.Add(2*h))},
			all(10), []string{"ben", "cy", "ann"}},
		{"equal points: the better accuracy first, though it came later",
			[]ev{ans("ann", "p1", "postgres", 20, t0), ans("ann", "p2", "postgres", 0, t0.Add(h)), ans("ben", "p3", "postgres", 20, t0.Add(2*h))},
			all(10), []string{"ben", "ann"}},
		{"equal points and accuracy: who got there first",
			[]ev{ans("ann", "p1", "postgres", 20, t0.Add(2*h)), ans("ben", "p2", "postgres", 20, t0.Add(h))},
			all(10), []string{"ben", "ann"}},
		{"who got there first: by a millisecond",
			[]ev{ans("ann", "p1", "postgres", 10, t0.Add(2*time.Millisecond)), ans("ben", "p2", "postgres", 10, t0.Add(time.Millisecond))},
			all(10), []string{"ben", "ann"}},
		{"who got there first: the last answer that added points, not the first answer",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 20, t0.Add(h)), ans("ann", "p3", "postgres", 10, t0.Add(2*h))},
			all(10), []string{"ben", "ann"}},
		{"who got there first: a later wrong answer does not move it",
			[]ev{ans("ann", "p1", "postgres", 0, t0), ans("ben", "p2", "postgres", 0, t0.Add(h)), ans("ann", "p3", "postgres", 0, t0.Add(2*h))},
			all(10), []string{"ann", "ben"}},
		{"no points: the first to answer first, whatever the ids",
			[]ev{ans("zed", "p1", "postgres", 0, t0), ans("amy", "p2", "postgres", 0, t0.Add(h)), ans("max", "p3", "postgres", 0, t0.Add(2*h))},
			all(10), []string{"zed", "amy", "max"}},
		// beyond the doc comment: a full tie goes by user id (bbolt's order)
		{"a full tie: by user id",
			[]ev{ans("ben", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 10, t0), ans("cy", "p3", "postgres", 10, t0)},
			all(10), []string{"ann", "ben", "cy"}},
		{"ratings add points, not accuracy",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 10, t0.Add(h)), rate("ben", "p2", "postgres", "nailed", t0.Add(2*h)),
				rate("cy", "p3", "postgres", "missed", t0.Add(3*h)), ans("dan", "p4", "postgres", 0, t0.Add(4*h))},
			all(10), []string{"ben", "ann", "cy", "dan"}},
		{"a score that changes moves, listed once",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 20, t0.Add(h)), ans("ann", "p3", "postgres", 15, t0.Add(2*h)),
				ans("cy", "p4", "postgres", 30, t0.Add(3*h)), ans("ben", "p5", "postgres", 0, t0.Add(4*h))},
			all(10), []string{"cy", "ann", "ben"}},
		{"limit: the best ones",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 20, t0), ans("cy", "p3", "postgres", 30, t0),
				ans("dan", "p4", "postgres", 40, t0), ans("eve", "p5", "postgres", 50, t0)},
			all(3), []string{"eve", "dan", "cy"}},
		{"limit: more than there are",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 20, t0)},
			all(100), []string{"ben", "ann"}},
		{"limit: 1",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 20, t0)},
			all(1), []string{"ben"}},
		{"limit: 0 is none",
			[]ev{ans("ann", "p1", "postgres", 10, t0)},
			all(0), nil},
		{"limit cuts a tie in the same order",
			[]ev{ans("ann", "p1", "postgres", 10, t0.Add(2*h)), ans("ben", "p2", "postgres", 10, t0.Add(h)), ans("cy", "p3", "postgres", 10, t0.Add(3*h))},
			all(2), []string{"ben", "ann"}},
		{"category: its points only",
			[]ev{ans("ann", "p1", "redis", 20, t0), ans("ann", "p2", "postgres", 10, t0.Add(h)), ans("ben", "p3", "postgres", 15, t0.Add(2*h))},
			query{"g", bot.PeriodAll, "postgres", 10}, []string{"ben", "ann"}},
		{"category: members without it are not listed",
			[]ev{ans("ann", "p1", "redis", 20, t0), ans("ann", "p2", "postgres", 10, t0.Add(h)), ans("ben", "p3", "postgres", 15, t0.Add(2*h))},
			query{"g", bot.PeriodAll, "redis", 10}, []string{"ann"}},
		{"category: all categories",
			[]ev{ans("ann", "p1", "redis", 20, t0), ans("ann", "p2", "postgres", 10, t0.Add(h)), ans("ben", "p3", "postgres", 15, t0.Add(2*h))},
			all(10), []string{"ann", "ben"}},
		{"category: one nobody answered",
			[]ev{ans("ann", "p1", "redis", 20, t0)},
			query{"g", bot.PeriodAll, "kafka", 10}, nil},
		{"period: a month",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 30, dec), ans("ben", "p3", "postgres", 20, t0.Add(h))},
			query{"g", "m2026-11", "", 10}, []string{"ben", "ann"}},
		{"period: the next month",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 30, dec), ans("ben", "p3", "postgres", 20, t0.Add(h))},
			query{"g", "m2026-12", "", 10}, []string{"ann"}},
		{"period: a week and a category",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 30, dec), ans("ben", "p3", "redis", 20, dec.Add(h)), ans("cy", "p4", "postgres", 5, dec.Add(2*h))},
			query{"g", "w2026-W49", "postgres", 10}, []string{"ann", "cy"}},
		{"period: all time",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 30, dec), ans("ben", "p3", "postgres", 20, t0.Add(h))},
			all(10), []string{"ann", "ben"}},
		{"period: one without answers",
			[]ev{ans("ann", "p1", "postgres", 10, t0)},
			query{"g", "m2027-01", "", 10}, nil},
		{"groups apart",
			[]ev{ans("ann", "p1", "postgres", 10, t0).in("discord:1"), ans("ben", "p2", "postgres", 20, t0).in("discord:10"), ans("cy", "p3", "postgres", 30, t0).in("discord:")},
			query{"discord:1", bot.PeriodAll, "", 10}, []string{"ann"}},
	}
	t.Run("while answers are recorded, each read is in order and lists a member once", func(t *testing.T) {
		testLeaderboardWhileRecording(t, open)
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, store(t, open))
			f.record(c.events...)
			got, err := f.s.Leaderboard(t.Context(), c.q.group, c.q.period, c.q.cat, c.q.limit)
			if err != nil {
				t.Fatalf("Leaderboard%+v: %v", c.q, err)
			}
			board := f.m.board(c.q.group, c.q.period, c.q.cat)
			want := board[:min(len(board), c.q.limit)]
			if !slices.Equal(users(got), c.want) || !slices.Equal(users(want), c.want) {
				t.Fatalf("Leaderboard%+v:%s\nwant %v", c.q, showScores(got), c.want)
			}
			if !equalScores(got, want) {
				t.Errorf("Leaderboard%+v:%s\nwant%s", c.q, showScores(got), showScores(want))
			}
		})
	}
}

// testLeaderboardWhileRecording reads leaderboards while answers are
// recorded: each read is one consistent moment, in order, every member
// listed once and none lost (a score moves in the order in the commit that
// changes it).
func testLeaderboardWhileRecording(t *testing.T, open Opener) {
	f := newFixture(t, store(t, open))
	const members, posts = 6, 5
	var answers []*bot.Answer
	for p := range posts {
		for u := range members {
			// points that reorder the board as answers arrive
			answers = append(answers, f.answer(ans(fmt.Sprint("u", u), fmt.Sprint("p", p), "postgres", 5+(u*7+p*3)%11, t0.Add(time.Duration(p)*time.Hour))))
		}
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	reads := 0
	wg.Go(func() {
		listed := map[string]bool{} // by an earlier read: a member never leaves the board
		for !done.Load() || reads == 0 {
			reads++
			top, err := f.s.Leaderboard(t.Context(), "g", bot.PeriodAll, "", members+5)
			if err != nil {
				t.Errorf("Leaderboard while recording: %v", err)
				return
			}
			seen := map[string]bool{}
			for u := range listed {
				if !slices.Contains(users(top), u) {
					t.Errorf("Leaderboard while recording lost %s, listed by an earlier read:%s", u, showScores(top))
					return
				}
			}
			for i, s := range top {
				listed[s.User] = true
				if seen[s.User] {
					t.Errorf("Leaderboard while recording lists %s twice:%s", s.User, showScores(top))
					return
				}
				seen[s.User] = true
				if i > 0 && compareScores(top[i-1], s) > 0 {
					t.Errorf("Leaderboard while recording is out of order at %d:%s", i, showScores(top))
					return
				}
			}
		}
	})
	for p := range posts { // each member's answers in order, the members at once
		_, errs := recordAtOnce(t, f.s, answers[p*members:(p+1)*members])
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Record: %v", err)
			}
			f.m.record(*answers[p*members+i])
		}
	}
	done.Store(true)
	wg.Wait()
	f.checkAll()
}
