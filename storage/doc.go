// Package storage keeps prepbot's state in one bbolt file and implements
// bot.Store: each of the domain's per-entity stores.
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
// commit answered. Recording an answer applies the domain's rules to the
// member, the review of the card and the scores, in that commit: the
// bot.Rules given in Options.Rules, bot.StandardRules by default.
//
// storage.go opens and closes the file (damaged.go checks its header first,
// migrate.go migrates it, or checks its schema when it is opened
// read-only); writer.go is the answer writer and record.go what it writes
// for each answer; deliveries.go keeps delivery ids and limits.go the draw
// cooldown's counts (in memory: one process serves a file); groups.go,
// members.go, boards.go, schedules.go and rounds.go answer the queries of
// each store, over the helpers of records.go; export.go, dump.go and
// load.go read and write every record at once (prepbot export, backup and
// migrate, through package storage/dump).
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
//	               a 0 day -> answers and self-ratings that day (uint32),
//	                 for /stats' heatmap
//	               p 0 card -> bot.Peek: the hint or model answer the
//	                 member opened that day
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
// writes every B+tree page it touched, so records of one answer spread
// over several trees cost a page in each, while under member_data they
// share one or two. The leaderboards index costs the rest: an answer's six
// entries go to the end of their ties in six boards. The answers bucket is
// appended to in key order, so its pages are filled before the next is
// started (FillPercent 1). (The README's performance section has the
// figures.)
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
// backup socket (see ServeBackup and ListenBackup). Open checks a file's
// header before bbolt maps it, and turns a panic of bbolt's while it opens
// a damaged file into an error.
package storage
