package storage

import (
	"bytes"
	"context"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// What Record keeps under a member's prefix in member_data: the member,
// reviews, activity; and the peeks saved before answering.

// Member implements bot.MemberStore.
func (d *DB) Member(ctx context.Context, group, user string) (bot.Member, error) {
	return view(ctx, d, func(tx *bolt.Tx) (bot.Member, error) {
		return getOr(tx.Bucket(bMemberData), key(group, user, tagMember), bot.Member{})
	})
}

// Members implements bot.MemberStore: every member of a group.
func (d *DB) Members(ctx context.Context, group string) ([]bot.Member, error) {
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Member, error) {
		var out []bot.Member
		err := forEachMember(ctx, tx, key(group, ""), func(k, v []byte) error {
			var m bot.Member
			if err := decode(k, v, &m); err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
		return out, err
	})
}

// forEachMember calls fn with the key and value of each member record in
// member_data whose key starts with prefix (a group's, or none), in key
// order, until fn returns an error or ctx ends (ctx's error). It reads
// two keys per member, skipping the member's other records.
func forEachMember(ctx context.Context, tx *bolt.Tx, prefix []byte, fn func(k, v []byte) error) error {
	c := tx.Bucket(bMemberData).Cursor()
	var mk []byte
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
		if err := ctx.Err(); err != nil {
			return err
		}
		i := bytes.IndexByte(k, 0)
		j := -1
		if i >= 0 {
			j = bytes.IndexByte(k[i+1:], 0)
		}
		if j < 0 { // not group 0 user 0 ...: no such keys are written
			k, _ = c.Next()
			continue
		}
		member := k[:i+1+j+1] // group 0 user 0
		mk = append(append(mk[:0], member...), tagMember...)
		if mk2, v := c.Seek(mk); bytes.Equal(mk2, mk) {
			if err := fn(mk2, v); err != nil {
				return err
			}
		}
		mk[len(member)-1] = 1 // group 0 user 1: just past the member's records
		k, _ = c.Seek(mk[:len(member)])
	}
	return nil
}

// Reviews implements bot.MemberStore: a member's spaced-repetition states.
func (d *DB) Reviews(ctx context.Context, group, user string) ([]bot.Review, error) {
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Review, error) {
		return list[bot.Review](ctx, tx.Bucket(bMemberData), key(group, user, tagReview, ""), all)
	})
}

// Activity implements bot.MemberStore: a member's answers per local day.
func (d *DB) Activity(ctx context.Context, group, user string) (map[string]int, error) {
	return view(ctx, d, func(tx *bolt.Tx) (map[string]int, error) {
		out := map[string]int{}
		prefix := key(group, user, tagActivity, "")
		err := each(ctx, tx.Bucket(bMemberData), prefix, func(k, v []byte) error {
			if len(v) == 4 {
				out[string(k[len(prefix):])] = int(binary.BigEndian.Uint32(v))
			}
			return nil
		})
		return out, err
	})
}

// SavePeek implements bot.PeekStore.
func (d *DB) SavePeek(ctx context.Context, group, user, card string, p bot.Peek) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bMemberData), key(group, user, tagPeek, card)
		var old bot.Peek
		if _, err := get(b, k, &old); err != nil {
			return err
		}
		if old.Day == p.Day {
			p.Hint, p.Answer = p.Hint || old.Hint, p.Answer || old.Answer
		}
		if p == old {
			return nil
		}
		return put(b, k, p)
	})
}

// ReadPress implements bot.PressStore: the three reads in one view.
func (d *DB) ReadPress(ctx context.Context, group, user, card string) (bot.PressState, error) {
	return view(ctx, d, func(tx *bolt.Tx) (bot.PressState, error) {
		var st bot.PressState
		var err error
		if st.Group, err = getOr(tx.Bucket(bGroups), []byte(group), bot.Group{ID: group}); err != nil {
			return st, err
		}
		if st.Member, err = getOr(tx.Bucket(bMemberData), key(group, user, tagMember), bot.Member{}); err != nil {
			return st, err
		}
		st.Peek, err = getOr(tx.Bucket(bMemberData), key(group, user, tagPeek, card), bot.Peek{})
		return st, err
	})
}

// Peeked implements bot.PeekStore.
func (d *DB) Peeked(ctx context.Context, group, user, card string) (bot.Peek, error) {
	return view(ctx, d, func(tx *bolt.Tx) (bot.Peek, error) {
		return getOr(tx.Bucket(bMemberData), key(group, user, tagPeek, card), bot.Peek{})
	})
}
