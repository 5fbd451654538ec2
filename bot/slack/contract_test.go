package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// Slack's acknowledgement deadline for slash commands, interactions and
// socket-mode envelopes.
const ackLimit = 3 * time.Second

// Breaks #3, #7 and #9 (timing): every Web API call, upload and
// response_url post takes 2.5 seconds (and users.info is rate limited
// once, for a second), and still every request is acknowledged within
// Slack's 3 seconds; the slow parts come after.
// The subtests run in parallel: the whole takes about as long as the
// slowest (about 8 seconds, for three uploads of 2.5 seconds each).
func TestAcknowledgedWithin3sWhenSlackIsSlow(t *testing.T) {
	const slow = 2500 * time.Millisecond
	within := func(t *testing.T, what string, d time.Duration) {
		t.Helper()
		if d >= ackLimit {
			t.Errorf("%s acknowledged after %v, Slack gives up at %v", what, d, ackLimit)
		}
	}
	t.Run("socket slash command that asks users.info", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, Config{DeferAfter: 2 * time.Second})
		r.f.Admins["U-ADMIN"] = true
		r.f.StallAll(slow)
		// users.info is rate limited once: the adapter waits a second
		r.f.Limited["users.info"] = 1
		r.f.RetryAfter = 1
		ack := r.f.TimedEnvelope("q1", "slash_commands", r.slash("qotd set <#C9|general> 09:00 UTC", "U-ADMIN"), 0)
		within(t, "/prep qotd set", ack.After)
		// the reply comes through the response_url once users.info answered
		bottest.MustContain(t, blocksOf(r.f.Next("response").JSON).text(), "<#C9> gets a question")
	})
	t.Run("socket slash command with a picture", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, Config{DeferAfter: 2 * time.Second})
		k := blocksOf(r.f.Envelope("p0", "slash_commands", r.slash("question python", "U1"), 0)["payload"])
		r.f.Envelope("p00", "interactive", r.press(k.button("A")), 0)
		r.f.Next("response")
		r.f.StallAll(slow)
		ack := r.f.TimedEnvelope("p1", "slash_commands", r.slash("stats", "U1"), 0)
		within(t, "/prep stats", ack.After)
		r.f.Next("files.completeUploadExternal")
	})
	t.Run("socket press and typed answer", func(t *testing.T) {
		t.Parallel()
		r := newTypedRig(t, Config{DeferAfter: 2 * time.Second})
		k := r.drawTyped()
		r.f.StallAll(slow)
		ack := r.f.TimedEnvelope("t1", "interactive", r.press(k.button("Type answer")), 0)
		within(t, "a press", ack.After)
		// views.open is called while the trigger lives (the fake refuses
		// an expired one), although it takes 2.5 seconds to answer
		if open := r.f.Next("views.open"); open.Error != "" {
			t.Fatalf("views.open: %s", open.Error)
		}
		ack = r.f.TimedEnvelope("t2", "interactive", r.submit("w:"+postOf(k.button("Type answer")), "caching"), 0)
		within(t, "a submitted answer", ack.After)
		bottest.MustContain(t, blocksOf(r.f.Next("chat.postEphemeral").Form.Get("blocks")).text(), "Correct!")
	})
	t.Run("socket events", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, Config{PostGap: time.Second})
		r.f.StallAll(slow)
		// two mentions at once: the second reply waits for the pacer, its
		// acknowledgement does not; the same event in a new envelope (a
		// retry) is handled once
		r.f.SendEnvelope("ev1", "events_api", mention("Ev1"), 0)
		r.f.SendEnvelope("ev2", "events_api", mention("Ev2"), 0)
		r.f.SendEnvelope("ev1-retry", "events_api", mention("Ev1"), 1)
		for _, id := range []string{"ev1", "ev2", "ev1-retry"} {
			within(t, "events_api envelope "+id, r.f.WaitAck(id).After)
		}
		r.a.Close() // lets the replies finish
		if n := countCalls(r.f, "chat.postMessage"); n != 2 {
			t.Fatalf("%d replies to two events (one retried), want 2", n)
		}
	})
	t.Run("HTTP slash command and press", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, Config{SigningSecret: secret, AppToken: "", DeferAfter: 2 * time.Second, Admins: []string{"U-LISTED"}})
		srv := r.serve()
		code, out := signed(t, srv.URL+"/slack/commands", formType, form(r.slash("question coding", "U1")), time.Now(), secret)
		if code != 200 {
			t.Fatalf("command: %d %s", code, out)
		}
		k := blocksOf(decode(out))
		r.f.StallAll(slow)
		r.f.Limited["users.info"] = 1
		r.f.RetryAfter = 1
		start := time.Now()
		code, out = signed(t, srv.URL+"/slack/commands", formType, form(r.slash("qotd set <#C9|general> 09:00 UTC", "U-ADMIN")), time.Now(), secret)
		within(t, "/prep qotd set over HTTP", time.Since(start))
		if code != 200 {
			t.Fatalf("command: %d %s", code, out)
		}
		r.f.CheckResponse("C1", out)
		start = time.Now()
		body, _ := json.Marshal(r.press(k.button("A")))
		code, out = signed(t, srv.URL+"/slack/interactions", formType, []byte("payload="+url.QueryEscape(string(body))), time.Now(), secret)
		within(t, "a press over HTTP", time.Since(start))
		if code != 200 || len(out) != 0 {
			t.Fatalf("press: %d %q", code, out)
		}
	})
}

const formType = "application/x-www-form-urlencoded"

func (r *rig) serve() *httptest.Server {
	mux := http.NewServeMux()
	r.a.Routes(mux)
	srv := httptest.NewServer(mux)
	r.t.Cleanup(srv.Close)
	return srv
}

func decode(b []byte) map[string]any {
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

func countCalls(f *fakeSlack, method string) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Method == method {
			n++
		}
	}
	return n
}

func mention(eventID string) map[string]any {
	return map[string]any{"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": eventID, "event_time": 1,
		"event": map[string]any{"type": "app_mention", "user": "U1", "text": "<@B1> hi", "ts": "1.1", "channel": "C1", "event_ts": "1.1"}}
}

// newTypedRig is a rig on the test bank, whose networking cards include
// one answered by typing.
func newTypedRig(t *testing.T, cfg Config) *rig {
	r := newRig(t, cfg)
	r.useBank(bottest.TestBank(t))
	return r
}

// drawTyped draws networking cards until the typed one comes.
func (r *rig) drawTyped() kit {
	r.t.Helper()
	for i := 0; i < 20; i++ {
		id := r.t.Name() + "-draw-" + string(rune('a'+i))
		k := blocksOf(r.f.Envelope(id, "slash_commands", r.slash("question networking", "U1"), 0)["payload"])
		if k.button("Type answer") != "" {
			return k
		}
	}
	r.t.Fatal("never drew the typed card")
	return kit{}
}

func postOf(action string) string { return strings.TrimPrefix(action, "t:") }

func (r *rig) submit(callback, text string) map[string]any {
	return map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": "U1", "name": "ann"}, "trigger_id": r.f.Trigger(),
		"view": map[string]any{"id": "V-" + callback + "-" + text, "hash": "h1", "type": "modal", "callback_id": callback, "private_metadata": "C1",
			"state": map[string]any{"values": map[string]any{"answer": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": text}}}}}}
}

// Break #9: a blank typed answer keeps the modal open with an error (as
// Slack's own validation does) and posts nothing; a modal whose trigger
// expired before the bot was ready is not lost without a word.
func TestTypedAnswerEdgeCases(t *testing.T) {
	r := newTypedRig(t, Config{})
	k := r.drawTyped()
	action := k.button("Type answer")
	ack := r.f.Envelope("blank", "interactive", r.submit("w:"+postOf(action), "   "), 0)
	p, _ := ack["payload"].(map[string]any)
	if p["response_action"] != "errors" || !strings.Contains(p["errors"].(map[string]any)["answer"].(string), "Type your answer") {
		t.Fatalf("a blank answer keeps the modal open with an error: %v", ack)
	}

	// Slack is slow to take the press: the trigger is 4 seconds old when
	// views.open reaches it
	now := time.Now()
	r.f.Mu.Lock()
	r.f.Now = func() time.Time { return now }
	r.f.Stall["views.open"] = 0
	r.f.Mu.Unlock()
	pressed := r.press(action)
	r.f.Mu.Lock()
	r.f.Now = func() time.Time { return now.Add(4 * time.Second) }
	r.f.Mu.Unlock()
	r.f.Envelope("late", "interactive", pressed, 0)
	if open := r.f.Next("views.open"); open.Error != "expired_trigger_id" {
		t.Fatalf("views.open: %+v", open)
	}
	bottest.MustContain(t, blocksOf(r.f.Next("response").JSON).text(), "Press *Type answer* again")
	if got := r.f.TakeRefusals(); len(got) != 1 || got[0].Error != "expired_trigger_id" {
		t.Fatalf("refusals: %v", got)
	}
	if n := countCalls(r.f, "chat.postEphemeral"); n != 0 {
		t.Fatalf("%d ephemeral posts, want none", n)
	}
}

// Break #12: a signed slash command replayed within the 5-minute window,
// also after a restart, and a redelivered socket-mode command, run once.
func TestReplayedCommandRunsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prepbot.db")
	db := bottest.OpenDBAt(t, path)
	f := newFakeSlack(t)
	r := newRigWith(t, Config{SigningSecret: secret, AppToken: ""}, f, db)
	srv := r.serve()
	body := form(r.slash("question coding", "U1"))
	now := time.Now()
	code, out := signed(t, srv.URL+"/slack/commands", formType, body, now, secret)
	if code != 200 || !strings.Contains(blocksOf(decode(out)).text(), "Coding & Logic Challenges") {
		t.Fatalf("first: %d %s", code, out)
	}
	k := blocksOf(decode(out))
	code, out = signed(t, srv.URL+"/slack/commands", formType, body, now, secret)
	if code != 200 || len(out) != 0 {
		t.Fatalf("a replay is acknowledged and nothing else: %d %s", code, out)
	}
	// a press replayed: answered once
	pressed, _ := json.Marshal(r.press(k.button("A")))
	pressBody := []byte("payload=" + url.QueryEscape(string(pressed)))
	for range 2 {
		if code, out := signed(t, srv.URL+"/slack/interactions", formType, pressBody, now, secret); code != 200 || len(out) != 0 {
			t.Fatalf("press: %d %s", code, out)
		}
	}

	// restart: the same database, a new adapter
	r.a.Close()
	if n := countCalls(f, "response"); n != 1 {
		t.Fatalf("a press replayed was answered %d times", n)
	}
	bottest.CloseAndCheck(t, db)
	db = bottest.OpenDBAt(t, path)
	r2 := newRigWith(t, Config{SigningSecret: secret, AppToken: ""}, f, db)
	srv2 := r2.serve()
	code, out = signed(t, srv2.URL+"/slack/commands", formType, body, now, secret)
	if code != 200 || len(out) != 0 {
		t.Fatalf("a replay after a restart: %d %s", code, out)
	}

	// socket mode: the same command in a new envelope
	s := newRig(t, Config{})
	cmd := s.slash("question coding", "U1")
	if ack := s.f.Envelope("c1", "slash_commands", cmd, 0); ack["payload"] == nil {
		t.Fatalf("first: %v", ack)
	}
	if ack := s.f.Envelope("c2", "slash_commands", cmd, 1); ack["payload"] != nil {
		t.Fatalf("a redelivered command is acknowledged empty: %v", ack)
	}
}

// Break #14: a member listed in slack.admins, or a workspace admin, can
// stop a study round someone else started; another member cannot.
func TestAdminStopsAnotherMembersRound(t *testing.T) {
	r := newRig(t, Config{Admins: []string{"U-LISTED"}})
	r.f.Admins["U-ADMIN"] = true
	for _, tc := range []struct{ user, want string }{
		{"U-MEMBER", "Only the member who started this round, or an admin"},
		{"U-LISTED", "Study round stopped"},
		{"U-ADMIN", "Study round stopped"},
	} {
		r.f.Envelope("start-"+tc.user, "slash_commands", r.slash("study coding 3 60", "U1"), 0)
		ack := r.f.Envelope("stop-"+tc.user, "slash_commands", r.slash("study stop", tc.user), 0)
		bottest.MustContain(t, blocksOf(ack["payload"]).text(), tc.want)
	}
}

// Break #8: a button id longer than Slack's 255-character action_id is
// sent as a digest, with the id in the value (2,000), and a press of it
// comes back as the id; an id longer than a value is left out rather than
// refused by Slack.
func TestLongButtonIDs(t *testing.T) {
	r := newRig(t, Config{})
	long := "q:" + strings.Repeat("c", 300)
	huge := "q:" + strings.Repeat("h", 2100)
	reply := bot.Reply{Title: "Buttons", Text: "x", Buttons: []bot.Button{{ID: long, Label: "Long"}, {ID: huge, Label: "Huge"}, {ID: "q:ok", Label: "Short"}}}
	if err := r.a.Post(context.Background(), "slack:T1", "C1", reply); err != nil {
		t.Fatal(err)
	}
	k := blocksOf(r.f.Next("chat.postMessage").Form.Get("blocks"))
	id := k.button("Long")
	if len(id) > 255 || id == long || k.button("Huge") != "" || k.button("Short") != "q:ok" {
		t.Fatalf("buttons: %q %q %q", id, k.button("Huge"), k.button("Short"))
	}
	if got := actionOf(id, long); got != long {
		t.Fatalf("a press of the long button reads %q", got)
	}
	if got := actionOf(id, "q:forged"); got == "q:forged" {
		t.Fatal("a value that does not match its digest is taken")
	}
}

// Break #5: card text cannot ping or make links in Slack: &, < and > are
// escaped in every block and the fallback text, the bot's own links and
// channel references still work, and escaped member names show as typed.
func TestMrkdwnEscapesControlCharacters(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"print(type(x)) shows <class 'Node'>", "print(type(x)) shows &lt;class 'Node'&gt;"},
		{"a <-> b & c", "a &lt;-&gt; b &amp; c"},
		{"hey <!channel> and <!here|here> and <@U123>", "hey &lt;!channel&gt; and &lt;!here|here&gt; and &lt;@U123&gt;"},
		{"see [the docs](https://example.com/?a=1&b=2)", "see <https://example.com/?a=1&amp;b=2|the docs>"},
		{"[a <b>](https://x.io/p)", "<https://x.io/p|a &lt;b&gt;>"},
		{"posted in <#C9>.", "posted in <#C9>."},
		{"`x < y && z`", "`x &lt; y &amp;&amp; z`"},
		{"```\nif a < b {}\n```", "```\nif a &lt; b {}\n```"},
		{"> quoted <b>", "> quoted &lt;b&gt;"},
		{`1. \*\*ann\*\* \_b\_ \<!channel\> \[x\]\(https://e.com\)`, "1. \u200b*\u200b\u200b*\u200bann\u200b*\u200b\u200b*\u200b \u200b_\u200bb\u200b_\u200b &lt;!channel&gt; [x](<https://e.com>)"},
		{"go to https://example.com/a?b=1&c=2.", "go to <https://example.com/a?b=1&amp;c=2>."},
	} {
		if got := Mrkdwn(tc.in); got != tc.want {
			t.Errorf("Mrkdwn(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := new(renderer).fallback(bot.Reply{Title: `Top \*ann\* <b>`, Text: "<!channel> & <#C1>"}); got != "Top *ann* &lt;b&gt;: &lt;!channel&gt; &amp; <#C1>" {
		t.Errorf("fallback: %q", got)
	}
	if got := plain(`\*ann\* \\ \q`); got != `*ann* \ \q` {
		t.Errorf("plain: %q", got)
	}
}

// Break #5, end to end: a bank whose cards carry <!channel>, <@U…> and
// <class 'Node'> is drawn and posted daily without a single ping, and
// shows as written.
func TestHostileBankNeverPings(t *testing.T) {
	dir := t.TempDir()
	bankYAML := `categories:
  - id: hostile
    name: Hostile & co
cards:
  - id: hostile-1
    category: hostile
    number: 1
    difficulty: easy
    prompt: "Ping <!channel> and <!here> and <@U123>: what does <class 'Node'> print, and is a <-> b & c?"
    answer: "See [the docs](https://example.com/?a=1&b=2) and <!everyone>."
    quick_check:
      question: "Which one is <b>bold</b>?"
      options:
        - text: "<!channel>"
          correct: true
        - text: "a & b"
`
	if err := os.WriteFile(filepath.Join(dir, "hostile.yaml"), []byte(bankYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	bank, err := bankfile.Load(dir)
	if err != nil {
		t.Fatalf("the bank does not load: %v", err)
	}
	r := newRig(t, Config{})
	r.Bank = bank
	r.Bot = bot.New(bot.Config{Bank: bank, Store: r.DB, Clock: r.Clock})
	r.Bot.SetChat(bot.Chats{"slack": r.a})
	r.a.bot = r.Bot
	r.f.Admins["U-ADMIN"] = true

	ack := r.f.Envelope("h1", "slash_commands", r.slash("question hostile", "U1"), 0)
	bottest.MustContain(t, blocksOf(ack["payload"]).text(), "Ping <!channel> and <!here> and <@U123>: what does <class 'Node'> print, and is a <-> b & c?")
	r.f.Envelope("h2", "slash_commands", r.slash("qotd set <#C9|general> 09:00 UTC", "U-ADMIN"), 0)
	r.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	if _, err := r.Bot.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	post := r.f.Next("chat.postMessage")
	bottest.MustContain(t, post.Form.Get("text"), "&lt;!channel&gt;")
	if pings := r.f.Pings(); len(pings) > 0 {
		t.Fatalf("card text pinged: %v", pings)
	}
}

// Long but plausible content (a 3,000-character prompt, a 9,000-character
// answer with code blocks full of <, > and &, 200-character options, more
// fields and buttons than Block Kit takes, a 200-character title) renders
// within every limit, as a message and as an acknowledgement.
func TestLongRepliesFitBlockKit(t *testing.T) {
	r := newRig(t, Config{})
	code := "```go\n" + strings.Repeat("if a < b && b > c { x <- ch } // <!channel>\n", 60) + "```\n"
	text := strings.Repeat("Why is <T> & <U> not the same? ", 100) + "\n\n" + strings.Repeat(code+"Explain **each** step of [the spec](https://go.dev/ref/spec?a=1&b=2).\n", 3)
	reply := bot.Reply{Title: strings.Repeat(`\*ann\* `, 25), Text: text, Footer: strings.Repeat("footer <x> ", 400)}
	for i := range 14 {
		reply.Fields = append(reply.Fields, bot.Field{Name: "Field <" + strings.Repeat("n", i) + ">", Value: strings.Repeat("v&", 1500)})
	}
	for i := range 30 {
		reply.Buttons = append(reply.Buttons, bot.Button{ID: "a:1:" + strings.Repeat("9", i), Label: strings.Repeat("option text ", 20)})
	}
	if err := r.a.Post(context.Background(), "slack:T1", "C1", reply); err != nil {
		t.Fatal(err)
	}
	post := r.f.Next("chat.postMessage")
	if post.Error != "" {
		t.Fatalf("refused: %s", post.Error)
	}
	k := blocksOf(post.Form.Get("blocks"))
	bottest.MustContain(t, k.text(), "if a < b && b > c { x <- ch } // <!channel>", "Why is <T> & <U> not the same?")
	data, _ := json.Marshal(new(renderer).toMessage(reply))
	r.f.CheckResponse("C1", data)
	if pings := r.f.Pings(); len(pings) > 0 {
		t.Fatalf("pings: %v", pings)
	}
}

// A long but plausible bank (bottest.LongBank: 9,000-character answers with
// code blocks, 3,000-character prompts, five 200-character options,
// 64-character category ids, 100-character card ids, text that tries to
// ping) renders within Block Kit's limits everywhere, and pings no one:
// the strict fake checks every message, modal and acknowledgement.
func TestLongBankFitsSlack(t *testing.T) {
	r := newRig(t, Config{})
	r.Bank = bottest.LongBank(t)
	r.Bot = bot.New(bot.Config{Bank: r.Bank, Store: r.DB, Clock: r.Clock, DrawLimit: -1})
	r.a.bot = r.Bot
	cat := r.Bank.Categories()[0].ID
	var quick, typed kit
	for i := 0; i < 12 && (quick.blocks == nil || typed.blocks == nil); i++ {
		k := blocksOf(r.f.Envelope(fmt.Sprintf("long-%d", i), "slash_commands", r.slash("question "+cat, "U1"), 0)["payload"])
		switch {
		case k.button("A") != "":
			quick = k
		case k.button("Type answer") != "":
			typed = k
		}
	}
	if quick.blocks == nil || typed.blocks == nil {
		t.Fatal("never drew both kinds of card")
	}
	for _, label := range []string{"Hint", "Answer", "C"} {
		r.f.Envelope("long-press-"+label, "interactive", r.press(quick.button(label)), 0)
		r.f.Next("response")
	}
	r.f.Envelope("long-type", "interactive", r.press(typed.button("Type answer")), 0)
	open := r.f.Next("views.open")
	view, _ := open.JSON["view"].(map[string]any)
	callback, _ := view["callback_id"].(string)
	submit := map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": "U1", "name": "ann"}, "trigger_id": r.f.Trigger(),
		"view": map[string]any{"id": "V-long", "hash": "h1", "type": "modal", "callback_id": callback, "private_metadata": "C1",
			"state": map[string]any{"values": map[string]any{"answer": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": "<!channel> & <b>"}}}}}}
	r.f.Envelope("long-submit", "interactive", submit, 0)
	r.f.Next("chat.postEphemeral")
	// the daily question's path: a card and its answer posted to a channel
	c := r.Bank.Cards()[0]
	if err := r.a.Post(context.Background(), "slack:T1", "C1", bot.Reply{Title: c.Prompt, Text: c.Answer, Footer: c.ID}); err != nil {
		t.Fatal(err)
	}
	if p := r.f.Pings(); len(p) > 0 {
		t.Fatalf("messages would ping: %v", p)
	}
}

// A press Slack saw acknowledged is a recorded answer (when the bot is
// quick, which it is but for a stalled disk): the acknowledgement waits
// for the answer's commit, within Slack's 3 seconds, and the verdict
// follows at the response_url. It also keeps a burst of presses from
// piling up behind acknowledgements.
func TestAcknowledgedPressIsRecorded(t *testing.T) {
	r := newRig(t, Config{SigningSecret: secret, AppToken: "", DeferAfter: 2 * time.Second})
	srv := r.serve()
	const formType = "application/x-www-form-urlencoded"
	for i := range 10 {
		user := fmt.Sprint("U", 100+i)
		code, out := signed(t, srv.URL+"/slack/commands", formType, form(r.slash("question python", user)), time.Now(), secret)
		if code != 200 {
			t.Fatalf("command: %d %s", code, out)
		}
		k := blocksOf(decode(out))
		press := r.press(k.button("A"))
		press["user"] = map[string]any{"id": user, "username": user, "name": user, "team_id": "T1"}
		payload, _ := json.Marshal(press)
		if code, _ := signed(t, srv.URL+"/slack/interactions", formType, []byte("payload="+url.QueryEscape(string(payload))), time.Now(), secret); code != 200 {
			t.Fatalf("press: %d", code)
		}
		if m, err := r.DB.Member(t.Context(), "slack:T1", user); err != nil || m.Answered != 1 {
			t.Fatalf("press %d acknowledged before its answer was recorded: %+v %v", i, m, err)
		}
		r.f.Next("response")
	}
}

// A press's verdict reaches its response_url before the press is
// acknowledged (within the acknowledgement's budget): an early
// acknowledgement let the next presses in ahead of the verdict, which made
// the tail of press-to-verdict latency.
func TestVerdictIsPostedBeforeThePressIsAcknowledged(t *testing.T) {
	r := newRig(t, Config{DeferAfter: 2 * time.Second})
	k := blocksOf(r.f.Envelope("v0", "slash_commands", r.slash("question python", "U1"), 0)["payload"])
	const stall = 400 * time.Millisecond
	r.f.Mu.Lock()
	r.f.Stall["response"] = stall
	r.f.Mu.Unlock()
	before := time.Now()
	ack := r.f.TimedEnvelope("v1", "interactive", r.press(k.button("A")), 0)
	ackAt := before.Add(ack.After)
	verdict := r.f.Next("response")
	if text := blocksOf(verdict.JSON).text(); !strings.Contains(text, "Correct!") && !strings.Contains(text, "Not quite") {
		t.Fatalf("the response_url got no verdict:\n%s", text)
	}
	if got := ackAt.Sub(verdict.At); got < stall-50*time.Millisecond {
		t.Errorf("the press was acknowledged %v after its verdict reached the response_url, which took %v to answer: want the acknowledgement after the verdict", got, stall)
	}
	if ack.After >= ackLimit {
		t.Errorf("acknowledged after %v", ack.After)
	}
}
