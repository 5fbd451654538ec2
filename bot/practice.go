package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

// Review limits: a long absence must not bury a member in hundreds of due
// cards at once, and unseen cards come in a few a day.
const (
	MaxReviewsPerDay = 20
	NewCardsPerDay   = 5
)

// reviewQueue is a member's review work for today.
type reviewQueue struct {
	due        []Review // due today or overdue, most overdue first
	doneToday  int      // reviewed today
	newToday   int      // seen for the first time today
	seen       map[string]bool
	nextDueDay string // the earliest due day after today
}

func (b *Bot) queue(ctx context.Context, group, user, today string) (reviewQueue, error) {
	states, err := b.store.Reviews(ctx, group, user)
	q := reviewQueue{seen: map[string]bool{}}
	if err != nil {
		return q, err
	}
	for _, r := range states {
		if _, ok := b.bank.Card(r.Card); !ok {
			continue // removed from the bank
		}
		q.seen[r.Card] = true
		if r.Last == today {
			q.doneToday++
		}
		if r.First == today {
			q.newToday++
		}
		switch {
		case r.Due <= today && r.Last != today:
			q.due = append(q.due, r)
		case r.Due > today && (q.nextDueDay == "" || r.Due < q.nextDueDay):
			q.nextDueDay = r.Due
		}
	}
	sort.Slice(q.due, func(i, j int) bool {
		if q.due[i].Due != q.due[j].Due {
			return q.due[i].Due < q.due[j].Due
		}
		return q.due[i].Card < q.due[j].Card
	})
	return q, nil
}

// review deals the member's next review card: a due one (at most
// MaxReviewsPerDay a day, most overdue first), else a new one (at most
// NewCardsPerDay a day), else says when the next review is.
func (b *Bot) review(ctx context.Context, req Request) (Reply, error) {
	_, loc, err := b.member(ctx, req) // the member's day
	if err != nil {
		return Reply{}, err
	}
	today := Day(b.clock.Now(), loc)
	q, err := b.queue(ctx, req.Group, req.User.ID, today)
	if err != nil {
		return Reply{}, err
	}
	left := max(0, MaxReviewsPerDay-q.doneToday)
	var card *questionbank.Card
	status := ""
	switch {
	case len(q.due) > 0 && left > 0:
		card, _ = b.bank.Card(q.due[0].Card)
		status = fmt.Sprintf("%s due", plural(min(len(q.due), left), "card", "cards"))
		if len(q.due) > left {
			status += fmt.Sprintf(" today (%d more wait for the next days)", len(q.due)-left)
		}
	case q.newToday < NewCardsPerDay && left > 0:
		card, err = b.unseen(ctx, req, q.seen)
		if err != nil {
			return Reply{}, err
		}
		status = fmt.Sprintf("a new card (%d of %d new today)", q.newToday+1, NewCardsPerDay)
	}
	if card == nil {
		r := Reply{Private: true, Title: "Review: done for today", Color: 0x27AE60,
			Text: fmt.Sprintf("You reviewed %s today.", plural(q.doneToday, "card", "cards"))}
		if q.nextDueDay != "" {
			r.Text += " Next review: " + q.nextDueDay + "."
		}
		r.Text += " Keep going with /practice, which picks what you miss most."
		return r, nil
	}
	return b.dealPrivate(ctx, req, card, "Review: "+status)
}

// unseen draws a card the member has never answered, from a personal bag.
func (b *Bot) unseen(ctx context.Context, req Request, seen map[string]bool) (*questionbank.Card, error) {
	for i := 0; i < b.bank.Len()+1; i++ {
		c, err := b.draw(ctx, "review:"+req.Group+":"+req.User.ID, questionbank.Filter{})
		if err != nil {
			return nil, err
		}
		if !seen[c.ID] {
			return c, nil
		}
	}
	return nil, nil // every card seen: nothing new
}

// dealPrivate posts a card to the member alone (a review or practice card).
func (b *Bot) dealPrivate(ctx context.Context, req Request, c *questionbank.Card, why string) (Reply, error) {
	if err := b.cooldown(ctx, req, "review"); err != nil {
		return Reply{}, err
	}
	p := &Post{Group: req.Group, Channel: req.Channel, CardID: c.ID, Category: c.Category, Review: true, By: req.User.ID, At: b.clock.Now()}
	if err := b.store.CreatePost(ctx, p); err != nil {
		return Reply{}, err
	}
	r := b.cardReply(c, p)
	r.Private = true
	r.Text = "*" + why + "*\n\n" + r.Text
	return r, nil
}

// weakness is a category's smoothed miss rate: (wrong+1)/(answered+2), so
// a category never tried counts as a coin flip.
func weakness(t Tally) float64 {
	return float64(t.Answered-t.Correct+1) / float64(t.Answered+2)
}

// practice draws toward the member's weakest category (or the one asked
// for) and, within it, toward the cards they missed.
func (b *Bot) practice(ctx context.Context, req Request) (Reply, error) {
	cat := strings.ToLower(strings.TrimSpace(req.Args["category"]))
	if err := b.bank.CheckFilter(questionbank.Filter{Category: cat}); err != nil {
		return Reply{}, invalid(err)
	}
	m, err := b.store.Member(ctx, req.Group, req.User.ID)
	if err != nil {
		return Reply{}, err
	}
	if cat == "" {
		worst := -1.0
		for _, c := range b.bank.Categories() {
			t := m.Categories[c.ID]
			if w := weakness(t); w > worst || w == worst && t.Answered < m.Categories[cat].Answered {
				cat, worst = c.ID, w
			}
		}
	}
	name := fmtCategory(b.bank, cat)
	why := "You have not tried " + name + " yet"
	if t := m.Categories[cat]; t.Answered > 0 && t.Correct < t.Answered {
		why = fmt.Sprintf("You miss %d%% of %s questions", 100-t.Percent(), name)
	} else if t.Answered > 0 {
		why = fmt.Sprintf("You answered every %s question right so far: keep it sharp", name)
	}
	states, err := b.store.Reviews(ctx, req.Group, req.User.ID)
	if err != nil {
		return Reply{}, err
	}
	// the card missed most (lowest grade, then most lapses) in the category
	var missed *Review
	for i, r := range states {
		if r.Category != cat || r.Grade >= 3 {
			continue
		}
		if missed == nil || r.Grade < missed.Grade || r.Grade == missed.Grade && r.Lapses > missed.Lapses {
			missed = &states[i]
		}
	}
	var card *questionbank.Card
	if missed != nil {
		card, _ = b.bank.Card(missed.Card)
		why += "; this is one you missed"
	}
	if card == nil {
		if card, err = b.draw(ctx, "practice:"+req.Group+":"+req.User.ID, questionbank.Filter{Category: cat}); err != nil {
			return Reply{}, err
		}
	}
	return b.dealPrivate(ctx, req, card, "Practice: "+why+".")
}

// reviewField summarises what is due, for /stats.
func (b *Bot) reviewField(ctx context.Context, group, user, today string) (Field, error) {
	q, err := b.queue(ctx, group, user, today)
	if err != nil {
		return Field{}, err
	}
	v := fmt.Sprintf("%d due today", len(q.due))
	if q.nextDueDay != "" {
		v += ", next on " + q.nextDueDay
	}
	if len(q.due) > 0 {
		v += " (start with /review)"
	}
	return Field{Name: "Review", Value: v}, nil
}
