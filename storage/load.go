package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/dump"
)

var _ dump.Sink = (*DB)(nil)

// Load implements dump.Sink: it writes the records into this database,
// which must hold none, in transactions of dump.BatchSize records, each as
// the store's own methods would have written it: an answer with its
// answer key under its member in member_data, a score in member_data,
// the leaderboards index, the days index and the group tallies, an activity count and a delivery time as
// 4 and 8 big-endian bytes. The posts' and answers' bucket sequences move
// to the highest id loaded, so new posts and answers come after them.
func (d *DB) Load(ctx context.Context, next func() (dump.Record, error)) error {
	if d.db.IsReadOnly() {
		return fmt.Errorf("%s was opened read-only: nothing can be loaded into it", d.path)
	}
	holding, err := view(ctx, d, func(tx *bolt.Tx) ([]string, error) {
		var holding []string
		err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if k, _ := b.Cursor().First(); k != nil && string(name) != string(bMeta) {
				holding = append(holding, string(name))
			}
			return nil
		})
		return holding, err
	})
	if err != nil {
		return err
	}
	if len(holding) > 0 {
		return dump.NotEmpty(d.path, "records in "+strings.Join(holding, ", "))
	}
	_, err = dump.LoadBatches(ctx, next, dump.BatchSize, func(batch []dump.Record) error {
		return d.update(ctx, func(tx *bolt.Tx) error {
			for _, r := range batch {
				if err := load(tx, r.Value); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return err
}

// load writes one record (a dump.Record's Value) where it belongs.
func load(tx *bolt.Tx, v any) error {
	data := tx.Bucket(bMemberData)
	switch v := v.(type) {
	case bot.Group:
		return put(tx.Bucket(bGroups), []byte(v.ID), v)
	case bot.Post:
		return putSeq(tx.Bucket(bPosts), v.ID, v)
	case dump.Bag:
		return put(tx.Bucket(bBags), []byte(v.Key), v.State)
	case bot.Answer:
		if err := putSeq(tx.Bucket(bAnswers), v.Seq, v); err != nil {
			return err
		}
		return data.Put(answerKey(&v), u64(v.Seq))
	case bot.Member:
		if err := put(data, key(v.Group, v.User, tagMember), v); err != nil {
			return err
		}
		return indexReminder(tx, v)
	case dump.Review:
		return put(data, key(v.Group, v.User, tagReview, v.Card), v.Review)
	case dump.Activity:
		return data.Put(key(v.Group, v.User, tagActivity, v.Day), binary.BigEndian.AppendUint32(nil, uint32(v.Count)))
	case dump.Score:
		s, err := json.Marshal(v.Score)
		if err != nil {
			return err
		}
		if err := data.Put(key(v.Group, v.User, tagScore, v.Period, v.Category), s); err != nil {
			return err
		}
		if err := tx.Bucket(bLeaderboards).Put(rankKey(key(v.Group, v.Period, v.Category, ""), v.Score), s); err != nil {
			return err
		}
		return indexScore(tx, v.Group, v.Period, v.Category, bot.Score{}, false, v.Score)
	case dump.Peek:
		return put(data, key(v.Group, v.User, tagPeek, v.Card), v.Peek)
	case bot.Schedule:
		return put(tx.Bucket(bSchedules), key(v.Group, v.Channel), v)
	case bot.Round:
		return put(tx.Bucket(bRounds), key(v.Group, v.Channel), v)
	case dump.Delivery:
		return tx.Bucket(bDeliveries).Put([]byte(v.ID), binary.BigEndian.AppendUint64(nil, uint64(v.At.Unix())))
	}
	return fmt.Errorf("a record of type %T cannot be loaded", v) // never: dump.LoadBatches checked it
}

// putSeq stores v at the numeric key id of a bucket whose keys come from
// its sequence (posts, answers), and moves the sequence up to id.
func putSeq(b *bolt.Bucket, id uint64, v any) error {
	b.FillPercent = 1 // loaded in key order: fill each page
	if err := put(b, u64(id), v); err != nil {
		return err
	}
	if id > b.Sequence() {
		return b.SetSequence(id)
	}
	return nil
}
