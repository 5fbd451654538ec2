package main

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prepbot/prepbot/storage"
)

// The measurements as Go benchmarks, for `go test -bench . ./cmd/prepbench`
// and for profiling one of them (-cpuprofile). `go run ./cmd/prepbench`
// runs them with their baselines and prints the table.

// BenchmarkRecordAnswer records answers from 64 goroutines through the real
// storage path with fsync on.
func BenchmarkRecordAnswer(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "b.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var seq atomic.Int64
	b.SetParallelism(recordWorkers / 2) // 2 cores: 64 goroutines
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() { // new members, as in the measurement
			if _, err := db.Record(context.Background(), newMemberAnswer(uint64(seq.Add(1)), time.Now())); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLeaderboardTop10 reads a top 10 from 10,000 members and 100,000
// answers (the table's measurement uses ten times as many).
func BenchmarkLeaderboardTop10(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "l.db"), storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Replay(history(10_000, 100_000, time.Now().UTC()), 20_000); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if top, err := db.Leaderboard(context.Background(), "discord:bench", "all", "", 10); err != nil || len(top) != 10 {
			b.Fatal(len(top), err)
		}
	}
}
