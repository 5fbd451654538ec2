package bot_test

import (
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// member applies one answer a day on the given days (offsets from a
// Monday) and returns the member.
func studiedOn(days ...int) bot.Member {
	var m bot.Member
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	for i, d := range days {
		at := start.AddDate(0, 0, d)
		m.Apply(&bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "ann", PostID: uint64(i + 1), Correct: true, Points: 10, At: at,
			Day: bot.Day(at, time.UTC), Zone: "UTC"})
	}
	return m
}

func seq(from, to int) []int {
	var out []int
	for d := from; d <= to; d++ {
		out = append(out, d)
	}
	return out
}

// A member earns a streak freeze for each 7 days of streak, holds at most
// two, and a missed day uses one: the streak goes on, the verdict says so.
func TestStreakFreezes(t *testing.T) {
	if m := studiedOn(seq(0, 5)...); m.Freezes != 0 || m.Streak != 6 {
		t.Fatalf("6 days: %d freezes, streak %d; want 0 and 6", m.Freezes, m.Streak)
	}
	if m := studiedOn(seq(0, 6)...); m.Freezes != 1 {
		t.Fatalf("7 days: %d freezes, want 1", m.Freezes)
	}
	if m := studiedOn(seq(0, 27)...); m.Freezes != bot.MaxFreezes {
		t.Fatalf("28 days: %d freezes, want at most %d", m.Freezes, bot.MaxFreezes)
	}
	// 7 days, a day missed (day 7), then day 8: the freeze covers day 7
	m := studiedOn(append(seq(0, 6), 8)...)
	if m.Streak != 8 || m.Freezes != 0 || len(m.Froze) != 1 || m.Froze[0] != "2026-11-09" {
		t.Fatalf("after a missed day with a freeze: streak %d, %d freezes, froze %v; want 8, 0, [2026-11-09]", m.Streak, m.Freezes, m.Froze)
	}
	// the next answer no longer reports it
	m = studiedOn(append(seq(0, 6), 8, 9)...)
	if len(m.Froze) != 0 || m.Streak != 9 {
		t.Errorf("the day after: froze %v, streak %d", m.Froze, m.Streak)
	}
	// two days missed with one freeze: broken
	if m := studiedOn(append(seq(0, 6), 9)...); m.Streak != 1 || m.Freezes != 1 {
		t.Errorf("two days missed with one freeze: streak %d, %d freezes; want 1 and the freeze kept", m.Streak, m.Freezes)
	}
	// two freezes cover two missed days
	if m := studiedOn(append(seq(0, 13), 16)...); m.Streak != 15 || m.Freezes != 0 || len(m.Froze) != 2 {
		t.Errorf("two missed days with two freezes: streak %d, %d freezes, froze %v", m.Streak, m.Freezes, m.Froze)
	}
	// answering twice a day on the 7th day earns one freeze, not two
	m = studiedOn(seq(0, 6)...)
	at := time.Date(2026, 11, 8, 18, 0, 0, 0, time.UTC)
	m.Apply(&bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "ann", PostID: 99, At: at, Day: bot.Day(at, time.UTC), Zone: "UTC"})
	if m.Freezes != 1 {
		t.Errorf("a second answer on the 7th day: %d freezes, want 1", m.Freezes)
	}
}

// While a freeze would cover the days missed so far, the current streak
// is not broken.
func TestCurrentStreakCountsFreezes(t *testing.T) {
	m := studiedOn(seq(0, 6)...) // last day 2026-11-08, one freeze
	for day, want := range map[string]int{"2026-11-09": 7, "2026-11-10": 7, "2026-11-11": 0} {
		now, _ := time.Parse("2006-01-02 15:04", day+" 12:00")
		if got := m.CurrentStreak(now, time.UTC); got != want {
			t.Errorf("current streak on %s = %d, want %d", day, got, want)
		}
	}
}
