package bottest

import (
	"context"
	"time"
)

// Sleep moves the clock forward by d at once, instead of waiting (a
// non-positive d leaves it), unless ctx is done: then it returns ctx's
// error, as a sleep cut short does. It makes a Clock a pacer's clock (see
// adapter.Pacer) whose waits take no time.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Add(d)
	}
	return nil
}
