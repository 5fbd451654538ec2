package bot

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Pacer spaces out calls: each Wait returns at least Gap after the previous
// one was allowed, so a daily fan-out to many channels stays under a
// platform's rate limit instead of bursting into 429s. The zero value does
// not wait.
type Pacer struct {
	Gap  time.Duration
	mu   sync.Mutex
	next time.Time
}

// Wait blocks until the caller's turn, or until ctx is done.
func (p *Pacer) Wait(ctx context.Context) {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.Gap)
	p.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(at)):
	}
}

// RetryRateLimited runs call, and when it fails with a rate limit (wait
// reports how long the platform asked to wait), waits that long and tries
// again, at most maxRetries times. onWait is told of every wait (for logs
// and metrics). A wait longer than a minute is not waited out.
func RetryRateLimited(ctx context.Context, maxRetries int, call func() error, wait func(error) (time.Duration, bool), onWait func(time.Duration)) error {
	for attempt := 0; ; attempt++ {
		err := call()
		d, limited := wait(err)
		if !limited {
			return err
		}
		onWait(d)
		if attempt >= maxRetries || d > time.Minute {
			return fmt.Errorf("rate limited for %v after %d retries: %w", d, attempt, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}
