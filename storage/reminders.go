package storage

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// bReminders indexes the members with a streak reminder (Member.Remind
// set): group 0 user -> the member's key in member_data, so that the
// scheduler reads those members, not every member of every group. It is
// created by the first write that needs it; a file without it (a new one,
// or one opened read-only) has no reminders.
var bReminders = []byte("reminders")

// UpdateMember implements bot.MemberStore: in one write transaction, as
// Record's are, so neither loses the other's changes.
func (d *DB) UpdateMember(ctx context.Context, group, user string, fn func(*bot.Member) error) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		data, k := tx.Bucket(bMemberData), key(group, user, tagMember)
		m, err := getOr(data, k, bot.Member{Group: group, User: user})
		if err != nil {
			return err
		}
		if err := fn(&m); err != nil {
			return err
		}
		m.Group, m.User = group, user
		if err := put(data, k, m); err != nil {
			return err
		}
		return indexReminder(tx, m)
	})
}

// indexReminder keeps a member's entry in the reminders index as its
// Remind says.
func indexReminder(tx *bolt.Tx, m bot.Member) error {
	ik := key(m.Group, m.User)
	if m.Remind == "" {
		if b := tx.Bucket(bReminders); b != nil && b.Get(ik) != nil {
			return b.Delete(ik)
		}
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bReminders)
	if err != nil {
		return err
	}
	return b.Put(ik, key(m.Group, m.User, tagMember))
}

// Reminders implements bot.MemberStore: the members the index names.
func (d *DB) Reminders(ctx context.Context) ([]bot.Member, error) {
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Member, error) {
		var out []bot.Member
		b := tx.Bucket(bReminders)
		if b == nil {
			return nil, nil
		}
		data := tx.Bucket(bMemberData)
		err := b.ForEach(func(_, mk []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			v := data.Get(mk)
			if v == nil {
				return nil
			}
			var m bot.Member
			if err := decode(mk, v, &m); err != nil {
				return err
			}
			if m.Remind != "" {
				out = append(out, m)
			}
			return nil
		})
		return out, err
	})
}
