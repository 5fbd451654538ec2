-- The days board (bot.ByDays: most days, most points, first to reach them,
-- user id) read through an index, as the points board reads scores_rank:
-- a board's first rows and a member's place without sorting every member's
-- score. Built concurrently, so that a replica migrating a large database
-- does not hold up the others' answers meanwhile.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS scores_days
    ON scores (grp, period, category, (coalesce((data->>'days')::integer, 0)) DESC, points DESC, reached, usr);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS scores_days;
