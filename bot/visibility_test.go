package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

type harness struct {
	t     *testing.T
	bot   *bot.Bot
	clock *bottest.Clock
	chat  *bottest.Chat
}

func newHarness(t *testing.T, bank *questionbank.Bank) *harness {
	t.Helper()
	if bank == nil {
		bank = bottest.Bank(t)
	}
	h := &harness{t: t, clock: bottest.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)), chat: &bottest.Chat{}}
	h.bot = bot.New(bot.Config{Bank: bank, Store: bottest.OpenDB(t), Clock: h.clock, Chat: h.chat, DrawLimit: 1000})
	return h
}

func (h *harness) req(user string) bot.Request {
	return bot.Request{Platform: "discord", Group: "discord:g1", Channel: "c1", User: bot.User{ID: user, Name: user}, Args: map[string]string{}}
}

// do handles a request and checks that its reply has the visibility
// bot.PrivateReply promised before it was handled: the adapters fix a
// deferred reply's visibility with it.
func (h *harness) do(req bot.Request) (bot.Reply, error) {
	h.t.Helper()
	want := bot.PrivateReply(req)
	r, err := h.bot.Handle(context.Background(), req)
	if err != nil {
		if !r.Private {
			h.t.Errorf("%s%s: a refusal must be private: %+v", req.Command, req.Action, r)
		}
		return r, err
	}
	if r.Private != want {
		h.t.Errorf("/%s %v (action %q): reply private=%v, but PrivateReply said %v", req.Command, req.Args, req.Action, r.Private, want)
	}
	h.clock.Add(time.Second)
	return r, nil
}

func (h *harness) command(user, name string, args ...string) (bot.Reply, error) {
	h.t.Helper()
	req := h.req(user)
	req.Command = name
	for i := 0; i+1 < len(args); i += 2 {
		req.Args[args[i]] = args[i+1]
	}
	return h.do(req)
}

// qotd runs /qotd as an admin ("boss"), with its options as name, value
// pairs.
func (h *harness) qotd(args ...string) (bot.Reply, error) {
	h.t.Helper()
	req := h.req("boss")
	req.User.Admin = true
	req.Command = "qotd"
	for i := 0; i+1 < len(args); i += 2 {
		req.Args[args[i]] = args[i+1]
	}
	return h.do(req)
}

// bankOf builds a bank from YAML text, as a bank file would.
func bankOf(t *testing.T, text string) *questionbank.Bank {
	t.Helper()
	doc, errs := bankfile.ParseYAML("test.yaml", strings.NewReader(text))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	b, err := questionbank.Build(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) press(user, action, text string) (bot.Reply, error) {
	h.t.Helper()
	req := h.req(user)
	req.Action, req.Text = action, text
	return h.do(req)
}

func button(r bot.Reply, prefix string) string {
	for _, b := range r.Buttons {
		if strings.HasPrefix(b.ID, prefix) || strings.HasPrefix(b.Label, prefix) {
			return b.ID
		}
	}
	return ""
}

// Every command and button the bot offers answers with the visibility that
// PrivateReply gives before it is handled.
func TestPrivateReplyIsKnownBeforehand(t *testing.T) {
	h := newHarness(t, nil)
	card, err := h.command("ann", "question", "category", "python")
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"Hint", "Answer"} {
		if _, err := h.press("ann", button(card, prefix), ""); err != nil {
			t.Fatal(err)
		}
	}
	verdict, err := h.press("ann", button(card, "a:"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.press("ann", button(verdict, "q:"), ""); err != nil {
		t.Fatal(err)
	}
	reveal, _ := h.press("ann", button(card, "r:"), "")
	if _, err := h.press("ann", button(reveal, "s:"), ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{"leaderboard"}, {"leaderboard", "period", "week"}, {"stats"}, {"help"}, {"review"}, {"practice"}, {"qotd", "sub", "status"}} {
		if _, err := h.command("ann", c[0], c[1:]...); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
	}
	for _, args := range [][]string{{"sub", "set", "time", "09:00", "timezone", "UTC"}, {"sub", "now"}, {"sub", "now", "channel", "c2"}, {"sub", "off"}} {
		if _, err := h.qotd(args...); err != nil {
			t.Fatalf("qotd %v: %v", args, err)
		}
	}
	if _, err := h.command("ann", "study", "category", "python", "count", "2"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.command("ann", "study", "category", "stop"); err != nil {
		t.Fatal(err)
	}
	// refusals: private even where the command answers in public
	if _, err := h.command("bob", "question", "category", "nope"); err == nil {
		t.Fatal("an unknown category was accepted")
	}
	if _, err := h.command("bob", "qotd", "sub", "now"); err == nil {
		t.Fatal("a member who is not an admin posted the daily question")
	}
}

// A member's display name is theirs to choose: in the public leaderboard,
// round scoreboard and digest it shows as typed and cannot format the
// message, link somewhere or mention anyone.
func TestMemberNamesCannotFormatPublicReplies(t *testing.T) {
	const hostile = "[click me](https://evil.example) **big** <@&1> `x`\n# Heading"
	h := newHarness(t, nil)
	req := h.req("u1")
	req.User.Name = hostile
	req.Command, req.Args = "study", map[string]string{"category": "python", "count": "1"}
	round, err := h.do(req)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := h.bot.Bank().Card(round.Footer)
	if c == nil {
		t.Fatalf("no card id in the round's footer %q", round.Footer)
	}
	req = h.req("u1")
	req.User.Name = hostile
	req.Action = fmt.Sprintf("%s%d", strings.TrimSuffix(button(round, "a:"), "0"), c.QuickCheck.CorrectIndex())
	if _, err := h.do(req); err != nil {
		t.Fatal(err)
	}
	stop, err := h.command("u1", "study", "category", "stop")
	if err != nil {
		t.Fatal(err)
	}
	board, err := h.command("u2", "leaderboard")
	if err != nil {
		t.Fatal(err)
	}
	want := bot.EscapeMarkdown(hostile)
	for name, text := range map[string]string{"scoreboard": stop.Text, "leaderboard": board.Text} {
		if !strings.Contains(text, want) {
			t.Errorf("%s does not show the escaped name %q:\n%s", name, want, text)
		}
		for _, raw := range []string{"[click me](", "**big**", "<@&1>", "\n# Heading"} {
			if strings.Contains(text, raw) {
				t.Errorf("%s carries %q unescaped:\n%s", name, raw, text)
			}
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"ann":                "ann",
		"*bold*":             `\*bold\*`,
		"a_b~c`d|e":          "a\\_b\\~c\\`d\\|e",
		"[x](http://y)":      `\[x\]\(http://y\)`,
		"<@123> #1 \\":       `\<@123\> \#1 \\`,
		"two\nlines\r\nhere": "two lines  here",
		"emoji 👩‍💻 ok, é":    "emoji 👩‍💻 ok, é",
	} {
		if got := bot.EscapeMarkdown(in); got != want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func typedBank(t *testing.T) *questionbank.Bank {
	return bankOf(t, `categories:
  - id: trivia
    name: Trivia
cards:
  - id: t1
    category: trivia
    difficulty: easy
    prompt: Which city hosts the Louvre?
    answers: [Paris]
`)
}

// Typed answers: the press opens a prompt; what comes back from it is
// answered with a message, also when it is blank (Discord refuses a prompt
// in answer to a submitted one), and the member's words are quoted as they
// typed them, not as a Go string literal.
func TestTypedAnswerPromptAndBlankSubmission(t *testing.T) {
	h := newHarness(t, typedBank(t))
	card, err := h.command("ann", "question")
	if err != nil {
		t.Fatal(err)
	}
	prompt, err := h.press("ann", button(card, "Type answer"), "")
	if err != nil || prompt.Modal == nil {
		t.Fatalf("the press opened no prompt: %+v, %v", prompt, err)
	}
	blank, err := h.press("ann", prompt.Modal.Action, "   ")
	if err == nil || blank.Modal != nil || !strings.Contains(blank.Text, "Press **Type answer**") {
		t.Fatalf("a blank submission got %+v, %v", blank, err)
	}
	r, err := h.press("ann", prompt.Modal.Action, "Rome 🏛️ \"really\"")
	if err != nil || r.Modal != nil {
		t.Fatalf("submission: %+v, %v", r, err)
	}
	if want := "You answered “Rome 🏛️ \"really\"”. The answer is **Paris**."; !strings.Contains(r.Text, want) {
		t.Fatalf("verdict %q, want it to contain %q", r.Text, want)
	}
}

func TestNeedsAdmin(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args map[string]string
		want bool
	}{
		{"qotd", map[string]string{"sub": "set"}, true},
		{"qotd", map[string]string{"sub": "now"}, true},
		{"qotd", map[string]string{"sub": "status"}, false},
		{"study", map[string]string{"category": "stop"}, true},
		{"study", map[string]string{"sub": "stop"}, true},
		{"study", map[string]string{"category": "python"}, false},
		{"question", map[string]string{}, false},
	} {
		if got := bot.NeedsAdmin(bot.Request{Command: tc.cmd, Args: tc.args}); got != tc.want {
			t.Errorf("NeedsAdmin(%s %v) = %v, want %v", tc.cmd, tc.args, got, tc.want)
		}
	}
}

// A card's accent colour is its category's, as the bank gives it.
func TestCardColourComesFromTheBank(t *testing.T) {
	h := newHarness(t, bankOf(t, `categories:
  - id: ours
    color: "#123456"
cards:
  - id: o1
    category: ours
    prompt: Why?
    answer: Because.
`))
	card, err := h.command("ann", "question")
	if err != nil || card.Color != 0x123456 {
		t.Fatalf("card colour %x, %v", card.Color, err)
	}
	if r, _ := h.press("ann", button(card, "r:"), ""); r.Color != 0x123456 {
		t.Fatalf("model answer colour %x", r.Color)
	}
}
