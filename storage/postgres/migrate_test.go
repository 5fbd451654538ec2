package postgres_test

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// TestReplicasStartingTogetherMigrateOnce: eight replicas open one new
// schema at the same moment; every one opens, and each migration was
// applied once.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	url := pgtest.Schema(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			db, err := postgres.Open(t.Context(), url, postgres.Options{})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var applied, distinct int
	if err := conn.QueryRow(t.Context(), "SELECT count(*), count(DISTINCT version_id) FROM prepbot_schema_version WHERE version_id > 0").Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("the migrations: %v, %v", files, err)
	}
	if applied != len(files) || distinct != applied {
		t.Errorf("%d migrations recorded (%d distinct) after %d replicas started at once; want each of the %d once", applied, distinct, n, len(files))
	}
}

// TestNewerSchemaIsRefused: a database a newer prepbot migrated is refused
// with a message that says what to do, and is left as it was.
func TestNewerSchemaIsRefused(t *testing.T) {
	url := pgtest.Schema(t)
	db, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	next := postgres.SchemaVersion() + 1
	if _, err := conn.Exec(t.Context(), "INSERT INTO prepbot_schema_version (version_id, is_applied) VALUES ($1, true)", next); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(t.Context(), url, postgres.Options{})
	if !errors.Is(err, postgres.ErrNewerSchema) {
		t.Fatalf("Open of a newer schema = %v, want ErrNewerSchema", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "newer prepbot") || !strings.Contains(msg, "run the newer prepbot") {
		t.Errorf("the refusal says %q; want what to do", msg)
	}
	var tables int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'answers'").Scan(&tables); err != nil || tables != 1 {
		t.Errorf("the refused schema's tables: %d, %v", tables, err)
	}
}

// TestOpenSaysWhatIsWrong: a schema that does not exist and a server that
// does not answer get messages that say what to do.
func TestOpenSaysWhatIsWrong(t *testing.T) {
	base := pgtest.Base(t)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	_, err := postgres.Open(t.Context(), base+sep+"search_path=no_such_schema_here", postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "CREATE SCHEMA") {
		t.Errorf("Open with a search_path naming no schema = %v; want it said, with how to create it", err)
	}
	_, err = postgres.Open(t.Context(), "postgres://127.0.0.1:1/test?connect_timeout=2", postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "start it, or check the URL") {
		t.Errorf("Open of a port nothing listens on = %v; want it said what to check", err)
	}
}
