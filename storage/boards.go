package storage

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// Leaderboard implements bot.BoardStore: it reads limit entries of the
// leaderboards index, which hold the scores in order (see rankKey).
func (d *DB) Leaderboard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Score, error) {
		return list[bot.Score](ctx, tx.Bucket(bLeaderboards), key(group, period, category, ""), limit)
	})
}

// PeriodTallies implements bot.BoardStore: the group's answers in a period
// by category, summed over the members' scores (read from the leaderboards
// index).
func (d *DB) PeriodTallies(ctx context.Context, group, period string) (map[string]bot.Tally, error) {
	return view(ctx, d, func(tx *bolt.Tx) (map[string]bot.Tally, error) {
		out := map[string]bot.Tally{}
		prefix := key(group, period, "")
		err := each(ctx, tx.Bucket(bLeaderboards), prefix, func(k, v []byte) error {
			cat, _, ok := bytes.Cut(k[len(prefix):], []byte{0})
			if !ok || len(cat) == 0 {
				return nil // the overall scores ("" category)
			}
			var s bot.Score
			if err := decode(k, v, &s); err != nil {
				return err
			}
			t := out[string(cat)]
			t.Answered += s.Answered
			t.Correct += s.Correct
			out[string(cat)] = t
			return nil
		})
		return out, err
	})
}
