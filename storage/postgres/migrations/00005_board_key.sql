-- The leaderboards' two indexes begin with one 64-bit key of the board,
-- a hash of (group, period, category), instead of those three text
-- columns: every comparison on the way down an index read the three, one
-- variable-length column after another, before it reached points or the
-- user id, and comparing keys was about 30% of PostgreSQL's CPU while
-- answers were recorded (perf, in prepbench). The queries match the key
-- and the three columns too (see onBoard in queries.go), so that two
-- boards whose keys collide are never mixed. The primary key is left as
-- it is: replicas of the previous release go on recording answers through
-- it during a rolling upgrade; their leaderboards, without the indexes
-- they read, sort each board's rows until they are replaced.
--
-- Built concurrently, as 00004, so that a replica migrating a large
-- database does not hold up the others' answers meanwhile. An index left
-- invalid by a build cut short is dropped and built again.

-- +goose NO TRANSACTION

-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS scores_board_rank;
CREATE INDEX CONCURRENTLY scores_board_rank
    ON scores ((hashtextextended(grp || E'\n' || period || E'\n' || category, 0)), points DESC, accuracy DESC, reached, usr);
DROP INDEX CONCURRENTLY IF EXISTS scores_board_days;
CREATE INDEX CONCURRENTLY scores_board_days
    ON scores ((hashtextextended(grp || E'\n' || period || E'\n' || category, 0)), (coalesce((data->>'days')::integer, 0)) DESC, points DESC, reached, usr);
DROP INDEX CONCURRENTLY IF EXISTS scores_rank;
DROP INDEX CONCURRENTLY IF EXISTS scores_days;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS scores_rank
    ON scores (grp, period, category, points DESC, accuracy DESC, reached, usr);
CREATE INDEX CONCURRENTLY IF NOT EXISTS scores_days
    ON scores (grp, period, category, (coalesce((data->>'days')::integer, 0)) DESC, points DESC, reached, usr);
DROP INDEX CONCURRENTLY IF EXISTS scores_board_rank;
DROP INDEX CONCURRENTLY IF EXISTS scores_board_days;
