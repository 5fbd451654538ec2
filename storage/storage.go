package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

// SchemaVersion is the layout this code reads and writes.
const SchemaVersion = 8

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

	allBuckets = [][]byte{bMeta, bGroups, bPosts, bBags, bAnswers, bMemberData, bLeaderboards, bSchedules, bDeliveries, bRounds}
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
}

// DB is the prepbot database. It implements bot.Store.
type DB struct {
	db       *bolt.DB
	path     string
	onCommit func(time.Duration)
	onGroup  func(int)

	// delivery ids: checked in memory, written in the background (see
	// FirstDelivery)
	delivMu   sync.Mutex
	seen      map[string]time.Time
	pending   map[string]time.Time
	stop      chan struct{}
	flushed   chan struct{}
	closeOnce sync.Once
	closeErr  error

	// posts never change once created: the recent ones are kept in memory,
	// as every button press reads its post
	postMu sync.Mutex
	posts  map[uint64]bot.Post

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

// recordReq is one answer waiting for the answer writer.
type recordReq struct {
	a    *bot.Answer
	m    bot.Member
	dup  bool
	err  error
	done chan struct{}
}

var _ bot.Store = (*DB)(nil)

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
		recq: make(chan *recordReq, maxGroup), recDone: make(chan struct{}), posts: map[uint64]bot.Post{},
		writes: map[uint64]time.Time{}}
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

// flushLoop writes new delivery ids every second until Close.
func (d *DB) flushLoop() {
	defer close(d.flushed)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.flushDeliveries()
		}
	}
}

// OnCommit, when set before use, is told how long every write transaction
// took, commit and fsync included (for the bbolt commit latency metric).
func (d *DB) OnCommit(fn func(time.Duration)) { d.onCommit = fn }

// OnGroup, when set before use, is told how many answers each commit of
// the answer writer recorded together (for the group commit metric).
func (d *DB) OnGroup(fn func(answers int)) { d.onGroup = fn }

func (d *DB) update(fn func(*bolt.Tx) error) error {
	start := time.Now()
	d.writeMu.Lock()
	d.writeSeq++
	id := d.writeSeq
	d.writes[id] = start
	d.writeMu.Unlock()
	err := d.db.Update(fn)
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

// Close closes the database.
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

// answerKey is where an answer's key lies in member_data: one answer per
// kind, post and member.
func answerKey(a *bot.Answer) []byte {
	return key(a.Group, a.User, tagAnswerKey, string(a.Kind), string(u64(a.PostID)))
}

// answeredBefore7 reports whether an answer was recorded before schema 7,
// whose answer keys stay where they were.
func answeredBefore7(tx *bolt.Tx, a *bot.Answer) bool {
	old := tx.Bucket(bOldAnswerKeys)
	return old != nil && old.Get(key(string(a.Kind), string(u64(a.PostID)), a.User)) != nil
}

// countActivity adds an answer to its member's count for its day.
func countActivity(b *bolt.Bucket, a *bot.Answer) error {
	if a.Day == "" {
		return nil
	}
	k := key(a.Group, a.User, tagActivity, a.Day)
	n := uint32(0)
	if v := b.Get(k); len(v) == 4 {
		n = binary.BigEndian.Uint32(v)
	}
	return b.Put(k, binary.BigEndian.AppendUint32(nil, n+1))
}

func isEmpty(tx *bolt.Tx) bool {
	empty := true
	tx.ForEach(func(name []byte, _ *bolt.Bucket) error { empty = false; return nil })
	return empty
}

func key(parts ...string) []byte {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.Bytes()
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getJSON(b *bolt.Bucket, k []byte, v any) (bool, error) {
	data := b.Get(k)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("damaged record %q: %w", k, err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// Group implements bot.Store.
func (d *DB) Group(ctx context.Context, id string) (bot.Group, error) {
	g := bot.Group{ID: id}
	err := d.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bGroups), []byte(id), &g)
		return err
	})
	return g, err
}

// SaveGroup implements bot.Store.
func (d *DB) SaveGroup(ctx context.Context, g bot.Group) error {
	return d.update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bGroups), []byte(g.ID), g) })
}

// CreatePost implements bot.Store.
func (d *DB) CreatePost(ctx context.Context, p *bot.Post) error {
	err := d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPosts)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID = id
		return putJSON(b, u64(id), p)
	})
	if err == nil {
		d.cachePost(*p)
	}
	return err
}

// maxCachedPosts bounds the posts kept in memory.
const maxCachedPosts = 4096

func (d *DB) cachePost(p bot.Post) {
	d.postMu.Lock()
	if len(d.posts) >= maxCachedPosts {
		clear(d.posts)
	}
	d.posts[p.ID] = p
	d.postMu.Unlock()
}

// Post implements bot.Store.
func (d *DB) Post(ctx context.Context, id uint64) (bot.Post, error) {
	d.postMu.Lock()
	p, ok := d.posts[id]
	d.postMu.Unlock()
	if ok {
		return p, nil
	}
	err := d.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bPosts), u64(id), &p)
		if err == nil && !ok {
			return bot.ErrNotFound
		}
		return err
	})
	if err == nil {
		d.cachePost(p)
	}
	return p, err
}

// Draw implements bot.Store.
func (d *DB) Draw(ctx context.Context, k string, fn func(*questionbank.BagState) error) error {
	return d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bBags)
		var st questionbank.BagState
		if _, err := getJSON(b, []byte(k), &st); err != nil {
			st = questionbank.BagState{} // a damaged bag only costs its order: start a new one
		}
		if err := fn(&st); err != nil {
			return err
		}
		return putJSON(b, []byte(k), st)
	})
}

// ErrClosed is returned for an answer recorded after Close.
var ErrClosed = errors.New("the database is closed")

// maxGroup caps how many answers share one commit.
const maxGroup = 1024

// maxLinger bounds how long the answer writer waits for the rest of a
// group under load. It waits by yielding the processor, not by sleeping: a
// sleep that short lasts about a millisecond whatever it asks for.
const maxLinger = time.Millisecond

// Record implements bot.Store. Answers recorded at the same time share one
// commit: a single writer takes every answer waiting when its previous
// commit ends, so a commit never waits for a timer and its size follows
// the load. Each call returns only once its answer is on disk.
func (d *DB) Record(ctx context.Context, a *bot.Answer) (bot.Member, error) {
	r := &recordReq{a: a, done: make(chan struct{})}
	d.recMu.RLock()
	if d.recClosed {
		d.recMu.RUnlock()
		return bot.Member{}, ErrClosed
	}
	d.recq <- r
	d.recMu.RUnlock()
	// Wait even if ctx ends: the answer may already be committing, and the
	// caller must not tell the member it was lost when it was not.
	<-r.done
	if r.err != nil {
		return r.m, r.err
	}
	if r.dup {
		return r.m, bot.ErrAlreadyAnswered
	}
	return r.m, nil
}

// writeAnswers is the answer writer: it commits the answers waiting, as
// many as arrived during the previous commit, until Close.
func (d *DB) writeAnswers() {
	defer close(d.recDone)
	group := make([]*recordReq, 0, maxGroup)
	last := 0 // the size of the previous group
	for r := range d.recq {
		group = append(group[:0], r)
		deadline := time.Now().Add(maxLinger)
	more:
		for len(group) < maxGroup {
			select {
			case r, ok := <-d.recq:
				if !ok {
					break more
				}
				group = append(group, r)
				continue
			default:
			}
			// Under load, the members the last commit answered are about to
			// send their next answers: a moment's wait lets them share
			// this commit instead of starting the next.
			if len(group) >= last || time.Now().After(deadline) {
				break
			}
			runtime.Gosched()
		}
		last = len(group)
		d.commitAnswers(group)
		if d.onGroup != nil {
			d.onGroup(len(group))
		}
		for _, r := range group {
			close(r.done)
		}
	}
}

// commitAnswers records a group of answers in one transaction. If it fails,
// each answer is retried in a transaction of its own, so one bad answer
// fails only itself.
func (d *DB) commitAnswers(group []*recordReq) {
	err := d.update(func(tx *bolt.Tx) error {
		for _, r := range group {
			r.m, r.dup, r.err = record(tx, r.a)
			if r.err != nil {
				return r.err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	if len(group) == 1 {
		group[0].err = err
		return
	}
	for _, r := range group {
		r.err = d.update(func(tx *bolt.Tx) error {
			var err error
			r.m, r.dup, err = record(tx, r.a)
			return err
		})
	}
}

// Replay records many answers as Record does, perTx to a transaction: for
// loading a large history (restoring an export, building a benchmark's
// data set). Answers already recorded are skipped.
func (d *DB) Replay(answers []*bot.Answer, perTx int) error {
	for len(answers) > 0 {
		n := min(perTx, len(answers))
		chunk := answers[:n]
		answers = answers[n:]
		err := d.update(func(tx *bolt.Tx) error {
			for _, a := range chunk {
				if _, _, err := record(tx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// record stores an answer, the member's update and the member's scores in
// tx, and reports a duplicate without changing anything. Apart from the
// answer itself (appended) and the leaderboards index, everything it writes
// lies under the member's prefix in member_data: one or two pages.
func record(tx *bolt.Tx, a *bot.Answer) (bot.Member, bool, error) {
	var m bot.Member
	data := tx.Bucket(bMemberData)
	ak := answerKey(a)
	mk := key(a.Group, a.User, tagMember)
	if data.Get(ak) != nil || answeredBefore7(tx, a) {
		_, err := getJSON(data, mk, &m)
		return m, true, err
	}
	answers := tx.Bucket(bAnswers)
	// answers are appended in key order: fill each page before starting
	// the next (at bbolt's default half, every page would be half empty)
	answers.FillPercent = 1
	seq, err := answers.NextSequence()
	if err != nil {
		return m, false, err
	}
	rec := *a
	rec.Seq = seq
	if err := putJSON(answers, u64(seq), rec); err != nil {
		return m, false, err
	}
	if err := data.Put(ak, u64(seq)); err != nil {
		return m, false, err
	}
	if _, err := getJSON(data, mk, &m); err != nil {
		return m, false, err
	}
	m.Apply(&rec)
	if err := putJSON(data, mk, m); err != nil {
		return m, false, err
	}
	if err := countActivity(data, &rec); err != nil {
		return m, false, err
	}
	rk := key(a.Group, a.User, tagReview, a.CardID)
	r := bot.Review{Card: a.CardID, Category: a.Category}
	if _, err := getJSON(data, rk, &r); err != nil {
		return m, false, err
	}
	r.Apply(bot.Grade(&rec), rec.Day)
	if err := putJSON(data, rk, r); err != nil {
		return m, false, err
	}
	cats := []string{""} // overall, and the answer's category if it has one
	if rec.Category != "" {
		cats = append(cats, rec.Category)
	}
	for _, period := range rec.Periods {
		for _, cat := range cats {
			if err := applyScore(tx, a.Group, period, cat, &rec); err != nil {
				return m, false, err
			}
		}
	}
	a.Seq = seq
	return m, false, nil
}

// rankKey orders scores best first: most points, then best accuracy, then
// earliest to reach their points, then user id. prefix is group 0 period 0
// category 0.
func rankKey(prefix []byte, s bot.Score) []byte {
	k := make([]byte, 0, len(prefix)+20+len(s.User))
	k = append(k, prefix...)
	k = binary.BigEndian.AppendUint64(k, ^uint64(max(s.Points, 0)))
	k = binary.BigEndian.AppendUint32(k, ^uint32(math.Round(s.Accuracy()*1e6)))
	k = binary.BigEndian.AppendUint64(k, uint64(max(s.ReachedAt.UnixNano(), 0)))
	return append(k, s.User...)
}

// applyScore adds an answer to the member's score for a period and
// category, and moves the score to its new place in the leaderboards index (which
// holds a copy, so a leaderboard reads only the index).
func applyScore(tx *bolt.Tx, group, period, cat string, a *bot.Answer) error {
	data, ranks := tx.Bucket(bMemberData), tx.Bucket(bLeaderboards)
	prefix := key(group, period, cat, "")
	sk := key(group, a.User, tagScore, period, cat)
	var s bot.Score
	found, err := getJSON(data, sk, &s)
	if err != nil {
		return err
	}
	if found {
		if err := ranks.Delete(rankKey(prefix, s)); err != nil {
			return err
		}
	}
	s.Apply(a)
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := data.Put(sk, v); err != nil {
		return err
	}
	return ranks.Put(rankKey(prefix, s), v)
}

// Member implements bot.Store.
func (d *DB) Member(ctx context.Context, group, user string) (bot.Member, error) {
	var m bot.Member
	err := d.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bMemberData), key(group, user, tagMember), &m)
		return err
	})
	return m, err
}

// SavePeek implements bot.Store.
func (d *DB) SavePeek(ctx context.Context, group, user, card string, p bot.Peek) error {
	return d.update(func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bMemberData), key(group, user, tagPeek, card)
		var old bot.Peek
		if _, err := getJSON(b, k, &old); err != nil {
			return err
		}
		if old.Day == p.Day {
			p.Hint, p.Answer = p.Hint || old.Hint, p.Answer || old.Answer
		}
		if p == old {
			return nil
		}
		return putJSON(b, k, p)
	})
}

// Peeked implements bot.Store.
func (d *DB) Peeked(ctx context.Context, group, user, card string) (bot.Peek, error) {
	var p bot.Peek
	err := d.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bMemberData), key(group, user, tagPeek, card), &p)
		return err
	})
	return p, err
}

// Reviews implements bot.Store: a member's spaced-repetition states.
func (d *DB) Reviews(ctx context.Context, group, user string) ([]bot.Review, error) {
	var out []bot.Review
	err := d.db.View(func(tx *bolt.Tx) error {
		prefix := key(group, user, tagReview, "")
		c := tx.Bucket(bMemberData).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var r bot.Review
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("damaged review %q: %w", k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Leaderboard implements bot.Store: it reads limit entries of the ranks
// index, which hold the scores.
func (d *DB) Leaderboard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	var out []bot.Score
	err := d.db.View(func(tx *bolt.Tx) error {
		prefix := key(group, period, category, "")
		c := tx.Bucket(bLeaderboards).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Next() {
			var s bot.Score
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("damaged score %q: %w", k, err)
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// Schedule implements bot.Store.
func (d *DB) Schedule(ctx context.Context, group, channel string) (bot.Schedule, error) {
	var s bot.Schedule
	err := d.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bSchedules), key(group, channel), &s)
		if err == nil && !ok {
			return bot.ErrNotFound
		}
		return err
	})
	return s, err
}

// Schedules implements bot.Store.
func (d *DB) Schedules(ctx context.Context, group string) ([]bot.Schedule, error) {
	var out []bot.Schedule
	err := d.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSchedules).Cursor()
		prefix := []byte{}
		if group != "" {
			prefix = key(group, "")
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var s bot.Schedule
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("damaged schedule %q: %w", k, err)
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// SaveSchedule implements bot.Store.
func (d *DB) SaveSchedule(ctx context.Context, s bot.Schedule) error {
	return d.update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bSchedules), key(s.Group, s.Channel), s) })
}

// DeleteSchedule implements bot.Store.
func (d *DB) DeleteSchedule(ctx context.Context, group, channel string) error {
	return d.update(func(tx *bolt.Tx) error { return tx.Bucket(bSchedules).Delete(key(group, channel)) })
}

// ClaimDaily implements bot.Store.
func (d *DB) ClaimDaily(ctx context.Context, group, channel, day string) (bool, error) {
	return d.claim(group, channel, day, func(s *bot.Schedule) *string { return &s.LastDay })
}

// ClaimDigest implements bot.Store.
func (d *DB) ClaimDigest(ctx context.Context, group, channel, day string) (bool, error) {
	return d.claim(group, channel, day, func(s *bot.Schedule) *string { return &s.LastDigest })
}

// claim sets a schedule's "last posted" day (the field picks which post)
// and reports whether this call moved it forward.
func (d *DB) claim(group, channel, day string, field func(*bot.Schedule) *string) (bool, error) {
	claimed := false
	err := d.update(func(tx *bolt.Tx) error {
		claimed = false
		b := tx.Bucket(bSchedules)
		var s bot.Schedule
		ok, err := getJSON(b, key(group, channel), &s)
		if err != nil {
			return err
		}
		if !ok {
			return bot.ErrNotFound
		}
		if last := field(&s); *last < day {
			*last = day
			claimed = true
			return putJSON(b, key(group, channel), s)
		}
		return nil
	})
	return claimed, err
}

// UnclaimDaily implements bot.Store.
func (d *DB) UnclaimDaily(ctx context.Context, group, channel, day string) error {
	return d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSchedules)
		var s bot.Schedule
		ok, err := getJSON(b, key(group, channel), &s)
		if err != nil || !ok || s.LastDay != day {
			return err
		}
		// the days before stay claimed: a retry may post today's again,
		// never an earlier day's
		s.LastDay = bot.DayBefore(day)
		return putJSON(b, key(group, channel), s)
	})
}

// Activity implements bot.Store: a member's answers per local day.
func (d *DB) Activity(ctx context.Context, group, user string) (map[string]int, error) {
	out := map[string]int{}
	err := d.db.View(func(tx *bolt.Tx) error {
		prefix := key(group, user, tagActivity, "")
		c := tx.Bucket(bMemberData).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(v) == 4 {
				out[string(k[len(prefix):])] = int(binary.BigEndian.Uint32(v))
			}
		}
		return nil
	})
	return out, err
}

// Round implements bot.Store.
func (d *DB) Round(ctx context.Context, group, channel string) (bot.Round, error) {
	var r bot.Round
	err := d.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bRounds), key(group, channel), &r)
		if err == nil && !ok {
			return bot.ErrNotFound
		}
		return err
	})
	return r, err
}

// Rounds implements bot.Store.
func (d *DB) Rounds(ctx context.Context) ([]bot.Round, error) {
	var out []bot.Round
	err := d.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bRounds).ForEach(func(k, v []byte) error {
			var r bot.Round
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("damaged round %q: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// SaveRound implements bot.Store.
func (d *DB) SaveRound(ctx context.Context, r bot.Round) error {
	return d.update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bRounds), key(r.Group, r.Channel), r) })
}

// UpdateRound implements bot.Store.
func (d *DB) UpdateRound(ctx context.Context, group, channel string, fn func(*bot.Round) error) error {
	return d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bRounds)
		var r bot.Round
		ok, err := getJSON(b, key(group, channel), &r)
		if err != nil {
			return err
		}
		if !ok {
			return bot.ErrNotFound
		}
		if err := fn(&r); err != nil {
			return err
		}
		return putJSON(b, key(group, channel), r)
	})
}

// DeleteRound implements bot.Store.
func (d *DB) DeleteRound(ctx context.Context, group, channel string) error {
	return d.update(func(tx *bolt.Tx) error { return tx.Bucket(bRounds).Delete(key(group, channel)) })
}

// Members implements bot.Store: every member of a group.
func (d *DB) Members(ctx context.Context, group string) ([]bot.Member, error) {
	var out []bot.Member
	err := d.db.View(func(tx *bolt.Tx) error {
		return forEachMember(tx, key(group, ""), func(k, v []byte) error {
			var m bot.Member
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("damaged member %q: %w", k, err)
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// forEachMember calls fn with the key and value of each member record in
// member_data whose key starts with prefix (a group's, or none), in key
// order. It reads two keys per member, skipping the member's other records.
func forEachMember(tx *bolt.Tx, prefix []byte, fn func(k, v []byte) error) error {
	c := tx.Bucket(bMemberData).Cursor()
	var mk []byte
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
		i := bytes.IndexByte(k, 0)
		j := -1
		if i >= 0 {
			j = bytes.IndexByte(k[i+1:], 0)
		}
		if j < 0 { // not group 0 user 0 ...: no such keys are written
			k, _ = c.Next()
			continue
		}
		member := k[:i+1+j+1] // group 0 user 0
		mk = append(append(mk[:0], member...), tagMember...)
		if mk2, v := c.Seek(mk); bytes.Equal(mk2, mk) {
			if err := fn(mk2, v); err != nil {
				return err
			}
		}
		mk[len(member)-1] = 1 // group 0 user 1: just past the member's records
		k, _ = c.Seek(mk[:len(member)])
	}
	return nil
}

// PeriodTallies implements bot.Store: the group's answers in a period by
// category, summed over the members' scores (read from the leaderboards index).
func (d *DB) PeriodTallies(ctx context.Context, group, period string) (map[string]bot.Tally, error) {
	out := map[string]bot.Tally{}
	err := d.db.View(func(tx *bolt.Tx) error {
		prefix := key(group, period, "")
		c := tx.Bucket(bLeaderboards).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			i := bytes.IndexByte(rest, 0)
			if i <= 0 {
				continue // the overall scores ("" category)
			}
			var s bot.Score
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("damaged score %q: %w", k, err)
			}
			t := out[string(rest[:i])]
			t.Answered += s.Answered
			t.Correct += s.Correct
			out[string(rest[:i])] = t
		}
		return nil
	})
	return out, err
}

// FirstDelivery implements bot.Store: it records a platform's delivery id
// (an interaction or envelope id) and reports whether it was new. Ids are
// checked in memory and on disk, and written to disk within a second, in
// the background: marking a delivery costs no fsync of its own. A crash can
// forget the last second's marks; answers stay exactly-once all the same,
// through their own key in the commit that records them.
func (d *DB) FirstDelivery(ctx context.Context, id string, at time.Time) (bool, error) {
	d.delivMu.Lock()
	if _, ok := d.seen[id]; ok {
		d.delivMu.Unlock()
		return false, nil
	}
	d.seen[id] = at // claimed: a concurrent redelivery sees it
	d.delivMu.Unlock()
	onDisk := false
	err := d.db.View(func(tx *bolt.Tx) error {
		onDisk = tx.Bucket(bDeliveries).Get([]byte(id)) != nil // seen before a restart
		return nil
	})
	if err != nil || onDisk {
		return false, err
	}
	d.delivMu.Lock()
	d.pending[id] = at
	d.delivMu.Unlock()
	return true, nil
}

// flushDeliveries writes the delivery ids seen since the last flush and
// forgets, in memory, those older than two days.
func (d *DB) flushDeliveries() error {
	d.delivMu.Lock()
	pending := d.pending
	d.pending = map[string]time.Time{}
	if len(d.seen) > 100_000 {
		for id, at := range d.seen {
			if time.Since(at) > 48*time.Hour {
				delete(d.seen, id)
			}
		}
	}
	d.delivMu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	return d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDeliveries)
		for id, at := range pending {
			if err := b.Put([]byte(id), binary.BigEndian.AppendUint64(nil, uint64(at.Unix()))); err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeDeliveries forgets delivery ids recorded before a moment, in memory
// too (also those not written yet).
func (d *DB) PurgeDeliveries(ctx context.Context, before time.Time) (int, error) {
	purged := map[string]bool{}
	d.delivMu.Lock()
	for id, at := range d.seen {
		if at.Before(before) {
			delete(d.seen, id)
			delete(d.pending, id)
			purged[id] = true
		}
	}
	d.delivMu.Unlock()
	onDisk := map[string]bool{}
	err := d.update(func(tx *bolt.Tx) error {
		clear(onDisk)
		c := tx.Bucket(bDeliveries).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) == 8 && time.Unix(int64(binary.BigEndian.Uint64(v)), 0).Before(before) {
				if err := c.Delete(); err != nil {
					return err
				}
				onDisk[string(k)] = true
			}
		}
		return nil
	})
	for id := range onDisk {
		purged[id] = true
	}
	return len(purged), err
}
