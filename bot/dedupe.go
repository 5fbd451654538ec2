package bot

import (
	"sync"
	"time"
)

// Dedupe remembers delivery ids (a Discord interaction id, a Slack envelope
// id) for an hour, so an adapter handles a redelivery once. Answers are
// idempotent in the store as well; this keeps a redelivered command from
// drawing a second card. The zero value is ready to use.
type Dedupe struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// First reports whether id is seen for the first time (an empty id always is).
func (d *Dedupe) First(id string) bool {
	if id == "" {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if d.seen == nil {
		d.seen = map[string]time.Time{}
	}
	if _, ok := d.seen[id]; ok {
		return false
	}
	if len(d.seen) >= 10000 {
		for k, t := range d.seen {
			if now.Sub(t) > time.Hour {
				delete(d.seen, k)
			}
		}
	}
	d.seen[id] = now
	return true
}
