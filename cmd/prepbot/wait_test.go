package main

import (
	"os"
	"time"
)

// waitABit polls for another goroutine's side effect (a socket file); it is
// a poll interval, not a timing assumption.
func waitABit() { time.Sleep(10 * time.Millisecond) }

func writeFile(t interface{ Fatal(...any) }, path, body string) {
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
