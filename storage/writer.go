package storage

import (
	"context"
	"runtime"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// The answer writer: one goroutine commits every answer waiting when its
// previous commit ends (group commit); record (record.go) writes each.

// recordReq is one answer waiting for the answer writer.
type recordReq struct {
	ctx  context.Context // the caller's: once it ends, the answer is not begun
	a    *bot.Answer     // a copy of the caller's, which may stop waiting
	m    bot.Member
	dup  bool
	err  error
	done chan struct{}
}

// maxGroup caps how many answers share one commit.
const maxGroup = 1024

// maxLinger bounds how long the answer writer waits for the rest of a
// group under load. It waits by yielding the processor, not by sleeping: a
// sleep that short lasts about a millisecond whatever it asks for.
const maxLinger = time.Millisecond

// Record implements bot.AnswerStore. Answers recorded at the same time
// share one commit: a single writer takes every answer waiting when its
// previous commit ends, so a commit never waits for a timer and its size
// follows the load. Each call returns once its answer is on disk, or once
// ctx ends.
//
// A ctx already done records nothing. A ctx that ends while the answer
// waits for the writer makes Record stop waiting and return ctx's error;
// the writer leaves out an answer whose ctx has ended when its commit
// begins, but one it has already begun to commit is committed all the
// same. So ctx's error means "not known to be recorded", never "not
// recorded": a caller told so may find the answer recorded after all (a
// retry is then ErrAlreadyAnswered). The reverse cannot happen: a nil error
// always means the answer is on disk.
func (d *DB) Record(ctx context.Context, a *bot.Answer) (bot.Member, error) {
	if err := ctx.Err(); err != nil {
		return bot.Member{}, err
	}
	rec := *a
	rec.Periods = slices.Clone(a.Periods)
	r := &recordReq{ctx: ctx, a: &rec, done: make(chan struct{})}
	d.recMu.RLock()
	if d.recClosed {
		d.recMu.RUnlock()
		return bot.Member{}, ErrClosed
	}
	select {
	case d.recq <- r:
	case <-ctx.Done(): // the queue is full and the caller has gone
		d.recMu.RUnlock()
		return bot.Member{}, ctx.Err()
	}
	d.recMu.RUnlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		select {
		case <-r.done: // done as ctx ended: what it did stands
		default:
			return bot.Member{}, ctx.Err()
		}
	}
	if r.err != nil {
		return r.m, r.err
	}
	if r.dup {
		return r.m, bot.ErrAlreadyAnswered
	}
	a.Seq = rec.Seq
	return r.m, nil
}

// writeAnswers is the answer writer: it commits the answers waiting, as
// many as arrived during the previous commit, until Close.
func (d *DB) writeAnswers() {
	defer close(d.recDone)
	group := make([]*recordReq, 0, maxGroup)
	last := 0 // the size of the previous group
	for r := range d.recq {
		group = append(group[:0], r)
		deadline := time.Now().Add(maxLinger)
	more:
		for len(group) < maxGroup {
			select {
			case r, ok := <-d.recq:
				if !ok {
					break more
				}
				group = append(group, r)
				continue
			default:
			}
			// Under load, the members the last commit answered are about to
			// send their next answers: a moment's wait lets them share
			// this commit instead of starting the next.
			if len(group) >= last || time.Now().After(deadline) {
				break
			}
			runtime.Gosched()
		}
		last = len(group)
		d.commitAnswers(group)
		if d.onGroup != nil {
			d.onGroup(len(group))
		}
		for _, r := range group {
			close(r.done)
		}
	}
}

// commitAnswers records a group of answers in one transaction, leaving out
// those whose ctx has ended. If it fails, each answer is retried in a
// transaction of its own, so one bad answer fails only itself.
func (d *DB) commitAnswers(group []*recordReq) {
	err := d.update(context.Background(), func(tx *bolt.Tx) error {
		for _, r := range group {
			if r.err = r.ctx.Err(); r.err != nil {
				continue // its caller has stopped waiting: leave it out
			}
			r.m, r.dup, r.err = d.record(tx, r.a)
			if r.err != nil {
				return r.err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	if len(group) == 1 {
		group[0].err = err
		return
	}
	for _, r := range group {
		r.err = d.update(r.ctx, func(tx *bolt.Tx) error {
			var err error
			r.m, r.dup, err = d.record(tx, r.a)
			return err
		})
	}
}
