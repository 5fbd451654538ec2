package postgres_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// A leaderboard stays a read of its first rows through its index, however
// often a connection runs it. pgx prepares each statement once per
// connection, and after five runs PostgreSQL may plan it once for any
// parameters (a generic plan); from the three board columns, counted as
// independent, it expected a board of a few rows, and the generic plan
// read and sorted every row of the board (10,000 here: a top 10 that took
// 10 ms and more rather than 0.05 ms). The schema's statistics on the
// board key and its columns (migration 00006) tell it a board's size.
func TestBoardReadsStayOnTheirIndex(t *testing.T) {
	url := pgtest.Schema(t)
	db := open(t, url)
	ctx := t.Context()
	fillScores(t, db, "ANALYZE scores")
	for _, q := range []struct{ name, sql, index string }{
		{"Leaderboard", postgres.LeaderboardSQL, "scores_board_rank"},
		{"DaysBoard", postgres.DaysBoardSQL, "scores_board_days"},
	} {
		// boards of 10,000, 3,333 and 1,250 members (one of a hundred or
		// so may be read whole and sorted: the planner's choice, and cheap)
		for _, board := range [][2]string{{"all", ""}, {"m2026-12", ""}, {"all", "c3"}} {
			t.Run(fmt.Sprintf("%s %s %q", q.name, board[0], board[1]), func(t *testing.T) {
				c, err := db.Pool().Acquire(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Release()
				if _, err := c.Exec(ctx, "PREPARE board(text, text, text, bigint) AS "+q.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
					t.Fatal(err)
				}
				defer c.Exec(ctx, "DEALLOCATE board", pgx.QueryExecModeSimpleProtocol)
				exec := fmt.Sprintf("EXECUTE board('discord:1', '%s', '%s', 10)", board[0], board[1])
				for range 8 { // past the five runs after which a generic plan may be chosen
					if _, err := c.Exec(ctx, exec, pgx.QueryExecModeSimpleProtocol); err != nil {
						t.Fatal(err)
					}
				}
				rows, err := c.Query(ctx, "EXPLAIN "+exec, pgx.QueryExecModeSimpleProtocol)
				if err != nil {
					t.Fatal(err)
				}
				lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					t.Fatal(err)
				}
				plan := strings.Join(lines, "\n")
				if !strings.Contains(plan, "Index Scan using "+q.index) || strings.Contains(plan, "Sort") {
					t.Fatalf("after eight runs the board is read by:\n%s\nwant an index scan of %s, no Sort", plan, q.index)
				}
			})
		}
	}
}

// fillScores writes the scores of 10,000 members with a few answers each
// over the last weeks, in eight categories (as measurement 9 loads): the
// all-time board holds them all, and most of the 117 boards a few
// hundred. Then it runs after, as autovacuum would.
func fillScores(t *testing.T, db *postgres.DB, after string) {
	t.Helper()
	ctx := t.Context()
	if _, err := db.Pool().Exec(ctx, `INSERT INTO scores (grp, period, category, usr, points, accuracy, reached, answered, correct, data)
		SELECT 'discord:1', p, c, 'u' || i, i % 97, 500000, i, 2, 1, jsonb_build_object('user', 'u' || i, 'points', i % 97, 'days', i % 7)
		FROM generate_series(1, 10000) AS i,
		LATERAL (SELECT 'c' || (i % 8) AS cat, 'm2026-' || (10 + i % 3) AS month, 'w2026-W' || (40 + i % 9) AS week) AS m,
		LATERAL (VALUES ('all', ''), ('all', cat), (month, ''), (month, cat), (week, ''), (week, cat)) AS b(p, c)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, after); err != nil {
		t.Fatal(err)
	}
}

// A period's tallies per category (a group's web page shows them) are read
// from the scores' primary key alone once autovacuum has marked the pages
// all-visible (migration 00007): 10,000 members' rows are a few hundred
// pages of the key where they were one heap page each, which took 80-160
// ms when they were not in PostgreSQL's buffers.
func TestPeriodTalliesReadTheKeyAlone(t *testing.T) {
	url := pgtest.Schema(t)
	db := open(t, url)
	ctx := t.Context()
	fillScores(t, db, "VACUUM ANALYZE scores")
	// VACUUM marks a page all-visible only when no transaction that began
	// before its rows were written is still open in the database, and
	// other packages' tests share it: vacuum again until every page is
	// marked, as autovacuum would
	deadline := time.Now().Add(time.Minute)
	for {
		var visible bool
		if err := db.Pool().QueryRow(ctx, "SELECT relallvisible >= relpages FROM pg_class WHERE oid = 'scores'::regclass").Scan(&visible); err != nil {
			t.Fatal(err)
		}
		if visible {
			break
		}
		if time.Now().After(deadline) {
			var held string
			db.Pool().QueryRow(ctx, `SELECT coalesce(string_agg(format('pid %s (%s): %s', pid, state, left(query, 80)), '; '), 'none')
				FROM pg_stat_activity WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()`).Scan(&held)
			t.Fatalf("after a minute VACUUM had not marked every page of the scores all-visible; transactions holding it back: %s", held)
		}
		time.Sleep(100 * time.Millisecond) // waiting for other tests' transactions to end
		if _, err := db.Pool().Exec(ctx, "VACUUM ANALYZE scores"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.PeriodTallies(ctx, "discord:1", "all")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 8 || got["c3"].Answered != 2*1250 || got["c3"].Correct != 1250 {
		t.Fatalf("PeriodTallies = %v; want 8 categories of 1,250 members, 2 answers and 1 correct each", got)
	}
	rows, err := db.Pool().Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "+postgres.PeriodTalliesSQL, "discord:1", "all")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if !strings.Contains(plan, "Index Only Scan using scores_pkey") || !strings.Contains(plan, "Heap Fetches: 0") {
		t.Fatalf("the tallies are read by:\n%s\nwant an index-only scan of scores_pkey with no heap fetches", plan)
	}
}
