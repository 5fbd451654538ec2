package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/storage"
)

// rig is the strict fake Slack, the adapter under test on it (started),
// and the bot behind the adapter (bottest.Rig).
type rig struct {
	*bottest.Rig
	t *testing.T
	f *fakeSlack
	a *Adapter
}

func newRig(t *testing.T, cfg Config) *rig {
	return newRigWith(t, cfg, newFakeSlack(t), bottest.OpenDB(t))
}

// newRigWith starts an adapter on a given fake Slack and database (to
// restart one).
func newRigWith(t *testing.T, cfg Config, f *fakeSlack, db *storage.DB) *rig {
	r := &rig{Rig: bottest.NewRigOn(t, db), t: t, f: f}
	cfg.BotToken = "xoxb-test"
	cfg.APIURL = r.f.APIURL()
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		cfg.AppToken = "xapp-test"
	}
	if cfg.DeferAfter == 0 {
		cfg.DeferAfter = 10 * time.Second
	}
	if cfg.PostGap == 0 {
		cfg.PostGap = time.Millisecond
	}
	a, err := New(cfg, r.Bot)
	if err != nil {
		t.Fatal(err)
	}
	r.a = a
	r.SetChat("slack", a)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if cfg.AppToken != "" {
		r.f.WaitConnected()
	}
	return r
}

func (r *rig) slash(text, user string) map[string]any {
	return map[string]any{"token": "x", "team_id": "T1", "team_domain": "study", "channel_id": "C1", "channel_name": "study",
		"user_id": user, "user_name": user, "command": "/prep", "text": text, "response_url": r.f.ResponseURL("C1"), "trigger_id": r.f.Trigger(), "api_app_id": "A1"}
}

var nextTs atomic.Int64

func (r *rig) press(actionID string) map[string]any {
	n := nextTs.Add(1)
	responseURL := r.f.ResponseURL("C1")
	return map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1", "domain": "study"},
		"user":       map[string]any{"id": "U1", "username": "ann", "name": "ann", "team_id": "T1"},
		"api_app_id": "A1", "token": "x", "trigger_id": r.f.Trigger(), "response_url": responseURL,
		"channel": map[string]any{"id": "C1", "name": "study"},
		"actions": []any{map[string]any{"action_id": actionID, "block_id": "b", "type": "button", "value": actionID,
			"action_ts": "1700000000." + strconv.FormatInt(100000+n, 10), "text": map[string]any{"type": "plain_text", "text": "x"}}}}
}

// blockText flattens Block Kit JSON to text, and finds buttons by label.
type kit struct{ blocks []any }

func blocksOf(v any) kit {
	switch m := v.(type) {
	case map[string]any:
		if b, ok := m["blocks"].([]any); ok {
			return kit{b}
		}
		if p, ok := m["payload"].(map[string]any); ok {
			return blocksOf(p)
		}
	case string:
		var b []any
		json.Unmarshal([]byte(m), &b)
		return kit{b}
	}
	return kit{}
}

func (k kit) text() string {
	data, _ := json.Marshal(k.blocks)
	var sb strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				sb.WriteString(t + "\n")
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var v any
	json.Unmarshal(data, &v)
	walk(v)
	// what Slack shows: entities decoded
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(sb.String())
}

func (k kit) button(label string) string {
	for _, b := range k.blocks {
		m := b.(map[string]any)
		if m["type"] != "actions" {
			continue
		}
		for _, e := range m["elements"].([]any) {
			el := e.(map[string]any)
			if el["text"].(map[string]any)["text"] == label {
				return el["action_id"].(string)
			}
		}
	}
	return ""
}

func (k kit) card(t *testing.T, bank *questionbank.Bank) *questionbank.Card {
	t.Helper()
	for _, b := range k.blocks {
		m := b.(map[string]any)
		if m["type"] == "context" {
			id := m["elements"].([]any)[0].(map[string]any)["text"].(string)
			if c, ok := bank.Card(id); ok {
				return c
			}
		}
	}
	t.Fatalf("no card in %s", k.text())
	return nil
}

// useBank makes the rig's bot draw from another bank.
func (r *rig) useBank(b *questionbank.Bank) { r.a.bot = r.UseBank(b) }

func TestQuestionRoundTripOverSocketMode(t *testing.T) {
	r := newRig(t, Config{})
	ack := r.f.Envelope("e1", "slash_commands", r.slash("question postgres", "U1"), 0)
	payload := ack["payload"].(map[string]any)
	if payload["response_type"] != "in_channel" {
		t.Fatalf("a card is posted in the channel: %v", payload["response_type"])
	}
	k := blocksOf(payload)
	bottest.MustContain(t, k.text(), "PostgreSQL & Persistence", "*Quick check:*")
	if k.blocks[0].(map[string]any)["type"] != "header" {
		t.Fatalf("first block should be the header: %v", k.blocks[0])
	}
	card := k.card(t, r.Bank)
	right := string("ABCDE"[card.QuickCheck.CorrectIndex()])
	pressed := r.press(k.button(right))
	ack = r.f.Envelope("e2", "interactive", pressed, 0)
	if ack["payload"] != nil {
		t.Fatalf("a button press is acknowledged empty: %v", ack)
	}
	resp := r.f.Next("response")
	if resp.JSON["response_type"] != "ephemeral" || resp.JSON["replace_original"] != false {
		t.Fatalf("the verdict is ephemeral and keeps the card: %v", resp.JSON)
	}
	bottest.MustContain(t, blocksOf(resp.JSON).text(), "Correct! +", "*Streak*")

	// Slack redelivers the same envelope: acknowledged, not handled again
	if ack := r.f.Envelope("e2", "interactive", pressed, 1); ack["payload"] != nil {
		t.Fatalf("a redelivery is acknowledged empty: %v", ack)
	}
	if m, _ := r.DB.Member(context.Background(), "slack:T1", "U1"); m.Answered != 1 {
		t.Fatalf("member = %+v", m)
	}
	// a second press of the same option (a new delivery) is refused politely
	r.f.Envelope("e3", "interactive", r.press(k.button(right)), 0)
	bottest.MustContain(t, blocksOf(r.f.Next("response").JSON).text(), "You already answered this card")
}

func TestUnknownInputGetsHelp(t *testing.T) {
	r := newRig(t, Config{})
	for _, text := range []string{"", "help", "frobnicate now"} {
		ack := r.f.Envelope("h-"+text, "slash_commands", r.slash(text, "U1"), 0)
		bottest.MustContain(t, blocksOf(ack["payload"]).text(), "/question", "/leaderboard", "/qotd set")
	}
	ack := r.f.Envelope("bad", "slash_commands", r.slash("question golang", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), `Unknown category "golang": valid categories are python`)
}

func TestDailyPostAdminsRateLimitAndRemovedChannel(t *testing.T) {
	r := newRig(t, Config{Admins: []string{"U-LISTED"}})
	r.f.Admins["U-ADMIN"] = true
	ack := r.f.Envelope("s0", "slash_commands", r.slash("qotd set <#C9|general> 09:00 UTC", "U-MEMBER"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Only server admins")
	ack = r.f.Envelope("s1", "slash_commands", r.slash("qotd set <#C9|general> 09:00 UTC postgres mon-fri", "U-ADMIN"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "<#C9> gets a question at 09:00 UTC, Monday to Friday, from PostgreSQL & Persistence")
	ack = r.f.Envelope("s2", "slash_commands", r.slash("qotd set <#CGONE|old> 09:00 UTC", "U-LISTED"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "<#CGONE> gets a question")

	r.f.Mu.Lock()
	r.f.Limited["chat.postMessage"] = 1
	r.f.Gone["CGONE"] = true
	r.f.Mu.Unlock()
	r.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	n, err := r.Bot.Tick(context.Background())
	if n != 1 || !errors.Is(err, bot.ErrChannelGone) {
		t.Fatalf("tick: %d %v", n, err)
	}
	if r.a.RateLimited() != 1 {
		t.Fatalf("429s waited out: %d", r.a.RateLimited())
	}
	var posted []string
	r.f.Mu.Lock()
	for _, c := range r.f.All {
		if c.Method == "chat.postMessage" && c.Form.Get("channel") == "C9" {
			posted = append(posted, c.Form.Get("blocks"))
		}
	}
	r.f.Mu.Unlock()
	if len(posted) != 1 || !strings.Contains(blocksOf(posted[0]).text(), "Question of the day") {
		t.Fatalf("daily posts to C9: %v", posted)
	}
	ack = r.f.Envelope("s3", "slash_commands", r.slash("qotd status", "U-MEMBER"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Paused: posting to <#CGONE> failed", "last posted 2026-11-25")
}

func TestSocketModeReconnects(t *testing.T) {
	r := newRig(t, Config{})
	r.f.Send(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "applink-test"}})
	r.f.WaitConnected()
	r.f.Mu.Lock()
	opens := r.f.Opens
	r.f.Mu.Unlock()
	if opens != 2 {
		t.Fatalf("apps.connections.open calls: %d, want 2", opens)
	}
	ack := r.f.Envelope("after", "slash_commands", r.slash("leaderboard all", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Leaderboard: all time")
}

func TestTypedAnswerModal(t *testing.T) {
	r := newTypedRig(t, Config{})
	var k kit
	for i := 0; i < 3; i++ {
		k = blocksOf(r.f.Envelope("m"+strconv.Itoa(i), "slash_commands", r.slash("question networking", "U1"), 0)["payload"])
		if k.button("Type answer") != "" {
			break
		}
	}
	action := k.button("Type answer")
	if action == "" {
		t.Fatal("never drew the typed card")
	}
	r.f.Envelope("m-press", "interactive", r.press(action), 0)
	open := r.f.Next("views.open")
	view, _ := open.JSON["view"].(map[string]any)
	if open.JSON["trigger_id"] == "" || view["callback_id"] != "w:"+strings.TrimPrefix(action, "t:") || view["private_metadata"] != "C1" {
		t.Fatalf("views.open = %v", open.JSON)
	}
	submit := map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": "U1", "name": "ann"},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": view["callback_id"], "private_metadata": "C1",
			"state": map[string]any{"values": map[string]any{"answer": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": "caching"}}}}}}
	ack := r.f.Envelope("m-submit", "interactive", submit, 0)
	if ack["payload"].(map[string]any)["response_action"] != "clear" {
		t.Fatalf("submission ack = %v", ack)
	}
	eph := r.f.Next("chat.postEphemeral")
	if eph.Form.Get("user") != "U1" || eph.Form.Get("channel") != "C1" {
		t.Fatalf("ephemeral to %v", eph.Form)
	}
	bottest.MustContain(t, blocksOf(eph.Form.Get("blocks")).text(), "Correct!", "You answered “caching”")
}

func TestMrkdwn(t *testing.T) {
	in := "# Title\n**Bold** and *italic* and `**code**` and [docs](https://example.com/x).\n- one\n- two\n```python\nx = a ** b  # **not bold**\n```"
	want := "*Title*\n*Bold* and _italic_ and `**code**` and <https://example.com/x|docs>.\n• one\n• two\n```\nx = a ** b  # **not bold**\n```"
	var rd renderer
	for i := range 2 { // converted, then from the cache
		if got := rd.mrkdwn(in); got != want {
			t.Fatalf("call %d got:\n%s\nwant:\n%s", i+1, got, want)
		}
	}
	if got := Mrkdwn(in); got != want {
		t.Fatalf("Mrkdwn got:\n%s\nwant:\n%s", got, want)
	}
	// a full cache starts again and stays right
	for i := range maxMrkdwnCache + 10 {
		if got, want := rd.mrkdwn(fmt.Sprintf("**n%d**", i)), fmt.Sprintf("*n%d*", i); got != want {
			t.Fatalf("%q, want %q", got, want)
		}
	}
	if got := rd.mrkdwn(in); got != want {
		t.Fatalf("after the cache filled: %s", got)
	}
	rd.mu.Lock()
	n := len(rd.cache)
	rd.mu.Unlock()
	if n > maxMrkdwnCache {
		t.Fatalf("the cache holds %d texts, more than %d", n, maxMrkdwnCache)
	}
	// each adapter has its own
	var other renderer
	other.mrkdwn(in)
	if len(other.cache) != 1 {
		t.Fatalf("another renderer's cache holds %d texts", len(other.cache))
	}
}

// --- signed HTTP endpoints ---

const secret = "test-signing-secret"

func signed(t *testing.T, url, contentType string, body []byte, ts time.Time, sec string, headers ...string) (int, []byte) {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(sec))
	mac.Write([]byte("v0:" + stamp + ":"))
	mac.Write(body)
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return bottest.Do(t, req)
}

func form(v map[string]any) []byte {
	f := url.Values{}
	for k, x := range v {
		f.Set(k, x.(string))
	}
	return []byte(f.Encode())
}

func TestHTTPEndpoints(t *testing.T) {
	r := newRig(t, Config{SigningSecret: secret, AppToken: ""})
	mux := http.NewServeMux()
	r.a.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	now := time.Now()
	const formType = "application/x-www-form-urlencoded"

	code, out := signed(t, srv.URL+"/slack/commands", formType, form(r.slash("question coding", "U1")), now, secret)
	if code != 200 {
		t.Fatalf("command: %d %s", code, out)
	}
	r.f.CheckResponse("C1", out)
	var msg map[string]any
	json.Unmarshal(out, &msg)
	k := blocksOf(msg)
	bottest.MustContain(t, k.text(), "Coding & Logic Challenges")
	card := k.card(t, r.Bank)
	wrong := string("ABCDE"[(card.QuickCheck.CorrectIndex()+1)%len(card.QuickCheck.Options)])
	payload, _ := json.Marshal(r.press(k.button(wrong)))
	code, out = signed(t, srv.URL+"/slack/interactions", formType, []byte("payload="+url.QueryEscape(string(payload))), now, secret)
	if code != 200 || len(out) != 0 {
		t.Fatalf("block_actions: %d %q", code, out)
	}
	bottest.MustContain(t, blocksOf(r.f.Next("response").JSON).text(), "Not quite")

	challenge := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	code, out = signed(t, srv.URL+"/slack/events", "application/json", challenge, now, secret)
	if code != 200 || string(out) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification: %d %s", code, out)
	}

	mention := []byte(`{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev1","event_time":1,` +
		`"event":{"type":"app_mention","user":"U1","text":"<@B1> hi","ts":"1.1","channel":"C1","event_ts":"1.1"}}`)
	for retry := 0; retry < 2; retry++ { // Slack retries with X-Slack-Retry-Num; handled once
		if code, out := signed(t, srv.URL+"/slack/events", "application/json", mention, now, secret, "X-Slack-Retry-Num", strconv.Itoa(retry)); code != 200 {
			t.Fatalf("event: %d %s", code, out)
		}
	}
	bottest.MustContain(t, r.f.Next("chat.postMessage").Form.Get("text"), "Type /prep question")

	another, _ := json.Marshal(r.press(k.button(wrong)))
	pressBody := []byte("payload=" + url.QueryEscape(string(another)))
	for _, tc := range []struct {
		name, path, ctype string
		body              []byte
		ts                time.Time
		sec               string
		want              int
	}{
		{"forged signature", "/slack/interactions", formType, pressBody, now, "wrong-secret", 401},
		{"stale timestamp", "/slack/interactions", formType, pressBody, now.Add(-6 * time.Minute), secret, 401},
		{"malformed interaction", "/slack/interactions", formType, []byte("payload=%7Bnot-json"), now, secret, 400},
		{"no payload", "/slack/interactions", formType, []byte("foo=bar"), now, secret, 400},
		{"block_actions without a block action", "/slack/interactions", formType, []byte("payload=" + url.QueryEscape(`{"type":"block_actions","actions":[]}`)), now, secret, 400},
		{"malformed command", "/slack/commands", formType, []byte("%zz"), now, secret, 400},
		{"malformed event", "/slack/events", "application/json", []byte("{"), now, secret, 400},
	} {
		if code, out := signed(t, srv.URL+tc.path, tc.ctype, tc.body, tc.ts, tc.sec); code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, out, tc.want)
		}
	}
	if m, _ := r.DB.Member(context.Background(), "slack:T1", "U1"); m.Answered != 1 {
		t.Fatalf("refused requests must record nothing: %+v", m)
	}
	if code, _ := signed(t, srv.URL+"/slack/commands", formType, make([]byte, maxBody+1), now, secret); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", code)
	}
}

// The published samples: Slack's signing example verifies against its own
// secret and timestamp, and the payloads decode and are handled.
func TestOfficialSamplePayloads(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "platform")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared fixtures are not beside the checkout (%v)", err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	body := read("slack_signed_slash_command_body.txt")
	if !Verify("8f742231b10e8888abcd99yyyzzz85a5", h, body, time.Unix(1531420618, 0)) {
		t.Error("Slack's published signing example does not verify")
	}
	if Verify("8f742231b10e8888abcd99yyyzzz85a5", h, body, time.Now()) {
		t.Error("a 2018 timestamp must be refused today")
	}
	if Verify("8f742231b10e8888abcd99yyyzzz85a5", h, append(body, '!'), time.Unix(1531420618, 0)) {
		t.Error("a changed body must not verify")
	}
	h.Set("X-Slack-Request-Timestamp", "1531431954")
	h.Set("X-Slack-Signature", "v0=adada4ed31709aef585c2580ca3267678c6a8eaeb7e0c1aca3ee57b656886b2c")
	if !Verify("e6b19c573432dcc6b075501d51b51bb8", h, read("slack_signed_event_app_mention_body.json"), time.Unix(1531431954, 30)) {
		t.Error("slack-go's signed app_mention sample does not verify")
	}

	r := newRig(t, Config{})
	// the documented slash command (/weather 94070) is not ours: help comes back
	cmdForm, _ := url.ParseQuery(strings.TrimSpace(string(read("slack_slash_command.txt"))))
	cmd := map[string]any{}
	for k := range cmdForm {
		cmd[k] = cmdForm.Get(k)
	}
	cmd["response_url"] = r.f.ResponseURL("C1") // never the real hooks.slack.com
	ack := r.f.Envelope("fx1", "slash_commands", cmd, 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Unknown command", "/question")
	// the documented block_actions press: a button that is not ours
	var actions map[string]any
	if err := json.Unmarshal(read("slack_block_actions.json"), &actions); err != nil {
		t.Fatal(err)
	}
	actions["response_url"] = r.f.ResponseURL("C1")
	r.f.Envelope("fx2", "interactive", actions, 0)
	bottest.MustContain(t, blocksOf(r.f.Next("response").JSON).text(), "That button is not one of ours")
	// socket-mode samples: an events_api app_mention gets the help posted
	var env map[string]any
	json.Unmarshal(read("slack_socketmode_events_api_app_mention.json"), &env)
	r.f.Send(env)
	bottest.MustContain(t, r.f.Next("chat.postMessage").Form.Get("text"), "Type /prep question")
	var disconnect map[string]any
	json.Unmarshal(read("slack_socketmode_disconnect.json"), &disconnect)
	r.f.Send(disconnect)
	r.f.WaitConnected()
	var challenge map[string]any
	if err := json.Unmarshal(read("slack_url_verification.json"), &challenge); err != nil || challenge["challenge"] == "" {
		t.Fatalf("url_verification sample: %v", err)
	}
}

func TestReviewAndPractice(t *testing.T) {
	r := newRig(t, Config{})
	ack := r.f.Envelope("r1", "slash_commands", r.slash("review", "U1"), 0)
	payload := ack["payload"].(map[string]any)
	if payload["response_type"] != "ephemeral" {
		t.Fatalf("a review card is ephemeral: %v", payload["response_type"])
	}
	k := blocksOf(payload)
	bottest.MustContain(t, k.text(), "_Review: a new card (1 of 5 new today)_")
	card := k.card(t, r.Bank)
	r.f.Envelope("r2", "interactive", r.press(k.button(string("ABCDE"[card.QuickCheck.CorrectIndex()]))), 0)
	v := blocksOf(r.f.Next("response").JSON)
	if v.button("Next review card") == "" {
		t.Fatalf("no next review button: %s", v.text())
	}
	ack = r.f.Envelope("r3", "slash_commands", r.slash("practice postgres", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "_Practice: You ", "PostgreSQL & Persistence")
}

func TestWeeklyDigestPosted(t *testing.T) {
	r := newRig(t, Config{})
	r.f.Admins["U-ADMIN"] = true
	ack := r.f.Envelope("d1", "slash_commands", r.slash("qotd set <#CDIGEST|study> 09:00 UTC weekdays:sat digest:wed", "U-ADMIN"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Every Wednesday at 09:00 it also gets the week's digest")
	r.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) // a Wednesday
	if _, err := r.Bot.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	post := r.f.Next("chat.postMessage")
	if post.Form.Get("channel") != "CDIGEST" || !strings.Contains(post.Form.Get("text"), "This week in study") {
		t.Fatalf("digest post = %v", post.Form)
	}
}

// Admin rights are checked with Slack on every use: a demoted admin is
// refused at once.
func TestDemotedAdminIsRefused(t *testing.T) {
	r := newRig(t, Config{})
	r.f.Admins["U-BOSS"] = true
	ack := r.f.Envelope("a1", "slash_commands", r.slash("qotd set <#C7|x> 09:00 UTC", "U-BOSS"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "<#C7> gets a question")
	r.f.Mu.Lock()
	r.f.Admins["U-BOSS"] = false
	r.f.Mu.Unlock()
	ack = r.f.Envelope("a2", "slash_commands", r.slash("qotd off <#C7|x>", "U-BOSS"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Only server admins")
}

func TestStudyRoundOnSlack(t *testing.T) {
	r := newRig(t, Config{})
	ack := r.f.Envelope("s1", "slash_commands", r.slash("study coding 1 10", "U1"), 0)
	payload := ack["payload"].(map[string]any)
	if payload["response_type"] != "in_channel" {
		t.Fatal("a round's card is for the whole channel")
	}
	k := blocksOf(payload)
	bottest.MustContain(t, k.text(), "Study round: card 1 of 1")
	r.Clock.Add(11 * time.Second)
	if err := r.Bot.TickRounds(context.Background()); err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.f.Next("chat.postMessage").Form.Get("text"), "Time! Card 1 of 1")
	bottest.MustContain(t, r.f.Next("chat.postMessage").Form.Get("text"), "Study round over", "Nobody answered")
}

// Break #2: the pictures of /prep stats (private) and /prep leaderboard
// chart:yes (public) are uploaded with the manifest's scopes and shared
// where the reply is seen, after the acknowledgement: a private picture
// to the member's direct messages with the bot, a public one to the
// channel. The reply itself carries no image block of a private file
// (Slack: invalid_blocks, "invalid slack file").
func TestPicturesAreSharedWhereTheReplyIsSeen(t *testing.T) {
	r := newRig(t, Config{})
	k := blocksOf(r.f.Envelope("p1", "slash_commands", r.slash("question python", "U1"), 0)["payload"])
	card := k.card(t, r.Bank)
	r.f.Envelope("p2", "interactive", r.press(k.button(string("ABCDE"[card.QuickCheck.CorrectIndex()]))), 0)
	r.f.Next("response")

	ack := r.f.Envelope("p3", "slash_commands", r.slash("stats", "U1"), 0)
	payload := ack["payload"].(map[string]any)
	data, _ := json.Marshal(payload["blocks"])
	if payload["response_type"] != "ephemeral" || strings.Contains(string(data), "slack_file") {
		t.Fatalf("stats are private, without an image block: %s", data)
	}
	upload := r.f.Next("upload")
	if !strings.Contains(upload.Form.Get("bytes"), "\x89PNG") {
		t.Fatal("the upload is not the PNG")
	}
	complete := r.f.Next("files.completeUploadExternal")
	if complete.Form.Get("channel_id") != "" || complete.Form.Get("channels") != "U1" {
		t.Fatalf("a private picture goes to the member's DM only: %v", complete.Form)
	}
	if where, _ := r.f.FileShares(upload.Form.Get("file")); fmt.Sprint(where) != "[U1]" {
		t.Fatalf("the stats picture is shared to %v", where)
	}

	ack = r.f.Envelope("p4", "slash_commands", r.slash("leaderboard all chart:yes", "U1"), 0)
	if p := ack["payload"].(map[string]any); p["response_type"] != "in_channel" {
		t.Fatalf("the leaderboard is public: %v", p)
	}
	upload = r.f.Next("upload")
	complete = r.f.Next("files.completeUploadExternal")
	if complete.Form.Get("channel_id") != "C1" {
		t.Fatalf("a public picture is shared in its channel: %v", complete.Form)
	}
	if where, _ := r.f.FileShares(upload.Form.Get("file")); fmt.Sprint(where) != "[C1]" {
		t.Fatalf("the chart is shared to %v", where)
	}

	// in a channel the bot is not in, the slash command works, and the
	// chart goes to the member who asked
	r.f.Mu.Lock()
	r.f.NotIn["C2"] = true
	r.f.Mu.Unlock()
	cmd := r.slash("leaderboard all chart:yes", "U1")
	cmd["channel_id"], cmd["response_url"] = "C2", r.f.ResponseURL("C2")
	r.f.Envelope("p5", "slash_commands", cmd, 0)
	r.f.Next("upload")
	if c := r.f.Next("files.completeUploadExternal"); c.Form.Get("channel_id") != "C2" || c.Error != "not_in_channel" {
		t.Fatalf("first the channel: %+v", c)
	}
	if c := r.f.Next("files.completeUploadExternal"); c.Form.Get("channels") != "U1" || c.Error != "" {
		t.Fatalf("then the member: %+v", c)
	}
}
