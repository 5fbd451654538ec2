package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

func testRecord(t *testing.T, open Opener) {
	t.Run("sets Seq and returns the member as Member.Apply leaves it", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			ans("ann", "p1", "postgres", 10, t0),
			rate("ann", "p1", "postgres", "partly", t0.Add(time.Minute)),
			ans("ann", "p2", "redis", 0, t0.Add(24*time.Hour)).named("Ann B"), // the next day, wrong
			ans("ann", "p3", "postgres", 20, t0.Add(72*time.Hour)),            // a day missed: the streak starts over
			ans("ann", "p4", "redis", 15, t0.Add(48*time.Hour)),               // delivered late: the streak is not rewound
		)
		want := bot.Member{Group: "g", User: "ann", Name: "Ann", Points: 46, Tally: bot.Tally{Answered: 4, Correct: 3},
			Categories: map[string]bot.Tally{"postgres": {Answered: 2, Correct: 2}, "redis": {Answered: 2, Correct: 1}},
			Ratings:    map[string]int{"partly": 1}, Streak: 1, Longest: 2, LastDay: day(3), Zone: "UTC"}
		if got := f.m.members[memberKey{"g", "ann"}]; !equalMember(got, want) {
			t.Fatalf("the suite's model is wrong: %+v, want %+v", got, want)
		}
		f.checkAll()
	})

	t.Run("a repeat of one kind, post and user is ErrAlreadyAnswered and changes nothing", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			ans("ann", "p1", "postgres", 10, t0),
			rate("ann", "p1", "postgres", "nailed", t0.Add(time.Minute)),
			ans("ben", "p1", "postgres", 0, t0.Add(2*time.Minute)),
		)
		repeats := []struct {
			name string
			e    ev
		}{
			{"the same answer again", ans("ann", "p1", "postgres", 10, t0)},
			{"the same answer a day later, with other points", ans("ann", "p1", "postgres", 20, t0.Add(25*time.Hour))},
			{"the answer again, now wrong", ans("ann", "p1", "postgres", 0, t0.Add(time.Hour))},
			{"the rating again, with another grade", rate("ann", "p1", "postgres", "missed", t0.Add(time.Hour))},
			{"another member's wrong answer, now right", ans("ben", "p1", "postgres", 10, t0.Add(3*time.Minute))},
		}
		for _, r := range repeats {
			a := f.answer(r.e)
			if _, err := f.s.Record(t.Context(), a); !errors.Is(err, bot.ErrAlreadyAnswered) {
				t.Errorf("%s: Record = %v, want ErrAlreadyAnswered", r.name, err)
			}
		}
		f.checkAll()
		// but another kind, post or user is new
		f.record(
			rate("ben", "p1", "postgres", "missed", t0.Add(4*time.Minute)),
			ans("ann", "p2", "postgres", 15, t0.Add(5*time.Minute)),
			ans("cy", "p1", "postgres", 10, t0.Add(6*time.Minute)),
		)
		f.checkAll()
	})

	t.Run("an answer and a rating of one post both count", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(ans("ann", "p1", "postgres", 15, t0), rate("ann", "p1", "postgres", "nailed", t0.Add(time.Minute)))
		m, err := f.s.Member(t.Context(), "g", "ann")
		if err != nil || m.Points != 16 || m.Tally != (bot.Tally{Answered: 1, Correct: 1}) || !reflect.DeepEqual(m.Ratings, map[string]int{"nailed": 1}) {
			t.Errorf("Member after an answer (15 points) and a rating (1) of one post = %+v, %v; want 16 points, 1 answer, 1 rating", m, err)
		}
		top, err := f.s.Leaderboard(t.Context(), "g", bot.PeriodAll, "", 10)
		if err != nil || len(top) != 1 || top[0].Points != 16 || top[0].Answered != 1 {
			t.Errorf("Leaderboard after an answer and a rating of one post:%s (%v); want ann with 16 points, 1 answer", showScores(top), err)
		}
		f.checkAll()
	})

	t.Run("scores per period and category", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			ans("ann", "p1", "postgres", 10, t0),                        // November, week 48
			ans("ann", "p2", "redis", 20, t0.AddDate(0, 0, 8)),          // 1 December, week 49
			rate("ann", "p3", "kafka", "nailed", t0.Add(time.Hour)),     // November, week 48
			ans("ben", "p4", "redis", 15, t0.AddDate(0, 0, 8)).in("g2"), // another group
		)
		type want struct {
			points   int
			answered int
		}
		cases := []struct {
			period, cat string
			want        *want // nil: no score
		}{
			{bot.PeriodAll, "", &want{31, 2}},
			{bot.PeriodAll, "postgres", &want{10, 1}},
			{bot.PeriodAll, "redis", &want{20, 1}},
			{bot.PeriodAll, "kafka", &want{1, 0}},
			{bot.PeriodAll, "linux", nil},
			{"m2026-11", "", &want{11, 1}},
			{"m2026-11", "postgres", &want{10, 1}},
			{"m2026-11", "redis", nil},
			{"m2026-12", "", &want{20, 1}},
			{"m2026-12", "redis", &want{20, 1}},
			{"m2026-12", "postgres", nil},
			{"w2026-W48", "", &want{11, 1}},
			{"w2026-W48", "kafka", &want{1, 0}},
			{"w2026-W49", "redis", &want{20, 1}},
			{"w2026-W49", "kafka", nil},
			{"m2027-01", "", nil},
		}
		for _, c := range cases {
			top, err := f.s.Leaderboard(t.Context(), "g", c.period, c.cat, 10)
			if err != nil {
				t.Fatalf("Leaderboard(g, %q, %q): %v", c.period, c.cat, err)
			}
			switch {
			case c.want == nil && len(top) != 0:
				t.Errorf("Leaderboard(g, %q, %q):%s; want none", c.period, c.cat, showScores(top))
			case c.want != nil && (len(top) != 1 || top[0].User != "ann" || top[0].Points != c.want.points || top[0].Answered != c.want.answered):
				t.Errorf("Leaderboard(g, %q, %q):%s; want ann with %d points from %d answers", c.period, c.cat, showScores(top), c.want.points, c.want.answered)
			}
		}
		f.checkAll()
	})

	t.Run("an answer without a category counts once overall", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(ans("cy", "p1", "", 10, t0), ans("cy", "p2", "postgres", 15, t0.Add(time.Minute)))
		f.checkAll()
	})
	t.Run("concurrent copies of one answer are recorded once", func(t *testing.T) {
		for _, e := range []ev{ans("ann", "p1", "postgres", 10, t0), rate("ann", "p1", "postgres", "partly", t0)} {
			t.Run(string(e.kind), func(t *testing.T) {
				f := newFixture(t, store(t, open))
				const n = 32
				answers := make([]*bot.Answer, n)
				for i := range answers {
					answers[i] = f.answer(e)
				}
				members, errs := recordAtOnce(t, f.s, answers)
				recorded := 0
				for i, err := range errs {
					switch {
					case err == nil:
						recorded++
						f.checkSeq(answers[i], e.post)
						want, _ := f.m.record(*answers[i])
						if !equalMember(members[i], want) {
							t.Errorf("the copy recorded returned the member\n got %+v\nwant %+v", members[i], want)
						}
					case !errors.Is(err, bot.ErrAlreadyAnswered):
						t.Errorf("copy %d: Record = %v, want nil or ErrAlreadyAnswered", i, err)
					}
				}
				if recorded != 1 {
					t.Fatalf("%d concurrent copies of one %s: %d recorded, want exactly 1 (the others ErrAlreadyAnswered)", n, e.kind, recorded)
				}
				f.checkAll()
			})
		}
	})

	t.Run("concurrent different answers are all recorded", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		const members, posts = 8, 6
		var answers []*bot.Answer
		for p := range posts {
			cat := []string{"postgres", "redis"}[p%2]
			for u := range members {
				user, post := fmt.Sprint("u", u), fmt.Sprint("p", p)
				answers = append(answers, f.answer(ans(user, post, cat, 10, t0)), f.answer(rate(user, post, cat, "nailed", t0)))
			}
		}
		_, errs := recordAtOnce(t, f.s, answers)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Record(%s of %s to post %d): %v", answers[i].Kind, answers[i].User, answers[i].PostID, err)
			}
			f.checkSeq(answers[i], fmt.Sprint(answers[i].PostID))
			f.m.record(*answers[i])
		}
		top, err := f.s.Leaderboard(t.Context(), "g", bot.PeriodAll, "", members+1)
		if err != nil || len(top) != members {
			t.Fatalf("Leaderboard after %d members answered: %d scores (%v)", members, len(top), err)
		}
		for _, sc := range top {
			if sc.Points != posts*11 || sc.Answered != posts {
				t.Errorf("score %+v: want %d points from %d answers and %d ratings", sc, posts*11, posts, posts)
			}
		}
		f.checkAll()
	})
}

// recordAtOnce records answers, each from a goroutine of its own, released
// together.
func recordAtOnce(t *testing.T, s bot.Store, answers []*bot.Answer) ([]bot.Member, []error) {
	members, errs := make([]bot.Member, len(answers)), make([]error, len(answers))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, a := range answers {
		wg.Go(func() {
			<-start
			members[i], errs[i] = s.Record(t.Context(), a)
		})
	}
	close(start)
	wg.Wait()
	return members, errs
}

func testReviews(t *testing.T, open Opener) {
	t.Run("none", func(t *testing.T) {
		s := store(t, open)
		if rs, err := s.Reviews(t.Context(), "g", "ann"); err != nil || len(rs) != 0 {
			t.Errorf("Reviews in an empty store = %+v, %v; want none", rs, err)
		}
	})
	t.Run("one per card, as Review.Apply leaves it, per member", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			ans("ann", "p1", "postgres", 10, t0).onCard("postgres-mvcc"),
			rate("ann", "p1", "postgres", "partly", t0.Add(time.Minute)).onCard("postgres-mvcc"), // the same day: replaces the grade
			ans("ann", "p2", "redis", 0, t0.Add(2*time.Minute)).onCard("redis-persistence"),
			ans("ann", "p3", "postgres", 10, t0.Add(24*time.Hour)).onCard("postgres-mvcc"), // the same card, the next day
			ans("ben", "p1", "postgres", 10, t0).onCard("postgres-mvcc"),
			ans("ann", "q1", "kafka", 10, t0).onCard("kafka-offsets").in("g2"),
		)
		rs, err := f.s.Reviews(t.Context(), "g", "ann")
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(rs, func(a, b bot.Review) int { return compareStrings(a.Card, b.Card) })
		if len(rs) != 2 || rs[0].Card != "postgres-mvcc" || rs[0].First != day(0) || rs[0].Last != day(1) || rs[0].Reps != 2 ||
			rs[1].Card != "redis-persistence" || rs[1].Category != "redis" || rs[1].Due != day(1) {
			t.Errorf("Reviews(g, ann):%s\nwant postgres-mvcc (first %s, last %s, 2 reps) and redis-persistence (due %s)", showReviews(rs), day(0), day(1), day(1))
		}
		f.checkAll()
	})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testMember(t *testing.T, open Opener) {
	t.Run("unknown is the zero Member", func(t *testing.T) {
		s := store(t, open)
		check := func(when, group, user string) {
			t.Helper()
			if m, err := s.Member(t.Context(), group, user); err != nil || !equalMember(m, bot.Member{}) {
				t.Errorf("%s: Member(%q, %q) = %+v, %v; want the zero Member", when, group, user, m, err)
			}
		}
		check("in an empty store", "g", "ann")
		f := newFixture(t, s)
		f.record(ans("ann", "p1", "postgres", 10, t0).in("discord:1"))
		check("after another member answered", "discord:1", "ben")
		check("after ann answered in another group", "discord:10", "ann")
		check("after ann answered in another group", "discord:", "ann")
		check("after ann answered", "discord:1", "an")
	})
	t.Run("reads back as recorded, per group and user", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			ans("ann", "p1", "postgres", 10, t0).in("discord:1"),
			ans("anna", "p2", "redis", 20, t0).in("discord:1"),
			ans("ann", "p3", "redis", 0, t0).in("discord:10"),
			rate("ann", "p4", "linux", "missed", t0).in("discord:100"),
		)
		f.checkAll()
	})
}

func testActivity(t *testing.T, open Opener) {
	t.Run("none", func(t *testing.T) {
		s := store(t, open)
		if act, err := s.Activity(t.Context(), "g", "ann"); err != nil || len(act) != 0 {
			t.Errorf("Activity in an empty store = %v, %v; want none", act, err)
		}
	})
	t.Run("answers and self-ratings per local day", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			ans("ann", "p1", "postgres", 10, t0),
			rate("ann", "p1", "postgres", "nailed", t0.Add(time.Minute)),
			ans("ann", "p2", "redis", 0, t0.Add(2*time.Minute)),
			// 23:00 UTC, but the next day where the group is: the answer's Day counts
			ans("ann", "p3", "postgres", 10, t0.Add(14*time.Hour)).onDay(day(1)),
			ans("ann", "p4", "postgres", 10, t0.Add(24*time.Hour)),
			ans("ben", "p1", "postgres", 10, t0),
			ans("ann", "q1", "postgres", 10, t0).in("g2"),
		)
		if _, err := f.s.Record(t.Context(), f.answer(ans("ann", "p1", "postgres", 10, t0))); !errors.Is(err, bot.ErrAlreadyAnswered) {
			t.Fatalf("a repeat: %v", err)
		}
		want := map[string]int{day(0): 3, day(1): 2}
		if act, err := f.s.Activity(t.Context(), "g", "ann"); err != nil || !equalCounts(act, want) {
			t.Errorf("Activity(g, ann) = %v, %v; want %v", act, err, want)
		}
		f.checkAll()
	})
}

func testMembers(t *testing.T, open Opener) {
	t.Run("none", func(t *testing.T) {
		s := store(t, open)
		if ms, err := s.Members(t.Context(), "g"); err != nil || len(ms) != 0 {
			t.Errorf("Members in an empty store = %+v, %v; want none", ms, err)
		}
	})
	t.Run("every member of one group and only them", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		f.record(
			ans("ann", "p1", "postgres", 10, t0).in("discord:1"),
			rate("anna", "p1", "postgres", "partly", t0).in("discord:1"), // only a rating: a member all the same
			ans("ben", "p1", "postgres", 0, t0).in("discord:1"),
			ans("ann", "p2", "postgres", 10, t0).in("discord:10"),
			ans("cy", "p3", "redis", 10, t0).in("discord:"),
		)
		for group, want := range map[string][]string{"discord:1": {"ann", "anna", "ben"}, "discord:10": {"ann"}, "discord:": {"cy"}, "discord": nil, "discord:2": nil} {
			ms, err := f.s.Members(t.Context(), group)
			var got []string
			for _, m := range sortedMembers(ms) {
				got = append(got, m.User)
			}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Members(%q) = %v, %v; want %v", group, got, err, want)
			}
		}
		f.checkAll()
	})
}

func testPeriodTallies(t *testing.T, open Opener) {
	t.Run("none", func(t *testing.T) {
		s := store(t, open)
		if ts, err := s.PeriodTallies(t.Context(), "g", bot.PeriodAll); err != nil || len(ts) != 0 {
			t.Errorf("PeriodTallies in an empty store = %v, %v; want none", ts, err)
		}
	})
	t.Run("a group's answers in a period by category", func(t *testing.T) {
		f := newFixture(t, store(t, open))
		dec := t0.AddDate(0, 0, 8)
		f.record(
			ans("ann", "p1", "postgres", 10, t0),
			ans("ann", "p2", "postgres", 0, t0.Add(time.Hour)),
			ans("ann", "p3", "redis", 20, dec),
			ans("ben", "p1", "postgres", 10, t0),
			rate("ben", "p1", "postgres", "nailed", t0),  // ratings are not answers
			rate("ben", "p4", "postgres", "missed", t0),  // nor this one, on a post ben did not answer
			ans("cy", "q1", "postgres", 10, t0).in("g2"), // another group
		)
		cases := []struct {
			group, period string
			want          map[string]bot.Tally
		}{
			{"g", "m2026-11", map[string]bot.Tally{"postgres": {Answered: 3, Correct: 2}}},
			{"g", "w2026-W48", map[string]bot.Tally{"postgres": {Answered: 3, Correct: 2}}},
			{"g", "m2026-12", map[string]bot.Tally{"redis": {Answered: 1, Correct: 1}}},
			{"g", bot.PeriodAll, map[string]bot.Tally{"postgres": {Answered: 3, Correct: 2}, "redis": {Answered: 1, Correct: 1}}},
			{"g2", "m2026-11", map[string]bot.Tally{"postgres": {Answered: 1, Correct: 1}}},
			{"g", "m2027-01", nil},
			{"g3", bot.PeriodAll, nil},
		}
		for _, c := range cases {
			if got, err := f.s.PeriodTallies(t.Context(), c.group, c.period); err != nil || !equalCounts(got, c.want) {
				t.Errorf("PeriodTallies(%q, %q) = %v, %v; want %v", c.group, c.period, got, err, c.want)
			}
		}
		f.checkAll()
	})
}
