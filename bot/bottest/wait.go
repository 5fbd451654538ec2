package bottest

import (
	"runtime"
	"testing"
	"time"
)

// Patience is how long Await and WaitUntil wait before they fail the
// test. It is a bound on a failure, never a pause: both return as soon as
// what they wait for has happened.
const Patience = 10 * time.Second

// Await returns the first value received from ch (the zero value once ch
// is closed), failing the test if none comes within Patience. what says
// what is awaited ("ServeHTTP to return").
func Await[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(Patience)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("waited %v for %s", Patience, what)
		var zero T
		return zero
	}
}

// WaitUntil returns once cond holds, failing the test if it does not
// within Patience. It checks cond again each time the other goroutines
// have had the processor (it never sleeps), so it is for a state another
// goroutine is about to reach, not for one a timer brings.
func WaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", Patience, what)
		}
		runtime.Gosched()
	}
}
