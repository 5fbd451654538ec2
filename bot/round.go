package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prepbot/prepbot/questionbank"
)

// Round is a group study round in one channel: cards one after another,
// each open for a set time, then the answer, then the next; a scoreboard
// at the end. One round per channel at a time.
type Round struct {
	Group    string    `json:"group"`
	Channel  string    `json:"channel"`
	Starter  string    `json:"starter"`
	Category string    `json:"category,omitempty"`
	Count    int       `json:"count"`   // cards in the round
	Seconds  int       `json:"seconds"` // each card is open this long
	Index    int       `json:"index"`   // the card being answered, from 0
	Post     uint64    `json:"post"`    // its post
	Deadline time.Time `json:"deadline"`
	// Lease is how long the replica that claimed the round's step (the
	// reveal of a card whose time is up, and the next card or the end)
	// has it: the others skip the round until then, and take the step
	// over if it has not been made by then (its replica died).
	Lease  time.Time         `json:"lease,omitzero"`
	Scores map[string]int    `json:"scores"` // user -> points this round
	Names  map[string]string `json:"names"`
	// Players answered an earlier card of the round; Answered, the
	// current one. When every player has answered the current card, it
	// is revealed at once (see creditRound).
	Players  map[string]bool `json:"players,omitempty"`
	Answered map[string]bool `json:"answered,omitempty"`
}

// Round limits.
const (
	RoundMaxCards   = 20
	RoundMinSeconds = 10
	RoundMaxSeconds = 300
	SpeedBonusMax   = 5 // a correct answer at once earns this much more, falling to 0 at the deadline
)

func (b *Bot) study(ctx context.Context, req Request) (Reply, error) {
	if req.Args["sub"] == "stop" || strings.EqualFold(strings.TrimSpace(req.Args["category"]), "stop") {
		return b.studyStop(ctx, req)
	}
	cat := strings.ToLower(strings.TrimSpace(req.Args["category"]))
	if err := b.bank.CheckFilter(questionbank.Filter{Category: cat}); err != nil {
		return Reply{}, invalid(err)
	}
	count, err := intArg(req.Args["count"], 5, 1, RoundMaxCards, "count")
	if err != nil {
		return Reply{}, err
	}
	secs, err := intArg(req.Args["seconds"], 30, RoundMinSeconds, RoundMaxSeconds, "seconds")
	if err != nil {
		return Reply{}, err
	}
	if _, err := b.store.Round(ctx, req.Group, req.Channel); err == nil {
		return Reply{}, Errorf(EBusy, "A study round is already running in this channel. Join it, or end it with /study stop (its starter or an admin).")
	} else if !errors.Is(err, ErrNotFound) {
		return Reply{}, err
	}
	rd := Round{Group: req.Group, Channel: req.Channel, Starter: req.User.ID, Category: cat, Count: count, Seconds: secs,
		Index: -1, Scores: map[string]int{}, Names: map[string]string{}}
	return b.nextRoundCard(ctx, &rd)
}

func intArg(s string, def, lo, hi int, name string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, Errorf(EInvalid, "Give %s as a number from %d to %d (got %q).", name, lo, hi, s)
	}
	return n, nil
}

// nextRoundCard deals the round's next card and saves the round.
func (b *Bot) nextRoundCard(ctx context.Context, rd *Round) (Reply, error) {
	card, err := b.draw(ctx, "round:"+rd.Group+":"+rd.Channel, questionbank.Filter{Category: rd.Category})
	if err != nil {
		return Reply{}, err
	}
	now := b.clock.Now()
	p := &Post{Group: rd.Group, Channel: rd.Channel, CardID: card.ID, Category: card.Category, Round: true, By: rd.Starter, At: now}
	if err := b.store.CreatePost(ctx, p); err != nil {
		return Reply{}, err
	}
	prev := rd.Post
	step := func(r *Round) {
		r.Index++
		r.Post = p.ID
		r.Deadline = now.Add(time.Duration(r.Seconds) * time.Second)
		r.Lease = time.Time{}
		for u := range r.Answered {
			if r.Players == nil {
				r.Players = map[string]bool{}
			}
			r.Players[u] = true
		}
		r.Answered = nil
	}
	if rd.Index < 0 { // a new round
		step(rd)
		if err := b.store.SaveRound(ctx, *rd); err != nil {
			return Reply{}, err
		}
	} else {
		// only the step: the scores credited meanwhile stay, and a round
		// stopped or taken over meanwhile is left as it is
		err := b.store.UpdateRound(ctx, rd.Group, rd.Channel, func(r *Round) error {
			if r.Post != prev {
				return errRoundTaken
			}
			step(r)
			*rd = *r
			return nil
		})
		if err != nil {
			return Reply{}, err
		}
	}
	r := b.cardReply(card, p)
	r.Title = fmt.Sprintf("Study round: card %d of %d · %s", rd.Index+1, rd.Count, r.Title)
	r.Text = fmt.Sprintf("*%d seconds to answer; faster right answers earn up to %d more points.*\n\n", rd.Seconds, SpeedBonusMax) + r.Text
	var buttons []Button
	for _, bt := range r.Buttons { // during a round, the answer waits for the reveal
		if a, _ := ParseAction(bt.ID); a.Kind != ActionReveal {
			buttons = append(buttons, bt)
		}
	}
	r.Buttons = buttons
	return r, nil
}

// speedBonus is what a correct round answer earns on top, by time left.
func speedBonus(rd Round, now time.Time) int {
	left := rd.Deadline.Sub(now).Seconds() / float64(rd.Seconds)
	return int(math.Ceil(float64(SpeedBonusMax) * math.Max(0, math.Min(1, left))))
}

// roundAnswer checks that a round card is still open and returns the round.
func (b *Bot) roundAnswer(ctx context.Context, p Post) (Round, error) {
	rd, err := b.store.Round(ctx, p.Group, p.Channel)
	if errors.Is(err, ErrNotFound) || err == nil && (rd.Post != p.ID || !b.clock.Now().Before(rd.Deadline)) {
		return rd, Errorf(EInvalid, "Time is up for this card. Answer the round's current card, or start your own with /question.")
	}
	return rd, err
}

// creditRound adds a recorded answer's points to the round's scoreboard.
// When every player of the round (everyone who answered an earlier card)
// has now answered the current card, the card closes at once: its
// deadline becomes now, and the rounds' tick reveals it within a second.
// The first card always runs its time: nobody has played yet.
func (b *Bot) creditRound(ctx context.Context, a *Answer) {
	now := b.clock.Now()
	err := b.store.UpdateRound(ctx, a.Group, a.Channel, func(rd *Round) error {
		if rd.Scores == nil {
			rd.Scores, rd.Names = map[string]int{}, map[string]string{}
		}
		rd.Scores[a.User] += a.Points
		rd.Names[a.User] = a.UserName
		if rd.Post != a.PostID {
			return nil
		}
		if rd.Answered == nil {
			rd.Answered = map[string]bool{}
		}
		rd.Answered[a.User] = true
		if len(rd.Players) == 0 || !now.Before(rd.Deadline) {
			return nil
		}
		for p := range rd.Players {
			if !rd.Answered[p] {
				return nil
			}
		}
		rd.Deadline = now // everyone is in: reveal now
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		b.log.Warn("round scoreboard not updated; the answer is recorded", "err", err)
	}
}

func (b *Bot) studyStop(ctx context.Context, req Request) (Reply, error) {
	rd, err := b.store.Round(ctx, req.Group, req.Channel)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(ENotFound, "No study round is running here. Start one with /study.")
	} else if err != nil {
		return Reply{}, err
	}
	if req.User.ID != rd.Starter && !req.User.Admin {
		return Reply{}, Errorf(EForbidden, "Only the member who started this round, or an admin, can stop it.")
	}
	if err := b.store.DeleteRound(ctx, rd.Group, rd.Channel); err != nil {
		return Reply{}, err
	}
	r := scoreboard(rd, "Study round stopped")
	return r, nil
}

func scoreboard(rd Round, title string) Reply {
	r := Reply{Title: title, Color: 0xF1C40F}
	users := make([]string, 0, len(rd.Scores))
	for u := range rd.Scores {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool {
		if rd.Scores[users[i]] != rd.Scores[users[j]] {
			return rd.Scores[users[i]] > rd.Scores[users[j]]
		}
		return users[i] < users[j]
	})
	if len(users) == 0 {
		r.Text = "Nobody answered in this round. Start another with /study."
		return r
	}
	var t strings.Builder
	fmt.Fprintf(&t, "**Scoreboard** after %s:\n", plural(rd.Index+1, "card", "cards"))
	for i, u := range users {
		name := rd.Names[u]
		if name == "" {
			name = u
		}
		fmt.Fprintf(&t, "%d. %s: %d points\n", i+1, EscapeMarkdown(name), rd.Scores[u])
	}
	t.WriteString("Round points count toward the leaderboard.")
	r.Text = t.String()
	return r
}

// roundLease is how long a replica has to make a round's step it claimed
// (reveal, then deal or end) before another one may take it over.
const roundLease = 30 * time.Second

// roundAbandoned is how long after its card's time is up a round whose
// step nobody made (every replica was down) is closed instead of resumed.
const roundAbandoned = 2 * time.Minute

// errRoundTaken says that another replica claimed a round's step first.
var errRoundTaken = errors.New("the round's step was claimed by another replica")

// TickRounds reveals the answer of every round card whose time is up and
// deals the next card, or ends the round with its scoreboard. Of several
// replicas ticking at once, one makes each step: it claims the step in
// the store first (Round.Lease).
func (b *Bot) TickRounds(ctx context.Context) error {
	rounds, err := b.store.Rounds(ctx)
	if err != nil {
		return err
	}
	now := b.clock.Now()
	var errs []error
	for _, rd := range rounds {
		if now.Before(rd.Deadline) || now.Before(rd.Lease) {
			continue
		}
		rd, ok, err := b.claimRoundStep(ctx, rd, now)
		if err != nil {
			errs = append(errs, err)
		}
		if !ok {
			continue
		}
		s := Schedule{Group: rd.Group, Channel: rd.Channel}
		if now.Sub(rd.Deadline) > roundAbandoned {
			if err := b.endRound(ctx, rd, "Study round closed: prepbot was stopped while it ran"); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := b.post(ctx, s, b.roundReveal(ctx, rd)); err != nil {
			errs = append(errs, err)
		}
		if rd.Index+1 < rd.Count {
			next, err := b.nextRoundCard(ctx, &rd)
			if err == nil {
				err = b.post(ctx, s, next)
			}
			if err != nil && !errors.Is(err, errRoundTaken) && !errors.Is(err, ErrNotFound) { // stopped or taken over meanwhile
				errs = append(errs, err)
			}
			continue
		}
		if err := b.endRound(ctx, rd, "Study round over"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// claimRoundStep claims the step of a round whose card's time is up, as
// read at rd, and returns the round as it is now: false when the round is
// gone or another replica claimed the step first.
func (b *Bot) claimRoundStep(ctx context.Context, rd Round, now time.Time) (Round, bool, error) {
	var claimed Round
	err := b.store.UpdateRound(ctx, rd.Group, rd.Channel, func(r *Round) error {
		if r.Post != rd.Post || r.Index != rd.Index || now.Before(r.Deadline) || now.Before(r.Lease) {
			return errRoundTaken
		}
		r.Lease = now.Add(roundLease)
		claimed = *r
		return nil
	})
	if errors.Is(err, errRoundTaken) || errors.Is(err, ErrNotFound) {
		return rd, false, nil
	}
	return claimed, err == nil, err
}

// endRound deletes a round and posts its scoreboard.
func (b *Bot) endRound(ctx context.Context, rd Round, title string) error {
	if err := b.store.DeleteRound(ctx, rd.Group, rd.Channel); err != nil {
		return err
	}
	return b.post(ctx, Schedule{Group: rd.Group, Channel: rd.Channel}, scoreboard(rd, title))
}

// roundReveal shows a round card's answer: the correct option and the model
// answer's first lines.
func (b *Bot) roundReveal(ctx context.Context, rd Round) Reply {
	p, err := b.store.Post(ctx, rd.Post)
	if err != nil {
		return Reply{Title: "Time!"}
	}
	c, ok := b.bank.Card(p.CardID)
	if !ok {
		return Reply{Title: "Time!"}
	}
	r := Reply{Title: fmt.Sprintf("Time! Card %d of %d", rd.Index+1, rd.Count), Color: b.color(c.Category)}
	var t strings.Builder
	if q := c.QuickCheck; q != nil {
		i := q.CorrectIndex()
		fmt.Fprintf(&t, "The answer is **%c.** %s\n", letters[i], q.Options[i].Text)
		if q.Explanation != "" {
			t.WriteString(q.Explanation + "\n")
		}
	} else if len(c.Answers) > 0 {
		fmt.Fprintf(&t, "The answer is **%s**.\n", c.Answers[0])
	}
	if c.Answer != "" {
		t.WriteString("\n" + firstLines(c.Answer, 3))
	}
	r.Text = strings.TrimSpace(t.String())
	r.Buttons = []Button{{ID: Action{Kind: ActionReveal, Post: p.ID}.ID(), Label: "Full model answer"}}
	return r
}

// firstLines returns the first n non-empty lines of Markdown, outside code.
func firstLines(md string, n int) string {
	var out []string
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			break
		}
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
		if len(out) == n {
			break
		}
	}
	return strings.Join(out, "\n")
}

// CloseRounds ends every round in progress, for a bot that starts again:
// the timers did not survive the restart, the answers did.
func (b *Bot) CloseRounds(ctx context.Context) error {
	rounds, err := b.store.Rounds(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, rd := range rounds {
		if err := b.store.DeleteRound(ctx, rd.Group, rd.Channel); err != nil {
			errs = append(errs, err)
			continue
		}
		r := scoreboard(rd, "Study round closed: prepbot restarted")
		if err := b.post(ctx, Schedule{Group: rd.Group, Channel: rd.Channel}, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
