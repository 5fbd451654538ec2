package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prepbot/prepbot/storage/postgres"
)

// Measurement 7 as Go benchmarks, on the PostgreSQL at
// PREPBOT_BENCH_POSTGRES (default postgres://127.0.0.1:5432/test); they
// skip when nothing answers there. Each works in a schema of its own,
// dropped when it ends.

// benchPostgresDB opens the backend with opt on a new schema.
func benchPostgresDB(b *testing.B, opt postgres.Options) *postgres.DB {
	b.Helper()
	s, why := openPostgres(context.Background(), pgURL())
	if s == nil {
		b.Skipf("no PostgreSQL at %s (%s): set %s to a database URL to run the PostgreSQL benchmarks", redacted(pgURL()), why, pgEnv)
	}
	b.Cleanup(s.Close)
	u, err := s.schema(context.Background(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	db, err := postgres.Open(context.Background(), u, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// benchmarkPostgresRecord records new members' answers from 64 goroutines.
func benchmarkPostgresRecord(b *testing.B, opt postgres.Options) {
	db := benchPostgresDB(b, opt)
	var seq atomic.Uint64
	// a database in use: some members, and statistics (see analyze)
	if _, err := recordEach(context.Background(), []*postgres.DB{db}, &seq, 300*time.Millisecond); err != nil {
		b.Fatal(err)
	}
	if err := analyze(context.Background(), db.Pool()); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(recordWorkers / 2) // 2 cores: 64 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.Record(context.Background(), newMemberAnswer(seq.Add(1), time.Now())); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPostgresRecordAnswer records with group commit (the default
// options).
func BenchmarkPostgresRecordAnswer(b *testing.B) { benchmarkPostgresRecord(b, postgres.Options{}) }

// BenchmarkPostgresRecordAnswerEach is its baseline: a transaction per
// answer, as many writers as clients.
func BenchmarkPostgresRecordAnswerEach(b *testing.B) {
	benchmarkPostgresRecord(b, postgres.Options{MaxGroup: 1, Writers: recordWorkers})
}

// BenchmarkPostgresLeaderboardTop10 reads a top 10 from 10,000 members and
// 100,000 answers (the table's measurement uses ten times as many).
func BenchmarkPostgresLeaderboardTop10(b *testing.B) {
	db := benchPostgresDB(b, postgres.Options{})
	if err := loadPostgres(context.Background(), db.Pool(), history(10_000, 100_000, time.Now().UTC())); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if top, err := db.Leaderboard(context.Background(), "discord:bench", "all", "", 10); err != nil || len(top) != 10 {
			b.Fatal(len(top), err)
		}
	}
}
