package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/discord/discordtest"
	"github.com/prepbot/prepbot/questionbank"
)

// useBank makes the rig's bot draw from another bank (before start).
func (r *rig) useBank(b *questionbank.Bank) { r.a.bot = r.UseBank(b) }

// press dispatches a press of the button with the label and returns the
// callback's body.
func (r *rig) press(w wireResponse, label string) wireResponse {
	r.t.Helper()
	id := w.button(label)
	if id == "" {
		r.t.Fatalf("no %q button in %+v", label, w.Data.Components)
	}
	r.f.dispatch("INTERACTION_CREATE", interaction(3, map[string]any{"custom_id": id, "component_type": 2}, "0"))
	return decode(r.t, r.f.next("/interactions/").Body)
}

// The strict fake refuses what Discord refuses, so it cannot silently
// become kind again.
func TestStrictFakeRefusesWhatDiscordRefuses(t *testing.T) {
	f := discordtest.New(t)
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, f.APIURL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
		req.Header.Set("Authorization", "Bot "+discordtest.Token)
		req.Header.Set("Content-Type", "application/json")
		code, out := bottest.Do(t, req)
		return code, string(out)
	}
	embed := func(n int) string {
		b, _ := json.Marshal(map[string]any{"embeds": []any{
			map[string]any{"title": strings.Repeat("t", 256), "description": strings.Repeat("d", 4096)},
			map[string]any{"description": strings.Repeat("e", n-256-4096-10), "footer": map[string]any{"text": strings.Repeat("f", 10)}},
		}})
		return string(b)
	}
	button := func(id string) string {
		return `{"type":4,"data":{"content":"x","components":[{"type":1,"components":[{"type":2,"style":1,"label":"A","custom_id":"` + id + `"}]}]}}`
	}
	f.Interaction("tok-modal", discordtest.InteractionModalSubmit)
	f.Interaction("tok-ac", discordtest.InteractionAutocomplete)
	longChoice, _ := json.Marshal(map[string]any{"type": 8, "data": map[string]any{"choices": []any{
		map[string]any{"name": "c", "value": strings.Repeat("v", 101)}}}})
	for _, tc := range []struct {
		name, method, path, body string
		want                     string // in the error
	}{
		{"optional option before a required one", "PUT", "/applications/app1/commands",
			`[{"name":"qotd","description":"d","options":[{"type":1,"name":"set","description":"d","options":[` +
				`{"type":7,"name":"channel","description":"c"},{"type":3,"name":"time","description":"t","required":true}]}]}]`,
			"required options must be listed before optional options"},
		{"upper-case command name", "PUT", "/applications/app1/guilds/g1/commands", `[{"name":"Question","description":"d"}]`, "lower case"},
		{"26 choices", "PUT", "/applications/app1/commands", `[{"name":"q","description":"d","options":[{"type":3,"name":"o","description":"d","choices":[` +
			strings.TrimSuffix(strings.Repeat(`{"name":"a","value":"a"},`, 26), ",") + `]}]}]`, "choices"},
		{"custom_id of 101 characters", "POST", "/interactions/1/tok-1/callback", button(strings.Repeat("x", 101)), "custom_id"},
		{"6,001 characters of embeds", "POST", "/channels/c1/messages", embed(6001), "6001 characters over all embeds"},
		{"type 9 for a MODAL_SUBMIT", "POST", "/interactions/2/tok-modal/callback",
			`{"type":9,"data":{"custom_id":"w:1","title":"t","components":[{"type":1,"components":[{"type":4,"custom_id":"text","label":"l","style":1}]}]}}`,
			"cannot answer a MODAL_SUBMIT"},
		{"autocomplete value of 101 characters", "POST", "/interactions/3/tok-ac/callback", string(longChoice), "data.choices.0.value"},
	} {
		code, body := do(tc.method, tc.path, tc.body)
		v := f.TakeViolations()
		if code != 400 || !strings.Contains(body, `"code":50035`) || !strings.Contains(body, "Invalid Form Body") {
			t.Errorf("%s: %d %s, want 400 Invalid Form Body (50035)", tc.name, code, body)
		}
		if len(v) != 1 || !strings.Contains(fmt.Sprint(v[0]), tc.want) {
			t.Errorf("%s: violations %v, want one saying %q", tc.name, v, tc.want)
		}
	}
	// what fits is accepted: 6,000 characters, a 100-character custom_id
	if code, body := do("POST", "/channels/c1/messages", embed(6000)); code != 200 {
		t.Errorf("6,000 characters of embeds: %d %s", code, body)
	}
	if code, body := do("POST", "/interactions/4/tok-4/callback", button(strings.Repeat("x", 100))); code != 204 {
		t.Errorf("a 100-character custom_id: %d %s", code, body)
	}
	if _, err := discordtest.LoadSpec(); err != nil {
		t.Fatal(err)
	}
	if discordtest.FindSpec() == "" {
		t.Logf("%s not found: the spec's own checks were skipped", discordtest.SpecFile)
		return
	}
	// an operation Discord does not have answers 404, and fails the test too
	if code, _ := do("POST", "/applications/app1/nonsense", `{}`); code != 404 {
		t.Errorf("an unknown operation: %d", code)
	}
	if v := f.TakeViolations(); len(v) != 1 {
		t.Errorf("an unknown operation is a violation: %v", v)
	}
	// the spec's own limits: an embed description of 4,097 characters
	long, _ := json.Marshal(map[string]any{"embeds": []any{map[string]any{"description": strings.Repeat("d", 4097)}}})
	if code, _ := do("PATCH", "/webhooks/app1/tok-5/messages/@original", string(long)); code != 400 {
		t.Errorf("a 4,097-character description: %d", code)
	}
	if v := f.TakeViolations(); len(v) != 1 || !strings.Contains(fmt.Sprint(v[0]), "maxLength") {
		t.Errorf("want the spec's maxLength refused: %v", v)
	}
	// and it takes default_member_permissions as a string of digits, as the API does
	if code, body := do("PUT", "/applications/app1/commands", `[{"name":"qotd","description":"d","default_member_permissions":"32"}]`); code != 200 {
		t.Errorf("default_member_permissions as a string: %d %s", code, body)
	}
}

// A long but plausible bank (9,000-character answers with code blocks,
// 3,000-character prompts, five 200-character options, 64-character
// category ids, 100-character card ids, hostile text) renders within
// Discord's limits everywhere: the strict fake checks every body.
func TestLongBankFitsDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.useBank(bottest.LongBank(t))
	r.start()
	cat := r.Bank.Categories()[0].ID
	r.f.dispatch("INTERACTION_CREATE", interaction(4, map[string]any{"id": "cmd-question", "name": "question", "type": 1,
		"options": []any{map[string]any{"name": "category", "type": 3, "value": "c", "focused": true}}}, "0"))
	if ac := decode(t, r.f.next("/interactions/").Body); ac.Type != 8 || len(ac.Data.Choices) != 1 || ac.Data.Choices[0].Value != cat {
		t.Fatalf("autocomplete: %+v", ac)
	}
	var card wireResponse
	for i := 0; i < 8; i++ { // until a card with quick-check buttons
		r.f.dispatch("INTERACTION_CREATE", interaction(2, command("question", opt("category", 3, cat)), "0"))
		card = decode(t, r.f.next("/interactions/").Body)
		if card.button("A") != "" {
			break
		}
	}
	if card.Type != 4 || card.button("A") == "" {
		t.Fatalf("no quick-check card: %+v", card)
	}
	hint := r.press(card, "Hint")
	bottest.MustContain(t, hint.text(), "Concept 0")
	reveal := r.press(card, "Answer")
	text := reveal.text()
	bottest.MustContain(t, text, "class Node", "cut to fit Discord's limits")
	if reveal.Type != 4 || len(reveal.Data.Embeds) < 2 {
		t.Fatalf("the 9,000-character answer should fill several embeds: %d", len(reveal.Data.Embeds))
	}
	r.press(card, "C")
	// the same answer posted to a channel (the daily question's reveal path)
	c, _ := r.Bank.Card(r.card(card).ID)
	if err := r.a.Post(context.Background(), "discord:g1", "c-long", bot.Reply{Title: c.Prompt, Text: c.Answer, Footer: c.ID,
		Fields: []bot.Field{{Name: "Category", Value: c.Category}}}); err != nil {
		t.Fatal(err)
	}
}

// A hostile nickname in a leaderboard shows as typed: the domain escapes
// it, Discord renders \* as *, and no message lets a mention ping.
func TestHostileNicknameInLeaderboard(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	nick := "[click](https://evil.example) **x** <@&1>"
	withNick := func(i map[string]any) map[string]any {
		i["member"].(map[string]any)["nick"] = nick
		return i
	}
	r.f.dispatch("INTERACTION_CREATE", withNick(interaction(2, command("question", opt("category", 3, "python")), "0")))
	w := decode(t, r.f.next("/interactions/").Body)
	card := r.card(w)
	r.f.dispatch("INTERACTION_CREATE", withNick(interaction(3, map[string]any{"custom_id": w.button(string("ABCDE"[card.QuickCheck.CorrectIndex()])), "component_type": 2}, "0")))
	r.f.next("/interactions/")
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("leaderboard", opt("period", 3, "all")), "0"))
	raw := r.f.next("/interactions/").Body
	lb := decode(t, raw)
	bottest.MustContain(t, lb.text(), bot.EscapeMarkdown(nick))
	if strings.Contains(lb.text(), nick) {
		t.Fatalf("the nickname went out unescaped:\n%s", lb.text())
	}
	var m struct {
		Data struct {
			AllowedMentions *struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		} `json:"data"`
	}
	json.Unmarshal(raw, &m)
	if m.Data.AllowedMentions == nil || len(m.Data.AllowedMentions.Parse) != 0 {
		t.Fatalf("want allowed_mentions with nothing to parse: %s", raw)
	}
	// the daily post too
	if err := r.a.Post(context.Background(), "discord:g1", "c-daily", bot.Reply{Title: "x", Text: nick}); err != nil {
		t.Fatal(err)
	}
	post := r.f.next("/channels/c-daily/messages")
	var p struct {
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	json.Unmarshal(post.Body, &p)
	if p.AllowedMentions == nil || len(p.AllowedMentions.Parse) != 0 {
		t.Fatalf("a channel post must send allowed_mentions with nothing to parse: %s", post.Body)
	}
}

// A slow store write (the delivery record is a bbolt commit with an fsync)
// cannot delay the first response past DeferAfter: the timer starts
// first, on the gateway and on the Interactions Endpoint.
func TestSlowDeliveryWriteDoesNotDelayTheFirstResponse(t *testing.T) {
	s := newSigner(t)
	r := newRig(t, Config{DeferAfter: 100 * time.Millisecond, PublicKey: s.pub, Token: "test-token"})
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	r.a.beforeDelivery = func() { <-release }
	r.start()

	start := time.Now()
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("help"), "0"))
	d := decode(t, r.f.next("/interactions/").Body)
	if d.Type != 5 || d.Data.Flags&64 == 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("want a private deferral within DeferAfter while the write stalls, got type %d after %v", d.Type, time.Since(start))
	}
	free()
	edit := r.f.next("/webhooks/app1/")
	bottest.MustContain(t, string(edit.Body), "/question")

	// the Interactions Endpoint
	release = make(chan struct{})
	once = sync.Once{}
	srv := httptest.NewServer(r.a)
	defer srv.Close()
	start = time.Now()
	code, out := s.post(t, srv.URL, mustJSON(interaction(2, command("help"), "0")), time.Now(), false)
	if w := decode(t, out); code != 200 || w.Type != 5 || time.Since(start) > 2*time.Second {
		t.Fatalf("endpoint: %d %s after %v, want a deferral within DeferAfter", code, out, time.Since(start))
	}
	free()
	bottest.MustContain(t, string(r.f.next("/webhooks/app1/").Body), "/question")
}

func (s signer) sign(ts string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(s.priv, append([]byte(ts), body...)))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// A deferred "Type answer" press cannot open a modal any more: the member
// gets a private message with the button to press again. A modal
// submission is never answered with a modal.
func TestTypedAnswerModalEdgeCases(t *testing.T) {
	r := newRig(t, Config{})
	r.useBank(bottest.LongBank(t))
	r.start()
	cat := r.Bank.Categories()[0].ID
	var card wireResponse
	for i := 0; i < 12 && card.button("Type answer") == ""; i++ {
		r.f.dispatch("INTERACTION_CREATE", interaction(2, command("question", opt("category", 3, cat)), "0"))
		card = decode(t, r.f.next("/interactions/").Body)
	}
	typeAnswer := card.button("Type answer")
	if typeAnswer == "" {
		t.Fatal("never drew the typed card")
	}
	// a modal submission with nothing typed, carrying the button's action
	r.f.dispatch("INTERACTION_CREATE", interaction(5, map[string]any{"custom_id": typeAnswer, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "value": "  "}}},
	}}, "0"))
	blank := decode(t, r.f.next("/interactions/").Body)
	if blank.Type != 4 || blank.Data.Flags&64 == 0 {
		t.Fatalf("a blank submission gets a private message, got %+v", blank)
	}

	// the press deferred (DeferAfter passed before the reply was ready)
	r.a.cfg.DeferAfter = time.Nanosecond
	release := make(chan struct{})
	r.a.beforeDelivery = func() { <-release } // the work outlives the deadline
	r.f.dispatch("INTERACTION_CREATE", interaction(3, map[string]any{"custom_id": typeAnswer, "component_type": 2}, "0"))
	d := decode(t, r.f.next("/interactions/").Body)
	close(release)
	if d.Type != 5 || d.Data.Flags&64 == 0 {
		t.Fatalf("want a private deferral, got %+v", d)
	}
	edit := r.f.next("/webhooks/app1/")
	var msg struct {
		Components componentRows `json:"components"`
	}
	json.Unmarshal(edit.Body, &msg)
	if edit.Method != http.MethodPatch || len(msg.Components) != 1 || msg.Components[0].Components[0].CustomID != typeAnswer {
		t.Fatalf("want the deferred response edited into a message with the Type answer button: %s %s", edit.Method, edit.Body)
	}
	bottest.MustContain(t, string(edit.Body), "Type answer")
}

// A reply is never shown to more people than it is meant for: a command
// that answers in public but is refused (privately) after a public
// deferral has the deferral deleted and the refusal sent as an ephemeral
// follow-up; the opposite swaps likewise.
func TestDeferredReplyKeepsItsVisibility(t *testing.T) {
	r, release := newDeferringRig(t)
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("question", opt("category", 3, "no-such-category")), "0"))
	d := decode(t, r.f.next("/interactions/").Body)
	close(release)
	if d.Type != 5 || d.Data.Flags&64 != 0 {
		t.Fatalf("/question defers in public: %+v", d)
	}
	del := r.f.next("/webhooks/app1/")
	if del.Method != http.MethodDelete || !strings.HasSuffix(del.Path, "/messages/@original") {
		t.Fatalf("want the public deferral deleted, got %s %s", del.Method, del.Path)
	}
	follow := r.f.next("/webhooks/app1/")
	var m struct {
		Flags int `json:"flags"`
	}
	json.Unmarshal(follow.Body, &m)
	if follow.Method != http.MethodPost || m.Flags&64 == 0 {
		t.Fatalf("want the refusal as an ephemeral follow-up, got %s %s %s", follow.Method, follow.Path, follow.Body)
	}

	// the opposite: deferred privately, the reply is for the channel
	i := interaction(2, command("help"), "0")
	r.f.Interaction(i["token"].(string), 2)
	var di discordgo.Interaction
	if err := json.Unmarshal(mustJSON(i), &di); err != nil {
		t.Fatal(err)
	}
	r.a.deliver(&di, bot.Reply{Title: "For everyone"}, true)
	if del := r.f.next("/webhooks/app1/"); del.Method != http.MethodDelete {
		t.Fatalf("want the private deferral deleted, got %s", del.Method)
	}
	follow = r.f.next("/webhooks/app1/")
	m.Flags = 0
	json.Unmarshal(follow.Body, &m)
	if follow.Method != http.MethodPost || m.Flags&64 != 0 || !strings.Contains(string(follow.Body), "For everyone") {
		t.Fatalf("want a public follow-up, got %s %s", follow.Method, follow.Body)
	}
}

// The Interactions Endpoint writes its response only from ServeHTTP's own
// goroutine: when the client went away, a reply that is ready later is not
// written to the finished request (a data race under -race).
func TestInteractionsEndpointClientGoesAway(t *testing.T) {
	s := newSigner(t)
	r := newRig(t, Config{PublicKey: s.pub})
	release, working := make(chan struct{}), make(chan struct{})
	r.a.beforeDelivery = func() { close(working); <-release }
	r.start()
	body := mustJSON(interaction(2, command("help"), "0"))
	ts := fmt.Sprint(time.Now().Unix())
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/discord/interactions", strings.NewReader(string(body)))
	sig := s.sign(ts, body)
	req.Header.Set("X-Signature-Ed25519", sig)
	req.Header.Set("X-Signature-Timestamp", ts)
	rec := httptest.NewRecorder()
	served := make(chan struct{})
	go func() {
		r.a.ServeHTTP(rec, req)
		close(served)
	}()
	<-working // ServeHTTP waits for the first response
	cancel()  // the client goes away
	bottest.Await(t, "ServeHTTP to return when the client went away", served)
	got := rec.Body.String() // ServeHTTP has returned: the request is finished
	close(release)
	if !r.a.inflight.Wait(5 * time.Second) {
		t.Fatal("the interaction's work did not finish")
	}
	if got != "" || rec.Body.Len() != 0 {
		t.Fatalf("something was written to a finished request: %q", rec.Body.String())
	}
}

// Discord's documented global 429 (Retry-After: 65, X-RateLimit-Global,
// no X-RateLimit-Reset-After) is waited out, and holds every following
// request of the adapter until it has passed: the daily fan-out does not
// fire into a known limit. The pacer's clock is a fake one.
func TestGlobalRateLimitHoldsTheFanOut(t *testing.T) {
	r := newRig(t, Config{})
	clock := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) // its sleeps take no time
	r.a.pacer.Now, r.a.pacer.Sleep = clock.Now, clock.Sleep
	start := clock.Now()
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	for _, ch := range []string{"c1", "c2", "c3"} {
		path := "/channels/" + ch + "/messages"
		r.f.Stall(path, func() {
			mu.Lock()
			arrived[path] = clock.Now()
			mu.Unlock()
		})
	}
	r.f.GlobalLimit(1)
	for _, ch := range []string{"c1", "c2", "c3"} {
		if err := r.a.Post(context.Background(), "discord:g1", ch, bot.Reply{Title: "Question of the day"}); err != nil {
			t.Fatalf("post to %s: %v", ch, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, path := range []string{"/channels/c1/messages", "/channels/c2/messages", "/channels/c3/messages"} {
		at, ok := arrived[path]
		if !ok || at.Sub(start) < 65*time.Second {
			t.Fatalf("%s sent %v after a global 429 with Retry-After 65 (sent: %v)", path, at.Sub(start), ok)
		}
	}
	var limited int
	for _, q := range r.f.Requests() {
		if q.Path == "/channels/c1/messages" {
			limited++
		}
	}
	if limited != 2 || r.a.RateLimited() != 1 {
		t.Fatalf("want one 429 and one retry to c1, got %d requests, %d 429s", limited, r.a.RateLimited())
	}
}

// Autocomplete never offers a value Discord would refuse (over 100
// characters), nor more than 25 choices; the fake checks what it sends.
func TestAutocompleteChoicesFitDiscord(t *testing.T) {
	cats := []questionbank.Category{{ID: strings.Repeat("x", 101), Name: "Too long"}}
	for i := 0; i < 30; i++ {
		cats = append(cats, questionbank.Category{ID: fmt.Sprintf("cat-%02d", i), Name: strings.Repeat("Name ", 30)})
	}
	choices := categoryChoices(cats, "")
	if len(choices) != 25 {
		t.Fatalf("%d choices, want 25", len(choices))
	}
	resp, _ := json.Marshal(&discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices}})
	for _, err := range discordtest.CheckInteractionResponse(discordtest.InteractionAutocomplete, resp) {
		t.Error(err)
	}
}

// A 9,000-character answer with code blocks, cut to fit one message, keeps
// every embed within 4,096 characters with the "cut to fit" note and the
// message within 6,000: Discord refused the reveal when the note was added
// to a piece already sized to 4,096.
func TestLongAnswerWithCodeFitsWithTheCutNote(t *testing.T) {
	r := newRig(t, Config{})
	var b strings.Builder
	b.WriteString("The idea, then the code.\n\n```go\n")
	for b.Len() < 9000 {
		b.WriteString("x := f(y)\n") // short lines: a piece fills up to its last character
	}
	b.WriteString("```\n\nThat is all.")
	reply := bot.Reply{Title: "Model answer", Text: b.String(), Footer: "card-1"}
	if err := r.a.Post(context.Background(), "discord:g1", "c-answer", reply); err != nil {
		t.Fatalf("the post was refused: %v", err)
	}
	body := string(r.f.next("/channels/c-answer/messages").Body)
	bottest.MustContain(t, body, "cut to fit Discord's limits")
	// the same reply as an interaction response
	resp, _ := json.Marshal(response(reply))
	for _, err := range discordtest.CheckInteractionResponse(discordtest.InteractionComponent, resp) {
		t.Error(err)
	}
	for _, e := range embeds(reply) {
		if n := len([]rune(e.Description)); n > maxDescription {
			t.Errorf("a description of %d characters", n)
		}
		if strings.Count(e.Description, "```")%2 != 0 {
			t.Errorf("an unbalanced code fence:\n%s", e.Description)
		}
	}
}

// The same through the scheduler: a global 429 in the middle of the daily
// fan-out holds the rest of it until the limit has passed, and every
// channel still gets its question.
func TestGlobalRateLimitDuringTheDailyFanOut(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	channels := []string{"c-a", "c-b", "c-c"}
	for _, ch := range channels {
		r.f.dispatch("INTERACTION_CREATE", interaction(2, command("qotd", map[string]any{"name": "set", "type": 1, "options": []any{
			opt("time", 3, "09:00"), opt("channel", 7, ch), opt("timezone", 3, "UTC")}}), "32"))
		bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "<#"+ch+"> gets a question at 09:00 UTC")
	}
	clock := bottest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) // its sleeps take no time
	r.a.pacer.Now, r.a.pacer.Sleep = clock.Now, clock.Sleep
	start := clock.Now()
	var mu sync.Mutex
	var posted []time.Time
	for _, ch := range channels {
		r.f.Stall("/channels/"+ch+"/messages", func() {
			mu.Lock()
			posted = append(posted, clock.Now())
			mu.Unlock()
		})
	}
	r.f.GlobalLimit(1) // the first post meets the global limit
	r.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	n, err := r.Bot.Tick(context.Background())
	if n != 3 || err != nil {
		t.Fatalf("tick: posted %d, %v", n, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posted) != 3 {
		t.Fatalf("%d posts went through", len(posted))
	}
	for i, at := range posted {
		if at.Sub(start) < 65*time.Second {
			t.Fatalf("post %d went out %v after a global 429 with Retry-After 65", i, at.Sub(start))
		}
	}
}
