package postgres

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
)

// The answer writers: Record hands its answer to one of d's writers, which
// records every answer waiting for it in one transaction (group commit),
// as the bbolt backend does. Several writers (Options.Writers) commit at
// once, each holding the advisory locks of its answers' members, taken in
// one order, so that no two transactions, in this process or in another
// replica, deadlock or change one member at once.

// maxGroup is Options.MaxGroup's default: the most answers one
// transaction records.
const maxGroup = 256

// commitTimeout bounds one group's transaction.
const commitTimeout = time.Minute

type recordReq struct {
	a    *bot.Answer
	m    bot.Member
	seq  uint64
	dup  bool
	err  error
	done chan struct{}
}

// Record implements bot.AnswerStore. When ctx ends before the answer's
// commit is known, Record returns ctx's error: the answer may still have
// been recorded (a caller told it was not can find it recorded; never the
// reverse).
func (d *DB) Record(ctx context.Context, a *bot.Answer) (bot.Member, error) {
	if err := ctx.Err(); err != nil {
		return bot.Member{}, err
	}
	r := &recordReq{a: a, done: make(chan struct{})}
	d.recMu.RLock()
	if d.recClosed {
		d.recMu.RUnlock()
		return bot.Member{}, ErrClosed
	}
	d.recq <- r
	d.recMu.RUnlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		return bot.Member{}, ctx.Err()
	}
	if r.err != nil {
		return r.m, r.err
	}
	if r.dup {
		return r.m, bot.ErrAlreadyAnswered
	}
	a.Seq = r.seq
	return r.m, nil
}

// writeAnswers is one answer writer: it takes an answer, and with it every
// answer already waiting, up to d.maxGroup, and records them together.
func (d *DB) writeAnswers() {
	group := make([]*recordReq, 0, d.maxGroup)
	for r := range d.recq {
		group = append(group[:0], r)
	more:
		for len(group) < d.maxGroup {
			select {
			case r, ok := <-d.recq:
				if !ok {
					break more
				}
				group = append(group, r)
			default:
				break more
			}
		}
		d.commitAnswers(group)
		for _, r := range group {
			close(r.done)
		}
	}
}

// commitAnswers records a group in one transaction; when that fails, it
// records each answer in a transaction of its own, so that one bad answer
// fails alone.
func (d *DB) commitAnswers(group []*recordReq) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if d.onCommit != nil {
			d.onCommit(time.Since(start))
		}
		if d.onGroup != nil {
			d.onGroup(len(group))
		}
	}()
	if err := d.recordAll(ctx, group); err == nil || len(group) == 1 {
		if err != nil {
			group[0].err = err
		}
		return
	}
	for _, r := range group {
		r.err = d.recordAll(ctx, []*recordReq{r})
	}
}

// member, review and score keys of what a group of answers changes.
type (
	memberKey struct{ group, user string }
	reviewKey struct {
		memberKey
		card string
	}
	scoreKey struct {
		memberKey
		period, category string
	}
	dayKey struct {
		memberKey
		day string
	}
)

// recordAll records answers in one transaction: it locks their members,
// inserts the answers (a duplicate inserts nothing), reads what they
// change, applies the rules in memory in the answers' order, and writes
// the results back: four round trips for the whole group.
func (d *DB) recordAll(ctx context.Context, group []*recordReq) error {
	for _, r := range group {
		r.m, r.seq, r.dup, r.err = bot.Member{}, 0, false, nil
	}
	return d.inTx(ctx, func(tx pgx.Tx) error {
		// what the group touches
		var locks []int64
		members := map[memberKey]*bot.Member{}
		reviews := map[reviewKey]*bot.Review{}
		scores := map[scoreKey]*bot.Score{}
		var memberOrder []memberKey
		var reviewOrder []reviewKey
		for _, r := range group {
			mk := memberKey{r.a.Group, r.a.User}
			if _, ok := members[mk]; !ok {
				members[mk] = &bot.Member{}
				memberOrder = append(memberOrder, mk)
				locks = append(locks, memberLock(mk.group, mk.user))
			}
			rk := reviewKey{mk, r.a.CardID}
			if _, ok := reviews[rk]; !ok {
				reviews[rk] = &bot.Review{Card: r.a.CardID, Category: r.a.Category}
				reviewOrder = append(reviewOrder, rk)
			}
		}
		slices.Sort(locks)
		locks = slices.Compact(locks)

		// 1: lock, insert, read
		b := &pgx.Batch{}
		for _, k := range locks {
			b.Queue("SELECT pg_advisory_xact_lock($1)", k)
		}
		data := make([][]byte, len(group))
		for i, r := range group {
			rec := *r.a
			rec.Seq = 0 // the seq column holds it
			v, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			data[i] = v
			b.Queue(`INSERT INTO answers (grp, usr, kind, post_id, data) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (grp, usr, kind, post_id) DO NOTHING RETURNING seq`,
				r.a.Group, r.a.User, string(r.a.Kind), int64(r.a.PostID), string(v)).QueryRow(func(row pgx.Row) error {
				var seq int64
				switch err := row.Scan(&seq); err {
				case nil:
					r.seq = uint64(seq)
				case pgx.ErrNoRows:
					r.dup = true
				default:
					return err
				}
				return nil
			})
		}
		for _, mk := range memberOrder {
			b.Queue("SELECT data FROM members WHERE grp = $1 AND usr = $2", mk.group, mk.user).QueryRow(func(row pgx.Row) error {
				return scanJSON(row, "members", members[mk])
			})
		}
		for _, rk := range reviewOrder {
			b.Queue("SELECT data FROM reviews WHERE grp = $1 AND usr = $2 AND card = $3", rk.group, rk.user, rk.card).QueryRow(func(row pgx.Row) error {
				return scanJSON(row, "reviews", reviews[rk])
			})
		}
		for _, mk := range memberOrder {
			var periods, cats []string
			for _, r := range group {
				if r.a.Group == mk.group && r.a.User == mk.user {
					periods = append(periods, r.a.Periods...)
					cats = append(cats, "", r.a.Category)
				}
			}
			b.Queue(`SELECT period, category, data FROM scores
				WHERE grp = $1 AND usr = $2 AND period = ANY($3) AND category = ANY($4)`,
				mk.group, mk.user, periods, cats).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var period, cat string
					var v []byte
					if err := rows.Scan(&period, &cat, &v); err != nil {
						return err
					}
					s := &bot.Score{}
					if err := json.Unmarshal(v, s); err != nil {
						return damaged("scores", err)
					}
					scores[scoreKey{mk, period, cat}] = s
				}
				return rows.Err()
			})
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}

		// 2: apply the rules, in order
		activity := map[dayKey]int{}
		var dayOrder []dayKey
		changedScores := map[scoreKey]bool{}
		var scoreOrder []scoreKey
		changedReviews := map[reviewKey]bool{}
		changedMembers := map[memberKey]bool{}
		for _, r := range group {
			mk := memberKey{r.a.Group, r.a.User}
			m := members[mk]
			if r.dup {
				r.m = *m
				continue
			}
			rec := *r.a
			rec.Seq = r.seq
			d.rules.Member(m, &rec)
			changedMembers[mk] = true
			r.m = *m
			if rec.Day != "" {
				dk := dayKey{mk, rec.Day}
				if _, ok := activity[dk]; !ok {
					dayOrder = append(dayOrder, dk)
				}
				activity[dk]++
			}
			rk := reviewKey{mk, rec.CardID}
			d.rules.Review(reviews[rk], &rec)
			changedReviews[rk] = true
			cats := []string{""}
			if rec.Category != "" {
				cats = append(cats, rec.Category)
			}
			for _, period := range rec.Periods {
				for _, cat := range cats {
					sk := scoreKey{mk, period, cat}
					s, ok := scores[sk]
					if !ok {
						s = &bot.Score{}
						scores[sk] = s
					}
					if !changedScores[sk] {
						changedScores[sk] = true
						scoreOrder = append(scoreOrder, sk)
					}
					d.rules.Score(s, &rec)
				}
			}
		}
		if len(changedMembers) == 0 {
			return nil
		}

		// 3: write back
		b = &pgx.Batch{}
		for _, mk := range memberOrder {
			if !changedMembers[mk] {
				continue
			}
			v, err := json.Marshal(members[mk])
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO members (grp, usr, data) VALUES ($1, $2, $3)
				ON CONFLICT (grp, usr) DO UPDATE SET data = excluded.data`, mk.group, mk.user, v)
		}
		for _, dk := range dayOrder {
			b.Queue(`INSERT INTO activity (grp, usr, day, n) VALUES ($1, $2, $3, $4)
				ON CONFLICT (grp, usr, day) DO UPDATE SET n = activity.n + excluded.n`, dk.group, dk.user, dk.day, activity[dk])
		}
		for _, rk := range reviewOrder {
			if !changedReviews[rk] {
				continue
			}
			v, err := json.Marshal(reviews[rk])
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO reviews (grp, usr, card, data) VALUES ($1, $2, $3, $4)
				ON CONFLICT (grp, usr, card) DO UPDATE SET data = excluded.data`, rk.group, rk.user, rk.card, v)
		}
		for _, sk := range scoreOrder {
			s := scores[sk]
			v, err := json.Marshal(s)
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO scores (grp, period, category, usr, points, accuracy, reached, answered, correct, data)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				ON CONFLICT (grp, period, category, usr) DO UPDATE SET points = excluded.points,
					accuracy = excluded.accuracy, reached = excluded.reached, answered = excluded.answered,
					correct = excluded.correct, data = excluded.data`,
				sk.group, sk.period, sk.category, sk.user, int64(max(s.Points, 0)), accuracyKey(*s), nanos(s.ReachedAt),
				s.Answered, s.Correct, v)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// accuracyKey is a score's accuracy in millionths, as bbolt ranks it.
func accuracyKey(s bot.Score) int32 { return int32(math.Round(s.Accuracy() * 1e6)) }

// scanJSON decodes the one JSON column row holds into v; no row leaves v
// as it was.
func scanJSON[T any](row pgx.Row, table string, v *T) error {
	var data []byte
	if err := row.Scan(&data); err == pgx.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return damaged(table, err)
	}
	return nil
}
