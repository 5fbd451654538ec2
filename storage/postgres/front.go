package postgres

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
)

// The front: what every interaction asks the database first, its delivery
// id (FirstDelivery) and, for a press on a card, what the press reads
// (ReadPress), goes to one goroutine, which sends everything waiting in
// one pipeline on a connection of its own: one round trip, and one
// statement of each kind, for all of them. A statement, its round trip and
// its transaction cost PostgreSQL and this process about the same for one
// row as for dozens. At 64 clients in prepbench, a round trip each on the
// pool kept the interactions waiting for one of its connections (a mean of
// 6-7 ms for each of the two); batched, with a press's two asked at once
// (FirstPress), they recorded 20-50% more answers a second in runs
// alternating with the release before (see the README's Performance
// section).

// maxFront bounds the requests one pipeline carries.
const maxFront = 256

// frontReq is one request to the front: a delivery id (del), a press's
// reads (press), or both.
type frontReq struct {
	del, press bool
	// FirstDelivery's
	id    string
	at    time.Time
	first bool
	// ReadPress's
	group, user, card string
	st                bot.PressState

	err     error // the delivery id's
	readErr error // the press's reads'
	done    chan struct{}
}

// ask hands r to the front and waits for its answer (r.err, r.readErr).
// When ctx ends first, or d is closed, ask returns the error; a delivery
// id may still be recorded (as when a statement's ctx ends while it runs).
func (d *DB) ask(ctx context.Context, r *frontReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.done = make(chan struct{})
	d.recMu.RLock()
	if d.recClosed {
		d.recMu.RUnlock()
		return ErrClosed
	}
	d.frontq <- r
	d.recMu.RUnlock()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FirstPress implements bot.FirstPressStore: the delivery id and the
// press's reads go to the front as one request.
func (d *DB) FirstPress(ctx context.Context, id string, at time.Time, group, user, card string) (bool, *bot.PressState, error) {
	r := &frontReq{del: true, id: id, at: at, press: true, group: group, user: user, card: card}
	if err := d.ask(ctx, r); err != nil {
		return false, nil, err
	}
	if r.readErr != nil {
		return r.first, nil, r.err
	}
	return r.first, &r.st, r.err
}

// front takes a request, and with it every request already waiting (up to
// maxFront), and answers them in one pipeline, until Close.
func (d *DB) front() {
	// the front's own connection, taken at once, so that the interactions'
	// first reads never wait for the pool (which a busy pool's other
	// readers may hold); when it fails, the first pipeline takes one
	w := &writerConn{pool: d.pool, idleCheck: idleCheck}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	w.get(ctx)
	cancel()
	defer w.release()
	batch := make([]*frontReq, 0, maxFront)
	for {
		r, ok := <-d.frontq
		if !ok {
			return
		}
		if d.beforeFront != nil {
			d.beforeFront()
		}
		batch = takeWaiting(d.frontq, append(batch[:0], r), maxFront)
		if d.frontBatch != nil {
			d.frontBatch(len(batch))
		}
		d.answerFront(w, batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// answerFront sends one pipeline for batch. Its delivery ids are inserted
// by one statement, in order (so that two replicas inserting ids they
// both hold do not wait for each other in turn: a deadlock), in a
// transaction that commits asynchronously (synchronous_commit off, for it
// alone), as FirstDelivery's contract allows: it does not wait for its WAL
// to reach the disk, which every interaction would otherwise wait for
// besides its answer's commit, and a crash of the database can forget only
// the ids of its last moments. The presses' reads are one statement after
// it. When the pipeline fails on a connection that broke meanwhile, the
// reads are tried again on a new connection; the delivery ids are not
// (they may have been recorded: their callers handle the interaction
// anyway, better twice than never).
func (d *DB) answerFront(w *writerConn, batch []*frontReq) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	byID := map[string]*frontReq{} // the first request of each id: later ones are redeliveries
	var ids []string
	var dels, presses []*frontReq
	for _, r := range batch {
		if r.press {
			presses = append(presses, r)
		}
		if !r.del {
			continue
		}
		dels = append(dels, r)
		if byID[r.id] == nil {
			byID[r.id] = r
			ids = append(ids, r.id)
		}
	}
	slices.Sort(ids)
	for attempt := 0; ; attempt++ {
		err := d.sendFront(ctx, w, ids, byID, presses)
		if err == nil {
			return
		}
		if attempt < 3 && retryable(err) { // rolled back: nothing was recorded
			continue
		}
		if len(ids) > 0 {
			for _, r := range dels {
				r.err = err
			}
			ids = nil
		}
		if attempt < 1 && len(presses) > 0 && w.conn == nil {
			continue // the connection broke: the reads once more, on a new one
		}
		for _, r := range presses {
			r.readErr = err
		}
		return
	}
}

// sendFront is one try of answerFront.
func (d *DB) sendFront(ctx context.Context, w *writerConn, ids []string, byID map[string]*frontReq, presses []*frontReq) error {
	conn, err := w.get(ctx)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	if len(ids) > 0 {
		ats := make([]time.Time, len(ids))
		for i, id := range ids {
			ats[i] = byID[id].at
			byID[id].first = false
		}
		b.Queue("SELECT set_config('synchronous_commit', 'off', true)") // this transaction only
		b.Queue(`INSERT INTO deliveries (id, seen_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
			ON CONFLICT (id) DO NOTHING RETURNING id`, ids, ats).Query(func(rows pgx.Rows) error {
			var id string
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				byID[id].first = true
				return nil
			})
			return err
		})
	}
	if len(presses) > 0 {
		grps, usrs, cards := make([]string, len(presses)), make([]string, len(presses)), make([]string, len(presses))
		for i, r := range presses {
			grps[i], usrs[i], cards[i] = r.group, r.user, r.card
			r.st, r.readErr = bot.PressState{Group: bot.Group{ID: r.group}}, nil
		}
		b.Queue(`SELECT k.i, (SELECT data FROM groups WHERE id = k.grp),
			(SELECT data FROM members m WHERE m.grp = k.grp AND m.usr = k.usr),
			(SELECT data FROM peeks p WHERE p.grp = k.grp AND p.usr = k.usr AND p.card = k.card)
			FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(grp, usr, card, i)`,
			grps, usrs, cards).Query(func(rows pgx.Rows) error {
			var i int64
			var g, m, p []byte
			_, err := pgx.ForEachRow(rows, []any{&i, &g, &m, &p}, func() error {
				r := presses[i-1]
				r.readErr = readPress(&r.st, g, m, p)
				return nil
			})
			return err
		})
	}
	err = conn.SendBatch(ctx, b).Close()
	if err != nil && conn.Conn().IsClosed() {
		w.release()
	}
	if err == nil && d.afterFront != nil {
		d.afterFront(conn.Conn())
	}
	return err
}

// readPress decodes a press's three records into st; a record that is
// absent leaves its part as it was.
func readPress(st *bot.PressState, g, m, p []byte) error {
	for _, r := range []struct {
		data  []byte
		table string
		v     any
	}{{g, "groups", &st.Group}, {m, "members", &st.Member}, {p, "peeks", &st.Peek}} {
		if r.data == nil {
			continue
		}
		if err := json.Unmarshal(r.data, r.v); err != nil {
			return damaged(r.table, err)
		}
	}
	return nil
}
