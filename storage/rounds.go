package storage

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// Round implements bot.RoundStore.
func (d *DB) Round(ctx context.Context, group, channel string) (bot.Round, error) {
	return view(ctx, d, func(tx *bolt.Tx) (bot.Round, error) {
		return find[bot.Round](tx.Bucket(bRounds), key(group, channel))
	})
}

// Rounds implements bot.RoundStore.
func (d *DB) Rounds(ctx context.Context) ([]bot.Round, error) {
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Round, error) {
		return list[bot.Round](ctx, tx.Bucket(bRounds), nil, all)
	})
}

// SaveRound implements bot.RoundStore.
func (d *DB) SaveRound(ctx context.Context, r bot.Round) error {
	return d.update(ctx, func(tx *bolt.Tx) error { return put(tx.Bucket(bRounds), key(r.Group, r.Channel), r) })
}

// UpdateRound implements bot.RoundStore.
func (d *DB) UpdateRound(ctx context.Context, group, channel string, fn func(*bot.Round) error) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bRounds), key(group, channel)
		r, err := find[bot.Round](b, k)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		return put(b, k, r)
	})
}

// DeleteRound implements bot.RoundStore.
func (d *DB) DeleteRound(ctx context.Context, group, channel string) error {
	return d.update(ctx, func(tx *bolt.Tx) error { return tx.Bucket(bRounds).Delete(key(group, channel)) })
}
