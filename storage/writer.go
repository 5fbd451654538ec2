package storage

import (
	"context"
	"runtime"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// The answer writer: one goroutine commits every answer waiting when its
// previous commit ends (group commit); record (record.go) writes each.

// recordReq is one answer waiting for the answer writer.
type recordReq struct {
	a    *bot.Answer
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
// follows the load. Each call returns only once its answer is on disk.
func (d *DB) Record(ctx context.Context, a *bot.Answer) (bot.Member, error) {
	r := &recordReq{a: a, done: make(chan struct{})}
	d.recMu.RLock()
	if d.recClosed {
		d.recMu.RUnlock()
		return bot.Member{}, ErrClosed
	}
	d.recq <- r
	d.recMu.RUnlock()
	// Wait even if ctx ends: the answer may already be committing, and the
	// caller must not tell the member it was lost when it was not.
	<-r.done
	if r.err != nil {
		return r.m, r.err
	}
	if r.dup {
		return r.m, bot.ErrAlreadyAnswered
	}
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

// commitAnswers records a group of answers in one transaction. If it fails,
// each answer is retried in a transaction of its own, so one bad answer
// fails only itself.
func (d *DB) commitAnswers(group []*recordReq) {
	err := d.update(func(tx *bolt.Tx) error {
		for _, r := range group {
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
		r.err = d.update(func(tx *bolt.Tx) error {
			var err error
			r.m, r.dup, err = d.record(tx, r.a)
			return err
		})
	}
}
