package adapter

import (
	"testing"
	"time"
)

// Work that finishes before the deadline is returned; onDeadline and late
// are not called.
func TestRaceInTime(t *testing.T) {
	var f InFlight
	deadline := make(chan time.Time)
	got, ok := Race(&f, deadline, func() int { return 7 },
		func() { t.Error("onDeadline called for work in time") },
		func(int) { t.Error("late called for work in time") })
	if !ok || got != 7 {
		t.Fatalf("got %d, %v", got, ok)
	}
	if !f.Wait(time.Second) {
		t.Fatal("work still counted")
	}
}

// Work that outlives the deadline: onDeadline runs first, then late gets
// the result, and both are counted until done.
func TestRaceLate(t *testing.T) {
	var f InFlight
	deadline := make(chan time.Time, 1)
	deadline <- time.Time{}
	release := make(chan struct{})
	var order []string
	got := make(chan int, 1)
	v, ok := Race(&f, deadline, func() int { <-release; return 7 },
		func() { order = append(order, "deadline") },
		func(v int) { order = append(order, "late"); got <- v })
	if ok || v != 0 {
		t.Fatalf("want no result at the deadline, got %d, %v", v, ok)
	}
	if f.Wait(0) {
		t.Fatal("the late work is not counted")
	}
	close(release)
	if v := <-got; v != 7 {
		t.Fatalf("late got %d", v)
	}
	if !f.Wait(time.Second) {
		t.Fatal("work still counted")
	}
	if len(order) != 2 || order[0] != "deadline" {
		t.Fatalf("order %v", order)
	}
}
