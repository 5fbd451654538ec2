package storage

import (
	"context"
	"sync"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// limits are the counts of bot.LimitStore. One process serves a bbolt
// file, so they live in its memory: a restart forgets the last minute's
// draws, which costs nothing but a fresh allowance.
type limits struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

// Allow implements bot.LimitStore (bot.SlideWindow on counts in memory).
func (d *DB) Allow(ctx context.Context, key string, at time.Time, limit int, window time.Duration) (bool, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return false, time.Time{}, err
	}
	l := &d.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.times == nil {
		l.times = map[string][]time.Time{}
	}
	kept, ok, retryAt := bot.SlideWindow(l.times[key], at, limit, window)
	l.times[key] = kept
	if len(l.times) > 100_000 { // forget idle keys
		for k, ts := range l.times {
			if len(ts) == 0 || at.Sub(ts[len(ts)-1]) > window {
				delete(l.times, k)
			}
		}
	}
	return ok, retryAt, nil
}
