package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

// testContext holds a backend to the ctx it is given: a call whose ctx is
// already done (cancelled, or past its deadline) fails with ctx's error
// (errors.Is), and a write so called leaves nothing behind, as the store
// reads it back with a live ctx. bot.Store's doc comments say nothing of
// ctx; the suite asks what any backend can do (a transaction not begun
// once ctx is done), not what a ctx ending during a call does.
func testContext(t *testing.T, open Opener) {
	dead := []struct {
		name string
		ctx  func(t *testing.T) context.Context
		want error
	}{
		{"cancelled", func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, context.Canceled},
		{"past its deadline", func(t *testing.T) context.Context {
			ctx, cancel := context.WithDeadline(t.Context(), time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
			t.Cleanup(cancel)
			return ctx
		}, context.DeadlineExceeded},
	}
	for _, d := range dead {
		t.Run("every read with a ctx "+d.name+" fails with its error", func(t *testing.T) {
			s := store(t, open)
			seed := seedContext(t, s)
			ctx := d.ctx(t)
			period := bot.Periods(t0, time.UTC)[0]
			calls := []struct {
				name string
				call func() error
			}{
				{"Group", func() error { _, err := s.Group(ctx, "g"); return err }},
				{"Post", func() error { _, err := s.Post(ctx, seed.post.ID); return err }},
				{"Member", func() error { _, err := s.Member(ctx, "g", "ann"); return err }},
				{"Members", func() error { _, err := s.Members(ctx, "g"); return err }},
				{"Reviews", func() error { _, err := s.Reviews(ctx, "g", "ann"); return err }},
				{"Activity", func() error { _, err := s.Activity(ctx, "g", "ann"); return err }},
				{"Leaderboard", func() error { _, err := s.Leaderboard(ctx, "g", period, "", 10); return err }},
				{"PeriodTallies", func() error { _, err := s.PeriodTallies(ctx, "g", period); return err }},
				{"Peeked", func() error { _, err := s.Peeked(ctx, "g", "ann", "card-p1"); return err }},
				{"ReadPress", func() error { _, err := s.ReadPress(ctx, "g", "ann", "card-p1"); return err }},
				{"Answer", func() error { _, err := s.Answer(ctx, "g", "ann", bot.KindAnswer, seed.post.ID); return err }},
				{"Schedule", func() error { _, err := s.Schedule(ctx, "g", "C1"); return err }},
				{`Schedules("")`, func() error { _, err := s.Schedules(ctx, ""); return err }},
				{`Schedules("g")`, func() error { _, err := s.Schedules(ctx, "g"); return err }},
				{"Round", func() error { _, err := s.Round(ctx, "g", "C1"); return err }},
				{"Rounds", func() error { _, err := s.Rounds(ctx); return err }},
			}
			for _, c := range calls {
				if err := c.call(); !errors.Is(err, d.want) {
					t.Errorf("%s with a ctx %s: %v, want %v", c.name, d.name, err, d.want)
				}
			}
		})
		t.Run("every write with a ctx "+d.name+" fails with its error and leaves nothing behind", func(t *testing.T) {
			s := store(t, open)
			seed := seedContext(t, s)
			f := seed.f
			// answers built (and their posts created) with a live ctx
			newMember := ans("cid", "p1", "postgres", 10, t0.Add(time.Hour))
			oldMember := ans("ann", "p3", "postgres", 10, t0.Add(time.Hour))
			answers := []*bot.Answer{f.answer(newMember), f.answer(oldMember)}
			ctx := d.ctx(t)
			changed := sampleSchedule("g", "C1")
			changed.Time, changed.LastDay = "18:00", day(5)
			round := sampleRound("g", "C1")
			round.Index, round.Scores["U3"] = 4, 50
			var post bot.Post
			calls := []struct {
				name string
				call func() error
			}{
				{"SaveGroup", func() error { return s.SaveGroup(ctx, bot.Group{ID: "g", TimeZone: "Asia/Tokyo"}) }},
				{"SaveGroup of a new group", func() error { return s.SaveGroup(ctx, bot.Group{ID: "g2", TimeZone: "Asia/Tokyo"}) }},
				{"UpdateGroup", func() error {
					return s.UpdateGroup(ctx, "g", func(g *bot.Group) error { g.TimeZone = "Asia/Tokyo"; return nil })
				}},
				{"CreatePost", func() error { post = samplePost(); return s.CreatePost(ctx, &post) }},
				{"Draw", func() error {
					return s.Draw(ctx, "g:all", func(st *questionbank.BagState) error { *st = questionbank.BagState{Seed: 9, Pos: 3}; return nil })
				}},
				{"Draw of a new key", func() error {
					return s.Draw(ctx, "g:new", func(st *questionbank.BagState) error { *st = questionbank.BagState{Seed: 9, Pos: 3}; return nil })
				}},
				{"Record of a new member's answer", func() error { _, err := s.Record(ctx, answers[0]); return err }},
				{"Record of a member's next answer", func() error { _, err := s.Record(ctx, answers[1]); return err }},
				{"SavePeek", func() error { return s.SavePeek(ctx, "g", "ann", "card-p1", bot.Peek{Day: day(0), Answer: true}) }},
				{"SavePeek of a new day", func() error { return s.SavePeek(ctx, "g", "ann", "card-p1", bot.Peek{Day: day(1), Answer: true}) }},
				{"SaveSchedule", func() error { return s.SaveSchedule(ctx, changed) }},
				{"SaveSchedule of a new channel", func() error { return s.SaveSchedule(ctx, sampleSchedule("g", "C2")) }},
				{"ClaimDaily", func() error { _, err := s.ClaimDaily(ctx, "g", "C1", claim(day(0))); return err }},
				{"ClaimDigest", func() error { _, err := s.ClaimDigest(ctx, "g", "C1", claim(day(0))); return err }},
				{"UnclaimDaily", func() error { return s.UnclaimDaily(ctx, "g", "C1", claim(day(-1))) }},
				{"UpdateSchedule", func() error {
					return s.UpdateSchedule(ctx, "g", "C1", func(sc *bot.Schedule) error { sc.Time = "18:00"; return nil })
				}},
				{"PostedDaily", func() error { return s.PostedDaily(ctx, "g", "C1", day(-1)) }},
				{"PostedDigest", func() error { return s.PostedDigest(ctx, "g", "C1", day(-1)) }},
				{"DeleteSchedule", func() error { return s.DeleteSchedule(ctx, "g", "C1") }},
				{"SaveRound", func() error { return s.SaveRound(ctx, round) }},
				{"SaveRound of a new channel", func() error { return s.SaveRound(ctx, sampleRound("g", "C2")) }},
				{"UpdateRound", func() error {
					return s.UpdateRound(ctx, "g", "C1", func(r *bot.Round) error { r.Index++; return nil })
				}},
				{"DeleteRound", func() error { return s.DeleteRound(ctx, "g", "C1") }},
				{"FirstDelivery", func() error { _, err := s.FirstDelivery(ctx, "discord:new", t0); return err }},
				{"Allow", func() error {
					_, _, err := s.Allow(ctx, "draw\x1fg\x1fann\x1fquestion", t0, 5, time.Minute)
					return err
				}},
				{"PurgeDeliveries", func() error { _, err := s.PurgeDeliveries(ctx, t0.Add(time.Hour)); return err }},
			}
			for _, c := range calls {
				if err := c.call(); !errors.Is(err, d.want) {
					t.Errorf("%s with a ctx %s: %v, want %v", c.name, d.name, err, d.want)
				}
			}

			// everything reads back as seeded, with a live ctx
			live := t.Context()
			for id, want := range map[string]bot.Group{"g": seed.group, "g2": {ID: "g2"}} {
				if g, err := s.Group(live, id); err != nil || !equalGroup(g, want) {
					t.Errorf("Group(%q) after the writes = %+v, %v; want %+v", id, g, err, want)
				}
			}
			if post.ID != 0 && !f.isPost(post.ID) {
				if got, err := s.Post(live, post.ID); !errors.Is(err, bot.ErrNotFound) {
					t.Errorf("Post(%d), the id CreatePost set before failing = %+v, %v; want ErrNotFound", post.ID, got, err)
				}
			}
			for key, want := range map[string]questionbank.BagState{"g:all": seed.bag, "g:new": {}} {
				var saw questionbank.BagState
				if err := s.Draw(live, key, func(st *questionbank.BagState) error { saw = *st; return nil }); err != nil || saw != want {
					t.Errorf("Draw(%q) after the writes saw %+v, %v; want %+v", key, saw, err, want)
				}
			}
			// no answer changed a member, review, day, score or tally, and
			// both answers are new: nothing recorded them
			f.checkAll()
			f.record(newMember, oldMember)
			if p, err := s.Peeked(live, "g", "ann", "card-p1"); err != nil || p != seed.peek {
				t.Errorf("Peeked after the writes = %+v, %v; want %+v", p, err, seed.peek)
			}
			if got, err := s.Schedules(live, "g"); err != nil || len(got) != 1 || !equalSchedule(got[0], seed.schedule) {
				t.Errorf("Schedules(\"g\") after the writes = %+v, %v; want only %+v", got, err, seed.schedule)
			}
			if got, err := s.Rounds(live); err != nil || len(got) != 1 || !equalRound(got[0], seed.round) {
				t.Errorf("Rounds after the writes = %+v, %v; want only %+v", got, err, seed.round)
			}
			for id, want := range map[string]bool{"discord:new": true, "discord:seen": false} {
				if first, err := s.FirstDelivery(live, id, t0.Add(2*time.Hour)); err != nil || first != want {
					t.Errorf("FirstDelivery(%q) after the writes = %v, %v; want %v", id, first, err, want)
				}
			}
		})
	}
}

// contextSeed is what testContext stores, with a live ctx, before calling
// the store with a ctx that is done.
type contextSeed struct {
	f        *fixture // its model holds the answers recorded
	group    bot.Group
	post     bot.Post
	bag      questionbank.BagState
	peek     bot.Peek
	schedule bot.Schedule
	round    bot.Round
}

// seedContext stores something of every kind bot.Store keeps: a group, a
// post, a bag, answers (members, reviews, days, scores), a peek, a
// schedule, a round and a delivery id.
func seedContext(t *testing.T, s bot.Store) contextSeed {
	t.Helper()
	ctx := t.Context()
	c := contextSeed{f: newFixture(t, s), group: bot.Group{ID: "g", TimeZone: "Europe/Berlin"},
		bag:  questionbank.BagState{Seed: 7, Pos: 1, Size: 10, Sum: 99, Last: "postgres-mvcc"},
		peek: bot.Peek{Day: day(0), Hint: true}, schedule: sampleSchedule("g", "C1"), round: sampleRound("g", "C1")}
	c.f.record(
		ans("ann", "p1", "postgres", 10, t0),
		ans("ben", "p1", "postgres", 0, t0.Add(time.Minute)),
		rate("ann", "p2", "redis", "nailed", t0.Add(2*time.Minute)),
	)
	c.post = c.f.posts["g\x00p1"]
	if err := s.SaveGroup(ctx, c.group); err != nil {
		t.Fatalf("SaveGroup: %v", err)
	}
	if err := s.Draw(ctx, "g:all", func(st *questionbank.BagState) error { *st = c.bag; return nil }); err != nil {
		t.Fatalf("Draw: %v", err)
	}
	if err := s.SavePeek(ctx, "g", "ann", "card-p1", c.peek); err != nil {
		t.Fatalf("SavePeek: %v", err)
	}
	if err := s.SaveSchedule(ctx, c.schedule); err != nil {
		t.Fatalf("SaveSchedule: %v", err)
	}
	if err := s.SaveRound(ctx, c.round); err != nil {
		t.Fatalf("SaveRound: %v", err)
	}
	if first, err := s.FirstDelivery(ctx, "discord:seen", t0); err != nil || !first {
		t.Fatalf("FirstDelivery = %v, %v; want true", first, err)
	}
	return c
}

// isPost reports whether id is the id of a post the fixture created.
func (f *fixture) isPost(id uint64) bool {
	for _, p := range f.posts {
		if p.ID == id {
			return true
		}
	}
	return false
}
