package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prepbot/prepbot/questionbank"
)

// Disputes: a member whose typed answer was rejected presses Dispute under
// the verdict; the group's admins list the disputes waiting (/disputes)
// and accept one (/accept ID: its text becomes an accepted answer of the
// card for the group, and the member's answer is re-scored once) or reject
// it (/reject ID). The member hears the outcome with their next private
// reply. Disputes and the group's accepted answers live in the group's
// settings (Group.Disputes, Group.Accepted), which every replica reads from
// the database; the re-score is an answer of kind KindRescore, recorded at
// most once per post and member like every answer.

// KindRescore is an admin's decision on a disputed typed answer, recorded
// as an answer to the same post: accepted, it carries the points and the
// correct count the answer would have had (Correct set), in the answer's
// own day and periods; rejected, it carries nothing (Correct unset, no
// points) and only keeps the answer from being disputed again. It never
// counts as studying: the answer's day was counted when it was given.
const KindRescore EventKind = "rescore"

// Limits of a group's disputes.
const (
	// MaxDisputes is how many disputes may wait for an admin in a group;
	// past it a dispute is refused until some are decided.
	MaxDisputes = 100
	// maxDecided is how many decided disputes a group keeps until their
	// members are told (the oldest go first).
	maxDecided = 100
	// maxAcceptedPerCard bounds the answers a group adds to one card.
	maxAcceptedPerCard = 20
	// disputesBudget is the most characters /disputes writes before "and
	// N more", as the platforms count them (shownLength): within one
	// Slack section's text (3,000,
	// https://docs.slack.dev/reference/block-kit/blocks/section-block) and
	// one Discord embed's description (4,096,
	// https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
	disputesBudget = 2800
	// disputesShown is the most disputes /disputes lists at once.
	disputesShown = 15
	// toldAtOnce is how many outcomes one reply tells a member.
	toldAtOnce = 3
)

// The outcomes of a dispute (Dispute.Outcome); pending while empty.
const (
	DisputeAccepted = "accepted"
	DisputeRejected = "rejected"
)

// Dispute is a member's dispute of their rejected typed answer to a post.
type Dispute struct {
	ID      int       `json:"id"` // unique in the group, from 1
	Post    uint64    `json:"post"`
	Card    string    `json:"card"`
	Channel string    `json:"channel"`
	User    string    `json:"user"`
	Name    string    `json:"name,omitempty"`
	Text    string    `json:"text"` // the answer as recorded
	At      time.Time `json:"at"`   // when it was disputed
	// Outcome is "" while the dispute waits, then DisputeAccepted or
	// DisputeRejected, decided By an admin at Decided; Points are what the
	// re-score gave, Reason what a rejection said.
	Outcome string    `json:"outcome,omitempty"`
	By      string    `json:"by,omitempty"`
	Decided time.Time `json:"decided,omitzero"`
	Points  int       `json:"points,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

// AcceptedAnswers are the answers a typed answer to c is matched against
// in the group: the bank's, and those the group's admins accepted.
func (g Group) AcceptedAnswers(c *questionbank.Card) []string {
	extra := g.Accepted[c.ID]
	if len(extra) == 0 {
		return c.Answers
	}
	return append(slices.Clip(c.Answers), extra...)
}

// dispute finds a group's dispute by id.
func (g *Group) dispute(id int) *Dispute {
	for i := range g.Disputes {
		if g.Disputes[i].ID == id {
			return &g.Disputes[i]
		}
	}
	return nil
}

// pending returns the group's disputes that wait for an admin, oldest
// first.
func (g Group) pending() []Dispute {
	var out []Dispute
	for _, d := range g.Disputes {
		if d.Outcome == "" {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b Dispute) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return a.ID - b.ID
	})
	return out
}

// pruneDecided keeps at most maxDecided decided disputes, dropping the
// oldest decisions first.
func (g *Group) pruneDecided() {
	decided := 0
	for _, d := range g.Disputes {
		if d.Outcome != "" {
			decided++
		}
	}
	g.Disputes = slices.DeleteFunc(g.Disputes, func(d Dispute) bool {
		if d.Outcome != "" && decided > maxDecided {
			decided--
			return true
		}
		return false
	})
}

// rescore applies an admin's decision on a disputed answer to the member:
// the points and the correct count the answer would have had, nothing
// else (the answer was already counted as answered, and its day as
// studied).
func (m *Member) rescore(a *Answer) {
	m.Points += a.Points
	if !a.Correct {
		return
	}
	m.Tally.Correct++
	if m.Categories == nil {
		m.Categories = map[string]Tally{}
	}
	t := m.Categories[a.Category]
	t.Correct++
	m.Categories[a.Category] = t
}

// rescore applies an admin's decision on a disputed answer to one of its
// periods' scores: as if the answer had been right when it was given (a.At
// is the answer's time), so the score reached its points when it would
// have (the later of the answer and the score's own last gain), and its
// days stay as they were.
func (s *Score) rescore(a *Answer) {
	if !a.Correct {
		return
	}
	s.User = a.User
	s.Points += a.Points
	s.Tally.Correct++
	if a.Points > 0 && a.At.After(s.ReachedAt) {
		s.ReachedAt = a.At
	}
}

// countsActivity is StandardRules' Activity rule: every answer and
// self-rating is studying on its day but a re-score.
func countsActivity(a *Answer) bool { return a.Kind != KindRescore }

// rescoreOf is the re-score of an answer found right on dispute, by the
// rules of a right typed answer then: the card's points, half after the
// hint, none (and not correct) after the model answer.
func rescoreOf(orig Answer, c *questionbank.Card, text string) Answer {
	rs := orig
	rs.Seq, rs.Kind, rs.Text, rs.Option, rs.Rating = 0, KindRescore, text, -1, ""
	rs.UserName = "" // the member's name stays as their latest answer set it
	rs.Correct, rs.Points = true, points(c)
	switch orig.Peek {
	case PeekAnswer:
		rs.Correct, rs.Points = false, 0
	case PeekHint:
		rs.Points /= 2
	}
	rs.Periods = slices.Clone(orig.Periods)
	return rs
}

// What a member had opened of a card before answering it (Answer.Peek).
const (
	PeekHint   = "hint"
	PeekAnswer = "answer"
)

// disputeButton is the Dispute button under the verdict of a rejected
// typed answer.
func disputeButton(post uint64) Button {
	return Button{ID: Action{Kind: ActionDispute, Post: post}.ID(), Label: "Dispute"}
}

// disputeCmd records the member's dispute of their rejected typed answer
// to a post (the Dispute button).
func (b *Bot) disputeCmd(ctx context.Context, req Request, postID uint64) (Reply, error) {
	p, c, err := b.postCard(ctx, req, postID)
	if err != nil {
		return Reply{}, err
	}
	if len(c.Answers) == 0 {
		return Reply{}, Errorf(EInvalid, "This card is answered with its buttons; only a typed answer can be disputed.")
	}
	if p.Round {
		return Reply{}, Errorf(EInvalid, "Answers in a study round cannot be disputed: the round's scoreboard is final. Outside a round, a rejected typed answer has a **Dispute** button.")
	}
	a, err := b.store.Answer(ctx, req.Group, req.User.ID, KindAnswer, p.ID)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(EForbidden, "You have no answer to this card to dispute: only the member who typed an answer can dispute it. Press **Type answer** under the card to answer it yourself.")
	}
	if err != nil {
		return Reply{}, err
	}
	if a.Option != -1 || a.Text == "" {
		return Reply{}, Errorf(EInvalid, "Only a typed answer can be disputed.")
	}
	if a.Correct {
		return Reply{}, Errorf(EConflict, "Your answer “%s” was accepted, so there is nothing to dispute.", EscapeMarkdown(a.Text))
	}
	if a.Peek == PeekAnswer {
		return Reply{}, Errorf(EInvalid, "You had opened the model answer of this card before answering, so this answer earns nothing either way, and it cannot be disputed. Tomorrow the card counts in full again.")
	}
	if dec, err := b.store.Answer(ctx, req.Group, req.User.ID, KindRescore, p.ID); err == nil {
		// an accepted answer's re-score counts in the answer's periods; a
		// rejection's counts in none
		outcome := DisputeRejected
		if dec.Correct || dec.Periods != nil {
			outcome = DisputeAccepted
		}
		return Reply{}, Errorf(EConflict, "You already disputed this answer, and an admin %s it. An answer can be disputed once.", outcome)
	} else if !errors.Is(err, ErrNotFound) {
		return Reply{}, err
	}
	now := b.clock.Now()
	var d Dispute
	err = b.store.UpdateGroup(ctx, req.Group, func(g *Group) error {
		for _, o := range g.Disputes {
			if o.Post == p.ID && o.User == req.User.ID {
				if o.Outcome != "" {
					return Errorf(EConflict, "You already disputed this answer (#%d), and an admin %s it. An answer can be disputed once.", o.ID, o.Outcome)
				}
				return Errorf(EConflict, "You already disputed this answer (#%d); an admin will look at it, and you will hear the outcome here.", o.ID)
			}
		}
		if len(g.pending()) >= MaxDisputes {
			return Errorf(EInvalid, "This server already has %d disputes waiting for an admin, so yours was not recorded. Ask an admin to look at /disputes, then press **Dispute** again.", MaxDisputes)
		}
		g.DisputeSeq++
		d = Dispute{ID: g.DisputeSeq, Post: p.ID, Card: c.ID, Channel: p.Channel, User: req.User.ID, Name: req.User.Name, Text: a.Text, At: now.UTC()}
		g.Disputes = append(g.Disputes, d)
		g.pruneDecided()
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	text := fmt.Sprintf("You disputed your answer “%s” to: %s\n\nAn admin will look at it. If they accept it, it counts as right (with the points it would have earned) and becomes an accepted answer of this card here. You will hear the outcome the next time you use the bot.",
		EscapeMarkdown(a.Text), EscapeMarkdown(shorten(c.Prompt, 120)))
	return Reply{Private: true, Title: fmt.Sprintf("Dispute #%d sent", d.ID), Text: text, Color: 0xE67E22}, nil
}

// notAdmin refuses /disputes, /accept and /reject to a member.
var notAdmin = Errorf(EForbidden, "Only server admins decide disputes (on Discord: Manage Server; on Slack: a workspace admin). Your own dispute's outcome reaches you once an admin has decided it.")

// disputes lists the group's disputes waiting for an admin (/disputes).
func (b *Bot) disputes(ctx context.Context, req Request) (Reply, error) {
	if !req.User.Admin {
		return Reply{}, notAdmin
	}
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	loc := b.zone(g)
	list := g.pending()
	r := Reply{Private: true, Title: "Disputes", Color: 0xE67E22}
	if len(list) == 0 {
		r.Text = "No disputes are waiting. A member disputes a rejected typed answer with the **Dispute** button under its verdict."
		return r, nil
	}
	r.Title = fmt.Sprintf("Disputes waiting: %d", len(list))
	var t strings.Builder
	shown, used := 0, 0
	for _, d := range list {
		entry := b.disputeEntry(g, d, loc)
		if shown == disputesShown || used+shownLength(entry) > disputesBudget-40 {
			break
		}
		t.WriteString(entry)
		used += shownLength(entry)
		shown++
	}
	if more := len(list) - shown; more > 0 {
		fmt.Fprintf(&t, "…and %d more.", more)
	}
	r.Text = strings.TrimSpace(t.String())
	r.Footer = "Accept one with /accept ID (its text then counts for the card here, and the member's answer is re-scored), or reject it with /reject ID [reason]."
	return r, nil
}

// shownLength is the most characters text (Markdown, escaped with
// EscapeMarkdown) takes on a platform: its runes, and what Slack's mrkdwn
// adds in its place (&amp; for &, &lt; and &gt; for an escaped < and >,
// zero-width spaces around an escaped *, _, ~ or `).
func shownLength(text string) int {
	n := 0
	for _, r := range text {
		switch r {
		case '&':
			n += 5
		case '<', '>':
			n += 4
		case '*', '_', '~', '`':
			n += 3
		default:
			n++
		}
	}
	return n
}

// disputeEntry is one dispute in /disputes, every text chosen by a member
// escaped.
func (b *Bot) disputeEntry(g Group, d Dispute, loc *time.Location) string {
	prompt, accepted := "(a card no longer in the bank)", "none"
	if c, ok := b.bank.Card(d.Card); ok {
		prompt = shorten(c.Prompt, 90)
		var as []string
		for _, a := range g.AcceptedAnswers(c) {
			as = append(as, EscapeMarkdown(shorten(a, 40)))
		}
		accepted = shorten(strings.Join(as, ", "), 160)
	}
	name := d.Name
	if name == "" {
		name = d.User
	}
	return fmt.Sprintf("**#%d** %s\nAccepted: %s\n**%s** typed “%s”, %s\n\n",
		d.ID, EscapeMarkdown(prompt), accepted, EscapeMarkdown(shorten(name, 40)), EscapeMarkdown(d.Text), d.At.In(loc).Format("2 Jan 15:04"))
}

// disputeID reads a dispute's number as typed: 7 or #7.
func disputeID(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	if err != nil || n <= 0 {
		return 0, Errorf(EInvalid, "Give the number of a dispute, such as /accept 7 or /reject 7; /disputes lists those waiting.")
	}
	return n, nil
}

// accept accepts a dispute (/accept ID): its text becomes an accepted
// answer of the card for the group, and the member's answer is re-scored
// once. The decision is made in the group's settings under the store's
// lock, so two admins accepting at once decide once; the re-score is
// recorded once per post and member, so a second accept (or one whose
// re-score was cut short) records nothing twice.
func (b *Bot) accept(ctx context.Context, req Request) (Reply, error) {
	if !req.User.Admin {
		return Reply{}, notAdmin
	}
	id, err := disputeID(req.Args["id"])
	if err != nil {
		return Reply{}, err
	}
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	d := g.dispute(id)
	if d == nil {
		return Reply{}, Errorf(ENotFound, "There is no dispute #%d waiting. /disputes lists those waiting.", id)
	}
	if d.User == req.User.ID && req.Platform != "console" {
		return Reply{}, Errorf(EForbidden, "You cannot accept your own dispute: another admin must. You may withdraw it with /reject %d.", id)
	}
	if d.Outcome == DisputeRejected {
		return Reply{}, Errorf(EConflict, "Dispute #%d was already rejected.", id)
	}
	c, ok := b.bank.Card(d.Card)
	if !ok {
		return Reply{}, Errorf(ENotFound, "The card of dispute #%d is no longer in the question bank, so it cannot be accepted: reject it with /reject %d.", id, id)
	}
	orig, err := b.store.Answer(ctx, req.Group, d.User, KindAnswer, d.Post)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(ENotFound, "The answer of dispute #%d is no longer in the database, so it cannot be re-scored: reject it with /reject %d.", id, id)
	}
	if err != nil {
		return Reply{}, err
	}
	rs := rescoreOf(orig, c, d.Text)
	already, added, full := false, false, false
	var dec Dispute
	err = b.store.UpdateGroup(ctx, req.Group, func(g *Group) error {
		already, added, full = false, false, false
		cur := g.dispute(id)
		switch {
		case cur == nil:
			return Errorf(ENotFound, "There is no dispute #%d waiting. /disputes lists those waiting.", id)
		case cur.Outcome == DisputeRejected:
			return Errorf(EConflict, "Dispute #%d was already rejected.", id)
		case cur.Outcome == DisputeAccepted:
			already = true
		default:
			cur.Outcome, cur.By, cur.Decided, cur.Points = DisputeAccepted, req.User.ID, b.clock.Now().UTC(), rs.Points
		}
		switch {
		case Matches(cur.Text, g.AcceptedAnswers(c)):
		case len(g.Accepted[c.ID]) >= maxAcceptedPerCard:
			full = true
		default:
			if g.Accepted == nil {
				g.Accepted = map[string][]string{}
			}
			g.Accepted[c.ID] = append(g.Accepted[c.ID], cur.Text)
			added = true
		}
		dec = *cur
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	// the re-score: once, whoever records it first
	if err := b.recordDecision(ctx, req.Group, dec); err != nil {
		return Reply{}, fmt.Errorf("record the re-score of dispute %d: %w", id, err)
	}
	name := EscapeMarkdown(dec.Name)
	if name == "" {
		name = dec.User
	}
	if already {
		return Reply{Private: true, Title: fmt.Sprintf("Dispute #%d was already accepted", id),
			Text: fmt.Sprintf("%s's answer “%s” counts as right; its re-score is recorded once.", name, EscapeMarkdown(dec.Text))}, nil
	}
	var t strings.Builder
	switch {
	case added:
		fmt.Fprintf(&t, "“%s” is now an accepted answer of this card here: %s\n\n", EscapeMarkdown(dec.Text), EscapeMarkdown(shorten(c.Prompt, 120)))
	case full:
		fmt.Fprintf(&t, "This card already has %d answers accepted here, so “%s” was not added to them: %s\n\n", maxAcceptedPerCard, EscapeMarkdown(dec.Text), EscapeMarkdown(shorten(c.Prompt, 120)))
	default:
		fmt.Fprintf(&t, "“%s” already matches an accepted answer of this card here: %s\n\n", EscapeMarkdown(dec.Text), EscapeMarkdown(shorten(c.Prompt, 120)))
	}
	switch {
	case rs.Points > 0:
		fmt.Fprintf(&t, "%s's answer now counts as right: +%s, in the periods it was given in too.", name, plural(rs.Points, "point", "points"))
	default:
		fmt.Fprintf(&t, "%s had opened the model answer before answering, so the answer earns no points.", name)
	}
	var also []string
	for _, o := range g.pending() {
		if o.ID != id && o.Card == c.ID && Matches(o.Text, []string{dec.Text}) {
			also = append(also, "#"+strconv.Itoa(o.ID))
		}
	}
	if len(also) > 0 {
		fmt.Fprintf(&t, "\n\nDisputes of the same card that match it: %s (accept each with /accept ID).", strings.Join(also, ", "))
	}
	if b.tellDirectly(ctx, req, dec) {
		t.WriteString("\n\nThe member was told in a private message.")
	} else {
		t.WriteString("\n\nThe member hears of it the next time they use the bot.")
	}
	return Reply{Private: true, Title: fmt.Sprintf("Dispute #%d accepted", id), Text: t.String(), Color: 0x27AE60}, nil
}

// reject rejects a dispute (/reject ID [reason]); a member may withdraw
// their own. The rejection is recorded as a re-score without points, so
// the answer cannot be disputed again.
func (b *Bot) reject(ctx context.Context, req Request) (Reply, error) {
	if !req.User.Admin {
		return Reply{}, notAdmin
	}
	id, err := disputeID(req.Args["id"])
	if err != nil {
		return Reply{}, err
	}
	reason := shorten(req.Args["reason"], 150)
	now := b.clock.Now()
	var dec Dispute
	err = b.store.UpdateGroup(ctx, req.Group, func(g *Group) error {
		cur := g.dispute(id)
		switch {
		case cur == nil:
			return Errorf(ENotFound, "There is no dispute #%d waiting. /disputes lists those waiting.", id)
		case cur.Outcome != "":
			return Errorf(EConflict, "Dispute #%d was already %s.", id, cur.Outcome)
		}
		cur.Outcome, cur.By, cur.Decided, cur.Reason = DisputeRejected, req.User.ID, now.UTC(), reason
		dec = *cur
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	if err := b.recordDecision(ctx, req.Group, dec); err != nil {
		return Reply{}, fmt.Errorf("record the rejection of dispute %d: %w", id, err)
	}
	name := EscapeMarkdown(dec.Name)
	if name == "" {
		name = dec.User
	}
	text := fmt.Sprintf("%s's answer “%s” stays as it was scored. They hear of it the next time they use the bot.", name, EscapeMarkdown(dec.Text))
	if b.tellDirectly(ctx, req, dec) {
		text = fmt.Sprintf("%s's answer “%s” stays as it was scored. They were told in a private message.", name, EscapeMarkdown(dec.Text))
	}
	if dec.User == req.User.ID {
		text = fmt.Sprintf("You withdrew your dispute of “%s”; the answer stays as it was scored.", EscapeMarkdown(dec.Text))
	}
	return Reply{Private: true, Title: fmt.Sprintf("Dispute #%d rejected", id), Text: text, Color: 0xC0392B}, nil
}

// tellDisputes adds to a member's private reply the outcomes of their
// disputes decided since they last heard (at most toldAtOnce; the rest
// come with the next reply), and forgets the disputes told.
func (b *Bot) tellDisputes(ctx context.Context, req Request, r Reply) Reply {
	if !r.Private || r.Modal != nil || req.Group == "" || req.User.ID == "" {
		return r
	}
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return r
	}
	// a decision is told once it is recorded: a decision whose re-score
	// was cut short (a crash between the two) is recorded now
	decided := map[int]bool{}
	for _, d := range g.Disputes {
		if d.User != req.User.ID || d.Outcome == "" || len(decided) == toldAtOnce {
			continue
		}
		if err := b.recordDecision(ctx, req.Group, d); err != nil {
			b.log.Warn("cannot record the decision on a dispute", "group", req.Group, "dispute", d.ID, "err", err)
			continue
		}
		decided[d.ID] = true
	}
	if len(decided) == 0 {
		return r
	}
	var told []Dispute
	err = b.store.UpdateGroup(ctx, req.Group, func(g *Group) error {
		told = told[:0]
		g.Disputes = slices.DeleteFunc(g.Disputes, func(d Dispute) bool {
			if d.User == req.User.ID && d.Outcome != "" && decided[d.ID] {
				told = append(told, d)
				return true
			}
			return false
		})
		return nil
	})
	if err != nil {
		b.log.Warn("cannot tell a member of their disputes", "group", req.Group, "user", req.User.ID, "err", err)
		return r
	}
	r.Fields = slices.Clone(r.Fields)
	for _, d := range told {
		r.Fields = append(r.Fields, Field{Name: fmt.Sprintf("Your dispute #%d", d.ID), Value: b.outcome(d)})
	}
	return r
}

// outcome tells a member what became of their dispute, every text chosen
// by a member escaped.
func (b *Bot) outcome(d Dispute) string {
	prompt := d.Card
	if c, ok := b.bank.Card(d.Card); ok {
		prompt = shorten(c.Prompt, 60)
	}
	if d.Outcome == DisputeAccepted {
		v := fmt.Sprintf("Accepted: your answer “%s” to “%s” now counts as right", EscapeMarkdown(d.Text), EscapeMarkdown(prompt))
		if d.Points > 0 {
			v += fmt.Sprintf(" (+%s)", plural(d.Points, "point", "points"))
		}
		return v + "."
	}
	v := fmt.Sprintf("Rejected: your answer “%s” to “%s” stays as it was scored.", EscapeMarkdown(d.Text), EscapeMarkdown(prompt))
	if d.Reason != "" {
		v += " The admin said: " + EscapeMarkdown(d.Reason)
	}
	return v
}

// directTimeout bounds the private message that tells a member of a
// decision, so that the admin's reply stays within the platforms' time.
const directTimeout = 2 * time.Second

// tellDirectly tells a member of a decision on their dispute in a private
// message where the platform has them (Discord, Slack; the console's member
// is at the terminal, and hears of it with their next reply), and then
// forgets the dispute; it reports whether the message went. When it cannot
// go (direct messages closed, the platform slow), the member hears of it
// with their next private reply instead.
func (b *Bot) tellDirectly(ctx context.Context, req Request, d Dispute) bool {
	if req.Platform == "console" || b.chat == nil || d.User == req.User.ID {
		return false
	}
	dctx, cancel := context.WithTimeout(ctx, directTimeout)
	defer cancel()
	r := Reply{Private: true, Title: fmt.Sprintf("Your dispute #%d", d.ID), Text: b.outcome(d), Color: 0xE67E22}
	if err := b.chat.Direct(dctx, req.Group, d.User, r); err != nil {
		b.log.Info("cannot tell a member of their dispute in a private message; they hear of it with their next reply",
			"group", req.Group, "user", d.User, "err", err)
		return false
	}
	err := b.store.UpdateGroup(ctx, req.Group, func(g *Group) error {
		g.Disputes = slices.DeleteFunc(g.Disputes, func(o Dispute) bool { return o.ID == d.ID && o.Outcome != "" })
		return nil
	})
	if err != nil {
		b.log.Warn("cannot forget a dispute told", "group", req.Group, "dispute", d.ID, "err", err)
	}
	return true
}

// recordDecision records a decided dispute's re-score (an accepted one's
// points and correct answer, or a rejection's nothing) unless it is
// recorded already: once per post and member, whoever records it first.
func (b *Bot) recordDecision(ctx context.Context, group string, d Dispute) error {
	if _, err := b.store.Answer(ctx, group, d.User, KindRescore, d.Post); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	c, _ := b.bank.Card(d.Card)
	var rs Answer
	switch {
	case d.Outcome == DisputeAccepted && c != nil:
		orig, err := b.store.Answer(ctx, group, d.User, KindAnswer, d.Post)
		if err != nil {
			return fmt.Errorf("the disputed answer: %w", err)
		}
		rs = rescoreOf(orig, c, d.Text)
	case d.Outcome == DisputeRejected:
		rs = Answer{Kind: KindRescore, Group: group, Channel: d.Channel, User: d.User, PostID: d.Post, CardID: d.Card,
			Option: -1, Text: d.Text, At: d.Decided}
		if c != nil {
			rs.Category = c.Category
		}
	default:
		return fmt.Errorf("dispute %d is %q (card %q)", d.ID, d.Outcome, d.Card)
	}
	if _, err := b.store.Record(ctx, &rs); err != nil && !errors.Is(err, ErrAlreadyAnswered) {
		return err
	}
	return nil
}
