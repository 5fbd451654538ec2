package postgres_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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

// namedSchema is a fresh schema's URL whose connections carry an
// application_name of their own, name, so that a test can find them in
// pg_stat_activity among other tests'.
func namedSchema(t *testing.T) (u, name string) {
	t.Helper()
	parsed, err := url.Parse(pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	name = "prepbot_" + parsed.Query().Get("search_path")
	q := parsed.Query()
	q.Set("application_name", name)
	parsed.RawQuery = q.Encode()
	return parsed.String(), name
}

// dropConnections has the server end every connection named name but the
// one asking (a restart, a proxy's idle timeout), and returns how many.
func dropConnections(t *testing.T, db *postgres.DB, name string) int {
	t.Helper()
	var dropped int
	if err := db.Pool().QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND pid <> pg_backend_pid()`, name).Scan(&dropped); err != nil {
		t.Fatal(err)
	}
	if dropped == 0 {
		t.Fatal("no connection to drop")
	}
	return dropped
}

// holdPool acquires every connection db's pool has left, until t ends:
// only the connections the writers and the front took for their own work.
func holdPool(t *testing.T, db *postgres.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.Pool().Stat().AcquiredConns() < db.Pool().Stat().MaxConns() {
		if time.Now().After(deadline) {
			t.Fatalf("could not hold the pool's connections: %d of %d", db.Pool().Stat().AcquiredConns(), db.Pool().Stat().MaxConns())
		}
		c, err := db.Pool().Acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Release)
	}
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

// A delivery id commits without waiting for its WAL (synchronous_commit
// off for its own transaction), and only its own: the front's connection
// and the pool's still commit synchronously afterwards. It is seen at once
// by another replica.
func TestDeliveryCommitsAsynchronouslyAlone(t *testing.T) {
	url := pgtest.Schema(t)
	db, other := open(t, url), open(t, url)
	ctx := t.Context()
	var after []string
	db.AfterFront(func(c *pgx.Conn) {
		var sc string
		if err := c.QueryRow(ctx, "SHOW synchronous_commit").Scan(&sc); err != nil {
			sc = err.Error()
		}
		after = append(after, sc)
	})
	for i := range 20 {
		id := fmt.Sprint("slack:action:", i)
		if first, err := db.FirstDelivery(ctx, id, time.Now()); err != nil || !first {
			t.Fatalf("FirstDelivery(%s) = %v, %v; want a first delivery", id, first, err)
		}
		if first, err := other.FirstDelivery(ctx, id, time.Now()); err != nil || first {
			t.Fatalf("the other replica's FirstDelivery(%s) = %v, %v; want the redelivery seen", id, first, err)
		}
	}
	if len(after) != 20 {
		t.Fatalf("the front sent %d pipelines for 20 delivery ids asked one at a time; want 20", len(after))
	}
	for i, sc := range after {
		if sc != "on" {
			t.Fatalf("after delivery %d the front's connection commits with synchronous_commit %q; want on", i, sc)
		}
	}
	conns := db.Pool().AcquireAllIdle(ctx)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for _, c := range conns {
		var sc string
		if err := c.QueryRow(ctx, "SHOW synchronous_commit").Scan(&sc); err != nil {
			t.Fatal(err)
		}
		if sc != "on" {
			t.Fatalf("a pooled connection commits with synchronous_commit %q after FirstDelivery; want on", sc)
		}
	}
}
