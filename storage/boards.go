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
// by category, as group_tallies keeps them (one entry a category).
func (d *DB) PeriodTallies(ctx context.Context, group, period string) (map[string]bot.Tally, error) {
	return view(ctx, d, func(tx *bolt.Tx) (map[string]bot.Tally, error) {
		out := map[string]bot.Tally{}
		prefix := key(group, period, "")
		b := tx.Bucket(bGroupTallies)
		if b == nil {
			return nil, errNoIndex(bGroupTallies)
		}
		err := each(ctx, b, prefix, func(k, v []byte) error {
			cat := k[len(prefix):]
			if len(cat) == 0 || bytes.IndexByte(cat, 0) >= 0 {
				return nil // the overall tally ("" category)
			}
			t, err := readTally(k, v)
			if err == nil && t.Answered != 0 {
				out[string(cat)] = t
			}
			return err
		})
		return out, err
	})
}

// DaysBoard implements bot.BoardStore: it reads days_index from the most
// days down (see daysLeaders), not every score of the board.
func (d *DB) DaysBoard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Score, error) {
		if limit <= 0 {
			return nil, nil
		}
		return daysLeaders(ctx, tx, group, period, category, limit)
	})
}

// Rank implements bot.BoardStore. In bot.ByPoints order it counts the
// entries of the leaderboards index before the member's (rankKey), reading
// keys only; in bot.ByDays order it counts the scores of the board that
// bot.ByDays.Compare puts before the member's.
func (d *DB) Rank(ctx context.Context, group, period, category, user string, by bot.Order) (int, bot.Score, error) {
	type result struct {
		rank  int
		score bot.Score
	}
	r, err := view(ctx, d, func(tx *bolt.Tx) (result, error) {
		var s bot.Score
		found, err := get(tx.Bucket(bMemberData), key(group, user, tagScore, period, category), &s)
		if err != nil || !found {
			return result{}, err
		}
		prefix := key(group, period, category, "")
		before := 0
		if by == bot.ByDays {
			before, err = daysRank(ctx, tx, group, period, category, s)
			return result{before + 1, s}, err
		}
		mine := rankKey(prefix, s)
		c := tx.Bucket(bLeaderboards).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.Compare(k, mine) < 0; k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return result{}, err
			}
			before++
		}
		return result{before + 1, s}, nil
	})
	return r.rank, r.score, err
}
