package bottest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/chart"
	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
)

// RigStart is where a Rig's clock starts: Wednesday 25 November 2026,
// 08:00 UTC.
var RigStart = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

// Rig is what an adapter's test rig puts behind the adapter under test: a
// bot on a real database in the test's temporary folder, drawing from the
// built-in bank, on a clock the test sets (at RigStart until it does), with
// the real pictures (bot/chart).
type Rig struct {
	Bot   *bot.Bot
	DB    *storage.DB
	Bank  *questionbank.Bank
	Clock *Clock
	chat  bot.Chat
}

// NewRig returns a Rig on a new database, closed and checked when the test
// ends.
func NewRig(t testing.TB) *Rig { return NewRigOn(t, OpenDB(t)) }

// NewRigOn returns a Rig on a database the test opened (to restart on
// one).
func NewRigOn(t testing.TB, db *storage.DB) *Rig {
	r := &Rig{DB: db, Bank: Bank(t), Clock: NewClock(RigStart)}
	r.Bot = r.newBot()
	return r
}

func (r *Rig) newBot() *bot.Bot {
	return bot.New(bot.Config{Bank: r.Bank, Store: r.DB, Clock: r.Clock, Chat: r.chat, Pictures: chart.Pictures{}, Grader: grade.Builtin{}})
}

// SetChat makes the adapter under test the bot's chat, for the groups of
// its platform ("discord", "slack"): what the daily question and study
// rounds post with.
func (r *Rig) SetChat(platform string, c bot.Chat) {
	r.chat = bot.Chats{platform: c}
	r.Bot.SetChat(r.chat)
}

// UseBank replaces the bot with one that draws from b, on the same
// database, clock and chat, and returns it: the adapter under test must be
// given it.
func (r *Rig) UseBank(b *questionbank.Bank) *bot.Bot {
	r.Bank = b
	r.Bot = r.newBot()
	return r.Bot
}

// TestBank returns the small bank of the bank format's tests
// (questionbank/bankfile/testdata/valid), whose networking cards include
// one answered by typing.
func TestBank(t testing.TB) *questionbank.Bank {
	t.Helper()
	b, err := bankfile.Load(filepath.Join(moduleRoot(t), "questionbank", "bankfile", "testdata", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// moduleRoot is the folder of go.mod, above the test's package folder.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// MustContain fails the test at once unless s contains each of want.
func MustContain(t testing.TB, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("missing %q in:\n%s", w, s)
		}
	}
}
