package postgres_test

import (
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
	"github.com/prepbot/prepbot/storage/storetest"
)

// open opens the backend on url, closing it when t ends.
func open(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestConformance holds the PostgreSQL backend to bot.Store's contract:
// each subtest gets a schema of its own, dropped when it ends; reopening
// closes the pool and connects again, as a restart does.
func TestConformance(t *testing.T) {
	pgtest.Base(t)
	storetest.Run(t, func(t *testing.T) (bot.Store, func() bot.Store) {
		url := pgtest.Schema(t)
		db := open(t, url)
		return db, func() bot.Store {
			db.Close()
			db = open(t, url)
			return db
		}
	})
}
