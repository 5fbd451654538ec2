package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage"
)

const recordWorkers = 64

// recordFor records answers from many concurrent members for d through the
// real storage path (answer, member, streak and six scores in one commit,
// fsync on) and returns how many it recorded and the bytes one answer
// writes. The answers are like those the interactions of measurement 2
// record: every one from a member not seen before, whose id puts the
// member's records at a place of their own in member_data (a leaf page
// each, not the page of the member before), as platform ids do; on cards of
// every category, a third of them wrong.
func recordFor(db *storage.DB, d time.Duration) (int, int) {
	var n, seq atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	var size int
	for w := 0; w < recordWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				a := newMemberAnswer(uint64(seq.Add(1)), time.Now())
				if _, err := db.Record(context.Background(), a); err != nil {
					panic(err)
				}
				n.Add(1)
				if w == 0 && i == 0 {
					m, _ := db.Member(context.Background(), a.Group, a.User)
					aj, _ := json.Marshal(a)
					mj, _ := json.Marshal(m)
					sj, _ := json.Marshal(bot.Score{User: a.User, Name: a.UserName, Points: 15})
					size = len(aj) + len(mj) + 6*len(sj)
				}
			}
		}(w)
	}
	wg.Wait()
	return int(n.Load()), size
}

// pagesWritten is how many pages the database has written since it was
// opened (bbolt's statistics): a commit writes every page it touched.
func pagesWritten(db *storage.DB) int64 {
	st := db.Bolt().Stats()
	return st.TxStats.GetWrite()
}

func benchAnswer(user string, post uint64, at time.Time) *bot.Answer {
	return &bot.Answer{Kind: bot.KindAnswer, Group: "discord:bench", Channel: "c", User: user, UserName: user,
		PostID: post, CardID: "postgres-mvcc", Category: "postgres", Option: 1, Correct: true, Points: 15, At: at,
		Day: bot.Day(at, time.UTC), Periods: bot.Periods(at, time.UTC)}
}

// newMemberAnswer is the nth answer of measurement 1: from a new member
// whose id, like a Discord snowflake, is an 18-digit number that lands
// anywhere among the ids before it; in category n mod 5; wrong for one n in
// three, else worth 15 or 20 points.
func newMemberAnswer(n uint64, at time.Time) *bot.Answer {
	id := fmt.Sprint(100_000_000_000_000_000 + mix(n)%900_000_000_000_000_000)
	a := benchAnswer(id, n, at)
	a.Category = categories[n%uint64(len(categories))]
	a.Correct = n%3 != 0
	a.Points = 0
	if a.Correct {
		a.Points = 10 + 5*int(n%3)
	}
	return a
}

// mix is splitmix64's finalizer: a bijection that spreads consecutive
// numbers over the whole range.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// bareFor commits payloads of size bytes from the same number of workers
// for d, with bbolt's Batch (batch true) or one Update each.
func bareFor(path string, size int, batch bool, d time.Duration) (int, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("b")); return err })
	payload := make([]byte, size)
	var n atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < recordWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				k := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(nil, uint32(w)), uint64(i))
				put := func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(k, payload) }
				var err error
				if batch {
					err = db.Batch(put)
				} else {
					err = db.Update(put)
				}
				if err != nil {
					panic(err)
				}
				n.Add(1)
			}
		}(w)
	}
	wg.Wait()
	return int(n.Load()), nil
}

// benchRecord is measurement 1: durable answers against bare bbolt.
func benchRecord(dir string, _ map[int]float64) ([]row, float64, error) {
	const d = 4 * time.Second
	db, err := storage.Open(filepath.Join(dir, "record.db"), storage.Options{})
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	progress("recording answers from %d members at once for %v", recordWorkers, d)
	pages := pagesWritten(db)
	n, size := recordFor(db, d)
	pages = pagesWritten(db) - pages
	ours := rate(n, d)
	progress("bare bbolt Batch of %d bytes, then one Update per answer", size)
	nb, err := bareFor(filepath.Join(dir, "batch.db"), size, true, d)
	if err != nil {
		return nil, 0, err
	}
	nu, err := bareFor(filepath.Join(dir, "update.db"), size, false, d)
	if err != nil {
		return nil, 0, err
	}
	batch, update := rate(nb, d), rate(nu, d)
	return []row{
		{1, "durable answers/s vs bare Batch", fmt.Sprintf("%.0f/s", ours), fmt.Sprintf("%.0f/s", batch), ratio(ours, batch), ">= 0.6x", ours >= 0.6*batch},
		{1, "durable answers/s vs one Update each", fmt.Sprintf("%.0f/s", ours), fmt.Sprintf("%.0f/s", update), ratio(ours, update), "-", true}, // no goal: on these machines an fsync is cheap and the writer is CPU-bound
		{1, "pages written per durable answer (bbolt's count)", fmt.Sprintf("%.1f", float64(pages)/float64(max(n, 1))), "", "", "-", true},
	}, ours, nil
}
