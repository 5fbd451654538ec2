package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
)

// UpdateMember implements bot.MemberStore: under the member's advisory
// lock, the one Record holds while it changes the member, so that neither
// loses what the other wrote, on any replica.
func (d *DB) UpdateMember(ctx context.Context, group, user string, fn func(*bot.Member) error) error {
	return d.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", memberLock(group, user)); err != nil {
			return err
		}
		m := bot.Member{Group: group, User: user}
		if err := scanJSON(tx.QueryRow(ctx, "SELECT data FROM members WHERE grp = $1 AND usr = $2", group, user), "members", &m); err != nil {
			return err
		}
		if err := fn(&m); err != nil {
			return err
		}
		m.Group, m.User = group, user
		v, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO members (grp, usr, data) VALUES ($1, $2, $3::jsonb)
			ON CONFLICT (grp, usr) DO UPDATE SET data = excluded.data`, group, user, string(v))
		return err
	})
}

// Reminders implements bot.MemberStore: the members_remind index (a
// partial index of the members whose data has a remind key, migration
// 00002) holds only them.
func (d *DB) Reminders(ctx context.Context) ([]bot.Member, error) {
	return listJSON[bot.Member](ctx, d, "members", "SELECT data FROM members WHERE data ? 'remind' ORDER BY grp, usr")
}
