package main

import (
	"context"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/bot"
)

func TestWebConfig(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"WEB_SECRET": "0123456789abcdef0123"}[k] }
	cfg, err := ParseConfig("c.yaml", strings.NewReader("web:\n  base_url: https://prep.example.org\n  secret: ${WEB_SECRET}\n"), getenv)
	if err != nil || cfg.Web.BaseURL != "https://prep.example.org" || cfg.Web.Secret != "0123456789abcdef0123" {
		t.Fatalf("%v %+v", err, cfg.Web)
	}
	for _, tc := range []struct{ in, want string }{
		{"web:\n  base_url: https://prep.example.org\n", "web.secret: the web pages (web.base_url) need a secret"},
		{"web:\n  base_url: https://prep.example.org\n  secret: short\n", "web.secret: too short"},
		{"web:\n  base_url: prep.example.org\n  secret: ${WEB_SECRET}\n", "web.base_url: not a full http(s) URL"},
		{"web:\n  base_url: https://example.org/prep\n  secret: ${WEB_SECRET}\n", "web.base_url: give it without a path"},
	} {
		_, err := ParseConfig("c.yaml", strings.NewReader(tc.in), getenv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "0123456789abcdef") {
			t.Errorf("the secret is in the error: %v", err)
		}
	}
}

// With web.base_url, the server serves the groups' pages and /stats links
// to the member's own.
func TestWebServed(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "serve.db")
	cfg.HTTP.Addr = "127.0.0.1:0"
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	m.Config.Web = WebConfig{BaseURL: "http://prep.example.org", Secret: "a secret long enough for the test"}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		m.Close()
	}()
	base := "http://" + m.Addr()
	if code, _ := get(t, base+"/g/g1"); code != 404 {
		t.Fatalf("a group page before /web on: %d, want 404", code)
	}
	r, err := m.Bot.Handle(ctx, bot.Request{Platform: "fake", Group: "g1", Channel: "c", User: bot.User{ID: "boss", Admin: true}, Command: "web", Args: map[string]string{"sub": "on"}})
	if err != nil || !strings.Contains(r.Text, "http://prep.example.org/g/g1") {
		t.Fatalf("/web on: %v %q", err, r.Text)
	}
	if code, body := get(t, base+"/g/g1"); code != 200 || !strings.Contains(body, "Study group") {
		t.Fatalf("the group page: %d\n%s", code, body)
	}
	r, err = m.Bot.Handle(ctx, bot.Request{Platform: "fake", Group: "g1", Channel: "c", User: bot.User{ID: "ann", Name: "Ann"}, Command: "stats"})
	if err != nil || len(r.Fields) == 0 {
		t.Fatalf("/stats: %v %+v", err, r)
	}
	link := r.Fields[len(r.Fields)-1].Value
	link, _, _ = strings.Cut(link, "\n")
	u, err := url.Parse(link)
	if err != nil || u.Host != "prep.example.org" {
		t.Fatalf("/stats link %q: %v", link, err)
	}
	if code, body := get(t, base+u.Path); code != 200 || !strings.Contains(body, "Your year") {
		t.Fatalf("the member page from /stats: %d\n%s", code, body)
	}
}
