package main

import "time"

// waitABit polls for another goroutine's side effect (a socket file); it is
// a poll interval, not a timing assumption.
func waitABit() { time.Sleep(10 * time.Millisecond) }
