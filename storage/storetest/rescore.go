package storetest

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// testRescore holds a backend to the rules of bot.KindRescore, an admin's
// decision on a disputed typed answer, recorded like any answer: accepted,
// it adds its points and one correct answer to the member and to the
// scores of the periods the answer counted toward, and nothing else (no
// answer, no day studied, no review, no activity); it is recorded once per
// post and member, also when several record it at once; and Answer reads
// back what Record stored.
func testRescore(t *testing.T, open Opener) {
	periods := []string{"all", "m2026-11", "w2026-W48"}
	wrongAt := t0
	// ann's typed answer, rejected; and a right one the next day
	wrong := bot.Answer{Kind: bot.KindAnswer, Group: "g", Channel: "c", User: "ann", UserName: "Ann", PostID: 7,
		CardID: "dns-ttl", Category: "net", Option: -1, Text: "cache *time* <@1> & more", At: wrongAt,
		Day: day(0), Periods: periods, Zone: "UTC"}
	right := bot.Answer{Kind: bot.KindAnswer, Group: "g", Channel: "c", User: "ann", UserName: "Ann", PostID: 8,
		CardID: "tcp", Category: "net", Option: 1, Correct: true, Points: 10, At: t0.Add(24 * time.Hour),
		Day: day(1), Periods: periods, Zone: "UTC"}
	rescore := func(post uint64, points int) *bot.Answer {
		rs := wrong
		rs.Kind, rs.PostID, rs.Correct, rs.Points, rs.UserName = bot.KindRescore, post, true, points, ""
		return &rs
	}

	t.Run("accepted", func(t *testing.T) {
		ctx := t.Context()
		s := store(t, open)
		for _, a := range []bot.Answer{wrong, right} {
			if _, err := s.Record(ctx, &a); err != nil {
				t.Fatal(err)
			}
		}
		rd := reader{t, s}
		before, reviews, activity := rd.member("ann"), rd.reviews("ann"), rd.activity("ann")
		boards := map[[2]string]bot.Score{}
		for _, p := range periods {
			for _, cat := range []string{"", "net"} {
				_, sc, err := s.Rank(ctx, "g", p, cat, "ann", bot.ByPoints)
				if err != nil {
					t.Fatal(err)
				}
				boards[[2]string{p, cat}] = sc
			}
		}

		rs := rescore(7, 15)
		m, err := s.Record(ctx, rs)
		if err != nil {
			t.Fatalf("Record(rescore) = %v", err)
		}
		if rs.Seq == 0 {
			t.Error("Record did not set the re-score's Seq")
		}
		want := before
		want.Points += 15
		want.Correct++
		want.Categories = map[string]bot.Tally{"net": {Answered: 2, Correct: 2}}
		for name, got := range map[string]bot.Member{"returned": m, "stored": rd.member("ann")} {
			if got.Points != want.Points || got.Tally != want.Tally || !reflect.DeepEqual(got.Categories, want.Categories) ||
				got.Streak != before.Streak || got.LastDay != before.LastDay || got.Name != "Ann" {
				t.Errorf("%s member after the re-score: %+v; want %+v", name, got, want)
			}
		}
		if got := rd.reviews("ann"); !reflect.DeepEqual(got, reviews) {
			t.Errorf("a re-score changed the reviews: %+v, were %+v", got, reviews)
		}
		if got := rd.activity("ann"); !equalCounts(got, activity) {
			t.Errorf("a re-score counted as activity: %v, was %v", got, activity)
		}
		for k, was := range boards {
			_, got, err := s.Rank(ctx, "g", k[0], k[1], "ann", bot.ByPoints)
			if err != nil {
				t.Fatal(err)
			}
			if got.Points != was.Points+15 || got.Correct != was.Correct+1 || got.Answered != was.Answered || got.Days != was.Days ||
				!got.ReachedAt.Equal(was.ReachedAt) {
				t.Errorf("score %v after the re-score: %+v; want %+v with 15 points and one correct more, the same days and the same time it reached its points", k, got, was)
			}
		}
		if board, err := s.Leaderboard(ctx, "g", "w2026-W49", "", 10); err != nil || len(board) != 0 {
			t.Errorf("a re-score reached a period the answer was not in: %+v, %v", board, err)
		}

		// once per post and member
		if _, err := s.Record(ctx, rescore(7, 15)); !errors.Is(err, bot.ErrAlreadyAnswered) {
			t.Errorf("a second re-score of the answer: %v, want ErrAlreadyAnswered", err)
		}
		if got := rd.member("ann"); got.Points != want.Points {
			t.Errorf("a second re-score changed the member: %d points, want %d", got.Points, want.Points)
		}

		// Answer reads back what Record stored, by kind, post and member
		got, err := s.Answer(ctx, "g", "ann", bot.KindRescore, 7)
		if err != nil || got.Seq != rs.Seq || got.Points != 15 || !got.Correct || got.Text != wrong.Text || !reflect.DeepEqual(got.Periods, periods) {
			t.Errorf("Answer(rescore, 7) = %+v, %v; want the re-score recorded, Seq %d", got, err, rs.Seq)
		}
		if got, err := s.Answer(ctx, "g", "ann", bot.KindAnswer, 7); err != nil || got.Text != wrong.Text || got.Correct || got.Option != -1 || !got.At.Equal(wrongAt) {
			t.Errorf("Answer(answer, 7) = %+v, %v; want the typed answer", got, err)
		}
		for _, miss := range []struct {
			group, user string
			kind        bot.EventKind
			post        uint64
		}{{"g", "ann", bot.KindRescore, 8}, {"g", "ben", bot.KindAnswer, 7}, {"g2", "ann", bot.KindAnswer, 7}, {"g", "ann", bot.KindRating, 7}} {
			if a, err := s.Answer(ctx, miss.group, miss.user, miss.kind, miss.post); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("Answer(%v) = %+v, %v; want ErrNotFound", miss, a, err)
			}
		}
	})

	t.Run("rejected", func(t *testing.T) {
		// a rejection is a re-score without points, periods or a right
		// answer: it changes nothing but keeps the answer from a second
		// decision
		ctx := t.Context()
		s := store(t, open)
		w := wrong // a copy: Record sets its Seq
		if _, err := s.Record(ctx, &w); err != nil {
			t.Fatal(err)
		}
		rd := reader{t, s}
		before := rd.member("ann")
		mark := &bot.Answer{Kind: bot.KindRescore, Group: "g", Channel: "c", User: "ann", PostID: 7, CardID: wrong.CardID,
			Category: "net", Option: -1, Text: wrong.Text, At: t0.Add(48 * time.Hour)}
		if _, err := s.Record(ctx, mark); err != nil {
			t.Fatal(err)
		}
		if got := rd.member("ann"); got.Points != before.Points || got.Tally != before.Tally || got.Streak != before.Streak {
			t.Errorf("a rejection changed the member: %+v, was %+v", got, before)
		}
		if _, sc, err := s.Rank(ctx, "g", "all", "", "ann", bot.ByPoints); err != nil || sc.Points != 0 || sc.Correct != 0 || sc.Answered != 1 {
			t.Errorf("a rejection changed the score: %+v, %v", sc, err)
		}
		if _, err := s.Record(ctx, rescore(7, 15)); !errors.Is(err, bot.ErrAlreadyAnswered) {
			t.Errorf("an accept after the rejection: %v, want ErrAlreadyAnswered", err)
		}
	})

	t.Run("at once", func(t *testing.T) {
		// two admins accepting at once, or a redelivery: one re-score
		ctx := t.Context()
		s := store(t, open)
		w := wrong // a copy: Record sets its Seq
		if _, err := s.Record(ctx, &w); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = s.Record(ctx, rescore(7, 15)) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, bot.ErrAlreadyAnswered):
				t.Errorf("Record(rescore) = %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent re-scores were recorded, want 1", ok, n)
		}
		if m := (reader{t, s}).member("ann"); m.Points != 15 || m.Correct != 1 || m.Answered != 1 {
			t.Errorf("member after concurrent re-scores: %+v; want 15 points, 1 of 1 correct", m)
		}
	})
}

// reader reads what a subtest checks, failing it on an error.
type reader struct {
	t *testing.T
	s bot.Store
}

func (r reader) member(user string) bot.Member {
	r.t.Helper()
	m, err := r.s.Member(r.t.Context(), "g", user)
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

// reviews are a member's reviews by card (Reviews promises no order).
func (r reader) reviews(user string) []bot.Review {
	r.t.Helper()
	rv, err := r.s.Reviews(r.t.Context(), "g", user)
	if err != nil {
		r.t.Fatal(err)
	}
	slices.SortFunc(rv, func(a, b bot.Review) int { return strings.Compare(a.Card, b.Card) })
	return rv
}

func (r reader) activity(user string) map[string]int {
	r.t.Helper()
	a, err := r.s.Activity(r.t.Context(), "g", user)
	if err != nil {
		r.t.Fatal(err)
	}
	return a
}
