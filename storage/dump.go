package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/storage/dump"
)

var _ dump.Source = (*DB)(nil)

// Dump implements dump.Source: every record, read in one read transaction
// (one committed state, while the database stays in use), in the order
// dump.Source gives them, which is the order of the keys. What Load
// derives is left out: the answer keys and the leaderboards index. A file
// of an older schema opened read-only is refused, as Export refuses it.
func (d *DB) Dump(ctx context.Context, fn func(dump.Record) error) error {
	if d.older != "" {
		return errors.New(d.older)
	}
	_, err := view(ctx, d, func(tx *bolt.Tx) (struct{}, error) {
		return struct{}{}, dumpTx(ctx, tx, fn)
	})
	return err
}

func dumpTx(ctx context.Context, tx *bolt.Tx, fn func(dump.Record) error) error {
	emit := func(kind string, v any) error { return fn(dump.Record{Kind: kind, Value: v}) }
	data := tx.Bucket(bMemberData)
	steps := []func() error{
		func() error {
			return scan(ctx, tx.Bucket(bGroups), nil, func(_ []byte, g bot.Group) error { return emit(dump.KindGroup, g) })
		},
		func() error {
			return scanNumbered(ctx, tx.Bucket(bPosts), func(p bot.Post, id uint64) error { p.ID = id; return emit(dump.KindPost, p) })
		},
		func() error {
			return scan(ctx, tx.Bucket(bBags), nil, func(k []byte, st questionbank.BagState) error {
				return emit(dump.KindBag, dump.Bag{Key: string(k), State: st})
			})
		},
		func() error {
			return scanNumbered(ctx, tx.Bucket(bAnswers), func(a bot.Answer, seq uint64) error { a.Seq = seq; return emit(dump.KindAnswer, a) })
		},
		func() error {
			return eachTagged(ctx, data, tagMember, func(group, user string, k, v []byte) error {
				return decodeEmit[bot.Member](k, v, func(m bot.Member) error {
					m.Group, m.User = group, user // the key's, as Load keys it by them
					return emit(dump.KindMember, m)
				})
			})
		},
		func() error {
			return eachTagged(ctx, data, tagReview, func(group, user string, k, v []byte) error {
				card := string(k[len(key(group, user, tagReview, "")):])
				return decodeEmit[bot.Review](k, v, func(r bot.Review) error {
					r.Card = card
					return emit(dump.KindReview, dump.Review{Group: group, User: user, Review: r})
				})
			})
		},
		func() error {
			return eachTagged(ctx, data, tagActivity, func(group, user string, k, v []byte) error {
				if len(v) != 4 {
					return nil // not a count: Activity skips it too
				}
				day := string(k[len(key(group, user, tagActivity, "")):])
				return emit(dump.KindActivity, dump.Activity{Group: group, User: user, Day: day, Count: int(binary.BigEndian.Uint32(v))})
			})
		},
		func() error {
			return eachTagged(ctx, data, tagScore, func(group, user string, k, v []byte) error {
				period, cat, ok := bytes.Cut(k[len(key(group, user, tagScore, "")):], []byte{0})
				if !ok {
					return fmt.Errorf("damaged record %q: a score's key without a category", k)
				}
				return decodeEmit[bot.Score](k, v, func(s bot.Score) error {
					s.User = user
					return emit(dump.KindScore, dump.Score{Group: group, Period: string(period), Category: string(cat), Score: s})
				})
			})
		},
		func() error {
			return eachTagged(ctx, data, tagPeek, func(group, user string, k, v []byte) error {
				card := string(k[len(key(group, user, tagPeek, "")):])
				return decodeEmit[bot.Peek](k, v, func(p bot.Peek) error {
					return emit(dump.KindPeek, dump.Peek{Group: group, User: user, Card: card, Peek: p})
				})
			})
		},
		func() error {
			return scan(ctx, tx.Bucket(bSchedules), nil, func(_ []byte, s bot.Schedule) error { return emit(dump.KindSchedule, s) })
		},
		func() error {
			return scan(ctx, tx.Bucket(bRounds), nil, func(_ []byte, r bot.Round) error { return emit(dump.KindRound, r) })
		},
		func() error {
			return each(ctx, tx.Bucket(bDeliveries), nil, func(k, v []byte) error {
				if len(v) != 8 {
					return nil // not a time: PurgeDeliveries skips it too
				}
				at := time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC()
				return emit(dump.KindDelivery, dump.Delivery{ID: string(k), At: at})
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// scanNumbered is scan over a bucket whose keys are 8 big-endian bytes
// from its sequence (posts, answers), with each record's number.
func scanNumbered[T any](ctx context.Context, b *bolt.Bucket, fn func(v T, n uint64) error) error {
	return scan(ctx, b, nil, func(k []byte, v T) error {
		if len(k) != 8 {
			return fmt.Errorf("damaged record %q: its key is not an 8-byte number", k)
		}
		return fn(v, binary.BigEndian.Uint64(k))
	})
}

// decodeEmit decodes the record v found at k and hands it to fn.
func decodeEmit[T any](k, v []byte, fn func(T) error) error {
	var rec T
	if err := decode(k, v, &rec); err != nil {
		return err
	}
	return fn(rec)
}

// eachTagged calls fn with the records of one tag (tagMember, tagReview,
// ...) under each member's prefix in member_data, member by member in key
// order, with the member's group and user, the record's key and its value,
// until fn returns an error or ctx ends. It seeks from one member to the
// next, reading only the tag's records, so walking every tag in turn reads
// member_data about once.
func eachTagged(ctx context.Context, b *bolt.Bucket, tag string, fn func(group, user string, k, v []byte) error) error {
	c := b.Cursor()
	for k, _ := c.First(); k != nil; {
		if err := ctx.Err(); err != nil {
			return err
		}
		group, rest, ok1 := bytes.Cut(k, []byte{0})
		user, _, ok2 := bytes.Cut(rest, []byte{0})
		if !ok1 || !ok2 { // not group 0 user 0 ...: no such keys are written
			k, _ = c.Next()
			continue
		}
		g, u := string(group), string(user)
		prefix := key(g, u, tag, "") // group 0 user 0 tag 0: the tag's records
		if tag == tagMember {
			prefix = key(g, u, tag) // the member is the key itself
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if tag == tagMember && len(k) != len(prefix) {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(g, u, k, v); err != nil {
				return err
			}
		}
		k, _ = c.Seek(append(key(g, u), 1)) // group 0 user 1: past the member's records
	}
	return nil
}
