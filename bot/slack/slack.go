// Package slack is prepbot's Slack adapter, on slack-go. One slash command,
// /prep, takes the bot's commands as subcommands; replies are Block Kit;
// requests arrive over socket mode (no public URL needed) or as signed
// HTTP requests, or both.
package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/prepbot/prepbot/bot"
)

// DefaultAPIURL is Slack's Web API base.
const DefaultAPIURL = "https://slack.com/api/"

// Config configures the adapter. BotToken is needed to post; AppToken
// enables socket mode; SigningSecret enables the HTTP endpoints.
type Config struct {
	BotToken      string   // xoxb-…
	AppToken      string   // xapp-…, for socket mode
	SigningSecret string   // for POST /slack/commands, /slack/interactions, /slack/events
	Admins        []string // user ids that may change /prep qotd besides workspace admins and owners
	APIURL        string   // Web API base URL; default Slack's own

	// DeferAfter is how long a slash command may take before it is
	// acknowledged empty and answered through its response_url. Default 2s.
	DeferAfter time.Duration
	// PostGap is the least time between two daily posts. Default 1s (Slack
	// allows about one message per second per channel, and chat.postMessage
	// is a special tier).
	PostGap    time.Duration
	MaxRetries int // bounds the retries after a 429; default 3
	HTTPClient *http.Client
	Log        *slog.Logger
	// Now is the clock for signature timestamps (tests freeze it).
	Now func() time.Time
}

// Adapter connects the bot to Slack.
type Adapter struct {
	cfg   Config
	bot   *bot.Bot
	api   *slack.Client
	sm    *socketmode.Client
	log   *slog.Logger
	ready atomic.Bool
	ctx   context.Context
	stop  context.CancelFunc
	done  chan struct{}

	pacer    bot.Pacer
	inflight bot.InFlight

	rateLimited atomic.Int64
}

// New checks the config and builds the adapter; Start connects.
func New(cfg Config, b *bot.Bot) (*Adapter, error) {
	if cfg.BotToken == "" {
		return nil, errors.New("slack: set slack.bot_token (xoxb-…), and slack.app_token for socket mode or slack.signing_secret for HTTP")
	}
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		return nil, errors.New("slack: set slack.app_token (socket mode) or slack.signing_secret (HTTP endpoints) so requests can reach the bot")
	}
	if cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-") {
		return nil, errors.New("slack.app_token must be an app-level token (xapp-…) with the connections:write scope")
	}
	if cfg.DeferAfter == 0 {
		cfg.DeferAfter = 2 * time.Second
	}
	if cfg.PostGap == 0 {
		cfg.PostGap = time.Second
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	client := cfg.HTTPClient
	if client == nil {
		// Keep a connection per concurrent request alive: the default
		// transport keeps two per host, so under load every other request
		// would dial (and handshake TLS) again.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		client = &http.Client{Timeout: 10 * time.Second, Transport: t}
	}
	a := &Adapter{cfg: cfg, bot: b, log: cfg.Log.With("platform", "slack"), ctx: context.Background(), done: make(chan struct{}), pacer: bot.Pacer{Gap: cfg.PostGap}}
	opts := []slack.Option{slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(client)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	a.api = slack.New(cfg.BotToken, opts...)
	return a, nil
}

// Name implements the server's Platform.
func (a *Adapter) Name() string { return "slack" }

// Ready reports whether socket mode is connected (or, for HTTP only,
// whether the token worked at start).
func (a *Adapter) Ready() bool { return a.ready.Load() }

// RateLimited returns how many 429s the adapter has waited out.
func (a *Adapter) RateLimited() int64 { return a.rateLimited.Load() }

// Start checks the token (auth.test) and connects socket mode when an app
// token is set.
func (a *Adapter) Start(ctx context.Context) error {
	ctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.ctx = ctx
	auth, err := a.api.AuthTestContext(ctx)
	if err != nil {
		stop()
		return fmt.Errorf("slack: auth.test failed (is slack.bot_token right?): %w", err)
	}
	a.stop = stop
	a.log.Info("authenticated", "team", auth.Team, "bot", auth.User)
	if a.cfg.AppToken == "" {
		a.ready.Store(true)
		close(a.done)
		return nil
	}
	a.sm = socketmode.New(a.api)
	go func() {
		defer close(a.done)
		err := a.sm.RunContext(ctx)
		if ctx.Err() == nil {
			a.log.Error("socket mode stopped", "err", err)
		}
	}()
	go a.events(ctx)
	return nil
}

// Close lets the requests in flight finish (at most 10 seconds), then
// disconnects socket mode.
func (a *Adapter) Close() error {
	a.ready.Store(false)
	if !a.inflight.Wait(10 * time.Second) {
		a.log.Warn("requests still running at shutdown")
	}
	if a.stop != nil {
		a.stop()
		<-a.done
	}
	return nil
}

// events handles socket-mode envelopes: every one is acknowledged, a
// retried or duplicate envelope is handled once.
func (a *Adapter) events(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-a.sm.Events:
			if !ok {
				return
			}
			switch ev.Type {
			case socketmode.EventTypeConnected:
				a.ready.Store(true)
				a.log.Info("socket mode connected")
			case socketmode.EventTypeDisconnect, socketmode.EventTypeConnectionError:
				a.ready.Store(false)
			case socketmode.EventTypeInvalidAuth:
				a.ready.Store(false)
				a.log.Error("socket mode: invalid app token (slack.app_token)")
			case socketmode.EventTypeSlashCommand:
				cmd, _ := ev.Data.(slack.SlashCommand)
				a.inflight.Go(func() { a.onEnvelope(ev.Request, func() (any, bool) { return a.slashCommand(ctx, cmd, true) }) })
			case socketmode.EventTypeInteractive:
				cb, _ := ev.Data.(slack.InteractionCallback)
				a.inflight.Go(func() { a.onEnvelope(ev.Request, func() (any, bool) { return a.interaction(ctx, cb) }) })
			case socketmode.EventTypeEventsAPI:
				e, _ := ev.Data.(slackevents.EventsAPIEvent)
				a.inflight.Go(func() { a.onEnvelope(ev.Request, func() (any, bool) { a.event(ctx, e); return nil, false }) })
			}
		}
	}
}

// onEnvelope acknowledges an envelope with the handler's payload, once per
// envelope id (Slack redelivers an unacknowledged envelope with
// retry_attempt set).
func (a *Adapter) onEnvelope(req *socketmode.Request, handle func() (any, bool)) {
	if req == nil {
		return
	}
	if !a.bot.FirstDelivery(a.ctx, "slack", "envelope:"+req.EnvelopeID) {
		a.log.Info("redelivered envelope ignored", "envelope", req.EnvelopeID, "retry_attempt", req.RetryAttempt)
		a.sm.Ack(*req)
		return
	}
	payload, ok := handle()
	if ok {
		a.sm.Ack(*req, payload)
	} else {
		a.sm.Ack(*req)
	}
}

var (
	channelMention = regexp.MustCompile(`^<#([A-Z0-9]+)(\|[^>]*)?>$`)
	userMention    = regexp.MustCompile(`^<@([A-Z0-9]+)(\|[^>]*)?>$`)
)

// unmention turns <#C123|general> into C123 and <@U123|ann> into U123.
func unmention(s string) string {
	if m := channelMention.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := userMention.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return s
}

// parseCommand reads the text of "/prep leaderboard week postgres": the
// subcommand and its arguments, mentions (<#C1|general>, <@U1|ann>) turned
// into ids. Empty or unknown text is /help.
func parseCommand(text string) (string, map[string]string, error) {
	words := bot.SplitWords(text)
	for i, w := range words {
		words[i] = unmention(w)
	}
	if len(words) == 0 {
		return "help", map[string]string{}, nil
	}
	cmd, ok := bot.FindCommand(strings.ToLower(words[0]))
	if !ok || cmd.Name == "answer" {
		return "help", map[string]string{}, nil
	}
	args, err := bot.ParseArgs(cmd, words[1:])
	if err != nil {
		return "help", map[string]string{}, err
	}
	for k, v := range args {
		args[k] = unmention(v)
	}
	return cmd.Name, args, nil
}

// commandRequest turns a slash command into a request, checking with
// Slack whether the user is an admin when the command needs one.
func (a *Adapter) commandRequest(ctx context.Context, c slack.SlashCommand) (bot.Request, error) {
	name, args, err := parseCommand(c.Text)
	req := bot.Request{Platform: "slack", Group: "slack:" + c.TeamID, Channel: c.ChannelID,
		User: bot.User{ID: c.UserID, Name: c.UserName}, Command: name, Args: args}
	if err == nil && name == "qotd" && args["sub"] != "status" {
		req.User.Admin = a.isAdmin(ctx, c.UserID)
	}
	return req, err
}

// isAdmin asks users.info whether a user is a workspace admin or owner (or
// listed in slack.admins), on every use: a demoted admin loses the right at
// once.
func (a *Adapter) isAdmin(ctx context.Context, user string) bool {
	for _, id := range a.cfg.Admins {
		if id == user {
			return true
		}
	}
	var u *slack.User
	err := a.retry(ctx, func() (err error) { u, err = a.api.GetUserInfoContext(ctx, user); return err })
	if err != nil {
		a.log.Warn("users.info failed; treating the user as a member", "user", user, "err", err)
		return false
	}
	return u.IsAdmin || u.IsOwner || u.IsPrimaryOwner
}

// message is a slash command or response_url body.
type message struct {
	ResponseType    string        `json:"response_type,omitempty"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool          `json:"replace_original"`
}

func toMessage(r bot.Reply, bl []slack.Block) message {
	m := message{ResponseType: "in_channel", Text: fallback(r), Blocks: bl}
	if r.Private {
		m.ResponseType = "ephemeral"
	}
	return m
}

// blocksFor renders a reply, uploading its pictures (files.uploadV2, to
// no channel, so a private reply stays private) and showing each in an
// image block.
func (a *Adapter) blocksFor(ctx context.Context, r bot.Reply) []slack.Block {
	out := blocks(r)
	for _, att := range r.Attachments {
		var f *slack.FileSummary
		err := a.retry(ctx, func() (err error) {
			f, err = a.api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: att.Name, FileSize: len(att.Data),
				Reader: bytes.NewReader(att.Data), Title: att.Alt, AltTxt: att.Alt})
			return err
		})
		if err != nil {
			a.log.Warn("picture upload failed; replying without it", "file", att.Name, "err", err)
			continue
		}
		out = append(out, slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: f.ID}, trim(att.Alt, 2000), "", nil))
	}
	return out
}

// slashCommand handles /prep. It returns the reply to send inline (as the
// HTTP response or the socket-mode ack payload) when the bot answers
// within DeferAfter; otherwise it returns nothing inline and sends the
// reply to the command's response_url when it is ready.
func (a *Adapter) slashCommand(ctx context.Context, c slack.SlashCommand, socket bool) (any, bool) {
	req, err := a.commandRequest(ctx, c)
	if err != nil {
		r := bot.Reply{Private: true, Title: "That did not work", Text: bot.ErrorMessage(err) + "\nType `/prep help` for every command."}
		return toMessage(r, blocks(r)), true
	}
	if req.Command == "help" && strings.TrimSpace(c.Text) != "" && !strings.EqualFold(strings.TrimSpace(c.Text), "help") {
		r, _ := a.bot.Handle(ctx, req)
		r.Title = "Unknown command: " + trim(c.Text, 60)
		return toMessage(r, blocks(r)), true
	}
	done := make(chan bot.Reply, 1)
	go func() {
		r, _ := a.bot.Handle(ctx, req)
		done <- r
	}()
	select {
	case r := <-done:
		return toMessage(r, a.blocksFor(ctx, r)), true
	case <-time.After(a.cfg.DeferAfter):
	}
	a.inflight.Go(func() {
		r := <-done
		a.respondURL(ctx, c.ResponseURL, r)
	})
	return nil, false
}

// respondURL sends a reply to an interaction's response_url.
func (a *Adapter) respondURL(ctx context.Context, url string, r bot.Reply) {
	if url == "" {
		return
	}
	typ := slack.ResponseTypeInChannel
	if r.Private {
		typ = slack.ResponseTypeEphemeral
	}
	bl := a.blocksFor(ctx, r)
	err := a.retry(ctx, func() error {
		_, _, err := a.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(url, typ),
			slack.MsgOptionText(fallback(r), false), slack.MsgOptionBlocks(bl...))
		return err
	})
	if err != nil {
		a.log.Warn("response_url failed", "err", err)
	}
}

// interaction handles a block_actions press or a view_submission. Button
// replies go to the response_url; a modal's answer is posted ephemerally.
func (a *Adapter) interaction(ctx context.Context, cb slack.InteractionCallback) (any, bool) {
	req := bot.Request{Platform: "slack", Group: "slack:" + cb.Team.ID, Channel: cb.Channel.ID,
		User: bot.User{ID: cb.User.ID, Name: userName(cb.User)}}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil, false
		}
		act := cb.ActionCallback.BlockActions[0]
		req.Action = act.ActionID
		req.InteractionID = act.ActionTs + ":" + cb.User.ID
		if !a.bot.FirstDelivery(ctx, "slack", "action:"+req.InteractionID) {
			return nil, false
		}
		// Record before acknowledging when the bot is quick (it always is,
		// but for a stalled disk), so an acknowledged press is a recorded
		// answer; the reply goes to the response_url either way.
		done := make(chan bot.Reply, 1)
		a.inflight.Go(func() {
			r, _ := a.bot.Handle(ctx, req)
			done <- r
		})
		reply := func(r bot.Reply) {
			if r.Modal != nil {
				a.openModal(ctx, cb.TriggerID, cb.Channel.ID, r.Modal)
				return
			}
			a.respondURL(ctx, cb.ResponseURL, r)
		}
		select {
		case r := <-done:
			a.inflight.Go(func() { reply(r) })
		case <-time.After(a.cfg.DeferAfter):
			a.inflight.Go(func() { reply(<-done) })
		}
		return nil, false
	case slack.InteractionTypeViewSubmission:
		req.Action = cb.View.CallbackID
		req.Channel = cb.View.PrivateMetadata
		for _, block := range cb.View.State.Values {
			for _, v := range block {
				if v.Value != "" {
					req.Text = v.Value
				}
			}
		}
		r, _ := a.bot.Handle(ctx, req)
		a.inflight.Go(func() { a.postEphemeral(ctx, req.Channel, req.User.ID, r) })
		return map[string]string{"response_action": "clear"}, true
	}
	return nil, false
}

func userName(u slack.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}

func (a *Adapter) openModal(ctx context.Context, trigger, channel string, m *bot.Modal) {
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      m.Action,
		PrivateMetadata: channel,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, trim(m.Title, 24), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("answer", slack.NewTextBlockObject(slack.PlainTextType, trim(m.Label, 2000), false, false), nil,
				slack.NewPlainTextInputBlockElement(nil, "text")),
		}},
	}
	err := a.retry(ctx, func() error { _, err := a.api.OpenViewContext(ctx, trigger, view); return err })
	if err != nil {
		a.log.Warn("views.open failed", "err", err)
	}
}

func (a *Adapter) postEphemeral(ctx context.Context, channel, user string, r bot.Reply) {
	err := a.retry(ctx, func() error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(fallback(r), false), slack.MsgOptionBlocks(a.blocksFor(ctx, r)...))
		return err
	})
	if err != nil {
		a.log.Warn("chat.postEphemeral failed", "err", err)
	}
}

// event handles Events API callbacks: a mention gets the help.
func (a *Adapter) event(ctx context.Context, e slackevents.EventsAPIEvent) {
	if e.Type != slackevents.CallbackEvent {
		return
	}
	if m, ok := e.InnerEvent.Data.(*slackevents.AppMentionEvent); ok {
		r, _ := a.bot.Handle(ctx, bot.Request{Platform: "slack", Group: "slack:" + e.TeamID, Channel: m.Channel, User: bot.User{ID: m.User}, Command: "help"})
		r.Private = false
		r.Title = "Hi! Type /prep question to draw a card."
		a.Post(ctx, "slack:"+e.TeamID, m.Channel, r)
	}
}

// Post implements bot.Chat with chat.postMessage, paced. A channel the bot
// cannot post to any more is reported as bot.ErrChannelGone.
func (a *Adapter) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	a.pacer.Wait(ctx)
	err := a.retry(ctx, func() error {
		_, _, err := a.api.PostMessageContext(ctx, channel, slack.MsgOptionText(fallback(r), false), slack.MsgOptionBlocks(a.blocksFor(ctx, r)...))
		return err
	})
	switch errString(err) {
	case "channel_not_found", "not_in_channel", "is_archived", "channel_is_archived", "access_denied", "restricted_action":
		return fmt.Errorf("%w: %v", bot.ErrChannelGone, err)
	}
	return err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return err.Error()
}

// retry runs a Web API call, waiting out a 429 as Slack says (Retry-After)
// at most MaxRetries times.
func (a *Adapter) retry(ctx context.Context, call func() error) error {
	return bot.RetryRateLimited(ctx, a.cfg.MaxRetries, call, func(err error) (time.Duration, bool) {
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			return rl.RetryAfter, true
		}
		return 0, false
	}, func(d time.Duration) {
		a.rateLimited.Add(1)
		a.log.Warn("rate limited by Slack; waiting", "retry_after", d)
	})
}
