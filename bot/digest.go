package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// digest is the weekly summary of a group: the week's leaderboard, the
// longest streaks, and the category the group missed most.
func (b *Bot) digest(ctx context.Context, group string, now time.Time, loc *time.Location) (Reply, error) {
	week := PeriodKey("week", now, loc)
	r := Reply{Title: "This week in study", Color: 0xF1C40F,
		Footer: "A new week starts Monday · /review for what is due · /practice for your weakest category"}
	var t strings.Builder
	top, err := b.store.Leaderboard(ctx, group, week, "", 5)
	if err != nil {
		return r, err
	}
	if len(top) == 0 {
		t.WriteString("Nobody answered this week. Draw a card with /question and start a streak.")
		r.Text = t.String()
		return r, nil
	}
	t.WriteString("**Leaderboard**\n")
	for i, s := range top {
		name := s.Name
		if name == "" {
			name = s.User
		}
		fmt.Fprintf(&t, "%d. %s: %d points (%d%% of %s)\n", i+1, EscapeMarkdown(name), s.Points, s.Percent(), plural(s.Answered, "answer", "answers"))
	}
	members, err := b.store.Members(ctx, group)
	if err != nil {
		return r, err
	}
	sort.SliceStable(members, func(i, j int) bool {
		return members[i].CurrentStreak(now, loc) > members[j].CurrentStreak(now, loc)
	})
	var streaks []string
	for _, m := range members[:min(3, len(members))] {
		if n := m.CurrentStreak(now, loc); n > 1 {
			streaks = append(streaks, fmt.Sprintf("%s %s", EscapeMarkdown(m.Name), plural(n, "day", "days")))
		}
	}
	if len(streaks) > 0 {
		t.WriteString("\n**Longest streaks:** " + strings.Join(streaks, ", ") + "\n")
	}
	tallies, err := b.store.PeriodTallies(ctx, group, week)
	if err != nil {
		return r, err
	}
	worst, rate := "", -1.0
	for cat, tl := range tallies {
		if tl.Answered == 0 {
			continue
		}
		if miss := 1 - tl.Accuracy(); miss > rate || miss == rate && cat < worst {
			worst, rate = cat, miss
		}
	}
	if worst != "" && rate > 0 {
		fmt.Fprintf(&t, "\n**Missed most:** %s: %.0f%% of this week's answers were wrong. Try /practice category:%s.\n",
			fmtCategory(b.bank, worst), 100*rate, worst)
	}
	r.Text = strings.TrimSpace(t.String())
	return r, nil
}

// tickDigest posts a schedule's weekly digest when its day and time have
// come and it has not been posted today.
func (b *Bot) tickDigest(ctx context.Context, s Schedule, now time.Time, loc *time.Location) (bool, error) {
	local := now.In(loc)
	day := Day(now, loc)
	if s.DigestDay == "" || s.LastDigest == day && !expired(s.DigestUntil, now) || local.Format("15:04") < s.Time ||
		!strings.EqualFold(local.Weekday().String()[:3], s.DigestDay) {
		return false, nil
	}
	ok, err := b.store.ClaimDigest(ctx, s.Group, s.Channel, b.claim(day))
	if err != nil || !ok {
		return false, err
	}
	r, err := b.digest(ctx, s.Group, now, loc)
	if err == nil {
		err = b.post(ctx, s, r)
	}
	if err != nil {
		return false, err
	}
	if err := b.store.PostedDigest(ctx, s.Group, s.Channel, day); err != nil {
		b.log.Warn("confirming the weekly digest's claim", "group", s.Group, "channel", s.Channel, "err", err)
	}
	b.log.Info("weekly digest posted", "group", s.Group, "channel", s.Channel, "day", day)
	return true, nil
}
