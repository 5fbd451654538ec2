package bot

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Pacer spaces out calls: each Wait returns at least Gap after the previous
// one was allowed, so a daily fan-out to many channels stays under a
// platform's rate limit instead of bursting into 429s. Hold stops every
// call until a moment (a platform's global rate limit), however far away.
// The zero value does not wait.
type Pacer struct {
	Gap time.Duration
	// Now and Sleep are the pacer's clock (nil: the real one). Sleep waits
	// d or until ctx is done, and then returns ctx's error. Tests set both,
	// so a wait of minutes takes none.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next time.Time
	hold time.Time
}

func (p *Pacer) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Pacer) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Wait blocks until the caller's turn, or until ctx is done (then it
// returns ctx's error). A turn is never inside a hold: a caller whose turn
// came up while a hold began takes a new turn after it.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		now := p.now()
		at := latest(p.next, now, p.hold)
		p.next = at.Add(p.Gap)
		p.mu.Unlock()
		if err := p.sleep(ctx, at.Sub(now)); err != nil {
			return err
		}
		p.mu.Lock()
		held := p.hold.After(p.now())
		p.mu.Unlock()
		if !held {
			return nil
		}
	}
}

// Hold makes every call wait until the moment until: the platform said
// that no request may be made before it (a global rate limit). A hold
// never shortens one already in force.
func (p *Pacer) Hold(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.hold) {
		p.hold = until
	}
}

// Held waits until no hold is in force (without taking a turn), or until
// ctx is done.
func (p *Pacer) Held(ctx context.Context) error {
	for {
		p.mu.Lock()
		d := p.hold.Sub(p.now())
		p.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// HeldUntil reports the end of the hold in force (zero when none ever was).
func (p *Pacer) HeldUntil() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hold
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// Retry runs call, and when it fails with a rate limit (wait reports how
// long the platform asked to wait), waits that long, and until any hold
// has passed, and tries again, at most maxRetries times. onWait is told of
// every wait (for logs and metrics). However long the wait, it is waited
// out, unless ctx is done first: trying again sooner would only fire more
// requests into a limit the platform has announced (and Discord bans an
// address after 10,000 refused requests in 10 minutes).
func (p *Pacer) Retry(ctx context.Context, maxRetries int, call func() error, wait func(error) (time.Duration, bool), onWait func(time.Duration)) error {
	for attempt := 0; ; attempt++ {
		err := call()
		d, limited := wait(err)
		if !limited {
			return err
		}
		onWait(d)
		if attempt >= maxRetries {
			return fmt.Errorf("rate limited for %v after %d retries: %w", d, attempt, err)
		}
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
		if err := p.Held(ctx); err != nil {
			return err
		}
	}
}

// RetryRateLimited is Retry on the real clock, with no hold.
func RetryRateLimited(ctx context.Context, maxRetries int, call func() error, wait func(error) (time.Duration, bool), onWait func(time.Duration)) error {
	var p Pacer
	return p.Retry(ctx, maxRetries, call, wait, onWait)
}

// HoldFor holds every call for d from now (on the pacer's clock).
func (p *Pacer) HoldFor(d time.Duration) { p.Hold(p.now().Add(d)) }
