package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/chart"
	"github.com/prepbot/prepbot/bot/discord"
	"github.com/prepbot/prepbot/bot/slack"
	"github.com/prepbot/prepbot/bot/web"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/postgres"
)

// Platform is a chat platform adapter run by the server.
type Platform interface {
	Name() string
	// Start connects; it returns once the platform is running.
	Start(ctx context.Context) error
	// Ready reports whether the platform is connected.
	Ready() bool
	Close() error
}

// platformsFor reports the platforms the config enables, by name.
func platformsFor(cfg Config) []string {
	var out []string
	if cfg.Discord.Enabled() {
		out = append(out, "discord")
	}
	if cfg.Slack.Enabled() {
		out = append(out, "slack")
	}
	return out
}

// platformChat is what a platform adapter offers the server.
type platformChat interface {
	Platform
	bot.Chat
	RateLimited() int64
}

// router is a platform that serves HTTP endpoints on http.addr.
type router interface{ Routes(mux *http.ServeMux) }

// Main is the server: the store, the bot, the platforms and the HTTP
// endpoints. Open, then Run, then Close; tests use it the same way.
type Main struct {
	Config Config
	Log    *slog.Logger
	// Store is the database db names: DB when it is a bbolt file, PG when
	// it is a PostgreSQL URL.
	Store     bot.Store
	DB        *storage.DB
	PG        *postgres.DB
	Bot       *bot.Bot
	Platforms []Platform
	Registry  *prometheus.Registry
	Mux       *http.ServeMux

	http       *http.Server
	ln         net.Listener
	opened     atomic.Bool
	stopBackup func()
	scheduler  chan struct{} // closed when the scheduler has stopped
}

// Open loads the bank, opens the database, builds the bot and the HTTP
// endpoints and binds http.addr. It does not start serving.
func (m *Main) Open() error {
	bank, err := bankfile.Load(m.Config.Bank.Paths...)
	if err != nil {
		return fmt.Errorf("the question bank has problems: %w", err)
	}
	debug.FreeOSMemory() // parsing a large bank leaves garbage the idle server need not keep
	m.Registry = prometheus.NewRegistry()
	met := newMetrics(m.Registry, bank)
	progress := func(format string, args ...any) {
		m.Log.Info(fmt.Sprintf(format, args...)) // a schema migration, once after an upgrade
	}
	if postgres.IsURL(m.Config.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // migrations may wait for another replica's
		m.PG, err = postgres.Open(ctx, m.Config.DB, postgres.Options{Progress: progress, Statements: met.statement})
		cancel()
		if err != nil {
			return err
		}
		m.Store = m.PG
		m.PG.OnCommit(func(d time.Duration) { met.commit.Observe(d.Seconds()) })
		m.PG.OnGroup(func(n int) { met.group.Observe(float64(n)) })
		registerPoolMetrics(m.Registry, m.PG)
		m.stopBackup = func() {} // PostgreSQL is backed up with its own tools
	} else {
		m.DB, err = storage.Open(m.Config.DB, storage.Options{Progress: progress})
		if err != nil {
			return err
		}
		m.Store = m.DB
		m.DB.OnCommit(func(d time.Duration) { met.commit.Observe(d.Seconds()) })
		m.DB.OnGroup(func(n int) { met.group.Observe(float64(n)) })
		m.stopBackup = serveBackups(m.DB)
	}
	// fail undoes what Open did so far: a failed Open leaves nothing
	// running and the database closed.
	fail := func(err error) error {
		m.stopBackup()
		m.stopBackup = nil
		m.closeStore()
		return err
	}
	var links bot.Links
	var pages *web.Server
	if wc := m.Config.Web; wc.BaseURL != "" {
		pages, err = web.New(web.Config{Store: m.Store, Bank: bank, BaseURL: wc.BaseURL, Secret: []byte(wc.Secret), TimeZone: m.Config.TimeZone, Log: m.Log})
		if err != nil {
			return fail(err)
		}
		links = pages
	}
	// mock interviews: the built-in grader, or the config's model with the
	// built-in one as its fallback
	grader, err := graderFrom(m.Config)
	if err != nil {
		return fail(err)
	}
	m.Bot = bot.New(bot.Config{Bank: bank, Store: m.Store, Log: m.Log, TimeZone: m.Config.TimeZone,
		Observe: met.observe, OnDaily: met.daily, Pictures: chart.Pictures{}, Links: links, Grader: grader})
	chats := bot.Chats{}
	add := func(name string, p platformChat, err error) error {
		if err != nil {
			return err
		}
		chats[name] = p
		m.Platforms = append(m.Platforms, p)
		return m.Registry.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "prepbot_rate_limited_total",
			Help: "429 responses waited out.", ConstLabels: prometheus.Labels{"platform": name}},
			func() float64 { return float64(p.RateLimited()) }))
	}
	if d := m.Config.Discord; d.Enabled() {
		a, err := discord.New(discord.Config{Token: d.Token, ApplicationID: d.ApplicationID, PublicKey: d.PublicKey,
			GuildID: d.GuildID, APIURL: d.APIURL, Shards: d.Shards, Log: m.Log}, m.Bot)
		if err := add("discord", a, err); err != nil {
			return fail(err)
		}
	}
	if sc := m.Config.Slack; sc.Enabled() {
		a, err := slack.New(slack.Config{BotToken: sc.BotToken, AppToken: sc.AppToken, SigningSecret: sc.SigningSecret,
			Admins: sc.Admins, APIURL: sc.APIURL, Log: m.Log}, m.Bot)
		if err := add("slack", a, err); err != nil {
			return fail(err)
		}
	}
	m.Bot.SetChat(chats)
	m.Mux = http.NewServeMux()
	for _, p := range m.Platforms {
		if r, ok := p.(router); ok {
			r.Routes(m.Mux)
		}
	}
	if pages != nil {
		pages.Routes(m.Mux) // the groups' web pages (web.base_url)
	}
	m.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	m.Mux.HandleFunc("GET /readyz", m.readyz)
	m.Mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	ln, err := net.Listen("tcp", m.Config.HTTP.Addr)
	if err != nil {
		return fail(fmt.Errorf("http.addr %s: %w (is another process using the port?)", m.Config.HTTP.Addr, err))
	}
	m.ln = ln
	m.http = &http.Server{Handler: m.Mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	m.opened.Store(true)
	return nil
}

// writeStallLimit is how long a database write may wait or run before
// /readyz reports the server as not ready: commits normally take
// milliseconds.
var writeStallLimit = 10 * time.Second

func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	var notReady []string
	switch {
	case !m.opened.Load():
		notReady = append(notReady, "database not open")
	case m.PG != nil:
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		if err := m.PG.Check(ctx); err != nil {
			notReady = append(notReady, fmt.Sprintf("PostgreSQL does not answer (%v)", err))
		}
		cancel()
	case m.DB != nil:
		if d := m.DB.WriteStalled(); d > writeStallLimit {
			notReady = append(notReady, fmt.Sprintf("database writes stalled for %s (is the disk full or hung?)", d.Round(time.Second)))
		}
	}
	for _, p := range m.Platforms {
		if !p.Ready() {
			notReady = append(notReady, p.Name()+" not connected")
		}
	}
	if len(notReady) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, s := range notReady {
			fmt.Fprintln(w, s)
		}
		return
	}
	io.WriteString(w, "ready\n")
}

// Run serves HTTP, starts the platforms and the daily scheduler, and blocks
// until ctx is done.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.http.Serve(m.ln) }()
	m.Log.Info("serving", "addr", m.Addr(), "db", redactDB(m.Config.DB), "cards", m.Bot.Bank().Len())
	for _, p := range m.Platforms {
		if err := p.Start(ctx); err != nil {
			return fmt.Errorf("%s: %w", p.Name(), err)
		}
	}
	if m.DB != nil { // one process on a file: rounds cut off by the last stop are closed, their answers kept
		// (on PostgreSQL other replicas may be driving them: a round
		// nobody drives is taken over, or closed when abandoned, by the
		// rounds' tick)
		if err := m.Bot.CloseRounds(ctx); err != nil {
			m.Log.Warn("closing study rounds left by the last run", "err", err)
		}
	}
	m.scheduler = make(chan struct{})
	go func() {
		defer close(m.scheduler)
		m.Bot.Run(ctx, 20*time.Second)
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// Addr is the HTTP listener's address once Open has bound it.
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Close stops accepting requests, lets those in flight finish (within 10
// seconds each: HTTP handlers, the platforms' background work, the
// scheduler's tick), then closes the database. Call it after Run's ctx is
// done.
func (m *Main) Close() error {
	var errs []error
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, m.http.Shutdown(ctx))
		cancel()
	}
	for _, p := range m.Platforms {
		errs = append(errs, p.Close())
	}
	if m.scheduler != nil {
		select { // Run's ctx is done: the tick in progress, if any, finishes
		case <-m.scheduler:
		case <-time.After(10 * time.Second):
			m.Log.Warn("the scheduler did not stop in time")
		}
	}
	if m.stopBackup != nil {
		m.stopBackup()
	}
	m.opened.Store(false)
	errs = append(errs, m.closeStore())
	return errors.Join(errs...)
}

// closeStore closes whichever database is open.
func (m *Main) closeStore() error {
	switch {
	case m.PG != nil:
		return m.PG.Close()
	case m.DB != nil:
		return m.DB.Close()
	}
	return nil
}

// redactDB is a db setting fit for a log: a URL without its password.
func redactDB(db string) string {
	if !postgres.IsURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(a URL that does not parse)"
	}
	return u.Redacted()
}

func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr, "prepbot serve [--config FILE]\n\nRuns the bot on the platforms configured in the config file (default: config.yaml\nif present). Keys are documented in config.example.yaml.")
	path := fs.String("config", "", "config `file` (default: config.yaml in the working folder)")
	if _, err := parseArgs(fs, args); err != nil {
		return exitError{2}
	}
	cfg, err := LoadConfig(*path)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Log: newLogger(cfg.Log, stderr)}
	if w := exposedSecrets(configPath(*path), cfg); w != "" {
		m.Log.Warn(w)
	}
	if len(platformsFor(cfg)) == 0 {
		fmt.Fprintln(stderr, "prepbot serve: no chat platform is configured, so nothing could reach the bot.\n"+
			"Set discord.token or slack.bot_token in the config (see config.example.yaml and the README's \"Run it on Discord\" and \"Run it on Slack\").\n"+
			"To study in your terminal without any token, run: prepbot console")
		return exitError{1}
	}
	if err := m.Open(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runErr := m.Run(ctx)
	m.Log.Info("shutting down")
	return errors.Join(runErr, m.Close())
}

// metrics are the server's Prometheus metrics.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	answers  prometheus.Counter
	posts    *prometheus.CounterVec
	commit   prometheus.Histogram
	group    prometheus.Histogram
	stmts    *prometheus.CounterVec
	stmtTime *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, bank *questionbank.Bank) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "prepbot_interactions_total",
			Help: "Requests handled, by platform, command (or button) and outcome."}, []string{"platform", "command", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "prepbot_interaction_seconds",
			Help: "Time to handle a request.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"platform", "command"}),
		answers: prometheus.NewCounter(prometheus.CounterOpts{Name: "prepbot_answers_recorded_total",
			Help: "Answers and self-ratings committed to the database."}),
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "prepbot_daily_posts_total",
			Help: "Daily question posts, by result (ok or failed)."}, []string{"result"}),
	}
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "prepbot_db_commit_seconds",
		Help: "Time of the answer writer's transactions, commit included (bbolt: and its fsync).", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}})
	m.group = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "prepbot_db_answers_per_commit",
		Help: "Answers recorded together in one commit (and one fsync) by the answer writer.", Buckets: prometheus.ExponentialBuckets(1, 2, 11)})
	m.stmts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "prepbot_db_statements_total",
		Help: "PostgreSQL statements run, by verb (BATCH: a pipeline of several) and result (ok or failed)."}, []string{"verb", "result"})
	m.stmtTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "prepbot_db_statement_seconds",
		Help: "Time of PostgreSQL statements, by verb.", Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}}, []string{"verb"})
	cards := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "prepbot_bank_cards", Help: "Cards in the loaded question bank."},
		func() float64 { return float64(bank.Len()) })
	reg.MustRegister(m.requests, m.latency, m.answers, m.posts, m.commit, m.group, m.stmts, m.stmtTime, cards,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// statement counts a PostgreSQL statement (postgres.Options.Statements).
func (m *metrics) statement(verb string, took time.Duration, failed bool) {
	result := "ok"
	if failed {
		result = "failed"
	}
	m.stmts.WithLabelValues(verb, result).Inc()
	m.stmtTime.WithLabelValues(verb).Observe(took.Seconds())
}

// registerPoolMetrics exposes the PostgreSQL connection pool.
func registerPoolMetrics(reg *prometheus.Registry, db *postgres.DB) {
	pool := db.Pool()
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	reg.MustRegister(
		gauge("prepbot_db_pool_connections", "Connections the pool holds (in use and idle).", func() float64 { return float64(pool.Stat().TotalConns()) }),
		gauge("prepbot_db_pool_connections_in_use", "Connections in use.", func() float64 { return float64(pool.Stat().AcquiredConns()) }),
		gauge("prepbot_db_pool_connections_max", "The pool's size limit.", func() float64 { return float64(pool.Stat().MaxConns()) }),
		gauge("prepbot_db_other_replicas_recording", "Other replicas recording answers to the same schema, as this one last saw while it recorded (its second answer writer stands aside while there are any).",
			func() float64 { return float64(db.OtherReplicas()) }),
		counter("prepbot_db_pool_acquires_total", "Connections taken from the pool.", func() float64 { return float64(pool.Stat().AcquireCount()) }),
		counter("prepbot_db_pool_waits_total", "Connections taken after waiting for one (the pool was exhausted).", func() float64 { return float64(pool.Stat().EmptyAcquireCount()) }),
		counter("prepbot_db_pool_wait_seconds_total", "Time spent waiting for a connection.", func() float64 { return pool.Stat().AcquireDuration().Seconds() }),
	)
}

func (m *metrics) observe(req bot.Request, outcome string, took time.Duration) {
	// labels only take names the bot knows: a signed request may carry any
	// command name, and each new label value is a new series in every scrape
	cmd := req.Command
	if _, known := bot.FindCommand(cmd); !known {
		cmd = "unknown"
	}
	if req.Action != "" {
		cmd = "button"
		if a, err := bot.ParseAction(req.Action); err == nil && a.Records() && outcome == "ok" {
			m.answers.Inc()
		}
	}
	m.requests.WithLabelValues(req.Platform, cmd, outcome).Inc()
	m.latency.WithLabelValues(req.Platform, cmd).Observe(took.Seconds())
}

func (m *metrics) daily(ok bool) {
	if ok {
		m.posts.WithLabelValues("ok").Inc()
	} else {
		m.posts.WithLabelValues("failed").Inc()
	}
}

// runHealthcheck is the container's HEALTHCHECK: it asks the running
// server's /healthz (the image has no shell or curl).
func runHealthcheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("healthcheck", stderr, "prepbot healthcheck [--config FILE] [--url URL]\n\nExits 0 when the running server answers its health check (at the config's http.addr\nunless --url says where).")
	path := fs.String("config", "", "config `file` whose http.addr the server listens on (default: config.yaml if present)")
	url := fs.String("url", "", "health check `URL` (default: /healthz at the config's http.addr)")
	if _, err := parseArgs(fs, args); err != nil {
		return exitError{2}
	}
	if *url == "" {
		addr := DefaultConfig().HTTP.Addr
		if cfg, err := LoadConfig(*path); err == nil {
			addr = cfg.HTTP.Addr
		} else if *path != "" {
			return err
		} // a config.yaml found by default that does not load (a variable the
		// health check's environment lacks): the default address
		*url = healthURL(addr)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		return fmt.Errorf("not healthy: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: %s", resp.Status)
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}

// healthURL is the /healthz URL of a server listening on addr (":8080"
// listens on every interface: ask it on loopback).
func healthURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/healthz"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
