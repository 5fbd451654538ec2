package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage"
)

// The conformance suite (storetest) checks that a ctx already done is
// refused by every method; these check what only the bbolt backend has: a
// write that waits, for the answer writer or for the write before it.

// holdWrites holds every write behind one that does not finish (a hung
// disk) until the returned func, which may be called more than once, lets
// it finish.
func holdWrites(t *testing.T, db *storage.DB) (release func()) {
	var once sync.Once
	free := storage.HoldWrite(db)
	release = func() { once.Do(free) }
	t.Cleanup(release)
	return release
}

// A Record whose ctx ends while its answer waits for the answer writer
// stops waiting and returns ctx's error; the writer, reaching the answer
// after its ctx ended, leaves it out.
func TestRecordStopsWaitingWhenItsCtxEnds(t *testing.T) {
	db := bottest.OpenDB(t)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	p := &bot.Post{Group: "g", Channel: "#c", CardID: "postgres-mvcc", At: at}
	if err := db.CreatePost(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	release := holdWrites(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	recorded := make(chan error, 1)
	go func() {
		_, err := db.Record(ctx, answer("ann", p.ID, 10, true, at))
		recorded <- err
	}()
	bottest.WaitUntil(t, "the answer writer to wait for the held write", func() bool { return storage.WritesUnderWay(db) == 2 })
	cancel()
	if err := bottest.Await(t, "Record to return once its ctx ended", recorded); !errors.Is(err, context.Canceled) {
		t.Fatalf("Record whose ctx ended while it waited: %v, want context.Canceled", err)
	}
	release()
	// the writer takes the answers in order: this one is committed after
	// the writer left out the first, or is a duplicate of it
	a := answer("ann", p.ID, 10, true, at)
	if _, err := db.Record(t.Context(), a); err != nil {
		t.Fatalf("the same answer with a live ctx: %v, want it recorded (the first was left out)", err)
	}
	if m, err := db.Member(t.Context(), "g", "ann"); err != nil || m.Answered != 1 || a.Seq == 0 {
		t.Fatalf("Member after one answer recorded = %+v, %v (Seq %d); want 1 answered", m, err, a.Seq)
	}
}

// A write whose ctx ends while it waits for the write before it (bbolt
// writes one at a time) writes nothing once its turn comes.
func TestWriteWaitingForItsTurnHonoursItsCtx(t *testing.T) {
	db := bottest.OpenDB(t)
	release := holdWrites(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	saved := make(chan error, 1)
	go func() { saved <- db.SaveGroup(ctx, bot.Group{ID: "g", TimeZone: "Asia/Tokyo"}) }()
	bottest.WaitUntil(t, "SaveGroup to wait for the held write", func() bool { return storage.WritesUnderWay(db) == 2 })
	cancel()
	release()
	if err := bottest.Await(t, "SaveGroup to return", saved); !errors.Is(err, context.Canceled) {
		t.Fatalf("SaveGroup whose ctx ended while it waited: %v, want context.Canceled", err)
	}
	if g, err := db.Group(t.Context(), "g"); err != nil || g.ID != "g" || g.TimeZone != "" {
		t.Fatalf("Group after the cancelled SaveGroup = %+v, %v; want it unsaved", g, err)
	}
}
