package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SetIdleCheck sets how long the answer writers' connections may sit idle
// before they are pinged before use, for writers started after it, and
// returns a function that restores it.
func SetIdleCheck(d time.Duration) (restore func()) {
	old := idleCheck
	idleCheck = d
	return func() { idleCheck = old }
}

// SetBeacon sets how often the beacon looks at the other replicas and
// how long after its last group a replica still counts as recording, for
// databases opened after it, and returns a function that restores them.
func SetBeacon(every, busy time.Duration) (restore func()) {
	oldEvery, oldBusy := beaconEvery, busyFor
	beaconEvery, busyFor = every, busy
	return func() { beaconEvery, busyFor = oldEvery, oldBusy }
}

// OnWriterGroup has f told of each group a writer of d recorded: the
// writer (0 the first) and the group's answers. Set it before recording.
func (d *DB) OnWriterGroup(f func(writer, answers int)) { d.writerGroup = f }

// AfterRead has f called by d's answer writers after each group's reads,
// before its writes. Set it before the answers it is for are recorded.
func (d *DB) AfterRead(f func()) { d.afterRead = f }

// HoldFront has d's front call hold when it takes a request, before it
// takes those waiting, and tells batch of each pipeline it sends (its
// requests). Set it before the requests it is for.
func (d *DB) HoldFront(hold func(), batch func(n int)) { d.beforeFront, d.frontBatch = hold, batch }

// AfterFront has f called with the front's connection after each
// pipeline it sent, by the front. Set it before the requests it is for.
func (d *DB) AfterFront(f func(*pgx.Conn)) { d.afterFront = f }

// FrontQueued is how many requests wait for the front.
func (d *DB) FrontQueued() int { return len(d.frontq) }

// Queued is how many answers wait for a writer.
func (d *DB) Queued() int { return len(d.recq) }

// MigrateTo migrates the schema at url up to version, as the release
// whose last migration it was did.
func MigrateTo(ctx context.Context, url string, version int64) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	p, err := newProvider(pool, 1)
	if err != nil {
		return err
	}
	defer p.Close()
	_, err = p.UpTo(ctx, version)
	return err
}

// DaysBoardSQL is the statement DaysBoard runs, for EXPLAIN.
const DaysBoardSQL = daysBoardSQL

// PeriodTalliesSQL is the statement PeriodTallies runs, for EXPLAIN.
const PeriodTalliesSQL = periodTalliesSQL
