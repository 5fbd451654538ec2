package postgres_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// The leaderboards' indexes begin with a 64-bit key of the board
// (migration 00005). A database the previous release migrated (version 4,
// its board indexes beginning with three text columns) and filled keeps
// its boards: after the migration the old indexes are gone, the new ones
// are valid, the boards read through them, in the same order, and an
// answer recorded as the previous release's writer records it (an upsert
// on the primary key, left as it was) is on them, so that replicas of both
// releases can run side by side during a rolling upgrade.
func TestBoardKeyMigrationKeepsTheBoards(t *testing.T) {
	url := pgtest.Schema(t)
	ctx := t.Context()
	if err := postgres.MigrateTo(ctx, url, 4); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// 20,000 members on the all-time board of discord:1, and the same
	// members on another group's board with other points
	if _, err := conn.Exec(ctx, `INSERT INTO scores (grp, period, category, usr, points, accuracy, reached, answered, correct, data)
		SELECT g, 'all', '', 'u' || lpad(i::text, 5, '0'), p, 500000, i, 2, 1,
			jsonb_build_object('user', 'u' || lpad(i::text, 5, '0'), 'points', p, 'answered', 2, 'correct', 1, 'days', i % 7)
		FROM generate_series(1, 20000) AS i, LATERAL (VALUES ('discord:1', (i * 7919) % 1000), ('discord:2', i)) AS b(g, p)`); err != nil {
		t.Fatal(err)
	}
	db := open(t, url) // migrates to this release
	if _, err := conn.Exec(ctx, "ANALYZE scores"); err != nil {
		t.Fatal(err)
	}
	var indexes []string
	rows, err := conn.Query(ctx, `SELECT c.relname || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'scores'::regclass ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if indexes, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if want := []string{"scores_board_days", "scores_board_rank", "scores_pkey"}; !slices.Equal(indexes, want) {
		t.Fatalf("the indexes of scores after the migration: %v; want %v", indexes, want)
	}
	for _, q := range []struct{ name, sql, index string }{
		{"Leaderboard", postgres.LeaderboardSQL, "scores_board_rank"},
		{"DaysBoard", postgres.DaysBoardSQL, "scores_board_days"},
	} {
		rows, err := conn.Query(ctx, "EXPLAIN "+q.sql, "discord:1", "all", "", int64(10))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "\n"); !strings.Contains(p, "Index Scan using "+q.index) || strings.Contains(p, "Sort") {
			t.Errorf("%s's top 10 of 20,000 is planned as\n%s\nwant the first rows of %s, unsorted", q.name, p, q.index)
		}
	}
	// the board in its order: points, accuracy, first reached, user id
	top, err := db.Leaderboard(ctx, "discord:1", "all", "", 5)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range top {
		got = append(got, s.User)
	}
	// points (i * 7919) % 1000 = 999 for i = 321 + 1000k; ties by reached (i)
	if want := []string{"u00321", "u01321", "u02321", "u03321", "u04321"}; !slices.Equal(got, want) {
		t.Fatalf("the top 5 of discord:1 after the migration: %v; want %v", got, want)
	}
	// an answer recorded by the previous release's writer (its statement)
	if _, err := conn.Exec(ctx, `INSERT INTO scores (grp, period, category, usr, points, accuracy, reached, answered, correct, data)
		VALUES ('discord:1', 'all', '', 'u00002', 5000, 1000000, 1, 3, 2, '{"user": "u00002", "points": 5000, "answered": 3, "correct": 2}')
		ON CONFLICT (grp, period, category, usr) DO UPDATE SET points = excluded.points,
			accuracy = excluded.accuracy, reached = excluded.reached, answered = excluded.answered,
			correct = excluded.correct, data = excluded.data`); err != nil {
		t.Fatalf("the previous release's score upsert after the migration: %v", err)
	}
	top, err = db.Leaderboard(ctx, "discord:1", "all", "", 1)
	if err != nil || len(top) != 1 || top[0].User != "u00002" || top[0].Points != 5000 {
		t.Fatalf("the top 1 after the previous release's upsert: %+v, %v; want u00002 with 5000 points", top, err)
	}
	place, s, err := db.Rank(ctx, "discord:1", "all", "", "u00321", bot.ByPoints)
	if err != nil || place != 2 || s.Points != 999 {
		t.Fatalf("u00321's place: %d (%+v), %v; want 2nd with 999 points", place, s, err)
	}
	// the other group's board is not mixed in
	top, err = db.Leaderboard(ctx, "discord:2", "all", "", 2)
	if err != nil || len(top) != 2 || top[0].User != "u20000" || top[1].User != "u19999" {
		t.Fatalf("the top 2 of discord:2: %+v, %v; want u20000 and u19999", top, err)
	}
}
