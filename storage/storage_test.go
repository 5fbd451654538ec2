package storage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage"
)

var ctx = context.Background()

func answer(user string, post uint64, points int, correct bool, at time.Time) *bot.Answer {
	return &bot.Answer{Kind: bot.KindAnswer, Group: "g", Channel: "#c", User: user, UserName: user, PostID: post,
		CardID: "postgres-mvcc", Category: "postgres", Correct: correct, Points: points, At: at,
		Day: at.Format("2006-01-02"), Periods: bot.Periods(at, time.UTC)}
}

func TestRecordReopenAndExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	db := bottest.OpenDBAt(t, path)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	p := &bot.Post{Group: "g", Channel: "#c", CardID: "postgres-mvcc", At: now}
	if err := db.CreatePost(ctx, p); err != nil || p.ID != 1 {
		t.Fatalf("post: %v %d", err, p.ID)
	}
	m, err := db.Record(ctx, answer("ann", p.ID, 15, true, now))
	if err != nil || m.Points != 15 || m.Streak != 1 {
		t.Fatalf("record: %v %+v", err, m)
	}
	if _, err := db.Record(ctx, answer("ann", p.ID, 15, true, now)); err != bot.ErrAlreadyAnswered {
		t.Fatalf("second record: %v", err)
	}
	bottest.CloseAndCheck(t, db)

	db = bottest.OpenDBAt(t, path)
	m, err = db.Member(ctx, "g", "ann")
	if err != nil || m.Points != 15 || m.Answered != 1 || m.Categories["postgres"].Correct != 1 {
		t.Fatalf("after reopening: %v %+v", err, m)
	}
	top, err := db.Leaderboard(ctx, "g", bot.PeriodAll, "postgres", 10)
	if err != nil || len(top) != 1 || top[0].User != "ann" {
		t.Fatalf("leaderboard after reopening: %v %+v", err, top)
	}
	var out bytes.Buffer
	if err := db.Export(&out); err != nil {
		t.Fatal(err)
	}
	var dump struct {
		Format  int          `json:"format"`
		Answers []bot.Answer `json:"answers"`
		Posts   []bot.Post   `json:"posts"`
		Members []bot.Member `json:"members"`
		Scores  []struct {
			Period string `json:"period"`
			User   string `json:"user"`
			Points int    `json:"points"`
		} `json:"scores"`
	}
	if err := json.Unmarshal(out.Bytes(), &dump); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out.String())
	}
	a := dump.Answers
	if dump.Format != 1 || len(a) != 1 || a[0].Seq != 1 || a[0].User != "ann" || a[0].CardID != "postgres-mvcc" ||
		a[0].PostID != 1 || a[0].Points != 15 || !a[0].At.Equal(now) || len(dump.Posts) != 1 || dump.Posts[0].ID != 1 ||
		len(dump.Members) != 1 || len(dump.Scores) != 6 || dump.Scores[0].Period != bot.PeriodAll || dump.Scores[0].Points != 15 {
		t.Fatalf("export = %s", out.String())
	}
}

func TestLeaderboardOrderAndLimit(t *testing.T) {
	db := bottest.OpenDB(t)
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	// u0..u29: points 10*(i%5), all correct, reached in order of i
	for i := 0; i < 30; i++ {
		u := "u" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		pts := 10 * (i % 5)
		if _, err := db.Record(ctx, answer(u, uint64(i+1), pts, pts > 0, base.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	top, err := db.Leaderboard(ctx, "g", bot.PeriodAll, "", 10)
	if err != nil || len(top) != 10 {
		t.Fatalf("%v %d", err, len(top))
	}
	for i := 1; i < len(top); i++ {
		a, b := top[i-1], top[i]
		if a.Points < b.Points || a.Points == b.Points && a.ReachedAt.After(b.ReachedAt) {
			t.Fatalf("out of order at %d: %+v before %+v", i, a, b)
		}
	}
	if top[0].Points != 40 || top[0].User != "uea" { // i=4 is the first to reach 40
		t.Fatalf("leader = %+v", top[0])
	}
	// a score that changes moves in the index, and the old rank is removed
	if _, err := db.Record(ctx, answer("uaa", 999, 100, true, base.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	top, _ = db.Leaderboard(ctx, "g", bot.PeriodAll, "", 100)
	if top[0].User != "uaa" || top[0].Points != 100 || len(top) != 30 {
		t.Fatalf("after a new score: %d entries, leader %+v", len(top), top[0])
	}
}

// Members without points tie on points and accuracy; the first to answer
// ranks first, as for any tie ("who got there first"), whatever their ids.
// It also keeps a new member's entry at the end of its tie in the index,
// next to the previous new member's, rather than at a place its id picks.
func TestLeaderboardZeroPointsTieGoesToFirstAnswer(t *testing.T) {
	db := bottest.OpenDB(t)
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i, u := range []string{"zed", "amy", "max"} {
		if _, err := db.Record(ctx, answer(u, uint64(i+1), 0, false, base.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	// a second wrong answer leaves zed where it was
	if _, err := db.Record(ctx, answer("zed", 9, 0, false, base.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	top, err := db.Leaderboard(ctx, "g", bot.PeriodAll, "", 10)
	var got []string
	for _, s := range top {
		got = append(got, s.User)
	}
	if err != nil || strings.Join(got, ",") != "zed,amy,max" || !top[0].ReachedAt.Equal(base) {
		t.Fatalf("zero-point order = %v (%v), zed reached at %v", got, err, top[0].ReachedAt)
	}
}

// Answers are appended in key order, so their pages are filled before the
// next is started: at bbolt's default of half, the bucket would take twice
// the pages, and a commit would write twice as many of them.
func TestAnswerPagesAreFull(t *testing.T) {
	db := bottest.OpenDB(t)
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var all []*bot.Answer
	for i := range 3000 {
		all = append(all, answer(fmt.Sprint("u", i%50), uint64(i+1), 10, true, base.Add(time.Duration(i)*time.Second)))
	}
	if err := db.Replay(all, 40); err != nil {
		t.Fatal(err)
	}
	db.Bolt().View(func(tx *bolt.Tx) error {
		st := tx.Bucket([]byte("answers")).Stats()
		fill := float64(st.LeafInuse) / float64(st.LeafPageN*db.Bolt().Info().PageSize)
		if st.KeyN != 3000 || fill < 0.85 {
			t.Errorf("%d answers in %d leaf pages, %.0f%% full", st.KeyN, st.LeafPageN, 100*fill)
		}
		return nil
	})
}

func TestSecondProcessFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	bottest.OpenDBAt(t, path)
	start := time.Now()
	_, err := storage.Open(path, storage.Options{Timeout: 100 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "is in use by another prepbot process") {
		t.Fatalf("second open: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %v to give up", time.Since(start))
	}
}

func TestNotADatabase(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "notes.txt")
	os.WriteFile(junk, bytes.Repeat([]byte("not a database\n"), 1000), 0o600)
	if _, err := storage.Open(junk, storage.Options{}); err == nil || !strings.Contains(err.Error(), "is not a prepbot database or is damaged") {
		t.Fatalf("junk file: %v", err)
	}
	foreign := filepath.Join(dir, "other.db")
	bdb, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	bdb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	bdb.Close()
	if _, err := storage.Open(foreign, storage.Options{}); err == nil || !strings.Contains(err.Error(), "bbolt database of another program") {
		t.Fatalf("foreign bbolt file: %v", err)
	}
	newer := filepath.Join(dir, "newer.db")
	bdb, _ = bolt.Open(newer, 0o600, nil)
	bdb.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket([]byte("meta"))
		return b.Put([]byte("schema"), []byte("99"))
	})
	bdb.Close()
	if _, err := storage.Open(newer, storage.Options{}); err == nil || !strings.Contains(err.Error(), "written by a newer prepbot (schema 99") {
		t.Fatalf("newer schema: %v", err)
	}
}

// A database of schema 1 (scores but no ranks index) is migrated on open,
// and its leaderboards work.
func TestMigrateFromSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "groups", "posts", "bags", "answers", "answer_keys", "members", "scores", "schedules"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("1"))
		for i, s := range []bot.Score{
			{User: "low", Name: "low", Points: 5, Tally: bot.Tally{Answered: 1, Correct: 1}, ReachedAt: at},
			{User: "high", Name: "high", Points: 30, Tally: bot.Tally{Answered: 2, Correct: 2}, ReachedAt: at.Add(time.Duration(1) * time.Hour)},
		} {
			data, _ := json.Marshal(s)
			k := []byte("g\x00all\x00\x00" + s.User)
			if err := tx.Bucket([]byte("scores")).Put(k, data); err != nil {
				return err
			}
			_ = i
		}
		return nil
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := bottest.OpenDBAt(t, path)
	top, err := db.Leaderboard(ctx, "g", bot.PeriodAll, "", 10)
	if err != nil || len(top) != 2 || top[0].User != "high" || top[1].User != "low" {
		t.Fatalf("after migration: %v %+v", err, top)
	}
	// and new answers keep the index right
	if _, err := db.Record(ctx, answer("low", 7, 40, true, at.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	top, _ = db.Leaderboard(ctx, "g", bot.PeriodAll, "", 10)
	if len(top) != 2 || top[0].User != "low" || top[0].Points != 45 {
		t.Fatalf("after a new answer: %+v", top)
	}
	bottest.CloseAndCheck(t, db)
	raw, _ := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	defer raw.Close()
	raw.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket([]byte("meta")).Get([]byte("schema"))); v != strconv.Itoa(storage.SchemaVersion) {
			t.Errorf("schema after migration = %s", v)
		}
		return nil
	})
}

func TestBackupWhileOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db := bottest.OpenDBAt(t, path)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if _, err := db.Record(ctx, answer("ann", 1, 10, true, now)); err != nil {
		t.Fatal(err)
	}
	// in the same process
	copy1 := filepath.Join(dir, "copy1.db")
	if _, err := storage.BackupFile(copy1, db.Backup); err != nil {
		t.Fatal(err)
	}
	// from another process, through the socket, while the file is locked
	l, err := net.Listen("unix", storage.SocketPath(path))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go db.ServeBackup(l)
	copy2 := filepath.Join(dir, "copy2.db")
	if _, err := storage.BackupFile(copy2, func(w io.Writer) (int64, error) { return storage.RemoteBackup(path, w) }); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{copy1, copy2} {
		b := bottest.OpenDBAt(t, c)
		m, err := b.Member(ctx, "g", "ann")
		if err != nil || m.Points != 10 {
			t.Fatalf("%s: %v %+v", c, err, m)
		}
	}
}

func TestDeliveriesSurviveRestartAndArePurged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	db := bottest.OpenDBAt(t, path)
	day := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if first, err := db.FirstDelivery(ctx, "discord:1", day); !first || err != nil {
		t.Fatalf("first: %v %v", first, err)
	}
	if first, _ := db.FirstDelivery(ctx, "discord:1", day); first {
		t.Fatal("the same id twice")
	}
	bottest.CloseAndCheck(t, db)
	db = bottest.OpenDBAt(t, path)
	if first, _ := db.FirstDelivery(ctx, "discord:1", day.Add(time.Hour)); first {
		t.Fatal("a redelivery after a restart is not new")
	}
	db.FirstDelivery(ctx, "slack:2", day.Add(47*time.Hour))
	n, err := db.PurgeDeliveries(ctx, day.Add(48*time.Hour).Add(-48*time.Hour+time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if first, _ := db.FirstDelivery(ctx, "slack:2", day); first {
		t.Fatal("a recent id was purged")
	}
}

func TestReplayMatchesRecord(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	list := func() []*bot.Answer {
		return []*bot.Answer{answer("ann", 1, 15, true, now), answer("ben", 1, 0, false, now), answer("ann", 2, 10, true, now.Add(time.Hour)), answer("ann", 1, 15, true, now)}
	}
	recorded, replayed := bottest.OpenDB(t), bottest.OpenDB(t)
	for _, a := range list() {
		recorded.Record(ctx, a)
	}
	if err := replayed.Replay(list(), 2); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*storage.DB{recorded, replayed} {
		m, _ := db.Member(ctx, "g", "ann")
		top, _ := db.Leaderboard(ctx, "g", bot.PeriodAll, "", 10)
		if m.Answered != 2 || m.Points != 25 || len(top) != 2 || top[0].User != "ann" {
			t.Fatalf("member %+v, top %+v", m, top)
		}
	}
}

// Answers recorded at the same time share commits, a duplicate in the same
// commit is still refused, one damaged record fails only its own answer,
// and nothing is recorded after Close.
func TestConcurrentAnswersShareCommits(t *testing.T) {
	db := bottest.OpenDB(t)
	var commits atomic.Int64
	db.OnCommit(func(time.Duration) { commits.Add(1) })
	if err := db.Bolt().Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("member_data")).Put([]byte("g\x00bad\x00m"), []byte("{damaged"))
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	const members, each = 64, 20
	var ok, dups atomic.Int64
	var wg sync.WaitGroup
	for w := range members {
		for copy := range 2 { // every answer sent twice, at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					_, err := db.Record(ctx, answer(fmt.Sprint("m", w), uint64(i+1), 10, true, now))
					switch err {
					case nil:
						ok.Add(1)
					case bot.ErrAlreadyAnswered:
						dups.Add(1)
					default:
						t.Errorf("member %d copy %d answer %d: %v", w, copy, i, err)
					}
				}
			}()
		}
	}
	wg.Add(1)
	var badErr error
	go func() {
		defer wg.Done()
		_, badErr = db.Record(ctx, answer("bad", 1, 10, true, now))
	}()
	wg.Wait()
	if ok.Load() != members*each || dups.Load() != members*each {
		t.Fatalf("recorded %d and refused %d duplicates, want %d of each", ok.Load(), dups.Load(), members*each)
	}
	if badErr == nil || !strings.Contains(badErr.Error(), "damaged") {
		t.Fatalf("the answer of a member with a damaged record: %v", badErr)
	}
	if n := commits.Load(); n > members*each/2 {
		t.Fatalf("%d answers took %d commits: answers waiting together should share one", 2*members*each, n)
	}
	top, err := db.Leaderboard(ctx, "g", bot.PeriodAll, "", members+1)
	if err != nil || len(top) != members {
		t.Fatalf("leaderboard: %v, %d members", err, len(top))
	}
	for _, s := range top {
		if s.Points != 10*each || s.Answered != each {
			t.Fatalf("score %+v: want %d points from %d answers", s, 10*each, each)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Record(ctx, answer("late", 99, 10, true, now)); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("record after close: %v", err)
	}
}

// A database of schema 6 (scores, reviews and activity in buckets of their
// own, ranks without values) is migrated on open: nothing is lost,
// duplicates of answers recorded before are still refused, and the old
// buckets are gone.
func TestMigrateFromSchema6(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v6.db")
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a := answer("ann", 7, 15, true, at)
	a.Seq = 1
	score := bot.Score{User: "ann", Name: "ann", Points: 15, Tally: bot.Tally{Answered: 1, Correct: 1}, ReachedAt: at}
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "groups", "posts", "bags", "answers", "answer_keys", "members", "scores", "ranks", "schedules", "deliveries", "reviews", "rounds", "activity"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		put := func(bucket, k string, v any) {
			data, ok := v.([]byte)
			if !ok {
				data, _ = json.Marshal(v)
			}
			if err == nil {
				err = tx.Bucket([]byte(bucket)).Put([]byte(k), data)
			}
		}
		seq := "\x00\x00\x00\x00\x00\x00\x00\x01"
		put("meta", "schema", []byte("6"))
		put("answers", seq, a)
		put("answer_keys", "answer\x00\x00\x00\x00\x00\x00\x00\x00\x07\x00ann", []byte(seq))
		put("members", "g\x00ann", bot.Member{Group: "g", User: "ann", Name: "ann", Points: 15, Tally: bot.Tally{Answered: 1, Correct: 1}, Streak: 1})
		for _, period := range a.Periods {
			for _, cat := range []string{"", "postgres"} {
				put("scores", "g\x00"+period+"\x00"+cat+"\x00ann", score)
				put("ranks", "g\x00"+period+"\x00"+cat+"\x00rank-bytes-of-ann", []byte{})
			}
		}
		put("reviews", "g\x00ann\x00postgres-mvcc", bot.Review{Card: "postgres-mvcc", Category: "postgres", Reps: 1})
		put("activity", "g\x00ann\x00"+a.Day, []byte{0, 0, 0, 1})
		return err
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := bottest.OpenDBAt(t, path)
	for _, period := range a.Periods {
		for _, cat := range []string{"", "postgres"} {
			top, err := db.Leaderboard(ctx, "g", period, cat, 10)
			if err != nil || len(top) != 1 || top[0].User != "ann" || top[0].Points != 15 {
				t.Fatalf("leaderboard %s/%s after migration: %v %+v", period, cat, err, top)
			}
		}
	}
	if r, err := db.Reviews(ctx, "g", "ann"); err != nil || len(r) != 1 || r[0].Card != "postgres-mvcc" || r[0].Reps != 1 {
		t.Fatalf("reviews after migration: %v %+v", err, r)
	}
	if act, err := db.Activity(ctx, "g", "ann"); err != nil || act[a.Day] != 1 || len(act) != 1 {
		t.Fatalf("activity after migration: %v %v", err, act)
	}
	if tal, err := db.PeriodTallies(ctx, "g", bot.PeriodAll); err != nil || tal["postgres"].Answered != 1 || len(tal) != 1 {
		t.Fatalf("tallies after migration: %v %v", err, tal)
	}
	if _, err := db.Record(ctx, answer("ann", 7, 15, true, at)); err != bot.ErrAlreadyAnswered {
		t.Fatalf("the same answer again after migration: %v", err)
	}
	if _, err := db.Record(ctx, answer("ann", 8, 10, true, at.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	top, _ := db.Leaderboard(ctx, "g", bot.PeriodAll, "", 10)
	if len(top) != 1 || top[0].Points != 25 {
		t.Fatalf("after a new answer: %+v", top)
	}
	bottest.CloseAndCheck(t, db)
	raw, _ := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	defer raw.Close()
	raw.View(func(tx *bolt.Tx) error {
		for _, name := range []string{"scores", "reviews", "activity", "ranks"} {
			if tx.Bucket([]byte(name)) != nil {
				t.Errorf("bucket %s is still there after the migration", name)
			}
		}
		if tx.Bucket([]byte("answer_keys")) == nil {
			t.Errorf("the answer keys of the answers recorded before are gone")
		}
		if n := tx.Bucket([]byte("leaderboards")).Stats().KeyN; n != 6 {
			t.Errorf("leaderboards index has %d entries, want 6 (the old ranks dropped)", n)
		}
		return nil
	})
}

// A post reads back the same from memory (just created), from the file
// (after a restart), and an unknown one is not found.
func TestPostReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	db := bottest.OpenDBAt(t, path)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	p := &bot.Post{Group: "g", Channel: "#c", CardID: "postgres-mvcc", Category: "postgres", Daily: true, By: "ann", At: at}
	if err := db.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Post(ctx, p.ID); err != nil || got != *p {
		t.Fatalf("post just created: %v %+v, want %+v", err, got, *p)
	}
	if _, err := db.Post(ctx, p.ID+1); err != bot.ErrNotFound {
		t.Fatalf("unknown post: %v", err)
	}
	bottest.CloseAndCheck(t, db)
	db = bottest.OpenDBAt(t, path)
	if got, err := db.Post(ctx, p.ID); err != nil || !got.At.Equal(at) || got.CardID != p.CardID || !got.Daily || got.ID != p.ID {
		t.Fatalf("post after a restart: %v %+v", err, got)
	}
}
