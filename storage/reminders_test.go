package storage_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/dump"
)

// The reminders index is made by the first write that needs it: a file
// without it has no reminders (also opened read-only), and a copy made
// by loading records (prepbot migrate) has the index of its members.
func TestRemindersIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	db := bottest.OpenDBAt(t, path)
	if rs, err := db.Reminders(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("a new file: %v, %v", rs, err)
	}
	if err := db.UpdateMember(ctx, "g", "ann", func(m *bot.Member) error { m.TimeZone = "Asia/Tokyo"; return nil }); err != nil {
		t.Fatal(err)
	}
	bottest.CloseAndCheck(t, db)
	ro, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := ro.Reminders(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("read-only, without the index: %v, %v", rs, err)
	}
	ro.Close()

	db = bottest.OpenDBAt(t, path)
	for _, u := range []string{"ann", "bob"} {
		if err := db.UpdateMember(ctx, "g", u, func(m *bot.Member) error { m.Remind = "20:00"; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.UpdateMember(ctx, "g", "bob", func(m *bot.Member) error { m.Remind = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	dst := bottest.OpenDB(t)
	if err := dump.Copy(ctx, db, dst); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*storage.DB{"source": db, "copy": dst} {
		rs, err := s.Reminders(ctx)
		if err != nil || len(rs) != 1 || rs[0].User != "ann" || rs[0].TimeZone != "Asia/Tokyo" {
			t.Errorf("%s: Reminders = %+v, %v; want ann's", name, rs, err)
		}
	}
}
