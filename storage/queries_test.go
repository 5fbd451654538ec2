package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage"
)

// A damaged record makes every query that reads it fail with an error that
// says so and names the record's key; it never reads as a zero value, and
// a list stops at it instead of leaving it out.
func TestQueriesReportDamagedRecords(t *testing.T) {
	for _, tc := range []struct {
		name, bucket, key string
		query             func(ctx context.Context, db *storage.DB) error
	}{
		{"Group", "groups", "g", func(ctx context.Context, db *storage.DB) error { _, err := db.Group(ctx, "g"); return err }},
		{"Post", "posts", "\x00\x00\x00\x00\x00\x00\x00\x07", func(ctx context.Context, db *storage.DB) error { _, err := db.Post(ctx, 7); return err }},
		{"Member", "member_data", "g\x00u\x00m", func(ctx context.Context, db *storage.DB) error { _, err := db.Member(ctx, "g", "u"); return err }},
		{"Members", "member_data", "g\x00u\x00m", func(ctx context.Context, db *storage.DB) error { _, err := db.Members(ctx, "g"); return err }},
		{"Reviews", "member_data", "g\x00u\x00r\x00c1", func(ctx context.Context, db *storage.DB) error { _, err := db.Reviews(ctx, "g", "u"); return err }},
		{"Peeked", "member_data", "g\x00u\x00p\x00c1", func(ctx context.Context, db *storage.DB) error {
			_, err := db.Peeked(ctx, "g", "u", "c1")
			return err
		}},
		{"Leaderboard", "leaderboards", "g\x00all\x00\x00rank", func(ctx context.Context, db *storage.DB) error {
			_, err := db.Leaderboard(ctx, "g", "all", "", 10)
			return err
		}},
		{"PeriodTallies", "group_tallies", "g\x00all\x00go", func(ctx context.Context, db *storage.DB) error {
			_, err := db.PeriodTallies(ctx, "g", "all")
			return err
		}},
		{"DaysBoard", "member_data", "g\x00u\x00s\x00all\x00", func(ctx context.Context, db *storage.DB) error {
			if err := db.Bolt().Update(func(tx *bolt.Tx) error { // u's entry in the days index
				return tx.Bucket([]byte("days_index")).Put([]byte("g\x00all\x00\x00\xff\xff\xff\xfe\xff\xff\xff\xff\xff\xff\xff\xf5\x00\x00\x00\x00\x00\x00\x00\x01u"), []byte{0, 0, 0, 1})
			}); err != nil {
				return err
			}
			_, err := db.DaysBoard(ctx, "g", "all", "", 10)
			return err
		}},
		{"Schedule", "schedules", "g\x00C1", func(ctx context.Context, db *storage.DB) error { _, err := db.Schedule(ctx, "g", "C1"); return err }},
		{"Schedules", "schedules", "g\x00C1", func(ctx context.Context, db *storage.DB) error { _, err := db.Schedules(ctx, "g"); return err }},
		{"every group's Schedules", "schedules", "g\x00C1", func(ctx context.Context, db *storage.DB) error { _, err := db.Schedules(ctx, ""); return err }},
		{"ClaimDaily", "schedules", "g\x00C1", func(ctx context.Context, db *storage.DB) error {
			_, err := db.ClaimDaily(ctx, "g", "C1", bot.Claim{Day: "2026-12-01"})
			return err
		}},
		{"Round", "rounds", "g\x00C1", func(ctx context.Context, db *storage.DB) error { _, err := db.Round(ctx, "g", "C1"); return err }},
		{"Rounds", "rounds", "g\x00C1", func(ctx context.Context, db *storage.DB) error { _, err := db.Rounds(ctx); return err }},
		{"UpdateRound", "rounds", "g\x00C1", func(ctx context.Context, db *storage.DB) error {
			return db.UpdateRound(ctx, "g", "C1", func(*bot.Round) error { return nil })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := bottest.OpenDB(t)
			if err := db.Bolt().Update(func(tx *bolt.Tx) error {
				return tx.Bucket([]byte(tc.bucket)).Put([]byte(tc.key), []byte("{damaged"))
			}); err != nil {
				t.Fatal(err)
			}
			err := tc.query(t.Context(), db)
			if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.key)) {
				t.Errorf("%s over a damaged record: %v, want an error that says it is damaged and names %q", tc.name, err, tc.key)
			}
		})
	}
}

// A file whose board indexes are missing (damaged) is refused by the
// queries and the answers that need them, with a message, never a panic.
func TestMissingBoardIndexesAreReportedNotPanicked(t *testing.T) {
	for _, bucket := range []string{"days_index", "group_tallies"} {
		t.Run(bucket, func(t *testing.T) {
			db := bottest.OpenDB(t)
			if err := db.Bolt().Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte(bucket)) }); err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			_, err := db.Record(ctx, &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "u", PostID: 1, CardID: "c", Category: "go",
				Correct: true, Points: 10, At: at, Day: bot.Day(at, time.UTC), Periods: bot.Periods(at, time.UTC)})
			if err == nil || !strings.Contains(err.Error(), bucket) {
				t.Errorf("Record without %s: %v, want an error naming it", bucket, err)
			}
			var qerr error
			if bucket == "days_index" {
				_, qerr = db.DaysBoard(ctx, "g", bot.PeriodAll, "", 10)
			} else {
				_, qerr = db.PeriodTallies(ctx, "g", bot.PeriodAll)
			}
			if qerr == nil || !strings.Contains(qerr.Error(), bucket) {
				t.Errorf("the query without %s: %v, want an error naming it", bucket, qerr)
			}
		})
	}
}
