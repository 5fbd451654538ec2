package storage

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SetMigration makes migrateTo7 and migrateTo8 write chunk records a
// transaction and, if failAfter > 0, fail after that many transactions of
// member records. It returns a function that restores the defaults.
func SetMigration(chunk, failAfter int) func() {
	oldChunk, oldFail := migrateChunk, failMigrationAfter
	migrateChunk, failMigrationAfter = chunk, failAfter
	return func() { migrateChunk, failMigrationAfter = oldChunk, oldFail }
}

// SetBackupIdle sets how long a backup client may stop reading, for a
// test; the returned func restores it.
func SetBackupIdle(d time.Duration) func() {
	old := backupIdle
	backupIdle = d
	return func() { backupIdle = old }
}

// HoldWrite starts a write that does not finish until release is called,
// as a hung disk would hold one.
func HoldWrite(d *DB) (release func()) {
	entered, hold := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.update(context.Background(), func(*bolt.Tx) error { close(entered); <-hold; return nil })
	}()
	<-entered
	return func() { close(hold); <-done }
}

// WritesUnderWay is how many writes have begun and not ended: running, or
// waiting for the one before them.
func WritesUnderWay(d *DB) int {
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	return len(d.writes)
}
