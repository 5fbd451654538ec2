package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// TestReplicasRemindEachMemberOnce runs three replicas on one database
// over two simulated days, every replica ticking every five minutes at the same
// moment: each member with a reminder gets it once a day at their own
// time, one of them in another time zone, and none on the day they
// studied.
func TestReplicasRemindEachMemberOnce(t *testing.T) {
	start := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	clock := bottest.NewClock(start)
	rs := replicas(t, 3, clock)
	ctx := t.Context()
	set := func(user, zone, at string) {
		t.Helper()
		err := rs[0].db.UpdateMember(ctx, "g", user, func(m *bot.Member) error {
			m.TimeZone, m.Remind = zone, at
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		set(fmt.Sprint("m", i), "", "20:00")
	}
	set("tokyo", "Asia/Tokyo", "07:30") // 22:30 UTC
	// m0 studied on the 24th, before 20:00
	studied := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", Channel: "C1", User: "m0", PostID: 1, CardID: "c", Category: "sql",
		At: studied, Day: "2026-11-24", Periods: bot.Periods(studied, time.UTC), Zone: "UTC"}
	for clock.Now().Before(start.Add(48 * time.Hour)) {
		if clock.Now().Equal(studied) {
			if _, err := rs[1].db.Record(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		all(t, rs, func(r *replica) error { _, err := r.bot.Tick(context.Background()); return err })
		clock.Add(5 * time.Minute)
	}
	got := map[string]int{}
	for _, r := range rs {
		r.chat.mu.Lock()
		for _, d := range r.chat.directs {
			got[d.channel+" "+d.at.UTC().Format("2006-01-02 15:04")]++
		}
		r.chat.mu.Unlock()
	}
	want := map[string]int{}
	for _, day := range []string{"2026-11-23", "2026-11-24"} {
		for i := range 6 {
			if i == 0 && day == "2026-11-24" {
				continue
			}
			want[fmt.Sprintf("m%d %s 20:00", i, day)] = 1
		}
	}
	// 07:30 in Tokyo: the 23rd 22:30 UTC (the 24th there) and the 24th
	// 22:30 UTC (the 25th there)
	want["tokyo 2026-11-23 22:30"], want["tokyo 2026-11-24 22:30"] = 1, 1
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reminders sent:\n got %v\nwant %v", got, want)
	}
}
