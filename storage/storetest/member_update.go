package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// testUpdateMember holds UpdateMember to its contract: a transaction on
// the member that Record's commits never undo, nor it theirs.
func testUpdateMember(t *testing.T, open Opener) {
	t.Run("starts from the zero member with its ids, and saves", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		from := t0.Add(15 * time.Hour)
		err := s.UpdateMember(ctx, "g", "ann", func(m *bot.Member) error {
			if !equalMember(*m, bot.Member{Group: "g", User: "ann"}) {
				t.Errorf("UpdateMember of a new member got %+v, want the zero member with its group and user", *m)
			}
			m.Group, m.User = "other", "bob" // ignored: the ids stay
			m.TimeZone, m.NextTimeZone, m.ZoneFrom, m.Remind = "Europe/Berlin", "Asia/Tokyo", from, "20:00"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Member(ctx, "g", "ann")
		if err != nil || m.Group != "g" || m.User != "ann" || m.TimeZone != "Europe/Berlin" || m.NextTimeZone != "Asia/Tokyo" ||
			!m.ZoneFrom.Equal(from) || m.Remind != "20:00" {
			t.Errorf("Member after UpdateMember = %+v, %v", m, err)
		}
		if m, err := s.Member(ctx, "other", "bob"); err != nil || m.User != "" {
			t.Errorf("UpdateMember moved the member: Member(other, bob) = %+v, %v", m, err)
		}
		if ms, err := s.Members(ctx, "g"); err != nil || len(ms) != 1 || ms[0].User != "ann" {
			t.Errorf("Members(g) after UpdateMember = %+v, %v; want ann", ms, err)
		}
	})
	t.Run("fn's error changes nothing, also for a new member", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if err := s.UpdateMember(ctx, "g", "ann", func(m *bot.Member) error { m.Remind = "07:30"; return nil }); err != nil {
			t.Fatal(err)
		}
		for _, user := range []string{"ann", "new"} {
			err := s.UpdateMember(ctx, "g", user, func(m *bot.Member) error { m.Remind = "23:00"; m.TimeZone = "UTC"; return errFn })
			if !errors.Is(err, errFn) {
				t.Errorf("UpdateMember(%q) whose fn fails = %v, want fn's error", user, err)
			}
		}
		if m, err := s.Member(ctx, "g", "ann"); err != nil || m.Remind != "07:30" || m.TimeZone != "" {
			t.Errorf("after a failed UpdateMember: %+v, %v", m, err)
		}
		if ms, err := s.Members(ctx, "g"); err != nil || len(ms) != 1 {
			t.Errorf("a failed UpdateMember of a new member left it: Members = %+v, %v", ms, err)
		}
		if rs, err := s.Reminders(ctx); err != nil || len(rs) != 1 || rs[0].User != "ann" || rs[0].Remind != "07:30" {
			t.Errorf("a failed UpdateMember changed the reminders: %+v, %v", rs, err)
		}
	})
	t.Run("keeps what Record wrote, and Record keeps what it wrote", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		f := newFixture(t, s)
		if _, err := s.Record(ctx, f.answer(ans("ann", "p1", "sql", 10, t0))); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateMember(ctx, "g", "ann", func(m *bot.Member) error {
			if m.Points != 10 || m.Streak != 1 || m.LastDay != day(0) {
				t.Errorf("UpdateMember got %+v, not the member Record left", *m)
			}
			m.TimeZone, m.Remind = "America/New_York", "21:00"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Record(ctx, f.answer(ans("ann", "p2", "sql", 15, t0.Add(24*time.Hour))))
		if err != nil {
			t.Fatal(err)
		}
		if got.Points != 25 || got.Streak != 2 || got.TimeZone != "America/New_York" || got.Remind != "21:00" {
			t.Errorf("Record after UpdateMember returned %+v: want 25 points, a streak of 2, and the settings kept", got)
		}
		if m, err := s.Member(ctx, "g", "ann"); err != nil || m.Points != 25 || m.Remind != "21:00" || m.TimeZone != "America/New_York" {
			t.Errorf("Member = %+v, %v", m, err)
		}
	})
	t.Run("concurrent with Record and with itself: nothing is lost", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		f := newFixture(t, s)
		const n = 12
		answers := make([]*bot.Answer, n)
		for i := range n {
			answers[i] = f.answer(ans("ann", fmt.Sprint("p", i), "sql", 10, t0.Add(time.Duration(i)*time.Minute)))
		}
		var wg sync.WaitGroup
		errs := make([]error, 2*n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = s.Record(ctx, answers[i])
			})
			wg.Go(func() {
				<-start
				// each update adds its own mark (Record leaves Ratings
				// alone for answers)
				errs[n+i] = s.UpdateMember(ctx, "g", "ann", func(m *bot.Member) error {
					if m.Ratings == nil {
						m.Ratings = map[string]int{}
					}
					m.Ratings[fmt.Sprint("mark", i)] = i
					return nil
				})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		m, err := s.Member(ctx, "g", "ann")
		if err != nil {
			t.Fatal(err)
		}
		if m.Answered != n || m.Points != 10*n || len(m.Ratings) != n {
			t.Errorf("after %d answers and %d updates at once: %d answered, %d points, %d marks; a write was lost", n, n, m.Answered, m.Points, len(m.Ratings))
		}
	})
	t.Run("Reminders lists the members with a reminder, in every group", func(t *testing.T) {
		s, reopen := open(t)
		ctx := t.Context()
		f := newFixture(t, s)
		set := func(group, user, at string) {
			t.Helper()
			if err := s.UpdateMember(ctx, group, user, func(m *bot.Member) error { m.Remind = at; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		check := func(s bot.Store, want ...string) {
			t.Helper()
			rs, err := s.Reminders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range rs {
				got = append(got, m.Group+"/"+m.User+"@"+m.Remind)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("Reminders = %v, want %v", got, want)
			}
		}
		check(s)
		if _, err := s.Record(ctx, f.answer(ans("cat", "p1", "sql", 10, t0))); err != nil {
			t.Fatal(err)
		}
		set("g", "ann", "20:00")
		set("h", "bob", "07:15")
		set("g", "dan", "")
		check(s, "g/ann@20:00", "h/bob@07:15")
		// Record changes the member, not its reminder
		if _, err := s.Record(ctx, f.answer(ans("ann", "p2", "sql", 10, t0))); err != nil {
			t.Fatal(err)
		}
		set("h", "bob", "")
		set("g", "ann", "21:30")
		check(s, "g/ann@21:30")
		if rs, _ := s.Reminders(ctx); len(rs) == 1 && rs[0].Points != 10 {
			t.Errorf("Reminders returned %+v, not the member as recorded", rs[0])
		}
		if reopen != nil {
			check(reopen(), "g/ann@21:30")
		}
	})
}
