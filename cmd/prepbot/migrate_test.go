package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// A team moves its bbolt file to PostgreSQL and back with prepbot migrate:
// each run says the copy matches, the exports of the two files are the
// same bytes, and so is PostgreSQL's; the copy works; and a second run
// into either copy is refused and changes nothing.
func TestMigrateToPostgresAndBack(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "study.db")
	// each member answers a card and rates it, then opens the next card's
	// hint and answers it (buttons are numbered from 1 in each reply: the
	// card's [1] A ... [5] Hint, the verdict's [1] Model answer, the
	// model answer's [2] Partly)
	for _, user := range []string{"sam", "kim"} {
		code, out, errs := runWithInput(t, "/question category:postgres\n1\n1\n2\n/question\n5\n1\n", "console", "--db", src, "--user", user)
		if code != 0 || !strings.Contains(out, "Saved: Partly") {
			t.Fatalf("console as %s: exit %d %s\n%s", user, code, errs, out)
		}
	}
	url := pgtest.Schema(t)

	// an empty schema is no source: it is refused, and left empty
	code, out, errs := runWithInput(t, "", "migrate", "--from", url, "--to", filepath.Join(dir, "nothing.db"))
	if code != 1 || !strings.Contains(errs, "no prepbot database in schema") {
		t.Fatalf("migrate from an empty schema: exit %d %s\n%s", code, errs, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "nothing.db")); !os.IsNotExist(err) {
		t.Fatalf("migrate from an empty schema created its destination (%v)", err)
	}

	code, out, errs = runWithInput(t, "", "migrate", "--from", src, "--to", url)
	if code != 0 || !strings.Contains(out, "the copy matches") || !strings.Contains(out, "6 answers") ||
		!strings.Contains(out, "prepbot export --db "+src) {
		t.Fatalf("migrate to PostgreSQL: exit %d %s\n%s", code, errs, out)
	}
	back := filepath.Join(dir, "back.db")
	code, out, errs = runWithInput(t, "", "migrate", "--from", url, "--to", back)
	if code != 0 || !strings.Contains(out, "the copy matches") || !strings.Contains(out, "prepbot export --db "+back) {
		t.Fatalf("migrate back to bbolt: exit %d %s\n%s", code, errs, out)
	}

	want := exportFile(t, src)
	var doc struct {
		Answers []struct {
			Kind string `json:"kind"`
			User string `json:"user"`
		} `json:"answers"`
		Peeks []json.RawMessage `json:"peeks"`
	}
	// four peeks, or three when a member's two draws dealt the same card
	// (the two draws come from different bags): its peeks are one record
	if err := json.Unmarshal([]byte(want), &doc); err != nil || len(doc.Answers) != 6 || len(doc.Peeks) < 3 || len(doc.Peeks) > 4 {
		t.Fatalf("export of the source: %v\n%s", err, want)
	}
	if got := exportFile(t, back); got != want {
		t.Fatalf("the export of the copy differs from the source's:\n%s\n---\n%s", got, want)
	}
	pg, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pgExport bytes.Buffer
	err = pg.Export(t.Context(), &pgExport)
	pg.Close()
	if err != nil || pgExport.String() != want {
		t.Fatalf("the export of PostgreSQL (%v) differs from the source's:\n%s\n---\n%s", err, pgExport.String(), want)
	}

	// the copy is a working database
	code, out, _ = runWithInput(t, "/stats\n", "console", "--db", back, "--user", "kim")
	if code != 0 || !strings.Contains(out, "Answered: 2") {
		t.Fatalf("console on the copy: exit %d\n%s", code, out)
	}
	want = exportFile(t, back)

	// a second migration into either is refused, and changes nothing
	code, _, errs = runWithInput(t, "", "migrate", "--from", src, "--to", url)
	if code != 1 || !strings.Contains(errs, "Migrate into an empty database") || !strings.Contains(errs, "nothing was copied") {
		t.Errorf("migrate into PostgreSQL again: exit %d %s", code, errs)
	}
	code, _, errs = runWithInput(t, "", "migrate", "--from", src, "--to", back)
	if code != 1 || !strings.Contains(errs, back+" already exists: migrate into a new file") {
		t.Errorf("migrate into the bbolt copy: exit %d %s", code, errs)
	}
	if got := exportFile(t, back); got != want {
		t.Errorf("a refused migration changed the copy")
	}
}

// A larger database, copied from one bbolt file to another (which
// compacts it), shows how far the copy has got every 10,000 records.
func TestMigrateShowsProgress(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "big.db")
	db, err := storage.Open(src, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var answers []*bot.Answer
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 4000 {
		a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", Channel: "C1", User: fmt.Sprintf("U%03d", i%300), PostID: uint64(i/300 + 1),
			CardID: fmt.Sprintf("card-%d", i/300), Category: []string{"postgres", "kafka"}[i%2], Correct: i%3 > 0, Points: 10 * (i % 3),
			At: at.Add(time.Duration(i) * time.Minute)}
		a.Day, a.Periods = a.At.Format("2006-01-02"), bot.Periods(a.At, time.UTC)
		answers = append(answers, a)
	}
	err = db.Replay(answers, 1000)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runWithInput(t, "", "migrate", "--from", src, "--to", filepath.Join(dir, "copy.db"))
	if code != 0 || !strings.Contains(out, "4000 answers") || !strings.Contains(out, "the copy matches") ||
		!strings.Contains(errs, "prepbot migrate: 10000 records so far (4000 answers, 300 members, ") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

// exportFile is `prepbot export` of a bbolt file.
func exportFile(t *testing.T, db string) string {
	t.Helper()
	code, out, errs := runWithInput(t, "", "export", "--db", db)
	if code != 0 {
		t.Fatalf("export --db %s: exit %d %s", db, code, errs)
	}
	return out
}

// migrate refuses what it cannot do, saying what to do instead, and
// leaves no file behind.
func TestMigrateBadInput(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "new.db")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate", "--from", filepath.Join(dir, "study.db")}, 2, "give the database to copy and the one to copy into"},
		{[]string{"migrate", "--from", dst, "--to", dst}, 2, "name the same database"},
		{[]string{"migrate", "--from", filepath.Join(dir, "missing.db"), "--to", dst}, 1, "no database at " + filepath.Join(dir, "missing.db")},
		{[]string{"migrate", "--from", "postgres://127.0.0.1:1/nothing?connect_timeout=2", "--to", dst}, 1, "does not answer"},
	} {
		code, _, errs := runWithInput(t, "", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, want %d and %q:\n%s", c.args, code, c.code, c.want, errs)
		}
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a refused migration left %s behind (%v)", dst, err)
	}

	// a file of an older prepbot is not migrated by reading it: the
	// copy fails, and the new file it had begun is deleted
	old := filepath.Join(dir, "old.db")
	bdb, err := bolt.Open(old, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return meta.Put([]byte("schema"), []byte("6"))
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := runWithInput(t, "", "migrate", "--from", old, "--to", dst)
	if code != 1 || !strings.Contains(errs, "older prepbot (schema 6") || !strings.Contains(errs, "open it once with prepbot console or serve") ||
		!strings.Contains(errs, dst+", which this migration created, was deleted") {
		t.Errorf("migrate from schema 6: exit %d %s", code, errs)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a failed migration left %s behind (%v)", dst, err)
	}
}

// A URL is quoted where migrate shows it as part of a command.
func TestShellArg(t *testing.T) {
	for in, want := range map[string]string{
		"/var/lib/prepbot/prepbot.db":                      "/var/lib/prepbot/prepbot.db",
		"postgres://u@db:5432/prepbot?sslmode=disable&x=1": "'postgres://u@db:5432/prepbot?sslmode=disable&x=1'",
		"/home/o'neil/study.db":                            `'/home/o'\''neil/study.db'`,
		"":                                                 "''",
	} {
		if got := shellArg(in); got != want {
			t.Errorf("shellArg(%q) = %s, want %s", in, got, want)
		}
	}
}
