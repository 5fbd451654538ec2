package adapter

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock is a pacer clock whose sleeps take no time: each advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	before func(d time.Duration) // called before a sleep advances the clock
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.before != nil {
		c.before(d)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept = append(c.slept, d)
	}
	return nil
}

func newPacer(gap time.Duration) (*Pacer, *fakeClock) {
	c := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	return &Pacer{Gap: gap, Now: c.Now, Sleep: c.Sleep}, c
}

var errLimited = errors.New("429")

// A global limit of 65 seconds (Discord's documented example: Retry-After
// 65, no X-RateLimit-Reset-After) is waited out, not given up on, and holds
// every following call until it has passed.
func TestRetryWaitsOutALongGlobalLimit(t *testing.T) {
	p, c := newPacer(21 * time.Millisecond)
	start := c.Now()
	calls := 0
	var waits []time.Duration
	err := p.Retry(context.Background(), 3, func() error {
		calls++
		if calls == 1 {
			p.Hold(c.Now().Add(65 * time.Second)) // what the adapter learns from the headers
			return errLimited
		}
		return nil
	}, func(err error) (time.Duration, bool) {
		if errors.Is(err, errLimited) {
			return 64570 * time.Millisecond, true // the body's retry_after
		}
		return 0, false
	}, func(d time.Duration) { waits = append(waits, d) })
	if err != nil || calls != 2 {
		t.Fatalf("want the call retried once after the wait: err %v, %d calls", err, calls)
	}
	if got := c.Now().Sub(start); got < 65*time.Second {
		t.Fatalf("retried %v after a 65s global limit", got)
	}
	if len(waits) != 1 || waits[0] != 64570*time.Millisecond {
		t.Fatalf("onWait told %v", waits)
	}

	// every Wait after a new hold returns after it, one Gap apart
	hold := c.Now().Add(65 * time.Second)
	p.Hold(hold)
	var turns []time.Time
	for i := 0; i < 3; i++ {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		turns = append(turns, c.Now())
	}
	for i, at := range turns {
		if at.Before(hold) {
			t.Fatalf("turn %d at %v, before the hold ended at %v", i, at, hold)
		}
		if i > 0 && at.Sub(turns[i-1]) < p.Gap {
			t.Fatalf("turns %d and %d only %v apart", i-1, i, at.Sub(turns[i-1]))
		}
	}
}

// A turn that came up while a hold began is taken again after the hold.
func TestWaitTakesANewTurnAfterAHoldThatBeganMeanwhile(t *testing.T) {
	p, c := newPacer(time.Second)
	var hold time.Time
	c.before = func(time.Duration) {
		if hold.IsZero() { // the first sleep: a 429 arrives meanwhile
			hold = c.Now().Add(90 * time.Second)
			p.Hold(hold)
		}
	}
	p.Wait(context.Background()) // first turn: now
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Now().Before(hold) {
		t.Fatalf("the turn was taken at %v, inside the hold until %v", c.Now(), hold)
	}
}

// A wait, however long, ends when ctx is done.
func TestRetryStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, c := newPacer(0)
	c.before = func(time.Duration) { cancel() }
	err := p.Retry(ctx, 3, func() error { return errLimited }, func(error) (time.Duration, bool) { return time.Hour, true }, func(time.Duration) {})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want the wait cut short by ctx, got %v", err)
	}
	// and retries stay bounded
	p, _ = newPacer(0)
	calls := 0
	err = p.Retry(context.Background(), 2, func() error { calls++; return errLimited }, func(error) (time.Duration, bool) { return time.Second, true }, func(time.Duration) {})
	if err == nil || calls != 3 {
		t.Fatalf("want 3 calls then an error, got %d, %v", calls, err)
	}
}
