package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot/slack/slacktest"
)

// startSlackServe runs the server as `prepbot serve` does, with Slack's
// HTTP endpoints talking to the strict fake Slack, on the database at db.
func startSlackServe(t *testing.T, f *slacktest.Server, db string) (*Main, func()) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DB = db
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Slack.BotToken = slacktest.BotToken
	cfg.Slack.SigningSecret = "serve-signing-secret"
	cfg.Slack.APIURL = f.APIURL()
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(stop)
	return m, stop
}

func signedSlack(t *testing.T, addr, path string, body []byte, secret string) (int, []byte) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// prepbot serve on Slack's HTTP endpoints, against the strict fake: a
// card comes back within Slack's limits, and the same signed request
// replayed after a restart (same database) is acknowledged and nothing
// else (break #12).
func TestServeSlackCommandAndReplayAfterRestart(t *testing.T) {
	f := slacktest.New(t)
	db := filepath.Join(t.TempDir(), "slack.db")
	m, stop := startSlackServe(t, f, db)
	body := []byte(url.Values{"token": {"x"}, "team_id": {"T1"}, "team_domain": {"study"}, "channel_id": {"C1"},
		"channel_name": {"study"}, "user_id": {"U1"}, "user_name": {"ann"}, "command": {"/prep"}, "text": {"question coding"},
		"response_url": {f.ResponseURL("C1")}, "trigger_id": {f.Trigger()}, "api_app_id": {"A1"}}.Encode())
	start := time.Now()
	code, out := signedSlack(t, m.Addr(), "/slack/commands", body, "serve-signing-secret")
	if took := time.Since(start); took >= 3*time.Second {
		t.Errorf("acknowledged after %v", took)
	}
	var msg map[string]any
	if code != 200 || json.Unmarshal(out, &msg) != nil || msg["response_type"] != "in_channel" {
		t.Fatalf("command: %d %s", code, out)
	}
	f.CheckResponse("C1", out)
	if !strings.Contains(string(out), "Coding \\u0026 Logic Challenges") && !strings.Contains(string(out), "Coding &amp; Logic Challenges") {
		t.Fatalf("no coding card: %s", out)
	}
	stop()

	m, _ = startSlackServe(t, f, db)
	code, out = signedSlack(t, m.Addr(), "/slack/commands", body, "serve-signing-secret")
	if code != 200 || len(out) != 0 {
		t.Fatalf("a replay after a restart is acknowledged and nothing else: %d %s", code, out)
	}
}
