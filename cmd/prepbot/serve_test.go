package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/prepbot/prepbot/bot"
)

type fakePlatform struct{ ready atomic.Bool }

func (p *fakePlatform) Name() string                    { return "fake" }
func (p *fakePlatform) Start(ctx context.Context) error { return nil }
func (p *fakePlatform) Ready() bool                     { return p.ready.Load() }
func (p *fakePlatform) Close() error                    { return nil }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestMainServesHealthReadinessAndMetrics(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "serve.db")
	cfg.HTTP.Addr = "127.0.0.1:0"
	platform := &fakePlatform{}
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler), Platforms: []Platform{platform}}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	if h := m.http; h.ReadHeaderTimeout <= 0 || h.ReadTimeout <= 0 || h.WriteTimeout <= 0 || h.IdleTimeout <= 0 || h.MaxHeaderBytes <= 0 {
		t.Fatalf("the HTTP server needs timeouts and a header cap: %+v", h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	base := "http://" + m.Addr()
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "fake not connected") {
		t.Fatalf("readyz before the platform connects: %d %q", code, body)
	}
	platform.ready.Store(true)
	if code, body := get(t, base+"/readyz"); code != 200 || body != "ready\n" {
		t.Fatalf("readyz: %d %q", code, body)
	}
	req := bot.Request{Platform: "fake", Group: "g", Channel: "c", User: bot.User{ID: "u"}, Command: "question"}
	r, err := m.Bot.Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.Command, req.Action = "", r.Buttons[0].ID
	m.Bot.Handle(context.Background(), req)
	for i := range 50 { // names the bot does not know count as one label
		m.Bot.Handle(context.Background(), bot.Request{Platform: "fake", Group: "g", Channel: "c", User: bot.User{ID: "u"}, Command: fmt.Sprintf("bogus%d", i)})
	}
	code, body := get(t, base+"/metrics")
	if strings.Contains(body, "bogus") {
		t.Errorf("metrics carry command names the bot does not know")
	}
	for _, want := range []string{
		`prepbot_interactions_total{command="question",outcome="ok",platform="fake"} 1`,
		`prepbot_interactions_total{command="button",outcome="ok",platform="fake"} 1`,
		`prepbot_interactions_total{command="unknown",outcome="invalid",platform="fake"} 50`,
		`prepbot_answers_recorded_total 1`,
		`prepbot_bank_cards 100`,
		`prepbot_interaction_seconds_bucket{command="question",platform="fake",le="+Inf"} 1`,
		`prepbot_db_commit_seconds_count`,
		`prepbot_db_answers_per_commit_bucket{le="1"} 1`,
		`prepbot_db_answers_per_commit_count 1`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("metrics: missing %s", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestServeWithoutPlatformPointsAtConsole(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, "db: "+filepath.Join(dir, "x.db")+"\n")
	code, _, errs := runWithInput(t, "", "serve", "--config", cfgPath)
	if code != 1 || !strings.Contains(errs, "no chat platform is configured") || !strings.Contains(errs, "prepbot console") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"DB_DIR": "/data"}
	getenv := func(k string) string { return env[k] }
	cfg, err := ParseConfig("c.yaml", strings.NewReader("db: ${DB_DIR}/p.db\ntimezone: ${TZ_NAME:-Europe/Berlin}\n# token: ${NOT_SET}\nlog:\n  format: json\n"), getenv)
	if err != nil || cfg.DB != "/data/p.db" || cfg.TimeZone != "Europe/Berlin" || cfg.Log.Format != "json" || cfg.HTTP.Addr != ":8080" {
		t.Fatalf("%v %+v", err, cfg)
	}
	if cfg, err := ParseConfig("c.yaml", strings.NewReader("discord:\n  shards: \"1/4\"\n"), getenv); err != nil || cfg.Discord.Shards != "1/4" {
		t.Errorf("discord.shards 1/4: %v %+v", err, cfg.Discord)
	}
	for _, tc := range []struct{ in, want string }{
		{"db: x\ncolour: blue\n", "c.yaml:2: field colour not found (every key is documented in config.example.yaml)"},
		{"db: ${SECRET}\n", "c.yaml:1: the environment variable SECRET is not set"},
		{"timezone: Mars/Base\n", `timezone: unknown time zone "Mars/Base"`},
		{"log:\n  level: loud\n", `log.level: "loud" is not one of debug, info, warn, error`},
		{"http: [1]\n", "c.yaml:1: cannot unmarshal !!seq into main.HTTPConfig"},
		{"log: {level: 7}\nhttp: abc\n", "c.yaml:2: cannot unmarshal !!str a value into main.HTTPConfig"},
		{"discord:\n  shards: 4/4\n", `discord.shards: give "auto", or "ID/COUNT"`},
		{"discord:\n  shards: two\n", `discord.shards: give "auto", or "ID/COUNT"`},
	} {
		_, err := ParseConfig("c.yaml", strings.NewReader(tc.in), getenv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
}

// A value from the environment never appears in an error: it may be a secret.
func TestParseConfigRedactsEnvironmentValues(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"TOKEN": "xoxb-very-secret", "ZONE": "Mars/Secret"}[k] }
	for _, in := range []string{"http: ${TOKEN}\n", "timezone: ${ZONE}\n", "${TOKEN}: 1\n"} {
		_, err := ParseConfig("c.yaml", strings.NewReader(in), getenv)
		if err == nil || strings.Contains(err.Error(), "xoxb-") || strings.Contains(err.Error(), "Mars/") {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// A secret from the environment is one string value, whatever it holds: it
// is expanded after the YAML is parsed, so '#', '*', ': ' or a line break
// cannot change the document, and errors never quote it.
func TestConfigExpandsParsedValues(t *testing.T) {
	env := map[string]string{"TOKEN": "abc #not-a-comment", "APP": "*not-an-alias", "SECRET": "line one\nkey: injected", "ADMINS": "U1, U2"}
	getenv := func(k string) string { return env[k] }
	cfg, err := ParseConfig("c.yaml", strings.NewReader("slack:\n  bot_token: ${TOKEN}\n  app_token: ${APP}\n  signing_secret: \"${SECRET}\"\n"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.BotToken != env["TOKEN"] || cfg.Slack.AppToken != env["APP"] || cfg.Slack.SigningSecret != env["SECRET"] {
		t.Fatalf("values changed by YAML: %q %q %q", cfg.Slack.BotToken, cfg.Slack.AppToken, cfg.Slack.SigningSecret)
	}
	_, err = ParseConfig("c.yaml", strings.NewReader("slack:\n  admins: ${ADMINS}\n"), getenv)
	if err == nil || strings.Contains(err.Error(), "U1") || !strings.Contains(err.Error(), "c.yaml") {
		t.Fatalf("a list key given a string: %v", err)
	}
	_, err = ParseConfig("c.yaml", strings.NewReader("discord:\n  api_url: ftp://user:hunter2@proxy.example/\n"), getenv)
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "discord.api_url: not a full http(s) URL") {
		t.Fatalf("a bad URL with credentials: %v", err)
	}
}

// A config file that holds a secret and that other users may read gets a
// warning at start; one that is private, or takes its secrets from the
// environment, does not.
func TestConfigReadableByOthersWarns(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		text string
		mode os.FileMode
		warn bool
	}{
		{"slack:\n  bot_token: xoxb-literal\n", 0o644, true},
		{"slack:\n  bot_token: xoxb-literal\n", 0o600, false},
		{"slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n", 0o644, false},
	} {
		path := filepath.Join(dir, "config.yaml")
		os.WriteFile(path, []byte(tc.text), tc.mode)
		os.Chmod(path, tc.mode)
		w := exposedSecrets(path, Config{})
		if (w != "") != tc.warn || tc.warn && (!strings.Contains(w, "chmod 600") || strings.Contains(w, "xoxb")) {
			t.Errorf("%q at %v: warning %q", tc.text, tc.mode, w)
		}
	}
}

func TestConfigExampleParses(t *testing.T) {
	cfg, err := LoadConfig("../../config.example.yaml")
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if cfg.DB == "" || len(cfg.Bank.Paths) == 0 {
		t.Fatalf("%+v", cfg)
	}
}

// The server with Discord's interactions endpoint: a signed /question gets a
// card back, and a forged one is refused.
func TestServeDiscordInteractionsEndpoint(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "serve.db")
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Discord.PublicKey = hex.EncodeToString(pub)
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		<-done
		m.Close()
	}()
	body := []byte(`{"id":"1","application_id":"a","type":2,"token":"t","version":1,"guild_id":"g","channel_id":"c",` +
		`"member":{"user":{"id":"u","username":"kim"},"permissions":"0"},"data":{"id":"x","name":"question","type":1,"options":[{"name":"category","type":3,"value":"fastapi"}]}}`)
	post := func(forge bool) (int, string) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(priv, append([]byte(ts), body...))
		if forge {
			sig[1] ^= 1
		}
		req, _ := http.NewRequest("POST", "http://"+m.Addr()+"/discord/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	if code, out := post(false); code != 200 || !strings.Contains(out, `"type":4`) || !strings.Contains(out, "FastAPI") {
		t.Fatalf("signed command: %d %s", code, out)
	}
	if code, _ := post(true); code != 401 {
		t.Fatalf("forged: %d", code)
	}
	if code, body := get(t, "http://"+m.Addr()+"/readyz"); code != 200 {
		t.Fatalf("readyz with an HTTP-only Discord: %d %s", code, body)
	}
}

func TestDiscordInvite(t *testing.T) {
	code, out, _ := runWithInput(t, "", "discord", "invite", "--app-id", "42")
	if code != 0 || strings.TrimSpace(out) != "https://discord.com/oauth2/authorize?client_id=42&scope=bot+applications.commands&permissions=19456" {
		t.Fatalf("exit %d: %s", code, out)
	}
	code, _, errs := runWithInput(t, "", "discord", "invite", "--config", "../../config.example.yaml")
	if code != 2 || !strings.Contains(errs, "give the application id") {
		t.Fatalf("without an id: exit %d %s", code, errs)
	}
}

func TestSlackConfigNeedsABotToken(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "s.db")
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Slack.SigningSecret = "s3cret-value"
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	err := m.Open()
	if err == nil || !strings.Contains(err.Error(), "set slack.bot_token") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "s3cret-value") {
		t.Fatal("the secret leaked into the error")
	}
}

func TestSlackManifest(t *testing.T) {
	data, err := os.ReadFile("../../slack-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command      string `yaml:"command"`
				ShouldEscape bool   `yaml:"should_escape"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Interactivity struct {
				IsEnabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/prep" || !m.Features.SlashCommands[0].ShouldEscape {
		t.Errorf("slash commands = %+v", m.Features.SlashCommands)
	}
	// files:write and files:read upload the pictures (the strict fake in
	// bot/slack/slacktest refuses the upload without either)
	for _, scope := range []string{"commands", "chat:write", "users:read", "files:write", "files:read"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, scope) {
			t.Errorf("missing bot scope %s", scope)
		}
	}
	if !m.Settings.Interactivity.IsEnabled || !m.Settings.SocketMode {
		t.Errorf("settings = %+v", m.Settings)
	}
}

// A bank that does not parse stops the server at start with file:line errors.
func TestServeWithBrokenBank(t *testing.T) {
	dir := t.TempDir()
	bank := filepath.Join(dir, "ours.yaml")
	writeFile(t, bank, "cards:\n  - id: x\n    category: nowhere\n    prompt: hi\n")
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, "db: "+filepath.Join(dir, "x.db")+"\nbank:\n  paths: [default, "+bank+"]\nhttp:\n  addr: 127.0.0.1:0\ndiscord:\n  public_key: "+strings.Repeat("ab", 32)+"\n")
	code, _, errs := runWithInput(t, "", "serve", "--config", cfgPath)
	if code != 1 || !strings.Contains(errs, "the question bank has problems") || !strings.Contains(errs, bank+":3: cards[0].category: unknown category \"nowhere\"") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// blockingWriter takes the first bytes of a backup, then blocks until
// released: an in-process backup whose reader stalls keeps its read
// transaction open, and bbolt cannot grow its map under it.
type blockingWriter struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.started) })
	<-w.release
	return len(p), nil
}

// /readyz fails while database writes are stalled, and recovers after.
func TestReadyzFailsWhileWritesStall(t *testing.T) {
	defer func(old time.Duration) { writeStallLimit = old }(writeStallLimit)
	writeStallLimit = 200 * time.Millisecond
	cfg := DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "stall.db")
	cfg.HTTP.Addr = "127.0.0.1:0"
	platform := &fakePlatform{}
	platform.ready.Store(true)
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler), Platforms: []Platform{platform}}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done; m.Close() }()
	base := "http://" + m.Addr()
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz before the stall: %d", code)
	}
	w := &blockingWriter{started: make(chan struct{}), release: make(chan struct{})}
	release := sync.OnceFunc(func() { close(w.release) })
	defer release() // first: the database cannot close while the backup holds it
	go m.DB.Backup(w)
	<-w.started
	// answers that grow the file far past its map: the commit that needs a
	// bigger map waits for the stalled read transaction
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		for i := range 4000 {
			a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: fmt.Sprintf("member-%05d", i), UserName: strings.Repeat("n", 900),
				PostID: uint64(i + 1), CardID: "c", Category: "x", At: at, Day: "2026-11-25", Periods: []string{"all"}}
			m.DB.Record(context.Background(), a)
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := get(t, base+"/readyz")
		if code == 503 && strings.Contains(body, "database writes stalled for") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz never reported the stalled writes: %d %q", code, body)
		}
		select {
		case <-answered:
			t.Fatal("the writes never stalled: the test proves nothing")
		case <-time.After(50 * time.Millisecond):
		}
	}
	release()
	<-answered
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz after the stall: %d %q", code, body)
	}
}
