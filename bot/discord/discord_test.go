package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/adapter"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/discord/discordtest"
	"github.com/prepbot/prepbot/questionbank"
)

// rig is the strict fake Discord, the adapter under test on it, and the
// bot behind the adapter (bottest.Rig).
type rig struct {
	*bottest.Rig
	t *testing.T
	f *fakeDiscord
	a *Adapter
}

func newRig(t *testing.T, cfg Config) *rig {
	r := &rig{Rig: bottest.NewRig(t), t: t, f: newFakeDiscord(t)}
	cfg.APIURL = r.f.apiURL()
	if cfg.Token == "" && cfg.PublicKey == "" {
		cfg.Token = "test-token"
	}
	if cfg.DeferAfter == 0 {
		cfg.DeferAfter = 10 * time.Second // answer inline unless a test wants deferral
	}
	a, err := New(cfg, r.Bot)
	if err != nil {
		t.Fatal(err)
	}
	r.a = a
	r.SetChat("discord", a)
	t.Cleanup(func() { a.Close() })
	return r
}

func (r *rig) start() {
	r.t.Helper()
	if err := r.a.Start(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	if r.a.cfg.Token != "" {
		r.f.waitConnected()
	}
}

var nextID int

func interaction(typ int, data any, perms string) map[string]any {
	nextID++
	id := strconv.Itoa(900000 + nextID)
	return map[string]any{"id": id, "application_id": "app1", "type": typ, "token": "tok-" + id, "version": 1,
		"guild_id": "g1", "channel_id": "c1",
		"member": map[string]any{"user": map[string]any{"id": "u1", "username": "ann", "global_name": "Ann"}, "permissions": perms, "roles": []any{}},
		"data":   data}
}

func command(name string, opts ...map[string]any) map[string]any {
	if opts == nil {
		opts = []map[string]any{}
	}
	return map[string]any{"id": "cmd-" + name, "name": name, "type": 1, "options": opts}
}

func opt(name string, typ int, value any) map[string]any {
	return map[string]any{"name": name, "type": typ, "value": value}
}

type wireResponse struct {
	Type int `json:"type"`
	Data struct {
		Flags  int `json:"flags"`
		Embeds []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			Fields      []struct{ Name, Value string }
			Footer      *struct{ Text string }
		} `json:"embeds"`
		Components componentRows `json:"components"`
		Choices    []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"choices"`
		CustomID string `json:"custom_id"`
	} `json:"data"`
}

// componentRows are a message's rows of buttons, as Discord receives them.
type componentRows []struct {
	Components []struct {
		CustomID string `json:"custom_id"`
		Label    string `json:"label"`
	} `json:"components"`
}

func decode(t *testing.T, body []byte) wireResponse {
	t.Helper()
	var w wireResponse
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	return w
}

func (w wireResponse) text() string {
	var b strings.Builder
	for _, e := range w.Data.Embeds {
		b.WriteString(e.Title + "\n" + e.Description + "\n")
		for _, f := range e.Fields {
			b.WriteString(f.Name + ": " + f.Value + "\n")
		}
		if e.Footer != nil {
			b.WriteString("(" + e.Footer.Text + ")\n")
		}
	}
	return b.String()
}

func (w wireResponse) button(label string) string {
	for _, row := range w.Data.Components {
		for _, c := range row.Components {
			if c.Label == label {
				return c.CustomID
			}
		}
	}
	return ""
}

func (r *rig) card(w wireResponse) *questionbank.Card {
	r.t.Helper()
	for _, e := range w.Data.Embeds {
		if e.Footer != nil {
			if c, ok := r.Bank.Card(e.Footer.Text); ok {
				return c
			}
		}
	}
	r.t.Fatalf("no card in %s", w.text())
	return nil
}

func TestRegistersCommands(t *testing.T) {
	r := newRig(t, Config{GuildID: "g1"})
	r.start()
	put := r.f.next("/applications/app1/guilds/g1/commands")
	if put.Method != http.MethodPut {
		t.Fatalf("want a bulk overwrite (PUT), got %s", put.Method)
	}
	var cmds []struct {
		Name                     string  `json:"name"`
		Description              string  `json:"description"`
		DefaultMemberPermissions *string `json:"default_member_permissions"`
		Contexts                 []int   `json:"contexts"`
		Options                  []struct {
			Type         int    `json:"type"`
			Name         string `json:"name"`
			Autocomplete bool   `json:"autocomplete"`
			Choices      []struct{ Name, Value string }
			Options      []struct {
				Type         int    `json:"type"`
				Name         string `json:"name"`
				Required     bool   `json:"required"`
				ChannelTypes []int  `json:"channel_types"`
			} `json:"options"`
		} `json:"options"`
	}
	if err := json.Unmarshal(put.Body, &cmds); err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, c := range cmds {
		byName[c.Name] = i
		if c.Description == "" || len(c.Description) > 100 || len(c.Contexts) != 1 || c.Contexts[0] != 0 {
			t.Errorf("%s: description %q, contexts %v (want guild only, [0])", c.Name, c.Description, c.Contexts)
		}
	}
	for _, name := range []string{"question", "review", "practice", "leaderboard", "stats", "qotd", "help"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("command %s not registered", name)
		}
	}
	if _, ok := byName["answer"]; ok {
		t.Errorf("/answer is the console's; Discord uses a modal")
	}
	q := cmds[byName["question"]]
	if q.Options[0].Name != "category" || !q.Options[0].Autocomplete || q.Options[1].Name != "difficulty" || len(q.Options[1].Choices) != 3 {
		t.Errorf("/question options = %+v", q.Options)
	}
	qotd := cmds[byName["qotd"]]
	if qotd.DefaultMemberPermissions == nil || *qotd.DefaultMemberPermissions != "32" {
		t.Errorf("/qotd should need Manage Server (32): %v", qotd.DefaultMemberPermissions)
	}
	// /season start and end are for admins, so Discord hides /season as
	// a whole, as it hides /qotd (members read seasons with /leaderboard)
	season := cmds[byName["season"]]
	if season.DefaultMemberPermissions == nil || *season.DefaultMemberPermissions != "32" {
		t.Errorf("/season should need Manage Server (32): %v", season.DefaultMemberPermissions)
	}
	if len(season.Options) != 3 || season.Options[0].Name != "start" || season.Options[0].Type != 1 ||
		season.Options[0].Options[0].Name != "name" || !season.Options[0].Options[0].Required {
		t.Errorf("/season = %+v", season.Options)
	}
	// disputes are decided by admins: Discord shows the commands to them only
	for _, name := range []string{"disputes", "accept", "reject"} {
		if c := cmds[byName[name]]; c.Name != name || c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != "32" {
			t.Errorf("/%s should be registered for Manage Server (32): %+v", name, c)
		}
	}
	if acc := cmds[byName["accept"]]; len(acc.Options) != 1 || acc.Options[0].Name != "id" || acc.Options[0].Type != 3 {
		t.Errorf("/accept options = %+v", acc.Options)
	}
	for _, c := range cmds {
		if name := c.Name; name != "qotd" && name != "season" && name != "web" && name != "disputes" && name != "accept" && name != "reject" && c.DefaultMemberPermissions != nil {
			t.Errorf("/%s is hidden from members (default_member_permissions %s)", name, *c.DefaultMemberPermissions)
		}
	}
	set := qotd.Options[0]
	// Discord wants required options first: time, then the optional channel
	if set.Type != 1 || set.Name != "set" || set.Options[0].Name != "time" || !set.Options[0].Required || set.Options[1].Name != "channel" || set.Options[1].Type != 7 {
		t.Errorf("/qotd set = %+v", set)
	}
	if lb := cmds[byName["leaderboard"]]; len(lb.Options) != 5 || len(lb.Options[0].Choices) != 4 || lb.Options[3].Name != "by" ||
		len(lb.Options[3].Choices) != 2 || lb.Options[4].Name != "season" || lb.Options[4].Type != 3 {
		t.Errorf("/leaderboard options = %+v", lb.Options)
	}
	if st := cmds[byName["stats"]].Options[0]; st.Type != 6 {
		t.Errorf("/stats user option type %d, want 6 (user)", st.Type)
	}
}

func TestQuestionAndButtonOverTheGateway(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("question", opt("category", 3, "postgres")), "0"))
	cb := r.f.next("/interactions/")
	if !strings.HasSuffix(cb.Path, "/callback") {
		t.Fatalf("want an interaction callback, got %s", cb.Path)
	}
	w := decode(t, cb.Body)
	if w.Type != 4 || w.Data.Flags&64 != 0 {
		t.Fatalf("a drawn card is a public message (type 4): %+v", w)
	}
	bottest.MustContain(t, w.text(), "PostgreSQL & Persistence", "Quick check:")
	card := r.card(w)
	right := string("ABCDE"[card.QuickCheck.CorrectIndex()])
	if w.button(right) == "" || w.button("Hint") == "" || w.button("Answer") == "" {
		t.Fatalf("buttons missing: %+v", w.Data.Components)
	}

	press := interaction(3, map[string]any{"custom_id": w.button(right), "component_type": 2}, "0")
	r.f.dispatch("INTERACTION_CREATE", press)
	v := decode(t, r.f.next("/interactions/").Body)
	if v.Type != 4 || v.Data.Flags&64 == 0 {
		t.Fatalf("the verdict is ephemeral: %+v", v)
	}
	bottest.MustContain(t, v.text(), "Correct! +", "Streak: 1 day")
	m, _ := r.DB.Member(context.Background(), "discord:g1", "u1")
	if m.Answered != 1 || m.Name != "Ann" {
		t.Fatalf("member = %+v", m)
	}

	// the same interaction delivered again is handled once
	r.f.dispatch("INTERACTION_CREATE", press)
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("help"), "0"))
	h := decode(t, r.f.next("/interactions/").Body)
	bottest.MustContain(t, h.text(), "/question")
	if m, _ := r.DB.Member(context.Background(), "discord:g1", "u1"); m.Answered != 1 {
		t.Fatalf("a redelivered press was recorded again: %+v", m)
	}
}

// newDeferringRig starts a rig whose interactions always miss the defer
// deadline: their work waits until the test closes release, after it has
// seen the deferral.
func newDeferringRig(t *testing.T) (*rig, chan struct{}) {
	r := newRig(t, Config{DeferAfter: time.Nanosecond})
	release := make(chan struct{})
	r.a.beforeDelivery = func() { <-release } // the work outlives the deadline
	r.start()
	return r, release
}

func TestDeferredResponseIsEdited(t *testing.T) {
	r, release := newDeferringRig(t)
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("leaderboard", opt("period", 3, "all")), "0"))
	d := decode(t, r.f.next("/interactions/").Body)
	close(release)
	if d.Type != 5 {
		t.Fatalf("want a deferred response (type 5) first, got %d", d.Type)
	}
	edit := r.f.next("/webhooks/app1/")
	if edit.Method != http.MethodPatch || !strings.HasSuffix(edit.Path, "/messages/@original") {
		t.Fatalf("want PATCH @original, got %s %s", edit.Method, edit.Path)
	}
	bottest.MustContain(t, string(edit.Body), "Leaderboard: all time")
}

func TestTypedAnswerModal(t *testing.T) {
	r := newRig(t, Config{})
	r.useBank(bottest.TestBank(t))
	r.start()
	var card wireResponse
	for i := 0; i < 3; i++ {
		r.f.dispatch("INTERACTION_CREATE", interaction(2, command("question", opt("category", 3, "networking")), "0"))
		card = decode(t, r.f.next("/interactions/").Body)
		if card.button("Type answer") != "" {
			break
		}
	}
	action := card.button("Type answer")
	if action == "" {
		t.Fatal("never drew the typed card")
	}
	r.f.dispatch("INTERACTION_CREATE", interaction(3, map[string]any{"custom_id": action, "component_type": 2}, "0"))
	modal := decode(t, r.f.next("/interactions/").Body)
	if modal.Type != 9 || modal.Data.CustomID == "" {
		t.Fatalf("want a modal (type 9) for %s, got %+v", action, modal)
	}
	submit := interaction(5, map[string]any{"custom_id": modal.Data.CustomID, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "value": "the cache time"}}},
	}}, "0")
	r.f.dispatch("INTERACTION_CREATE", submit)
	v := decode(t, r.f.next("/interactions/").Body)
	bottest.MustContain(t, v.text(), "Correct!", "You answered", "the cache time")
}

func TestCategoryAutocomplete(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	ac := interaction(4, map[string]any{"id": "cmd-question", "name": "question", "type": 1,
		"options": []any{map[string]any{"name": "category", "type": 3, "value": "post", "focused": true}}}, "0")
	r.f.dispatch("INTERACTION_CREATE", ac)
	w := decode(t, r.f.next("/interactions/").Body)
	if w.Type != 8 || len(w.Data.Choices) != 1 || w.Data.Choices[0].Value != "postgres" {
		t.Fatalf("autocomplete = %+v", w)
	}
}

func TestDailyPostRateLimitAndDeletedChannel(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	// an admin (Manage Server = 32) sets two channels; a member is refused
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("qotd", map[string]any{"name": "set", "type": 1, "options": []any{
		opt("channel", 7, "c-ok"), opt("time", 3, "09:00"), opt("timezone", 3, "UTC")}}), "0"))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "Only server admins")
	for _, ch := range []string{"c-ok", "c-gone"} {
		r.f.dispatch("INTERACTION_CREATE", interaction(2, command("qotd", map[string]any{"name": "set", "type": 1, "options": []any{
			opt("channel", 7, ch), opt("time", 3, "09:00"), opt("timezone", 3, "UTC")}}), "32"))
		bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "<#"+ch+"> gets a question at 09:00 UTC")
	}
	r.f.RateLimit("/channels/c-ok/messages", 1) // one 429 with retry_after, then success
	r.f.Gone("c-gone")
	r.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	n, err := r.Bot.Tick(context.Background())
	if n != 1 || !errors.Is(err, bot.ErrChannelGone) {
		t.Fatalf("tick: posted %d, %v", n, err)
	}
	if got := r.a.RateLimited(); got != 1 {
		t.Fatalf("429s waited out: %d, want 1", got)
	}
	var posted int
	for _, q := range r.f.Requests() {
		if q.Method == http.MethodPost && q.Path == "/channels/c-ok/messages" {
			posted++
		}
	}
	if posted != 2 {
		t.Fatalf("want the 429'd request and its retry (2), got %d", posted)
	}
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("qotd", map[string]any{"name": "status", "type": 1}), "32"))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "<#c-gone>", "Paused: posting to <#c-gone> failed", "<#c-ok>", "last posted 2026-11-25")
}

func TestRateLimitRetriesAreBounded(t *testing.T) {
	r := newRig(t, Config{MaxRetries: 2})
	r.f.RateLimit("/channels/busy/messages", 100)
	err := r.a.Post(context.Background(), "discord:g1", "busy", bot.Reply{Title: "x"})
	if err == nil || !strings.Contains(err.Error(), "rate limited for 50ms after 2 retries") {
		t.Fatalf("want a rate limit error, got %v", err)
	}
	if got := r.a.RateLimited(); got != 3 {
		t.Fatalf("429s seen: %d, want 3 (the first try and 2 retries)", got)
	}
}

func TestGatewayReconnectsAndResumes(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.drop()
	r.f.waitConnected() // discordgo reconnects on its own and resumes the session
	resumes := r.f.Resumes()
	if resumes < 1 { // more when, under load, discordgo drops a new connection and resumes again
		t.Fatalf("want a Resume (op 6) after the drop, got %d", resumes)
	}
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("help"), "0"))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "/leaderboard")
	if !r.a.Ready() {
		t.Fatal("not ready after resuming")
	}
}

// The official sample payloads decode and get an answer.
func TestOfficialSamplePayloads(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "platform")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared fixtures are not beside the checkout (%v)", err)
	}
	r := newRig(t, Config{})
	r.start()
	for _, tc := range []struct{ file, want string }{
		{"discord_interaction_command.json", "Unknown command /cardsearch"},
		{"discord_interaction_component_button.json", "That button is not one of ours"},
	} {
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		var payload map[string]any
		if err := json.Unmarshal(data, &payload); err != nil {
			t.Fatal(err)
		}
		r.f.dispatch("INTERACTION_CREATE", payload)
		w := decode(t, r.f.next("/interactions/").Body)
		if w.Data.Flags&64 == 0 {
			t.Errorf("%s: errors are ephemeral", tc.file)
		}
		bottest.MustContain(t, w.text(), tc.want)
	}
	// the documented 429 bodies parse as discordgo reads them
	for _, f := range []string{"discord_rate_limit_429_user_body.json", "discord_rate_limit_429_global_body.json"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		var v struct {
			RetryAfter float64 `json:"retry_after"`
		}
		if json.Unmarshal(data, &v) != nil || v.RetryAfter <= 0 {
			t.Errorf("%s: no retry_after", f)
		}
	}
}

func TestInviteURL(t *testing.T) {
	got := InviteURL("123")
	want := "https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands&permissions=19456"
	if got != want {
		t.Fatalf("%s\nwant %s", got, want)
	}
}

// --- the HTTP interactions endpoint ---

type signer struct {
	priv ed25519.PrivateKey
	pub  string
}

func newSigner(t *testing.T) signer {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return signer{priv: priv, pub: hex.EncodeToString(pub)}
}

func (s signer) post(t *testing.T, url string, body []byte, ts time.Time, forge bool) (int, []byte) {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(s.priv, append([]byte(stamp), body...))
	if forge {
		sig[0] ^= 0xff
	}
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", stamp)
	code, out := bottest.Do(t, req)
	if code == http.StatusOK {
		checkResponse(t, body, out)
	}
	return code, out
}

// checkResponse validates what the Interactions Endpoint answered against
// the callback schema of Discord's spec and the documented rules.
func checkResponse(t *testing.T, request, response []byte) {
	t.Helper()
	var i struct {
		Type int `json:"type"`
	}
	json.Unmarshal(request, &i)
	for _, err := range discordtest.CheckInteractionResponse(i.Type, response) {
		t.Errorf("the endpoint's response to a type %d interaction would be refused by Discord: %v\n%s", i.Type, err, response)
	}
}

func TestInteractionsEndpoint(t *testing.T) {
	s := newSigner(t)
	r := newRig(t, Config{PublicKey: s.pub})
	r.start()
	mux := http.NewServeMux()
	r.a.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url := srv.URL + "/discord/interactions"
	now := time.Now()
	body := func(v any) []byte { b, _ := json.Marshal(v); return b }

	if code, out := s.post(t, url, []byte(`{"type":1,"id":"p1"}`), now, false); code != 200 || string(out) != `{"type":1}` {
		t.Fatalf("PING: %d %s", code, out)
	}
	code, out := s.post(t, url, body(interaction(2, command("question", opt("category", 3, "coding")), "0")), now, false)
	w := decode(t, out)
	if code != 200 || w.Type != 4 {
		t.Fatalf("command: %d %s", code, out)
	}
	card := r.card(w)
	wrong := string("ABCDE"[(card.QuickCheck.CorrectIndex()+1)%len(card.QuickCheck.Options)])
	press := body(interaction(3, map[string]any{"custom_id": w.button(wrong), "component_type": 2}, "0"))
	code, out = s.post(t, url, press, now, false)
	if v := decode(t, out); code != 200 || v.Data.Flags&64 == 0 || !strings.Contains(v.text(), "Not quite") {
		t.Fatalf("button: %d %s", code, out)
	}

	// refused, with no side effect
	another := body(interaction(3, map[string]any{"custom_id": w.button(wrong), "component_type": 2}, "0"))
	for _, tc := range []struct {
		name string
		body []byte
		ts   time.Time
		bad  bool
		want int
	}{
		{"forged signature", another, now, true, 401},
		{"stale timestamp", another, now.Add(-6 * time.Minute), false, 401},
		{"timestamp from the future", another, now.Add(6 * time.Minute), false, 401},
		{"malformed body", []byte(`{"type": "two",`), now, false, 400},
		{"unknown interaction type", []byte(`{"type": 42, "id": "x"}`), now, false, 400},
	} {
		if code, out := s.post(t, url, tc.body, tc.ts, tc.bad); code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, out, tc.want)
		}
	}
	resp, _ := http.Post(url, "application/json", strings.NewReader(`{"type":1}`))
	if resp.StatusCode != 401 {
		t.Errorf("unsigned: %d", resp.StatusCode)
	}
	m, _ := r.DB.Member(context.Background(), "discord:g1", "u1")
	if m.Answered != 1 {
		t.Fatalf("refused requests must not record anything: %+v", m)
	}
	big := make([]byte, maxBody+10)
	if code, _ := s.post(t, url, big, now, false); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", code)
	}
}

func TestSplitMarkdownKeepsCodeBlocks(t *testing.T) {
	var b strings.Builder
	b.WriteString("Intro paragraph.\n\n```python\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "x_%03d = compute(%d)  # a line of code\n", i, i)
	}
	b.WriteString("```\n\nClosing words.")
	parts := adapter.SplitMarkdown(b.String(), 4096, adapter.SplitOptions{})
	if len(parts) < 3 {
		t.Fatalf("want the text split, got %d parts", len(parts))
	}
	for i, p := range parts {
		if n := len([]rune(p)); n > 4096 {
			t.Errorf("part %d has %d runes", i, n)
		}
		if strings.Count(p, "```")%2 != 0 {
			t.Errorf("part %d has an unbalanced fence:\n%s", i, p)
		}
		if i > 0 && i < len(parts)-1 && !strings.HasPrefix(p, "```python\n") {
			t.Errorf("part %d does not reopen the python block", i)
		}
	}
	joined := strings.Join(parts, "\n")
	for i := 0; i < 400; i++ {
		if !strings.Contains(joined, fmt.Sprintf("x_%03d = compute(%d)", i, i)) {
			t.Fatalf("line %d lost", i)
		}
	}
	e := embeds(bot.Reply{Title: "t", Text: b.String(), Footer: "f"})
	total := 0
	for _, x := range e {
		total += len([]rune(x.Title)) + len([]rune(x.Description))
		if x.Footer != nil {
			total += len([]rune(x.Footer.Text))
		}
	}
	if total > maxEmbedTotal || len(e) > maxEmbeds {
		t.Fatalf("embeds total %d characters in %d embeds", total, len(e))
	}
}

func TestButtonsInRowsOfFive(t *testing.T) {
	var bs []bot.Button
	for i := 0; i < 12; i++ {
		bs = append(bs, bot.Button{ID: fmt.Sprint("b", i), Label: strings.Repeat("long label ", 10)})
	}
	rows := components(bs)
	if len(rows) != 3 {
		t.Fatalf("12 buttons in %d rows", len(rows))
	}
	data, _ := json.Marshal(rows)
	var back []struct {
		Components []struct{ Label string } `json:"components"`
	}
	json.Unmarshal(data, &back)
	if len(back[0].Components) != 5 || len(back[2].Components) != 2 || len([]rune(back[0].Components[0].Label)) > maxLabel {
		t.Fatalf("rows = %s", data)
	}
}

func TestReviewOverTheGateway(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("review"), "0"))
	w := decode(t, r.f.next("/interactions/").Body)
	if w.Data.Flags&64 == 0 {
		t.Fatalf("a review card is ephemeral: %+v", w)
	}
	bottest.MustContain(t, w.text(), "Review: a new card (1 of 5 new today)")
	card := r.card(w)
	right := string("ABCDE"[card.QuickCheck.CorrectIndex()])
	r.f.dispatch("INTERACTION_CREATE", interaction(3, map[string]any{"custom_id": w.button(right), "component_type": 2}, "0"))
	v := decode(t, r.f.next("/interactions/").Body)
	next := v.button("Next review card")
	if next == "" {
		t.Fatalf("no next review button: %s", v.text())
	}
	r.f.dispatch("INTERACTION_CREATE", interaction(3, map[string]any{"custom_id": next, "component_type": 2}, "0"))
	n := decode(t, r.f.next("/interactions/").Body)
	bottest.MustContain(t, n.text(), "Review: a new card (2 of 5 new today)")
	if r.card(n).ID == card.ID {
		t.Fatal("the same card twice")
	}
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("practice", opt("category", 3, "coding")), "0"))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "Practice: You ", "Coding & Logic Challenges")
}

func TestWeeklyDigestPosted(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("qotd", map[string]any{"name": "set", "type": 1, "options": []any{
		opt("channel", 7, "c-digest"), opt("time", 3, "09:00"), opt("timezone", 3, "UTC"), opt("weekdays", 3, "sat"), opt("digest", 3, "wed")}}), "32"))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "Every Wednesday at 09:00 it also gets the week's digest")
	r.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) // a Wednesday
	if _, err := r.Bot.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	post := r.f.next("/channels/c-digest/messages")
	bottest.MustContain(t, string(post.Body), "This week in study")
}

func TestStudyRoundOnDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("study", opt("category", 3, "coding"), opt("count", 3, "1"), opt("seconds", 3, "10")), "0"))
	w := decode(t, r.f.next("/interactions/").Body)
	if w.Data.Flags&64 != 0 {
		t.Fatal("a round's card is for the whole channel")
	}
	bottest.MustContain(t, w.text(), "Study round: card 1 of 1")
	card := r.card(w)
	r.f.dispatch("INTERACTION_CREATE", interaction(3, map[string]any{"custom_id": w.button(string("ABCDE"[card.QuickCheck.CorrectIndex()])), "component_type": 2}, "0"))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "(with a speed bonus)")
	r.Clock.Add(11 * time.Second)
	if err := r.Bot.TickRounds(context.Background()); err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, string(r.f.next("/channels/c1/messages").Body), "Time! Card 1 of 1")
	bottest.MustContain(t, string(r.f.next("/channels/c1/messages").Body), "Study round over", "Ann")
}

func TestStatsPictureIsUploaded(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("question", opt("category", 3, "python")), "0"))
	w := decode(t, r.f.next("/interactions/").Body)
	card := r.card(w)
	r.f.dispatch("INTERACTION_CREATE", interaction(3, map[string]any{"custom_id": w.button(string("ABCDE"[card.QuickCheck.CorrectIndex()])), "component_type": 2}, "0"))
	r.f.next("/interactions/")
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("stats"), "0"))
	d := decode(t, r.f.next("/interactions/").Body)
	if d.Type != 5 || d.Data.Flags&64 == 0 {
		t.Fatalf("a reply with a picture is deferred (privately), then edited: %+v", d)
	}
	edit := r.f.next("/webhooks/app1/")
	body := string(edit.Body)
	if !strings.Contains(body, "\x89PNG") || !strings.Contains(body, `filename="stats.png"`) || !strings.Contains(body, "attachment://stats.png") {
		t.Fatalf("the edit should upload stats.png (multipart) and show it in the embed; got %d bytes", len(body))
	}
}
