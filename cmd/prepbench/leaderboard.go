package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage"
)

var categories = []string{"python", "fastapi", "postgres", "microservices", "coding"}

// history makes answers from members over the 60 days before now, one
// answer per post and member.
func history(members, answers int, now time.Time) []*bot.Answer {
	out := make([]*bot.Answer, answers)
	for i := range out {
		at := now.Add(-time.Duration(uint64(i)*7919%uint64(60*24*60)) * time.Minute)
		user := fmt.Sprintf("member-%06d", i%members)
		a := benchAnswer(user, uint64(i/members+1), at)
		a.Category = categories[i%len(categories)]
		a.Correct = i%3 != 0
		a.Points = 0
		if a.Correct {
			a.Points = 10 + 5*(i%3)
		}
		out[i] = a
	}
	return out
}

// fill loads a database with answers, as many per transaction as bbolt
// handles well, printing progress.
func fill(db *storage.DB, all []*bot.Answer) error {
	const chunk = 100_000
	for i := 0; i < len(all); i += chunk {
		if err := db.Replay(all[i:min(i+chunk, len(all))], 20_000); err != nil {
			return err
		}
		progress("  %d of %d answers recorded", min(i+chunk, len(all)), len(all))
	}
	return nil
}

// scanTop computes a leaderboard by reading every answer: the baseline.
func scanTop(db *storage.DB, period, category string) ([]string, error) {
	type agg struct {
		points, answered, correct int
		reached                   time.Time
	}
	per := map[string]*agg{}
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("answers")).ForEach(func(k, v []byte) error {
			var a bot.Answer
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if !slices.Contains(a.Periods, period) || category != "" && a.Category != category {
				return nil
			}
			s := per[a.User]
			if s == nil {
				s = &agg{}
				per[a.User] = s
			}
			s.points += a.Points
			s.answered++
			if a.Correct {
				s.correct++
			}
			if a.Points > 0 && a.At.After(s.reached) {
				s.reached = a.At
			}
			return nil
		})
	})
	users := make([]string, 0, len(per))
	for u := range per {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool {
		a, b := per[users[i]], per[users[j]]
		if a.points != b.points {
			return a.points > b.points
		}
		return float64(a.correct)/float64(a.answered) > float64(b.correct)/float64(b.answered)
	})
	return users[:min(10, len(users))], err
}

// benchLeaderboard is measurement 3: top 10 of 100,000 members and
// 1,000,000 answers, from the maintained index against a scan.
func benchLeaderboard(dir string, _ map[int]float64) ([]row, float64, error) {
	db, err := storage.Open(filepath.Join(dir, "board.db"), storage.Options{NoSync: true})
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	now := time.Now().UTC()
	progress("recording 1,000,000 answers from 100,000 members (setup, not measured)")
	if err := fill(db, history(100_000, 1_000_000, now)); err != nil {
		return nil, 0, err
	}
	var rows []row
	for _, q := range []struct{ name, period, category string }{
		{"week", bot.PeriodKey("week", now, time.UTC), ""},
		{"month", bot.PeriodKey("month", now, time.UTC), ""},
		{"all time", bot.PeriodAll, ""},
		{"all time, postgres", bot.PeriodAll, "postgres"},
	} {
		r := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
				top, err := db.Leaderboard(context.Background(), "discord:bench", q.period, q.category, 10)
				if err != nil || len(top) != 10 {
					b.Fatalf("top = %d, %v", len(top), err)
				}
			}
		})
		ours := time.Duration(r.NsPerOp())
		start := time.Now()
		if _, err := scanTop(db, q.period, q.category); err != nil {
			return nil, 0, err
		}
		scan := time.Since(start)
		progress("  %s: %v (scan %v)", q.name, ours, scan)
		rows = append(rows, row{3, "top 10, " + q.name + " (1M answers)", fmt.Sprintf("%.1f µs", float64(ours)/1e3), "scan " + ms(scan),
			fmt.Sprintf("%.0fx faster", float64(scan)/float64(ours)), "< 5 ms, >= 100x", ours < 5*time.Millisecond && scan >= 100*ours})
	}
	return rows, 0, nil
}
