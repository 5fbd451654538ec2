package storetest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// sampleSchedule has every field set to something other than its zero
// value.
func sampleSchedule(group, channel string) bot.Schedule {
	return bot.Schedule{Group: group, Channel: channel, Time: "09:30", TimeZone: "Europe/Berlin",
		Categories: []string{"postgres", "redis"}, Weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Friday},
		By: "U1", LastDay: day(-1), DigestDay: "fri", LastDigest: day(-3), Next: 1, Disabled: "the channel is gone"}
}

func sortedSchedules(ss []bot.Schedule) []bot.Schedule {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, func(a, b bot.Schedule) int {
		return strings.Compare(a.Group+"\x00"+a.Channel, b.Group+"\x00"+b.Channel)
	})
	return ss
}

func testSchedule(t *testing.T, open Opener) {
	t.Run("unknown is ErrNotFound", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if sc, err := s.Schedule(ctx, "g", "C1"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Schedule in an empty store = %+v, %v; want ErrNotFound", sc, err)
		}
		if scs, err := s.Schedules(ctx, ""); err != nil || len(scs) != 0 {
			t.Errorf("Schedules in an empty store = %+v, %v; want none", scs, err)
		}
		if err := s.SaveSchedule(ctx, sampleSchedule("g", "C1")); err != nil {
			t.Fatal(err)
		}
		for _, k := range [][2]string{{"g", "C2"}, {"g2", "C1"}, {"g", "C"}, {"", "C1"}} {
			if sc, err := s.Schedule(ctx, k[0], k[1]); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("Schedule(%q, %q) with only g/C1 saved = %+v, %v; want ErrNotFound", k[0], k[1], sc, err)
			}
		}
	})
	t.Run("every field reads back, and saving again replaces all of them", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		full := sampleSchedule("g", "C1")
		steps := []struct {
			name string
			save bot.Schedule
		}{
			{"every field set", full},
			{"replaced by one with every optional field empty", bot.Schedule{Group: "g", Channel: "C1", Time: "18:00", TimeZone: "UTC", By: "U2"}},
			{"and back", full},
			{"fewer categories and weekdays", func() bot.Schedule {
				sc := full
				sc.Categories, sc.Weekdays, sc.Disabled = []string{"kafka"}, []time.Weekday{time.Sunday}, ""
				return sc
			}()},
		}
		for _, st := range steps {
			if err := s.SaveSchedule(ctx, st.save); err != nil {
				t.Fatalf("%s: SaveSchedule: %v", st.name, err)
			}
			if got, err := s.Schedule(ctx, "g", "C1"); err != nil || !equalSchedule(got, st.save) {
				t.Errorf("%s: Schedule(g, C1)\n got %+v, %v\nwant %+v", st.name, got, err, st.save)
			}
		}
	})
	t.Run("Schedules lists one group's, or every group's for the empty group", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		saved := []bot.Schedule{sampleSchedule("discord:1", "C1"), sampleSchedule("discord:1", "C2"),
			sampleSchedule("discord:10", "C1"), sampleSchedule("discord:", "C1"), sampleSchedule("slack:T1", "C9")}
		for _, sc := range saved {
			if err := s.SaveSchedule(ctx, sc); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			group string
			want  []bot.Schedule
		}{
			{"discord:1", saved[:2]},
			{"discord:10", saved[2:3]},
			{"discord:", saved[3:4]},
			{"slack:T1", saved[4:]},
			{"discord", nil},
			{"discord:2", nil},
			{"", saved},
		}
		for _, c := range cases {
			got, err := s.Schedules(ctx, c.group)
			if err != nil {
				t.Fatalf("Schedules(%q): %v", c.group, err)
			}
			got, want := sortedSchedules(got), sortedSchedules(c.want)
			if !slices.EqualFunc(got, want, equalSchedule) {
				t.Errorf("Schedules(%q)\n got %+v\nwant %+v", c.group, got, want)
			}
		}
	})
	t.Run("DeleteSchedule removes one, and deleting none is no error", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		keep := sampleSchedule("g2", "C1")
		for _, sc := range []bot.Schedule{sampleSchedule("g", "C1"), keep} {
			if err := s.SaveSchedule(ctx, sc); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteSchedule(ctx, "g", "C1"); err != nil {
			t.Fatalf("DeleteSchedule(g, C1): %v", err)
		}
		if sc, err := s.Schedule(ctx, "g", "C1"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Schedule(g, C1) after DeleteSchedule = %+v, %v; want ErrNotFound", sc, err)
		}
		if got, err := s.Schedules(ctx, ""); err != nil || len(got) != 1 || !equalSchedule(got[0], keep) {
			t.Errorf("Schedules after DeleteSchedule(g, C1) = %+v, %v; want only %+v", got, err, keep)
		}
		// beyond the doc comment: bbolt deletes idempotently
		for _, k := range [][2]string{{"g", "C1"}, {"g3", "C7"}} {
			if err := s.DeleteSchedule(ctx, k[0], k[1]); err != nil {
				t.Errorf("DeleteSchedule(%q, %q) of no schedule: %v, want nil", k[0], k[1], err)
			}
		}
		if got, err := s.Schedule(ctx, "g2", "C1"); err != nil || !equalSchedule(got, keep) {
			t.Errorf("Schedule(g2, C1) after deleting others = %+v, %v; want %+v", got, err, keep)
		}
	})
}

func testUpdateSchedule(t *testing.T, open Opener) {
	t.Run("changes all but the claims", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		sc := sampleSchedule("g", "C1")
		sc.LastDay, sc.DailyUntil = day(0), t0.Add(time.Minute)
		sc.LastDigest, sc.DigestUntil = day(-2), time.Time{}
		if err := s.SaveSchedule(ctx, sc); err != nil {
			t.Fatal(err)
		}
		err := s.UpdateSchedule(ctx, "g", "C1", func(cur *bot.Schedule) error {
			if !equalSchedule(*cur, sc) {
				t.Errorf("UpdateSchedule's fn got %+v, want %+v", *cur, sc)
			}
			cur.Time, cur.Next, cur.Disabled = "18:00", 2, ""
			cur.LastDay, cur.DailyUntil, cur.LastDigest, cur.DigestUntil = "", time.Time{}, day(9), t0
			cur.Group, cur.Channel = "other", "C9"
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateSchedule: %v", err)
		}
		want := sc
		want.Time, want.Next, want.Disabled = "18:00", 2, ""
		if got, err := s.Schedule(ctx, "g", "C1"); err != nil || !equalSchedule(got, want) {
			t.Errorf("after UpdateSchedule (the claims and the key unchanged)\n got %+v, %v\nwant %+v", got, err, want)
		}
		if _, err := s.Schedule(ctx, "other", "C9"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("UpdateSchedule moved the schedule: Schedule(other, C9) = %v", err)
		}
	})
	t.Run("ErrNotFound, and fn's error changes nothing", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		called := false
		if err := s.UpdateSchedule(ctx, "g", "C1", func(*bot.Schedule) error { called = true; return nil }); !errors.Is(err, bot.ErrNotFound) || called {
			t.Errorf("UpdateSchedule without a schedule = %v (fn called: %v); want ErrNotFound, fn not called", err, called)
		}
		sc := sampleSchedule("g", "C1")
		if err := s.SaveSchedule(ctx, sc); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateSchedule(ctx, "g", "C1", func(cur *bot.Schedule) error { cur.Time = "01:00"; return errFn }); !errors.Is(err, errFn) {
			t.Errorf("UpdateSchedule whose fn fails = %v, want fn's error", err)
		}
		if got, err := s.Schedule(ctx, "g", "C1"); err != nil || !equalSchedule(got, sc) {
			t.Errorf("after a failed UpdateSchedule\n got %+v, %v\nwant %+v", got, err, sc)
		}
	})
	t.Run("concurrent updates and a claim: none is lost", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		sc := sampleSchedule("g", "C1")
		sc.Next, sc.LastDay, sc.LastDigest = 0, day(-1), day(-1)
		if err := s.SaveSchedule(ctx, sc); err != nil {
			t.Fatal(err)
		}
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n+1)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = s.UpdateSchedule(ctx, "g", "C1", func(cur *bot.Schedule) error { cur.Next++; return nil })
			})
		}
		wg.Go(func() {
			<-start
			_, errs[n] = s.ClaimDaily(ctx, "g", "C1", claim(day(0)))
		})
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		got, err := s.Schedule(ctx, "g", "C1")
		if err != nil || got.Next != n || got.LastDay != day(0) {
			t.Errorf("after %d concurrent updates and a claim: Next %d, LastDay %q, %v; want %d and %q", n, got.Next, got.LastDay, err, n, day(0))
		}
	})
}

func testClaim(t *testing.T, open Opener) {
	// a schedule that has never posted
	fresh := func(group, channel string) bot.Schedule {
		sc := sampleSchedule(group, channel)
		sc.LastDay, sc.LastDigest, sc.Disabled = "", "", ""
		return sc
	}
	save := func(t *testing.T, s bot.Store, scs ...bot.Schedule) {
		t.Helper()
		for _, sc := range scs {
			if err := s.SaveSchedule(t.Context(), sc); err != nil {
				t.Fatal(err)
			}
		}
	}
	type step struct {
		op      string // daily, digest, unclaim
		channel string
		day     string
		want    bool // for daily and digest: whether this call claims
	}
	run := func(t *testing.T, s bot.Store, steps []step) {
		t.Helper()
		ctx := t.Context()
		for i, st := range steps {
			var got bool
			var err error
			switch st.op {
			case "daily":
				got, err = s.ClaimDaily(ctx, "g", st.channel, claim(st.day))
			case "digest":
				got, err = s.ClaimDigest(ctx, "g", st.channel, claim(st.day))
			case "unclaim":
				err = s.UnclaimDaily(ctx, "g", st.channel, claim(st.day))
			}
			if err != nil {
				t.Fatalf("step %d: %s of g/%s for %s: %v", i, st.op, st.channel, st.day, err)
			}
			if st.op != "unclaim" && got != st.want {
				t.Fatalf("step %d: %s claim of g/%s for %s = %v, want %v", i, st.op, st.channel, st.day, got, st.want)
			}
		}
	}
	t.Run("each day is claimed once, daily and digest apart", func(t *testing.T) {
		s := store(t, open)
		sc := fresh("g", "C1")
		save(t, s, sc)
		run(t, s, []step{
			{"daily", "C1", day(0), true},
			{"daily", "C1", day(0), false},
			{"digest", "C1", day(0), true},
			{"digest", "C1", day(0), false},
			{"daily", "C1", day(1), true},
			{"daily", "C1", day(1), false},
			// beyond the doc comment: an earlier day than the last claimed
			// is refused too (bbolt keeps the last day, not every day)
			{"daily", "C1", day(0), false},
			{"digest", "C1", day(7), true},
			{"digest", "C1", day(0), false},
		})
		want := sc
		want.LastDay, want.LastDigest = day(1), day(7)
		want.DailyUntil, want.DigestUntil = claim(day(1)).Until, claim(day(7)).Until
		if got, err := s.Schedule(t.Context(), "g", "C1"); err != nil || !equalSchedule(got, want) {
			t.Errorf("Schedule after claims (LastDay and LastDigest say what was claimed, DailyUntil and DigestUntil until when, the rest unchanged)\n got %+v, %v\nwant %+v", got, err, want)
		}
	})
	t.Run("an unconfirmed claim expires, a confirmed one never does", func(t *testing.T) {
		kinds := []struct {
			name   string
			claim  func(bot.Store, *testing.T, bot.Claim) (bool, error)
			posted func(bot.Store, *testing.T, string) error
			until  func(bot.Schedule) (string, time.Time)
		}{
			{"daily", func(s bot.Store, t *testing.T, c bot.Claim) (bool, error) {
				return s.ClaimDaily(t.Context(), "g", "C1", c)
			},
				func(s bot.Store, t *testing.T, d string) error { return s.PostedDaily(t.Context(), "g", "C1", d) },
				func(sc bot.Schedule) (string, time.Time) { return sc.LastDay, sc.DailyUntil }},
			{"digest", func(s bot.Store, t *testing.T, c bot.Claim) (bool, error) {
				return s.ClaimDigest(t.Context(), "g", "C1", c)
			},
				func(s bot.Store, t *testing.T, d string) error { return s.PostedDigest(t.Context(), "g", "C1", d) },
				func(sc bot.Schedule) (string, time.Time) { return sc.LastDigest, sc.DigestUntil }},
		}
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				s := store(t, open)
				save(t, s, fresh("g", "C1"))
				at := func(d time.Duration) bot.Claim {
					return bot.Claim{Day: day(0), At: t0.Add(d), Until: t0.Add(d + 10*time.Minute)}
				}
				check := func(step string, c bot.Claim, want bool) {
					t.Helper()
					if got, err := k.claim(s, t, c); err != nil || got != want {
						t.Fatalf("%s: claim of %s at %s = %v, %v; want %v", step, c.Day, c.At.Format("15:04"), got, err, want)
					}
				}
				state := func(step, wantDay string, wantUntil time.Time) {
					t.Helper()
					sc, err := s.Schedule(t.Context(), "g", "C1")
					if err != nil {
						t.Fatal(err)
					}
					if d, u := k.until(sc); d != wantDay || !u.Equal(wantUntil) {
						t.Errorf("%s: claim %s until %v, want %s until %v", step, d, u, wantDay, wantUntil)
					}
				}
				check("first", at(0), true)
				state("claimed", day(0), t0.Add(10*time.Minute))
				check("while it holds", at(5*time.Minute), false)
				check("the moment it expires", at(10*time.Minute), true) // its claimant died before posting
				state("taken over", day(0), t0.Add(20*time.Minute))
				if err := k.posted(s, t, day(-1)); err != nil {
					t.Fatalf("confirming another day: %v", err)
				}
				state("another day's confirmation", day(0), t0.Add(20*time.Minute))
				if err := k.posted(s, t, day(0)); err != nil {
					t.Fatalf("confirming: %v", err)
				}
				state("confirmed", day(0), time.Time{})
				check("long after it was confirmed", at(24*time.Hour), false)
				check("the next day", bot.Claim{Day: day(1), At: t0.Add(24 * time.Hour), Until: t0.Add(25 * time.Hour)}, true)
			})
		}
		t.Run("confirming without a schedule is no error", func(t *testing.T) {
			s := store(t, open)
			if err := s.PostedDaily(t.Context(), "g", "C9", day(0)); err != nil {
				t.Errorf("PostedDaily without a schedule: %v", err)
			}
			if err := s.PostedDigest(t.Context(), "g", "C9", day(0)); err != nil {
				t.Errorf("PostedDigest without a schedule: %v", err)
			}
		})
		t.Run("UnclaimDaily undoes only a claim that still holds", func(t *testing.T) {
			s := store(t, open)
			ctx := t.Context()
			save(t, s, fresh("g", "C1"))
			first := claim(day(0))
			later := bot.Claim{Day: day(0), At: first.Until, Until: first.Until.Add(10 * time.Minute)}
			for _, c := range []bot.Claim{first, later} { // the first expired, and was taken over
				if ok, err := s.ClaimDaily(ctx, "g", "C1", c); err != nil || !ok {
					t.Fatalf("ClaimDaily at %v = %v, %v", c.At, ok, err)
				}
			}
			if err := s.UnclaimDaily(ctx, "g", "C1", first); err != nil {
				t.Fatal(err)
			}
			if sc, err := s.Schedule(ctx, "g", "C1"); err != nil || sc.LastDay != day(0) || !sc.DailyUntil.Equal(later.Until) {
				t.Errorf("after the first claimant's UnclaimDaily: LastDay %q until %v, %v; want the later claim kept (%q until %v)",
					sc.LastDay, sc.DailyUntil, err, day(0), later.Until)
			}
			if err := s.PostedDaily(ctx, "g", "C1", day(0)); err != nil {
				t.Fatal(err)
			}
			if err := s.UnclaimDaily(ctx, "g", "C1", later); err != nil {
				t.Fatal(err)
			}
			if sc, err := s.Schedule(ctx, "g", "C1"); err != nil || sc.LastDay != day(0) {
				t.Errorf("UnclaimDaily of a confirmed claim: LastDay %q, %v; want %q kept", sc.LastDay, err, day(0))
			}
		})
		t.Run("UnclaimDaily drops the claim's expiry", func(t *testing.T) {
			s := store(t, open)
			save(t, s, fresh("g", "C1"))
			if ok, err := s.ClaimDaily(t.Context(), "g", "C1", claim(day(0))); err != nil || !ok {
				t.Fatalf("ClaimDaily = %v, %v", ok, err)
			}
			if err := s.UnclaimDaily(t.Context(), "g", "C1", claim(day(0))); err != nil {
				t.Fatal(err)
			}
			if sc, err := s.Schedule(t.Context(), "g", "C1"); err != nil || sc.LastDay != day(-1) || !sc.DailyUntil.IsZero() {
				t.Errorf("after UnclaimDaily: LastDay %q DailyUntil %v, %v; want %q and none", sc.LastDay, sc.DailyUntil, err, day(-1))
			}
		})
	})
	t.Run("claims are per channel", func(t *testing.T) {
		s := store(t, open)
		save(t, s, fresh("g", "C1"), fresh("g", "C2"), fresh("g2", "C1"))
		run(t, s, []step{
			{"daily", "C1", day(0), true},
			{"daily", "C2", day(0), true},
			{"digest", "C1", day(0), true},
			{"digest", "C2", day(0), true},
		})
		if ok, err := s.ClaimDaily(t.Context(), "g2", "C1", claim(day(0))); err != nil || !ok {
			t.Errorf("ClaimDaily(g2, C1) after g/C1 claimed the day = %v, %v; want true", ok, err)
		}
	})
	t.Run("UnclaimDaily releases the day's daily claim only", func(t *testing.T) {
		s := store(t, open)
		save(t, s, fresh("g", "C1"), fresh("g", "C2"))
		run(t, s, []step{
			{"daily", "C1", day(0), true},
			{"digest", "C1", day(0), true},
			{"daily", "C2", day(0), true},
			{"unclaim", "C1", day(0), false},
			{"digest", "C1", day(0), false}, // the digest keeps its claim
			{"daily", "C2", day(0), false},  // and the other channel its own
			{"daily", "C1", day(0), true},   // claimed again, as a retry does
			{"daily", "C1", day(0), false},
			{"unclaim", "C1", day(-1), false}, // another day's: nothing to undo
			{"daily", "C1", day(0), false},
			{"unclaim", "C1", day(0), false},
			{"unclaim", "C1", day(0), false}, // twice is no error
			{"daily", "C1", day(0), true},
		})
	})
	t.Run("UnclaimDaily leaves the days before claimed", func(t *testing.T) {
		s := store(t, open)
		save(t, s, fresh("g", "C1"))
		run(t, s, []step{
			{"daily", "C1", day(-1), true},
			{"daily", "C1", day(0), true},
			{"unclaim", "C1", day(0), false},
			{"daily", "C1", day(-1), false}, // yesterday's was posted
			{"daily", "C1", day(0), true},
		})
	})
	// beyond the doc comment: bbolt keeps claims on the schedule, so a
	// channel without one cannot be claimed (the bot claims a channel
	// without a schedule with FirstDelivery), and unclaiming it does nothing
	t.Run("a channel without a schedule", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		if ok, err := s.ClaimDaily(ctx, "g", "C1", claim(day(0))); !errors.Is(err, bot.ErrNotFound) || ok {
			t.Errorf("ClaimDaily without a schedule = %v, %v; want false, ErrNotFound", ok, err)
		}
		if ok, err := s.ClaimDigest(ctx, "g", "C1", claim(day(0))); !errors.Is(err, bot.ErrNotFound) || ok {
			t.Errorf("ClaimDigest without a schedule = %v, %v; want false, ErrNotFound", ok, err)
		}
		if err := s.UnclaimDaily(ctx, "g", "C1", claim(day(0))); err != nil {
			t.Errorf("UnclaimDaily without a schedule: %v, want nil", err)
		}
	})
	t.Run("concurrent claims: exactly one wins", func(t *testing.T) {
		claims := map[string]func(bot.Store, *testing.T) (bool, error){
			"daily": func(s bot.Store, t *testing.T) (bool, error) {
				return s.ClaimDaily(t.Context(), "g", "C1", claim(day(0)))
			},
			"digest": func(s bot.Store, t *testing.T) (bool, error) {
				return s.ClaimDigest(t.Context(), "g", "C1", claim(day(0)))
			},
		}
		for name, claim := range claims {
			t.Run(name, func(t *testing.T) {
				s := store(t, open)
				save(t, s, fresh("g", "C1"))
				const n = 16
				won, errs := make([]bool, n), make([]error, n)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range n {
					wg.Go(func() {
						<-start
						won[i], errs[i] = claim(s, t)
					})
				}
				close(start)
				wg.Wait()
				wins := 0
				for i := range n {
					if errs[i] != nil {
						t.Fatalf("claim %d: %v", i, errs[i])
					}
					if won[i] {
						wins++
					}
				}
				if wins != 1 {
					t.Errorf("%d concurrent %s claims of one day: %d won, want exactly 1", n, name, wins)
				}
			})
		}
	})
}
