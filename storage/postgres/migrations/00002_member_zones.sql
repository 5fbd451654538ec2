-- Members' own time zones and streak reminders live in members.data (the
-- member's JSON). The scheduler reads the members with a reminder every
-- minute: this partial index holds only them (the remind key is present
-- only while a reminder is set), so that read costs what they are, not
-- what every member of every group is.

-- +goose Up
CREATE INDEX members_remind ON members (grp, usr) WHERE data ? 'remind';

-- +goose Down
DROP INDEX members_remind;
