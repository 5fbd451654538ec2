package bot

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
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
