package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
)

// Answer implements bot.AnswerStore: the answer of a kind, post and
// member, by the answers table's unique key.
func (d *DB) Answer(ctx context.Context, group, user string, kind bot.EventKind, post uint64) (bot.Answer, error) {
	var seq int64
	var data []byte
	err := d.pool.QueryRow(ctx, "SELECT seq, data FROM answers WHERE grp = $1 AND usr = $2 AND kind = $3 AND post_id = $4",
		group, user, string(kind), int64(post)).Scan(&seq, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Answer{}, bot.ErrNotFound
	}
	if err != nil {
		return bot.Answer{}, err
	}
	var a bot.Answer
	if err := json.Unmarshal(data, &a); err != nil {
		return bot.Answer{}, damaged("answers", err)
	}
	a.Seq = uint64(seq)
	return a, nil
}
