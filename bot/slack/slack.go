// Package slack is prepbot's Slack adapter, on slack-go. One slash command,
// /prep, takes the bot's commands as subcommands; replies are Block Kit;
// requests arrive over socket mode (no public URL needed) or as signed
// HTTP requests, or both.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"golang.org/x/time/rate"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/adapter"
)

// DefaultAPIURL is Slack's Web API base.
const DefaultAPIURL = "https://slack.com/api/"

// Config configures the adapter. BotToken is needed to post; AppToken
// enables socket mode; SigningSecret enables the HTTP endpoints.
type Config struct {
	BotToken      string   // xoxb-…
	AppToken      string   // xapp-…, for socket mode
	SigningSecret string   // for POST /slack/commands, /slack/interactions, /slack/events
	Admins        []string // user ids with admin rights (/prep qotd, stopping anyone's study round) besides workspace admins and owners
	APIURL        string   // Web API base URL; default Slack's own

	// DeferAfter is how long after its arrival a slash command may take
	// before it is acknowledged empty and answered through its
	// response_url. Default 2s, within Slack's 3 seconds.
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
	cfg    Config
	bot    *bot.Bot
	api    *slack.Client
	sm     *socketmode.Client
	log    *slog.Logger
	ready  atomic.Bool
	ctx    context.Context    // the adapter's lifetime, set in New: HTTP requests may come while Start runs
	cancel context.CancelFunc // ends ctx
	stop   context.CancelFunc // set once Start succeeded: Close ends ctx and waits for socket mode
	done   chan struct{}      // closed when socket mode has stopped (at once without it)

	stopEvents context.CancelFunc // ends the envelope loop (nil without socket mode)
	eventsDone chan struct{}      // closed when the envelope loop has returned

	pacer      adapter.Pacer // daily posts
	retryPacer adapter.Pacer // 429 waits only: no gap, no hold
	inflight   adapter.InFlight
	renderer   // Block Kit, with the adapter's own Mrkdwn cache

	rateLimited atomic.Int64

	// zones caches each user's time zone from users.info (their profile's
	// tz): looked up once per user, not on every press
	zmu   sync.Mutex
	zones map[string]userZone
	// looking are the users whose users.info lookup is queued or running
	looking map[string]bool
	// lookups queues the users whose zone a request found missing; one
	// goroutine asks users.info about them at zoneLimit's pace and closes
	// lookDone when it returns (at Close)
	lookups   chan string
	zoneLimit *rate.Limiter
	lookDone  chan struct{}
}

// userZone is a user's time zone as users.info told it, and when.
type userZone struct {
	tz string
	at time.Time
}

// Time zones are looked up again after zoneTTL (a member who moved), or
// after zoneRetry when users.info failed; the cache holds at most
// maxZones users before it starts afresh.
const (
	zoneTTL   = 24 * time.Hour
	zoneRetry = time.Hour
	maxZones  = 100000
)

// users.info is a Tier 4 method: Slack allows it "100+ per minute" per
// workspace, with short bursts. Zone lookups keep to 100 a minute after a
// burst of zoneBurst; at most maxLookups users wait their turn (a user
// left out is queued again by their next request, and meanwhile their
// day follows the workspace's zone). A wave of new members, such as a
// whole team answering its first daily question, so never earns the bot
// 429s, nor costs it an exchange with Slack per press.
const (
	zoneRate   = rate.Limit(100.0 / 60)
	zoneBurst  = 20
	maxLookups = 1000
)

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
	a := &Adapter{cfg: cfg, bot: b, log: cfg.Log.With("platform", "slack"), done: make(chan struct{}), pacer: adapter.Pacer{Gap: cfg.PostGap}}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.lookups, a.zoneLimit = make(chan string, maxLookups), rate.NewLimiter(zoneRate, zoneBurst)
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
func (a *Adapter) Start(start context.Context) error {
	auth, err := a.api.AuthTestContext(context.WithoutCancel(start)) // a shutdown meanwhile waits for its answer
	if err != nil {
		return fmt.Errorf("slack: auth.test failed (is slack.bot_token right?): %w", err)
	}
	ctx := a.ctx
	a.stop = a.cancel
	a.log.Info("authenticated", "team", auth.Team, "bot", auth.User)
	a.lookDone = make(chan struct{})
	go func() {
		defer close(a.lookDone)
		a.lookZones(ctx)
	}()
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
	// The envelope loop stops first at Close: envelopes it has not taken
	// are not acknowledged, so Slack sends them again (to this process
	// after a restart, or to another). The work it started still runs on
	// ctx, and its acknowledgements still go out, until Close ends ctx.
	loop, stopEvents := context.WithCancel(ctx)
	a.stopEvents, a.eventsDone = stopEvents, make(chan struct{})
	go func() {
		defer close(a.eventsDone)
		a.events(loop, ctx)
	}()
	return nil
}

// Close stops taking envelopes, lets the requests in flight finish (at
// most 10 seconds), then disconnects socket mode and waits for it. Every
// goroutine Start started has returned when Close does.
func (a *Adapter) Close() error {
	a.ready.Store(false)
	if a.stopEvents != nil {
		a.stopEvents()
		<-a.eventsDone
	}
	if !a.inflight.Wait(10 * time.Second) {
		a.log.Warn("requests still running at shutdown")
	}
	if a.stop != nil {
		a.stop()
		<-a.done
		<-a.lookDone
	}
	a.cancel()
	return nil
}

// events handles socket-mode envelopes. Each is acknowledged within
// Slack's 3 seconds: a slash command with its reply when the bot answers
// within DeferAfter of the envelope's arrival, everything else at once.
// A redelivered envelope is handled once: deduplication is on what the
// envelope carries (a command's trigger_id, a press's action, an event's
// event_id), recorded after the acknowledgement's timer has started.
//
// The loop runs until loop is done; the work it hands on runs on ctx.
func (a *Adapter) events(loop, ctx context.Context) {
	for {
		select {
		case <-loop.Done():
			return
		case ev, ok := <-a.sm.Events:
			if !ok {
				return
			}
			received := time.Now()
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
				a.inflight.Go(func() {
					a.ack(ev.Request, func() (any, bool) { return a.slashCommand(ctx, cmd, envelopeID(ev.Request), received) })
				})
			case socketmode.EventTypeInteractive:
				cb, _ := ev.Data.(slack.InteractionCallback)
				a.inflight.Go(func() {
					a.ack(ev.Request, func() (any, bool) { return a.interaction(ctx, cb, received) })
				})
			case socketmode.EventTypeEventsAPI:
				e, _ := ev.Data.(slackevents.EventsAPIEvent)
				// acknowledged first: the reply waits for the pacer
				a.inflight.Go(func() {
					a.ack(ev.Request, func() (any, bool) { return nil, false })
					a.eventOnce(ctx, eventID(ev.Request), e)
				})
			}
		}
	}
}

func envelopeID(req *socketmode.Request) string {
	if req == nil {
		return ""
	}
	return req.EnvelopeID
}

// eventID reads an events_api envelope's event_id (the same id the HTTP
// Events API carries, so a retry on either path is handled once).
func eventID(req *socketmode.Request) string {
	if req == nil {
		return ""
	}
	var outer struct {
		EventID string `json:"event_id"`
	}
	json.Unmarshal(req.Payload, &outer)
	return outer.EventID
}

// ack acknowledges an envelope with the handler's payload, if any.
func (a *Adapter) ack(req *socketmode.Request, handle func() (any, bool)) {
	if req == nil {
		return
	}
	payload, ok := handle()
	if !ok {
		payload = nil
	}
	// on the adapter's lifetime: an acknowledgement that comes after
	// socket mode stopped would otherwise wait forever for it
	a.sm.AckCtx(a.ctx, req.EnvelopeID, payload)
}

// eventOnce handles an Events API callback once per event_id.
func (a *Adapter) eventOnce(ctx context.Context, id string, e slackevents.EventsAPIEvent) {
	if id != "" && !a.bot.FirstDelivery(ctx, "slack", "event:"+id) {
		a.log.Info("retried event ignored", "event", id)
		return
	}
	a.event(ctx, e)
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

// commandRequest turns a slash command into a request (the admin flag is
// filled in later, by asking Slack, when bot.NeedsAdmin says so).
func commandRequest(c slack.SlashCommand) (bot.Request, error) {
	name, args, err := parseCommand(c.Text)
	req := bot.Request{Platform: "slack", Group: "slack:" + c.TeamID, Channel: c.ChannelID,
		User: bot.User{ID: c.UserID, Name: c.UserName}, Command: name, Args: args}
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
	a.keepZone(user, u.TZ, zoneTTL)
	return u.IsAdmin || u.IsOwner || u.IsPrimaryOwner
}

// keepZone caches a user's time zone for ttl.
func (a *Adapter) keepZone(user, tz string, ttl time.Duration) {
	a.zmu.Lock()
	defer a.zmu.Unlock()
	if a.zones == nil || len(a.zones) >= maxZones {
		a.zones = map[string]userZone{}
	}
	a.zones[user] = userZone{tz: tz, at: a.cfg.Now().Add(ttl - zoneTTL)}
}

// userZone is a user's time zone from their Slack profile (users.info's
// tz, needing users:read), looked up once and cached; "" when Slack does
// not say. A slash command asks users.info before it runs while the
// lookups' pace allows; past it, it runs with the zone known so far and
// the lookup waits its turn, as a press's does.
func (a *Adapter) userZone(ctx context.Context, user string) string {
	if tz, ok := a.cachedZone(user); ok {
		return tz
	}
	if !a.zoneLimit.Allow() {
		return a.pressZone(user)
	}
	return a.lookUpZone(ctx, user)
}

// cachedZone is the user's zone as last looked up, and whether that is
// recent enough to use without asking again.
func (a *Adapter) cachedZone(user string) (string, bool) {
	a.zmu.Lock()
	defer a.zmu.Unlock()
	z, ok := a.zones[user]
	return z.tz, ok && a.cfg.Now().Sub(z.at) < zoneTTL
}

// lookUpZone asks users.info for the user's zone and caches the answer
// (on a failure, what was known, to be asked again after zoneRetry).
func (a *Adapter) lookUpZone(ctx context.Context, user string) string {
	var u *slack.User
	err := a.retry(ctx, func() (err error) { u, err = a.api.GetUserInfoContext(ctx, user); return err })
	if err != nil {
		a.log.Warn("users.info failed; the member's day follows the workspace's time zone for now", "user", user, "err", err)
		a.zmu.Lock()
		tz := a.zones[user].tz
		a.zmu.Unlock()
		a.keepZone(user, tz, zoneRetry)
		return tz
	}
	a.keepZone(user, u.TZ, zoneTTL)
	return u.TZ
}

// pressZone is userZone for a button press or a submitted modal: the
// cached zone, and on a miss the zone known so far ("" for a user not seen
// yet) at once, while the user joins the queue of lookups (once per user
// at a time) for their next request. A press never waits for users.info:
// a burst of presses from new users would otherwise each wait for a
// second exchange with Slack before its answer is even recorded.
func (a *Adapter) pressZone(user string) string {
	a.zmu.Lock()
	defer a.zmu.Unlock()
	z, ok := a.zones[user]
	if (ok && a.cfg.Now().Sub(z.at) < zoneTTL) || a.looking[user] {
		return z.tz
	}
	select {
	case a.lookups <- user:
		if a.looking == nil {
			a.looking = map[string]bool{}
		}
		a.looking[user] = true
	default: // the queue is full: the user's next request asks again
	}
	return z.tz
}

// lookZones asks users.info about the queued users, one at a time at
// zoneLimit's pace, until ctx ends.
func (a *Adapter) lookZones(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case user := <-a.lookups:
			if a.zoneLimit.Wait(ctx) != nil {
				return
			}
			a.lookUpZone(ctx, user)
			a.zmu.Lock()
			delete(a.looking, user)
			a.zmu.Unlock()
		}
	}
}

// message is a slash command or response_url body.
type message struct {
	ResponseType    string        `json:"response_type,omitempty"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool          `json:"replace_original"`
}

func (rd *renderer) toMessage(r bot.Reply) message {
	m := message{ResponseType: "in_channel", Text: rd.fallback(r), Blocks: rd.blocks(r)}
	if r.Private {
		m.ResponseType = "ephemeral"
	}
	return m
}

// showable reports whether a reply renders to something Slack accepts (a
// message needs text or blocks).
func (rd *renderer) showable(r bot.Reply) bool {
	return strings.TrimSpace(rd.fallback(r)) != "" || len(rd.blocks(r)) > 0
}

// outcome is what handling a request came to: a reply, or nothing (a
// redelivery).
type outcome struct {
	reply bot.Reply
	dup   bool
}

// slashCommand handles /prep within Slack's 3-second acknowledgement. The
// budget starts when the command arrived, before anything that can be
// slow (the delivery record, a users.info lookup, the bot's own writes):
// when the reply is ready within DeferAfter it is the acknowledgement's
// payload; otherwise the acknowledgement is empty and the reply goes to
// the command's response_url when it is ready. Pictures are never
// uploaded before the acknowledgement (see sharePictures). A command is
// handled once per trigger_id (unique per invocation, and recorded in the
// database): a replayed signed request or a redelivered envelope, also
// after a restart, is acknowledged and nothing else.
func (a *Adapter) slashCommand(ctx context.Context, c slack.SlashCommand, envelope string, received time.Time) (any, bool) {
	budget := time.NewTimer(a.cfg.DeferAfter - time.Since(received))
	defer budget.Stop()
	req, err := commandRequest(c)
	if err != nil {
		r := bot.Reply{Private: true, Title: "That did not work", Text: bot.ErrorMessage(err) + "\nType `/prep help` for every command."}
		return a.toMessage(r), true
	}
	delivery := c.TriggerID
	if delivery == "" && envelope != "" {
		delivery = "envelope:" + envelope
	}
	unknown := req.Command == "help" && strings.TrimSpace(c.Text) != "" && !strings.EqualFold(strings.TrimSpace(c.Text), "help")
	work := func() outcome {
		if delivery != "" && !a.bot.FirstDelivery(ctx, "slack", "command:"+delivery) {
			a.log.Info("replayed or redelivered command ignored", "trigger", c.TriggerID)
			return outcome{dup: true}
		}
		if bot.NeedsAdmin(req) {
			req.User.Admin = a.isAdmin(ctx, c.UserID)
		}
		req.TimeZone = a.userZone(ctx, c.UserID)
		r, _ := a.bot.Handle(ctx, req)
		if unknown {
			r.Title = "Unknown command: " + adapter.Trim(c.Text, 60)
		}
		return outcome{reply: r}
	}
	dest := destination{channel: c.ChannelID, user: c.UserID, responseURL: c.ResponseURL, trigger: c.TriggerID, received: received}
	o, inTime := adapter.Race(&a.inflight, budget.C, work, nil, func(o outcome) { a.deliver(ctx, dest, o) })
	if !inTime {
		return nil, false
	}
	if o.dup || o.reply.Modal != nil || !a.showable(o.reply) {
		a.inflight.Go(func() { a.deliver(ctx, dest, o) })
		return nil, false
	}
	if len(o.reply.Attachments) > 0 {
		a.inflight.Go(func() { a.sharePictures(ctx, dest, o.reply) })
	}
	return a.toMessage(o.reply), true
}

// destination is where the reply to a command or a press goes.
type destination struct {
	channel, user string
	responseURL   string
	trigger       string    // for a modal
	received      time.Time // when Slack sent the trigger
}

// triggerLife is how long a trigger_id can open a modal
// (https://docs.slack.dev/reference/methods/views.open: three seconds).
const triggerLife = 3 * time.Second

// deliver sends a reply that is not the acknowledgement's payload: a
// modal through views.open while its trigger lives, anything else to the
// response_url (then its pictures).
func (a *Adapter) deliver(ctx context.Context, d destination, o outcome) {
	if o.dup {
		return
	}
	r := o.reply
	if r.Modal != nil {
		if d.trigger != "" && time.Since(d.received) < triggerLife && a.openModal(ctx, d.trigger, d.channel, r.Modal) {
			return
		}
		// the trigger expired before the bot was ready: say so instead of
		// showing nothing
		r = bot.Reply{Private: true, Text: "Slack closed the answer box before it opened. Press **" + nonEmpty(r.Modal.Button, "Type answer") + "** again."}
	}
	if !a.showable(r) {
		return
	}
	a.respondURL(ctx, d.responseURL, r)
	a.sharePictures(ctx, d, r)
}

// sharePictures shows a reply's pictures. A slack_file image block can only
// show a file its viewers may see, and a file completed without a channel
// is private to the app (files.completeUploadExternal: "If not specified
// the file will be private"), so each picture is shared where the reply
// is seen: a public reply's picture in its channel (channel_id), a private
// reply's in the member's direct messages with the bot (channels takes
// user ids), never to the whole channel. They go after the reply, outside
// the acknowledgement's 3 seconds.
func (a *Adapter) sharePictures(ctx context.Context, d destination, r bot.Reply) {
	for _, att := range r.Attachments {
		p := slack.UploadFileParameters{Filename: att.Name, FileSize: len(att.Data), Reader: bytes.NewReader(att.Data),
			Title: adapter.Trim(att.Alt, 250), AltTxt: adapter.Trim(att.Alt, 1000)}
		if r.Private {
			if d.user == "" {
				continue
			}
			p.Channels = []string{d.user}
		} else {
			if d.channel == "" {
				continue
			}
			p.Channel = d.channel
		}
		upload := func() error {
			return a.retry(ctx, func() error {
				p.Reader = bytes.NewReader(att.Data)
				_, err := a.api.UploadFileContext(ctx, p)
				return err
			})
		}
		err := upload()
		if p.Channel != "" && d.user != "" && isNotInChannel(err) {
			// the bot is not in the channel (a slash command works anyway):
			// the member who asked still gets the picture, privately
			p.Channel, p.Channels = "", []string{d.user}
			err = upload()
		}
		if err != nil {
			a.log.Warn("picture upload failed", "file", att.Name, "err", err)
		}
	}
}

// respondURL sends a reply to a command's or interaction's response_url.
func (a *Adapter) respondURL(ctx context.Context, url string, r bot.Reply) {
	if url == "" || !a.showable(r) {
		return
	}
	typ := slack.ResponseTypeInChannel
	if r.Private {
		typ = slack.ResponseTypeEphemeral
	}
	bl := a.blocks(r)
	err := a.retry(ctx, func() error {
		_, _, err := a.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(url, typ),
			slack.MsgOptionText(a.fallback(r), false), slack.MsgOptionBlocks(bl...))
		return err
	})
	if err != nil {
		a.log.Warn("response_url failed", "err", err)
	}
}

// interaction handles a block_actions press or a view_submission, and
// returns the acknowledgement's payload. A press is handled once per action
// (its action_ts and user) and acknowledged when it is handled or when
// DeferAfter has passed, whichever is first; it is answered through its
// response_url, or with a modal opened through views.open as soon as the
// reply is ready. A submitted answer is checked
// for text (blank text keeps the modal open with an error, as Slack's own
// input validation does), acknowledged by closing the modal, then handled
// and answered ephemerally.
func (a *Adapter) interaction(ctx context.Context, cb slack.InteractionCallback, received time.Time) (any, bool) {
	req := bot.Request{Platform: "slack", Group: "slack:" + cb.Team.ID, Channel: cb.Channel.ID,
		User: bot.User{ID: cb.User.ID, Name: userName(cb.User)}}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil, false
		}
		act := cb.ActionCallback.BlockActions[0]
		req.Action = actionOf(act.ActionID, act.Value)
		req.InteractionID = act.ActionTs + ":" + cb.User.ID
		dest := destination{channel: cb.Channel.ID, user: cb.User.ID, responseURL: cb.ResponseURL, trigger: cb.TriggerID, received: received}
		// The press is acknowledged once it is handled (its answer
		// committed), or when DeferAfter of Slack's 3 seconds have passed,
		// whichever comes first; the reply always goes to the response_url.
		// So an acknowledged press is a recorded answer unless the disk
		// stalls, and a burst of presses waits for the writer instead of
		// piling up behind acknowledgements.
		work := func() outcome {
			ctx, first := a.bot.FirstDeliveryOf(ctx, "slack", "action:"+req.InteractionID, req)
			if !first {
				return outcome{dup: true}
			}
			if bot.NeedsAdmin(req) {
				req.User.Admin = a.isAdmin(ctx, cb.User.ID)
			}
			req.TimeZone = a.pressZone(cb.User.ID)
			r, _ := a.bot.Handle(ctx, req)
			return outcome{reply: r}
		}
		budget := time.NewTimer(a.cfg.DeferAfter - time.Since(received))
		defer budget.Stop()
		deliver := func(o outcome) { a.deliver(ctx, dest, o) }
		if o, inTime := adapter.Race(&a.inflight, budget.C, work, nil, deliver); inTime {
			// The verdict goes out before the acknowledgement, within the
			// same budget: the member sees nothing of the press before the
			// verdict anyway, and verdicts no longer queue behind the next
			// presses that an early acknowledgement lets in (where the
			// tail of press-to-verdict latency came from).
			sent := make(chan struct{})
			a.inflight.Go(func() { defer close(sent); deliver(o) })
			select {
			case <-sent:
			case <-budget.C:
			}
		}
		return nil, false
	case slack.InteractionTypeViewSubmission:
		req.Action = cb.View.CallbackID
		req.Channel = cb.View.PrivateMetadata
		if cb.View.State != nil { // a submission without a state has no answer
			for _, block := range cb.View.State.Values {
				for _, v := range block {
					if v.Value != "" {
						req.Text = v.Value
					}
				}
			}
		}
		if strings.TrimSpace(req.Text) == "" {
			return map[string]any{"response_action": "errors", "errors": map[string]string{answerBlock: "Type your answer first."}}, true
		}
		id := cb.View.ID
		a.inflight.Go(func() {
			if id != "" && !a.bot.FirstDelivery(ctx, "slack", "view:"+id+":"+cb.View.Hash) {
				return
			}
			req.TimeZone = a.pressZone(cb.User.ID)
			r, _ := a.bot.Handle(ctx, req)
			if r.Modal != nil {
				r = bot.Reply{Private: true, Text: "That answer box is closed. Press **" + nonEmpty(r.Modal.Button, "Type answer") + "** again."}
			}
			a.postEphemeral(ctx, req.Channel, req.User.ID, r)
		})
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

// answerBlock is the block id of the modal's input.
const answerBlock = "answer"

// openModal opens the typed-answer modal and reports whether Slack took it.
func (a *Adapter) openModal(ctx context.Context, trigger, channel string, m *bot.Modal) bool {
	// https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element:
	// max_length at most 3,000, a placeholder at most 150 characters
	input := slack.NewPlainTextInputBlockElement(nil, "text")
	if p := plain(m.Placeholder); strings.TrimSpace(p) != "" {
		input.Placeholder = slack.NewTextBlockObject(slack.PlainTextType, adapter.Trim(p, 150), false, false)
	}
	if m.Long {
		input.Multiline, input.MaxLength = true, bot.MaxLongText
	}
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      m.Action,
		PrivateMetadata: channel,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, adapter.Trim(plain(m.Title), maxModalTitle), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Answer", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock(answerBlock, slack.NewTextBlockObject(slack.PlainTextType, adapter.Trim(nonEmpty(plain(m.Label), "Your answer"), 2000), false, false), nil,
				input),
		}},
	}
	if len(m.Action) > maxActionID {
		a.log.Warn("modal callback id too long for Slack; not opened", "len", len(m.Action))
		return false
	}
	// no retry: a 429's wait would outlive the trigger
	if _, err := a.api.OpenViewContext(ctx, trigger, view); err != nil {
		a.log.Warn("views.open failed", "err", err)
		return false
	}
	return true
}

func nonEmpty(s, or string) string {
	if strings.TrimSpace(s) == "" {
		return or
	}
	return s
}

func (a *Adapter) postEphemeral(ctx context.Context, channel, user string, r bot.Reply) {
	if !a.showable(r) {
		return
	}
	err := a.retry(ctx, func() error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(a.fallback(r), false), slack.MsgOptionBlocks(a.blocks(r)...))
		return err
	})
	if err != nil {
		a.log.Warn("chat.postEphemeral failed", "err", err)
		return
	}
	a.sharePictures(ctx, destination{channel: channel, user: user}, r)
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

// Post implements bot.Chat with chat.postMessage, paced, then shares the
// reply's pictures in the channel. A channel the bot cannot post to any
// more is reported as bot.ErrChannelGone.
func (a *Adapter) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	if !a.showable(r) {
		return nil
	}
	if err := a.pacer.Wait(ctx); err != nil {
		return err
	}
	err := a.retry(ctx, func() error {
		_, _, err := a.api.PostMessageContext(ctx, channel, slack.MsgOptionText(a.fallback(r), false), slack.MsgOptionBlocks(a.blocks(r)...))
		return err
	})
	switch errString(err) {
	case "channel_not_found", "not_in_channel", "is_archived", "channel_is_archived", "access_denied", "restricted_action":
		return fmt.Errorf("%w: %v", bot.ErrChannelGone, err)
	}
	if err == nil {
		a.sharePictures(ctx, destination{channel: channel}, r)
	}
	return err
}

// Direct implements bot.Chat: a message in the user's direct messages
// with the app, by chat.postMessage to the user's id (chat:write). A user
// Slack will not deliver to (deactivated, gone) is reported as
// bot.ErrUnreachable.
func (a *Adapter) Direct(ctx context.Context, group, user string, r bot.Reply) error {
	r.Private = false
	if !a.showable(r) {
		return nil
	}
	if err := a.pacer.Wait(ctx); err != nil {
		return err
	}
	err := a.retry(ctx, func() error {
		_, _, err := a.api.PostMessageContext(ctx, user, slack.MsgOptionText(a.fallback(r), false), slack.MsgOptionBlocks(a.blocks(r)...))
		return err
	})
	switch errString(err) {
	case "channel_not_found", "user_not_found", "user_disabled", "cannot_dm_bot":
		return fmt.Errorf("%w: %v", bot.ErrUnreachable, err)
	}
	return err
}

func isNotInChannel(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && (se.Err == "not_in_channel" || se.Err == "channel_not_found")
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
	return a.retryPacer.Retry(ctx, a.cfg.MaxRetries, call, func(err error) (time.Duration, bool) {
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
