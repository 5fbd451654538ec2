package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

// getJSON reads the JSON record one query selects into v; with no row, v
// keeps what it held (a default) and found is false.
func (d *DB) getJSON(ctx context.Context, v any, table, sql string, args ...any) (found bool, err error) {
	var data []byte
	if err := d.pool.QueryRow(ctx, sql, args...).Scan(&data); errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, damaged(table, err)
	}
	return true, nil
}

// listJSON reads the JSON records a query selects, in its order.
func listJSON[T any](ctx context.Context, d *DB, table, sql string, args ...any) ([]T, error) {
	rows, err := d.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, damaged(table, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// exec runs one statement.
func (d *DB) exec(ctx context.Context, sql string, args ...any) error {
	_, err := d.pool.Exec(ctx, sql, args...)
	return err
}

// Group implements bot.GroupStore.
func (d *DB) Group(ctx context.Context, id string) (bot.Group, error) {
	g := bot.Group{ID: id}
	_, err := d.getJSON(ctx, &g, "groups", "SELECT data FROM groups WHERE id = $1", id)
	return g, err
}

// SaveGroup implements bot.GroupStore.
func (d *DB) SaveGroup(ctx context.Context, g bot.Group) error {
	v, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return d.exec(ctx, `INSERT INTO groups (id, data) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, g.ID, v)
}

// UpdateGroup implements bot.GroupStore: the group's row is locked while
// fn runs.
func (d *DB) UpdateGroup(ctx context.Context, id string, fn func(*bot.Group) error) error {
	return d.inTx(ctx, func(tx pgx.Tx) error {
		start, err := json.Marshal(bot.Group{ID: id})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO groups (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", id, start); err != nil {
			return err
		}
		g := bot.Group{ID: id}
		if err := scanJSON(tx.QueryRow(ctx, "SELECT data FROM groups WHERE id = $1 FOR UPDATE", id), "groups", &g); err != nil {
			return err
		}
		if err := fn(&g); err != nil {
			return err
		}
		g.ID = id
		v, err := json.Marshal(g)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE groups SET data = $2 WHERE id = $1", id, v)
		return err
	})
}

// CreatePost implements bot.PostStore.
func (d *DB) CreatePost(ctx context.Context, p *bot.Post) error {
	rec := *p
	rec.ID = 0 // the id column holds it
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	var id int64
	if err := d.pool.QueryRow(ctx, "INSERT INTO posts (data) VALUES ($1) RETURNING id", v).Scan(&id); err != nil {
		return err
	}
	p.ID = uint64(id)
	d.posts.Add(*p)
	return nil
}

// Post implements bot.PostStore. Posts never change, so every replica may
// keep the recent ones in memory.
func (d *DB) Post(ctx context.Context, id uint64) (bot.Post, error) {
	if err := ctx.Err(); err != nil {
		return bot.Post{}, err
	}
	p, ok := d.posts.Get(id)
	if ok {
		return p, nil
	}
	found, err := d.getJSON(ctx, &p, "posts", "SELECT data FROM posts WHERE id = $1", int64(id))
	if err == nil && !found {
		err = bot.ErrNotFound
	}
	if err != nil {
		return bot.Post{}, err
	}
	p.ID = id
	d.posts.Add(p)
	return p, nil
}

// Draw implements bot.DrawStore: the bag's row is locked while fn runs, so
// that replicas drawing from one bag take turns.
func (d *DB) Draw(ctx context.Context, key string, fn func(*questionbank.BagState) error) error {
	return d.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO bags (key, data) VALUES ($1, '{}') ON CONFLICT (key) DO NOTHING`, key); err != nil {
			return err
		}
		var st questionbank.BagState
		if err := scanJSON(tx.QueryRow(ctx, "SELECT data FROM bags WHERE key = $1 FOR UPDATE", key), "bags", &st); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			st = questionbank.BagState{} // a damaged bag only costs its order: start a new one
		}
		if err := fn(&st); err != nil {
			return err
		}
		v, err := json.Marshal(st)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE bags SET data = $2 WHERE key = $1", key, v)
		return err
	})
}

// Member implements bot.MemberStore.
func (d *DB) Member(ctx context.Context, group, user string) (bot.Member, error) {
	var m bot.Member
	_, err := d.getJSON(ctx, &m, "members", "SELECT data FROM members WHERE grp = $1 AND usr = $2", group, user)
	return m, err
}

// Members implements bot.MemberStore.
func (d *DB) Members(ctx context.Context, group string) ([]bot.Member, error) {
	return listJSON[bot.Member](ctx, d, "members", "SELECT data FROM members WHERE grp = $1 ORDER BY usr", group)
}

// Reviews implements bot.MemberStore.
func (d *DB) Reviews(ctx context.Context, group, user string) ([]bot.Review, error) {
	return listJSON[bot.Review](ctx, d, "reviews", "SELECT data FROM reviews WHERE grp = $1 AND usr = $2 ORDER BY card", group, user)
}

// Activity implements bot.MemberStore.
func (d *DB) Activity(ctx context.Context, group, user string) (map[string]int, error) {
	rows, err := d.pool.Query(ctx, "SELECT day, n FROM activity WHERE grp = $1 AND usr = $2", group, user)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	var day string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&day, &n}, func() error {
		out[day] = n
		return nil
	})
	return out, err
}

// onBoard is the condition that a row of scores (as s) is on the board
// whose group, period and category are the parameters $1, $2 and $3. The
// leaderboards' indexes (migration 00005) begin with the board's key, a
// 64-bit hash of the three, which the condition matches first, spelled as
// in the indexes, so that PostgreSQL reads them; the three columns are
// matched too, since two boards' keys may collide.
const onBoard = `hashtextextended(s.grp || E'\n' || s.period || E'\n' || s.category, 0) =
		hashtextextended($1::text || E'\n' || $2::text || E'\n' || $3::text, 0)
		AND s.grp = $1 AND s.period = $2 AND s.category = $3`

// Leaderboard implements bot.BoardStore: limit rows of the scores table in
// the order of its scores_board_rank index.
func (d *DB) Leaderboard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	return listJSON[bot.Score](ctx, d, "scores", LeaderboardSQL, group, period, category, int64(limit))
}

// LeaderboardSQL is the statement Leaderboard runs, with the group, the
// period, the category and the limit as its parameters $1 to $4 (for
// EXPLAIN, as prepbench does).
const LeaderboardSQL = `SELECT data FROM scores s WHERE ` + onBoard + `
		ORDER BY points DESC, accuracy DESC, reached, usr LIMIT $4`

// daysColumn is a score's days studied (bot.Score.Days), read from its
// JSON, where 0 is left out.
const daysColumn = "coalesce((data->>'days')::integer, 0)"

// DaysBoard implements bot.BoardStore: the first rows of the
// scores_board_days index (migrations 00004 and 00005), which orders a
// board's scores as bot.ByDays does.
func (d *DB) DaysBoard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	return listJSON[bot.Score](ctx, d, "scores", daysBoardSQL, group, period, category, int64(limit))
}

// daysBoardSQL is the statement DaysBoard runs, with Leaderboard's
// parameters.
const daysBoardSQL = `SELECT data FROM scores s WHERE ` + onBoard + `
		ORDER BY ` + daysColumn + ` DESC, points DESC, reached, usr LIMIT $4`

// rankBefore are the conditions under which a score (s) comes before the
// member's (me) on a board, in each order: the boards' ORDER BY, spelled
// out, since their columns sort in both directions.
var rankBefore = map[bot.Order]string{
	bot.ByPoints: `(s.points > me.points OR s.points = me.points AND (s.accuracy > me.accuracy OR s.accuracy = me.accuracy AND
		(s.reached < me.reached OR s.reached = me.reached AND s.usr < me.usr)))`,
	bot.ByDays: `(coalesce((s.data->>'days')::integer, 0) > me.days OR coalesce((s.data->>'days')::integer, 0) = me.days AND
		(s.points > me.points OR s.points = me.points AND (s.reached < me.reached OR s.reached = me.reached AND s.usr < me.usr)))`,
}

// Rank implements bot.BoardStore: one statement reads the member's score
// and counts the rows of the board ordered before it, so that both come
// from one snapshot. In bot.ByPoints order the count reads from the
// scores_board_rank index only the rows with more points or as many as
// the member's; in bot.ByDays order, whose columns sort in both
// directions, it reads every row of the board (one per member).
func (d *DB) Rank(ctx context.Context, group, period, category, user string, by bot.Order) (int, bot.Score, error) {
	before, ok := rankBefore[by]
	if !ok {
		return 0, bot.Score{}, fmt.Errorf("rank: unknown board order %d", by)
	}
	var data []byte
	var n int64
	err := d.pool.QueryRow(ctx, `WITH me AS (
			SELECT usr, points, accuracy, reached, `+daysColumn+` AS days, data FROM scores
			WHERE grp = $1 AND period = $2 AND category = $3 AND usr = $4)
		SELECT me.data, (SELECT count(*) FROM scores s
			WHERE `+onBoard+` AND `+before+`) FROM me`,
		group, period, category, user).Scan(&data, &n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, bot.Score{}, nil
	}
	if err != nil {
		return 0, bot.Score{}, err
	}
	var s bot.Score
	if err := json.Unmarshal(data, &s); err != nil {
		return 0, bot.Score{}, damaged("scores", err)
	}
	return int(n) + 1, s, nil
}

// periodTalliesSQL sums a period's answered and correct counts per
// category, from the scores' primary key alone where its pages are
// all-visible (migration 00007).
const periodTalliesSQL = `SELECT category, sum(answered), sum(correct) FROM scores
	WHERE grp = $1 AND period = $2 AND category <> '' GROUP BY category`

// PeriodTallies implements bot.BoardStore.
func (d *DB) PeriodTallies(ctx context.Context, group, period string) (map[string]bot.Tally, error) {
	rows, err := d.pool.Query(ctx, periodTalliesSQL, group, period)
	if err != nil {
		return nil, err
	}
	out := map[string]bot.Tally{}
	var cat string
	var answered, correct int64
	_, err = pgx.ForEachRow(rows, []any{&cat, &answered, &correct}, func() error {
		out[cat] = bot.Tally{Answered: int(answered), Correct: int(correct)}
		return nil
	})
	return out, err
}

// SavePeek implements bot.PeekStore, under the member's lock.
func (d *DB) SavePeek(ctx context.Context, group, user, card string, p bot.Peek) error {
	return d.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", memberLock(group, user)); err != nil {
			return err
		}
		var old bot.Peek
		if err := scanJSON(tx.QueryRow(ctx, "SELECT data FROM peeks WHERE grp = $1 AND usr = $2 AND card = $3", group, user, card), "peeks", &old); err != nil {
			return err
		}
		if old.Day == p.Day {
			p.Hint, p.Answer = p.Hint || old.Hint, p.Answer || old.Answer
		}
		if p == old {
			return nil
		}
		v, err := json.Marshal(p)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO peeks (grp, usr, card, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (grp, usr, card) DO UPDATE SET data = excluded.data`, group, user, card, v)
		return err
	})
}

// ReadPress implements bot.PressStore: the three reads in one statement,
// which the front (front.go) sends with every other press's waiting.
func (d *DB) ReadPress(ctx context.Context, group, user, card string) (bot.PressState, error) {
	r := &frontReq{press: true, group: group, user: user, card: card}
	if err := d.ask(ctx, r); err != nil {
		return bot.PressState{Group: bot.Group{ID: group}}, err
	}
	if r.readErr != nil {
		return bot.PressState{Group: bot.Group{ID: group}}, r.readErr
	}
	return r.st, nil
}

// Peeked implements bot.PeekStore.
func (d *DB) Peeked(ctx context.Context, group, user, card string) (bot.Peek, error) {
	var p bot.Peek
	_, err := d.getJSON(ctx, &p, "peeks", "SELECT data FROM peeks WHERE grp = $1 AND usr = $2 AND card = $3", group, user, card)
	return p, err
}

// scheduleColumns selects a schedule and its claims.
const scheduleColumns = "SELECT data, last_day, daily_until, last_digest, digest_until FROM schedules"

// schedules reads the schedules a query selects, with their claims.
func (d *DB) schedules(ctx context.Context, q querier, where string, args ...any) ([]bot.Schedule, error) {
	rows, err := q.Query(ctx, scheduleColumns+" "+where, args...)
	if err != nil {
		return nil, err
	}
	var out []bot.Schedule
	var data []byte
	var lastDay, lastDigest string
	var dailyUntil, digestUntil *time.Time
	_, err = pgx.ForEachRow(rows, []any{&data, &lastDay, &dailyUntil, &lastDigest, &digestUntil}, func() error {
		var s bot.Schedule
		if err := json.Unmarshal(data, &s); err != nil {
			return damaged("schedules", err)
		}
		s.LastDay, s.LastDigest = lastDay, lastDigest
		s.DailyUntil, s.DigestUntil = orZero(dailyUntil), orZero(digestUntil)
		out = append(out, s)
		return nil
	})
	return out, err
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func orZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func orNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Schedule implements bot.ScheduleStore.
func (d *DB) Schedule(ctx context.Context, group, channel string) (bot.Schedule, error) {
	out, err := d.schedules(ctx, d.pool, "WHERE grp = $1 AND channel = $2", group, channel)
	if err == nil && len(out) == 0 {
		err = bot.ErrNotFound
	}
	if err != nil {
		return bot.Schedule{}, err
	}
	return out[0], nil
}

// Schedules implements bot.ScheduleStore.
func (d *DB) Schedules(ctx context.Context, group string) ([]bot.Schedule, error) {
	if group == "" {
		return d.schedules(ctx, d.pool, "ORDER BY grp, channel")
	}
	return d.schedules(ctx, d.pool, "WHERE grp = $1 ORDER BY channel", group)
}

// scheduleData is a schedule's JSON, without the claims (their columns
// hold them).
func scheduleData(s bot.Schedule) ([]byte, error) {
	s.LastDay, s.DailyUntil, s.LastDigest, s.DigestUntil = "", time.Time{}, "", time.Time{}
	return json.Marshal(s)
}

// SaveSchedule implements bot.ScheduleStore.
func (d *DB) SaveSchedule(ctx context.Context, s bot.Schedule) error {
	v, err := scheduleData(s)
	if err != nil {
		return err
	}
	return d.exec(ctx, `INSERT INTO schedules (grp, channel, data, last_day, daily_until, last_digest, digest_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (grp, channel) DO UPDATE SET data = excluded.data, last_day = excluded.last_day,
			daily_until = excluded.daily_until, last_digest = excluded.last_digest, digest_until = excluded.digest_until`,
		s.Group, s.Channel, v, s.LastDay, orNull(s.DailyUntil), s.LastDigest, orNull(s.DigestUntil))
}

// UpdateSchedule implements bot.ScheduleStore: the row is locked while fn
// runs, and only its data is written back, never its claims.
func (d *DB) UpdateSchedule(ctx context.Context, group, channel string, fn func(*bot.Schedule) error) error {
	return d.inTx(ctx, func(tx pgx.Tx) error {
		out, err := d.schedules(ctx, tx, "WHERE grp = $1 AND channel = $2 FOR UPDATE", group, channel)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return bot.ErrNotFound
		}
		s := out[0]
		if err := fn(&s); err != nil {
			return err
		}
		s.Group, s.Channel = group, channel
		v, err := scheduleData(s)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE schedules SET data = $3 WHERE grp = $1 AND channel = $2", group, channel, v)
		return err
	})
}

// DeleteSchedule implements bot.ScheduleStore.
func (d *DB) DeleteSchedule(ctx context.Context, group, channel string) error {
	return d.exec(ctx, "DELETE FROM schedules WHERE grp = $1 AND channel = $2", group, channel)
}

// ClaimDaily implements bot.ScheduleStore: one conditional UPDATE, so that
// of all replicas one takes the day (bot.Claim.Take, in SQL).
func (d *DB) ClaimDaily(ctx context.Context, group, channel string, c bot.Claim) (bool, error) {
	return d.claim(ctx, "last_day", "daily_until", group, channel, c)
}

// ClaimDigest implements bot.ScheduleStore.
func (d *DB) ClaimDigest(ctx context.Context, group, channel string, c bot.Claim) (bool, error) {
	return d.claim(ctx, "last_digest", "digest_until", group, channel, c)
}

func (d *DB) claim(ctx context.Context, day, until, group, channel string, c bot.Claim) (bool, error) {
	tag, err := d.pool.Exec(ctx, "UPDATE schedules SET "+day+" = $3, "+until+" = $5 WHERE grp = $1 AND channel = $2 AND ("+
		day+" < $3 OR "+day+" = $3 AND "+until+" <= $4)", group, channel, c.Day, c.At, orNull(c.Until))
	if err != nil {
		return false, err
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	var one int
	err = d.pool.QueryRow(ctx, "SELECT 1 FROM schedules WHERE grp = $1 AND channel = $2", group, channel).Scan(&one)
	return false, noRows(err)
}

// PostedDaily implements bot.ScheduleStore.
func (d *DB) PostedDaily(ctx context.Context, group, channel, day string) error {
	return d.exec(ctx, "UPDATE schedules SET daily_until = NULL WHERE grp = $1 AND channel = $2 AND last_day = $3", group, channel, day)
}

// PostedDigest implements bot.ScheduleStore.
func (d *DB) PostedDigest(ctx context.Context, group, channel, day string) error {
	return d.exec(ctx, "UPDATE schedules SET digest_until = NULL WHERE grp = $1 AND channel = $2 AND last_digest = $3", group, channel, day)
}

// UnclaimDaily implements bot.ScheduleStore.
func (d *DB) UnclaimDaily(ctx context.Context, group, channel string, c bot.Claim) error {
	if c.Until.IsZero() {
		return ctx.Err() // a confirmed claim holds no more
	}
	return d.exec(ctx, `UPDATE schedules SET last_day = $5, daily_until = NULL
		WHERE grp = $1 AND channel = $2 AND last_day = $3 AND daily_until = $4`,
		group, channel, c.Day, c.Until, bot.DayBefore(c.Day))
}

// Round implements bot.RoundStore.
func (d *DB) Round(ctx context.Context, group, channel string) (bot.Round, error) {
	var r bot.Round
	found, err := d.getJSON(ctx, &r, "rounds", "SELECT data FROM rounds WHERE grp = $1 AND channel = $2", group, channel)
	if err == nil && !found {
		err = bot.ErrNotFound
	}
	return r, err
}

// Rounds implements bot.RoundStore.
func (d *DB) Rounds(ctx context.Context) ([]bot.Round, error) {
	return listJSON[bot.Round](ctx, d, "rounds", "SELECT data FROM rounds ORDER BY grp, channel")
}

// SaveRound implements bot.RoundStore.
func (d *DB) SaveRound(ctx context.Context, r bot.Round) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return d.exec(ctx, `INSERT INTO rounds (grp, channel, data) VALUES ($1, $2, $3)
		ON CONFLICT (grp, channel) DO UPDATE SET data = excluded.data`, r.Group, r.Channel, v)
}

// UpdateRound implements bot.RoundStore: the round's row is locked while
// fn runs.
func (d *DB) UpdateRound(ctx context.Context, group, channel string, fn func(*bot.Round) error) error {
	return d.inTx(ctx, func(tx pgx.Tx) error {
		var data []byte
		err := tx.QueryRow(ctx, "SELECT data FROM rounds WHERE grp = $1 AND channel = $2 FOR UPDATE", group, channel).Scan(&data)
		if err != nil {
			return noRows(err)
		}
		var r bot.Round
		if err := json.Unmarshal(data, &r); err != nil {
			return damaged("rounds", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE rounds SET data = $3 WHERE grp = $1 AND channel = $2", group, channel, v)
		return err
	})
}

// DeleteRound implements bot.RoundStore.
func (d *DB) DeleteRound(ctx context.Context, group, channel string) error {
	return d.exec(ctx, "DELETE FROM rounds WHERE grp = $1 AND channel = $2", group, channel)
}

// FirstDelivery implements bot.DeliveryStore: the id's primary key decides,
// so a redelivery to another replica is seen too (at once: a commit is
// seen when it returns). The front (front.go) inserts it with every other
// id waiting, in a transaction that commits asynchronously.
func (d *DB) FirstDelivery(ctx context.Context, id string, at time.Time) (bool, error) {
	r := &frontReq{del: true, id: id, at: at}
	if err := d.ask(ctx, r); err != nil {
		return false, err
	}
	if r.err != nil {
		return false, r.err
	}
	return r.first, nil
}

// PurgeDeliveries implements bot.DeliveryStore.
func (d *DB) PurgeDeliveries(ctx context.Context, before time.Time) (int, error) {
	tag, err := d.pool.Exec(ctx, "DELETE FROM deliveries WHERE seen_at < $1", before)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// Allow implements bot.LimitStore: the key's row is locked while
// bot.SlideWindow decides, so that replicas count one limit.
func (d *DB) Allow(ctx context.Context, key string, at time.Time, limit int, window time.Duration) (bool, time.Time, error) {
	var ok bool
	var retryAt time.Time
	err := d.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO limits (key, times) VALUES ($1, '{}') ON CONFLICT (key) DO NOTHING", key); err != nil {
			return err
		}
		var times []time.Time
		if err := tx.QueryRow(ctx, "SELECT times FROM limits WHERE key = $1 FOR UPDATE", key).Scan(&times); err != nil {
			return err
		}
		var kept []time.Time
		kept, ok, retryAt = bot.SlideWindow(times, at, limit, window)
		_, err := tx.Exec(ctx, "UPDATE limits SET times = $2 WHERE key = $1", key, kept)
		return err
	})
	return ok, retryAt, err
}

var (
	_ bot.Store           = (*DB)(nil)
	_ bot.FirstPressStore = (*DB)(nil)
)
