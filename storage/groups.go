package storage

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

// Group implements bot.GroupStore.
func (d *DB) Group(ctx context.Context, id string) (bot.Group, error) {
	return view(ctx, d, func(tx *bolt.Tx) (bot.Group, error) {
		return getOr(tx.Bucket(bGroups), []byte(id), bot.Group{ID: id})
	})
}

// SaveGroup implements bot.GroupStore.
func (d *DB) SaveGroup(ctx context.Context, g bot.Group) error {
	return d.update(ctx, func(tx *bolt.Tx) error { return put(tx.Bucket(bGroups), []byte(g.ID), g) })
}

// UpdateGroup implements bot.GroupStore.
func (d *DB) UpdateGroup(ctx context.Context, id string, fn func(*bot.Group) error) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bGroups)
		g, err := getOr(b, []byte(id), bot.Group{ID: id})
		if err != nil {
			return err
		}
		if err := fn(&g); err != nil {
			return err
		}
		g.ID = id
		return put(b, []byte(id), g)
	})
}

// CreatePost implements bot.PostStore.
func (d *DB) CreatePost(ctx context.Context, p *bot.Post) error {
	err := d.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bPosts)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID = id
		return put(b, u64(id), p)
	})
	if err == nil {
		d.posts.Add(*p)
	}
	return err
}

// Post implements bot.PostStore. Posts never change: the recent ones are
// read from memory.
func (d *DB) Post(ctx context.Context, id uint64) (bot.Post, error) {
	if err := ctx.Err(); err != nil {
		return bot.Post{}, err
	}
	if p, ok := d.posts.Get(id); ok {
		return p, nil
	}
	p, err := view(ctx, d, func(tx *bolt.Tx) (bot.Post, error) { return find[bot.Post](tx.Bucket(bPosts), u64(id)) })
	if err == nil {
		d.posts.Add(p)
	}
	return p, err
}

// Draw implements bot.DrawStore.
func (d *DB) Draw(ctx context.Context, k string, fn func(*questionbank.BagState) error) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bBags)
		var st questionbank.BagState
		if _, err := get(b, []byte(k), &st); err != nil {
			st = questionbank.BagState{} // a damaged bag only costs its order: start a new one
		}
		if err := fn(&st); err != nil {
			return err
		}
		return put(b, []byte(k), st)
	})
}
