package storage

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/prepbot/prepbot/bot"
)

// migrations[v] upgrades a database from schema v to v+1 inside one
// transaction, for v < 6; schema 6 to 7 is migrateTo7, and 7 to 8
// migrateTo8.
var migrations = map[int]func(tx *bolt.Tx) error{
	// Schema 2 added a leaderboards index; schema 7 builds its successor from the
	// scores.
	1: func(tx *bolt.Tx) error { return nil },
	// Schema 3 added the deliveries bucket, which the loop in migrate
	// creates.
	2: func(tx *bolt.Tx) error { return nil },
	// Schema 4 added the reviews bucket (spaced-repetition state); answers
	// recorded before start it afresh.
	3: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bOldReviews)
		return err
	},
	// Schema 5 added the rounds bucket (group study rounds in progress).
	4: func(tx *bolt.Tx) error { return nil },
	// Schema 6 added the activity bucket (answers per member and day),
	// built from the answers already recorded.
	5: func(tx *bolt.Tx) error {
		act, err := tx.CreateBucketIfNotExists(bOldActivity)
		if err != nil {
			return err
		}
		return tx.Bucket(bAnswers).ForEach(func(k, v []byte) error {
			var a bot.Answer
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("answer %x: %w", k, err)
			}
			if a.Kind != bot.KindAnswer || a.Day == "" {
				return nil
			}
			ak := key(a.Group, a.User, a.Day)
			n := uint32(0)
			if v := act.Get(ak); len(v) == 4 {
				n = binary.BigEndian.Uint32(v)
			}
			return act.Put(ak, binary.BigEndian.AppendUint32(nil, n+1))
		})
	},
}

// schemaOf reads the schema version a file's meta bucket records.
func (d *DB) schemaOf(meta *bolt.Bucket) (int, error) {
	v, err := strconv.Atoi(string(meta.Get(keySchema)))
	switch {
	case err != nil || v < 0:
		return 0, damaged(d.path, fmt.Sprintf("its schema version %q is not one prepbot ever wrote", meta.Get(keySchema)))
	case v > SchemaVersion:
		return 0, fmt.Errorf("%s was written by a newer prepbot (schema %d, this one reads %d): upgrade prepbot", d.path, v, SchemaVersion)
	}
	return v, nil
}

// checkSchema is migrate for a file opened read-only: it checks that the
// file is a prepbot database this prepbot can read, and notes an older
// schema (d.older), which Backup copies as it is and Export refuses.
func (d *DB) checkSchema() error {
	return d.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if meta == nil {
			return fmt.Errorf("%s is not a prepbot database: give another --db", d.path)
		}
		v, err := d.schemaOf(meta)
		if err == nil && v < SchemaVersion {
			d.older = fmt.Sprintf("%s was written by an older prepbot (schema %d; this one reads %d) and was opened read-only, so it was not migrated: take a backup, then open it once with prepbot console or serve to migrate it", d.path, v, SchemaVersion)
		}
		return err
	})
}

func (d *DB) migrate(progress func(string, ...any)) error {
	if progress == nil {
		progress = func(string, ...any) {}
	}
	v := 0
	err := d.update(context.Background(), func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if meta == nil { // a new file
			if tx.Bucket(bAnswers) != nil {
				return fmt.Errorf("%s is a bbolt file but not a prepbot database: give another --db", d.path)
			}
			if !isEmpty(tx) {
				return fmt.Errorf("%s is a bbolt database of another program: give another --db", d.path)
			}
			for _, b := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			v = SchemaVersion
			return tx.Bucket(bMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
		}
		var err error
		if v, err = d.schemaOf(meta); err != nil {
			return err
		}
		for ; v < 6; v++ {
			for _, b := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrating %s from schema %d: %w", d.path, v, err)
			}
			if err := meta.Put(keySchema, []byte(strconv.Itoa(v+1))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || v == SchemaVersion {
		return err
	}
	if v == 6 {
		if err := d.migrateTo7(progress); err != nil {
			return fmt.Errorf("migrating %s from schema 6: %w", d.path, err)
		}
	}
	if v <= 7 {
		if err := d.migrateTo8(progress); err != nil {
			return fmt.Errorf("migrating %s from schema 7: %w", d.path, err)
		}
	}
	if v <= 8 {
		if err := d.migrateTo9(progress); err != nil {
			return fmt.Errorf("migrating %s from schema 8: %w", d.path, err)
		}
	}
	if err := d.migrateTo10(progress); err != nil {
		return fmt.Errorf("migrating %s from schema 9: %w", d.path, err)
	}
	return nil
}

// migrateTo9 counts the days studied of every score (Score.Days and
// LastDay, which schema 9 added for the days board) from the answers, by
// the rule Score.Apply applies to new ones: the answers are read in the
// order they were recorded, and a day counts when it comes after the
// score's last counted day. It writes the scores (and their copies in the
// leaderboards index) migrateChunk a transaction, and sets schema 9 in the
// last one: a migration cut short leaves scores whose days are counted
// again, whole, by the next start.
func (d *DB) migrateTo9(progress func(string, ...any)) error {
	start := time.Now()
	progress("migrating the database to schema 9 (days studied, for the days board); this runs once")
	type days struct {
		n    int
		last string
	}
	counted := map[string]*days{} // score key in member_data -> its days
	err := d.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bAnswers).ForEach(func(k, v []byte) error {
			var a bot.Answer
			if err := decode(k, v, &a); err != nil {
				return err
			}
			cats := []string{""}
			if a.Category != "" {
				cats = append(cats, a.Category)
			}
			for _, period := range a.Periods {
				for _, cat := range cats {
					sk := string(key(a.Group, a.User, tagScore, period, cat))
					c := counted[sk]
					if c == nil {
						c = &days{}
						counted[sk] = c
					}
					if a.Day > c.last {
						c.n++
						c.last = a.Day
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(counted))
	for k := range counted {
		keys = append(keys, k)
	}
	slices.Sort(keys) // key order: bbolt writes in order fast
	written := 0
	for len(keys) > 0 || written == 0 {
		chunk := keys[:min(migrateChunk, len(keys))]
		keys = keys[len(chunk):]
		last := len(keys) == 0
		err := d.update(context.Background(), func(tx *bolt.Tx) error {
			data, ranks := tx.Bucket(bMemberData), tx.Bucket(bLeaderboards)
			for _, sk := range chunk {
				var s bot.Score
				found, err := get(data, []byte(sk), &s)
				if err != nil || !found {
					continue // a damaged or missing score: left as it is
				}
				s.Days, s.LastDay = counted[sk].n, counted[sk].last
				if err := put(data, []byte(sk), s); err != nil {
					return err
				}
				// group 0 user 0 s 0 period 0 category -> the index entry
				parts := strings.Split(sk, "\x00")
				if len(parts) == 5 {
					if err := put(ranks, rankKey(key(parts[0], parts[3], parts[4], ""), s), s); err != nil {
						return err
					}
				}
			}
			if last {
				return tx.Bucket(bMeta).Put(keySchema, []byte("9"))
			}
			return nil
		})
		if err != nil {
			return err
		}
		written += len(chunk)
		progress("schema 9: days counted for %d scores (%v)", written, time.Since(start).Round(time.Millisecond))
		if failMigrationAfter > 0 && !last { // only in tests
			if failMigrationAfter--; failMigrationAfter == 0 {
				return errors.New("stopped for a test")
			}
		}
		if last {
			break
		}
	}
	progress("migrated to schema 9: days counted for %d scores in %v", written, time.Since(start).Round(time.Millisecond))
	return nil
}

// migrateChunk is how many records one transaction of migrateTo7 or
// migrateTo8 writes (a variable for tests, which make it small).
var migrateChunk = 100_000

// failMigrationAfter, when above zero, makes migrateTo7 or migrateTo8 fail
// after that many transactions of member records: for the tests of a
// migration cut short.
var failMigrationAfter int

// migrateTo8 copies each member record from the members bucket to the
// member's prefix in member_data (group 0 user 0 m), where an answer's
// other writes are: one page fewer to write per answer. It copies in key
// order, migrateChunk records a transaction. The members bucket stays until
// the last transaction, which drops it and sets schema 8: a migration cut
// short leaves a working schema-7 database (which ignores the copies), and
// the next start copies everything again.
func (d *DB) migrateTo8(progress func(string, ...any)) error {
	start := time.Now()
	progress("migrating the database to schema 8 (member records beside the rest of a member's data); this runs once")
	var from []byte // where the next transaction goes on from; nil at first
	moved, done := 0, false
	for !done {
		err := d.update(context.Background(), func(tx *bolt.Tx) error {
			old, data := tx.Bucket(bOldMembers), tx.Bucket(bMemberData)
			if old == nil {
				done = true
				return nil
			}
			c := old.Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for n := 0; k != nil; k, v = c.Next() {
				if n == migrateChunk {
					from = bytes.Clone(k)
					return nil
				}
				mk := append(append(bytes.Clone(k), 0), tagMember...)
				if err := data.Put(mk, bytes.Clone(v)); err != nil {
					return err
				}
				n++
				moved++
			}
			done = true
			return nil
		})
		if err != nil {
			return err
		}
		progress("schema 8: %d member records moved (%v)", moved, time.Since(start).Round(time.Millisecond))
		if failMigrationAfter > 0 && !done { // only in tests
			if failMigrationAfter--; failMigrationAfter == 0 {
				return errors.New("stopped for a test")
			}
		}
	}
	err := d.update(context.Background(), func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bOldMembers); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		return tx.Bucket(bMeta).Put(keySchema, []byte("8"))
	})
	if err != nil {
		return err
	}
	progress("migrated to schema 8: %d member records in %v", moved, time.Since(start).Round(time.Millisecond))
	return nil
}

// migrateTo7 moves a schema-6 database's scores, reviews and activity under
// each member's prefix in member_data and builds the leaderboards index
// (which holds the scores) from the scores.
//
// The database can be large, so this takes several transactions, and each
// writes its records in key order: one transaction inserting millions of
// records at random places is quadratic in bbolt. The old buckets are left
// as they are until the last transaction, which drops them and sets schema
// 7: a migration cut short leaves a working schema-6 database, and the next
// start begins again.
func (d *DB) migrateTo7(progress func(string, ...any)) error {
	start := time.Now()
	progress("migrating the database to schema 7 (a member's records side by side); this runs once")
	err := d.update(context.Background(), func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMemberData, bLeaderboards} { // what an earlier attempt left
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
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
	ranked, err := d.buildLeaderboards()
	if err != nil {
		return err
	}
	progress("schema 7: %d leaderboard entries in %v", ranked, time.Since(start).Round(time.Millisecond))
	moved, err := d.buildMemberData(func(n int) {
		progress("schema 7: %d member records moved (%v)", n, time.Since(start).Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	err = d.update(context.Background(), func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bOldScores, bOldReviews, bOldActivity, bOldRanks} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, []byte("7"))
	})
	if err != nil {
		return err
	}
	progress("migrated to schema 7: %d leaderboard entries, %d member records, in %v", ranked, moved, time.Since(start).Round(time.Millisecond))
	return nil
}

// buildLeaderboards fills the leaderboards index from the old scores, one
// group, period and category at a time: their scores are read, put in rank
// order and appended.
func (d *DB) buildLeaderboards() (int, error) {
	total := 0
	var after []byte // the last prefix done
	for done := false; !done; {
		err := d.update(context.Background(), func(tx *bolt.Tx) error {
			old := tx.Bucket(bOldScores)
			if old == nil {
				done = true
				return nil
			}
			lb := tx.Bucket(bLeaderboards)
			lb.FillPercent = 0.9 // appended in order: fill the pages
			c := old.Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(append(slices.Clone(after), 0xff))
			}
			type entry struct{ rank, score []byte }
			for n := 0; k != nil && n < migrateChunk; {
				prefix := bytes.Clone(k[:bytes.LastIndexByte(k, 0)+1]) // group 0 period 0 category 0
				var entries []entry
				for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
					var s bot.Score
					if err := json.Unmarshal(v, &s); err != nil {
						return fmt.Errorf("score %q: %w", k, err)
					}
					entries = append(entries, entry{rankKey(prefix, s), bytes.Clone(v)})
				}
				slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.rank, b.rank) })
				for _, e := range entries {
					if err := lb.Put(e.rank, e.score); err != nil {
						return err
					}
				}
				n += len(entries)
				total += len(entries)
				after = prefix
			}
			done = k == nil
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// run is one sorted source of member_data records: a cursor over keys with
// a prefix, and how a key there becomes a member_data key.
type run struct {
	c      *bolt.Cursor
	prefix []byte
	to     func(k []byte) []byte
	k, v   []byte
	target []byte
}

func (r *run) next(k, v []byte) bool {
	if k == nil || !bytes.HasPrefix(k, r.prefix) {
		return false
	}
	r.k, r.v, r.target = k, v, r.to(k)
	return true
}

type runs []*run

func (h runs) Len() int           { return len(h) }
func (h runs) Less(i, j int) bool { return bytes.Compare(h[i].target, h[j].target) < 0 }
func (h runs) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runs) Push(x any)        { *h = append(*h, x.(*run)) }
func (h *runs) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// groupsOf lists the groups (the first key part) found in buckets.
func groupsOf(tx *bolt.Tx, names ...[]byte) [][]byte {
	var out [][]byte
	for _, name := range names {
		b := tx.Bucket(name)
		if b == nil {
			continue
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil; {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				k, _ = c.Next()
				continue
			}
			g := bytes.Clone(k[:i])
			out = append(out, g)
			k, _ = c.Seek(append(append(slices.Clone(g), 0), 0xff))
		}
	}
	slices.SortFunc(out, bytes.Compare)
	return slices.CompactFunc(out, bytes.Equal)
}

// memberRuns opens, for one group, a run over the old activity, one over
// the old reviews, and one per period and category over the old scores,
// each positioned at the first member >= from.
func memberRuns(tx *bolt.Tx, group, from []byte) *runs {
	h := &runs{}
	gp := append(slices.Clone(group), 0)
	add := func(b *bolt.Bucket, prefix []byte, to func([]byte) []byte) {
		r := &run{c: b.Cursor(), prefix: prefix, to: to}
		if r.next(r.c.Seek(append(slices.Clone(prefix), from...))) {
			*h = append(*h, r)
		}
	}
	// activity and reviews: group 0 user 0 rest -> group 0 user 0 tag 0 rest
	for _, src := range []struct {
		name []byte
		tag  string
	}{{bOldActivity, tagActivity}, {bOldReviews, tagReview}} {
		if b := tx.Bucket(src.name); b != nil {
			tag := src.tag
			add(b, gp, func(k []byte) []byte {
				rest := k[len(gp):]
				i := bytes.IndexByte(rest, 0)
				if i < 0 {
					return append(slices.Clone(k), 0, tag[0], 0)
				}
				return key(string(group), string(rest[:i]), tag, string(rest[i+1:]))
			})
		}
	}
	// scores: group 0 period 0 category 0 user -> group 0 user 0 s 0 period 0 category
	if b := tx.Bucket(bOldScores); b != nil {
		c := b.Cursor()
		for k, _ := c.Seek(gp); k != nil && bytes.HasPrefix(k, gp); {
			prefix := bytes.Clone(k[:bytes.LastIndexByte(k, 0)+1])
			pc := bytes.Split(prefix[len(gp):len(prefix)-1], []byte{0}) // period, category
			if len(pc) == 2 {
				period, cat := string(pc[0]), string(pc[1])
				add(b, prefix, func(k []byte) []byte {
					return key(string(group), string(k[len(prefix):]), tagScore, period, cat)
				})
			}
			k, _ = c.Seek(append(slices.Clone(prefix), 0xff))
		}
	}
	heap.Init(h)
	return h
}

// memberOf is the member part of a member_data key.
func memberOf(target []byte) []byte {
	i := bytes.IndexByte(target, 0)
	j := bytes.IndexByte(target[i+1:], 0)
	return target[i+1 : i+1+j]
}

// buildMemberData merges the old activity, reviews and scores of each group
// into member_data order and appends them, a member at a time.
func (d *DB) buildMemberData(progress func(int)) (int, error) {
	var groups [][]byte
	d.db.View(func(tx *bolt.Tx) error {
		groups = groupsOf(tx, bOldScores, bOldReviews, bOldActivity)
		return nil
	})
	total := 0
	gi := 0
	var from []byte // the member to go on from in groups[gi]
	for gi < len(groups) {
		err := d.update(context.Background(), func(tx *bolt.Tx) error {
			data := tx.Bucket(bMemberData)
			data.FillPercent = 0.9 // appended in order: fill the pages
			n := 0
			for gi < len(groups) {
				h := memberRuns(tx, groups[gi], from)
				var last []byte
				for h.Len() > 0 {
					r := (*h)[0]
					if n >= migrateChunk && !bytes.Equal(memberOf(r.target), last) {
						from = bytes.Clone(memberOf(r.target)) // go on from here next time
						return nil
					}
					if err := data.Put(r.target, bytes.Clone(r.v)); err != nil {
						return err
					}
					last = memberOf(r.target)
					n++
					total++
					if r.next(r.c.Next()) {
						heap.Fix(h, 0)
					} else {
						heap.Pop(h)
					}
				}
				gi++
				from = nil
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		progress(total)
		if failMigrationAfter > 0 { // only in tests
			if failMigrationAfter--; failMigrationAfter == 0 {
				return total, errors.New("stopped for a test")
			}
		}
	}
	return total, nil
}

func isEmpty(tx *bolt.Tx) bool {
	empty := true
	tx.ForEach(func(name []byte, _ *bolt.Bucket) error { empty = false; return nil })
	return empty
}
