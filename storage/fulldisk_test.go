package storage_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage"
)

// An answer that cannot be committed because the disk is full is not
// acknowledged: the user is asked to try again, and nothing half-written
// remains. Needs root to mount a small tmpfs; skipped otherwise.
func TestFullDiskAnswerIsNotAcknowledged(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (%v: %s); run as root to test a full disk", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	path := filepath.Join(dir, "full.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // before the unmount
	clock := bottest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	b := bot.New(bot.Config{Bank: bottest.Bank(t), Store: db, Clock: clock})
	req := bot.Request{Platform: "test", Group: "g", Channel: "c", User: bot.User{ID: "u", Name: "u"}}
	// draw cards while there is room
	var presses []string
	for i := 0; i < 40; i++ {
		q := req
		q.Command = "question"
		r, err := b.Handle(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		presses = append(presses, r.Buttons[0].ID)
		clock.Add(15 * time.Second) // within the draw cooldown
	}

	// fill the disk
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling: %v", err)
			}
			break
		}
	}
	f.Close()
	press := req
	var r bot.Reply
	for _, action := range presses { // answer until an answer needs a page the disk cannot give
		press.Action = action
		if r, err = b.Handle(context.Background(), press); err != nil {
			break
		}
	}
	if bot.ErrorCode(err) != bot.EInternal || !strings.Contains(r.Text, "nothing was changed. Please try again") {
		t.Fatalf("on a full disk: %v, reply %q", err, r.Text)
	}
	m, _ := db.Member(context.Background(), "g", "u")
	answered := m.Answered
	// free space: the same press now succeeds, once
	os.Remove(filepath.Join(dir, "filler"))
	if _, err := b.Handle(context.Background(), press); err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
	if m, _ := db.Member(context.Background(), "g", "u"); m.Answered != answered+1 {
		t.Fatalf("answered %d, want %d", m.Answered, answered+1)
	}
	if err := db.Check(); err != nil {
		t.Fatalf("consistency after a full disk: %v", err)
	}
}
