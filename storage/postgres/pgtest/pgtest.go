// Package pgtest gives tests a PostgreSQL schema of their own.
//
// Tests reach PostgreSQL at PREPBOT_TEST_POSTGRES, a database URL
// (default postgres://127.0.0.1:5432/test, trust authentication). Where
// nothing answers there, the tests that need it skip with a message
// saying so, unless PREPBOT_TEST_POSTGRES is set or CI is (then they
// fail: in CI, PostgreSQL tests must run).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that points the tests at a PostgreSQL database.
const Env = "PREPBOT_TEST_POSTGRES"

// DefaultURL is where the tests look when Env is not set.
const DefaultURL = "postgres://127.0.0.1:5432/test?sslmode=disable"

var (
	once    sync.Once
	baseURL string
	reason  string // why PostgreSQL cannot be used, when it cannot
)

// Base returns the database URL the tests use, or skips t (fails it in
// CI, or when Env was set) when PostgreSQL does not answer there.
func Base(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		baseURL = os.Getenv(Env)
		if baseURL == "" {
			baseURL = DefaultURL
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, baseURL)
		if err != nil {
			reason = err.Error()
			return
		}
		c.Close(ctx)
	})
	if reason != "" {
		msg := "no PostgreSQL at " + redact(baseURL) + " (" + reason + "): set " + Env + " to a database URL to run the PostgreSQL tests"
		if os.Getenv(Env) != "" || os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return baseURL
}

// Schema creates a new, empty schema for t, dropped (with all it holds)
// when t ends, and returns a URL whose connections use it.
func Schema(t testing.TB) string {
	t.Helper()
	base := Base(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	exec(t, base, "CREATE SCHEMA "+name)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA "+name+" CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(t testing.TB, dbURL, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// redact drops a URL's password.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the URL in " + Env
	}
	return u.Redacted()
}
