package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.yaml.in/yaml/v3"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage/postgres"
)

// Config is the server's configuration, read from config.yaml. Every key is
// documented in config.example.yaml.
type Config struct {
	DB       string        `yaml:"db"`
	TimeZone string        `yaml:"timezone"`
	Bank     BankConfig    `yaml:"bank"`
	Log      LogConfig     `yaml:"log"`
	HTTP     HTTPConfig    `yaml:"http"`
	Discord  DiscordConfig `yaml:"discord"`
	Slack    SlackConfig   `yaml:"slack"`
	Web      WebConfig     `yaml:"web"`
	Grader   GraderConfig  `yaml:"grader"`
	Console  ConsoleConfig `yaml:"console"`
}

// ConsoleConfig is what prepbot console --config FILE reads besides the
// grader block.
type ConsoleConfig struct {
	// Pictures is the folder the pictures of /stats and /leaderboard
	// chart:yes are saved in (--pictures wins); empty: a prepbot folder in
	// the user's cache folder.
	Pictures string `yaml:"pictures"`
}

// WebConfig serves the groups' web pages (bot/web) on http.addr when
// BaseURL is set: the address the pages are reached at, which the bot's
// links start with. Secret signs the members' private links.
type WebConfig struct {
	BaseURL string `yaml:"base_url"`
	Secret  string `yaml:"secret"`
}

// SlackConfig enables the Slack adapter: BotToken always, with AppToken for
// socket mode and/or SigningSecret for the HTTP endpoints.
type SlackConfig struct {
	BotToken      string   `yaml:"bot_token"`
	AppToken      string   `yaml:"app_token"`
	SigningSecret string   `yaml:"signing_secret"`
	Admins        []string `yaml:"admins"`
	APIURL        string   `yaml:"api_url"`
}

// Enabled reports whether any Slack key is set.
func (s SlackConfig) Enabled() bool {
	return s.BotToken != "" || s.AppToken != "" || s.SigningSecret != ""
}

// DiscordConfig enables the Discord adapter: Token for the gateway,
// PublicKey for the Interactions Endpoint URL (POST /discord/interactions).
type DiscordConfig struct {
	Token         string `yaml:"token"`
	ApplicationID string `yaml:"application_id"`
	PublicKey     string `yaml:"public_key"`
	GuildID       string `yaml:"guild_id"`
	APIURL        string `yaml:"api_url"`
	Shards        string `yaml:"shards"` // "", "auto" or "ID/COUNT"
}

// Enabled reports whether any Discord key is set.
func (d DiscordConfig) Enabled() bool { return d.Token != "" || d.PublicKey != "" }

type BankConfig struct {
	Paths []string `yaml:"paths"`
}

type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

type HTTPConfig struct {
	Addr string `yaml:"addr"`
}

// DefaultConfig is what an empty file means.
func DefaultConfig() Config {
	return Config{
		DB:   "prepbot.db",
		Bank: BankConfig{Paths: []string{"default"}},
		Log:  LogConfig{Level: "info", Format: "text"},
		HTTP: HTTPConfig{Addr: ":8080"},
	}
}

var (
	envRef     = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)
	yamlType   = regexp.MustCompile(` in type main\.\w+`)
	yamlAtLine = regexp.MustCompile(`(?m)^[ \t]*line (\d+): `)
	yamlQuoted = regexp.MustCompile("`[^`]*`")
)

// ParseConfig reads a config file. ${VAR} is replaced by the environment
// variable VAR, which must be set; ${VAR:-default} falls back to default.
// Unknown keys are errors, so a typo does not silently do nothing.
//
// Variables are expanded inside the values YAML has already parsed, never
// in the text before parsing: a secret holding '#', '*', ': ' or a line
// break stays one string value and cannot change the document. No error
// quotes a value.
func ParseConfig(name string, r io.Reader, getenv func(string) string) (Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", name, err)
	}
	// the keys and shapes, as written (no value from the environment yet)
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, configError(name, data, err, nil)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, configError(name, data, err, nil)
	}
	var missing []string
	expanded := map[string]string{} // value -> ${NAME}, to keep values out of error messages
	expandValues(&root, func(n *yaml.Node) {
		if !envRef.MatchString(n.Value) {
			return
		}
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			m := envRef.FindStringSubmatch(ref)
			v := getenv(m[1])
			if v == "" && m[2] != "" {
				return m[3]
			}
			if v == "" {
				missing = append(missing, fmt.Sprintf("%s:%d: the environment variable %s is not set (write ${%s:-} if it may be empty)", name, n.Line, m[1], m[1]))
			}
			if v != "" {
				expanded[v] = "${" + m[1] + "}"
			}
			return v
		})
		n.Tag, n.Style = "!!str", 0 // whatever it holds, a string
	})
	if len(missing) > 0 {
		return Config{}, errors.New(strings.Join(missing, "\n"))
	}
	cfg = DefaultConfig()
	if root.Kind != 0 {
		if err := root.Decode(&cfg); err != nil {
			return Config{}, configError(name, data, err, expanded)
		}
	}
	if err := cfg.Validate(name); err != nil {
		return Config{}, errors.New(redact(err.Error(), expanded))
	}
	return cfg, nil
}

// expandValues calls fn on every scalar that is a value (not a key) in the
// document.
func expandValues(n *yaml.Node, fn func(*yaml.Node)) {
	switch n.Kind {
	case yaml.ScalarNode:
		fn(n)
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			expandValues(n.Content[i], fn)
		}
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			expandValues(c, fn)
		}
	}
}

// configError says what YAML found wrong in data, each problem as
// FILE:LINE: message, without the value it quotes (it may be a secret).
func configError(name string, data []byte, err error, expanded map[string]string) error {
	var msg string
	if line, m, ok := bankfile.YAMLSyntaxError(data, err); ok {
		msg = fmt.Sprintf("line %d: %s", line, m) // the line yaml.v3 gets wrong, found again
		if line == 0 {
			msg = m
		}
	} else {
		msg = strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
		msg = yamlType.ReplaceAllString(msg, "")
	}
	// the parser quotes the start of a bad value: it may be a secret
	msg = yamlQuoted.ReplaceAllString(msg, "a value")
	if !yamlAtLine.MatchString(msg) {
		msg = name + ": " + msg
	}
	msg = yamlAtLine.ReplaceAllString(msg, name+":$1: ")
	return fmt.Errorf("%s (every key is documented in config.example.yaml)", redact(msg, expanded))
}

// redact replaces values that came from the environment (where secrets
// live) with the ${NAME} that produced them, longest first.
func redact(msg string, expanded map[string]string) string {
	values := make([]string, 0, len(expanded))
	for v := range expanded {
		values = append(values, v)
	}
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		msg = strings.ReplaceAll(msg, v, expanded[v])
	}
	return msg
}

// Validate checks values that YAML types cannot.
func (c Config) Validate(name string) error {
	var errs []string
	if c.DB == "" {
		errs = append(errs, "db: give the database file, such as /data/prepbot.db, or a PostgreSQL URL, such as postgres://prepbot@db:5432/prepbot")
	} else if postgres.IsURL(c.DB) {
		// never quoted: the URL may carry a password
		if _, err := pgconn.ParseConfig(c.DB); err != nil {
			errs = append(errs, "db: the PostgreSQL URL does not parse; write it as postgres://user:password@host:5432/database (percent-encode special characters in the password)")
		}
	}
	if _, err := bot.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, "timezone: "+bot.ErrorMessage(err))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("log.level: %q is not one of debug, info, warn, error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fmt.Sprintf("log.format: %q is not one of text, json", c.Log.Format))
	}
	if !validShards(c.Discord.Shards) {
		errs = append(errs, `discord.shards: give "auto", or "ID/COUNT" for one shard of COUNT, such as "0/4" (ID from 0 to COUNT-1)`)
	}
	if len(c.Bank.Paths) == 0 {
		errs = append(errs, `bank.paths: give at least one bank, such as [default]`)
	}
	for key, v := range map[string]string{"discord.api_url": c.Discord.APIURL, "slack.api_url": c.Slack.APIURL} {
		// never quoted: a URL may carry credentials
		if u, err := url.Parse(v); v != "" && (err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https")) {
			errs = append(errs, key+": not a full http(s) URL, such as "+map[string]string{"discord.api_url": "https://discord.com/api/v9/", "slack.api_url": "https://slack.com/api/"}[key])
		}
	}
	if w := c.Web; w.BaseURL != "" {
		if u, err := url.Parse(w.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, "web.base_url: not a full http(s) URL, such as https://prep.example.org (where http.addr is reached)")
		} else if strings.Trim(u.Path, "/") != "" {
			errs = append(errs, "web.base_url: give it without a path, such as https://prep.example.org: the pages are served from the root of the host")
		}
		switch {
		case w.Secret == "":
			errs = append(errs, "web.secret: the web pages (web.base_url) need a secret to sign the members' links: set one from the environment, secret: ${PREPBOT_WEB_SECRET}, made with openssl rand -hex 32")
		case len(w.Secret) < 16:
			errs = append(errs, "web.secret: too short; use at least 16 characters, such as the output of openssl rand -hex 32")
		}
	}
	errs = append(errs, c.Grader.problems()...)
	sort.Strings(errs)
	if len(errs) > 0 {
		return fmt.Errorf("%s: %s", name, strings.Join(errs, "; "))
	}
	return nil
}

// configPath is the file LoadConfig reads for path ("" when none).
func configPath(path string) string {
	if path != "" {
		return path
	}
	if _, err := os.Stat("config.yaml"); err == nil {
		return "config.yaml"
	}
	return ""
}

// exposedSecrets warns when the config file itself holds a secret (written
// in it rather than taken from the environment) and other users may read
// it.
func exposedSecrets(path string, cfg Config) string {
	if path == "" {
		return ""
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o044 == 0 {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var raw Config
	yaml.Unmarshal(data, &raw)
	for _, v := range []string{raw.Discord.Token, raw.Discord.PublicKey, raw.Slack.BotToken, raw.Slack.AppToken, raw.Slack.SigningSecret, raw.Web.Secret, raw.Grader.APIKey} {
		if v != "" && !envRef.MatchString(v) {
			return fmt.Sprintf("%s holds a secret and other users on this machine may read it (mode %v): run chmod 600 %s, or keep the secrets in the environment as ${VAR}", path, st.Mode().Perm(), path)
		}
	}
	return ""
}

// LoadConfig reads a config file, or the defaults when path is "" and no
// config.yaml is in the working folder.
func LoadConfig(path string) (Config, error) {
	if path = configPath(path); path == "" {
		return DefaultConfig(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("cannot read the config: %w (start from config.example.yaml)", err)
	}
	defer f.Close()
	return ParseConfig(path, f, os.Getenv)
}

// validShards reports whether s is a discord.shards value: empty, "auto",
// or "ID/COUNT" with 0 <= ID < COUNT.
func validShards(s string) bool {
	if s == "" || s == "auto" {
		return true
	}
	id, count, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(id)
	n, err2 := strconv.Atoi(count)
	return ok && err1 == nil && err2 == nil && i >= 0 && n > 0 && i < n
}
