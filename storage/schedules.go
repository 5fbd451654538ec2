package storage

import (
	"context"

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

// ClaimDaily implements bot.ScheduleStore.
func (d *DB) ClaimDaily(ctx context.Context, group, channel, day string) (bool, error) {
	return d.claim(ctx, group, channel, day, func(s *bot.Schedule) *string { return &s.LastDay })
}

// ClaimDigest implements bot.ScheduleStore.
func (d *DB) ClaimDigest(ctx context.Context, group, channel, day string) (bool, error) {
	return d.claim(ctx, group, channel, day, func(s *bot.Schedule) *string { return &s.LastDigest })
}

// claim sets a schedule's "last posted" day (the field picks which post)
// and reports whether this call moved it forward.
func (d *DB) claim(ctx context.Context, group, channel, day string, field func(*bot.Schedule) *string) (bool, error) {
	claimed := false
	err := d.update(ctx, func(tx *bolt.Tx) error {
		claimed = false
		b, k := tx.Bucket(bSchedules), key(group, channel)
		s, err := find[bot.Schedule](b, k)
		if err != nil {
			return err
		}
		if last := field(&s); *last < day {
			*last = day
			claimed = true
			return put(b, k, s)
		}
		return nil
	})
	return claimed, err
}

// UnclaimDaily implements bot.ScheduleStore.
func (d *DB) UnclaimDaily(ctx context.Context, group, channel, day string) error {
	return d.update(ctx, func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bSchedules), key(group, channel)
		var s bot.Schedule
		ok, err := get(b, k, &s)
		if err != nil || !ok || s.LastDay != day {
			return err
		}
		// the days before stay claimed: a retry may post today's again,
		// never an earlier day's
		s.LastDay = bot.DayBefore(day)
		return put(b, k, s)
	})
}
