// Package storage keeps prepbot's state in one bbolt file and implements
// bot.Store.
//
// # Basics
//
// Open creates or opens the file, migrates it to the current schema and
// returns a DB. Every write is one bbolt transaction, committed (and so
// fsynced) before the method returns: an answer the user was told about is
// on disk. Answers go through one writer goroutine that commits every
// answer waiting when its previous commit ends (group commit), so answers
// that arrive together share one fsync. Unlike bbolt's Batch, it never
// waits for a timer and never splits the members waiting into several
// commits: under load it waits up to a millisecond for the members its last
// commit answered.
//
// # Layout
//
//	meta         "schema" -> the schema version
//	groups       group -> Group (time zone)
//	posts        id (big-endian, from NextSequence) -> Post
//	bags         "ch:group:channel:filter" -> questionbank.BagState
//	answers      seq (big-endian) -> Answer (answers and self-ratings)
//	answer_keys  kind 0 post 0 user -> seq: one answer per kind, post and user
//	members      group 0 user -> Member (tallies, points, streak)
//	scores       group 0 period 0 category 0 user -> Score
//	ranks        group 0 period 0 category 0 rank user -> nothing: scores in
//	             leaderboard order, so a top 10 reads 10 keys
//	schedules    group 0 channel -> Schedule
//	reviews      group 0 user 0 card -> bot.Review (spaced repetition)
//	rounds       group 0 channel -> bot.Round (a study round in progress)
//	activity     group 0 user 0 day -> answers that day (uint32), for /stats' heatmap
//	deliveries   platform delivery id -> when it was first seen (unix
//	             seconds), so a redelivery is handled once; kept two days,
//	             checked in memory and written within a second in the
//	             background (no fsync of their own on the request path)
//
// Leaderboards read maintained aggregates (scores and ranks), never the
// answers; every answer updates, in its own commit, 6 scores: all time, its
// month and its week, each overall and for its category.
//
// # Caveats
//
// bbolt takes an exclusive lock on the file: one process at a time. Open
// waits Options.Timeout for it and then fails with a message saying which
// process to stop. Backup works while the file is open in this process
// (bbolt's Tx.WriteTo), and from another process through the running one's
// backup socket (see ServeBackup).
package storage
