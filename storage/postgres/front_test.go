package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// holdFront stops db's front at its first request until the returned
// release is called (deferred by the test before db closes: Close waits
// for the front), and counts its pipelines' requests in batches.
func holdFront(db *postgres.DB) (held <-chan struct{}, release func(), batches func() []int) {
	reached, free := make(chan struct{}), make(chan struct{})
	var once, freeOnce sync.Once
	count, batches := counter()
	db.HoldFront(func() {
		once.Do(func() {
			close(reached)
			<-free
		})
	}, count)
	return reached, func() { freeOnce.Do(func() { close(free) }) }, batches
}

// countFront counts the requests of each pipeline db's front sends.
func countFront(db *postgres.DB) (batches func() []int) {
	count, batches := counter()
	db.HoldFront(nil, count)
	return batches
}

// counter keeps the numbers count is told, for all to return.
func counter() (count func(n int), all func() []int) {
	var mu sync.Mutex
	var sizes []int
	return func(n int) {
			mu.Lock()
			sizes = append(sizes, n)
			mu.Unlock()
		}, func() []int {
			mu.Lock()
			defer mu.Unlock()
			return append([]int(nil), sizes...)
		}
}

// waitQueued waits until n requests wait for db's front.
func waitQueued(t *testing.T, db *postgres.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for db.FrontQueued() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests wait for the front; want %d", db.FrontQueued(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// The interactions' first questions, delivery ids and presses' reads,
// that wait while the front is busy go in its next pipeline, all of them:
// each gets its own answer, and an id asked for twice in one pipeline is
// new once.
func TestFrontSendsWhatWaitsInOnePipeline(t *testing.T) {
	db := open(t, pgtest.Schema(t))
	ctx := t.Context()
	if err := db.SaveGroup(ctx, bot.Group{ID: "discord:1", TimeZone: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := db.Record(ctx, writerAnswer(fmt.Sprint("u", i), uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SavePeek(ctx, "discord:1", "u3", "python-gil", bot.Peek{Day: "2026-12-02", Answer: true}); err != nil {
		t.Fatal(err)
	}
	if first, err := db.FirstDelivery(ctx, "discord:seen", time.Now()); err != nil || !first {
		t.Fatalf("FirstDelivery = %v, %v; want a first delivery", first, err)
	}

	held, release, batches := holdFront(db)
	defer release()
	go db.FirstDelivery(ctx, "discord:holder", time.Now())
	<-held
	var wg sync.WaitGroup
	firsts := map[string]*atomic.Int32{}
	for _, id := range []string{"discord:a", "discord:b", "discord:c", "discord:seen"} {
		firsts[id] = &atomic.Int32{}
		for range 3 {
			wg.Go(func() {
				first, err := db.FirstDelivery(ctx, id, time.Now())
				if err != nil {
					t.Errorf("FirstDelivery(%s): %v", id, err)
				}
				if first {
					firsts[id].Add(1)
				}
			})
		}
	}
	states := make([]bot.PressState, 6)
	for i := range states {
		wg.Go(func() {
			st, err := db.ReadPress(ctx, "discord:1", fmt.Sprint("u", i), "python-gil")
			if err != nil {
				t.Errorf("ReadPress(u%d): %v", i, err)
			}
			states[i] = st
		})
	}
	waitQueued(t, db, 12+6)
	release()
	wg.Wait()

	if got := batches(); len(got) != 1 || got[0] != 19 {
		t.Fatalf("the front's pipelines held %v requests; want one of 19: the held one and the 18 that waited", got)
	}
	for id, n := range firsts {
		want := int32(1)
		if id == "discord:seen" {
			want = 0
		}
		if n.Load() != want {
			t.Errorf("%s was new to %d of its 3 requests; want %d", id, n.Load(), want)
		}
	}
	for i, st := range states {
		if st.Group.TimeZone != "Asia/Tokyo" {
			t.Errorf("u%d's press read the group %+v; want its time zone", i, st.Group)
		}
		wantPoints := 10
		if i == 5 {
			wantPoints = 0 // never answered
		}
		if st.Member.Points != wantPoints {
			t.Errorf("u%d's press read %d points; want %d", i, st.Member.Points, wantPoints)
		}
		if st.Peek.Answer != (i == 3) {
			t.Errorf("u%d's press read the peek %+v; want one only for u3", i, st.Peek)
		}
	}
}

// Two replicas whose pipelines hold the same new delivery ids, in opposite
// orders, insert them in one order: neither waits for the other in turn (a
// deadlock, which PostgreSQL breaks after a second by failing one of the
// pipelines), and each id is new to exactly one of them. To have both
// inserts under way at once, a third connection holds the middle id,
// uncommitted, until both wait for it.
func TestFrontsOfTwoReplicasDoNotDeadlock(t *testing.T) {
	u, name := namedSchema(t)
	var failed atomic.Int32
	opt := postgres.Options{Statements: func(verb string, _ time.Duration, bad bool) {
		if bad {
			failed.Add(1)
		}
	}}
	var dbs [2]*postgres.DB
	for i := range dbs {
		db, err := postgres.Open(t.Context(), u, opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	a, b := dbs[0], dbs[1]
	ctx := t.Context()
	const n = 101
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("slack:action:%03d", i)
	}
	third, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close(context.Background())
	tx, err := third.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "INSERT INTO deliveries (id, seen_at) VALUES ($1, now())", ids[n/2]); err != nil {
		t.Fatal(err)
	}

	heldA, releaseA, _ := holdFront(a)
	heldB, releaseB, _ := holdFront(b)
	defer releaseA()
	defer releaseB()
	go a.FirstDelivery(ctx, "a-holder", time.Now())
	go b.FirstDelivery(ctx, "b-holder", time.Now())
	<-heldA
	<-heldB
	var wg sync.WaitGroup
	var firsts atomic.Int32
	ask := func(db *postgres.DB, id string) {
		first, err := db.FirstDelivery(ctx, id, time.Now())
		if err != nil {
			t.Errorf("FirstDelivery(%s): %v", id, err)
		}
		if first {
			firsts.Add(1)
		}
	}
	for i := range ids {
		wg.Go(func() { ask(a, ids[i]) })
		waitQueued(t, a, i+1) // a's in this order
	}
	for i := range ids {
		wg.Go(func() { ask(b, ids[n-1-i]) })
		waitQueued(t, b, i+1) // b's in the other
	}
	releaseA()
	releaseB()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var waiting int
		if err := third.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND wait_event_type = 'Lock'`, name).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the two replicas' inserts wait for the held id", waiting)
		}
		time.Sleep(time.Millisecond)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got := failed.Load(); got != 0 {
		t.Errorf("%d of the replicas' pipelines failed; want none", got)
	}
	if got := firsts.Load(); got != n {
		t.Fatalf("%d first deliveries of %d ids asked of both replicas; want %d", got, n, n)
	}
}

// The front holds a connection of its own: when other reads hold every
// other connection of the pool, the interactions' first questions are
// still answered.
func TestFrontDoesNotWaitForThePool(t *testing.T) {
	db := open(t, pgtest.Schema(t))
	ctx := t.Context()
	if _, err := db.Record(ctx, writerAnswer("ann", 1)); err != nil {
		t.Fatal(err)
	}
	holdPool(t, db)
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if first, err := db.FirstDelivery(rctx, "discord:1", time.Now()); err != nil || !first {
		t.Fatalf("FirstDelivery with every other connection of the pool in use = %v, %v; want a first delivery", first, err)
	}
	if st, err := db.ReadPress(rctx, "discord:1", "ann", "python-gil"); err != nil || st.Member.Points != 10 {
		t.Fatalf("ReadPress with every other connection of the pool in use = %+v, %v; want ann's 10 points", st.Member, err)
	}
}

// When the server drops the front's connection, a press's reads are sent
// again on a new connection rather than failing; a delivery id sent on
// the dropped connection may fail (its interaction is then handled
// anyway), and the next is answered.
func TestFrontReplacesADroppedConnection(t *testing.T) {
	u, name := namedSchema(t)
	db := open(t, u)
	ctx := t.Context()
	if _, err := db.Record(ctx, writerAnswer("ann", 1)); err != nil {
		t.Fatal(err)
	}
	drop := func() { dropConnections(t, db, name) }
	drop()
	if st, err := db.ReadPress(ctx, "discord:1", "ann", "python-gil"); err != nil || st.Member.Points != 10 {
		t.Fatalf("ReadPress after the server dropped the connections = %+v, %v; want ann's 10 points", st.Member, err)
	}
	drop()
	if _, err := db.FirstDelivery(ctx, "discord:x", time.Now()); err != nil && errors.Is(err, postgres.ErrClosed) {
		t.Fatalf("FirstDelivery after the server dropped the connections: %v", err)
	}
	if first, err := db.FirstDelivery(ctx, "discord:y", time.Now()); err != nil || !first {
		t.Fatalf("the next FirstDelivery = %v, %v; want a first delivery", first, err)
	}
}

// After Close, the front's questions fail with ErrClosed (not a panic on
// its closed queue).
func TestFrontAfterClose(t *testing.T) {
	db, err := postgres.Open(t.Context(), pgtest.Schema(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := db.FirstDelivery(t.Context(), "discord:1", time.Now()); !errors.Is(err, postgres.ErrClosed) {
		t.Fatalf("FirstDelivery after Close: %v; want ErrClosed", err)
	}
	if _, err := db.ReadPress(t.Context(), "discord:1", "ann", "c"); !errors.Is(err, postgres.ErrClosed) {
		t.Fatalf("ReadPress after Close: %v; want ErrClosed", err)
	}
}

// FirstPress asks what FirstDelivery and ReadPress ask, in one request to
// the front: a new id and the press's records, a redelivered id, and a
// press whose records cannot be read (the reads fail alone: the id is
// still checked, and the press reads again).
func TestFirstPressAsksBothAtOnce(t *testing.T) {
	db := open(t, pgtest.Schema(t))
	ctx := t.Context()
	if _, err := db.Record(ctx, writerAnswer("ann", 1)); err != nil {
		t.Fatal(err)
	}
	if err := db.SavePeek(ctx, "discord:1", "ann", "python-gil", bot.Peek{Day: "2026-12-02", Hint: true}); err != nil {
		t.Fatal(err)
	}
	batches := countFront(db)
	first, st, err := db.FirstPress(ctx, "discord:i1", time.Now(), "discord:1", "ann", "python-gil")
	if err != nil || !first || st == nil || st.Member.Points != 10 || !st.Peek.Hint {
		t.Fatalf("FirstPress = %v, %+v, %v; want a first delivery and ann's 10 points and hint", first, st, err)
	}
	if got := batches(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("the front's pipelines held %v requests; want one of 1", got)
	}
	if first, st, err := db.FirstPress(ctx, "discord:i1", time.Now(), "discord:1", "ann", "python-gil"); err != nil || first || st == nil {
		t.Fatalf("FirstPress of the id again = %v, %+v, %v; want it seen, and the reads", first, st, err)
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO members (grp, usr, data) VALUES ('discord:1', 'bad', '"not a member"')`); err != nil {
		t.Fatal(err)
	}
	first, st, err = db.FirstPress(ctx, "discord:i2", time.Now(), "discord:1", "bad", "python-gil")
	if err != nil || !first || st != nil {
		t.Fatalf("FirstPress of a damaged member = %v, %+v, %v; want a first delivery and no reads", first, st, err)
	}
	if _, err := db.ReadPress(ctx, "discord:1", "bad", "python-gil"); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("ReadPress of a damaged member: %v; want the damage named", err)
	}
}

// A press on a card asks the database its first questions, its delivery
// id and its reads, in one round trip: the bot's press is one request to
// the front, and the answer its reads led to is recorded as before; its
// redelivery is seen.
func TestPressAsksItsFirstQuestionsInOneRoundTrip(t *testing.T) {
	db := open(t, pgtest.Schema(t))
	ctx := t.Context()
	clock := bottest.NewClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	b := bot.New(bot.Config{Bank: bottest.Bank(t), Store: db, Clock: clock, DrawLimit: -1})
	req := bot.Request{Platform: "discord", Group: "discord:1", Channel: "c1", User: bot.User{ID: "ann", Name: "Ann"}}
	draw := req
	draw.Command = "question"
	r, err := b.Handle(ctx, draw)
	if err != nil {
		t.Fatal(err)
	}
	var option string
	for _, btn := range r.Buttons {
		if a, err := bot.ParseAction(btn.ID); err == nil && a.Kind == bot.ActionOption {
			option = btn.ID
			break
		}
	}
	if option == "" {
		t.Fatalf("the drawn card %+v has no option to press", r)
	}
	batches := countFront(db)
	press := req
	press.Action = option
	pctx, first := b.FirstDeliveryOf(ctx, "discord", "i1", press)
	if !first {
		t.Fatal("the press's delivery id was seen before")
	}
	v, err := b.Handle(pctx, press)
	if err != nil {
		t.Fatalf("the press: %v", err)
	}
	if asked := len(batches()); asked != 1 {
		t.Fatalf("the press sent %d pipelines to the front; want 1 (its delivery id and its reads together)", asked)
	}
	if m, err := db.Member(ctx, "discord:1", "ann"); err != nil || m.Tally.Answered != 1 {
		t.Fatalf("after the press (%q) ann is %+v, %v; want one answer recorded", v.Title, m, err)
	}
	if _, first := b.FirstDeliveryOf(ctx, "discord", "i1", press); first {
		t.Fatal("the press's redelivery was taken for a first delivery")
	}
}
