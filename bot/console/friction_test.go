package console_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/console"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// Each reply numbers its buttons from 1, and a number presses one of the
// buttons printed last: an old card's number acts on the new card.
func TestButtonsAreNumberedPerReply(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	u := e.user("ann")
	first := u.do("/question category:postgres") // postgres cards have four options
	card1 := e.lastCard(first)
	mustContain(t, first, "[1] A  [2] B  [3] C  [4] D  [5] Hint  [6] Answer")
	second := u.do("/question category:postgres")
	card2 := e.lastCard(second)
	mustContain(t, second, "[1] A  [2] B  [3] C  [4] D  [5] Hint  [6] Answer")
	// the first card's number for Answer opens the second card's answer
	words := regexp.MustCompile(`[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+`)
	snippet := words.FindString(card2.Answer)
	if snippet == "" || strings.Contains(card1.Answer, snippet) {
		t.Fatalf("no words that tell %s from %s", card2.ID, card1.ID)
	}
	model := u.do("6")
	mustContain(t, strings.Join(strings.Fields(model), " "), "== Model answer ==", snippet)
	mustContain(t, model, "[1] Nailed it  [2] Partly  [3] Missed it")
	mustContain(t, u.do("9"), "There is no button [9]: the buttons printed last are [1] to [3].")
	mustContain(t, u.do("2"), "Saved: Partly")
}

// Typing an option's letter, in either case, answers the latest card with
// options, also after other replies came between.
func TestOptionLettersAnswerTheLatestCard(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	u := e.user("ann")
	mustContain(t, u.do("A"), "No card with options A, B, ... is waiting. Draw one with /question.")
	u.do("/question category:postgres")
	out := u.do("/question category:python")
	card := e.lastCard(out)
	right := card.QuickCheck.CorrectIndex()
	mustContain(t, u.do(button(t, out, "Hint")), "Hint: key concepts") // a reply between
	got := u.do(strings.ToLower(string(rune('A' + right))))
	mustContain(t, got, "Correct! +", card.QuickCheck.Explanation)
	mustContain(t, u.do(string(rune('A'+(right+1)%len(card.QuickCheck.Options)))), "You already answered this card")
	mustContain(t, u.do("Z"), "The latest card has no option Z: its options are A to ")
}

// While a typed answer is asked for, a line that is a number or a letter
// is that answer, not a button.
func TestTypedAnswerTakesNumbersAndLetters(t *testing.T) {
	bank, err := bankfile.Load("../../questionbank/bankfile/testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: bottest.NewClock(at(t, "2026-11-25 10:00:00", "UTC")), path: filepath.Join(t.TempDir(), "p.db"), bank: bank}
	e.open()
	u := e.user("bob")
	var out string
	for range 4 {
		if out = u.do("/question category:networking"); e.lastCard(out).ID == "networking-dns-ttl" {
			break
		}
	}
	mustContain(t, u.do(button(t, out, "Type answer")), "type your answer on the next line")
	mustContain(t, u.do("1"), "Not quite", "You answered “1”")
}

// Pictures are named by kind and member, so /stats bob keeps your own
// stats picture and the leaderboard chart; the folder is made if missing.
func TestPicturesAreNamedByKindAndMember(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	e.user("bob").answer(true, "/question category:python")
	dir := filepath.Join(t.TempDir(), "made", "for", "pictures")
	u := e.user("ann")
	u.c = console.New(console.Options{Bot: e.bot, Out: u.out, User: "ann", PictureDir: dir})
	u.answer(true, "/question category:postgres")
	pic := regexp.MustCompile(`Picture: (\S+) \(`)
	paths := map[string]string{}
	for _, cmd := range []string{"/stats", "/stats bob", "/leaderboard chart:yes", "/stats user:bob"} {
		m := pic.FindStringSubmatch(u.do(cmd))
		if m == nil {
			t.Fatalf("%s: no picture", cmd)
		}
		paths[cmd] = m[1]
		if filepath.Dir(m[1]) != dir {
			t.Errorf("%s: saved in %s, want %s", cmd, filepath.Dir(m[1]), dir)
		}
	}
	if paths["/stats"] == paths["/stats bob"] || paths["/stats"] == paths["/leaderboard chart:yes"] || paths["/stats bob"] != paths["/stats user:bob"] {
		t.Fatalf("pictures share files: %v", paths)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if filepath.Base(paths["/stats"]) != "stats-ann.png" || filepath.Base(paths["/stats bob"]) != "stats-bob.png" || filepath.Base(paths["/leaderboard chart:yes"]) != "leaderboard-ann.png" {
		t.Errorf("names: %v", paths)
	}
	// a name that is no file name still gets a file of its own
	odd := e.user("x")
	odd.c = console.New(console.Options{Bot: e.bot, Out: odd.out, User: "../Ann Smith", PictureDir: dir})
	odd.answer(true, "/question category:python")
	m := pic.FindStringSubmatch(odd.do("/stats"))
	if m == nil || filepath.Dir(m[1]) != dir || !strings.HasPrefix(filepath.Base(m[1]), "stats-___Ann_Smith-") {
		t.Errorf("an odd name's picture: %v", m)
	}
}

// A file where the pictures' folder should be gets a message that says
// what to do; the default folder is a prepbot folder in the user's cache.
func TestPictureFolderProblems(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	file := filepath.Join(t.TempDir(), "prepbot")
	if err := os.WriteFile(file, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	u := e.user("ann")
	u.c = console.New(console.Options{Bot: e.bot, Out: u.out, User: "ann", PictureDir: file})
	u.answer(true, "/question category:python")
	mustContain(t, u.do("/stats"), "The picture could not be saved: "+file+" is a file, not a folder: choose a folder for pictures with --pictures DIR.")

	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	if d := console.DefaultPictureDir(); d != filepath.Join(cache, "prepbot") {
		t.Fatalf("default folder %s, want one in %s", d, cache)
	}
	v := e.user("ann")
	v.c = console.New(console.Options{Bot: e.bot, Out: v.out, User: "ann"})
	mustContain(t, v.do("/stats"), "Picture: "+filepath.Join(cache, "prepbot", "stats-ann.png"))
}

// Asking for a round while one runs is an error titled as one.
func TestRunningRoundIsTitledAsAnError(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	e.user("ann").do("/study")
	out := e.user("bob").do("/study")
	mustContain(t, out, "== A round is running here ==", "A study round is already running in this channel")
	if strings.Contains(out, "Already done") {
		t.Fatal(out)
	}
}

// An Open Trivia DB card, whose prompt is its quick check's question, shows
// the question once.
func TestOpenTriviaCardShowsItsQuestionOnce(t *testing.T) {
	data, err := os.ReadFile("../../questionbank/bankfile/testdata/opentdb.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := bankfile.Import("opentdb.json", data, bankfile.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bank, err := questionbank.Build(doc)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: bottest.NewClock(at(t, "2026-11-25 10:00:00", "UTC")), path: filepath.Join(t.TempDir(), "p.db"), bank: bank}
	e.open()
	out := e.user("ann").do("/question")
	card := e.lastCard(out)
	if n := strings.Count(out, card.Prompt); n != 1 {
		t.Fatalf("the question shows %d times:\n%s", n, out)
	}
	mustContain(t, out, "Quick check:\nA. ")
}

// Markdown shows as text: *emphasis* and **bold** without asterisks, code
// and arithmetic as written; long lines wrap to the width, but code blocks
// and URLs never break.
func TestConsoleWrapsAndRendersMarkdown(t *testing.T) {
	bank, err := bankfile.Load("testdata/wrap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: bottest.NewClock(at(t, "2026-11-25 10:00:00", "UTC")), path: filepath.Join(t.TempDir(), "p.db"), bank: bank}
	e.open()
	u := e.user("ann")
	u.c = console.New(console.Options{Bot: e.bot, Out: u.out, User: "ann", PictureDir: t.TempDir(), Width: 40})
	out := u.do("/question")
	flat := strings.Join(strings.Fields(out), " ")
	mustContain(t, flat, "Why does the planner matter so much? An index is used only when the planner",
		"and bold words stay words; 2 * 3 * 4 is arithmetic and `a * b` is code.", "Quick check: What decides")
	mustContain(t, out, "\n    for row in rows: print(row['a'] * row['b'])  # a line of code longer than forty columns\n",
		"\nhttps://www.postgresql.org/docs/current/using-explain.html\n")
	if strings.Contains(out, "*only*") || strings.Contains(out, "**") {
		t.Errorf("Markdown shows raw:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(l) > 40 && !strings.Contains(l, "https://") && !strings.Contains(l, "for row in rows") {
			t.Errorf("a line of %d columns: %q", utf8.RuneCountInString(l), l)
		}
	}
}

// The friction fixed before, checked where it shows: a category answered
// all right is not called the weakest, and /qotd status after /qotd off
// does not say "yet".
func TestEarlierFrictionStaysFixed(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	u := e.user("ann")
	u.answer(true, "/question category:python")
	if out := u.do("/stats"); strings.Contains(out, "Weakest category") {
		t.Errorf("a category at 100%% is called the weakest:\n%s", out)
	}
	u.answer(false, "/question category:postgres")
	mustContain(t, u.do("/stats"), "Weakest category: PostgreSQL & Persistence (0%)")
	u.do("/qotd set channel:#study time:09:00 timezone:UTC")
	u.do("/qotd off")
	out := u.do("/qotd status")
	mustContain(t, out, "No channel gets a daily question now", "/qotd set")
	if strings.Contains(out, "yet") {
		t.Errorf("after /qotd off: %s", out)
	}
}

// The welcome wraps to the width as replies do.
func TestWelcomeWraps(t *testing.T) {
	e := newEnv(t, at(t, "2026-11-25 10:00:00", "UTC"), "")
	var out bytes.Buffer
	if err := console.Run(context.Background(), console.Options{Bot: e.bot, In: strings.NewReader("/help\n"), Out: &out, User: "ann", PictureDir: t.TempDir(), Width: 40}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(strings.Fields(out.String()), " "), "prepbot console: you are ann in #study. Type /help for the commands, /question to draw a card, a number to press a button, a letter to answer a card, /quit to leave.")
	for _, l := range strings.Split(out.String(), "\n") {
		if utf8.RuneCountInString(l) > 40 {
			t.Errorf("a line of %d columns: %q", utf8.RuneCountInString(l), l)
		}
	}
}
