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
				got, err = s.ClaimDaily(ctx, "g", st.channel, st.day)
			case "digest":
				got, err = s.ClaimDigest(ctx, "g", st.channel, st.day)
			case "unclaim":
				err = s.UnclaimDaily(ctx, "g", st.channel, st.day)
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
		if got, err := s.Schedule(t.Context(), "g", "C1"); err != nil || !equalSchedule(got, want) {
			t.Errorf("Schedule after claims (LastDay and LastDigest say what was claimed, the rest unchanged)\n got %+v, %v\nwant %+v", got, err, want)
		}
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
		if ok, err := s.ClaimDaily(t.Context(), "g2", "C1", day(0)); err != nil || !ok {
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
		if ok, err := s.ClaimDaily(ctx, "g", "C1", day(0)); !errors.Is(err, bot.ErrNotFound) || ok {
			t.Errorf("ClaimDaily without a schedule = %v, %v; want false, ErrNotFound", ok, err)
		}
		if ok, err := s.ClaimDigest(ctx, "g", "C1", day(0)); !errors.Is(err, bot.ErrNotFound) || ok {
			t.Errorf("ClaimDigest without a schedule = %v, %v; want false, ErrNotFound", ok, err)
		}
		if err := s.UnclaimDaily(ctx, "g", "C1", day(0)); err != nil {
			t.Errorf("UnclaimDaily without a schedule: %v, want nil", err)
		}
	})
	t.Run("concurrent claims: exactly one wins", func(t *testing.T) {
		claims := map[string]func(bot.Store, *testing.T) (bool, error){
			"daily": func(s bot.Store, t *testing.T) (bool, error) { return s.ClaimDaily(t.Context(), "g", "C1", day(0)) },
			"digest": func(s bot.Store, t *testing.T) (bool, error) {
				return s.ClaimDigest(t.Context(), "g", "C1", day(0))
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
