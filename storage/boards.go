package storage

import (
	"bytes"
	"context"
	"slices"

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

// DaysBoard implements bot.BoardStore. The leaderboards index orders
// scores by points, so the days board reads every score of the group's
// period and category from it (one per member, however many answers they
// gave) and sorts them in bot.ByDays order.
func (d *DB) DaysBoard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Score, error) {
		if limit <= 0 {
			return nil, nil
		}
		var all []bot.Score
		err := scan(ctx, tx.Bucket(bLeaderboards), key(group, period, category, ""), func(_ []byte, s bot.Score) error {
			all = append(all, s)
			return nil
		})
		slices.SortFunc(all, bot.ByDays.Compare)
		return all[:min(limit, len(all))], err
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
			err = scan(ctx, tx.Bucket(bLeaderboards), prefix, func(_ []byte, o bot.Score) error {
				if bot.ByDays.Compare(o, s) < 0 {
					before++
				}
				return nil
			})
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
