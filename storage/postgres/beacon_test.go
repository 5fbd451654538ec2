package postgres_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// While another replica records answers to the same schema, a replica's
// second writer stands aside and its first records them all; once the
// other replica stops (here: closes, releasing its beacon), the second
// writer takes answers again. A replica recording to another schema of
// the same database does not count.
func TestHelperWriterStandsAsideForAnotherReplica(t *testing.T) {
	defer postgres.SetBeacon(5*time.Millisecond, time.Minute)()
	url := pgtest.Schema(t)
	ctx := t.Context()
	a := open(t, url)
	var mu sync.Mutex
	groups := [2]int{} // a's groups by writer
	a.OnWriterGroup(func(w, _ int) {
		mu.Lock()
		groups[w]++
		mu.Unlock()
	})
	count := func() [2]int {
		mu.Lock()
		defer mu.Unlock()
		return groups
	}
	reset := func() {
		mu.Lock()
		groups = [2]int{}
		mu.Unlock()
	}
	var round int
	recordA := func(n int) { // n answers of new members at once
		t.Helper()
		round++
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				if _, err := a.Record(ctx, writerAnswer(fmt.Sprintf("a%d-%d", round, i), 1)); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	// first alone, with a busy replica in another schema: a's second
	// writer records too
	other := open(t, pgtest.Schema(t))
	stop := make(chan struct{})
	var busy sync.WaitGroup
	keepRecording := func(db *postgres.DB, name string) {
		busy.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.Record(ctx, writerAnswer(fmt.Sprintf("%s%d", name, i), 1)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	keepRecording(other, "o")
	for deadline := time.Now().Add(20 * time.Second); count()[1] == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("recording alone in its schema, a's second writer recorded no group (groups by writer %v)", count())
		}
		recordA(16)
	}
	if n := a.OtherReplicas(); n != 0 {
		t.Fatalf("a sees %d other replicas recording; want 0 (the other one records to another schema)", n)
	}
	// b records to a's schema
	b := open(t, url)
	keepRecording(b, "b")
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		busy.Wait()
	}()
	for deadline := time.Now().Add(20 * time.Second); a.OtherReplicas() != 1; {
		if time.Now().After(deadline) {
			t.Fatalf("a sees %d other replicas recording; want 1", a.OtherReplicas())
		}
		recordA(4)
	}
	recordA(16) // a second writer waiting for an answer when b was seen takes one more group
	reset()
	for range 10 {
		recordA(16)
	}
	if g := count(); g[1] != 0 || g[0] == 0 {
		t.Fatalf("with another replica recording, a's writers recorded %d and %d groups; want the first writer's alone", g[0], g[1])
	}
	// b stops and closes
	close(stop)
	busy.Wait()
	b.Close()
	for deadline := time.Now().Add(20 * time.Second); a.OtherReplicas() != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("b closed, and a still sees %d other replicas recording; want 0", a.OtherReplicas())
		}
		recordA(4)
	}
	reset()
	for deadline := time.Now().Add(20 * time.Second); count()[1] == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("alone again, a's second writer recorded no group (groups by writer %v)", count())
		}
		recordA(16)
	}
}

// Recording alone in its replica while another replica records too (here
// the replica has one writer), the writer waits (GroupWait at most) until
// its group holds as many answers as its last group did plus those
// waiting when it began: the answers of its last group, coming back from
// their members, join the ones that waited, rather than make a group of
// their own. A last group of one answer is not waited for.
func TestAloneWriterWaitsForItsLastGroup(t *testing.T) {
	defer postgres.SetBeacon(5*time.Millisecond, time.Minute)()
	url := pgtest.Schema(t)
	ctx := t.Context()
	a, err := postgres.Open(ctx, url, postgres.Options{Writers: 1, GroupWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b := open(t, url)
	record := func(db *postgres.DB, user string) error {
		_, err := db.Record(ctx, writerAnswer(user, 1))
		return err
	}
	// both record: each sees the other
	if err := record(b, "b1"); err != nil {
		t.Fatal(err)
	}
	for deadline, i := time.Now().Add(20*time.Second), 0; a.OtherReplicas() != 1; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("a sees %d other replicas recording; want 1", a.OtherReplicas())
		}
		if err := record(a, fmt.Sprint("warm", i)); err != nil { // groups of one
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var groups []int
	a.OnWriterGroup(func(_, n int) {
		mu.Lock()
		groups = append(groups, n)
		mu.Unlock()
	})
	committed := func() []int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(groups)
	}
	// the first two groups stop after their reads until released
	held, free, freeAll := holdGroups(a, 2)
	defer freeAll()
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	recordA := func(users ...string) {
		for _, u := range users {
			wg.Go(func() {
				if err := record(a, u); err != nil {
					errs <- fmt.Errorf("%s: %w", u, err)
				}
			})
		}
	}
	queued := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); a.Queued() < n; {
			if time.Now().After(deadline) {
				t.Fatalf("%d answers queued; want %d", a.Queued(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	recordA("u1")
	<-held // the writer holds [u1]
	recordA("u2", "u3")
	queued(2)
	free(0) // [u1] commits; the writer takes the two waiting, and does not wait for u1's member
	<-held
	recordA("u4", "u5", "u6", "u7", "u8", "u9")
	queued(6)
	free(1) // [u2 u3] commits; the writer takes the six waiting, and waits for two more
	for deadline := time.Now().Add(20 * time.Second); a.Queued() > 0 || len(committed()) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the writer took no answers: %d queued, groups %v", a.Queued(), committed())
		}
		time.Sleep(time.Millisecond)
	}
	recordA("u10", "u11")
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if g := committed(); !slices.Equal(g, []int{1, 2, 8}) {
		t.Fatalf("groups %v; want 1, 2, then the six that waited with the two that came back: 8", g)
	}
}

// A replica that begins recording after a pause says so at once, not at
// its beacon's next look: here the beacon looks once an hour, and each
// replica's first answer is what makes it announce itself and count the
// others.
func TestReplicaSaysAtOnceThatItRecords(t *testing.T) {
	defer postgres.SetBeacon(time.Hour, time.Minute)()
	url := pgtest.Schema(t)
	ctx := t.Context()
	a, b := open(t, url), open(t, url)
	holders := func() int {
		var n int
		if err := a.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND objsubid = 2 AND classid = 1886545264 AND objid = hashtext(current_schema())::oid`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := holders(); n != 0 {
		t.Fatalf("%d replicas say they record before either recorded an answer; want 0", n)
	}
	if _, err := a.Record(ctx, writerAnswer("ann", 1)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); holders() != 1; {
		if time.Now().After(deadline) {
			t.Fatalf("%d replicas say they record after a's first answer; want 1", holders())
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := b.Record(ctx, writerAnswer("bob", 1)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); b.OtherReplicas() != 1; {
		if time.Now().After(deadline) {
			t.Fatalf("after its first answer b sees %d other replicas recording; want 1 (a)", b.OtherReplicas())
		}
		time.Sleep(time.Millisecond)
	}
}
