package console_test

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/chart"
	"github.com/prepbot/prepbot/bot/console"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
)

// env is one bot with a real database and a fixed clock; users talk to it
// through console sessions on buffers.
type env struct {
	t     *testing.T
	clock *bottest.Clock
	path  string
	db    *storage.DB
	bank  *questionbank.Bank
	tz    string
	bot   *bot.Bot
}

func newEnv(t *testing.T, start time.Time, tz string) *env {
	e := &env{t: t, clock: bottest.NewClock(start), path: filepath.Join(t.TempDir(), "prepbot.db"), bank: bottest.Bank(t), tz: tz}
	e.open()
	return e
}

func (e *env) open() {
	e.db = bottest.OpenDBAt(e.t, e.path)
	e.bot = bot.New(bot.Config{Bank: e.bank, Store: e.db, Clock: e.clock, TimeZone: e.tz, Pictures: chart.Pictures{}})
}

// restart closes the database and starts a new bot on the same file, as a
// process restart would.
func (e *env) restart() {
	bottest.CloseAndCheck(e.t, e.db)
	e.open()
}

type session struct {
	e   *env
	c   *console.Console
	out *bytes.Buffer
}

func (e *env) user(name string) *session {
	out := &bytes.Buffer{}
	return &session{e: e, out: out, c: console.New(console.Options{Bot: e.bot, Out: out, User: name, PictureDir: e.t.TempDir()})}
}

// do runs one line and returns what the console printed for it.
func (s *session) do(line string) string {
	s.e.t.Helper()
	s.out.Reset()
	s.c.Exec(context.Background(), line)
	return s.out.String()
}

var (
	footerRE = regexp.MustCompile(`(?m)^\(([a-z0-9-]+)\)$`)
	buttonRE = regexp.MustCompile(`\[(\d+)\] ([^\[\n]+?)(?:  |$|\n)`)
)

// button returns the number printed for the last button with this label.
func button(t *testing.T, out, label string) string {
	t.Helper()
	n := ""
	for _, m := range buttonRE.FindAllStringSubmatch(out, -1) {
		if strings.TrimSpace(m[2]) == label {
			n = m[1]
		}
	}
	if n == "" {
		t.Fatalf("no button %q in:\n%s", label, out)
	}
	return n
}

// lastCard returns the card whose footer was printed last.
func (e *env) lastCard(out string) *questionbank.Card {
	e.t.Helper()
	m := footerRE.FindAllStringSubmatch(out, -1)
	if m == nil {
		e.t.Fatalf("no card in:\n%s", out)
	}
	c, ok := e.bank.Card(m[len(m)-1][1])
	if !ok {
		e.t.Fatalf("unknown card %q", m[len(m)-1][1])
	}
	return c
}

// answer draws a card and answers it right or wrong, returning the reply.
func (s *session) answer(correct bool, draw string) (string, *questionbank.Card) {
	s.e.t.Helper()
	out := s.do(draw)
	card := s.e.lastCard(out)
	pick := card.QuickCheck.CorrectIndex()
	if !correct {
		pick = (pick + 1) % len(card.QuickCheck.Options)
	}
	return s.do(button(s.e.t, out, string("ABCDE"[pick]))), card
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Fatalf("missing %q in:\n%s", w, out)
		}
	}
}

func at(t *testing.T, value, zone string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04:05", value, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStudyLoop(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	alice := e.user("alice")
	out := alice.do("/question category:postgres")
	card := e.lastCard(out)
	mustContain(t, out, "PostgreSQL & Persistence", "Quick check:", "[1] A", "Hint", "Answer")
	if card.Category != "postgres" {
		t.Fatalf("drew %s from postgres", card.ID)
	}
	hint := alice.do(button(t, out, "Hint"))
	mustContain(t, hint, "Hint: key concepts", card.KeyConcepts[0])

	right := card.QuickCheck.CorrectIndex()
	got := alice.do(button(t, out, string("ABCDE"[right])))
	mustContain(t, got, "Correct! +", card.QuickCheck.Explanation, "Streak: 1 day")

	// the card's numbers are gone (the verdict's buttons are numbered from
	// 1): a second answer by the option's letter
	again := alice.do(string("ABCDE"[(right+1)%len(card.QuickCheck.Options)]))
	mustContain(t, again, "Already done", "You already answered this card; your first one counts.")

	model := alice.do(button(t, got, "Model answer"))
	mustContain(t, model, "Model answer", "[", "Nailed it", "Partly", "Missed it")
	rated := alice.do(button(t, model, "Partly"))
	mustContain(t, rated, "Saved: Partly. +1 point")
	// a second rating, as a platform would send it (the rating buttons are
	// no longer the console's last): the card is the database's first post
	second := bot.Request{Platform: "console", Group: "console", Channel: "#study", User: bot.User{ID: "alice", Name: "alice"},
		Action: bot.Action{Kind: bot.ActionRate, Post: 1, Rating: "nailed"}.ID()}
	if r, err := e.bot.Handle(context.Background(), second); bot.ErrorCode(err) != bot.EConflict || !strings.Contains(r.Text, "You already rated this card") {
		t.Fatalf("a second rating: %v %+v", err, r)
	}

	stats := alice.do("/stats")
	mustContain(t, stats, "Answered: 1", "Accuracy: 100%", "Current streak: 1 day", "PostgreSQL & Persistence: 1 of 1 correct")
	board := alice.do("/leaderboard")
	mustContain(t, board, "🥇 alice: ", "100% of 1 answer")
}

func TestUnknownInputSaysWhatToDo(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	u := e.user("u")
	mustContain(t, u.do("/question category:golang"), `Unknown category "golang": valid categories are python, fastapi, postgres, microservices, coding.`)
	mustContain(t, u.do("/question difficulty:brutal"), `choose easy, medium or hard`)
	mustContain(t, u.do("/frobnicate"), "Unknown command /frobnicate. Type /help")
	mustContain(t, u.do("hello"), "Commands start with a slash")
	mustContain(t, u.do("99"), "There is no button [99]")
	mustContain(t, u.do("/leaderboard period:year"), `Unknown period "year": choose week, month or all.`)
	mustContain(t, u.do("/answer 42"), "No card is waiting for a typed answer")
	help := u.do("/help")
	for _, c := range bot.Commands {
		mustContain(t, help, "/"+c.Name)
	}
	mustContain(t, help, "/qotd set [channel] [time] [timezone] [categories] [weekdays]")
}

func TestTypedAnswers(t *testing.T) {
	bank, err := bankfile.Load("../../questionbank/bankfile/testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: bottest.NewClock(at(t, "2026-11-25 10:00:00", "UTC")), path: filepath.Join(t.TempDir(), "p.db"), bank: bank}
	e.open()
	u := e.user("bob")
	var out string
	for i := 0; i < 4; i++ { // the bag deals each networking card once in 3 draws
		out = u.do("/question category:networking")
		if e.lastCard(out).ID == "networking-dns-ttl" {
			break
		}
	}
	if e.lastCard(out).ID != "networking-dns-ttl" {
		t.Fatalf("never drew the typed card:\n%s", out)
	}
	mustContain(t, out, "Type answer")
	prompt := u.do(button(t, out, "Type answer"))
	mustContain(t, prompt, "type your answer on the next line")
	mustContain(t, u.do("The Cachng!"), "Correct! +15 points", "You answered “The Cachng!”")
	mustContain(t, u.do("/answer caching"), "You already answered this card")
}

func TestMatchesForgivingly(t *testing.T) {
	for _, tc := range []struct {
		typed string
		ok    bool
	}{
		{"Domain Name System", true}, {"the domain name system.", true}, {"domain name sytem", true},
		{"DNS", true}, {"dsn", false}, {"DHCP", false}, {"", false}, {"1969", false},
	} {
		if got := bot.Matches(tc.typed, []string{"DNS", "Domain Name System", "1968"}); got != tc.ok {
			t.Errorf("Matches(%q) = %v, want %v", tc.typed, got, tc.ok)
		}
	}
}

func TestPersistsAcrossSessions(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	e.user("alice").answer(true, "/question category:python")
	e.restart()
	alice := e.user("alice")
	mustContain(t, alice.do("/stats"), "Answered: 1", "Accuracy: 100%")
	mustContain(t, alice.do("/leaderboard period:all"), "alice")
}

func TestStatsAndLeaderboardPictures(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	u := e.user("pia")
	u.answer(true, "/question category:python")
	for _, tc := range []struct{ cmd, name string }{{"/stats", "stats-pia.png"}, {"/leaderboard chart:yes", "leaderboard-pia.png"}} {
		out := u.do(tc.cmd)
		m := regexp.MustCompile(`Picture: (\S+) \(`).FindStringSubmatch(out)
		if m == nil || filepath.Base(m[1]) != tc.name {
			t.Fatalf("%s: no picture in:\n%s", tc.cmd, out)
		}
		f, err := os.Open(m[1])
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 400 {
			t.Fatalf("%s: %v %v", tc.cmd, err, img)
		}
	}
	if strings.Contains(u.do("/leaderboard"), "Picture:") {
		t.Fatal("the leaderboard picture is only on request")
	}
}

// steps is an input that runs a step before handing out each line, so a
// test can change the world between two lines the console reads.
type steps struct {
	lines []string
	do    []func()
}

func (s *steps) Read(p []byte) (int, error) {
	if len(s.lines) == 0 {
		return 0, io.EOF
	}
	if s.do[0] != nil {
		s.do[0]()
	}
	n := copy(p, s.lines[0]+"\n")
	s.lines, s.do = s.lines[1:], s.do[1:]
	return n, nil
}

// When an answer could not be saved (the database failed under it), the
// goodbye says so instead of promising that every answer is saved.
func TestGoodbyeSaysWhatWasNotSaved(t *testing.T) {
	for _, fail := range []bool{false, true} {
		e := newEnv(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), "")
		var out bytes.Buffer
		in := &steps{lines: []string{"/question category:python", "1"}, do: []func(){nil, func() {
			if fail {
				bottest.CloseAndCheck(t, e.db) // the disk is gone
			}
		}}}
		if err := console.Run(context.Background(), console.Options{Bot: e.bot, In: in, Out: &out, User: "ann", PictureDir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		saved := strings.Contains(out.String(), "Bye. Your answers are saved.")
		if saved == fail || fail && !strings.Contains(out.String(), "Bye. 1 of your presses could not be saved") {
			t.Errorf("database failed: %v; the console said:\n%s", fail, out.String())
		}
	}
}
