-- The scores' primary key carries each row's answered and correct counts
-- (INCLUDE), so that a period's tallies per category, which a group's web
-- page shows, are read from the key alone (an index-only scan) rather
-- than from one heap page for every member or two. Measured in prepbench
-- (measurement 9: a group of 10,000 members), the statement read 5,022
-- heap pages; when they were not in PostgreSQL's shared buffers (128 MB
-- by default, and the rest of the scores compete for them) it took
-- 80-160 ms, and from the key it read 171 pages in 3 ms. The pages must be
-- marked all-visible for that, as VACUUM (autovacuum) marks them; where
-- they are not, each row is read from its page as before.
--
-- The key's columns are unchanged, so that answers recorded meanwhile,
-- by this release or the one before it during a rolling upgrade, find it
-- for ON CONFLICT. The new key is built concurrently beside the old one
-- (a build cut short leaves it invalid: it is dropped and built again),
-- then takes the old one's place in one statement, which locks the table
-- for no longer than that swap. A migration cut short runs again from its
-- start.

-- +goose NO TRANSACTION

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE c.relname = 'scores_key' AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid) THEN
        DROP INDEX scores_key;
    END IF;
END $$;
-- +goose StatementEnd
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS scores_key
    ON scores (grp, period, category, usr) INCLUDE (answered, correct);
-- +goose StatementBegin
DO $$
BEGIN
    IF to_regclass('scores_key') IS NOT NULL THEN
        ALTER TABLE scores DROP CONSTRAINT scores_pkey,
            ADD CONSTRAINT scores_pkey PRIMARY KEY USING INDEX scores_key;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE c.relname = 'scores_key' AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid) THEN
        DROP INDEX scores_key;
    END IF;
END $$;
-- +goose StatementEnd
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS scores_key
    ON scores (grp, period, category, usr);
-- +goose StatementBegin
DO $$
BEGIN
    IF to_regclass('scores_key') IS NOT NULL THEN
        ALTER TABLE scores DROP CONSTRAINT scores_pkey,
            ADD CONSTRAINT scores_pkey PRIMARY KEY USING INDEX scores_key;
    END IF;
END $$;
-- +goose StatementEnd
