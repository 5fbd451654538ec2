package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

// testRestart writes with every method that records something, reopens
// the store and reads it all back: bot.Store's methods that record
// something have committed it durably when they return (FirstDelivery and
// PurgeDeliveries are checked across a restart by testDelivery).
func testRestart(t *testing.T, open Opener) {
	s, reopen := open(t)
	if reopen == nil {
		t.Skip("the Opener gave no reopen: the backend keeps nothing across a restart")
	}
	ctx := t.Context()
	f := newFixture(t, s)

	group := bot.Group{ID: "g", TimeZone: "Europe/Berlin", Season: sampleSeasons().Season, Seasons: sampleSeasons().Seasons}
	if err := s.SaveGroup(ctx, group); err != nil {
		t.Fatal(err)
	}
	post := samplePost()
	if err := s.CreatePost(ctx, &post); err != nil {
		t.Fatal(err)
	}
	bag := questionbank.BagState{Seed: 7, Pos: 3, Size: 10, Sum: 99, Last: "postgres-mvcc"}
	if err := s.Draw(ctx, "g:all", func(st *questionbank.BagState) error { *st = bag; return nil }); err != nil {
		t.Fatal(err)
	}
	recorded := []ev{
		ans("ann", "p1", "postgres", 10, t0),
		rate("ann", "p1", "postgres", "partly", t0.Add(time.Minute)),
		ans("ann", "p2", "redis", 20, t0.Add(24*time.Hour)),
		ans("ben", "p1", "postgres", 0, t0),
	}
	f.record(recorded...)
	claimed := sampleSchedule("g", "C1")
	claimed.LastDay, claimed.LastDigest = "", ""
	if err := s.SaveSchedule(ctx, claimed); err != nil {
		t.Fatal(err)
	}
	for _, claimFn := range []func(context.Context, string, string, bot.Claim) (bool, error){s.ClaimDaily, s.ClaimDigest} {
		if ok, err := claimFn(ctx, "g", "C1", claim(day(1))); err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
	}
	claimed.LastDay, claimed.LastDigest = day(1), day(1)
	claimed.DailyUntil, claimed.DigestUntil = claim(day(1)).Until, claim(day(1)).Until
	released := sampleSchedule("g", "C2")
	released.LastDay, released.LastDigest = "", ""
	if err := s.SaveSchedule(ctx, released); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimDaily(ctx, "g", "C2", claim(day(1))); err != nil || !ok {
		t.Fatalf("ClaimDaily: %v, %v", ok, err)
	}
	if err := s.UnclaimDaily(ctx, "g", "C2", claim(day(1))); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSchedule(ctx, sampleSchedule("g", "C3")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSchedule(ctx, "g", "C3"); err != nil {
		t.Fatal(err)
	}
	round := sampleRound("g", "C1")
	for _, r := range []bot.Round{round, sampleRound("g", "C2")} {
		if err := s.SaveRound(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateRound(ctx, "g", "C1", func(r *bot.Round) error { r.Index++; r.Scores["U3"] = 5; return nil }); err != nil {
		t.Fatal(err)
	}
	round.Index++
	round.Scores["U3"] = 5
	if err := s.DeleteRound(ctx, "g", "C2"); err != nil {
		t.Fatal(err)
	}
	peek := bot.Peek{Day: day(1), Hint: true, Answer: true}
	if err := s.SavePeek(ctx, "g", "ann", "postgres-mvcc", peek); err != nil {
		t.Fatal(err)
	}
	if first, err := s.FirstDelivery(ctx, "discord:1", t0); err != nil || !first {
		t.Fatalf("FirstDelivery: %v, %v", first, err)
	}

	s = reopen()
	f.s = s

	if got, err := s.Group(ctx, "g"); err != nil || !equalGroup(got, group) {
		t.Errorf("Group after a restart = %+v, %v; want %+v", got, err, group)
	}
	if got, err := s.Post(ctx, post.ID); err != nil || !equalPost(got, post) {
		t.Errorf("Post after a restart = %+v, %v; want %+v", got, err, post)
	}
	for label, p := range f.posts {
		if got, err := s.Post(ctx, p.ID); err != nil || !equalPost(got, p) {
			t.Errorf("Post %s after a restart = %+v, %v; want %+v", label, got, err, p)
		}
	}
	next := samplePost()
	if err := s.CreatePost(ctx, &next); err != nil {
		t.Fatal(err)
	}
	if next.ID == post.ID || next.ID == 0 {
		t.Errorf("CreatePost after a restart set ID %d, the id of a post made before", next.ID)
	}
	for _, p := range f.posts {
		if next.ID == p.ID {
			t.Errorf("CreatePost after a restart set ID %d, the id of a post made before", next.ID)
		}
	}
	err := s.Draw(ctx, "g:all", func(st *questionbank.BagState) error {
		if *st != bag {
			t.Errorf("Draw after a restart gave fn %+v, want %+v", *st, bag)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range recorded {
		if _, err := s.Record(ctx, f.answer(e)); !errors.Is(err, bot.ErrAlreadyAnswered) {
			t.Errorf("Record of %s of %s to post %s again after a restart: %v, want ErrAlreadyAnswered", e.kind, e.user, e.post, err)
		}
	}
	f.checkAll()
	f.record(ans("ann", "p3", "postgres", 15, t0.Add(48*time.Hour))) // a new Seq, not one used before
	f.checkAll()
	if got, err := s.Schedule(ctx, "g", "C1"); err != nil || !equalSchedule(got, claimed) {
		t.Errorf("Schedule after a restart\n got %+v, %v\nwant %+v", got, err, claimed)
	}
	for name, claimFn := range map[string]func(context.Context, string, string, bot.Claim) (bool, error){"ClaimDaily": s.ClaimDaily, "ClaimDigest": s.ClaimDigest} {
		if ok, err := claimFn(ctx, "g", "C1", claim(day(1))); err != nil || ok {
			t.Errorf("%s of a day claimed before a restart = %v, %v; want false", name, ok, err)
		}
	}
	if ok, err := s.ClaimDaily(ctx, "g", "C2", claim(day(1))); err != nil || !ok {
		t.Errorf("ClaimDaily of a day unclaimed before a restart = %v, %v; want true", ok, err)
	}
	if sc, err := s.Schedule(ctx, "g", "C3"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Schedule deleted before a restart = %+v, %v; want ErrNotFound", sc, err)
	}
	if got, err := s.Round(ctx, "g", "C1"); err != nil || !equalRound(got, round) {
		t.Errorf("Round (updated) after a restart\n got %+v, %v\nwant %+v", got, err, round)
	}
	if r, err := s.Round(ctx, "g", "C2"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Round deleted before a restart = %+v, %v; want ErrNotFound", r, err)
	}
	if got, err := s.Peeked(ctx, "g", "ann", "postgres-mvcc"); err != nil || got != peek {
		t.Errorf("Peeked after a restart = %+v, %v; want %+v", got, err, peek)
	}
	if first, err := s.FirstDelivery(ctx, "discord:1", t0.Add(time.Minute)); err != nil || first {
		t.Errorf("FirstDelivery of an id seen before a restart = %v, %v; want false", first, err)
	}
}
