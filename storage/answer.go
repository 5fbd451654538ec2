package storage

import (
	"context"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// Answer implements bot.AnswerStore: the answer's key in member_data holds
// its sequence number, the answers bucket the answer. An answer recorded
// before schema 7, whose key stayed in the old answer_keys bucket, is not
// found.
func (d *DB) Answer(ctx context.Context, group, user string, kind bot.EventKind, post uint64) (bot.Answer, error) {
	return view(ctx, d, func(tx *bolt.Tx) (bot.Answer, error) {
		v := tx.Bucket(bMemberData).Get(answerKey(&bot.Answer{Group: group, User: user, Kind: kind, PostID: post}))
		if len(v) != 8 {
			return bot.Answer{}, bot.ErrNotFound
		}
		seq := binary.BigEndian.Uint64(v)
		a, err := find[bot.Answer](tx.Bucket(bAnswers), u64(seq))
		a.Seq = seq
		return a, err
	})
}
