package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prepbot/prepbot/questionbank"
)

// dailyCard draws the day's card for a schedule, rotating through its
// categories one a day, each from its own persisted shuffle bag, and stores
// the post.
func (b *Bot) dailyCard(ctx context.Context, s Schedule) (*questionbank.Card, *Post, error) {
	f := questionbank.Filter{}
	if len(s.Categories) > 0 {
		f.Category = s.Categories[s.Next%len(s.Categories)]
	}
	card, err := b.draw(ctx, "qotd:"+s.Group+":"+s.Channel, f)
	if err != nil {
		return nil, nil, err
	}
	if len(s.Categories) > 1 {
		err := b.store.UpdateSchedule(ctx, s.Group, s.Channel, func(cur *Schedule) error {
			if len(cur.Categories) > 0 {
				cur.Next = (cur.Next + 1) % len(cur.Categories)
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, nil, err
		}
	}
	p := &Post{Group: s.Group, Channel: s.Channel, CardID: card.ID, Category: card.Category, Daily: true, By: "schedule", At: b.clock.Now()}
	if err := b.store.CreatePost(ctx, p); err != nil {
		return nil, nil, err
	}
	return card, p, nil
}

func (b *Bot) post(ctx context.Context, s Schedule, r Reply) error {
	if b.chat == nil {
		return errors.New("no chat to post to")
	}
	err := b.chat.Post(ctx, s.Group, s.Channel, r)
	if errors.Is(err, ErrChannelGone) {
		b.log.Warn("daily question disabled: channel gone or no access", "group", s.Group, "channel", s.Channel, "err", err)
		reason := fmt.Sprintf("posting to %s failed on %s (%v)", ChannelRef(s.Channel), b.clock.Now().UTC().Format("2 Jan 15:04 MST"), err)
		uerr := b.store.UpdateSchedule(ctx, s.Group, s.Channel, func(cur *Schedule) error {
			cur.Disabled = reason
			return nil
		})
		if uerr != nil && !errors.Is(uerr, ErrNotFound) {
			return uerr
		}
	}
	return err
}

// ClaimLease is how long a claim of a day's post holds before another
// replica may take it over, when whoever claimed it neither confirmed
// nor released it (it died between claiming and posting). A post that
// takes longer than this (a rate limit waited out) may be made twice.
const ClaimLease = 10 * time.Minute

// claim is a claim of a day's post, made now.
func (b *Bot) claim(day string) Claim {
	now := b.clock.Now().Truncate(time.Microsecond) // as precise as a store keeps it
	return Claim{Day: day, At: now, Until: now.Add(ClaimLease)}
}

// expired reports whether a claim held until until has expired at now
// (false for a confirmed claim, whose until is zero).
func expired(until, now time.Time) bool { return !until.IsZero() && !now.Before(until) }

// posted confirms the claim of a day's question in a scheduled channel,
// once it is posted.
func (b *Bot) posted(ctx context.Context, s Schedule, day string) {
	if s.Time == "" {
		return // no schedule: the claim is a delivery id
	}
	if err := b.store.PostedDaily(ctx, s.Group, s.Channel, day); err != nil {
		// the post is made: at worst the claim expires and the day's
		// question is posted a second time
		b.log.Warn("confirming the daily question's claim", "group", s.Group, "channel", s.Channel, "err", err)
	}
}

func (b *Bot) unclaim(ctx context.Context, s Schedule, c Claim) {
	if err := b.store.UnclaimDaily(ctx, s.Group, s.Channel, c); err != nil {
		b.log.Error("cannot release the daily claim; today's question may be skipped", "group", s.Group, "channel", s.Channel, "err", err)
	}
}

// SetChat sets where the scheduler posts. Adapters call it before Run.
func (b *Bot) SetChat(c Chat) { b.chat = c }

// Tick posts every daily question that is due at the clock's now and not yet
// posted today, and returns how many it posted. A question missed while the
// bot was down is posted on the first tick of the same local day; a day that
// is over is not caught up. Each post is claimed in the store before it is
// made, so a restart never posts twice; a post that fails for a passing
// reason is released and retried on the next tick. It also sends the
// streak reminders due (see remind.go), which the count leaves out.
func (b *Bot) Tick(ctx context.Context) (int, error) {
	list, err := b.store.Schedules(ctx, "")
	if err != nil {
		return 0, err
	}
	now := b.clock.Now()
	posted := 0
	var errs []error
	for _, s := range list {
		if s.Disabled != "" {
			continue
		}
		loc, err := LoadLocation(s.TimeZone)
		if err != nil {
			continue
		}
		local := now.In(loc)
		day := Day(now, loc)
		if _, err := b.tickDigest(ctx, s, now, loc); err != nil {
			errs = append(errs, err)
		}
		if s.LastDay == day && !expired(s.DailyUntil, now) || !s.PostsOn(local.Weekday()) || local.Format("15:04") < s.Time {
			continue
		}
		c := b.claim(day)
		ok, err := b.store.ClaimDaily(ctx, s.Group, s.Channel, c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		card, p, err := b.dailyCard(ctx, s)
		if err == nil {
			err = b.post(ctx, s, b.cardReply(card, p))
		}
		if b.cfg.OnDaily != nil {
			b.cfg.OnDaily(err == nil)
		}
		if err != nil {
			if !errors.Is(err, ErrChannelGone) {
				b.unclaim(ctx, s, c)
				b.log.Error("daily question failed; will retry", "group", s.Group, "channel", s.Channel, "err", err)
			}
			errs = append(errs, err)
			continue
		}
		b.posted(ctx, s, day)
		posted++
		b.log.Info("daily question posted", "group", s.Group, "channel", s.Channel, "card", card.ID, "day", day)
	}
	if _, err := b.tickReminders(ctx); err != nil {
		errs = append(errs, err)
	}
	return posted, errors.Join(errs...)
}

// deliveryTTL is how long delivery ids are kept: platforms redeliver
// within minutes, so two days is ample.
const deliveryTTL = 48 * time.Hour

// Run ticks the daily schedules every interval and the study rounds every
// second until ctx is done. The first tick is immediate, so a question
// missed while the bot was down is posted at start.
func (b *Bot) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	rounds := time.NewTicker(time.Second)
	defer rounds.Stop()
	var purged time.Time
	for {
		if _, err := b.Tick(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("scheduler tick", "err", err)
		}
		if now := b.clock.Now(); now.Sub(purged) > time.Hour {
			if _, err := b.store.PurgeDeliveries(ctx, now.Add(-deliveryTTL)); err != nil && ctx.Err() == nil {
				b.log.Warn("purging old delivery ids", "err", err)
			}
			purged = now
		}
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return
			case <-rounds.C:
				if err := b.TickRounds(ctx); err != nil && ctx.Err() == nil {
					b.log.Warn("study rounds", "err", err)
				}
			case <-t.C:
				waiting = false
			}
		}
	}
}
