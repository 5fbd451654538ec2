package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/chart"
	"github.com/prepbot/prepbot/bot/console"
	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/postgres"
)

// dataDir is where prepbot keeps its files when no --db is given.
func dataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "prepbot")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "prepbot")
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "prepbot")
		}
	}
	return filepath.Join(home, ".local", "share", "prepbot")
}

func defaultUser() string {
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if u := strings.TrimSpace(os.Getenv(v)); u != "" {
			return u
		}
	}
	return "learner"
}

func runConsole(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("console", stderr, "prepbot console [--db PATH] [--user NAME] [--bank PATH]... [--timezone ZONE] [--pictures DIR] [--config FILE]\n\nStudy in the terminal: the same commands as on Discord, typed (/question category:postgres).\nButtons print as [N] label; type N to press one, or a card's option letter (A) to answer it.\nWorks with piped input.")
	dbPath := fs.String("db", "", "database `file` or postgres:// URL (default: console.db in the user's data folder)")
	user := fs.String("user", defaultUser(), "your `name` in the leaderboard")
	tz := fs.String("timezone", "", "time `zone` for streaks and leaderboards until /qotd set gives one (default UTC)")
	graderConfig := fs.String("config", "", "a config `file` whose grader block grades /interview with a model (default: the built-in grader), and whose console.pictures is the pictures' folder")
	pictures := fs.String("pictures", "", "the `folder` the pictures of /stats and /leaderboard chart:yes are saved in, made if missing (default: the config's console.pictures, else "+console.DefaultPictureDir()+")")
	var banks stringsFlag
	fs.Var(&banks, "bank", "bank `PATH`: a .yaml file, a folder, or \"default\" (repeatable; default: the built-in bank)")
	if rest, err := parseArgs(fs, args); err != nil {
		return exitError{2}
	} else if len(rest) > 0 {
		fmt.Fprintf(stderr, "prepbot console: unexpected %q (run with -h for help)\n", rest[0])
		return exitError{2}
	}
	if *tz != "" {
		if _, err := bot.LoadLocation(*tz); err != nil {
			return fmt.Errorf("--timezone: %s", bot.ErrorMessage(err))
		}
	}
	bank, err := loadBank(banks, stdout, stderr)
	if err != nil {
		return err
	}
	var grader bot.Grader = grade.Builtin{}
	if *graderConfig != "" {
		cfg, err := LoadConfig(*graderConfig)
		if err != nil {
			return err
		}
		if grader, err = graderLogging(cfg, stderr); err != nil {
			return err
		}
		if *pictures == "" {
			*pictures = cfg.Console.Pictures
		}
	}
	if *pictures == "" {
		*pictures = console.DefaultPictureDir()
	}
	banner := ""
	if *dbPath == "" {
		*dbPath = filepath.Join(dataDir(), "console.db")
		banner = "Your progress is saved in " + *dbPath + " (choose another file with --db)."
	}
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, format+"\n", args...) // a schema migration, once after an upgrade
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var db bot.Store
	if postgres.IsURL(*dbPath) {
		pg, err := postgres.Open(ctx, *dbPath, postgres.Options{Progress: progress})
		if err != nil {
			return err
		}
		defer pg.Close()
		db = pg
	} else {
		bb, err := storage.Open(*dbPath, storage.Options{Progress: progress})
		if err != nil {
			return err
		}
		defer bb.Close()
		stopBackups := serveBackups(bb)
		defer stopBackups()
		db = bb
	}
	// one member at a terminal: no draw cooldown (it protects a shared
	// channel and the server's disk from a member who draws in a loop)
	b := bot.New(bot.Config{Bank: bank, Store: db, TimeZone: *tz, DrawLimit: -1, Pictures: chart.Pictures{}, Grader: grader,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	tick := time.Duration(0)
	if isTerminal(stdin) {
		tick = time.Second // the daily question and study rounds move on their own in an interactive session
	}
	return console.Run(ctx, console.Options{Bot: b, In: stdin, Out: stdout, User: *user, Banner: banner, Tick: tick,
		PictureDir: *pictures, Width: terminalWidth(stdout)})
}

// serveBackups lets `prepbot backup` copy the database while this process
// holds it. It is best effort: without the socket, backup says the
// database is in use. The function it returns closes the socket and waits
// until it is no longer served.
func serveBackups(db *storage.DB) func() {
	l, err := storage.ListenBackup(db.Path()) // we hold the database lock, so a socket left there is ours
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.ServeBackup(l)
	}()
	return func() {
		l.Close()
		<-done
	}
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", stderr, "prepbot export --db PATH|URL [-o OUT.json]\n\nWrites every record (groups, posts, bags, answers, members, reviews, activity, scores, peeks,\nschedules, rounds) as one JSON document, the same for the same data on bbolt and PostgreSQL.")
	dbPath := fs.String("db", "", "database `file` or postgres:// URL")
	out := fs.String("o", "", "write to this `file` instead of standard output")
	if _, err := parseArgs(fs, args); err != nil {
		return exitError{2}
	}
	if *dbPath == "" {
		fmt.Fprintln(stderr, "prepbot export: give the database with --db PATH")
		return exitError{2}
	}
	var export func(io.Writer) error
	if postgres.IsURL(*dbPath) {
		// read-only: an export never creates nor migrates the schema
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		db, err := postgres.Open(ctx, *dbPath, postgres.Options{ReadOnly: true, Writers: 1})
		if err != nil {
			return err
		}
		defer db.Close()
		export = func(w io.Writer) error { return db.Export(ctx, w) }
	} else {
		if _, err := os.Stat(*dbPath); err != nil {
			return fmt.Errorf("no database at %s: check the path", *dbPath)
		}
		// read-only: an export never writes, nor migrates, the file
		db, err := storage.Open(*dbPath, storage.Options{ReadOnly: true})
		if err != nil {
			return err
		}
		defer db.Close()
		export = db.Export
	}
	if *out == "" {
		return export(stdout)
	}
	_, err := storage.BackupFile(*out, func(w io.Writer) (int64, error) { return 0, export(w) })
	return err
}

func runBackup(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stderr, "prepbot backup --db PATH OUT\n\nMakes a consistent copy of the database, also while the bot or a console is running.")
	dbPath := fs.String("db", "", "database `file`")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return exitError{2}
	}
	if *dbPath == "" || len(rest) != 1 {
		fmt.Fprintln(stderr, "prepbot backup: give the database and where to write the copy: prepbot backup --db PATH OUT")
		return exitError{2}
	}
	if postgres.IsURL(*dbPath) {
		fmt.Fprintln(stderr, "prepbot backup copies a bbolt file. Back up a PostgreSQL database with its own tools (pg_dump, or your provider's snapshots),\n"+
			"or copy it into a file with: prepbot migrate --from postgres://... --to FILE.db")
		return exitError{2}
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("no database at %s: check the path", *dbPath)
	}
	var n int64
	// read-only: the backup taken before an upgrade must not upgrade the
	// original
	db, err := storage.Open(*dbPath, storage.Options{Timeout: 200 * time.Millisecond, ReadOnly: true})
	switch {
	case err == nil:
		n, err = storage.BackupFile(rest[0], db.Backup)
		db.Close()
	case errors.Is(err, storage.ErrInUse):
		// held by a running bot: ask it for the copy
		n, err = storage.BackupFile(rest[0], func(w io.Writer) (int64, error) { return storage.RemoteBackup(*dbPath, w) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", *dbPath, rest[0], n)
	return nil
}
