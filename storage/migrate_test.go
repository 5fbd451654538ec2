package storage_test

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/dump"
)

// schema6 is the content of a generated schema-6 database.
type schema6 struct {
	scores   map[[3]string][]bot.Score // group, period, category -> scores
	reviews  map[[2]string][]bot.Review
	activity map[[2]string]map[string]int
	members  map[string][]bot.Member // group -> members in id order
}

// writeSchema6 writes a schema-6 database at path: several groups, members
// whose ids are prefixes of each other (u1, u10), four periods and three
// categories.
func writeSchema6(t *testing.T, path string) schema6 {
	t.Helper()
	want := schema6{scores: map[[3]string][]bot.Score{}, reviews: map[[2]string][]bot.Review{}, activity: map[[2]string]map[string]int{},
		members: map[string][]bot.Member{}}
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "groups", "posts", "bags", "answers", "answer_keys", "members", "scores", "ranks", "schedules", "deliveries", "reviews", "rounds", "activity"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("6"))
		for gi, g := range []string{"discord:1", "discord:2", "slack:T1"} {
			for u := range 15 {
				user := fmt.Sprint("u", u)
				for pi, period := range []string{"all", "m2026-11", "w2026-W47", "w2026-W48"} {
					for ci, cat := range []string{"", "postgres", "python"} {
						if (u+pi+ci+gi)%5 == 0 {
							continue // not everyone has every score
						}
						answered := 1 + (u+ci)%4
						s := bot.Score{User: user, Name: user, Points: (u*7 + pi*3 + ci + gi) % 40, Tally: bot.Tally{Answered: answered, Correct: (u + pi) % (answered + 1)},
							ReachedAt: at.Add(time.Duration(u*13%7) * time.Minute)}
						data, _ := json.Marshal(s)
						if err := tx.Bucket([]byte("scores")).Put([]byte(g+"\x00"+period+"\x00"+cat+"\x00"+user), data); err != nil {
							return err
						}
						k := [3]string{g, period, cat}
						want.scores[k] = append(want.scores[k], s)
					}
				}
				for c := range u % 3 {
					r := bot.Review{Card: fmt.Sprint("card-", c), Category: "postgres", Reps: u + c}
					data, _ := json.Marshal(r)
					tx.Bucket([]byte("reviews")).Put([]byte(g+"\x00"+user+"\x00"+r.Card), data)
					want.reviews[[2]string{g, user}] = append(want.reviews[[2]string{g, user}], r)
				}
				days := map[string]int{}
				for d := range u % 4 {
					day := fmt.Sprintf("2026-11-%02d", 20+d)
					days[day] = 1 + d + gi
					tx.Bucket([]byte("activity")).Put([]byte(g+"\x00"+user+"\x00"+day), binary.BigEndian.AppendUint32(nil, uint32(days[day])))
				}
				want.activity[[2]string{g, user}] = days
				m := bot.Member{Group: g, User: user, Name: "Member " + user, Points: u*3 + gi, Streak: u % 4, Tally: bot.Tally{Answered: u, Correct: u / 2}}
				data, _ := json.Marshal(m)
				tx.Bucket([]byte("members")).Put([]byte(g+"\x00"+user), data)
				want.members[g] = append(want.members[g], m)
			}
			slices.SortFunc(want.members[g], func(a, b bot.Member) int { return strings.Compare(a.User, b.User) })
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// check reads everything back through the store and compares it with what
// was written.
func (want schema6) check(t *testing.T, db *storage.DB) {
	t.Helper()
	tallies := map[[2]string]map[string]bot.Tally{}
	for k, scores := range want.scores {
		got, err := db.Leaderboard(ctx, k[0], k[1], k[2], 1000)
		if err != nil {
			t.Fatal(err)
		}
		wantOrder := slices.Clone(scores)
		slices.SortFunc(wantOrder, func(a, b bot.Score) int {
			return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(b.Accuracy(), a.Accuracy()), a.ReachedAt.Compare(b.ReachedAt), strings.Compare(a.User, b.User))
		})
		if len(got) != len(wantOrder) {
			t.Fatalf("leaderboard %q: %d scores, want %d", k, len(got), len(wantOrder))
		}
		for i := range got {
			if got[i].User != wantOrder[i].User || got[i].Points != wantOrder[i].Points || got[i].Answered != wantOrder[i].Answered {
				t.Fatalf("leaderboard %q place %d: %+v, want %+v", k, i+1, got[i], wantOrder[i])
			}
		}
		if k[2] != "" {
			tk := [2]string{k[0], k[1]}
			if tallies[tk] == nil {
				tallies[tk] = map[string]bot.Tally{}
			}
			for _, s := range scores {
				tl := tallies[tk][k[2]]
				tl.Answered += s.Answered
				tl.Correct += s.Correct
				tallies[tk][k[2]] = tl
			}
		}
	}
	for k, w := range tallies {
		got, err := db.PeriodTallies(ctx, k[0], k[1])
		if err != nil || fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("tallies %q: %v %v, want %v", k, err, got, w)
		}
	}
	for g, members := range want.members {
		got, err := db.Members(ctx, g)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(members) {
			t.Fatalf("members of %q: %v\n%+v, want\n%+v", g, err, got, members)
		}
		for _, w := range members {
			if got, err := db.Member(ctx, g, w.User); err != nil || fmt.Sprint(got) != fmt.Sprint(w) {
				t.Fatalf("member %q of %q: %v %+v, want %+v", w.User, g, err, got, w)
			}
		}
	}
	for k, w := range want.reviews {
		got, err := db.Reviews(ctx, k[0], k[1])
		if err != nil || fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("reviews of %q: %v %+v, want %+v", k, err, got, w)
		}
	}
	for k, w := range want.activity {
		got, err := db.Activity(ctx, k[0], k[1])
		if err != nil || fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("activity of %q: %v %v, want %v", k, err, got, w)
		}
	}
}

func schemaOf(t *testing.T, path string) string {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var v string
	bdb.View(func(tx *bolt.Tx) error { v = string(tx.Bucket([]byte("meta")).Get([]byte("schema"))); return nil })
	return v
}

// The schema 7 and 8 migrations, in transactions of a few records (so they
// resume in the middle of groups and members many times), keep every
// member, score, review and activity count, and a migration cut short
// leaves a working database of the schema before, which the next start
// migrates.
func TestMigrateToSchemas7And8InChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v6.db")
	want := writeSchema6(t, path)

	// how many transactions schema 7 takes, on a copy
	other := filepath.Join(t.TempDir(), "copy.db")
	writeSchema6(t, other)
	restore := storage.SetMigration(7, 0)
	txs7 := 0
	db, err := storage.Open(other, storage.Options{Progress: func(format string, args ...any) {
		if strings.HasPrefix(format, "schema 7: %d member records") {
			txs7++
		}
	}})
	restore()
	if err != nil {
		t.Fatal(err)
	}
	bottest.CloseAndCheck(t, db)

	cutShort := func(after int, from string) {
		t.Helper()
		restore := storage.SetMigration(7, after)
		_, err := storage.Open(path, storage.Options{})
		restore()
		if err == nil || !strings.Contains(err.Error(), "from schema "+from+": stopped for a test") {
			t.Fatalf("a migration cut short after %d transactions: %v", after, err)
		}
		if v := schemaOf(t, path); v != from {
			t.Fatalf("schema after a migration cut short = %s, want %s", v, from)
		}
	}
	cutShort(3, "6")
	cutShort(txs7+2, "7") // in schema 8's second transaction

	defer storage.SetMigration(7, 0)()
	var lines []string
	db, err = storage.Open(path, storage.Options{Progress: func(format string, args ...any) {
		lines = append(lines, fmt.Sprintf(format, args...))
	}})
	if err != nil {
		t.Fatal(err)
	}
	want.check(t, db)
	if len(lines) < 3 || !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "migrated to schema 8: 45 member records") }) ||
		!slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "migrated to schema 9") }) ||
		!strings.Contains(lines[len(lines)-1], "migrated to schema 10") {
		t.Errorf("progress lines: %q", lines)
	}
	bottest.CloseAndCheck(t, db)
	if v := schemaOf(t, path); v != strconv.Itoa(storage.SchemaVersion) {
		t.Fatalf("schema = %s, want %d", v, storage.SchemaVersion)
	}
	db = bottest.OpenDBAt(t, path) // and a second start has nothing to do
	want.check(t, db)
}

// The schema 9 migration counts the days studied of every score from the
// answers: a schema-8 file (whose scores have no days) gets the days the
// scores would have had, in member_data and in the leaderboards index,
// also when the migration is cut short and started again.
func TestMigrateToSchema9CountsDays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v8.db")
	db := bottest.OpenDBAt(t, path)
	ctx := t.Context()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	post := uint64(0)
	for i, user := range []string{"ann", "bob", "cid", "dee"} {
		for d := 0; d < 3+3*i; d += 1 + i%2 { // days apart, more days for later members
			for range 2 { // two answers a day count one day
				post++
				at := start.AddDate(0, 0, d)
				a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: user, UserName: user, PostID: post, CardID: "c",
					Category: []string{"postgres", "python"}[d%2], Correct: true, Points: 10, At: at,
					Day: bot.Day(at, time.UTC), Periods: bot.Periods(at, time.UTC)}
				if _, err := db.Record(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	boards := func(db bot.Store) map[string][]bot.Score {
		t.Helper()
		out := map[string][]bot.Score{}
		for _, q := range [][2]string{{bot.PeriodAll, ""}, {bot.PeriodAll, "postgres"}, {bot.PeriodKey("month", start, time.UTC), "python"}} {
			s, err := db.DaysBoard(ctx, "g", q[0], q[1], 10)
			if err != nil {
				t.Fatal(err)
			}
			p, err := db.Leaderboard(ctx, "g", q[0], q[1], 10)
			if err != nil {
				t.Fatal(err)
			}
			out[q[0]+"/"+q[1]] = append(s, p...)
		}
		return out
	}
	want := boards(db)
	if got := want[bot.PeriodAll+"/"][0]; got.User != "cid" || got.Days != 9 {
		t.Fatalf("the days board before: %+v", want[bot.PeriodAll+"/"])
	}
	bottest.CloseAndCheck(t, db)

	// as schema 8 left them: scores without days, in both places
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"member_data", "leaderboards"} {
			b := tx.Bucket([]byte(name))
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				var m map[string]any
				if json.Unmarshal(v, &m) != nil || m["reached_at"] == nil {
					continue // not a score
				}
				delete(m, "days")
				delete(m, "last_day")
				nv, _ := json.Marshal(m)
				if err := b.Put(k, nv); err != nil {
					return err
				}
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("8"))
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}

	restore := storage.SetMigration(3, 2) // cut short after two transactions of three scores
	_, err = storage.Open(path, storage.Options{})
	restore()
	if err == nil || !strings.Contains(err.Error(), "from schema 8: stopped for a test") {
		t.Fatalf("a schema 9 migration cut short: %v", err)
	}
	if v := schemaOf(t, path); v != "8" {
		t.Fatalf("schema after a migration cut short = %s, want 8", v)
	}
	db = bottest.OpenDBAt(t, path)
	got := boards(db)
	bottest.CloseAndCheck(t, db)
	if v := schemaOf(t, path); v != strconv.Itoa(storage.SchemaVersion) {
		t.Errorf("schema = %s, want %d", v, storage.SchemaVersion)
	}
	for q, w := range want {
		if !slices.EqualFunc(got[q], w, func(a, b bot.Score) bool {
			return a.User == b.User && a.Days == b.Days && a.LastDay == b.LastDay && a.Points == b.Points
		}) {
			t.Errorf("%s after the migration\n got %+v\nwant %+v", q, got[q], w)
		}
	}
}

// Schema 10 builds the days index and the group tallies from the scores, in
// transactions of a few scores (resumed from the start when cut short), so
// that the days board, a member's place on it and the tallies per category
// read the same after the migration as they did before.
func TestMigrateToSchema10BuildsTheBoardIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v9.db")
	db := bottest.OpenDBAt(t, path)
	ctx := t.Context()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	users := []string{"ann", "bob", "cid", "dee", "eve", "fay"}
	post := uint64(0)
	for i, user := range users {
		for d := 0; d < 1+i%3; d++ { // ties on days, broken by points
			post++
			at := start.AddDate(0, 0, d)
			a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: user, UserName: user, PostID: post, CardID: "c",
				Category: []string{"postgres", "python"}[(i+d)%2], Correct: (i+d)%3 != 0, Points: 5 * i, At: at,
				Day: bot.Day(at, time.UTC), Periods: bot.Periods(at, time.UTC)}
			if _, err := db.Record(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	type state struct {
		board   []bot.Score
		ranks   map[string]int
		tallies map[string]bot.Tally
	}
	read := func(db bot.Store) state {
		t.Helper()
		s := state{ranks: map[string]int{}}
		var err error
		if s.board, err = db.DaysBoard(ctx, "g", bot.PeriodAll, "", 4); err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if s.ranks[u], _, err = db.Rank(ctx, "g", bot.PeriodAll, "", u, bot.ByDays); err != nil {
				t.Fatal(err)
			}
		}
		if s.tallies, err = db.PeriodTallies(ctx, "g", bot.PeriodAll); err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := read(db)
	if len(want.board) != 4 || want.tallies["postgres"].Answered == 0 || want.tallies["python"].Answered == 0 {
		t.Fatalf("before: %+v", want)
	}
	bottest.CloseAndCheck(t, db)

	// as schema 9 left the file: no days index, no tallies
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"days_index", "group_tallies"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("9"))
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	restore := storage.SetMigration(3, 2) // cut short after two transactions of three scores
	_, err = storage.Open(path, storage.Options{})
	restore()
	if err == nil || !strings.Contains(err.Error(), "from schema 9: stopped for a test") {
		t.Fatalf("a schema 10 migration cut short: %v", err)
	}
	if v := schemaOf(t, path); v != "9" {
		t.Fatalf("schema after a migration cut short = %s, want 9", v)
	}
	restore = storage.SetMigration(3, 0)
	db = bottest.OpenDBAt(t, path)
	restore()
	got := read(db)
	bottest.CloseAndCheck(t, db)
	if v := schemaOf(t, path); v != strconv.Itoa(storage.SchemaVersion) {
		t.Errorf("schema = %s, want %d", v, storage.SchemaVersion)
	}
	if !slices.EqualFunc(got.board, want.board, func(a, b bot.Score) bool { return a.User == b.User && a.Days == b.Days && a.Points == b.Points }) {
		t.Errorf("the days board after the migration\n got %+v\nwant %+v", got.board, want.board)
	}
	if !maps.Equal(got.ranks, want.ranks) || !maps.Equal(got.tallies, want.tallies) {
		t.Errorf("after the migration: ranks %v, tallies %v; want %v, %v", got.ranks, got.tallies, want.ranks, want.tallies)
	}
}

// A database copied from another (prepbot migrate, a restore) has the days
// index and the group tallies of the scores it receives.
func TestCopiedDatabaseHasTheBoardIndexes(t *testing.T) {
	ctx := t.Context()
	src := bottest.OpenDB(t)
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i, user := range []string{"ann", "bob", "cid", "dee"} {
		for d := 0; d <= i; d++ {
			at := start.AddDate(0, 0, d)
			a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: user, UserName: user, PostID: uint64(10*i + d + 1), CardID: "c",
				Category: "postgres", Correct: d%2 == 0, Points: 10 - i, At: at, Day: bot.Day(at, time.UTC), Periods: bot.Periods(at, time.UTC)}
			if _, err := src.Record(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	dst := bottest.OpenDB(t)
	if err := dump.Copy(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*storage.DB{src, dst} {
		board, err := db.DaysBoard(ctx, "g", bot.PeriodAll, "postgres", 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range board {
			got = append(got, fmt.Sprintf("%s:%d", s.User, s.Days))
		}
		if want := []string{"dee:4", "cid:3", "bob:2", "ann:1"}; !slices.Equal(got, want) {
			t.Errorf("%s: days board %v, want %v", db.Path(), got, want)
		}
		rank, _, err := db.Rank(ctx, "g", bot.PeriodAll, "postgres", "bob", bot.ByDays)
		if err != nil || rank != 3 {
			t.Errorf("%s: bob's place by days %d, %v; want 3", db.Path(), rank, err)
		}
		tallies, err := db.PeriodTallies(ctx, "g", bot.PeriodAll)
		if want := (bot.Tally{Answered: 10, Correct: 6}); err != nil || tallies["postgres"] != want {
			t.Errorf("%s: tallies %v, %v; want postgres %+v", db.Path(), tallies, err, want)
		}
	}
}
