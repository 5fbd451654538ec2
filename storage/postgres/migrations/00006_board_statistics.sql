-- Statistics on the board key and the three columns it is a hash of.
-- PostgreSQL counts conditions on separate columns as independent: a
-- board read (onBoard in queries.go: the key, and the group, period and
-- category) was expected to match a few rows, however many the board
-- held, and the planner then chose to read the whole board and sort it
-- rather than read its first rows through the board index; pgx prepares
-- each statement once per connection, and after five runs the plan made
-- for any parameters (generic) was preferred, so big boards came to be
-- sorted on every read. With the functional dependencies between the key
-- and the columns, a board's estimate is its own size, and the index is
-- used (TestBoardReadsStayOnTheirIndex). Creating the statistics takes no
-- lock that stops answers; ANALYZE gathers them (autovacuum does after).

-- +goose Up
CREATE STATISTICS IF NOT EXISTS scores_board (dependencies)
    ON (hashtextextended(grp || E'\n' || period || E'\n' || category, 0)), grp, period, category
    FROM scores;
ANALYZE scores;

-- +goose Down
DROP STATISTICS IF EXISTS scores_board;
