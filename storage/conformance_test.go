package storage_test

import (
	"path/filepath"
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage/storetest"
)

// TestConformance holds the bbolt backend to bot.Store's contract: each
// subtest gets a new file in its temporary folder, checked and closed when
// it ends; reopening closes the file (writing the delivery ids still in
// memory) and opens it again, as a restart does.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (bot.Store, func() bot.Store) {
		path := filepath.Join(t.TempDir(), "prepbot.db")
		db := bottest.OpenDBAt(t, path)
		return db, func() bot.Store {
			bottest.CloseAndCheck(t, db)
			db = bottest.OpenDBAt(t, path)
			return db
		}
	})
}
