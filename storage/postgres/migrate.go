package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is where goose keeps the migrations applied, in the schema
// prepbot's tables are in.
const versionTable = "prepbot_schema_version"

// ErrNewerSchema is returned by Open for a database that a newer prepbot
// has migrated.
var ErrNewerSchema = errors.New("the database was migrated by a newer prepbot")

// SchemaVersion is the last migration this code knows: the highest
// number that starts an embedded migration's name.
func SchemaVersion() int64 {
	entries, _ := migrationFiles.ReadDir("migrations")
	var last int64
	for _, e := range entries {
		digits, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(digits, 10, 64); err == nil && v > last {
			last = v
		}
	}
	return last
}

// newProvider is goose over the embedded migrations. Migrations run under
// a PostgreSQL advisory lock held for the whole run (one per schema), so
// that of several replicas starting at once one migrates and the others
// wait, then find nothing to do.
func newProvider(pool *pgxpool.Pool, lockID int64) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	// wait for another replica's migrations up to 10 minutes
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(2, 300))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), sub,
		goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
}

// migrate brings the schema the pool's connections use (their
// search_path's first) to SchemaVersion, and refuses a newer one.
func migrate(ctx context.Context, pool *pgxpool.Pool, progress func(string, ...any), readOnly bool) error {
	var schema *string
	if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("reading the schema: %w", err)
	}
	if schema == nil {
		return errors.New("the database URL's search_path names no schema that exists: create it (CREATE SCHEMA name), or leave search_path out to use public")
	}
	current, err := schemaVersion(ctx, pool)
	if err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	target := SchemaVersion()
	if current > target {
		return fmt.Errorf("%w: its schema is version %d, and this prepbot knows up to %d; run the newer prepbot (or restore a backup taken before the upgrade)", ErrNewerSchema, current, target)
	}
	if current == target {
		return nil
	}
	if readOnly {
		if current <= 0 {
			return fmt.Errorf("no prepbot database in schema %q: check the URL's database and search_path", *schema)
		}
		return fmt.Errorf("the database's schema is version %d, older than this prepbot's %d: start prepbot serve (or console) on it once to migrate it, then try again", current, target)
	}
	h := fnv.New64a()
	h.Write([]byte("prepbot migrations\x00" + *schema))
	id := int64(h.Sum64())
	p, err := newProvider(pool, id)
	if err != nil {
		return err
	}
	defer p.Close()
	if progress != nil {
		progress("migrating the PostgreSQL schema %q from version %d to %d", *schema, current, target)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	if progress != nil {
		for _, r := range results {
			progress("applied %s in %s", r.Source.Path, r.Duration.Round(1e6))
		}
	}
	return nil
}

// schemaVersion is the last migration applied to the pool's schema, 0
// when none is (no version table).
func schemaVersion(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var table *string
	if err := pool.QueryRow(ctx, "SELECT to_regclass($1)::text", versionTable).Scan(&table); err != nil || table == nil {
		return 0, err
	}
	var v *int64
	if err := pool.QueryRow(ctx, "SELECT max(version_id) FROM "+versionTable+" WHERE is_applied").Scan(&v); err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}
