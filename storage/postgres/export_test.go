package postgres

import "time"

// SetIdleCheck sets how long the answer writers' connections may sit idle
// before they are pinged before use, for writers started after it, and
// returns a function that restores it.
func SetIdleCheck(d time.Duration) (restore func()) {
	old := idleCheck
	idleCheck = d
	return func() { idleCheck = old }
}

// AfterRead has f called by d's answer writers after each group's reads,
// before its writes. Set it before the answers it is for are recorded.
func (d *DB) AfterRead(f func()) { d.afterRead = f }

// Queued is how many answers wait for a writer.
func (d *DB) Queued() int { return len(d.recq) }
