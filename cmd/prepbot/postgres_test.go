package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// proxy forwards TCP connections from a loopback port to target until
// cut: then it refuses new ones and drops those it carries, as a database
// server that went away would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(up, c); up.Close() })
			p.wg.Go(func() { io.Copy(c, up); c.Close() })
		}
	})
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestMainOnPostgres serves on a PostgreSQL database: answers are
// recorded there, /metrics shows the pool and the statements, and
// /readyz reports when PostgreSQL stops answering.
func TestMainOnPostgres(t *testing.T) {
	dbURL := pgtest.Schema(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, u.Host)
	u.Host = px.ln.Addr().String()
	u.User = url.UserPassword(u.User.Username(), "s3cret-never-logged")
	cfg := DefaultConfig()
	cfg.DB = u.String()
	cfg.HTTP.Addr = "127.0.0.1:0"
	if err := cfg.Validate("test"); err != nil {
		t.Fatalf("a PostgreSQL URL as db: %v", err)
	}
	var logs strings.Builder
	var logMu sync.Mutex
	platform := &fakePlatform{}
	platform.ready.Store(true)
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil)), Platforms: []Platform{platform}}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	if m.PG == nil || m.DB != nil {
		t.Fatalf("db %s opened bbolt", cfg.DB)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	base := "http://" + m.Addr()
	if code, body := get(t, base+"/readyz"); code != 200 || body != "ready\n" {
		t.Fatalf("readyz: %d %q", code, body)
	}
	req := bot.Request{Platform: "fake", Group: "g", Channel: "c", User: bot.User{ID: "u", Name: "U"}, Command: "question"}
	r, err := m.Bot.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Command, req.Action = "", r.Buttons[0].ID
	if _, err := m.Bot.Handle(ctx, req); err != nil {
		t.Fatal(err)
	}
	if mem, err := m.PG.Member(ctx, "g", "u"); err != nil || mem.Answered != 1 {
		t.Fatalf("the member in PostgreSQL after one answer: %+v, %v", mem, err)
	}
	_, body := get(t, base+"/metrics")
	for _, want := range []string{
		`prepbot_answers_recorded_total 1`,
		`prepbot_db_answers_per_commit_count 1`,
		`prepbot_db_pool_connections_max `,
		`prepbot_db_pool_connections_in_use `,
		`prepbot_db_pool_acquires_total `,
		`prepbot_db_other_replicas_recording 0`,
		`prepbot_db_statements_total{result="ok",verb="INSERT"}`,
		`prepbot_db_statements_total{result="ok",verb="BATCH"}`,
		`prepbot_db_statement_seconds_count{verb="SELECT"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics: missing %s", want)
		}
	}
	px.cut()
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "PostgreSQL does not answer") {
		t.Errorf("readyz with PostgreSQL gone: %d %q", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m.Close()
	logMu.Lock()
	defer logMu.Unlock()
	if strings.Contains(logs.String(), "s3cret") {
		t.Errorf("the log shows the database password:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `db="postgres://`) {
		t.Errorf("the log does not say which database is served:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestConfigRefusesABadPostgresURL without showing it.
func TestConfigRefusesABadPostgresURL(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DB = "postgres://u:pa%zzss@host:notaport/db"
	err := cfg.Validate("config.yaml")
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL URL does not parse") {
		t.Fatalf("Validate = %v, want the URL refused", err)
	}
	if strings.Contains(err.Error(), "pa%zzss") {
		t.Errorf("the message shows the URL: %v", err)
	}
}

// TestConsoleOnPostgres: the console studies on a PostgreSQL database as
// on a file, and a second session finds the first one's answer there;
// backup points at PostgreSQL's own tools.
func TestConsoleOnPostgres(t *testing.T) {
	dbURL := pgtest.Schema(t)
	code, out, errs := runWithInput(t, "/question category:postgres\n1\n", "console", "--db", dbURL, "--user", "sam")
	if code != 0 || !strings.Contains(out, "PostgreSQL & Persistence") {
		t.Fatalf("console on PostgreSQL (exit %d):\n%s\n%s", code, out, errs)
	}
	code, out, errs = runWithInput(t, "/stats\n", "console", "--db", dbURL, "--user", "sam")
	if code != 0 || !strings.Contains(out, "Answered: 1") {
		t.Fatalf("second session (exit %d):\n%s\n%s", code, out, errs)
	}
	code, _, errs = runWithInput(t, "", "backup", "--db", dbURL, t.TempDir()+"/copy.db")
	if code != 2 || !strings.Contains(errs, "pg_dump") {
		t.Errorf("backup of a PostgreSQL URL: exit %d, %q; want 2 and a pointer to pg_dump", code, errs)
	}
}

// TestExportOfPostgresMatchesItsCopy is the README's check of a move: a
// PostgreSQL database a console studied on, copied into a file with
// prepbot migrate, exports the same bytes as the file does.
func TestExportOfPostgresMatchesItsCopy(t *testing.T) {
	dbURL := pgtest.Schema(t)
	if code, out, errs := runWithInput(t, "/question category:postgres\n1\n", "console", "--db", dbURL, "--user", "sam"); code != 0 {
		t.Fatalf("console (exit %d):\n%s\n%s", code, out, errs)
	}
	file := t.TempDir() + "/copy.db"
	if code, out, errs := runWithInput(t, "", "migrate", "--from", dbURL, "--to", file); code != 0 {
		t.Fatalf("migrate (exit %d):\n%s\n%s", code, out, errs)
	}
	code, fromPG, errs := runWithInput(t, "", "export", "--db", dbURL)
	if code != 0 {
		t.Fatalf("export of PostgreSQL (exit %d): %s", code, errs)
	}
	code, fromFile, errs := runWithInput(t, "", "export", "--db", file)
	if code != 0 {
		t.Fatalf("export of the copy (exit %d): %s", code, errs)
	}
	if fromPG != fromFile {
		t.Errorf("the exports differ\nPostgreSQL:\n%s\nfile:\n%s", fromPG, fromFile)
	}
	if !strings.Contains(fromPG, `"kind":"answer"`) || !strings.Contains(fromPG, `"card_id":"postgres-`) {
		t.Errorf("the export lacks the answers:\n%s", fromPG)
	}
	// an export never creates a schema
	empty := pgtest.Schema(t)
	if code, _, errs := runWithInput(t, "", "export", "--db", empty); code == 0 || !strings.Contains(errs, "no prepbot database") {
		t.Errorf("export of an empty schema: exit %d, %q; want it refused, saying there is no prepbot database", code, errs)
	}
}
