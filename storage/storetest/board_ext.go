package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// The consistency board (DaysBoard), a member's place on a board (Rank),
// and the days studied that Record keeps in each score (Score.Days), also
// for a season's period.

// season is the period key of a season in the scenarios below.
const season = "sq1-prep"

// recordSeason records events as record does, each also counting toward
// the season's period, as the bot adds it while a season runs.
func (f *fixture) recordSeason(evs ...ev) {
	f.t.Helper()
	for _, e := range evs {
		a := f.answer(e)
		a.Periods = append(a.Periods, season)
		got, err := f.s.Record(f.t.Context(), a)
		if err != nil {
			f.t.Fatalf("Record(%s of %s to post %s in the season): %v", a.Kind, a.User, e.post, err)
		}
		f.checkSeq(a, e.post)
		want, dup := f.m.record(*a)
		if dup {
			f.t.Fatalf("the scenario repeats %s of %s to post %s", a.Kind, a.User, e.post)
		}
		if !equalMember(got, want) {
			f.t.Errorf("Record(%s of %s to post %s) returned the member\n got %+v\nwant %+v", a.Kind, a.User, e.post, got, want)
		}
	}
}

// compareDays is DaysBoard's order, as bot.BoardStore and bot.ByDays say:
// most days, then most points, then who got there first, then user id.
func compareDays(a, b bot.Score) int {
	return cmp.Or(cmp.Compare(b.Days, a.Days), cmp.Compare(b.Points, a.Points), a.ReachedAt.Compare(b.ReachedAt), strings.Compare(a.User, b.User))
}

// daysBoard is a whole days board of the model.
func (m *model) daysBoard(group, period, cat string) []bot.Score {
	out := slices.Collect(maps.Values(m.scores[boardKey{group, period, cat}]))
	slices.SortFunc(out, compareDays)
	return out
}

// boardBy is a whole board of the model in an order.
func (m *model) boardBy(by bot.Order, group, period, cat string) []bot.Score {
	if by == bot.ByDays {
		return m.daysBoard(group, period, cat)
	}
	return m.board(group, period, cat)
}

var orderNames = map[bot.Order]string{bot.ByPoints: "ByPoints", bot.ByDays: "ByDays"}

// checkRanks checks every member's Rank on a board, in both orders, and
// that a member without a score there has none.
func (f *fixture) checkRanks(group, period, cat string) {
	f.t.Helper()
	for _, by := range []bot.Order{bot.ByPoints, bot.ByDays} {
		board := f.m.boardBy(by, group, period, cat)
		for i, want := range board {
			rank, got, err := f.s.Rank(f.t.Context(), group, period, cat, want.User, by)
			if err != nil {
				f.t.Fatalf("Rank(%q, %q, %q, %q, %s): %v", group, period, cat, want.User, orderNames[by], err)
			}
			if rank != i+1 || !equalScore(got, want) {
				f.t.Errorf("Rank(%q, %q, %q, %q, %s) = %d,%s\nwant %d,%s\non the board%s", group, period, cat, want.User, orderNames[by],
					rank, showScores([]bot.Score{got}), i+1, showScores([]bot.Score{want}), showScores(board))
			}
		}
		f.checkNoRank(group, period, cat, "nobody", by)
	}
}

// checkNoRank checks that a member has no place on a board.
func (f *fixture) checkNoRank(group, period, cat, user string, by bot.Order) {
	f.t.Helper()
	rank, got, err := f.s.Rank(f.t.Context(), group, period, cat, user, by)
	if err != nil || rank != 0 || !equalScore(got, bot.Score{}) {
		f.t.Errorf("Rank(%q, %q, %q, %q, %s) = %d,%s, %v; want 0 and a zero score: no score there", group, period, cat, user, orderNames[by],
			rank, showScores([]bot.Score{got}), err)
	}
}

// checkDaysBoard compares a whole days board with the model's.
func (f *fixture) checkDaysBoard(group, period, cat string) {
	f.t.Helper()
	want := f.m.daysBoard(group, period, cat)
	got, err := f.s.DaysBoard(f.t.Context(), group, period, cat, len(want)+10)
	if err != nil {
		f.t.Fatalf("DaysBoard(%q, %q, %q): %v", group, period, cat, err)
	}
	if !equalScores(got, want) {
		f.t.Errorf("DaysBoard(%q, %q, %q)\n got %s\nwant %s", group, period, cat, showScores(got), showScores(want))
	}
}

func testDaysBoardAndRank(t *testing.T, open Opener) {
	h, d := time.Hour, 24*time.Hour
	dec := t0.AddDate(0, 0, 8) // Tuesday 1 December, week 49
	type query struct {
		group, period, cat string
		limit              int
	}
	all := func(limit int) query { return query{"g", bot.PeriodAll, "", limit} }
	cases := []struct {
		name     string
		events   []ev // before the season
		inSeason []ev // while it runs
		q        query
		want     []string       // users, most days first
		days     map[string]int // of some of them, on the board queried
	}{
		{"none", nil, nil, all(10), nil, nil},
		{"most days first, though fewer points",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 0, t0.Add(d)), ans("ann", "p3", "postgres", 0, t0.Add(2*d)),
				ans("ben", "p4", "postgres", 20, t0), ans("ben", "p5", "postgres", 20, t0.Add(h))},
			nil, all(10), []string{"ann", "ben"}, map[string]int{"ann": 3, "ben": 1}},
		{"a day counts once, and a self-rating is a day of study",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 10, t0.Add(h)), ans("ann", "p3", "postgres", 10, t0.Add(2*h)),
				rate("ann", "p1", "postgres", "nailed", t0.Add(3*h)),
				ans("ben", "p4", "postgres", 0, t0), rate("ben", "p4", "postgres", "missed", t0.Add(d))},
			nil, all(10), []string{"ben", "ann"}, map[string]int{"ann": 1, "ben": 2}},
		{"local days, not UTC days",
			[]ev{ans("ann", "p1", "postgres", 10, t0).onDay(day(0)), ans("ann", "p2", "postgres", 10, t0.Add(20*h)).onDay(day(0)),
				ans("ben", "p3", "postgres", 10, t0.Add(h)).onDay(day(0)), ans("ben", "p4", "postgres", 10, t0.Add(2*h)).onDay(day(1))},
			nil, all(10), []string{"ben", "ann"}, map[string]int{"ann": 1, "ben": 2}},
		{"a late answer of an earlier day adds no day",
			[]ev{ans("ann", "p1", "postgres", 10, t0.Add(d)), ans("ann", "p2", "postgres", 10, t0),
				ans("ben", "p3", "postgres", 10, t0), ans("ben", "p4", "postgres", 10, t0.Add(d))},
			nil, all(10), []string{"ben", "ann"}, map[string]int{"ann": 1, "ben": 2}},
		{"equal days: most points first",
			[]ev{ans("ann", "p1", "postgres", 5, t0), ans("ann", "p2", "postgres", 5, t0.Add(d)),
				ans("ben", "p3", "postgres", 15, t0.Add(h)), ans("ben", "p4", "postgres", 15, t0.Add(d+h))},
			nil, all(10), []string{"ben", "ann"}, map[string]int{"ann": 2, "ben": 2}},
		// unlike the points board, accuracy does not count
		{"equal days and points: who got there first, whatever the accuracy",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 0, t0.Add(d)),
				ans("ben", "p3", "postgres", 5, t0.Add(h)), ans("ben", "p4", "postgres", 5, t0.Add(d+h))},
			nil, all(10), []string{"ann", "ben"}, map[string]int{"ann": 2, "ben": 2}},
		{"a full tie: by user id",
			[]ev{ans("ben", "p1", "postgres", 10, t0), ans("cy", "p2", "postgres", 10, t0), ans("ann", "p3", "postgres", 10, t0)},
			nil, all(10), []string{"ann", "ben", "cy"}, nil},
		{"category: the days with an answer in it",
			[]ev{ans("ann", "p1", "redis", 10, t0), ans("ann", "p2", "redis", 10, t0.Add(d)), ans("ann", "p3", "postgres", 10, t0.Add(2*d)),
				ans("ben", "p4", "postgres", 10, t0), ans("ben", "p5", "postgres", 10, t0.Add(d))},
			nil, query{"g", bot.PeriodAll, "postgres", 10}, []string{"ben", "ann"}, map[string]int{"ann": 1, "ben": 2}},
		{"category: all categories",
			[]ev{ans("ann", "p1", "redis", 10, t0), ans("ann", "p2", "redis", 10, t0.Add(d)), ans("ann", "p3", "postgres", 10, t0.Add(2*d)),
				ans("ben", "p4", "postgres", 10, t0), ans("ben", "p5", "postgres", 10, t0.Add(d))},
			nil, all(10), []string{"ann", "ben"}, map[string]int{"ann": 3, "ben": 2}},
		{"period: a week counts its own days",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 10, t0.Add(d)), ans("ann", "p3", "postgres", 10, dec),
				ans("ben", "p4", "postgres", 10, dec.Add(h)), ans("ben", "p5", "postgres", 10, dec.Add(d))},
			nil, query{"g", "w2026-W49", "", 10}, []string{"ben", "ann"}, map[string]int{"ann": 1, "ben": 2}},
		{"period: the week before",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 10, t0.Add(d)), ans("ann", "p3", "postgres", 10, dec),
				ans("ben", "p4", "postgres", 10, dec.Add(h)), ans("ben", "p5", "postgres", 10, dec.Add(d))},
			nil, query{"g", "w2026-W48", "", 10}, []string{"ann"}, map[string]int{"ann": 2}},
		{"period: a season counts from its start",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 10, t0.Add(d))},
			[]ev{ans("ann", "p3", "postgres", 10, t0.Add(2*d)), ans("ben", "p4", "postgres", 5, t0.Add(2*d+h)), ans("ben", "p5", "postgres", 5, t0.Add(3*d))},
			query{"g", season, "", 10}, []string{"ben", "ann"}, map[string]int{"ann": 1, "ben": 2}},
		{"period: all time, the season's answers too",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ann", "p2", "postgres", 10, t0.Add(d))},
			[]ev{ans("ann", "p3", "postgres", 10, t0.Add(2*d)), ans("ben", "p4", "postgres", 5, t0.Add(2*d+h)), ans("ben", "p5", "postgres", 5, t0.Add(3*d))},
			all(10), []string{"ann", "ben"}, map[string]int{"ann": 3, "ben": 2}},
		{"limit: the best ones",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 10, t0), ans("ben", "p3", "postgres", 10, t0.Add(d)),
				ans("cy", "p4", "postgres", 10, t0), ans("cy", "p5", "postgres", 10, t0.Add(d)), ans("cy", "p6", "postgres", 10, t0.Add(2*d))},
			nil, all(2), []string{"cy", "ben"}, nil},
		{"limit: members tied on days at the last place are ranked by points",
			[]ev{ans("dan", "p1", "postgres", 1, t0), ans("dan", "p2", "postgres", 1, t0.Add(d)), ans("dan", "p3", "postgres", 1, t0.Add(2*d)),
				ans("ann", "p4", "postgres", 5, t0), ans("ann", "p5", "postgres", 0, t0.Add(d)),
				ans("ben", "p6", "postgres", 15, t0), ans("ben", "p7", "postgres", 0, t0.Add(d)),
				ans("cy", "p8", "postgres", 10, t0), ans("cy", "p9", "postgres", 0, t0.Add(d))},
			nil, all(2), []string{"dan", "ben"}, map[string]int{"dan": 3, "ben": 2}},
		{"limit: 1",
			[]ev{ans("ann", "p1", "postgres", 10, t0), ans("ben", "p2", "postgres", 10, t0), ans("ben", "p3", "postgres", 10, t0.Add(d))},
			nil, all(1), []string{"ben"}, nil},
		{"limit: 0 is none",
			[]ev{ans("ann", "p1", "postgres", 10, t0)},
			nil, all(0), nil, nil},
		{"groups apart",
			[]ev{ans("ann", "p1", "postgres", 10, t0).in("discord:1"), ans("ben", "p2", "postgres", 10, t0).in("discord:10"),
				ans("ben", "p3", "postgres", 10, t0.Add(d)).in("discord:10")},
			nil, query{"discord:1", bot.PeriodAll, "", 10}, []string{"ann"}, map[string]int{"ann": 1}},
	}
	for _, c := range cases {
		t.Run("DaysBoard: "+c.name, func(t *testing.T) {
			f := newFixture(t, store(t, open))
			f.record(c.events...)
			f.recordSeason(c.inSeason...)
			got, err := f.s.DaysBoard(t.Context(), c.q.group, c.q.period, c.q.cat, c.q.limit)
			if err != nil {
				t.Fatalf("DaysBoard%+v: %v", c.q, err)
			}
			board := f.m.daysBoard(c.q.group, c.q.period, c.q.cat)
			want := board[:min(len(board), c.q.limit)]
			if !slices.Equal(users(got), c.want) || !slices.Equal(users(want), c.want) {
				t.Fatalf("DaysBoard%+v:%s\nwant %v", c.q, showScores(got), c.want)
			}
			if !equalScores(got, want) {
				t.Errorf("DaysBoard%+v:%s\nwant%s", c.q, showScores(got), showScores(want))
			}
			for _, s := range got {
				if n, ok := c.days[s.User]; ok && s.Days != n {
					t.Errorf("DaysBoard%+v: %s studied %d days, want %d", c.q, s.User, s.Days, n)
				}
			}
			f.checkRanks(c.q.group, c.q.period, c.q.cat)
		})
	}

	t.Run("Rank: places follow each board's order, ties included", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			// ann: most points; ben: as many, worse accuracy; cy and dan:
			// a full tie; eve: fewer points on more days
			ans("ann", "p1", "postgres", 20, t0), ans("ann", "p2", "postgres", 20, t0.Add(h)),
			ans("ben", "p3", "postgres", 40, t0), ans("ben", "p4", "postgres", 0, t0.Add(d)),
			ans("dan", "p5", "postgres", 10, t0.Add(2*h)), ans("cy", "p6", "postgres", 10, t0.Add(2*h)),
			ans("eve", "p7", "postgres", 5, t0), ans("eve", "p8", "postgres", 0, t0.Add(d)), rate("eve", "p8", "postgres", "partly", t0.Add(2*d)),
		)
		want := map[bot.Order][]string{
			bot.ByPoints: {"ann", "ben", "cy", "dan", "eve"},
			bot.ByDays:   {"eve", "ben", "ann", "cy", "dan"},
		}
		for by, order := range want {
			for i, u := range order {
				rank, s, err := f.s.Rank(t.Context(), "g", bot.PeriodAll, "", u, by)
				if err != nil || rank != i+1 || s.User != u {
					t.Errorf("Rank(%s, %s) = %d, %s, %v; want %d", u, orderNames[by], rank, s.User, err, i+1)
				}
			}
		}
		f.checkRanks("g", bot.PeriodAll, "")
		f.checkRanks("g", "w2026-W48", "postgres")
	})

	t.Run("Rank: no score, or one only elsewhere, is no place", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		for _, by := range []bot.Order{bot.ByPoints, bot.ByDays} {
			f.checkNoRank("g", bot.PeriodAll, "", "ann", by) // an empty store
		}
		f.record(ans("ann", "p1", "redis", 10, t0), ans("ben", "p2", "postgres", 10, t0).in("g2"), ans("cy", "p3", "postgres", 10, dec))
		f.recordSeason(ans("dan", "p4", "postgres", 10, dec))
		for _, by := range []bot.Order{bot.ByPoints, bot.ByDays} {
			f.checkNoRank("g", bot.PeriodAll, "postgres", "ann", by) // another category
			f.checkNoRank("g", bot.PeriodAll, "", "ben", by)         // another group
			f.checkNoRank("g", "w2026-W48", "", "cy", by)            // another week
			f.checkNoRank("g", season, "", "cy", by)                 // before the season
			f.checkNoRank("g", season, "", "ann", by)
		}
		if rank, s, err := f.s.Rank(t.Context(), "g", season, "", "dan", bot.ByDays); err != nil || rank != 1 || s.Days != 1 || s.Points != 10 {
			t.Errorf("Rank(dan in the season) = %d,%s, %v; want 1st with 1 day and 10 points", rank, showScores([]bot.Score{s}), err)
		}
	})

	t.Run("every board, in both orders, over weeks, categories and a season", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		cats := []string{"postgres", "redis", "kafka"}
		users := []string{"ann", "ben", "cy", "dan", "eve", "fay", "gus"}
		post := 0
		for day := range 12 { // 23 November to 4 December: weeks 48 and 49, two months
			for i, u := range users {
				if (day*3+i*5)%7 < 2 {
					continue // not every member studies every day
				}
				for n := range 1 + (day+i)%3 {
					post++
					at := t0.Add(time.Duration(day)*d + time.Duration(i*10+n)*time.Minute)
					e := ans(u, fmt.Sprint("p", post), cats[(day+i+n)%3], 5*((day*i+n)%4), at)
					if (day+n)%5 == 4 {
						e = rate(u, fmt.Sprint("p", post), cats[(i+n)%3], "partly", at)
					}
					if day >= 6 { // the season starts on day 6
						f.recordSeason(e)
					} else {
						f.record(e)
					}
				}
			}
		}
		f.checkAll()
		for b := range f.m.boards() {
			f.checkDaysBoard(b.group, b.period, b.cat)
			f.checkRanks(b.group, b.period, b.cat)
		}
		if got := f.m.scores[boardKey{"g", season, ""}]; len(got) == 0 {
			t.Fatal("the scenario has no season scores")
		}
	})
}
