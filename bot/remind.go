package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The streak reminder: a member who asks for one (/remind 20:00) gets a
// private message at that time of their own day (see zone.go) on a day
// they have not studied yet, at most one a day. Replicas agree on who
// sends it by a claim on the member (Member.Reminded, RemindUntil), made
// in the transaction that decides the reminder is due, as the daily
// question's ClaimDaily.

// remind shows, sets or turns off the member's reminder.
func (b *Bot) remind(ctx context.Context, req Request) (Reply, error) {
	m, loc, err := b.member(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	arg := strings.ToLower(strings.TrimSpace(req.Args["time"]))
	r := Reply{Private: true, Title: "Streak reminder"}
	switch arg {
	case "":
		if m.Remind == "" {
			r.Text = "Your reminder is off. Turn it on with /remind 20:00 (your local time, 24-hour): on a day you have not studied by then, you get a private message."
		} else {
			r.Text = fmt.Sprintf("On a day you have not studied by **%s** (%s time), you get a private message. Change it with /remind 21:30, or stop it with /remind off.", m.Remind, loc.String())
		}
		return b.withRemindNotice(ctx, req.Group, req.User.ID, m, r), nil
	case "off", "no", "stop", "none":
		err := b.store.UpdateMember(ctx, req.Group, req.User.ID, func(cur *Member) error {
			cur.Remind, cur.RemindOff = "", ""
			return nil
		})
		if err != nil {
			return Reply{}, err
		}
		r.Text = "Your reminder is off. Turn it back on with /remind 20:00."
		return r, nil
	}
	hhmm, err := time.Parse("15:04", arg)
	if err != nil {
		return Reply{}, Errorf(EInvalid, "Give the time of day as HH:MM on a 24-hour clock, such as /remind 20:00, or /remind off to stop the reminder (got %q).", shorten(arg, 20))
	}
	at := hhmm.Format("15:04")
	now := b.clock.Now()
	err = b.store.UpdateMember(ctx, req.Group, req.User.ID, func(cur *Member) error {
		cur.Remind, cur.RemindOff = at, ""
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	r.Text = fmt.Sprintf("On a day you have not studied by **%s** (%s time: your day, see /timezone), I will send you a private message saying what your streak is and how to keep it. At most one a day; stop it with /remind off.", at, loc.String())
	if now.In(loc).Format("15:04") >= at && !m.StudiedToday(now, loc) {
		r.Text += "\nIt is past " + at + " already and you have not studied today: the first one may come within a minute."
	}
	return r, nil
}

// withRemindNotice tells a member, once, that the bot turned their
// reminder off.
func (b *Bot) withRemindNotice(ctx context.Context, group, user string, m Member, r Reply) Reply {
	if m.RemindOff == "" {
		return r
	}
	r.Fields = append(r.Fields, Field{Name: "Reminder off", Value: m.RemindOff})
	err := b.store.UpdateMember(ctx, group, user, func(cur *Member) error {
		cur.RemindOff = ""
		return nil
	})
	if err != nil {
		b.log.Warn("cannot clear the reminder notice; it shows again", "group", group, "user", user, "err", err)
	}
	return r
}

// errNotDue is a reminder that is not due after all (decided under the
// member's transaction).
var errNotDue = errors.New("reminder not due")

// reminderDue reports whether m's reminder is due at now, and the
// member's day it is for.
func reminderDue(m Member, now time.Time, group *time.Location) (string, bool) {
	if m.Remind == "" {
		return "", false
	}
	loc := m.Location(now, group)
	today := Day(now, loc)
	if now.In(loc).Format("15:04") < m.Remind {
		return today, false
	}
	if m.Reminded > today || m.Reminded == today && !expired(m.RemindUntil, now) {
		return today, false // sent, or being sent
	}
	return today, !m.StudiedToday(now, loc)
}

// tickReminders sends every reminder due at now and returns how many it
// sent. It reads the members with a reminder (Reminders), not every
// member.
func (b *Bot) tickReminders(ctx context.Context) (int, error) {
	members, err := b.store.Reminders(ctx)
	if err != nil {
		return 0, err
	}
	now := b.clock.Now()
	groups := map[string]*time.Location{}
	sent := 0
	var errs []error
	for _, m := range members {
		loc, ok := groups[m.Group]
		if !ok {
			if loc, err = b.location(ctx, m.Group); err != nil {
				errs = append(errs, err)
				continue
			}
			groups[m.Group] = loc
		}
		if _, due := reminderDue(m, now, loc); !due {
			continue
		}
		done, err := b.sendReminder(ctx, m.Group, m.User, loc)
		if err != nil {
			errs = append(errs, err)
		}
		if done {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// sendReminder claims a member's reminder for their day, if it is still
// due, and sends it.
func (b *Bot) sendReminder(ctx context.Context, group, user string, loc *time.Location) (bool, error) {
	now := b.clock.Now().Truncate(time.Microsecond) // as precise as a store keeps it
	var c Claim
	var m Member
	err := b.store.UpdateMember(ctx, group, user, func(cur *Member) error {
		day, due := reminderDue(*cur, now, loc)
		if !due {
			return errNotDue
		}
		c = Claim{Day: day, At: now, Until: now.Add(ClaimLease)}
		if !c.Take(&cur.Reminded, &cur.RemindUntil) {
			return errNotDue
		}
		m = *cur
		return nil
	})
	if errors.Is(err, errNotDue) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if b.chat == nil {
		return false, errors.New("no chat to send reminders with")
	}
	err = b.chat.Direct(ctx, group, user, reminderReply(m, now, loc))
	switch {
	case errors.Is(err, ErrUnreachable):
		// the member closed their private messages: stop, and say so next
		// time they use the bot
		b.log.Info("reminder turned off: the platform refused the private message", "group", group, "user", user, "err", err)
		uerr := b.store.UpdateMember(ctx, group, user, func(cur *Member) error {
			cur.Remind = ""
			cur.RemindOff = "Your streak reminder could not reach you: " + platformName(platformOf(group)) + " refused the private message (are direct messages from this server's members closed?), so it is off. Open them and turn it back on with /remind 20:00."
			Confirm(&cur.Reminded, &cur.RemindUntil, c.Day)
			return nil
		})
		return false, uerr
	case err != nil:
		// a passing failure: release the claim, so the next tick retries
		uerr := b.store.UpdateMember(ctx, group, user, func(cur *Member) error {
			if c.Holds(cur.Reminded, cur.RemindUntil) {
				cur.Reminded, cur.RemindUntil = DayBefore(c.Day), time.Time{}
			}
			return nil
		})
		return false, errors.Join(fmt.Errorf("streak reminder of %s in %s: %w", user, group, err), uerr)
	}
	if err := b.store.UpdateMember(ctx, group, user, func(cur *Member) error {
		Confirm(&cur.Reminded, &cur.RemindUntil, c.Day)
		return nil
	}); err != nil {
		// sent: at worst the claim expires and the reminder comes twice
		b.log.Warn("confirming a reminder's claim", "group", group, "user", user, "err", err)
	}
	b.log.Info("streak reminder sent", "group", group, "user", user, "day", c.Day)
	return true, nil
}

// platformOf is a group's platform: "discord", "slack", or the console's
// own group name.
func platformOf(group string) string {
	p, _, _ := strings.Cut(group, ":")
	return p
}

// command is how a member types a command on a group's platform: /prep
// question on Slack, /question elsewhere.
func command(group, name string) string {
	if platformOf(group) == "slack" {
		return "/prep " + name
	}
	return "/" + name
}

// reminderReply is the private message of a due reminder: the streak,
// the freezes and what to type.
func reminderReply(m Member, now time.Time, loc *time.Location) Reply {
	r := Reply{Private: true, Color: 0xE67E22}
	streak := m.CurrentStreak(now, loc)
	if streak > 0 {
		r.Title = fmt.Sprintf("Your %s streak is at risk", plural(streak, "day", "days"))
		r.Text = fmt.Sprintf("You have not studied today yet. Answer one card before your day ends to keep your streak of %s.", plural(streak, "day", "days"))
	} else {
		r.Title = "Time to study"
		r.Text = "You have not studied today yet. Answer one card to start a streak."
	}
	r.Fields = []Field{
		{Name: "Streak", Value: streakText(streak), Inline: true},
		{Name: "Streak freezes", Value: fmt.Sprintf("%d of %d", m.Freezes, MaxFreezes), Inline: true},
		{Name: "To study", Value: fmt.Sprintf("Type %s in the server for a card, or %s for the cards due for you.", command(m.Group, "question"), command(m.Group, "review"))},
	}
	if m.Freezes > 0 && streak > 0 {
		r.Fields[1].Value += " (a missed day uses one)"
	}
	r.Footer = fmt.Sprintf("You asked for this at %s (%s time). Stop it with %s off.", m.Remind, m.Location(now, loc).String(), command(m.Group, "remind"))
	return r
}
