package main

import (
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/prepbot/prepbot/storage"
)

// A failed Open leaves nothing behind: the backup socket is closed (its
// file removed) and the database can be opened again at once.
func TestFailedOpenStopsTheBackupSocket(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "s.db")
	cfg.HTTP.Addr = busy.Addr().String() // taken: Open fails after the socket is up
	cfg.Slack.BotToken, cfg.Slack.SigningSecret = "xoxb-test", "s3cret-value"
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err == nil {
		t.Fatal("Open succeeded on a port in use")
	}
	if _, err := os.Stat(storage.SocketPath(cfg.DB)); !os.IsNotExist(err) {
		t.Fatalf("the backup socket is still there: %v", err)
	}
	db, err := storage.Open(cfg.DB, storage.Options{})
	if err != nil {
		t.Fatalf("the database is still held: %v", err)
	}
	db.Close()
}
