package bottest

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestClockSleepTakesNoTime(t *testing.T) {
	c := NewClock(RigStart)
	ctx := t.Context()
	for _, d := range []time.Duration{65 * time.Second, 0, -time.Second, time.Millisecond} {
		before := c.Now()
		if err := c.Sleep(ctx, d); err != nil {
			t.Fatalf("Sleep(%v): %v", d, err)
		}
		if got, want := c.Now().Sub(before), max(d, 0); got != want {
			t.Errorf("Sleep(%v) moved the clock by %v, want %v", d, got, want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	before := c.Now()
	if err := c.Sleep(cancelled, time.Minute); !errors.Is(err, context.Canceled) || !c.Now().Equal(before) {
		t.Errorf("Sleep with a cancelled ctx: %v, clock moved by %v; want context.Canceled and no move", err, c.Now().Sub(before))
	}
}
