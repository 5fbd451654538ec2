package adapter

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer spaces out calls: each Wait returns at least Gap after the previous
// one was allowed (a token bucket of one token, refilled every Gap), so a
// daily fan-out to many channels stays under a platform's rate limit
// instead of bursting into 429s. Hold stops every call until a moment (a
// platform's global rate limit), however far away. The zero value does not
// wait. Set Gap, Now and Sleep before the first call.
type Pacer struct {
	Gap time.Duration
	// Now and Sleep are the pacer's clock (nil: the real one). Sleep waits
	// d or until ctx is done, and then returns ctx's error. Tests set both,
	// so a wait of minutes takes none.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	limiter *rate.Limiter
	hold    time.Time
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

// reserve takes the next turn at or after now. Called with p.mu held.
func (p *Pacer) reserve(now time.Time) *rate.Reservation {
	if p.limiter == nil {
		limit := rate.Inf
		if p.Gap > 0 {
			limit = rate.Every(p.Gap)
		}
		p.limiter = rate.NewLimiter(limit, 1)
	}
	return p.limiter.ReserveN(now, 1)
}

// Wait blocks until the caller's turn, or until ctx is done (then it
// returns ctx's error and gives the turn back). A turn is never inside a
// hold: a caller whose turn came up while a hold began takes a new turn
// after it.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		if err := p.Held(ctx); err != nil {
			return err
		}
		p.mu.Lock()
		now := p.now()
		r := p.reserve(now)
		p.mu.Unlock()
		if err := p.sleep(ctx, r.DelayFrom(now)); err != nil {
			r.CancelAt(p.now())
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

// HoldFor holds every call for d from now (on the pacer's clock).
func (p *Pacer) HoldFor(d time.Duration) { p.Hold(p.now().Add(d)) }

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

// Retry runs call, and when it fails with a rate limit (wait reports how
// long the platform asked to wait), waits that long, and until any hold
// has passed, and tries again, at most maxRetries times. onWait is told of
// every wait (for logs and metrics). However long the wait, it is waited
// out, unless ctx is done first: trying again sooner would only fire more
// requests into a limit the platform has announced (and Discord bans an
// address after 10,000 refused requests in 10 minutes). Retry takes no
// turn: a call paced by Wait is retried at once after its wait.
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
