// Package postgres is prepbot's PostgreSQL backend: bot.Store on a pgx
// connection pool, for teams that run several replicas of prepbot on one
// database. It passes the same conformance suite (storage/storetest) as
// the embedded bbolt backend in package storage.
//
// Records are the domain's JSON, as in bbolt, in tables keyed by what they
// are looked up by (see migrations/). What must agree across replicas is
// decided by the database, never in a process's memory: an answer is
// recorded once by its unique key, a day's post is claimed by a
// conditional UPDATE, a delivery id by a primary key, a shuffle bag or a
// round is changed under its row lock, and a member's records under an
// advisory lock of the member, taken in one order by every transaction.
//
// The schema is created and upgraded by embedded migrations (pressly/goose)
// when Open is called, under an advisory lock, so that replicas starting
// together migrate once; a database migrated by a newer prepbot is refused.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/postcache"
)

// Options configures Open.
type Options struct {
	// Rules are what Record applies to a member's records for each answer;
	// a rule left nil is bot.StandardRules'.
	Rules bot.Rules
	// Progress, when set, is told what the migrations do.
	Progress func(format string, args ...any)
	// ReadOnly opens for reading (export, migrate's source): the schema is
	// never created nor migrated, and one of another version is refused.
	ReadOnly bool
	// Writers is how many transactions record answers at once in this
	// process (default 2); each commits every answer waiting for it. The
	// writers take turns at their reads, so that one's reads go with the
	// other's writes, and one that finds another mid-transaction with a
	// group of n answers waits, at most GroupWait, until n/2 wait for it
	// rather than take them one or two at a time (see writeAnswers); an
	// answer that comes while no other writer holds a group of 4 or more
	// is recorded at once. In prepbench (64 clients, 2 cores) two writers
	// recorded 2,440-3,190 answers/s in five runs alternating with one
	// writer's 1,542-2,293 (+31% on the means). While other replicas
	// record answers to the same schema, the writers beyond the first stand
	// aside (see beacon.go). More make groups smaller:
	// the database pays its per-transaction cost more often, and replicas'
	// writers contend for it (four writers without the wait recorded
	// 1,511/s against one writer's 2,198, and three replicas of four 0.60x
	// of one replica).
	Writers int
	// GroupWait is the longest a writer waits for its group to fill while
	// another writer is mid-transaction (default 2 ms).
	GroupWait time.Duration
	// MaxGroup bounds the answers one transaction records (default 256);
	// 1 records every answer in a transaction of its own.
	MaxGroup int
	// MaxConns caps the pool (default: pgxpool's, at least Writers+5: a
	// connection for each writer and the front's, and four).
	MaxConns int32
	// Statements, when set, is told of every statement run: its verb
	// (SELECT, INSERT, UPDATE, DELETE, BEGIN, COMMIT, ROLLBACK, OTHER, or
	// BATCH for a pipeline of several), its time and whether it failed.
	Statements func(verb string, took time.Duration, failed bool)
}

// DB is a prepbot database on PostgreSQL. It implements bot.Store.
type DB struct {
	pool  *pgxpool.Pool
	rules bot.Rules

	recMu      sync.RWMutex
	recClosed  bool
	recq       chan *recordReq
	frontq     chan *frontReq // the front's requests (front.go); closed with recq
	maxGroup   int
	groupWait  time.Duration
	writers    sync.WaitGroup
	inGroup    []atomic.Int32 // each writer's group in progress: its answers, 0 between groups
	reading    chan struct{}  // held by the writer doing its group's reads, when there are several
	closing    chan struct{}  // closed by Close: helper writers standing aside return
	lastGroup  atomic.Int64   // when a writer last began a group, in Unix nanoseconds
	others     atomic.Int32   // other replicas recording answers to the schema, as the beacon last saw
	beaconed   sync.WaitGroup
	wakeBeacon chan struct{}
	beat       time.Duration // beaconEvery and busyFor, as Open found them
	busyFor    time.Duration

	posts postcache.Cache // posts never change: every replica may keep them

	closeOnce sync.Once

	onCommit func(time.Duration)
	onGroup  func(int)

	afterRead   func()          // tests: called between a group's reads and its writes
	beforeFront func()          // tests: called when the front takes a request, before it takes those waiting
	frontBatch  func(n int)     // tests: told of each pipeline the front sends
	afterFront  func(*pgx.Conn) // tests: called with the front's connection after each pipeline
	writerGroup func(me, n int) // tests: told of each group writer me recorded
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("the database is closed")

// IsURL reports whether a --db value names a PostgreSQL database rather
// than a bbolt file.
func IsURL(s string) bool {
	for _, p := range []string{"postgres://", "postgresql://"} {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}

// Open connects to the database at url (postgres://user@host:port/db?...;
// a search_path parameter picks the schema), migrates its schema to this
// version of prepbot, and starts the answer writers.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL URL cannot be read (%v): write it as postgres://user@host:5432/database", errors.Unwrap(err))
	}
	if opt.Writers <= 0 {
		opt.Writers = defaultWriters
	}
	if opt.GroupWait <= 0 {
		opt.GroupWait = defaultGroupWait
	}
	if opt.MaxGroup <= 0 {
		opt.MaxGroup = maxGroup
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	if min := int32(opt.Writers + 5); cfg.MaxConns < min {
		cfg.MaxConns = min
	}
	if opt.Statements != nil {
		cfg.ConnConfig.Tracer = &tracer{observe: opt.Statements}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL at %s:%d does not answer (%w): start it, or check the URL's host, port, user and database", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	if err := migrate(ctx, pool, opt.Progress, opt.ReadOnly); err != nil {
		pool.Close()
		return nil, err
	}
	d := &DB{
		pool:      pool,
		rules:     opt.Rules.OrStandard(),
		recq:      make(chan *recordReq, 4*maxGroup),
		frontq:    make(chan *frontReq, 4*maxFront),
		maxGroup:  opt.MaxGroup,
		groupWait: opt.GroupWait,
		inGroup:   make([]atomic.Int32, opt.Writers),
	}
	if opt.Writers > 1 && opt.MaxGroup > 1 {
		d.reading = make(chan struct{}, 1)
		d.reading <- struct{}{}
	}
	d.closing, d.beat, d.busyFor = make(chan struct{}), beaconEvery, busyFor
	d.wakeBeacon = make(chan struct{}, 1)
	for w := range opt.Writers {
		d.writers.Go(func() { d.writeAnswers(w) })
	}
	d.writers.Go(d.front)
	d.beaconed.Go(func() { d.beacon(d.closing) })
	return d, nil
}

// Close stops the answer writers and the front (after the answers and
// requests they were given) and closes the pool. It may be called more than once.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		d.recMu.Lock()
		d.recClosed = true
		close(d.recq)
		close(d.frontq)
		d.recMu.Unlock()
		close(d.closing)
		d.writers.Wait()
		d.beaconed.Wait()
		d.pool.Close()
	})
	return nil
}

// Pool is the connection pool, for metrics and readiness checks.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// Check reports whether the database answers.
func (d *DB) Check(ctx context.Context) error {
	return d.pool.Ping(ctx)
}

// inTx runs fn in a transaction, retrying it when PostgreSQL aborted it
// for a deadlock or a serialization failure (neither should happen with
// the locks the backend takes in order, but a retry costs nothing).
func (d *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, d.pool, fn)
		if attempt < 5 && retryable(err) {
			continue
		}
		return err
	}
}

// retryable reports whether err aborted a transaction that can simply be
// run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// memberLock is the advisory lock key of a member: every write to a
// member's records (the member, reviews, activity, scores, peeks) holds it.
func memberLock(group, user string) int64 {
	h := fnv.New64a()
	h.Write([]byte("member\x00"))
	h.Write([]byte(group))
	h.Write([]byte{0})
	h.Write([]byte(user))
	return int64(h.Sum64())
}

// noRows turns pgx's "no rows" into bot.ErrNotFound.
func noRows(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.ErrNotFound
	}
	return err
}

// damaged wraps a record that does not decode.
func damaged(table string, err error) error {
	return fmt.Errorf("damaged record in %s: %w", table, err)
}

// nanos is t in Unix nanoseconds, never below 0 (as bbolt's rank keys).
func nanos(t time.Time) int64 { return max(t.UnixNano(), 0) }
