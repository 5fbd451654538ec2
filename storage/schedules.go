package storage

import (
	"context"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// Schedules implements bot.ScheduleStore.
func (d *DB) Schedules(ctx context.Context, group string) ([]bot.Schedule, error) {
	var prefix []byte // every group's
	if group != "" {
		prefix = key(group, "")
	}
	return view(ctx, d, func(tx *bolt.Tx) ([]bot.Schedule, error) {
		return list[bot.Schedule](ctx, tx.Bucket(bSchedules), prefix, all)
	})
}

// Schedule implements bot.ScheduleStore.
func (d *DB) Schedule(ctx context.Context, group, channel string) (bot.Schedule, error) {
	return view(ctx, d, func(tx *bolt.Tx) (bot.Schedule, error) {
		return find[bot.Schedule](tx.Bucket(bSchedules), key(group, channel))
	})
}

// SaveSchedule implements bot.ScheduleStore.
func (d *DB) SaveSchedule(ctx context.Context, s bot.Schedule) error {
	return d.update(ctx, func(tx *bolt.Tx) error { return put(tx.Bucket(bSchedules), key(s.Group, s.Channel), s) })
}

// DeleteSchedule implements bot.ScheduleStore.
func (d *DB) DeleteSchedule(ctx context.Context, group, channel string) error {
	return d.update(ctx, func(tx *bolt.Tx) error { return tx.Bucket(bSchedules).Delete(key(group, channel)) })
}

// UpdateSchedule implements bot.ScheduleStore.
func (d *DB) UpdateSchedule(ctx context.Context, group, channel string, fn func(*bot.Schedule) error) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bSchedules), key(group, channel)
		s, err := find[bot.Schedule](b, k)
		if err != nil {
			return err
		}
		changed := s
		if err := fn(&changed); err != nil {
			return err
		}
		changed.Group, changed.Channel = group, channel
		changed.LastDay, changed.DailyUntil, changed.LastDigest, changed.DigestUntil = s.LastDay, s.DailyUntil, s.LastDigest, s.DigestUntil
		return put(b, k, changed)
	})
}

// ClaimDaily implements bot.ScheduleStore.
func (d *DB) ClaimDaily(ctx context.Context, group, channel string, c bot.Claim) (bool, error) {
	return d.changeClaim(ctx, group, channel, func(s *bot.Schedule) bool { return c.Take(&s.LastDay, &s.DailyUntil) })
}

// ClaimDigest implements bot.ScheduleStore.
func (d *DB) ClaimDigest(ctx context.Context, group, channel string, c bot.Claim) (bool, error) {
	return d.changeClaim(ctx, group, channel, func(s *bot.Schedule) bool { return c.Take(&s.LastDigest, &s.DigestUntil) })
}

// PostedDaily implements bot.ScheduleStore.
func (d *DB) PostedDaily(ctx context.Context, group, channel, day string) error {
	_, err := d.changeClaim(ctx, group, channel, func(s *bot.Schedule) bool { return bot.Confirm(&s.LastDay, &s.DailyUntil, day) })
	return ignoreNotFound(err)
}

// PostedDigest implements bot.ScheduleStore.
func (d *DB) PostedDigest(ctx context.Context, group, channel, day string) error {
	_, err := d.changeClaim(ctx, group, channel, func(s *bot.Schedule) bool { return bot.Confirm(&s.LastDigest, &s.DigestUntil, day) })
	return ignoreNotFound(err)
}

// changeClaim applies change to a schedule's claims and saves the
// schedule when change reports a change.
func (d *DB) changeClaim(ctx context.Context, group, channel string, change func(*bot.Schedule) bool) (bool, error) {
	changed := false
	err := d.update(ctx, func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bSchedules), key(group, channel)
		s, err := find[bot.Schedule](b, k)
		if err != nil {
			return err
		}
		if changed = change(&s); changed {
			return put(b, k, s)
		}
		return nil
	})
	return changed, err
}

// ignoreNotFound is err, or nil for bot.ErrNotFound.
func ignoreNotFound(err error) error {
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	}
	return err
}

// UnclaimDaily implements bot.ScheduleStore.
func (d *DB) UnclaimDaily(ctx context.Context, group, channel string, c bot.Claim) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bSchedules), key(group, channel)
		var s bot.Schedule
		ok, err := get(b, k, &s)
		if err != nil || !ok || !c.Holds(s.LastDay, s.DailyUntil) {
			return err
		}
		// the days before stay claimed: a retry may post today's again,
		// never an earlier day's
		s.LastDay, s.DailyUntil = bot.DayBefore(c.Day), time.Time{}
		return put(b, k, s)
	})
}
