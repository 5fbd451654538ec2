package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/dump"
	"github.com/prepbot/prepbot/storage/postgres"
)

const migrateUsage = `prepbot migrate --from SRC --to DST

Copies every record of the database SRC into DST, which must be empty, and
checks the copy: SRC and DST are each a bbolt file or a PostgreSQL URL
(postgres://user@host:5432/database). A bbolt DST is created; a PostgreSQL
one gets prepbot's schema. Stop the bot before, and point it at DST after.`

// progressEvery is how many records pass between two progress lines.
const progressEvery = 10_000

func runMigrate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr, migrateUsage)
	from := fs.String("from", "", "the database to copy: a bbolt `file` or a postgres:// URL")
	to := fs.String("to", "", "the database to copy into, which must be empty: a new bbolt `file` or a postgres:// URL")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return exitError{2}
	}
	if *from == "" || *to == "" || len(rest) > 0 {
		fmt.Fprintln(stderr, "prepbot migrate: give the database to copy and the one to copy into: prepbot migrate --from FILE.db --to postgres://user@host:5432/database")
		return exitError{2}
	}
	if *from == *to {
		fmt.Fprintln(stderr, "prepbot migrate: --from and --to name the same database: copy into a new one")
		return exitError{2}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	src, closeSrc, err := openMigrateSource(ctx, *from)
	if err != nil {
		return err
	}
	defer closeSrc()
	dst, closeDst, discard, err := openMigrateDestination(ctx, *to)
	if err != nil {
		return err
	}
	defer closeDst()

	start := time.Now()
	counted := &countingSource{Source: src, w: stderr, counts: dump.Counts{}, start: start}
	if err := dump.Copy(ctx, counted, dst); err != nil {
		err = fmt.Errorf("migrating %s to %s: %w", redactDB(*from), redactDB(*to), err)
		if discard != nil && discard() == nil {
			return fmt.Errorf("%w (%s, which this migration created, was deleted: nothing is left to clean up; migrate again once the cause is fixed)", err, *to)
		}
		return err
	}
	fmt.Fprintf(stdout, "copied %s from %s to %s in %v\n", counted.counts, redactDB(*from), redactDB(*to), time.Since(start).Round(time.Millisecond))
	if counted.counts.Total() == 0 {
		fmt.Fprintf(stdout, "note: %s holds no records: check that --from names the database the bot used\n", redactDB(*from))
	}

	// the check: both exports, hashed, must be the same bytes
	srcSum, err := exportSum(ctx, src)
	if err != nil {
		return fmt.Errorf("checking the copy: exporting %s: %w", redactDB(*from), err)
	}
	dstSum, err := exportSum(ctx, dst)
	if err != nil {
		return fmt.Errorf("checking the copy: exporting %s: %w", redactDB(*to), err)
	}
	if srcSum != dstSum {
		return fmt.Errorf("the copy does not match: the export of %s (sha256 %x) differs from the export of %s (sha256 %x). Do not move the bot to %s; compare `prepbot export --db %s` with `prepbot export --db %s` to see what differs, and report it",
			redactDB(*from), srcSum, redactDB(*to), dstSum, redactDB(*to), shellArg(redactDB(*from)), shellArg(redactDB(*to)))
	}
	fmt.Fprintf(stdout, "the copy matches: the exports of both have sha256 %x\n", srcSum)
	fmt.Fprintf(stdout, "to compare them yourself: prepbot export --db %s > from.json; prepbot export --db %s > to.json; cmp from.json to.json\n",
		shellArg(redactDB(*from)), shellArg(redactDB(*to)))
	return nil
}

// shellArg quotes s for a shell when it needs it (a URL's ? and &).
func shellArg(s string) string {
	plain := func(r rune) bool {
		return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./:@%+=,", r))
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !plain(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// migrateDB is what migrate copies from and into: either backend.
type migrateDB interface {
	dump.Source
	dump.Sink
}

// openMigrateSource opens the database to copy read-only, as export opens
// it: a bbolt file or a PostgreSQL schema is never written, nor migrated
// (one of an older prepbot is refused, saying how to migrate it first).
func openMigrateSource(ctx context.Context, where string) (migrateDB, func(), error) {
	if postgres.IsURL(where) {
		db, err := postgres.Open(ctx, where, postgres.Options{ReadOnly: true, Writers: 1})
		if err != nil {
			return nil, nil, err
		}
		return db, func() { db.Close() }, nil
	}
	if _, err := os.Stat(where); err != nil {
		return nil, nil, fmt.Errorf("no database at %s: check the path given to --from", where)
	}
	db, err := storage.Open(where, storage.Options{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// openMigrateDestination opens the database to copy into: a bbolt file it
// creates (an existing file is refused), or PostgreSQL, whose schema Open
// creates. discard, for a file it created, closes and deletes it.
func openMigrateDestination(ctx context.Context, where string) (db migrateDB, closeDB func(), discard func() error, err error) {
	if postgres.IsURL(where) {
		pg, err := postgres.Open(ctx, where, postgres.Options{Writers: 1})
		if err != nil {
			return nil, nil, nil, err
		}
		return pg, func() { pg.Close() }, nil, nil
	}
	if st, err := os.Stat(where); err == nil && st.Size() > 0 {
		return nil, nil, nil, fmt.Errorf("%s already exists: migrate into a new file (give another --to), so that nothing in it is overwritten", where)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil, fmt.Errorf("cannot use %s: %w", where, err)
	}
	bdb, err := storage.Open(where, storage.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	closeDB = func() { bdb.Close() }
	discard = func() error {
		bdb.Close()
		return os.Remove(where)
	}
	return bdb, closeDB, discard, nil
}

// countingSource counts the records a Source gives and tells w how far it
// has got every progressEvery records.
type countingSource struct {
	dump.Source
	w      io.Writer
	counts dump.Counts
	n      int
	start  time.Time
}

func (c *countingSource) Dump(ctx context.Context, fn func(dump.Record) error) error {
	return c.Source.Dump(ctx, func(r dump.Record) error {
		c.counts[r.Kind]++
		if c.n++; c.n%progressEvery == 0 {
			fmt.Fprintf(c.w, "prepbot migrate: %d records so far (%s), %v\n", c.n, c.counts, time.Since(c.start).Round(time.Second))
		}
		return fn(r)
	})
}

// exportSum is the SHA-256 of a database's export.
func exportSum(ctx context.Context, src dump.Source) ([sha256.Size]byte, error) {
	h := sha256.New()
	if err := dump.WriteExport(ctx, h, src); err != nil {
		return [sha256.Size]byte{}, err
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}
