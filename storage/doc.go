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
//	member_data  group 0 user 0 ...: everything about one member, side by
//	             side:
//	               m -> Member (tallies, points, streak)
//	               k 0 kind 0 post -> answer seq: one answer per kind,
//	                 post and member
//	               s 0 period 0 category -> Score
//	               r 0 card -> bot.Review (spaced repetition)
//	               a 0 day -> answers that day (uint32), for /stats' heatmap
//	leaderboards group 0 period 0 category 0 rank user -> Score: scores in
//	             leaderboard order, so a top 10 reads 10 entries
//	answer_keys  kind 0 post 0 user -> answer seq, for answers recorded
//	             before schema 7 (read only; newer ones are in member_data)
//	schedules    group 0 channel -> Schedule
//	rounds       group 0 channel -> bot.Round (a study round in progress)
//	deliveries   platform delivery id -> when it was first seen (unix
//	             seconds), so a redelivery is handled once; kept two days,
//	             checked in memory and written within a second in the
//	             background (no fsync of their own on the request path)
//
// Leaderboards read maintained aggregates (the ranks index), never the
// answers; every answer updates, in its own commit, 6 scores: all time, its
// month and its week, each overall and for its category.
//
// Keeping a member's records side by side matters for speed: a commit
// writes every B+tree page it touched, so an answer that touched a page in
// each of four trees wrote four pages; under member_data it writes one or
// two (schema 7; before it, answer keys, scores, reviews and activity were
// buckets of their own, and recording took three times the pages). Schema 8
// moved the member record there too, from a members bucket of its own:
// 4.3 pages per answer instead of 5.6 when new members came in key order,
// and durable answers about a third faster (the means of five alternating
// runs of each). With member ids spread over the key space, as platforms'
// ids are, an answer writes about 6 pages, half of them in the
// leaderboards index: its six entries go to the end of their ties in six
// boards, and a commit's answers reach dozens of boards and ties. The
// answers bucket is appended to in key order, so its pages are filled
// before the next is started (FillPercent 1).
// Members lists a group's members by seeking from one member's record to
// the next.
//
// # Migrations
//
// Open migrates an older file. Up to schema 6 each step is one transaction.
// Schema 6 to 7 rewrites most of the file, so it runs in transactions of
// 100,000 records, each written in key order (bbolt inserts at random
// places in one large transaction are quadratic), and drops the old buckets
// and sets the version only in the last one: a migration cut short leaves a
// working schema-6 file, and the next Open starts it again. Schema 7 to 8
// copies the member records the same way.
//
// # Caveats
//
// bbolt takes an exclusive lock on the file: one process at a time. Open
// waits Options.Timeout for it and then fails with a message saying which
// process to stop. Backup works while the file is open in this process
// (bbolt's Tx.WriteTo), and from another process through the running one's
// backup socket (see ServeBackup).
package storage
