package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// testInterview holds a backend to what a mock interview needs of it: a
// post keeps its interview step whole; an answer of KindInterview (no
// periods, a score) is recorded once per post and member, under
// concurrency too, earns no points, counts toward no board, keeps the
// member's interview tallies (stored with the member, across a restart)
// and schedules the card's review from its score.
func testInterview(t *testing.T, open Opener) {
	step := &bot.InterviewStep{FollowUp: 1, Category: "postgres", Before: []bot.InterviewResult{
		{Question: "How does MVCC work?", Score: 40, Missed: []string{"VACUUM removes dead row versions"}}}}
	interviewPost := func(t *testing.T, s bot.Store) bot.Post {
		t.Helper()
		p := bot.Post{Group: "g", Channel: "C1", CardID: "postgres-mvcc", Category: "postgres", By: "ann", At: t0, Interview: step}
		if err := s.CreatePost(t.Context(), &p); err != nil {
			t.Fatalf("CreatePost: %v", err)
		}
		return p
	}
	answer := func(p bot.Post, user string, score int) *bot.Answer {
		return &bot.Answer{Kind: bot.KindInterview, Group: "g", Channel: "C1", User: user, UserName: nameOf(user),
			PostID: p.ID, CardID: p.CardID, Category: p.Category, Option: -1, Text: "each update writes a new row version",
			Score: score, At: t0, Day: day(0), Zone: "UTC"}
	}

	t.Run("a post keeps its interview step", func(t *testing.T) {
		s := store(t, open)
		p := interviewPost(t, s)
		got, err := s.Post(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Interview == nil || !reflect.DeepEqual(*got.Interview, *step) {
			t.Errorf("Post(%d).Interview = %+v, want %+v", p.ID, got.Interview, step)
		}
		plain := bot.Post{Group: "g", Channel: "C1", CardID: "postgres-mvcc", Category: "postgres", By: "ann", At: t0}
		if err := s.CreatePost(t.Context(), &plain); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Post(t.Context(), plain.ID); err != nil || got.Interview != nil {
			t.Errorf("a post without a step reads back with %+v, %v", got.Interview, err)
		}
	})

	t.Run("recorded once, no points, no board, a tally and a review", func(t *testing.T) {
		s, reopen := open(t)
		ctx := t.Context()
		p := interviewPost(t, s)
		m, err := s.Record(ctx, answer(p, "ann", 40))
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
		want := bot.InterviewTally{Answered: 1, Total: 40}
		if m.Points != 0 || m.Answered != 0 || len(m.Categories) != 0 || m.Interviews["postgres"] != want || m.Streak != 1 {
			t.Errorf("Record returned %+v; want no points, no quick-check tally, interviews %+v and a streak of 1", m, want)
		}
		if _, err := s.Record(ctx, answer(p, "ann", 95)); !errors.Is(err, bot.ErrAlreadyAnswered) {
			t.Errorf("a second answer to the same question: %v, want ErrAlreadyAnswered", err)
		}
		for _, period := range bot.Periods(t0, time.UTC) {
			if board, err := s.Leaderboard(ctx, "g", period, "", 10); err != nil || len(board) != 0 {
				t.Errorf("Leaderboard(%s) = %+v, %v; want nobody", period, board, err)
			}
			if board, err := s.DaysBoard(ctx, "g", period, "postgres", 10); err != nil || len(board) != 0 {
				t.Errorf("DaysBoard(%s) = %+v, %v; want nobody", period, board, err)
			}
			if rank, _, err := s.Rank(ctx, "g", period, "", "ann", bot.ByPoints); err != nil || rank != 0 {
				t.Errorf("Rank(%s) = %d, %v; want 0", period, rank, err)
			}
			if tallies, err := s.PeriodTallies(ctx, "g", period); err != nil || len(tallies) != 0 {
				t.Errorf("PeriodTallies(%s) = %+v, %v; want none", period, tallies, err)
			}
		}
		reviews, err := s.Reviews(ctx, "g", "ann")
		if err != nil || len(reviews) != 1 {
			t.Fatalf("Reviews = %+v, %v; want one", reviews, err)
		}
		if r := reviews[0]; r.Card != "postgres-mvcc" || r.Grade != bot.InterviewGrade(40) || r.Due != day(1) {
			t.Errorf("the review after a score of 40: %+v; want grade %d, due %s", r, bot.InterviewGrade(40), day(1))
		}
		if reopen == nil {
			return
		}
		s = reopen()
		got, err := s.Member(t.Context(), "g", "ann")
		if err != nil || got.Interviews["postgres"] != want || got.Points != 0 {
			t.Errorf("after a restart, Member = %+v, %v; want interviews %+v", got, err, want)
		}
	})

	t.Run("concurrent submissions are recorded once", func(t *testing.T) {
		s := store(t, open)
		p := interviewPost(t, s)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { <-start; _, errs[i] = s.Record(t.Context(), answer(p, "ann", 10*i)) })
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, bot.ErrAlreadyAnswered):
				t.Errorf("copy %d: %v, want nil or ErrAlreadyAnswered", i, err)
			}
		}
		m, err := s.Member(t.Context(), "g", "ann")
		if ok != 1 || err != nil || m.Interviews["postgres"].Answered != 1 {
			t.Errorf("%d of 8 concurrent submissions recorded; member %+v, %v; want exactly one", ok, m, err)
		}
	})
}
