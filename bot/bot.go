package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/prepbot/prepbot/questionbank"
)

// Points for a correct answer by difficulty, and for a self-rating.
const (
	PointsEasy   = 10
	PointsMedium = 15
	PointsHard   = 20
	PointsRating = 1
)

// Config configures a Bot.
type Config struct {
	Bank  *questionbank.Bank
	Store Store
	Clock Clock        // default: the system clock
	Log   *slog.Logger // default: discard
	// Chat is where the daily question is posted (also settable with SetChat).
	Chat Chat
	// Observe, when set, is called after every request with its outcome
	// ("ok" or an error code) and how long it took: for metrics.
	Observe func(req Request, outcome string, took time.Duration)
	// OnDaily, when set, is called after every daily post attempt.
	OnDaily func(ok bool)
	// DrawLimit and DrawWindow are the per-user cooldown on drawing cards
	// (/question and "next question"; /review and /practice may draw twice
	// as many): at most DrawLimit draws per DrawWindow in a group.
	// Defaults: 5 per minute; a negative DrawLimit means no limit.
	DrawLimit  int
	DrawWindow time.Duration
	// TimeZone is a group's time zone until an admin sets one with /qotd set
	// (default UTC).
	TimeZone string
	// Pictures draws the pictures of /stats and /leaderboard chart:yes
	// (chart.Pictures); without it, replies carry no picture.
	Pictures Pictures
	// Links makes the addresses of the web pages (bot/web); without it,
	// /web on keeps the setting but the server serves no pages.
	Links Links
	// Grader grades the explanations typed in mock interviews
	// (/interview); without it, /interview says it is not available.
	Grader Grader
}

// Bot handles requests. It is safe for concurrent use.
type Bot struct {
	bank  *questionbank.Bank
	store Store
	clock Clock
	log   *slog.Logger
	tz    string
	chat  Chat
	cfg   Config
}

// New returns a Bot.
func New(c Config) *Bot {
	b := &Bot{bank: c.Bank, store: memoStore{c.Store}, clock: c.Clock, log: c.Log, tz: c.TimeZone, chat: c.Chat, cfg: c}
	if b.clock == nil {
		b.clock = SystemClock{}
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.cfg.DrawLimit == 0 {
		b.cfg.DrawLimit = 5
	}
	if b.cfg.DrawWindow == 0 {
		b.cfg.DrawWindow = time.Minute
	}
	return b
}

// Bank returns the bot's question bank.
func (b *Bot) Bank() *questionbank.Bank { return b.bank }

// FirstDelivery reports whether a platform's delivery id (a Discord
// interaction id, a Slack envelope or event id) is seen for the first time.
// Ids are kept in the store for two days, across restarts, so a redelivery
// is handled once. Answers are idempotent in the store as well; this also
// keeps a redelivered command from drawing a second card. When the store
// fails, the delivery is handled (better twice than never).
func (b *Bot) FirstDelivery(ctx context.Context, platform, id string) bool {
	if id == "" {
		return true
	}
	first, err := b.store.FirstDelivery(ctx, platform+":"+id, b.clock.Now())
	if err != nil {
		b.log.Warn("cannot record a delivery id; handling it anyway", "platform", platform, "id", id, "err", err)
		return true
	}
	return first
}

// FirstDeliveryOf is FirstDelivery for a request that Handle answers
// next, with the ctx it returns: for a press on a card, a store that can
// (FirstPressStore) reads what the press reads (ReadPress) with the
// delivery id's check, in one round trip, and the request keeps it.
func (b *Bot) FirstDeliveryOf(ctx context.Context, platform, id string, req Request) (context.Context, bool) {
	fp, ok := b.cfg.Store.(FirstPressStore)
	if !ok || id == "" {
		return ctx, b.FirstDelivery(ctx, platform, id)
	}
	card, ok := b.pressedCard(ctx, req)
	if !ok {
		return ctx, b.FirstDelivery(ctx, platform, id)
	}
	first, st, err := fp.FirstPress(ctx, platform+":"+id, b.clock.Now(), req.Group, req.User.ID, card)
	if err != nil {
		b.log.Warn("cannot record a delivery id; handling it anyway", "platform", platform, "id", id, "err", err)
		first = true
	}
	if !first {
		return ctx, false
	}
	ctx = withMemo(ctx)
	if st != nil {
		keepPress(ctx, req.Group, req.User.ID, card, *st)
	}
	return ctx, true
}

// pressedCard is the card of the post a press on a card (its options,
// hint, model answer, typed answer, rating or dispute) is for, when the
// post is one this request may press (postCard checks it again).
func (b *Bot) pressedCard(ctx context.Context, req Request) (string, bool) {
	if req.Action == "" || req.User.ID == "" {
		return "", false
	}
	a, err := ParseAction(req.Action)
	if err != nil || a.Post == 0 {
		return "", false
	}
	switch a.Kind {
	case ActionOption, ActionHint, ActionReveal, ActionType, ActionTyped, ActionRate, ActionDispute:
	default:
		return "", false
	}
	p, err := b.store.Post(ctx, a.Post)
	if err != nil || p.Group != req.Group || p.Interview != nil {
		return "", false
	}
	return p.CardID, true
}

// Handle answers one request. The reply is always fit to show: when err is
// not nil the reply carries a message that says what to do next, and err is
// for logs and metrics.
func (b *Bot) Handle(ctx context.Context, req Request) (Reply, error) {
	if memoOf(ctx) == nil {
		ctx = withMemo(ctx) // the request's steps read what they need once (bot/memo.go)
	}
	start := time.Now()
	r, err := b.handle(ctx, req)
	took := time.Since(start)
	outcome := "ok"
	if err != nil {
		outcome = ErrorCode(err)
	}
	if b.cfg.Observe != nil {
		b.cfg.Observe(req, outcome, took)
	}
	id := req.InteractionID
	if id == "" {
		id = fmt.Sprintf("%016x", rand.Uint64())
	}
	log := b.log.With("request_id", id, "platform", req.Platform, "group", req.Group, "user", req.User.ID,
		"command", req.Command, "action", req.Action)
	if err != nil {
		if ErrorCode(err) == EInternal {
			log.Error("request failed", "err", err, "took", took)
		} else {
			log.Info("request refused", "outcome", outcome, "reason", ErrorMessage(err), "took", took)
		}
		return Reply{Title: errorTitle(err), Text: ErrorMessage(err), Private: true}, err
	}
	log.Info("request handled", "took", took)
	return b.tellDisputes(ctx, req, r), nil
}

// cooldown refuses a draw past the per-user limit, saying when to try
// again. Every path that deals a card draws from it: /question and "next
// question" (kind "question"), /review, "next review card" and /practice
// (kind "review", which may deal twice as fast: a review card is private
// and answered in seconds). A negative DrawLimit turns it off (the
// console, with one member).
func (b *Bot) cooldown(ctx context.Context, req Request, kind string) error {
	limit := b.cfg.DrawLimit
	if limit < 0 {
		return nil
	}
	if kind == "review" {
		limit *= 2
	}
	now := b.clock.Now()
	ok, retryAt, err := b.store.Allow(ctx, "draw\x1f"+req.Group+"\x1f"+req.User.ID+"\x1f"+kind, now, limit, b.cfg.DrawWindow)
	if err != nil {
		return err
	}
	if !ok {
		wait := retryAt.Sub(now).Round(time.Second)
		if wait < time.Second {
			wait = time.Second
		}
		return Errorf(ETooMany, "Slow down: you can draw another card in %s. Meanwhile, answer the ones you have.", plural(int(wait.Seconds()), "second", "seconds"))
	}
	return nil
}

func errorTitle(err error) string {
	switch ErrorCode(err) {
	case ETooMany:
		return "Slow down"
	case EForbidden:
		return "Not allowed"
	case EConflict:
		return "Already done"
	case EBusy:
		return "A round is running here"
	case EInternal:
		return "Something went wrong"
	}
	return "That did not work"
}

func (b *Bot) handle(ctx context.Context, req Request) (Reply, error) {
	if req.User.ID == "" {
		return Reply{}, Errorf(EInvalid, "This request does not say who sent it, so it was not handled.")
	}
	if err := b.notePlatformZone(ctx, req); err != nil {
		return Reply{}, err
	}
	if req.Action != "" {
		return b.press(ctx, req)
	}
	switch req.Command {
	case "question":
		return b.question(ctx, req, req.Args["category"], req.Args["difficulty"])
	case "answer":
		id, err := strconv.ParseUint(req.Args["post"], 10, 64)
		if err != nil {
			return Reply{}, Errorf(EInvalid, "There is no card waiting for a typed answer. Draw one with /question.")
		}
		return b.typed(ctx, req, id, req.Args["text"], true)
	case "leaderboard":
		return b.leaderboard(ctx, req)
	case "stats":
		return b.stats(ctx, req)
	case "review":
		return b.review(ctx, req)
	case "practice":
		return b.practice(ctx, req)
	case "study":
		return b.study(ctx, req)
	case "qotd":
		return b.qotd(ctx, req)
	case "season":
		return b.season(ctx, req)
	case "web":
		return b.web(ctx, req)
	case "disputes":
		return b.disputes(ctx, req)
	case "accept":
		return b.accept(ctx, req)
	case "reject":
		return b.reject(ctx, req)
	case "timezone":
		return b.timezone(ctx, req)
	case "remind":
		return b.remind(ctx, req)
	case "interview":
		return b.interview(ctx, req)
	case "help", "":
		return b.help(), nil
	}
	return Reply{}, Errorf(EInvalid, "Unknown command /%s. Type /help to see every command.", req.Command)
}

// Ratings a user can give themselves, with their button labels.
var Ratings = []struct{ ID, Label string }{
	{"nailed", "Nailed it"}, {"partly", "Partly"}, {"missed", "Missed it"},
}

func (b *Bot) press(ctx context.Context, req Request) (Reply, error) {
	a, err := ParseAction(req.Action)
	if err != nil {
		return Reply{}, err
	}
	switch a.Kind {
	case ActionNext:
		return b.question(ctx, req, a.Category, "")
	case ActionReview:
		return b.review(ctx, req)
	case ActionOption:
		return b.choose(ctx, req, a.Post, a.Option)
	case ActionHint:
		return b.hint(ctx, req, a.Post)
	case ActionReveal:
		return b.reveal(ctx, req, a.Post)
	case ActionType:
		return b.typed(ctx, req, a.Post, req.Text, false)
	case ActionTyped:
		return b.typed(ctx, req, a.Post, req.Text, true)
	case ActionRate:
		return b.rate(ctx, req, a.Post, a.Rating)
	case ActionDispute:
		return b.disputeCmd(ctx, req, a.Post)
	case ActionInterviewType, ActionInterviewTyped, ActionInterviewStep:
		return b.interviewPress(ctx, req, a)
	}
	return Reply{}, errNotOurs
}

// postCard loads a post and its card, and reads at once what the press's
// next steps read (ReadPress: the group, the member, what they opened of
// the card), which the request then keeps (bot/memo.go).
func (b *Bot) postCard(ctx context.Context, req Request, id uint64) (Post, *questionbank.Card, error) {
	p, err := b.store.Post(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return p, nil, Errorf(ENotFound, "That card is no longer available. Draw a new one with /question.")
	}
	if err != nil {
		return p, nil, err
	}
	if p.Group != req.Group {
		return p, nil, Errorf(ENotFound, "That card belongs to another server. Draw one here with /question.")
	}
	if p.Interview != nil {
		// a mock interview's question is answered by explaining, never
		// with a card's buttons (which earn points)
		return p, nil, Errorf(EInvalid, "That is a mock interview question: answer it with its **Answer** button, or start one with /interview.")
	}
	// buttons belong where they were drawn
	if p.Review && p.By != req.User.ID {
		return p, nil, Errorf(EForbidden, "That card was dealt privately to another member. Get your own with /review or /practice.")
	}
	if p.Channel != req.Channel {
		return p, nil, Errorf(EForbidden, "That card belongs to %s: answer it there, or draw one here with /question.", ChannelRef(p.Channel))
	}
	c, ok := b.bank.Card(p.CardID)
	if !ok {
		return p, nil, Errorf(ENotFound, "That card has been removed from the question bank. Draw a new one with /question.")
	}
	if _, err := b.store.ReadPress(ctx, req.Group, req.User.ID, c.ID); err != nil {
		return p, nil, err
	}
	return p, c, nil
}

func fmtCategory(b *questionbank.Bank, id string) string {
	if c, ok := b.Category(id); ok {
		return c.Name
	}
	return id
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
