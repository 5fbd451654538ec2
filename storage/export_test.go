package storage

// SetMigration makes migrateTo7 and migrateTo8 write chunk records a
// transaction and, if failAfter > 0, fail after that many transactions of
// member records. It returns a function that restores the defaults.
func SetMigration(chunk, failAfter int) func() {
	oldChunk, oldFail := migrateChunk, failMigrationAfter
	migrateChunk, failMigrationAfter = chunk, failAfter
	return func() { migrateChunk, failMigrationAfter = oldChunk, oldFail }
}
