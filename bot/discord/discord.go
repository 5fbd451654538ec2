// Package discord is prepbot's Discord adapter, on discordgo. It registers
// the bot's commands as application commands, receives interactions over
// the gateway and over the Interactions Endpoint URL (signed HTTP), renders
// replies as embeds and buttons, and posts the daily question.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/adapter"
)

// DefaultAPIURL is Discord's REST API base.
var DefaultAPIURL = discordgo.EndpointAPI

// Config configures the adapter. Token enables the gateway (and command
// registration); PublicKey enables the HTTP interactions endpoint.
type Config struct {
	Token         string
	ApplicationID string // found from the token when empty
	PublicKey     string // hex, from the developer portal
	GuildID       string // register commands to this guild only (instant updates while testing)
	APIURL        string // REST base URL; default Discord's own

	// DeferAfter is how long an interaction may take before it is deferred
	// (Discord wants a first response within 3 seconds). It is counted
	// from the interaction's arrival: recording its delivery (a database
	// write) is part of the timed work. Default 2s.
	DeferAfter time.Duration
	// PostGap is the least time between two daily posts, so a fan-out to
	// many channels stays under Discord's global limit of 50 requests a
	// second. Default 21ms: about 48 a second, 5% under the limit, because
	// requests sent 20ms apart can arrive closer together.
	PostGap time.Duration
	// MaxRetries bounds the retries after a 429. Default 3. Each wait is
	// waited out however long Discord asks (a global limit's Retry-After
	// can pass a minute), and a global limit holds every request bound to
	// it until it has passed.
	MaxRetries int
	// HTTPClient is used for REST calls (default: a client with a 10s timeout).
	HTTPClient *http.Client

	// Shards splits the gateway into shards, each a connection that Discord
	// sends the events of some of the guilds to
	// (https://discord.com/developers/docs/events/gateway#sharding); a
	// shard can hold at most 2,500 guilds. Only the gateway shards: the
	// HTTP interactions endpoint needs none.
	//
	//   "" or "auto": this process runs every shard, as many as Discord
	//     recommends (GET /gateway/bot).
	//   "ID/COUNT", such as "0/4": this process runs shard ID of COUNT
	//     (0 <= ID < COUNT); run COUNT processes, with IDs 0 to COUNT-1.
	//
	// Shards start in the order Discord asks: max_concurrency of them (in
	// GET /gateway/bot's session_start_limit) together, the next ones 5
	// seconds later. A process running one shard of many waits its turn as
	// if all had started at once: shard ID waits (ID / max_concurrency) * 5
	// seconds before connecting. Start refuses to connect when Discord has
	// fewer session starts left today than there are shards to start.
	Shards string
	// StateCache keeps discordgo's cache of every guild, channel, role and
	// member the gateway announces. Nothing in prepbot reads it, so it is
	// off; it is here to measure what it costs (cmd/prepbench).
	StateCache bool

	Log *slog.Logger
}

// Adapter connects the bot to Discord.
type Adapter struct {
	cfg    Config
	bot    *bot.Bot
	s      *discordgo.Session // for REST; the gateway's are in shards
	key    ed25519.PublicKey
	log    *slog.Logger
	shards shardPlan
	ready  atomic.Bool // HTTP only: started

	// the gateway's sessions, one a shard (shards.go)
	gw gatewayShards
	// ctx is the adapter's lifetime, set in New (the HTTP endpoint may
	// take requests while Start runs) and ended by Close once the work
	// in flight has finished or timed out.
	ctx    context.Context
	cancel context.CancelFunc

	pacer       adapter.Pacer
	inflight    adapter.InFlight
	rateLimited atomic.Int64 // 429s waited out

	// beforeDelivery, when set (by tests), runs inside the timed work of
	// an interaction, before its delivery is recorded: a slow disk.
	beforeDelivery func()
}

// New checks the config and builds the adapter; Start connects.
func New(cfg Config, b *bot.Bot) (*Adapter, error) {
	if cfg.Token == "" && cfg.PublicKey == "" {
		return nil, errors.New("discord: set discord.token (gateway) or discord.public_key (interactions endpoint), or both")
	}
	if cfg.DeferAfter == 0 {
		cfg.DeferAfter = 2 * time.Second
	}
	if cfg.PostGap == 0 {
		cfg.PostGap = 21 * time.Millisecond
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	plan, err := parseShards(cfg.Shards)
	if err != nil {
		return nil, err
	}
	a := &Adapter{cfg: cfg, bot: b, log: cfg.Log.With("platform", "discord"), shards: plan}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.gw.init()
	a.pacer.Gap = cfg.PostGap
	if cfg.PublicKey != "" {
		k, err := hex.DecodeString(strings.TrimSpace(cfg.PublicKey))
		if err != nil || len(k) != ed25519.PublicKeySize {
			return nil, errors.New("discord.public_key: not a hex ed25519 public key; copy it from the application's General Information page")
		}
		a.key = k
	}
	s, err := a.newSession()
	if err != nil {
		return nil, err
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
	if cfg.APIURL != "" && cfg.APIURL != DefaultAPIURL {
		base, err := url.Parse(cfg.APIURL)
		if err != nil || base.Host == "" {
			return nil, fmt.Errorf("discord.api_url %q: give a full URL such as https://discord.com/api/v9/", cfg.APIURL)
		}
		c := *client
		c.Transport = &rewrite{from: DefaultAPIURL, to: strings.TrimSuffix(cfg.APIURL, "/") + "/", next: transportOf(client)}
		client = &c
	}
	c := *client
	c.Transport = &globalLimit{pacer: &a.pacer, next: transportOf(client), log: a.log}
	s.Client = &c
	a.s = s
	return a, nil
}

// setup gives a session the adapter's settings for retries and the state
// cache: the REST session and every shard's session have them.
func (a *Adapter) setup(s *discordgo.Session) {
	s.ShouldRetryOnRateLimit = false // we wait out 429s ourselves, a bounded number of times
	s.MaxRestRetries = a.cfg.MaxRetries
	// discordgo caches every guild the gateway announces, with its
	// channels, roles and members, unless StateEnabled is off (its
	// Track* switches leave the guilds' own channel lists in). Nothing in
	// the adapter reads the cache: interactions carry what they need.
	s.StateEnabled = a.cfg.StateCache
}

func transportOf(c *http.Client) http.RoundTripper {
	if c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

// rewrite sends requests for Discord's API to another base URL.
type rewrite struct {
	from, to string
	next     http.RoundTripper
}

func (t *rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	u := r.URL.String()
	if strings.HasPrefix(u, t.from) {
		nu, err := url.Parse(t.to + strings.TrimPrefix(u, t.from))
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.URL, r.Host = nu, nu.Host
	}
	return t.next.RoundTrip(r)
}

// globalLimit watches Discord's answers for its global rate limit (a 429
// with X-RateLimit-Global, or X-RateLimit-Scope global), and holds every
// following request of the adapter bound to that limit until it has
// passed, however long Retry-After says. discordgo does not: it holds its
// other requests only when the 429 also has X-RateLimit-Reset-After, which
// Discord's documented global 429 does not have, and its RateLimitError
// does not say the limit was global.
type globalLimit struct {
	pacer *adapter.Pacer
	next  http.RoundTripper
	log   *slog.Logger
}

// boundByGlobalLimit: "Interaction endpoints are not bound to the bot's
// Global Rate Limit" (https://discord.com/developers/docs/topics/rate-limits#global-rate-limit).
func boundByGlobalLimit(path string) bool {
	return !strings.Contains(path, "/interactions/") && !strings.Contains(path, "/webhooks/")
}

func (g *globalLimit) RoundTrip(r *http.Request) (*http.Response, error) {
	if boundByGlobalLimit(r.URL.Path) {
		if err := g.pacer.Held(r.Context()); err != nil {
			return nil, err
		}
	}
	resp, err := g.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	if resp.Header.Get("X-RateLimit-Global") == "true" || resp.Header.Get("X-RateLimit-Scope") == "global" {
		secs, perr := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
		if perr != nil || secs <= 0 {
			secs = 1
		}
		d := time.Duration(secs * float64(time.Second))
		g.pacer.HoldFor(d)
		g.log.Warn("Discord's global rate limit: holding every request", "retry_after", d)
	}
	return resp, nil
}

// Name implements the server's Platform.
func (a *Adapter) Name() string { return "discord" }

// Ready reports whether the gateway is connected: every shard this
// process runs (always true for an HTTP-only setup once started).
func (a *Adapter) Ready() bool {
	if a.cfg.Token == "" {
		return a.ready.Load()
	}
	return a.gw.ready()
}

// Start registers the commands and opens the gateway, when a token is set:
// each of the shards this process runs, in the order Discord asks (see
// Config.Shards). It returns when every shard has identified, or on the
// first that fails (having closed the others), or when ctx ends or Close
// is called.
//
// The adapter's own work (interactions, retries) runs on the context it was
// made with, not ctx: it is set before Start, since the HTTP endpoint may
// take requests while Start runs.
func (a *Adapter) Start(ctx context.Context) error {
	if a.cfg.Token == "" {
		a.ready.Store(true)
		return nil
	}
	if err := a.Register(); err != nil {
		return err
	}
	return a.openGateway(ctx)
}

// Register bulk-overwrites the application commands, globally or in
// Config.GuildID.
func (a *Adapter) Register() error {
	if a.cfg.ApplicationID == "" {
		app, err := a.s.Application("@me")
		if err != nil {
			return fmt.Errorf("discord: cannot read the application (is discord.token right?): %w", err)
		}
		a.cfg.ApplicationID = app.ID
	}
	cmds := Commands(a.bot)
	err := a.retry(a.ctx, func() error {
		_, err := a.s.ApplicationCommandBulkOverwrite(a.cfg.ApplicationID, a.cfg.GuildID, cmds)
		return err
	})
	if err != nil {
		return fmt.Errorf("discord: registering commands: %w", err)
	}
	where := "globally (updates can take a while to show)"
	if a.cfg.GuildID != "" {
		where = "in guild " + a.cfg.GuildID
	}
	a.log.Info("commands registered", "count", len(cmds), "where", where)
	return nil
}

// Close closes the gateway, every shard at once, and waits for them; then
// it lets the interactions in flight finish (at most 10 seconds) so none
// is cut off between its answer and its reply.
func (a *Adapter) Close() error {
	a.ready.Store(false)
	err := a.closeGateway()
	if !a.inflight.Wait(10 * time.Second) {
		a.log.Warn("interactions still running at shutdown")
	}
	a.cancel() // what is still running stops waiting (a 429, a slow request)
	return err
}

// Direct implements bot.Chat: a DM, in the channel Discord opens with the
// user (POST /users/@me/channels, which returns the one already open). A
// user who does not take DMs from the bot (Discord answers 50007, Cannot
// send messages to this user) is reported as bot.ErrUnreachable.
func (a *Adapter) Direct(ctx context.Context, group, user string, r bot.Reply) error {
	if err := a.pacer.Wait(ctx); err != nil {
		return err
	}
	var ch *discordgo.Channel
	err := a.retry(ctx, func() (err error) {
		ch, err = a.s.UserChannelCreate(user, discordgo.WithContext(ctx))
		return err
	})
	if err == nil {
		r.Private = false // a DM is private already; an ephemeral flag does not apply
		data := messageData(r)
		msg := &discordgo.MessageSend{Embeds: data.Embeds, Components: data.Components, AllowedMentions: data.AllowedMentions}
		err = a.retry(ctx, func() error {
			_, err := a.s.ChannelMessageSendComplex(ch.ID, msg, discordgo.WithContext(ctx))
			return err
		})
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Message != nil && rest.Message.Code == discordgo.ErrCodeCannotSendMessagesToThisUser {
		return fmt.Errorf("%w: %v", bot.ErrUnreachable, err)
	}
	return err
}

// retry runs a REST call, waiting out a 429 as Discord says (retry_after,
// and a global limit's hold, however long) at most MaxRetries times.
func (a *Adapter) retry(ctx context.Context, call func() error) error {
	return a.pacer.Retry(ctx, a.cfg.MaxRetries, call, func(err error) (time.Duration, bool) {
		var rl *discordgo.RateLimitError
		if errors.As(err, &rl) {
			return rl.RetryAfter, true
		}
		return 0, false
	}, func(d time.Duration) {
		a.rateLimited.Add(1)
		a.log.Warn("rate limited by Discord; waiting", "retry_after", d)
	})
}

// RateLimited returns how many 429s the adapter has waited out.
func (a *Adapter) RateLimited() int64 { return a.rateLimited.Load() }

// Post implements bot.Chat: the daily question, paced so a fan-out to many
// channels does not burst into rate limits. A channel that is gone or
// closed to the bot is reported as bot.ErrChannelGone.
func (a *Adapter) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	if err := a.pacer.Wait(ctx); err != nil {
		return err
	}
	data := messageData(r)
	msg := &discordgo.MessageSend{Embeds: data.Embeds, Components: data.Components, AllowedMentions: data.AllowedMentions}
	err := a.retry(ctx, func() error {
		_, err := a.s.ChannelMessageSendComplex(channel, msg, discordgo.WithContext(ctx))
		return err
	})
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		switch rest.Response.StatusCode {
		case http.StatusNotFound, http.StatusForbidden:
			return fmt.Errorf("%w: %v", bot.ErrChannelGone, err)
		}
	}
	return err
}
