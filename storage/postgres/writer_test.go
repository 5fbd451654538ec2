package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

func writerAnswer(user string, post uint64) *bot.Answer {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	return &bot.Answer{Kind: bot.KindAnswer, Group: "discord:1", Channel: "c1", User: user, PostID: post, CardID: "python-gil",
		Category: "python", Correct: true, Points: 10, At: at, Day: "2026-12-02", Periods: bot.Periods(at, time.UTC)}
}

// A group of answers is one transaction in two round trips: BEGIN goes in
// the pipeline of the first statements, COMMIT in that of the last, never
// as round trips of their own.
func TestAnswerGroupCommitsInTwoRoundTrips(t *testing.T) {
	url := pgtest.Schema(t)
	var mu sync.Mutex
	var verbs []string
	counting := false
	db, err := postgres.Open(t.Context(), url, postgres.Options{Statements: func(verb string, _ time.Duration, failed bool) {
		mu.Lock()
		defer mu.Unlock()
		if counting {
			if failed {
				verb += " (failed)"
			}
			verbs = append(verbs, verb)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mu.Lock()
	counting = true
	mu.Unlock()
	m, err := db.Record(t.Context(), writerAnswer("ann", 1))
	if err != nil || m.Points != 10 {
		t.Fatalf("Record = %+v, %v; want 10 points", m, err)
	}
	mu.Lock()
	got := strings.Join(verbs, " ")
	mu.Unlock()
	if got != "BATCH BATCH" {
		t.Fatalf("recording an answer ran %q; want two pipelines, BATCH BATCH", got)
	}
	// and it is committed: another connection sees it
	other := open(t, url)
	if m, err := other.Member(t.Context(), "discord:1", "ann"); err != nil || m.Points != 10 {
		t.Fatalf("another replica reads %+v, %v; want the answer's 10 points", m, err)
	}
}

// The answer writer holds a connection of its own: when the presses' reads
// hold every other connection of the pool, answers are still recorded.
func TestWriterDoesNotWaitForThePool(t *testing.T) {
	db := open(t, pgtest.Schema(t))
	ctx := t.Context()
	// the writer took its connection at Open; hold the rest
	holdPool(t, db)
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := db.Record(rctx, writerAnswer("ann", 1)); err != nil {
		t.Fatalf("Record with every other connection of the pool in use: %v; want it recorded", err)
	}
}

// A group whose transaction fails is rolled back: the writer's connection
// is not left in a failed transaction, and the next answers are recorded.
func TestWriterRollsBackAFailedGroup(t *testing.T) {
	url := pgtest.Schema(t)
	db := open(t, url)
	ctx := t.Context()
	// a member record the backend cannot read: recording their answer fails
	if _, err := db.Pool().Exec(ctx, `INSERT INTO members (grp, usr, data) VALUES ('discord:1', 'bad', '"not a member"')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Record(ctx, writerAnswer("bad", 1)); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("Record for a damaged member: %v; want the damage named", err)
	}
	for i, user := range []string{"ann", "ben"} {
		if m, err := db.Record(ctx, writerAnswer(user, uint64(2+i))); err != nil || m.Points != 10 {
			t.Fatalf("Record after the failed group = %+v, %v; want 10 points", m, err)
		}
	}
	if a, err := db.Answer(ctx, "discord:1", "bad", bot.KindAnswer, 1); err == nil {
		t.Fatalf("the failed group's answer was kept: %+v", a)
	}
}

// When the server drops the writer's connection while it sits idle (a
// restart of PostgreSQL, a proxy's idle timeout), the next answer is
// recorded on a new connection rather than failing.
func TestWriterReplacesADroppedConnection(t *testing.T) {
	u, name := namedSchema(t)
	defer postgres.SetIdleCheck(0)() // the writer pings its connection before every group
	db := open(t, u)
	ctx := t.Context()
	if _, err := db.Record(ctx, writerAnswer("ann", 1)); err != nil {
		t.Fatal(err)
	}
	dropped := dropConnections(t, db, name)
	if m, err := db.Record(ctx, writerAnswer("ann", 2)); err != nil || m.Points != 20 {
		t.Fatalf("Record after the server dropped %d connections = %+v, %v; want 20 points", dropped, m, err)
	}
}

// A score the writer read none of is inserted as a new row. Should another
// transaction write it between the group's reads and its writes (no writer
// of prepbot's does: each holds the member's lock), PostgreSQL refuses the
// insert, and the group is tried again, reading the row and adding the
// answer to it rather than failing or writing over it.
func TestScoreWrittenMeanwhileIsReadAgain(t *testing.T) {
	url := pgtest.Schema(t)
	db := open(t, url)
	ctx := t.Context()
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	var once sync.Once
	var wrote error
	db.AfterRead(func() {
		once.Do(func() {
			_, wrote = other.Exec(ctx, `INSERT INTO scores (grp, period, category, usr, points, accuracy, reached, answered, correct, data)
				VALUES ('discord:1', 'all', '', 'ann', 100, 1000000, 1, 4, 4,
					'{"user":"ann","name":"ann","points":100,"answered":4,"correct":4,"reached_at":"2026-11-30T09:00:00Z","days":1,"last_day":"2026-11-30"}')`)
		})
	})
	m, err := db.Record(ctx, writerAnswer("ann", 1))
	if wrote != nil {
		t.Fatalf("writing the score meanwhile: %v", wrote)
	}
	if err != nil || m.Points != 10 {
		t.Fatalf("Record = %+v, %v; want the answer recorded, 10 points", m, err)
	}
	top, err := db.Leaderboard(ctx, "discord:1", bot.PeriodAll, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 1 || top[0].User != "ann" || top[0].Points != 110 || top[0].Answered != 5 || top[0].Days != 2 {
		t.Fatalf("all-time board = %+v; want ann with the 100 points written meanwhile plus the answer's 10, 5 answered, 2 days", top)
	}
	// the answer is recorded once
	var n int
	if err := other.QueryRow(ctx, "SELECT count(*) FROM answers").Scan(&n); err != nil || n != 1 {
		t.Fatalf("answers: %d, %v; want 1", n, err)
	}
}

// holdGroups has db's first n groups stop after their reads: held says
// which group (1, 2, ...) stopped, free(i) lets group i+1 go on, and
// freeAll, deferred by the test before db closes, lets every one go on
// (db.Close waits for its writers).
func holdGroups(db *postgres.DB, n int) (held <-chan int, free func(i int), freeAll func()) {
	var mu sync.Mutex
	calls := 0
	reached := make(chan int, n)
	release := make([]chan struct{}, n)
	for i := range release {
		release[i] = make(chan struct{})
	}
	freed := make([]bool, n)
	free = func(i int) {
		mu.Lock()
		defer mu.Unlock()
		if !freed[i] {
			freed[i] = true
			close(release[i])
		}
	}
	db.AfterRead(func() {
		mu.Lock()
		calls++
		c := calls
		mu.Unlock()
		if c <= n {
			reached <- c
			<-release[c-1]
		}
	})
	return reached, free, func() {
		for i := range n {
			free(i)
		}
	}
}

// While one writer is mid-transaction with a group of n answers, the other
// waits until n/2 answers wait for it (Options.GroupWait at most), rather
// than record each as it comes; an answer that arrives while the other
// writer's group is a single answer is not held.
func TestSecondWriterWaitsForHalfAGroup(t *testing.T) {
	url := pgtest.Schema(t)
	db, err := postgres.Open(t.Context(), url, postgres.Options{Writers: 2, GroupWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	// the first three groups stop after their reads until released
	reached, free, freeAll := holdGroups(db, 3)
	defer freeAll() // a failed test's writers finish before db.Close waits for them
	var groupsMu sync.Mutex
	var groups []int
	db.OnGroup(func(n int) {
		groupsMu.Lock()
		groups = append(groups, n)
		groupsMu.Unlock()
	})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	record := func(users ...string) {
		for _, u := range users {
			wg.Go(func() {
				if _, err := db.Record(ctx, writerAnswer(u, 1)); err != nil {
					errs <- fmt.Errorf("%s: %w", u, err)
				}
			})
		}
	}
	committed := func() []int {
		groupsMu.Lock()
		defer groupsMu.Unlock()
		return slices.Clone(groups)
	}
	awaitCall := func(want int) {
		t.Helper()
		select {
		case n := <-reached:
			if n != want {
				t.Fatalf("group %d reached its writes; want group %d", n, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("group %d never reached its writes (groups so far: %v)", want, committed())
		}
	}
	record("u1")
	awaitCall(1) // one writer holds [u1]
	record("u2")
	awaitCall(2) // the other writer took u2 at once: the first's group is one answer
	record("u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10")
	for deadline := time.Now().Add(20 * time.Second); db.Queued() < 8; {
		if time.Now().After(deadline) {
			t.Fatalf("%d answers queued; want 8", db.Queued())
		}
		time.Sleep(time.Millisecond)
	}
	free(0) // [u1] commits; its writer takes the eight waiting
	awaitCall(3)
	free(1) // [u2] commits; its writer is free while the other holds eight
	for deadline := time.Now().Add(20 * time.Second); len(committed()) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the first two groups did not commit: %v", committed())
		}
		time.Sleep(time.Millisecond)
	}
	record("u11", "u12", "u13", "u14")
	for deadline := time.Now().Add(20 * time.Second); len(committed()) < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("the four answers were not recorded: groups %v", committed())
		}
		time.Sleep(time.Millisecond)
	}
	if g := committed()[2]; g != 4 {
		t.Fatalf("with the other writer holding eight answers, the free writer recorded a group of %d; want it to wait for 4 (groups %v)", g, committed())
	}
	free(2)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if g := committed(); !slices.Equal(g, []int{1, 1, 4, 8}) {
		t.Fatalf("groups %v; want 1, 1, 4, 8", g)
	}
}
