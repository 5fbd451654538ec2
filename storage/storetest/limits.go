package storetest

import (
	"sync"
	"testing"
	"time"
)

func testLimits(t *testing.T, open Opener) {
	const window = time.Minute
	t.Run("limit events a window, then one more as the oldest leaves it", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		type step struct {
			at      time.Duration // after t0
			ok      bool
			retryAt time.Duration // after t0, when not ok
		}
		for i, st := range []step{
			{0, true, 0},
			{10 * time.Second, true, 0},
			{20 * time.Second, true, 0},
			{30 * time.Second, false, window},                        // three in the window: the first leaves at t0+1m
			{59 * time.Second, false, window},                        // a refusal is not counted
			{window, true, 0},                                        // the first left: t0+10s, +20s, +1m
			{window + 5*time.Second, false, window + 10*time.Second}, // the next leaves at t0+1m10s
			{3 * window, true, 0},                                    // all gone
		} {
			ok, retryAt, err := s.Allow(ctx, "k", t0.Add(st.at), 3, window)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if ok != st.ok || !st.ok && !retryAt.Equal(t0.Add(st.retryAt)) {
				t.Fatalf("step %d: Allow at t0+%v = %v, retry at %v; want %v, retry at t0+%v", i, st.at, ok, retryAt, st.ok, st.retryAt)
			}
		}
	})
	t.Run("keys count apart", func(t *testing.T) {
		s := store(t, open)
		ctx := t.Context()
		for _, k := range []string{"draw\x1fg\x1fann\x1fquestion", "draw\x1fg\x1fann\x1freview", "draw\x1fg\x1fbob\x1fquestion", "draw\x1fh\x1fann\x1fquestion"} {
			if ok, _, err := s.Allow(ctx, k, t0, 1, window); err != nil || !ok {
				t.Errorf("Allow(%q) = %v, %v; want the first event of each key counted", k, ok, err)
			}
		}
		if ok, _, err := s.Allow(ctx, "draw\x1fg\x1fann\x1fquestion", t0, 1, window); err != nil || ok {
			t.Errorf("a second event of a key at its limit = %v, %v; want refused", ok, err)
		}
	})
	t.Run("concurrent events: at most limit counted", func(t *testing.T) {
		s := store(t, open)
		const n, limit = 20, 5
		var wg sync.WaitGroup
		oks := make([]bool, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				oks[i], _, errs[i] = s.Allow(t.Context(), "k", t0.Add(time.Duration(i)*time.Millisecond), limit, window)
			})
		}
		close(start)
		wg.Wait()
		counted := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Allow %d: %v", i, errs[i])
			}
			if oks[i] {
				counted++
			}
		}
		if counted != limit {
			t.Errorf("%d concurrent events with a limit of %d: %d counted", n, limit, counted)
		}
	})
}
