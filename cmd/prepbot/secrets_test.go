package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets never appear in logs, errors or /metrics, even when a token is
// refused.
func TestSecretsStayOut(t *testing.T) {
	const botToken, appToken, signing = "xoxb-SECRET-bot-token-1", "xapp-SECRET-app-token-2", "SECRET-signing-3"
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok": false, "error": "invalid_auth"}`)
	}))
	defer refuse.Close()
	pub, _, _ := ed25519.GenerateKey(nil)
	cfg := DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "s.db")
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Discord.PublicKey = hex.EncodeToString(pub)
	cfg.Slack = SlackConfig{BotToken: botToken, AppToken: appToken, SigningSecret: signing, APIURL: refuse.URL + "/"}
	var logs bytes.Buffer
	m := &Main{Config: cfg, Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	err := m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "auth.test failed (is slack.bot_token right?)") {
		t.Fatalf("want a clear auth error, got %v", err)
	}
	var metrics bytes.Buffer
	mfs, _ := m.Registry.Gather()
	for _, mf := range mfs {
		metrics.WriteString(mf.String())
	}
	for _, where := range []struct{ name, text string }{{"error", err.Error()}, {"logs", logs.String()}, {"metrics", metrics.String()}} {
		for _, secret := range []string{botToken, appToken, signing, "SECRET"} {
			if strings.Contains(where.text, secret) {
				t.Errorf("%s contain a secret (%s):\n%s", where.name, secret, where.text)
			}
		}
	}
}
