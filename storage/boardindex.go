package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
)

// Two indexes that keep the group page and the days board from reading
// every member's score (schema 10):
//
//   - days_index: group 0 period 0 category 0 daysKey -> days, in
//     bot.ByDays order (most days, most points, first to reach them, user
//     id). DaysBoard reads its first entries and their scores; Rank by days
//     counts the keys before the member's.
//   - group_tallies: group 0 period 0 category -> answered, correct (8
//     bytes each): the sums of the members' scores, which PeriodTallies
//     reads instead of summing every score.
//
// applyScore keeps both in the transaction that records an answer.
var (
	bDaysIndex    = []byte("days_index")
	bGroupTallies = []byte("group_tallies")
)

// errNoIndex is what the board indexes' readers and writers return when a
// bucket of schema 10 is missing: a damaged file (or one of an older
// schema opened read-only, which is not migrated), never a panic.
func errNoIndex(name []byte) error {
	return fmt.Errorf("the database has no %s bucket: it is damaged or was not migrated (open it once with prepbot console or serve, or restore it from a backup)", name)
}

// daysKey is a score's entry in days_index; prefix is group 0 period 0
// category 0. Its order is bot.ByDays.Compare's: most days, then most
// points, then earliest to reach them, then user id.
func daysKey(prefix []byte, s bot.Score) []byte {
	k := make([]byte, 0, len(prefix)+20+len(s.User))
	k = append(k, prefix...)
	k = binary.BigEndian.AppendUint32(k, ^uint32(max(s.Days, 0)))
	k = binary.BigEndian.AppendUint64(k, ^uint64(max(s.Points, 0)))
	k = binary.BigEndian.AppendUint64(k, uint64(max(s.ReachedAt.UnixNano(), 0)))
	return append(k, s.User...)
}

// daysKeyLen is the length of daysKey's fixed part after the prefix.
const daysKeyLen = 20

// indexScore moves a score from its old state (found: there was one) to
// its new one in days_index and group_tallies.
func indexScore(tx *bolt.Tx, group, period, cat string, old bot.Score, found bool, s bot.Score) error {
	prefix := key(group, period, cat, "")
	if ok, nk := found, daysKey(prefix, s); !ok || !bytes.Equal(daysKey(prefix, old), nk) {
		idx := tx.Bucket(bDaysIndex)
		if idx == nil {
			return errNoIndex(bDaysIndex)
		}
		if found {
			if err := idx.Delete(daysKey(prefix, old)); err != nil {
				return err
			}
		}
		if err := idx.Put(nk, binary.BigEndian.AppendUint32(nil, uint32(max(s.Days, 0)))); err != nil {
			return err
		}
	}
	da, dc := s.Answered-old.Answered, s.Correct-old.Correct
	if da == 0 && dc == 0 {
		return nil
	}
	b := tx.Bucket(bGroupTallies)
	if b == nil {
		return errNoIndex(bGroupTallies)
	}
	return addTally(b, key(group, period, cat), da, dc)
}

// addTally adds to the tally at k.
func addTally(b *bolt.Bucket, k []byte, answered, correct int) error {
	t, err := readTally(k, b.Get(k))
	if err != nil {
		return err
	}
	t.Answered += answered
	t.Correct += correct
	v := binary.BigEndian.AppendUint64(nil, uint64(t.Answered))
	return b.Put(k, binary.BigEndian.AppendUint64(v, uint64(t.Correct)))
}

func readTally(k, v []byte) (bot.Tally, error) {
	switch len(v) {
	case 0:
		return bot.Tally{}, nil
	case 16:
		return bot.Tally{Answered: int(int64(binary.BigEndian.Uint64(v))), Correct: int(int64(binary.BigEndian.Uint64(v[8:])))}, nil
	}
	return bot.Tally{}, fmt.Errorf("damaged record %q: a tally of %d bytes, not 16", k, len(v))
}

// daysLeaders reads the first limit entries of a board in days_index and
// the scores they stand for.
func daysLeaders(ctx context.Context, tx *bolt.Tx, group, period, cat string, limit int) ([]bot.Score, error) {
	prefix := key(group, period, cat, "")
	data := tx.Bucket(bMemberData)
	var out []bot.Score
	idx := tx.Bucket(bDaysIndex)
	if idx == nil {
		return nil, errNoIndex(bDaysIndex)
	}
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(k) <= len(prefix)+daysKeyLen {
			return nil, fmt.Errorf("damaged record %q in days_index", k)
		}
		user := string(k[len(prefix)+daysKeyLen:])
		var s bot.Score
		found, err := get(data, key(group, user, tagScore, period, cat), &s)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, s)
		}
	}
	return out, nil
}

// daysRank counts the entries of a board in days_index before s's (keys
// only).
func daysRank(ctx context.Context, tx *bolt.Tx, group, period, cat string, s bot.Score) (int, error) {
	prefix := key(group, period, cat, "")
	mine := daysKey(prefix, s)
	before := 0
	idx := tx.Bucket(bDaysIndex)
	if idx == nil {
		return 0, errNoIndex(bDaysIndex)
	}
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.Compare(k, mine) < 0; k, _ = c.Next() {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		before++
	}
	return before, nil
}

// migrateTo10 builds days_index and group_tallies from the scores in the
// leaderboards index, migrateChunk scores a transaction for the days index;
// the tallies, summed meanwhile, are written with schema 10 in the last
// transaction. A migration cut short leaves a working schema-9 database
// (which does not read the new buckets) and the next start builds both
// again from the start.
func (d *DB) migrateTo10(progress func(string, ...any)) error {
	start := time.Now()
	progress("migrating the database to schema 10 (indexes for the days board and the group page); this runs once")
	err := d.update(context.Background(), func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bDaysIndex, bGroupTallies} {
			if tx.Bucket(b) != nil {
				if err := tx.DeleteBucket(b); err != nil {
					return err
				}
			}
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	tallies := map[string]bot.Tally{}
	var from []byte // the first leaderboards key of the next chunk
	written := 0
	for {
		var next []byte
		err := d.update(context.Background(), func(tx *bolt.Tx) error {
			idx := tx.Bucket(bDaysIndex)
			c := tx.Bucket(bLeaderboards).Cursor()
			n := 0
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for ; k != nil; k, v = c.Next() {
				if n == migrateChunk {
					next = bytes.Clone(k)
					return nil
				}
				n++
				// group 0 period 0 category 0 rank (20 bytes) user
				parts := bytes.SplitN(k, []byte{0}, 4)
				if len(parts) != 4 {
					continue // not an index entry: left alone
				}
				var s bot.Score
				if err := decode(k, v, &s); err != nil {
					return err
				}
				prefix := key(string(parts[0]), string(parts[1]), string(parts[2]), "")
				if err := idx.Put(daysKey(prefix, s), binary.BigEndian.AppendUint32(nil, uint32(max(s.Days, 0)))); err != nil {
					return err
				}
				tk := string(key(string(parts[0]), string(parts[1]), string(parts[2])))
				t := tallies[tk]
				t.Answered += s.Answered
				t.Correct += s.Correct
				tallies[tk] = t
			}
			written += n
			return nil
		})
		if err != nil {
			return err
		}
		if next == nil {
			break
		}
		written += migrateChunk
		from = next
		progress("schema 10: %d scores indexed (%v)", written, time.Since(start).Round(time.Millisecond))
		if failMigrationAfter > 0 { // only in tests
			if failMigrationAfter--; failMigrationAfter == 0 {
				return errors.New("stopped for a test")
			}
		}
	}
	keys := make([]string, 0, len(tallies))
	for k := range tallies {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	err = d.update(context.Background(), func(tx *bolt.Tx) error {
		b := tx.Bucket(bGroupTallies)
		for _, k := range keys {
			if err := addTally(b, []byte(k), tallies[k].Answered, tallies[k].Correct); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, []byte("10"))
	})
	if err != nil {
		return err
	}
	progress("migrated to schema 10: %d scores indexed in %v", written, time.Since(start).Round(time.Millisecond))
	return nil
}
