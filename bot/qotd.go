package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/prepbot/prepbot/questionbank"
)

// qotdChannel is the channel a /qotd subcommand is about: the one named,
// or the one it was typed in.
func qotdChannel(req Request) string {
	if c := strings.TrimSpace(req.Args["channel"]); c != "" {
		return c
	}
	return req.Channel
}

// validChannel reports whether s can be a channel id (a Discord snowflake,
// a Slack id, a console #name): a short word with no spaces or markup.
func validChannel(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '#' || r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func (b *Bot) qotd(ctx context.Context, req Request) (Reply, error) {
	sub := req.Args["sub"]
	if sub == "" {
		sub = "status"
	}
	if sub != "status" && !req.User.Admin {
		return Reply{}, Errorf(EForbidden, "Only server admins can change the daily question (on Discord: Manage Server; on Slack: a workspace admin). Ask one of them, or see the current setup with /qotd status.")
	}
	channel := qotdChannel(req)
	if !validChannel(channel) {
		return Reply{}, Errorf(EInvalid, "That is not a channel: name one, such as channel:#study, or leave it out for this channel.")
	}
	switch sub {
	case "set":
		return b.qotdSet(ctx, req, channel)
	case "off":
		if _, err := b.store.Schedule(ctx, req.Group, channel); errors.Is(err, ErrNotFound) {
			return Reply{}, Errorf(ENotFound, "There is no daily question in %s. Set one with /qotd set.", ChannelRef(channel))
		} else if err != nil {
			return Reply{}, err
		}
		if err := b.store.DeleteSchedule(ctx, req.Group, channel); err != nil {
			return Reply{}, err
		}
		return Reply{Private: true, Title: "Daily question off", Text: fmt.Sprintf("No more daily questions in %s. Turn them back on with /qotd set.", ChannelRef(channel))}, nil
	case "now":
		return b.qotdNow(ctx, req, channel)
	case "status":
		return b.qotdStatus(ctx, req)
	}
	return Reply{}, Errorf(EInvalid, "Unknown /qotd subcommand %q: use set, off, now or status.", sub)
}

func (b *Bot) qotdSet(ctx context.Context, req Request, channel string) (Reply, error) {
	hhmm, err := parseClock(req.Args["time"])
	if err != nil {
		return Reply{}, err
	}
	tz := strings.TrimSpace(req.Args["timezone"])
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	if tz == "" {
		tz = g.TimeZone
	}
	if tz == "" {
		tz = b.tz
	}
	if tz == "" {
		tz = "UTC"
	}
	loc, err := LoadLocation(tz)
	if err != nil {
		return Reply{}, err
	}
	cats, err := b.parseCategories(req.Args["categories"])
	if err != nil {
		return Reply{}, err
	}
	days, err := ParseWeekdays(req.Args["weekdays"])
	if err != nil {
		return Reply{}, err
	}
	digest := ""
	if d := strings.TrimSpace(req.Args["digest"]); d != "" {
		wd, err := ParseWeekdays(d)
		if err != nil || len(wd) != 1 {
			return Reply{}, Errorf(EInvalid, "Give the digest one weekday, such as digest:fri (got %q).", d)
		}
		digest = strings.ToLower(wd[0].String()[:3])
	}
	s := Schedule{Group: req.Group, Channel: channel, Time: hhmm, TimeZone: loc.String(), Categories: cats, Weekdays: days, By: req.User.ID, DigestDay: digest}
	// a schedule that exists is changed in place: its claims ("already
	// posted today") and its place in the categories stay
	err = b.store.UpdateSchedule(ctx, req.Group, channel, func(cur *Schedule) error {
		next := cur.Next
		*cur = s
		cur.Next = next
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		err = b.store.SaveSchedule(ctx, s)
	}
	if err != nil {
		return Reply{}, err
	}
	// The schedule's zone becomes the group's: streaks and leaderboard
	// periods follow the same clock as the daily question.
	if g.TimeZone != s.TimeZone {
		if err := b.store.UpdateGroup(ctx, req.Group, func(g *Group) error { g.TimeZone = s.TimeZone; return nil }); err != nil {
			return Reply{}, err
		}
	}
	now := b.clock.Now()
	next := "due now: it is posted within a minute"
	if n := s.NextRun(now); n.After(now) {
		next = n.In(loc).Format("Mon 2 Jan 15:04")
	}
	text := fmt.Sprintf("%s gets a question at %s %s, %s, from %s.\nNext: %s.",
		ChannelRef(channel), s.Time, s.TimeZone, weekdayText(s.Weekdays), b.categoryText(s.Categories), next)
	if s.DigestDay != "" {
		text += fmt.Sprintf("\nEvery %s at %s it also gets the week's digest: the leaderboard, the longest streaks and the category missed most.", digestDayName(s.DigestDay), s.Time)
	}
	text += "\nStreaks and leaderboards in this server now follow " + s.TimeZone + " time."
	return Reply{Private: true, Title: "Daily question set", Color: 0x27AE60, Text: text}, nil
}

func (b *Bot) parseCategories(s string) ([]string, error) {
	var out []string
	for _, c := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' }) {
		if err := b.bank.CheckFilter(questionbank.Filter{Category: c}); err != nil {
			return nil, invalid(err)
		}
		out = append(out, c)
	}
	return out, nil
}

func (b *Bot) categoryText(cats []string) string {
	if len(cats) == 0 {
		return "every category"
	}
	var names []string
	for _, c := range cats {
		names = append(names, fmtCategory(b.bank, c))
	}
	return strings.Join(names, ", ")
}

func (b *Bot) qotdNow(ctx context.Context, req Request, channel string) (Reply, error) {
	s, err := b.store.Schedule(ctx, req.Group, channel)
	if errors.Is(err, ErrNotFound) {
		s = Schedule{Group: req.Group, Channel: channel}
	} else if err != nil {
		return Reply{}, err
	}
	loc, err := b.location(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	if s.TimeZone != "" {
		if l, err := LoadLocation(s.TimeZone); err == nil {
			loc = l
		}
	}
	day := Day(b.clock.Now(), loc)
	// Posting now counts as today's question, so the schedule does not post
	// a second one later today, and a second "now" posts nothing: the day's
	// question is posted once. A channel without a schedule keeps its claim
	// with the delivery ids (kept two days).
	claimed := false
	c := b.claim(day)
	if s.Time != "" {
		if claimed, err = b.store.ClaimDaily(ctx, req.Group, channel, c); err != nil {
			return Reply{}, err
		}
	} else {
		claimed = b.FirstDelivery(ctx, "qotd", req.Group+":"+channel+":"+day)
	}
	if !claimed {
		text := fmt.Sprintf("Today's question is already in %s; there is one a day.", ChannelRef(channel))
		if s.Time != "" {
			text += fmt.Sprintf(" The next one comes %s.", s.NextRun(b.clock.Now()).In(loc).Format("Mon 2 Jan 15:04"))
		}
		return Reply{}, Errorf(EConflict, "%s", text)
	}
	card, p, err := b.dailyCard(ctx, s)
	if err != nil {
		if s.Time != "" {
			b.unclaim(ctx, s, c)
		}
		return Reply{}, err
	}
	reply := b.cardReply(card, p)
	if channel == req.Channel {
		// the adapter shows this reply in the channel itself
		b.posted(ctx, s, day)
		return reply, nil
	}
	if err := b.post(ctx, s, reply); err != nil {
		if s.Time != "" {
			b.unclaim(ctx, s, c)
		}
		return Reply{}, err
	}
	b.posted(ctx, s, day)
	return Reply{Private: true, Title: "Posted", Text: "Today's question is in " + ChannelRef(channel) + "."}, nil
}

func (b *Bot) qotdStatus(ctx context.Context, req Request) (Reply, error) {
	list, err := b.store.Schedules(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Private: true, Title: "Daily questions", Color: 0x2E86C1}
	if len(list) == 0 {
		r.Text = "No channel gets a daily question now. An admin starts one with /qotd set channel:#study time:09:00 timezone:Europe/Berlin."
		return r, nil
	}
	now := b.clock.Now()
	var t strings.Builder
	for _, s := range list {
		loc, _ := LoadLocation(s.TimeZone)
		fmt.Fprintf(&t, "**%s**: %s %s, %s, %s", ChannelRef(s.Channel), s.Time, s.TimeZone, weekdayText(s.Weekdays), b.categoryText(s.Categories))
		if s.LastDay != "" {
			fmt.Fprintf(&t, " · last posted %s", s.LastDay)
		}
		if s.DigestDay != "" {
			fmt.Fprintf(&t, " · weekly digest on %s", digestDayName(s.DigestDay))
		}
		if s.Disabled != "" {
			fmt.Fprintf(&t, "\n⚠️ Paused: %s. Fix the channel, then run /qotd set again to resume.", s.Disabled)
		} else if loc != nil {
			fmt.Fprintf(&t, " · next %s", s.NextRun(now).In(loc).Format("Mon 2 Jan 15:04"))
		}
		t.WriteString("\n")
	}
	r.Text = strings.TrimSpace(t.String())
	return r, nil
}

// parseClock reads HH:MM (24-hour); "9:00" and "09:00" both work.
func parseClock(s string) (string, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("15:04", s)
	if err != nil {
		return "", Errorf(EInvalid, "Give the time as HH:MM on a 24-hour clock, such as time:09:00 (got %q).", s)
	}
	return t.Format("15:04"), nil
}

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekdays reads "mon-fri", "mon,wed,fri", "weekdays", "weekends",
// "daily" or "" (every day).
func ParseWeekdays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "daily", "every", "all":
		return nil, nil
	case "weekdays":
		s = "mon-fri"
	case "weekends", "weekend":
		s = "sat,sun"
	}
	day := func(w string) (int, error) {
		w = strings.TrimSpace(w)
		for i, n := range weekdayNames {
			if len(w) >= 3 && strings.HasPrefix(w, n) {
				return i, nil
			}
		}
		return 0, Errorf(EInvalid, "Unknown weekday %q: use mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or weekdays.", w)
	}
	set := map[time.Weekday]bool{}
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, err := day(from)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = day(to); err != nil {
				return nil, err
			}
		}
		for i := a; ; i = (i + 1) % 7 {
			set[time.Weekday(i)] = true
			if i == b {
				break
			}
		}
	}
	if len(set) == 7 {
		return nil, nil
	}
	var out []time.Weekday
	for d := time.Monday; ; d = (d + 1) % 7 {
		if set[d] {
			out = append(out, d)
		}
		if d == time.Sunday {
			break
		}
	}
	return out, nil
}

func weekdayText(days []time.Weekday) string {
	if len(days) == 0 {
		return "every day"
	}
	if len(days) == 5 && days[0] == time.Monday && days[4] == time.Friday {
		return "Monday to Friday"
	}
	var names []string
	for _, d := range days {
		names = append(names, d.String()[:3])
	}
	return strings.Join(names, ", ")
}

// PostsOn reports whether the schedule posts on a weekday.
func (s Schedule) PostsOn(d time.Weekday) bool {
	if len(s.Weekdays) == 0 {
		return true
	}
	for _, w := range s.Weekdays {
		if w == d {
			return true
		}
	}
	return false
}

// NextRun returns the next scheduled moment after now (or today's, if it is
// due and not yet posted).
func (s Schedule) NextRun(now time.Time) time.Time {
	loc, err := LoadLocation(s.TimeZone)
	if err != nil {
		return time.Time{}
	}
	local := now.In(loc)
	h, m := 9, 0
	if t, err := time.Parse("15:04", s.Time); err == nil {
		h, m = t.Hour(), t.Minute()
	}
	for i := 0; i < 8; i++ {
		d := local.AddDate(0, 0, i)
		at := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
		if !s.PostsOn(at.Weekday()) {
			continue
		}
		if i == 0 && s.LastDay == Day(local, loc) {
			continue // today's is posted (at its time, or early by /qotd now)
		}
		if i == 0 && at.Before(local) {
			return local // due now: the scheduler posts on its next tick
		}
		return at
	}
	return time.Time{}
}

func digestDayName(d string) string {
	wd, err := ParseWeekdays(d)
	if err != nil || len(wd) != 1 {
		return d
	}
	return wd[0].String()
}
