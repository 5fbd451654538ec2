package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// offline is a transport that reaches nothing: the fuzzed payloads carry
// response_urls of their own, and no request may leave the machine.
type offline struct{}

func (offline) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("offline")
}

// FuzzCommandAndPayload feeds arbitrary slash command text to the command
// parser, and arbitrary interaction payloads, signed with the signing
// secret, to the adapter's own HTTP endpoint (/slack/interactions): its
// form and JSON decoding, its checks, and the handling of whatever passes
// them. Nothing may panic; a request is either refused with 400 or
// acknowledged with 200, and an acknowledgement's body is JSON.
func FuzzCommandAndPayload(f *testing.F) {
	f.Add("qotd set <#C123|general> 09:00 Europe/Berlin postgres,python mon-fri", `{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1"},"channel":{"id":"C1"},"response_url":"https://hooks.slack.com/x","actions":[{"action_id":"a:1:0","action_ts":"1.1"}]}`)
	f.Add(`answer text:"two words"`, `{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U1"},"view":{"id":"V1","hash":"h","callback_id":"t:3","private_metadata":"C1","state":{"values":{"answer":{"text":{"value":"x"}}}}}}`)
	f.Add("help", `{"type":"view_submission","view":{"callback_id":"t:3","state":{"values":{"answer":{"text":{"value":"  "}}}}}}`)
	f.Add("stats <@U1|ann>", `{"type":"block_actions","actions":[{"action_id":"#sha256:00","value":"q:python"}]}`)
	f.Add("leaderboard", `{"type":"block_actions","actions":[]}`)
	f.Add("stats <@U1|ann>", `{"type":"shortcut"}`)
	f.Add(`"unclosed`, `not json`)
	f.Add("0", `{"type":"view_submission"}`) // no view state: once a nil dereference

	const fuzzSecret = "fuzz-signing-secret"
	b := bot.New(bot.Config{Bank: bottest.Bank(f), Store: bottest.OpenDB(f),
		Clock: bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))})
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	a, err := New(Config{BotToken: "xoxb-fuzz", SigningSecret: fuzzSecret, DeferAfter: 10 * time.Second,
		HTTPClient: &http.Client{Transport: offline{}}, Now: func() time.Time { return now }}, b)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	b.SetChat(bot.Chats{"slack": a})
	mux := http.NewServeMux()
	a.Routes(mux)
	stamp := strconv.FormatInt(now.Unix(), 10)

	f.Fuzz(func(t *testing.T, text, payload string) {
		name, args, err := parseCommand(text)
		if err == nil && (name == "" || args == nil) {
			t.Fatalf("no command for %q", text)
		}

		body := url.Values{"payload": {payload}}.Encode()
		mac := hmac.New(sha256.New, []byte(fuzzSecret))
		mac.Write([]byte("v0:" + stamp + ":" + body))
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/slack/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", stamp)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if out := rec.Body.Bytes(); len(out) > 0 && !json.Valid(out) {
				t.Fatalf("acknowledged with a body that is not JSON: %q", out)
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("payload %q: status %d %q", payload, rec.Code, rec.Body.String())
		}
		if !a.inflight.Wait(30 * time.Second) {
			t.Fatalf("payload %q: its handling did not finish", payload)
		}
	})
}
