package adapter

import (
	"sync"
	"time"
)

// InFlight counts work an adapter started in the background (a deferred
// reply, a socket-mode envelope), so shutdown can let it finish before the
// database closes. The zero value is ready to use.
type InFlight struct{ wg sync.WaitGroup }

// Go runs fn in a goroutine, counted.
func (f *InFlight) Go(fn func()) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		fn()
	}()
}

// Wait waits for the counted work to finish, at most d, and reports
// whether it all finished.
func (f *InFlight) Wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		f.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// Race runs work on a goroutine counted by f and waits for its result
// until deadline fires: a platform wants a first answer within a few
// seconds, and the work (a database write, the bot's reply) may take
// longer. When the result comes first, Race returns it and true.
// Otherwise Race calls onDeadline (a deferral, say; nil for none), then
// hands the result, once it comes, to late on a goroutine counted by f
// (nil: it is dropped), and returns the zero value and false at once. late
// never runs before onDeadline has returned.
func Race[T any](f *InFlight, deadline <-chan time.Time, work func() T, onDeadline func(), late func(T)) (T, bool) {
	done := make(chan T, 1)
	f.Go(func() { done <- work() })
	select {
	case r := <-done:
		return r, true
	case <-deadline:
	}
	if onDeadline != nil {
		onDeadline()
	}
	if late != nil {
		f.Go(func() { late(<-done) })
	}
	var zero T
	return zero, false
}
