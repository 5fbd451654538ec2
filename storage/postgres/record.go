package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prepbot/prepbot/bot"
)

// The answer writers: Record hands its answer to one of d's writers, which
// records every answer waiting for it in one transaction (group commit),
// as the bbolt backend does. Writers (two by default; Options.Writers) in
// this process and in other replicas commit at once, each holding the
// advisory locks of its answers' members, taken in one order, so that no
// two transactions deadlock or change one member at once.

// maxGroup is Options.MaxGroup's default: the most answers one
// transaction records.
const maxGroup = 256

// defaultWriters and defaultGroupWait are Options.Writers' and
// Options.GroupWait's defaults. In prepbench (64 clients, 2 cores) one
// writer's transactions, one after another, left PostgreSQL about a
// quarter of a core short of one (4.4-4.7 s of CPU in 6 s): between its
// two round trips and between groups its backend waits for the writer's
// Go code. A second writer overlaps those. Two writers that each took
// every answer waiting split them into groups of 9-10 (one writer's: 32),
// at 11-15% more of PostgreSQL's CPU an answer; with the turns and the
// wait their groups held 22-24.
const (
	defaultWriters   = 2
	defaultGroupWait = 2 * time.Millisecond
)

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

// writeAnswers is answer writer me: it takes an answer, and with it every
// answer already waiting, up to d.maxGroup, and records them together.
// With other writers in this process (and groups, not a transaction
// each), the writers take turns at their first round trip, the reads
// (d.reading): a writer begins its reads once the other's are done, so
// that one's reads go with the other's writes, one round trip on each
// backend. And while another writer is mid-transaction with a group of n
// answers, a writer waits, at most d.groupWait, until it holds n/2: one
// that took every answer as soon as the other began would take them one
// or two at a time, as they come back from the other's group.
func (d *DB) writeAnswers(me int) {
	// the writer's own connection (see writerConn), taken at once
	w := &writerConn{pool: d.pool, idleCheck: idleCheck}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	w.get(ctx) // when it fails, the first group tries again, and fails if it cannot
	cancel()
	defer w.release()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	group := make([]*recordReq, 0, d.maxGroup)
	last := 0 // the answers of this writer's last group
	for {
		if d.standAside(me) {
			select {
			case <-d.closing:
				return
			case <-time.After(d.beat):
			}
			continue
		}
		r, ok := <-d.recq
		if !ok {
			return
		}
		if now := time.Now().UnixNano(); now-d.lastGroup.Swap(now) >= int64(d.busyFor) {
			select { // recording again after a pause: the beacon says so at once
			case d.wakeBeacon <- struct{}{}:
			default:
			}
		}
		group = append(group[:0], r)
		if d.reading != nil {
			<-d.reading
		}
		want := d.othersGroup(me) / 2
		if last > 1 && d.others.Load() > 0 { // recording alone in this replica (see beacon)
			want = last + len(group) + len(d.recq)
		}
		if want = min(want, d.maxGroup); want > 1 {
			timer.Reset(d.groupWait)
		wait:
			for len(group) < want {
				select {
				case r, ok := <-d.recq:
					if !ok {
						break wait
					}
					group = append(group, r)
				case <-timer.C:
					break wait
				}
			}
			timer.Stop()
		}
		group = takeWaiting(d.recq, group, d.maxGroup)
		d.inGroup[me].Store(int32(len(group)))
		last = len(group)
		reading := d.reading != nil
		w.readDone = func() { // after the group's reads, or its end
			if reading {
				reading = false
				d.reading <- struct{}{}
			}
		}
		d.commitAnswers(w, group)
		w.readDone()
		d.inGroup[me].Store(0)
		if d.writerGroup != nil {
			d.writerGroup(me, len(group))
		}
		for _, r := range group {
			close(r.done)
		}
	}
}

// takeWaiting appends to batch what already waits on ch, without waiting
// for more, until batch holds max.
func takeWaiting[T any](ch <-chan T, batch []T, max int) []T {
	for len(batch) < max {
		select {
		case r, ok := <-ch:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// othersGroup is the largest group another writer than me is recording.
func (d *DB) othersGroup(me int) int {
	n := 0
	for i := range d.inGroup {
		if i != me {
			n = max(n, int(d.inGroup[i].Load()))
		}
	}
	return n
}

// writerConn is an answer writer's own connection: a writer that shared
// the pool with every press's reads waited for a connection behind them
// before each group (3.5 ms a group at 64 clients, in prepbench), while
// the group's answers waited for it.
type writerConn struct {
	pool      *pgxpool.Pool
	conn      *pgxpool.Conn
	used      time.Time
	idleCheck time.Duration
	readDone  func() // called when the group's reads are done
}

// idleCheck is how long the writer's connection may sit idle before it is
// pinged before use, as pgxpool does with the connections it hands out: a
// connection the server dropped meanwhile is replaced before a group is
// sent on it, rather than failing the group. A variable for the tests.
var idleCheck = time.Second

// get returns a live connection: the writer's, or a new one when there is
// none, it was closed (a broken connection, a timeout) or, idle for a
// while, it no longer answers.
func (w *writerConn) get(ctx context.Context) (*pgxpool.Conn, error) {
	if w.conn != nil && !w.conn.Conn().IsClosed() && time.Since(w.used) >= w.idleCheck {
		if err := w.conn.Ping(ctx); err != nil {
			w.conn.Conn().Close(ctx)
		}
	}
	if w.conn != nil && w.conn.Conn().IsClosed() {
		w.release()
	}
	if w.conn == nil {
		c, err := w.pool.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		w.conn = c
	}
	w.used = time.Now()
	return w.conn, nil
}

func (w *writerConn) release() {
	if w.conn != nil {
		w.conn.Release()
		w.conn = nil
	}
}

// commitAnswers records a group in one transaction on the writer's
// connection; when that fails, it records each answer in a transaction of
// its own, so that one bad answer fails alone.
func (d *DB) commitAnswers(w *writerConn, group []*recordReq) {
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
	record := func(rs []*recordReq) error {
		conn, err := w.get(ctx)
		if err != nil {
			return err
		}
		return d.recordAll(ctx, conn, rs, w.readDone)
	}
	if err := record(group); err == nil || len(group) == 1 {
		if err != nil {
			group[0].err = err
		}
		return
	}
	for _, r := range group {
		r.err = record([]*recordReq{r})
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

// recordAll records answers in one transaction on conn: it locks their
// members, inserts the answers (a duplicate inserts nothing), reads what
// they change, applies the rules in memory in the answers' order, and
// writes the results back. Each of these is one statement for the whole
// group, whose rows go as arrays (unnest), and the transaction's BEGIN and
// COMMIT go in the pipelines of the first and the last: eleven statements
// in two round trips however many answers the group holds, so that what a
// transaction costs PostgreSQL, beyond the rows it writes, is paid once
// per group, and a group waits for the database twice (on a busy machine
// each round trip costs milliseconds of waiting for the CPU: a BEGIN and a
// COMMIT of their own took 3 to 5 ms a group at 64 clients in prepbench).
// A transaction that fails is rolled back, and retried as inTx does.
func (d *DB) recordAll(ctx context.Context, conn *pgxpool.Conn, group []*recordReq, readDone func()) error {
	c := conn.Conn()
	for attempt := 0; ; attempt++ {
		err := d.recordOnce(ctx, c, group, readDone)
		if err != nil && c.PgConn().TxStatus() != 'I' {
			// the transaction is still open, failed or not: end it, or
			// drop the connection (the writer takes another)
			if _, rerr := c.Exec(ctx, "ROLLBACK"); rerr != nil {
				c.Close(ctx)
			}
		}
		if attempt < 5 && (retryable(err) || newScoreTaken(err)) && !c.IsClosed() {
			continue
		}
		return err
	}
}

// newScoreTaken says whether err is PostgreSQL refusing a score row that
// recordOnce inserted as new because it read none: written meanwhile by a
// transaction that did not hold its member's lock. Tried again, the group
// reads it and updates it.
func newScoreTaken(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.TableName == "scores"
}

// recordOnce is one try of recordAll: BEGIN goes with the first pipeline,
// COMMIT with the last; readDone is called between them. It leaves the
// transaction open when it fails.
func (d *DB) recordOnce(ctx context.Context, tx *pgx.Conn, group []*recordReq, readDone func()) error {
	for _, r := range group { // from scratch: a retry must not see what the aborted try saw
		r.m, r.seq, r.dup, r.err = bot.Member{}, 0, false, nil
	}
	// what the group touches
	var locks []int64
	members := map[memberKey]*bot.Member{}
	reviews := map[reviewKey]*bot.Review{}
	scores := map[scoreKey]*bot.Score{}
	wanted := map[scoreKey]bool{}
	stored := map[scoreKey]bool{} // the scores read: those not read are new rows
	var memberOrder []memberKey
	var reviewOrder []reviewKey
	var wantOrder []scoreKey
	first := map[answerKey]*recordReq{} // the first answer of each key: later ones are duplicates
	var ins answerRows
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
		for _, period := range r.a.Periods {
			for _, cat := range scoreCategories(r.a) {
				if sk := (scoreKey{mk, period, cat}); !wanted[sk] {
					wanted[sk] = true
					wantOrder = append(wantOrder, sk)
				}
			}
		}
		ak := answerKey{mk, string(r.a.Kind), int64(r.a.PostID)}
		if _, ok := first[ak]; ok {
			continue
		}
		first[ak] = r
		rec := *r.a
		rec.Seq = 0 // the seq column holds it
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		ins.add(ak, string(v))
	}
	slices.Sort(locks)
	locks = slices.Compact(locks)

	// 1: begin, lock (in one order, the same in every transaction),
	// insert, read
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k ORDER BY k", locks)
	seqs := map[answerKey]int64{}
	b.Queue(`INSERT INTO answers (grp, usr, kind, post_id, data)
		SELECT grp, usr, kind, post_id, data::json
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS a(grp, usr, kind, post_id, data)
		ON CONFLICT (grp, usr, kind, post_id) DO NOTHING RETURNING seq, grp, usr, kind, post_id`,
		ins.grp, ins.usr, ins.kind, ins.post, ins.data).Query(func(rows pgx.Rows) error {
		var k answerKey
		var seq int64
		_, err := pgx.ForEachRow(rows, []any{&seq, &k.group, &k.user, &k.kind, &k.post}, func() error {
			seqs[k] = seq
			return nil
		})
		return err
	})
	var grps, usrs, cards, periods, cats []string
	for _, mk := range memberOrder {
		grps, usrs = append(grps, mk.group), append(usrs, mk.user)
	}
	b.Queue(`SELECT k.i, m.data FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(grp, usr, i)
		JOIN members m ON m.grp = k.grp AND m.usr = k.usr`, grps, usrs).Query(func(rows pgx.Rows) error {
		return scanEach(rows, "members", func(i int) any { return members[memberOrder[i]] })
	})
	grps, usrs = nil, nil
	for _, rk := range reviewOrder {
		grps, usrs, cards = append(grps, rk.group), append(usrs, rk.user), append(cards, rk.card)
	}
	b.Queue(`SELECT k.i, r.data FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(grp, usr, card, i)
		JOIN reviews r ON r.grp = k.grp AND r.usr = k.usr AND r.card = k.card`, grps, usrs, cards).Query(func(rows pgx.Rows) error {
		return scanEach(rows, "reviews", func(i int) any { return reviews[reviewOrder[i]] })
	})
	grps, usrs = nil, nil
	for _, sk := range wantOrder {
		grps, usrs, periods, cats = append(grps, sk.group), append(usrs, sk.user), append(periods, sk.period), append(cats, sk.category)
	}
	b.Queue(`SELECT k.i, s.data FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(grp, usr, period, category, i)
		JOIN scores s ON s.grp = k.grp AND s.period = k.period AND s.category = k.category AND s.usr = k.usr`,
		grps, usrs, periods, cats).Query(func(rows pgx.Rows) error {
		return scanEach(rows, "scores", func(i int) any {
			s := &bot.Score{}
			scores[wantOrder[i]] = s
			stored[wantOrder[i]] = true
			return s
		})
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	readDone()
	if d.afterRead != nil {
		d.afterRead()
	}
	for ak, r := range first {
		if seq, ok := seqs[ak]; ok {
			r.seq = uint64(seq)
		}
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
		if r.seq == 0 { // not inserted: recorded before
			r.dup = true
			r.m = *m
			continue
		}
		rec := *r.a
		rec.Seq = r.seq
		d.rules.Member(m, &rec)
		changedMembers[mk] = true
		r.m = *m
		if rec.Day != "" && d.rules.Activity(&rec) {
			dk := dayKey{mk, rec.Day}
			if _, ok := activity[dk]; !ok {
				dayOrder = append(dayOrder, dk)
			}
			activity[dk]++
		}
		rk := reviewKey{mk, rec.CardID}
		d.rules.Review(reviews[rk], &rec)
		changedReviews[rk] = true
		for _, period := range rec.Periods {
			for _, cat := range scoreCategories(&rec) {
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
	if len(changedMembers) == 0 { // every answer recorded before
		_, err := tx.Exec(ctx, "COMMIT")
		return err
	}

	// 3: write back
	b = &pgx.Batch{}
	var data []string
	grps, usrs = nil, nil
	for _, mk := range memberOrder {
		if !changedMembers[mk] {
			continue
		}
		v, err := json.Marshal(members[mk])
		if err != nil {
			return err
		}
		grps, usrs, data = append(grps, mk.group), append(usrs, mk.user), append(data, string(v))
	}
	b.Queue(`INSERT INTO members (grp, usr, data)
		SELECT grp, usr, data::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS m(grp, usr, data)
		ON CONFLICT (grp, usr) DO UPDATE SET data = excluded.data`, grps, usrs, data)
	if len(dayOrder) > 0 {
		var days []string
		var ns []int32
		grps, usrs = nil, nil
		for _, dk := range dayOrder {
			grps, usrs, days, ns = append(grps, dk.group), append(usrs, dk.user), append(days, dk.day), append(ns, int32(activity[dk]))
		}
		b.Queue(`INSERT INTO activity (grp, usr, day, n)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[])
			ON CONFLICT (grp, usr, day) DO UPDATE SET n = activity.n + excluded.n`, grps, usrs, days, ns)
	}
	grps, usrs, cards, data = nil, nil, nil, nil
	for _, rk := range reviewOrder {
		if !changedReviews[rk] {
			continue
		}
		v, err := json.Marshal(reviews[rk])
		if err != nil {
			return err
		}
		grps, usrs, cards, data = append(grps, rk.group), append(usrs, rk.user), append(cards, rk.card), append(data, string(v))
	}
	b.Queue(`INSERT INTO reviews (grp, usr, card, data)
		SELECT grp, usr, card, data::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(grp, usr, card, data)
		ON CONFLICT (grp, usr, card) DO UPDATE SET data = excluded.data`, grps, usrs, cards, data)
	// a score not read is new: under its member's lock no other
	// transaction writes it, so it is inserted without ON CONFLICT, which
	// costs PostgreSQL less (a score row has three indexes); the others
	// are updated. Should one be there after all, PostgreSQL refuses the
	// insert and the group is tried again (see recordAll), reading it.
	var updated, inserted scoreRows
	for _, sk := range scoreOrder {
		s := scores[sk]
		v, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if stored[sk] {
			updated.add(sk, s, string(v))
		} else {
			inserted.add(sk, s, string(v))
		}
	}
	const scoreRowsSQL = `INSERT INTO scores (grp, period, category, usr, points, accuracy, reached, answered, correct, data)
		SELECT grp, period, category, usr, points, accuracy, reached, answered, correct, data::jsonb
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::integer[], $7::bigint[], $8::integer[], $9::integer[], $10::text[])
			AS s(grp, period, category, usr, points, accuracy, reached, answered, correct, data)`
	if len(inserted.grp) > 0 {
		b.Queue(scoreRowsSQL, inserted.args()...)
	}
	if len(updated.grp) > 0 {
		b.Queue(scoreRowsSQL+`
		ON CONFLICT (grp, period, category, usr) DO UPDATE SET points = excluded.points,
			accuracy = excluded.accuracy, reached = excluded.reached, answered = excluded.answered,
			correct = excluded.correct, data = excluded.data`, updated.args()...)
	}
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
		if ct.String() != "COMMIT" { // PostgreSQL rolled it back instead
			return fmt.Errorf("the answers' transaction ended with %s, not COMMIT", ct)
		}
		return nil
	})
	return tx.SendBatch(ctx, b).Close()
}

// answerKey is an answer's unique key in the answers table.
type answerKey struct {
	memberKey
	kind string
	post int64
}

// answerRows are the columns of answers to insert, a slice each.
type answerRows struct {
	grp, usr, kind, data []string
	post                 []int64
}

func (a *answerRows) add(k answerKey, data string) {
	a.grp, a.usr, a.kind, a.post, a.data = append(a.grp, k.group), append(a.usr, k.user), append(a.kind, k.kind), append(a.post, k.post), append(a.data, data)
}

// scoreRows are the columns of scores to write, a slice each.
type scoreRows struct {
	grp, period, category, usr, data []string
	points, reached                  []int64
	accuracy, answered, correct      []int32
}

// args are the columns in scoreRowsSQL's order.
func (c *scoreRows) args() []any {
	return []any{c.grp, c.period, c.category, c.usr, c.points, c.accuracy, c.reached, c.answered, c.correct, c.data}
}

func (c *scoreRows) add(k scoreKey, s *bot.Score, data string) {
	c.grp, c.period, c.category, c.usr = append(c.grp, k.group), append(c.period, k.period), append(c.category, k.category), append(c.usr, k.user)
	c.points, c.accuracy, c.reached = append(c.points, int64(max(s.Points, 0))), append(c.accuracy, accuracyKey(*s)), append(c.reached, nanos(s.ReachedAt))
	c.answered, c.correct, c.data = append(c.answered, int32(s.Answered)), append(c.correct, int32(s.Correct)), append(c.data, data)
}

// scoreCategories are the categories of the scores an answer counts
// toward: overall (""), and its own.
func scoreCategories(a *bot.Answer) []string {
	if a.Category == "" {
		return []string{""}
	}
	return []string{"", a.Category}
}

// scanEach decodes rows of (ordinality, JSON) into into(ordinality-1).
func scanEach(rows pgx.Rows, table string, into func(i int) any) error {
	var i int64
	var data []byte
	_, err := pgx.ForEachRow(rows, []any{&i, &data}, func() error {
		if err := json.Unmarshal(data, into(int(i-1))); err != nil {
			return damaged(table, err)
		}
		return nil
	})
	return err
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
