package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

// color is a category's accent colour, from the bank (0 for none).
func (b *Bot) color(category string) int {
	c, _ := b.bank.Category(category)
	return c.RGB()
}

func (b *Bot) question(ctx context.Context, req Request, category, difficulty string) (Reply, error) {
	// "/question easy": a difficulty given where a category goes, and no
	// category of that name
	if difficulty == "" {
		if d, err := questionbank.ParseDifficulty(category); err == nil && d != "" {
			if _, isCategory := b.bank.Category(strings.ToLower(strings.TrimSpace(category))); !isCategory {
				category, difficulty = "", category
			}
		}
	}
	d, err := questionbank.ParseDifficulty(difficulty)
	if err != nil {
		return Reply{}, invalid(err)
	}
	f := questionbank.Filter{Category: strings.ToLower(strings.TrimSpace(category)), Difficulty: d}
	if err := b.bank.CheckFilter(f); err != nil {
		return Reply{}, invalid(err)
	}
	if err := b.cooldown(ctx, req, "question"); err != nil {
		return Reply{}, err
	}
	card, err := b.draw(ctx, "ch:"+req.Group+":"+req.Channel, f)
	if err != nil {
		return Reply{}, err
	}
	p := &Post{Group: req.Group, Channel: req.Channel, CardID: card.ID, Category: card.Category, By: req.User.ID, At: b.clock.Now()}
	if err := b.store.CreatePost(ctx, p); err != nil {
		return Reply{}, err
	}
	return b.cardReply(card, p), nil
}

// draw deals the next card of a persisted shuffle bag.
func (b *Bot) draw(ctx context.Context, scope string, f questionbank.Filter) (*questionbank.Card, error) {
	var card *questionbank.Card
	err := b.store.Draw(ctx, scope+":"+f.Key(), func(st *questionbank.BagState) error {
		c, err := b.bank.Draw(f, st)
		card = c
		return err
	})
	var none *questionbank.ErrNoCards
	if errors.As(err, &none) {
		return nil, invalid(err)
	}
	return card, err
}

var letters = "ABCDE"

// cardReply renders a posted card: the prompt, the quick check and buttons.
func (b *Bot) cardReply(c *questionbank.Card, p *Post) Reply {
	var title []string
	if c.Number > 0 {
		title = append(title, fmt.Sprintf("#%d", c.Number))
	}
	title = append(title, fmtCategory(b.bank, c.Category))
	if c.Difficulty != "" {
		title = append(title, string(c.Difficulty))
	}
	r := Reply{Title: strings.Join(title, " · "), Color: b.color(c.Category), Footer: c.ID}
	if p.Daily {
		r.Title = "Question of the day · " + r.Title
	}
	var text strings.Builder
	text.WriteString(c.Prompt)
	switch {
	case c.QuickCheck != nil:
		q := c.QuickCheck
		if strings.TrimSpace(q.Question) == strings.TrimSpace(c.Prompt) {
			text.WriteString("\n\n**Quick check:**") // the prompt is the question (an Open Trivia DB card): once is enough
		} else {
			fmt.Fprintf(&text, "\n\n**Quick check:** %s", q.Question)
		}
		for i, o := range q.Options {
			fmt.Fprintf(&text, "\n**%c.** %s", letters[i], o.Text)
			r.Buttons = append(r.Buttons, Button{ID: Action{Kind: ActionOption, Post: p.ID, Option: i}.ID(), Label: string(letters[i]), Style: StylePrimary})
		}
	case len(c.Answers) > 0:
		text.WriteString("\n\nAnswer by typing: press **Type answer**.")
		r.Buttons = append(r.Buttons, Button{ID: Action{Kind: ActionType, Post: p.ID}.ID(), Label: "Type answer", Style: StylePrimary})
	}
	if len(c.KeyConcepts) > 0 {
		r.Buttons = append(r.Buttons, Button{ID: Action{Kind: ActionHint, Post: p.ID}.ID(), Label: "Hint"})
	}
	if c.Answer != "" || len(c.Answers) > 0 || c.QuickCheck == nil {
		r.Buttons = append(r.Buttons, Button{ID: Action{Kind: ActionReveal, Post: p.ID}.ID(), Label: "Answer"})
	}
	r.Text = text.String()
	return r
}

func points(c *questionbank.Card) int {
	switch c.Difficulty {
	case questionbank.Medium:
		return PointsMedium
	case questionbank.Hard:
		return PointsHard
	}
	return PointsEasy
}

// choose records a quick-check answer.
func (b *Bot) choose(ctx context.Context, req Request, postID uint64, option int) (Reply, error) {
	p, c, err := b.postCard(ctx, req, postID)
	if err != nil {
		return Reply{}, err
	}
	q := c.QuickCheck
	if q == nil || option < 0 || option >= len(q.Options) {
		return Reply{}, Errorf(EInvalid, "That option is not on this card. Draw a new one with /question.")
	}
	correct := q.Options[option].Correct
	a := b.answer(req, p, c)
	a.Option, a.Correct = option, correct
	r, err := b.settle(ctx, p, c, a)
	if err != nil || p.Round {
		return r, err
	}
	right := q.CorrectIndex()
	if correct {
		r.Text = fmt.Sprintf("**%c.** %s", letters[right], q.Options[right].Text)
	} else {
		r.Text = fmt.Sprintf("You chose **%c.** The answer is **%c.** %s", letters[option], letters[right], q.Options[right].Text)
	}
	if q.Explanation != "" {
		r.Text += "\n\n" + q.Explanation
	}
	return r, nil
}

// typed records an answer typed for a card with accepted answers. A press
// of Type answer (no text yet) opens the prompt; text that comes back from
// the prompt (submitted) is never answered with another prompt, which
// Discord refuses for a submitted one: blank text gets a message instead.
func (b *Bot) typed(ctx context.Context, req Request, postID uint64, text string, submitted bool) (Reply, error) {
	p, c, err := b.postCard(ctx, req, postID)
	if err != nil {
		return Reply{}, err
	}
	if len(c.Answers) == 0 {
		return Reply{}, Errorf(EInvalid, "This card is answered with its buttons, not by typing.")
	}
	if strings.TrimSpace(text) == "" {
		if submitted {
			return Reply{}, Errorf(EInvalid, "Your answer was empty, so nothing was recorded. Press **Type answer** under the card again and type your answer.")
		}
		return Reply{Private: true, Modal: &Modal{Action: Action{Kind: ActionTyped, Post: p.ID}.ID(), Title: "Your answer", Label: shorten(c.Prompt, 45)}}, nil
	}
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	a := b.answer(req, p, c)
	a.Option, a.Text = -1, shorten(strings.TrimSpace(text), 200)
	a.Correct = Matches(text, g.AcceptedAnswers(c)) // the bank's, and the group's own (bot/dispute.go)
	r, err := b.settle(ctx, p, c, a)
	if err != nil || p.Round {
		return r, err
	}
	if !a.Correct && a.Peek != PeekAnswer {
		// a rejected answer may be disputed (an answer after the model
		// answer earns nothing either way)
		r.Buttons = append(r.Buttons, disputeButton(p.ID))
	}
	// the member's words as typed (emoji and all), quoted, not as a Go
	// string literal
	if a.Correct {
		r.Text = fmt.Sprintf("You answered “%s”. Accepted: %s.", EscapeMarkdown(a.Text), c.Answers[0])
	} else {
		r.Text = fmt.Sprintf("You answered “%s”. The answer is **%s**.", EscapeMarkdown(a.Text), c.Answers[0])
	}
	return r, nil
}

// settle scores an answer (points by difficulty, plus the speed bonus in
// a study round, whose card must still be open), records it and returns
// the verdict; a round's verdict is final (the reveal comes later), other
// callers add the answer to it.
func (b *Bot) settle(ctx context.Context, p Post, c *questionbank.Card, a *Answer) (Reply, error) {
	var rd Round
	if p.Round {
		var err error
		if rd, err = b.roundAnswer(ctx, p); err != nil {
			return Reply{}, err
		}
	}
	if a.Correct {
		a.Points = points(c)
		if p.Round {
			a.Points += speedBonus(rd, a.At)
		}
	}
	// what the member opened of this card today before answering it
	peek, err := b.peeked(ctx, a.Group, a.User, c.ID)
	if err != nil {
		return Reply{}, err
	}
	why := ""
	switch {
	case peek.Answer:
		a.Peek = PeekAnswer
	case peek.Hint:
		a.Peek = PeekHint
	}
	switch {
	case peek.Answer:
		a.Correct, a.Points = false, 0
		why = "You opened the model answer of this card first, so this answer earns no points and counts as not correct."
	case peek.Hint && a.Correct:
		a.Points /= 2
		why = fmt.Sprintf("You opened the hint first, so this answer earns half the points (%d).", a.Points)
	}
	m, err := b.record(ctx, a, "answered")
	if err != nil {
		return Reply{}, err
	}
	r := b.verdict(c, a, m, p)
	r = b.withRemindNotice(ctx, a.Group, a.User, m, r)
	if why != "" {
		r.Footer = why
		if peek.Answer {
			r.Title = "Recorded, without points"
		}
	}
	if p.Round {
		b.creditRound(ctx, a)
		r = roundVerdict(r, a)
	}
	return r, nil
}

// peeked returns what a member opened of a card today (in the group's time
// zone): a peek of another day is forgotten, so a card the review brings
// back tomorrow earns its points again.
func (b *Bot) peeked(ctx context.Context, group, user, card string) (Peek, error) {
	p, err := b.store.Peeked(ctx, group, user, card)
	if err != nil {
		return Peek{}, err
	}
	loc, err := b.location(ctx, group)
	if err != nil {
		return Peek{}, err
	}
	if p.Day != Day(b.clock.Now(), loc) {
		return Peek{}, nil
	}
	return p, nil
}

// peek records durably, before the member sees it, that they opened a
// card's hint or model answer today.
func (b *Bot) peek(ctx context.Context, req Request, card string, p Peek) error {
	loc, err := b.location(ctx, req.Group)
	if err != nil {
		return err
	}
	p.Day = Day(b.clock.Now(), loc)
	return b.store.SavePeek(ctx, req.Group, req.User.ID, card, p)
}

// roundVerdict keeps a study round's answer secret until the reveal.
func roundVerdict(r Reply, a *Answer) Reply {
	r.Buttons, r.Text = nil, ""
	if a.Correct {
		r.Title = fmt.Sprintf("Correct! +%d points (with a speed bonus)", a.Points)
	}
	why := r.Footer
	r.Footer = "The answer and the next card come when the time is up."
	if why != "" && !strings.HasPrefix(why, "How did you do") {
		r.Footer = why + " " + r.Footer
	}
	return r
}

func (b *Bot) answer(req Request, p Post, c *questionbank.Card) *Answer {
	return &Answer{Kind: KindAnswer, Group: req.Group, Channel: p.Channel, User: req.User.ID, UserName: req.User.Name,
		PostID: p.ID, CardID: c.ID, Category: c.Category, At: b.clock.Now()}
}

// record stamps an answer with its day and periods in the group's time zone
// (with the season running, if any), and with the member's own day when
// their zone is another, and stores it durably.
func (b *Bot) record(ctx context.Context, a *Answer, verb string) (Member, error) {
	g, err := b.store.Group(ctx, a.Group)
	if err != nil {
		return Member{}, err
	}
	loc := b.zone(g)
	a.Day, a.Periods, a.Zone = Day(a.At, loc), Periods(a.At, loc), loc.String()
	if err := b.ownDay(ctx, a); err != nil {
		return Member{}, err
	}
	seasonPeriods(g, a)
	if a.Kind == KindInterview {
		a.Periods = nil // a mock interview counts toward no board
	}
	m, err := b.store.Record(ctx, a)
	if errors.Is(err, ErrAlreadyAnswered) {
		return m, &Error{Code: EConflict, Message: fmt.Sprintf("You already %s this card; your first one counts. Draw another with /question.", verb), Err: err}
	}
	if err != nil {
		return m, fmt.Errorf("record %s: %w", a.Kind, err)
	}
	return m, nil
}

// verdict is the private reply to an answer: right or wrong, points, streak.
func (b *Bot) verdict(c *questionbank.Card, a *Answer, m Member, p Post) Reply {
	r := Reply{Private: true, Color: 0xC0392B, Title: "Not quite"}
	if a.Correct {
		r.Color, r.Title = 0x27AE60, fmt.Sprintf("Correct! +%d points", a.Points)
	}
	r.Fields = []Field{
		{Name: "Streak", Value: streakText(m.Streak), Inline: true},
		{Name: "Points", Value: fmt.Sprint(m.Points), Inline: true},
	}
	if len(m.Froze) > 0 {
		used := "A streak freeze"
		if len(m.Froze) > 1 {
			used = fmt.Sprintf("%d streak freezes", len(m.Froze))
		}
		r.Fields = append(r.Fields, Field{Name: "Streak freeze", Value: fmt.Sprintf("%s kept your streak over %s, a day you missed (%s left).",
			used, strings.Join(m.Froze, ", "), plural(m.Freezes, "freeze", "freezes"))})
	}
	if c.Answer != "" {
		r.Buttons = append(r.Buttons, Button{ID: Action{Kind: ActionReveal, Post: a.PostID}.ID(), Label: "Model answer"})
	}
	r.Buttons = append(r.Buttons, nextButton(c, p))
	return r
}

// nextButton continues what the member was doing: the review, or the category.
func nextButton(c *questionbank.Card, p Post) Button {
	if p.Review {
		return Button{ID: Action{Kind: ActionReview}.ID(), Label: "Next review card", Style: StylePrimary}
	}
	return Button{ID: Action{Kind: ActionNext, Category: c.Category}.ID(), Label: "Next " + c.Category + " question"}
}

func streakText(n int) string {
	if n == 0 {
		return "none yet"
	}
	return plural(n, "day", "days")
}

// currentStreakText is the current streak of a member whose longest was
// longest: a broken one is not "none yet".
func currentStreakText(n, longest int) string {
	if n == 0 && longest > 0 {
		return "none: answer a card today to start one"
	}
	return streakText(n)
}

func (b *Bot) hint(ctx context.Context, req Request, postID uint64) (Reply, error) {
	_, c, err := b.postCard(ctx, req, postID)
	if err != nil {
		return Reply{}, err
	}
	if len(c.KeyConcepts) == 0 {
		return Reply{}, Errorf(ENotFound, "This card has no hint. Try the answer button when you are ready.")
	}
	if err := b.peek(ctx, req, c.ID, Peek{Hint: true}); err != nil {
		return Reply{}, err
	}
	var t strings.Builder
	for _, k := range c.KeyConcepts {
		fmt.Fprintf(&t, "- %s\n", k)
	}
	return Reply{Private: true, Title: "Hint: key concepts", Text: strings.TrimSpace(t.String()), Color: b.color(c.Category)}, nil
}

func (b *Bot) reveal(ctx context.Context, req Request, postID uint64) (Reply, error) {
	p, c, err := b.postCard(ctx, req, postID)
	if err != nil {
		return Reply{}, err
	}
	if err := b.peek(ctx, req, c.ID, Peek{Answer: true}); err != nil {
		return Reply{}, err
	}
	r := Reply{Private: true, Title: "Model answer", Color: b.color(c.Category), Footer: "How did you do? Rate yourself; it shapes your review. An answer to this card today now earns no points."}
	var t strings.Builder
	switch {
	case c.Answer != "":
		t.WriteString(c.Answer)
	case len(c.Answers) > 0:
		fmt.Fprintf(&t, "Accepted answers: %s", strings.Join(c.Answers, ", "))
	default:
		t.WriteString("This card has no model answer yet.")
	}
	if ex := c.ExamplesMarkdown(); ex != "" {
		t.WriteString("\n\n**Examples**\n" + ex)
	}
	r.Text = t.String()
	for _, rt := range Ratings {
		r.Buttons = append(r.Buttons, Button{ID: Action{Kind: ActionRate, Post: p.ID, Rating: rt.ID}.ID(), Label: rt.Label})
	}
	return r, nil
}

func (b *Bot) rate(ctx context.Context, req Request, postID uint64, rating string) (Reply, error) {
	p, c, err := b.postCard(ctx, req, postID)
	if err != nil {
		return Reply{}, err
	}
	label := ""
	for _, rt := range Ratings {
		if rt.ID == rating {
			label = rt.Label
		}
	}
	if label == "" {
		return Reply{}, Errorf(EInvalid, "Rate yourself with Nailed it, Partly or Missed it.")
	}
	if peek, err := b.peeked(ctx, req.Group, req.User.ID, c.ID); err != nil {
		return Reply{}, err
	} else if !peek.Answer {
		return Reply{}, Errorf(EInvalid, "Open the model answer first (the Answer button under the card), then rate yourself against it.")
	}
	a := b.answer(req, p, c)
	a.Kind, a.Rating, a.Option, a.Points = KindRating, rating, -1, PointsRating
	m, err := b.record(ctx, a, "rated")
	if err != nil {
		return Reply{}, err
	}
	return Reply{Private: true, Title: fmt.Sprintf("Saved: %s. +%d point", label, PointsRating),
		Text:    "Thanks for rating yourself honestly.",
		Fields:  []Field{{Name: "Points", Value: fmt.Sprint(m.Points), Inline: true}},
		Buttons: []Button{nextButton(c, p)}}, nil
}

func shorten(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
