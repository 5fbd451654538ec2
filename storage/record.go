package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// Replay records many answers as Record does, perTx to a transaction: for
// loading a large history (restoring an export, building a benchmark's
// data set). Answers already recorded are skipped.
func (d *DB) Replay(answers []*bot.Answer, perTx int) error {
	for len(answers) > 0 {
		n := min(perTx, len(answers))
		chunk := answers[:n]
		answers = answers[n:]
		err := d.update(context.Background(), func(tx *bolt.Tx) error {
			for _, a := range chunk {
				if _, _, err := d.record(tx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// record stores an answer, the member's update and the member's scores in
// tx, applying d.rules, and reports a duplicate without changing anything.
// Apart from the answer itself (appended) and the leaderboards index,
// everything it writes lies under the member's prefix in member_data: one
// or two pages.
func (d *DB) record(tx *bolt.Tx, a *bot.Answer) (bot.Member, bool, error) {
	var m bot.Member
	data := tx.Bucket(bMemberData)
	ak := answerKey(a)
	mk := key(a.Group, a.User, tagMember)
	if data.Get(ak) != nil || answeredBefore7(tx, a) {
		_, err := get(data, mk, &m)
		return m, true, err
	}
	answers := tx.Bucket(bAnswers)
	// answers are appended in key order: fill each page before starting
	// the next (at bbolt's default half, every page would be half empty)
	answers.FillPercent = 1
	seq, err := answers.NextSequence()
	if err != nil {
		return m, false, err
	}
	rec := *a
	rec.Seq = seq
	if err := put(answers, u64(seq), rec); err != nil {
		return m, false, err
	}
	if err := data.Put(ak, u64(seq)); err != nil {
		return m, false, err
	}
	if _, err := get(data, mk, &m); err != nil {
		return m, false, err
	}
	d.rules.Member(&m, &rec)
	if err := put(data, mk, m); err != nil {
		return m, false, err
	}
	if d.rules.Activity(&rec) {
		if err := countActivity(data, &rec); err != nil {
			return m, false, err
		}
	}
	rk := key(a.Group, a.User, tagReview, a.CardID)
	r := bot.Review{Card: a.CardID, Category: a.Category}
	if _, err := get(data, rk, &r); err != nil {
		return m, false, err
	}
	d.rules.Review(&r, &rec)
	if err := put(data, rk, r); err != nil {
		return m, false, err
	}
	cats := []string{""} // overall, and the answer's category if it has one
	if rec.Category != "" {
		cats = append(cats, rec.Category)
	}
	for _, period := range rec.Periods {
		for _, cat := range cats {
			if err := d.applyScore(tx, a.Group, period, cat, &rec); err != nil {
				return m, false, err
			}
		}
	}
	a.Seq = seq
	return m, false, nil
}

// rankKey orders scores best first: most points, then best accuracy, then
// earliest to reach their points, then user id. prefix is group 0 period 0
// category 0.
func rankKey(prefix []byte, s bot.Score) []byte {
	k := make([]byte, 0, len(prefix)+20+len(s.User))
	k = append(k, prefix...)
	k = binary.BigEndian.AppendUint64(k, ^uint64(max(s.Points, 0)))
	k = binary.BigEndian.AppendUint32(k, ^uint32(math.Round(s.Accuracy()*1e6)))
	k = binary.BigEndian.AppendUint64(k, uint64(max(s.ReachedAt.UnixNano(), 0)))
	return append(k, s.User...)
}

// applyScore applies an answer to the member's score for a period and
// category (d.rules.Score), and moves the score to its new place in the
// leaderboards index (which holds a copy, so a leaderboard reads only the
// index), and in days_index and group_tallies (boardindex.go).
func (d *DB) applyScore(tx *bolt.Tx, group, period, cat string, a *bot.Answer) error {
	data, ranks := tx.Bucket(bMemberData), tx.Bucket(bLeaderboards)
	prefix := key(group, period, cat, "")
	sk := key(group, a.User, tagScore, period, cat)
	var s bot.Score
	found, err := get(data, sk, &s)
	if err != nil {
		return err
	}
	if found {
		if err := ranks.Delete(rankKey(prefix, s)); err != nil {
			return err
		}
	}
	old := s
	d.rules.Score(&s, a)
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := data.Put(sk, v); err != nil {
		return err
	}
	if err := ranks.Put(rankKey(prefix, s), v); err != nil {
		return err
	}
	return indexScore(tx, group, period, cat, old, found, s)
}

// answerKey is where an answer's key lies in member_data: one answer per
// kind, post and member.
func answerKey(a *bot.Answer) []byte {
	return key(a.Group, a.User, tagAnswerKey, string(a.Kind), string(u64(a.PostID)))
}

// answeredBefore7 reports whether an answer was recorded before schema 7,
// whose answer keys stay where they were.
func answeredBefore7(tx *bolt.Tx, a *bot.Answer) bool {
	old := tx.Bucket(bOldAnswerKeys)
	return old != nil && old.Get(key(string(a.Kind), string(u64(a.PostID)), a.User)) != nil
}

// countActivity adds an answer to its member's count for its day.
func countActivity(b *bolt.Bucket, a *bot.Answer) error {
	if a.Day == "" {
		return nil
	}
	k := key(a.Group, a.User, tagActivity, a.Day)
	n := uint32(0)
	if v := b.Get(k); len(v) == 4 {
		n = binary.BigEndian.Uint32(v)
	}
	return b.Put(k, binary.BigEndian.AppendUint32(nil, n+1))
}
