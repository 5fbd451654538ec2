package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/postcache"
)

// SchemaVersion is the layout this code reads and writes.
const SchemaVersion = 10

var (
	bMeta         = []byte("meta")
	bGroups       = []byte("groups")
	bPosts        = []byte("posts")
	bBags         = []byte("bags")
	bAnswers      = []byte("answers")
	bMemberData   = []byte("member_data")
	bLeaderboards = []byte("leaderboards")
	bSchedules    = []byte("schedules")
	bDeliveries   = []byte("deliveries")
	bRounds       = []byte("rounds")

	allBuckets = [][]byte{bMeta, bGroups, bPosts, bBags, bAnswers, bMemberData, bLeaderboards, bSchedules, bDeliveries, bRounds, bDaysIndex, bGroupTallies}
	keySchema  = []byte("schema")

	// buckets of schema 6 and before, which schema 7 folded into
	// member_data and leaderboards; answer_keys stays, read only, for the
	// answers recorded before
	bOldAnswerKeys = []byte("answer_keys")
	bOldScores     = []byte("scores")
	bOldReviews    = []byte("reviews")
	bOldActivity   = []byte("activity")
	bOldRanks      = []byte("ranks")
	// the members bucket of schema 7 and before, which schema 8 moved into
	// member_data
	bOldMembers = []byte("members")
)

// The kinds of record under a member's prefix in member_data: group 0 user
// 0 tag 0 ..., and the member itself at group 0 user 0 m.
const (
	tagMember    = "m" // the member (bot.Member), with no more key after it
	tagAnswerKey = "k" // kind 0 post (8 bytes) -> answer seq
	tagScore     = "s" // period 0 category -> Score
	tagReview    = "r" // card -> Review
	tagActivity  = "a" // day -> answers and self-ratings that day (uint32)
	tagPeek      = "p" // card -> bot.Peek: what the member opened of it on a day
)

// Options configures Open.
type Options struct {
	// Timeout is how long to wait for another process to release the file
	// (default 1s).
	Timeout time.Duration
	// Progress, when set, is told how a long migration is going.
	Progress func(format string, args ...any)
	// NoSync skips fsync on commit; only for benchmarks that measure it.
	NoSync bool
	// ReadOnly opens the file for reading only (backup, export): it is
	// never written, and never migrated. A file of an older schema opens
	// for Backup, but Export and the Store refuse it.
	ReadOnly bool
	// Rules are what Record (and Replay) apply to a member's records for
	// each answer; a rule left nil is bot.StandardRules'.
	Rules bot.Rules
}

// DB is the prepbot database. It implements bot.Store.
type DB struct {
	db       *bolt.DB
	path     string
	onCommit func(time.Duration)
	onGroup  func(int)
	rules    bot.Rules // see Options.Rules

	// delivery ids: checked in memory, written in the background (see
	// FirstDelivery)
	delivMu   sync.Mutex
	seen      map[string]time.Time
	limits    limits
	pending   map[string]time.Time
	stop      chan struct{}
	flushed   chan struct{}
	closeOnce sync.Once
	closeErr  error

	// posts never change once created: the recent ones are kept in memory,
	// as every button press reads its post
	posts postcache.Cache

	// writes under way (update), for WriteStalled
	writeMu  sync.Mutex
	writeSeq uint64
	writes   map[uint64]time.Time

	// older says why a file opened read-only cannot be read as a store:
	// its schema is older than this code's ("" when it is current).
	older string

	// answers: one writer commits every answer waiting (see Record)
	recMu     sync.RWMutex
	recClosed bool
	recq      chan *recordReq
	recDone   chan struct{}
}

var _ bot.Store = (*DB)(nil)

// ErrClosed is returned for an answer recorded after Close.
var ErrClosed = errors.New("the database is closed")

// ErrInUse is returned (wrapped) by Open when another process holds the
// file.
var ErrInUse = errors.New("in use")

// Open opens or creates the database file at path and migrates it. A
// damaged file is refused with a message that says so (errDamaged), never
// with a crash.
func Open(path string, opt Options) (d *DB, err error) {
	if opt.Timeout == 0 {
		opt.Timeout = time.Second
	}
	if dir := filepath.Dir(path); dir != "" && !opt.ReadOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create the folder for the database: %w", err)
		}
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	// Damage the header check cannot see (a garbage page in the middle)
	// makes bbolt panic, or fault on its memory map, while it opens or
	// migrates the file: report it as damage instead.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, damaged(path, fmt.Sprint(p))
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.Timeout, NoSync: opt.NoSync, ReadOnly: opt.ReadOnly})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("the database %s is in use by another prepbot process (a console or a server); stop it, or give another --db: %w", path, ErrInUse)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
		return nil, fmt.Errorf("%s is not a prepbot database or is damaged (%v): restore it from a backup, or give another --db", path, err)
	case err != nil:
		return nil, fmt.Errorf("cannot open the database %s: %w", path, err)
	}
	d = &DB{db: db, path: path, seen: map[string]time.Time{}, pending: map[string]time.Time{},
		stop: make(chan struct{}), flushed: make(chan struct{}),
		recq: make(chan *recordReq, maxGroup), recDone: make(chan struct{}),
		writes: map[uint64]time.Time{}, rules: opt.Rules.OrStandard()}
	if opt.ReadOnly {
		err = d.checkSchema()
	} else {
		err = d.migrate(opt.Progress)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	go d.flushLoop()
	go d.writeAnswers()
	return d, nil
}

// OnCommit, when set before use, is told how long every write transaction
// took, commit and fsync included (for the bbolt commit latency metric).
func (d *DB) OnCommit(fn func(time.Duration)) { d.onCommit = fn }

// OnGroup, when set before use, is told how many answers each commit of
// the answer writer recorded together (for the group commit metric).
func (d *DB) OnGroup(fn func(answers int)) { d.onGroup = fn }

// update runs fn in a write transaction and commits what fn wrote. When
// ctx is done before the transaction starts, it returns ctx's error and
// writes nothing; that includes a write that waited for the one before it
// (bbolt runs one at a time) and finds ctx done once its turn comes,
// though the wait itself does not end with ctx. Once fn has run, the commit
// goes ahead whatever ctx does: a nil error always means committed.
func (d *DB) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	d.writeMu.Lock()
	d.writeSeq++
	id := d.writeSeq
	d.writes[id] = start
	d.writeMu.Unlock()
	err := d.db.Update(func(tx *bolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return err // rolled back: nothing was written
		}
		return fn(tx)
	})
	d.writeMu.Lock()
	delete(d.writes, id)
	d.writeMu.Unlock()
	if d.onCommit != nil {
		d.onCommit(time.Since(start))
	}
	return err
}

// WriteStalled returns how long the oldest write still under way has been
// waiting or running (0 when none is): a disk that hangs, or anything that
// keeps bbolt from committing, shows here, and the server's /readyz fails
// on it.
func (d *DB) WriteStalled() time.Duration {
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	var oldest time.Duration
	for _, at := range d.writes {
		oldest = max(oldest, time.Since(at))
	}
	return oldest
}

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Close writes the delivery ids not yet written and closes the file. A
// second call does nothing.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		d.recMu.Lock()
		d.recClosed = true // no Record sends any more: the writer can finish
		d.recMu.Unlock()
		close(d.recq)
		<-d.recDone
		close(d.stop)
		<-d.flushed
		err := d.flushDeliveries()
		d.closeErr = errors.Join(err, d.db.Close())
	})
	return d.closeErr
}

// Check runs bbolt's consistency check over the whole file. It runs in a
// write transaction, which it rolls back: the check reads bbolt's free list,
// which a commit running at the same time (the answer writer, the delivery
// flusher) would change under a read transaction, making a sound file look
// damaged.
func (d *DB) Check() error {
	tx, err := d.db.Begin(true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var errs []error
	for err := range tx.Check() {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Bolt exposes the underlying bbolt database, for checks in tests and tools.
func (d *DB) Bolt() *bolt.DB { return d.db }
