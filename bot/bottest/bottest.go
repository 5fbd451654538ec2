// Package bottest holds what the tests of the bot and its adapters share: a
// clock the test sets, a Chat that records posts, and a real database in a
// temporary folder.
package bottest

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
)

// Clock is a clock that only moves when the test says so.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Posted is one post a Chat received.
type Posted struct {
	Group, Channel string
	Reply          bot.Reply
}

// Chat records posts and private messages. Fail makes posts to a channel,
// or private messages to a user, return an error.
type Chat struct {
	mu      sync.Mutex
	posts   []Posted
	directs []Direct
	Fail    map[string]error
}

// Direct is one private message a Chat received.
type Direct struct {
	Group, User string
	Reply       bot.Reply
}

func (c *Chat) Direct(ctx context.Context, group, user string, r bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.Fail[user]; err != nil {
		return err
	}
	c.directs = append(c.directs, Direct{group, user, r})
	return nil
}

// Directs returns the private messages sent so far.
func (c *Chat) Directs() []Direct {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Direct(nil), c.directs...)
}

func (c *Chat) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.Fail[channel]; err != nil {
		return err
	}
	c.posts = append(c.posts, Posted{group, channel, r})
	return nil
}

// Posts returns what was posted so far.
func (c *Chat) Posts() []Posted {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Posted(nil), c.posts...)
}

// OpenDB opens a real database file in the test's temporary folder and
// checks its consistency when the test ends.
func OpenDB(t testing.TB) *storage.DB {
	t.Helper()
	return OpenDBAt(t, filepath.Join(t.TempDir(), "prepbot.db"))
}

// OpenDBAt opens the database at path (to reopen one after a restart) and
// closes and checks it when the test ends.
func OpenDBAt(t testing.TB, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { CloseAndCheck(t, db) })
	return db
}

// CloseAndCheck runs bbolt's consistency check and closes the database; it
// does nothing for a database the test closed already.
func CloseAndCheck(t testing.TB, db *storage.DB) {
	t.Helper()
	err := db.Check()
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return
	}
	if err != nil {
		t.Errorf("database check: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// Bank returns the built-in bank.
func Bank(t testing.TB) *questionbank.Bank {
	t.Helper()
	b, err := bankfile.Default()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
