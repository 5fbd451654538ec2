package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prepbot/prepbot/questionbank"
)

// A mock interview (/interview) asks a card's prompt as an interviewer
// would; the member explains in their own words, the Grader grades the
// explanation against the card's key concepts, and the card's follow-up
// questions come next, graded against their own. The session ends after
// the last follow-up, or when the member presses End interview, with a
// summary of every answer.
//
// Each question asked is a Post whose Interview says which question of the
// card it is and carries the session's earlier results, so the session
// lives in the database (any replica takes its next press) and the summary
// needs nothing else. Each graded answer is recorded once (KindInterview:
// one per post and member) with its score and no leaderboard period: it
// earns no points and counts toward no board, feeds the member's interview
// averages (/stats) and the card's review, and counts as studying for the
// streak.

// InterviewStep is a mock interview's question, kept on its Post.
type InterviewStep struct {
	// FollowUp is 0 for the card's own prompt, n for its nth follow-up.
	FollowUp int `json:"follow_up,omitempty"`
	// Category is the category the session was started with ("" for
	// any): Another interview draws from it again.
	Category string `json:"category,omitempty"`
	// Before are the session's graded answers before this question, in
	// order: what the summary shows.
	Before []InterviewResult `json:"before,omitempty"`
}

// InterviewResult is one graded answer of a session, for its summary.
type InterviewResult struct {
	Question string   `json:"question"` // the question, shortened
	Score    int      `json:"score"`
	Missed   []string `json:"missed,omitempty"` // the key concepts missed
}

// interviewQuestion is what a step asks: the card's prompt or a follow-up.
type interviewQuestion struct {
	Prompt   string
	Concepts []questionbank.Concept
	Model    string
}

func (s *InterviewStep) question(c *questionbank.Card) (interviewQuestion, bool) {
	if s.FollowUp == 0 {
		return interviewQuestion{Prompt: c.Prompt, Concepts: c.Rubric(), Model: c.Answer}, true
	}
	if s.FollowUp < 0 || s.FollowUp > len(c.FollowUps) {
		return interviewQuestion{}, false
	}
	f := c.FollowUps[s.FollowUp-1]
	return interviewQuestion{Prompt: f.Prompt, Concepts: f.Concepts, Model: f.Answer}, true
}

// gradable reports whether a card can be asked in a mock interview: it has
// key concepts to grade against (withConcepts), or at least a model answer.
func gradable(c *questionbank.Card, withConcepts bool) bool {
	if strings.TrimSpace(c.Prompt) == "" {
		return false
	}
	if withConcepts {
		return len(c.Rubric()) > 0
	}
	return c.Answer != ""
}

// minInterviewWords is the fewest words an interview answer is graded on.
const minInterviewWords = 3

// shortenWords shortens s to at most n characters, at a word boundary.
func shortenWords(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// errNoGrader answers /interview on a bot the binary gave no grader.
var errNoGrader = Errorf(EInvalid, "Mock interviews are not available on this bot: it runs without a grader. Study with /practice or /review meanwhile.")

// interview starts a mock interview: /interview [category].
func (b *Bot) interview(ctx context.Context, req Request) (Reply, error) {
	return b.startInterview(ctx, req, strings.ToLower(strings.TrimSpace(req.Args["category"])))
}

func (b *Bot) startInterview(ctx context.Context, req Request, category string) (Reply, error) {
	if b.cfg.Grader == nil {
		return Reply{}, errNoGrader
	}
	f := questionbank.Filter{Category: category}
	pool, err := b.bank.Pool(f)
	if err != nil {
		return Reply{}, invalid(err)
	}
	// prefer the cards with key concepts; a bank without any (an imported
	// list) is graded on its model answers
	withConcepts, modelOnly := false, false
	for _, c := range pool {
		withConcepts = withConcepts || gradable(c, true)
		modelOnly = modelOnly || gradable(c, false)
	}
	if !withConcepts && !modelOnly {
		where := "the question bank"
		if category != "" {
			where = fmtCategory(b.bank, category)
		}
		return Reply{}, Errorf(EInvalid, "No card of %s has key concepts or a model answer to grade an explanation against. Try another category, or draw a card with /question.", where)
	}
	if err := b.cooldown(ctx, req, "review"); err != nil {
		return Reply{}, err
	}
	var card *questionbank.Card
	err = b.store.Draw(ctx, "interview:"+req.Group+":"+req.User.ID+":"+f.Key(), func(st *questionbank.BagState) error {
		card = nil
		for range len(pool) {
			c, err := b.bank.Draw(f, st)
			if err != nil {
				return err
			}
			if gradable(c, withConcepts) {
				card = c
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	if card == nil {
		return Reply{}, Errorf(EInternal, "No card could be drawn for a mock interview. Try again.")
	}
	p := &Post{Group: req.Group, Channel: req.Channel, CardID: card.ID, Category: card.Category, By: req.User.ID, At: b.clock.Now(),
		Interview: &InterviewStep{Category: category}}
	if err := b.store.CreatePost(ctx, p); err != nil {
		return Reply{}, err
	}
	return b.askReply(card, *p), nil
}

// interviewPost loads an interview's post and its card: the member's own.
func (b *Bot) interviewPost(ctx context.Context, req Request, id uint64) (Post, *questionbank.Card, interviewQuestion, error) {
	var q interviewQuestion
	p, err := b.store.Post(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return p, nil, q, Errorf(ENotFound, "That interview question is no longer available. Start a new mock interview with /interview.")
	}
	if err != nil {
		return p, nil, q, err
	}
	if p.Group != req.Group || p.Interview == nil {
		return p, nil, q, Errorf(ENotFound, "That is not a mock interview question of this server. Start one with /interview.")
	}
	if p.By != req.User.ID {
		return p, nil, q, Errorf(EForbidden, "That mock interview is another member's: only they can answer it. Start your own with /interview.")
	}
	c, ok := b.bank.Card(p.CardID)
	if !ok {
		return p, nil, q, Errorf(ENotFound, "That card has been removed from the question bank. Start a new mock interview with /interview.")
	}
	q, ok = p.Interview.question(c)
	if !ok {
		return p, nil, q, Errorf(ENotFound, "That follow-up question has been removed from the card. Start a new mock interview with /interview.")
	}
	return p, c, q, nil
}

// interviewPress handles the buttons of a mock interview and the
// explanations typed into its prompt.
func (b *Bot) interviewPress(ctx context.Context, req Request, a Action) (Reply, error) {
	if b.cfg.Grader == nil {
		return Reply{}, errNoGrader
	}
	p, c, q, err := b.interviewPost(ctx, req, a.Post)
	if err != nil {
		return Reply{}, err
	}
	switch {
	case a.Kind == ActionInterviewType:
		return Reply{Private: true, Modal: &Modal{Action: Action{Kind: ActionInterviewTyped, Post: p.ID}.ID(),
			Title: "Your answer", Label: "Your answer", Long: true, Button: "Answer",
			Placeholder: "Explain as you would to an interviewer: what, why, trade-offs."}}, nil
	case a.Kind == ActionInterviewTyped:
		return b.gradeInterview(ctx, req, p, c, q)
	case a.Step == StepAsk:
		return b.askReply(c, p), nil
	case a.Step == StepModel:
		return b.interviewModel(ctx, req, p, c, q)
	case a.Step == StepEnd:
		return b.interviewSummary(p, p.Interview.Before, "Interview ended"), nil
	case a.Step == StepNext:
		return b.startInterview(ctx, req, p.Interview.Category)
	}
	return Reply{}, errNotOurs
}

// askReply asks a step's question, as an interviewer would.
func (b *Bot) askReply(c *questionbank.Card, p Post) Reply {
	s := p.Interview
	q, _ := s.question(c)
	title := []string{"Mock interview", fmtCategory(b.bank, c.Category)}
	if c.Difficulty != "" {
		title = append(title, string(c.Difficulty))
	}
	lead := "The interviewer asks:"
	if s.FollowUp > 0 {
		title[0] = fmt.Sprintf("Follow-up %d of %d", s.FollowUp, len(c.FollowUps))
		lead = "The interviewer follows up:"
	}
	return Reply{Private: true, Title: strings.Join(title, " · "), Color: b.color(c.Category), Footer: c.ID,
		Text: fmt.Sprintf("*%s*\n\n%s\n\nPress **Answer** and explain in your own words, as you would out loud: what it is, why, and the trade-offs. Your answer is graded on its key concepts, once.", lead, q.Prompt),
		Buttons: []Button{
			{ID: Action{Kind: ActionInterviewType, Post: p.ID}.ID(), Label: "Answer", Style: StylePrimary},
			{ID: Action{Kind: ActionInterviewStep, Post: p.ID, Step: StepEnd}.ID(), Label: "End interview"},
		}}
}

// gradeInterview grades an explanation and records it, once.
func (b *Bot) gradeInterview(ctx context.Context, req Request, p Post, c *questionbank.Card, q interviewQuestion) (Reply, error) {
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return Reply{}, Errorf(EInvalid, "Your answer was empty, so nothing was graded. Press **Answer** under the question again and type your explanation.")
	}
	if len(strings.Fields(text)) < minInterviewWords {
		// a word or two is no explanation, and would keep a streak for nothing
		return Reply{}, Errorf(EInvalid, "An interviewer wants an explanation, not a word or two, so nothing was graded. Press **Answer** again and explain in a sentence or more.")
	}
	if n := utf8.RuneCountInString(text); n > MaxLongText {
		return Reply{}, Errorf(EInvalid, "Your answer is %d characters long; an answer takes at most %d, so nothing was graded. Press **Answer** again and keep to the key points.", n, MaxLongText)
	}
	as, err := b.cfg.Grader.Grade(ctx, GradeRequest{Prompt: q.Prompt, Concepts: q.Concepts, Model: q.Model, Text: text})
	if err != nil {
		return Reply{}, &Error{Code: EInternal, Message: "Your answer could not be graded just now, so nothing was recorded. Press **Answer** and submit it again in a moment.", Err: fmt.Errorf("grade: %w", err)}
	}
	as.Score = min(max(as.Score, 0), 100)
	step := *p.Interview
	result := InterviewResult{Question: shortenWords(q.Prompt, 90), Score: as.Score}
	for _, k := range as.Concepts {
		if k.Status == ConceptMissed {
			result.Missed = append(result.Missed, k.Concept)
		}
	}
	done := append(append([]InterviewResult(nil), step.Before...), result)
	// the next question is posted before the answer is recorded: only the
	// recording that wins shows it, so a follow-up is asked once
	var next *Post
	if step.FollowUp < len(c.FollowUps) {
		next = &Post{Group: p.Group, Channel: p.Channel, CardID: c.ID, Category: c.Category, By: p.By, At: b.clock.Now(),
			Interview: &InterviewStep{FollowUp: step.FollowUp + 1, Category: step.Category, Before: done}}
		if err := b.store.CreatePost(ctx, next); err != nil {
			return Reply{}, err
		}
	}
	a := &Answer{Kind: KindInterview, Group: req.Group, Channel: p.Channel, User: req.User.ID, UserName: req.User.Name,
		PostID: p.ID, CardID: c.ID, Category: c.Category, Option: -1, Text: shorten(text, 200), Score: as.Score, At: b.clock.Now()}
	m, err := b.recordInterview(ctx, a)
	if err != nil {
		return Reply{}, err
	}
	return b.gradedReply(c, p, q, as, next, done, m), nil
}

// recordInterview records an interview answer as record does, with its
// day, and no leaderboard period (record leaves them out for the kind).
func (b *Bot) recordInterview(ctx context.Context, a *Answer) (Member, error) {
	m, err := b.record(ctx, a, "answered")
	if ErrorCode(err) == EConflict {
		return m, &Error{Code: EConflict, Message: "You already answered this question; your first answer was graded and counts. Go on with the buttons under its grade, or start a new mock interview with /interview.", Err: err}
	}
	return m, err
}

// statusLabel is how a concept's status reads to the member.
var statusLabel = map[ConceptStatus]string{ConceptCovered: "covered", ConceptPartly: "partly covered", ConceptMissed: "missed"}

// gradedReply shows the grade of an explanation: each key concept with the
// member's words that showed it, the score, what was missed, and what
// comes next (the follow-up, or the session's summary).
func (b *Bot) gradedReply(c *questionbank.Card, p Post, q interviewQuestion, as Assessment, next *Post, done []InterviewResult, m Member) Reply {
	r := Reply{Private: true, Title: fmt.Sprintf("Your answer: %d/100", as.Score), Color: scoreColor(as.Score), Footer: c.ID}
	var t strings.Builder
	if len(as.Concepts) > 0 {
		t.WriteString("**Key concepts**\n")
	}
	var missed []string
	for _, k := range as.Concepts {
		label := statusLabel[k.Status]
		if label == "" {
			label = string(k.Status)
		}
		fmt.Fprintf(&t, "- **%s**: %s", label, k.Concept)
		if len(k.Matched) > 0 && k.Status != ConceptMissed {
			var words []string
			for _, w := range k.Matched {
				words = append(words, "“"+EscapeMarkdown(shorten(w, 80))+"”")
			}
			fmt.Fprintf(&t, " (you said %s)", strings.Join(words, ", "))
		}
		t.WriteString("\n")
		if k.Status != ConceptCovered {
			missed = append(missed, k.Concept)
		}
	}
	if len(as.Concepts) == 0 {
		t.WriteString("This question has no key concepts in the bank, so it was graded on how much of the model answer yours covers.\n")
	}
	if len(missed) > 0 {
		t.WriteString("\n**What an interviewer still wants to hear**\n")
		for _, k := range missed {
			fmt.Fprintf(&t, "- %s\n", k)
		}
	}
	if len(as.Misconceptions) > 0 {
		t.WriteString("\n**Careful:** your answer says something an interviewer would flag as wrong:\n")
		for _, k := range as.Misconceptions {
			fmt.Fprintf(&t, "- %s\n", k)
		}
	}
	r.Fields = []Field{
		{Name: "Score", Value: fmt.Sprintf("%d/100", as.Score), Inline: true},
		{Name: "Streak", Value: streakText(m.Streak), Inline: true},
	}
	if as.Note != "" {
		r.Fields = append(r.Fields, Field{Name: "Note", Value: as.Note})
	}
	if q.Model != "" {
		r.Buttons = append(r.Buttons, Button{ID: Action{Kind: ActionInterviewStep, Post: p.ID, Step: StepModel}.ID(), Label: "Model answer"})
	}
	if next != nil {
		t.WriteString("\nThe interviewer has a follow-up question.")
		r.Buttons = append(r.Buttons,
			Button{ID: Action{Kind: ActionInterviewStep, Post: next.ID, Step: StepAsk}.ID(), Label: "Follow-up question", Style: StylePrimary},
			Button{ID: Action{Kind: ActionInterviewStep, Post: next.ID, Step: StepEnd}.ID(), Label: "End interview"})
		r.Text = strings.TrimSpace(t.String())
		return r
	}
	// the last question: the session ends with its summary
	s := b.interviewSummary(p, done, "")
	r.Text = strings.TrimSpace(t.String()) + "\n\n**Interview summary**\n" + s.Text
	r.Buttons = append(r.Buttons, s.Buttons...)
	return r
}

func scoreColor(score int) int {
	switch {
	case score >= 70:
		return 0x27AE60
	case score >= 40:
		return 0xE67E22
	}
	return 0xC0392B
}

// interviewSummary sums up a session's answers: each question's score and
// the concepts missed, and a button to start another interview.
func (b *Bot) interviewSummary(p Post, done []InterviewResult, title string) Reply {
	r := Reply{Private: true, Title: title, Color: 0x2E86C1, Footer: "Interview answers earn no points; their scores feed /stats and bring the cards you explain poorly back sooner in /review."}
	var t strings.Builder
	if len(done) == 0 {
		t.WriteString("You ended the interview before answering a question, so nothing was graded.")
	}
	total := 0
	for i, d := range done {
		kind := "Question"
		if i > 0 {
			kind = "Follow-up"
		}
		fmt.Fprintf(&t, "%d. %s: %s **%d/100**", i+1, kind, d.Question, d.Score)
		if len(d.Missed) > 0 {
			fmt.Fprintf(&t, "; missed: %s", strings.Join(d.Missed, "; "))
		}
		t.WriteString("\n")
		total += d.Score
	}
	if len(done) > 1 {
		fmt.Fprintf(&t, "Average: **%d/100** over %d answers.", (total+len(done)/2)/len(done), len(done))
	}
	r.Text = strings.TrimSpace(t.String())
	r.Buttons = []Button{{ID: Action{Kind: ActionInterviewStep, Post: p.ID, Step: StepNext}.ID(), Label: "Another interview", Style: StylePrimary}}
	return r
}

// interviewModel shows the model answer of a step's question. It counts
// as opening the card's model answer today (a Peek), as the card's Answer
// button does, so a quick check of the card answered after it earns
// nothing.
func (b *Bot) interviewModel(ctx context.Context, req Request, p Post, c *questionbank.Card, q interviewQuestion) (Reply, error) {
	if q.Model == "" {
		return Reply{}, Errorf(ENotFound, "This question has no model answer in the bank.")
	}
	if err := b.peek(ctx, req, c.ID, Peek{Answer: true}); err != nil {
		return Reply{}, err
	}
	r := Reply{Private: true, Title: "Model answer", Color: b.color(c.Category), Text: q.Model, Footer: c.ID}
	if ex := c.ExamplesMarkdown(); ex != "" && p.Interview.FollowUp == 0 {
		r.Text += "\n\n**Examples**\n" + ex
	}
	return r, nil
}

// interviewField is a member's mock interview average per category, for
// /stats.
func (b *Bot) interviewField(m Member) (Field, bool) {
	if len(m.Interviews) == 0 {
		return Field{}, false
	}
	var lines []string
	for _, c := range b.bank.Categories() {
		if t, ok := m.Interviews[c.ID]; ok && t.Answered > 0 {
			lines = append(lines, fmt.Sprintf("%s: %d/100 average (%s)", c.Name, t.Average(), plural(t.Answered, "answer", "answers")))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(m.Interviews)) { // categories no longer in the bank
		if _, ok := b.bank.Category(id); !ok && m.Interviews[id].Answered > 0 {
			t := m.Interviews[id]
			lines = append(lines, fmt.Sprintf("%s: %d/100 average (%s)", id, t.Average(), plural(t.Answered, "answer", "answers")))
		}
	}
	if len(lines) == 0 {
		return Field{}, false
	}
	return Field{Name: "Mock interviews", Value: strings.Join(lines, "\n")}, true
}
