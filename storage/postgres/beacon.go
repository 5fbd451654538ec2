package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Replicas recording at once. A replica's second writer (and any beyond
// it) is there to keep the database busy while the first writer's Go code
// runs between its round trips. When other replicas record answers to the
// same schema, their writers do that, and a replica's own second writer
// only splits its answers into smaller groups: the database pays its cost
// per transaction more often. In prepbench (64 clients on 2 cores, three
// replicas of two writers) the groups held 8 answers, against 24 with one
// replica, and three replicas recorded 0.75-0.77x of one.
//
// So each replica says in the database, while it records answers, that it
// does (the beacon: a shared advisory lock of the schema, held by a
// connection of its own, and released when the replica has been idle a
// while, closes or dies with its connection), and counts the others that
// do. While there are others, its helper writers stand aside and its
// first writer records alone; having no other writer to overlap, it waits
// (at most GroupWait) until its group holds as many answers as its last
// group did, plus those waiting, so that the answers of one group, coming
// back from their members, are recorded together rather than split in
// two groups of half.

// beaconEvery is how often the beacon looks at the other replicas (and at
// once when the replica begins recording after a pause); a replica that
// recorded no group for busyFor says no more that it records. Variables
// for the tests.
var (
	beaconEvery = 100 * time.Millisecond
	busyFor     = 2 * time.Second
)

// beaconKey is the first key of the beacon's lock; the second is the hash
// of the schema's name, so that prepbot databases in other schemas of the
// same database do not count.
const beaconKey = 0x70726570 // "prep"

const (
	beaconLock   = "SELECT pg_advisory_lock_shared($1, hashtext(current_schema()))"
	beaconUnlock = "SELECT pg_advisory_unlock_shared($1, hashtext(current_schema()))"
	// beaconCount counts the replicas holding the lock, this one included
	beaconCount = `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 2
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND classid = $1 AND objid = hashtext(current_schema())::oid`
)

// beacon holds the beacon's lock while d records answers, and keeps
// d.others, the other replicas that do, up to date; a writer beginning a
// group after a pause wakes it. It returns when stop
// is closed, closing its connection (which releases the lock).
func (d *DB) beacon(stop <-chan struct{}) {
	var conn *pgx.Conn
	held := false
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	tick := time.NewTicker(d.beat)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		case <-d.wakeBeacon:
		}
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		busy := time.Since(time.Unix(0, d.lastGroup.Load())) < d.busyFor
		var err error
		switch {
		case !busy && held:
			_, err = conn.Exec(ctx, beaconUnlock, beaconKey)
			held = false
			d.others.Store(0)
		case busy:
			if conn == nil || conn.IsClosed() {
				held = false
				if conn, err = pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig); err != nil {
					conn = nil
					break
				}
			}
			if !held {
				if _, err = conn.Exec(ctx, beaconLock, beaconKey); err != nil {
					break
				}
				held = true
			}
			var n int64
			if err = conn.QueryRow(ctx, beaconCount, beaconKey).Scan(&n); err == nil {
				d.others.Store(int32(max(n-1, 0)))
			}
		}
		cancel()
		if err != nil {
			// the replica cannot tell: it records as if alone, and tries
			// again on a new connection at the next tick
			d.others.Store(0)
			if conn != nil {
				conn.Close(context.Background())
				conn = nil
			}
			held = false
		}
	}
}

// standAside says whether writer me waits rather than take answers: a
// helper writer, while other replicas record answers.
func (d *DB) standAside(me int) bool { return me > 0 && d.others.Load() > 0 }

// OtherReplicas is how many other replicas recording answers to the same
// schema d saw last (0 while d itself records none), for metrics.
func (d *DB) OtherReplicas() int { return int(d.others.Load()) }
