package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/dump"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// openBolt opens a bbolt file, closing it when t ends.
func openBolt(t *testing.T, path string, opt storage.Options) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// world is what populate stored, for the reads that compare stores.
type world struct {
	groups     []string
	users      map[string][]string // by group: who answered, or only peeked
	periods    map[string][]string // by group
	cats       []string            // "" (overall) and the categories answered
	cards      map[string][]string // by group: the cards posted
	posts      []uint64
	maxSeq     uint64
	deliveries []string
}

// populate fills a store as a team using the bot for ten days would: three
// groups in three time zones (one with no saved settings), members
// answering quick checks (some typed), rating themselves and peeking at
// hints over days that cross a week and a month, cards drawn from shuffle
// bags of the built-in bank, daily questions whose claims are held,
// confirmed or disabled, a study round in progress, and the delivery ids
// of it all. Answers carry Day, Periods and Zone as the bot sets them.
func populate(t *testing.T, s bot.Store) world {
	t.Helper()
	ctx := t.Context()
	bank := bottest.Bank(t)
	rng := rand.New(rand.NewPCG(7, 11))
	var cats []string
	for _, c := range bank.Categories()[:3] {
		cats = append(cats, c.ID)
	}
	zones := map[string]string{"console": "", "discord:100": "Europe/Berlin", "slack:T1": "America/New_York"}
	members := map[string][]string{"console": {"sam"}, "discord:100": {"ann", "bob", "cy", "dee", "eve"}, "slack:T1": {"U01", "U02", "U03"}}
	w := world{groups: []string{"console", "discord:100", "slack:T1"}, users: map[string][]string{}, periods: map[string][]string{},
		cats: append([]string{""}, cats...), cards: map[string][]string{}}
	periods := map[string]map[string]bool{}
	ix := 0
	delivery := func(at time.Time) {
		ix++
		id := fmt.Sprintf("ix-%05d", ix)
		if ok, err := s.FirstDelivery(ctx, id, at); err != nil || !ok {
			t.Fatalf("FirstDelivery(%s): %v %v", id, ok, err)
		}
		w.deliveries = append(w.deliveries, id)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, g := range w.groups {
		if zones[g] != "" {
			must("SaveGroup", s.SaveGroup(ctx, bot.Group{ID: g, TimeZone: zones[g]}))
		}
		periods[g] = map[string]bool{}
		w.users[g] = members[g]
	}
	start := time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC) // a Thursday: the days cross week 48 into 49 and November into December
	for day := range 10 {
		for _, g := range w.groups {
			loc, err := bot.LoadLocation(zones[g])
			must("LoadLocation", err)
			for i := range 3 {
				at := start.AddDate(0, 0, day).Add(time.Duration(i)*3*time.Hour + time.Duration(rng.IntN(1e9))).In(loc)
				f := questionbank.Filter{Category: cats[rng.IntN(len(cats))]}
				if i == 1 {
					f = questionbank.Filter{} // a draw from every category
				}
				var card *questionbank.Card
				must("Draw", s.Draw(ctx, "ch:"+g+":C1:"+f.Key(), func(st *questionbank.BagState) error {
					c, err := bank.Draw(f, st)
					card = c
					return err
				}))
				cat := card.Category
				if day == 4 && i == 2 {
					cat = "" // a card of a bank without categories
				}
				p := bot.Post{Group: g, Channel: "C1", CardID: card.ID, Category: cat, Daily: i == 0, Review: i == 2, By: members[g][0], At: at}
				must("CreatePost", s.CreatePost(ctx, &p))
				delivery(at)
				w.posts = append(w.posts, p.ID)
				w.cards[g] = append(w.cards[g], card.ID)
				for k, u := range members[g] {
					if rng.IntN(10) < 3 {
						continue // not today
					}
					aAt := at.Add(time.Duration(k+1) * time.Minute)
					if rng.IntN(5) == 0 {
						peek := bot.Peek{Day: bot.Day(aAt, loc), Hint: true, Answer: rng.IntN(2) == 0}
						must("SavePeek", s.SavePeek(ctx, g, u, card.ID, peek))
					}
					a := bot.Answer{Kind: bot.KindAnswer, Group: g, Channel: p.Channel, User: u, UserName: strings.ToUpper(u[:1]) + u[1:],
						PostID: p.ID, CardID: card.ID, Category: cat, Option: rng.IntN(4), At: aAt,
						Day: bot.Day(aAt, loc), Periods: bot.Periods(aAt, loc), Zone: zones[g]}
					if a.Correct = rng.IntN(3) > 0; a.Correct {
						a.Points = 10 + 5*rng.IntN(2) // ties on points
					}
					if k == 2 && i == 1 {
						a.Option, a.Text = -1, "It's <b>MVCC</b> & \"snapshots\" — 快照 ✓"
					}
					for _, pk := range a.Periods {
						periods[g][pk] = true
					}
					_, err := s.Record(ctx, &a)
					must("Record", err)
					w.maxSeq = max(w.maxSeq, a.Seq)
					delivery(aAt)
					if rng.IntN(2) == 0 {
						r := a
						r.Kind, r.Rating, r.Option, r.Text, r.Correct, r.Points = bot.KindRating, []string{"nailed", "partly", "missed"}[rng.IntN(3)], -1, "", false, bot.PointsRating
						r.At = aAt.Add(30 * time.Second)
						_, err := s.Record(ctx, &r)
						must("Record rating", err)
						w.maxSeq = max(w.maxSeq, r.Seq)
						delivery(r.At)
					}
				}
			}
		}
	}
	// a typed answer after the hint, disputed and accepted: its re-score
	// (an answer of its own kind), and the group's disputes (one decided,
	// one waiting) and accepted answers
	ny, _ := time.LoadLocation("America/New_York")
	dp := bot.Post{Group: "slack:T1", Channel: "C1", CardID: w.cards["slack:T1"][0], Category: cats[0], By: "U02", At: start.AddDate(0, 0, 3)}
	must("CreatePost", s.CreatePost(ctx, &dp))
	w.posts = append(w.posts, dp.ID)
	dAt := dp.At.Add(time.Minute)
	typed := bot.Answer{Kind: bot.KindAnswer, Group: dp.Group, Channel: dp.Channel, User: "U02", UserName: "U02", PostID: dp.ID, CardID: dp.CardID,
		Category: dp.Category, Option: -1, Text: "an *answer* <!here> & co", At: dAt, Day: bot.Day(dAt, ny), Periods: bot.Periods(dAt, ny),
		Zone: "America/New_York", Peek: bot.PeekHint}
	_, err := s.Record(ctx, &typed)
	must("Record typed", err)
	rescore := typed
	rescore.Seq, rescore.Kind, rescore.Correct, rescore.Points, rescore.UserName = 0, bot.KindRescore, true, 7, ""
	_, err = s.Record(ctx, &rescore)
	must("Record rescore", err)
	w.maxSeq = max(w.maxSeq, typed.Seq, rescore.Seq)
	must("UpdateGroup", s.UpdateGroup(ctx, dp.Group, func(g *bot.Group) error {
		g.DisputeSeq = 2
		g.Disputes = []bot.Dispute{
			{ID: 1, Post: dp.ID, Card: dp.CardID, Channel: "C1", User: "U02", Name: "U02", Text: typed.Text, At: dAt.Add(time.Minute),
				Outcome: bot.DisputeAccepted, By: "U01", Decided: dAt.Add(time.Hour), Points: 7},
			{ID: 2, Post: w.posts[0], Card: w.cards["slack:T1"][1], Channel: "C1", User: "U03", Name: "<@U01> *x*", Text: "快照 ✓", At: dAt.Add(2 * time.Minute)},
		}
		g.Accepted = map[string][]string{dp.CardID: {typed.Text}}
		return nil
	}))
	// a member's own zone, a change of it that waits for their next day,
	// the zone their platform reports, and a reminder with its claim
	must("UpdateMember", s.UpdateMember(ctx, "slack:T1", "U01", func(m *bot.Member) error {
		m.TimeZone, m.NextTimeZone, m.ZoneFrom, m.PlatformZone = "Europe/Berlin", "Asia/Tokyo", start.AddDate(0, 0, 5), "America/New_York"
		m.Remind, m.Reminded, m.RemindUntil = "20:00", "2026-11-20", start.AddDate(0, 0, 4)
		return nil
	}))
	// someone who only opened a hint: peeks, but no member record
	must("SavePeek", s.SavePeek(ctx, "discord:100", "zed", w.cards["discord:100"][0], bot.Peek{Day: "2026-12-05", Hint: true}))
	w.users["discord:100"] = append(w.users["discord:100"], "zed")
	for g, ps := range periods {
		for p := range ps {
			w.periods[g] = append(w.periods[g], p)
		}
		slices.Sort(w.periods[g])
	}

	berlin, _ := time.LoadLocation("Europe/Berlin")
	// a claim held (its expiry to the nanosecond, in the group's zone), a
	// digest confirmed, and a schedule disabled
	must("SaveSchedule", s.SaveSchedule(ctx, bot.Schedule{Group: "discord:100", Channel: "C1", Time: "09:00", TimeZone: "Europe/Berlin",
		Categories: cats[:2], Weekdays: []time.Weekday{time.Monday, time.Thursday}, By: "ann", LastDay: "2026-12-05",
		DailyUntil: time.Date(2026, 12, 5, 9, 5, 0, 123456789, berlin), DigestDay: "fri", LastDigest: "2026-12-04", Next: 1}))
	must("SaveSchedule", s.SaveSchedule(ctx, bot.Schedule{Group: "discord:100", Channel: "C7", Time: "18:30", TimeZone: "UTC", By: "bob",
		LastDay: "2026-12-04"}))
	must("SaveSchedule", s.SaveSchedule(ctx, bot.Schedule{Group: "slack:T1", Channel: "C9", Time: "08:00", TimeZone: "America/New_York",
		By: "U01", Disabled: "the channel is gone", LastDigest: "2026-12-04", DigestUntil: time.Date(2026, 12, 4, 17, 0, 0, 5000, time.UTC)}))
	must("ClaimDaily", claim(ctx, s, "discord:100", "C7", "2026-12-05"))
	must("SaveRound", s.SaveRound(ctx, bot.Round{Group: "discord:100", Channel: "C2", Starter: "ann", Category: cats[0], Count: 5,
		Seconds: 30, Index: 2, Post: w.posts[len(w.posts)-1], Deadline: time.Date(2026, 12, 5, 19, 0, 30, 0, berlin),
		Lease: time.Date(2026, 12, 5, 19, 0, 35, 0, berlin), Scores: map[string]int{"ann": 12, "bob": 0}, Names: map[string]string{"ann": "Ann", "bob": "Bob"}}))
	return w
}

// claim claims a day's post through the store.
func claim(ctx context.Context, s bot.Store, group, channel, day string) error {
	at := time.Date(2026, 12, 5, 18, 30, 0, 0, time.UTC)
	ok, err := s.ClaimDaily(ctx, group, channel, bot.Claim{Day: day, At: at, Until: at.Add(5 * time.Minute)})
	if err == nil && !ok {
		err = errors.New("the day was not claimed")
	}
	return err
}

// exportOf is a store's export.
func exportOf(t *testing.T, s dump.Source) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := dump.WriteExport(t.Context(), &b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sameBytes fails t when two exports (or reads) differ, showing the first
// line that does.
func sameBytes(t *testing.T, what string, a, b []byte) {
	t.Helper()
	if bytes.Equal(a, b) {
		return
	}
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			from := max(i-4, 0) // the lines before say which record it is
			t.Fatalf("%s differ at line %d, after\n%s\n\n%s\n%s", what, i+1, strings.Join(al[from:i], "\n"), x, y)
		}
	}
}

// reads is what a store's queries answer about the world, as JSON: every
// group, post, member, review, activity, peek, leaderboard top 10 and
// tally, schedule and round.
func reads(t *testing.T, s bot.Store, w world) []byte {
	t.Helper()
	ctx := t.Context()
	var out []any
	add := func(what string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out = append(out, what, v)
	}
	for _, id := range w.posts {
		p, err := s.Post(ctx, id)
		add("post", p, err)
	}
	for _, g := range w.groups {
		grp, err := s.Group(ctx, g)
		add("group", grp, err)
		ms, err := s.Members(ctx, g)
		add("members", ms, err)
		for _, u := range w.users[g] {
			m, err := s.Member(ctx, g, u)
			add("member", m, err)
			rs, err := s.Reviews(ctx, g, u)
			add("reviews", rs, err)
			act, err := s.Activity(ctx, g, u)
			add("activity", act, err)
			for _, c := range w.cards[g] {
				p, err := s.Peeked(ctx, g, u, c)
				add("peeked", p, err)
			}
		}
		for _, p := range w.periods[g] {
			for _, c := range w.cats {
				top, err := s.Leaderboard(ctx, g, p, c, 10)
				add("leaderboard "+p+" "+c, top, err)
			}
			tallies, err := s.PeriodTallies(ctx, g, p)
			add("tallies "+p, tallies, err)
		}
		ss, err := s.Schedules(ctx, g)
		for i := range ss { // PostgreSQL keeps a claim's expiry to the microsecond
			ss[i].DailyUntil = ss[i].DailyUntil.UTC().Truncate(time.Microsecond)
			ss[i].DigestUntil = ss[i].DigestUntil.UTC().Truncate(time.Microsecond)
		}
		add("schedules", ss, err)
	}
	rounds, err := s.Rounds(ctx)
	add("rounds", rounds, err)
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A team moves from a bbolt file to PostgreSQL and back: each copy's export
// is byte for byte the source's, every query answers the same, new posts
// and answers are numbered after the copied ones, delivery ids stay seen,
// and a copy into a database that holds data is refused and changes
// nothing.
func TestMigrateBboltToPostgresAndBack(t *testing.T) {
	ctx := t.Context()
	url := pgtest.Schema(t)
	srcPath := filepath.Join(t.TempDir(), "src.db")
	db := openBolt(t, srcPath, storage.Options{})
	w := populate(t, db)
	if err := db.Close(); err != nil { // as the bot stops before its data moves
		t.Fatal(err)
	}
	src := openBolt(t, srcPath, storage.Options{ReadOnly: true})
	srcExport := exportOf(t, src)
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(srcExport, &doc); err != nil {
		t.Fatalf("the export is not JSON: %v", err)
	}
	for name, v := range doc { // the data set has records of every kind
		if list := string(v); name != "format" && (list == "[]" || !strings.HasPrefix(list, "[")) {
			t.Errorf("the export's %s are %s", name, list)
		}
	}

	pg := open(t, url)
	if err := dump.Copy(ctx, src, pg); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "the exports of bbolt and PostgreSQL", srcExport, exportOf(t, pg))
	var viaExport bytes.Buffer
	if err := pg.Export(ctx, &viaExport); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "postgres.DB.Export and dump.WriteExport", srcExport, viaExport.Bytes())

	back := openBolt(t, filepath.Join(t.TempDir(), "back.db"), storage.Options{})
	if err := dump.Copy(ctx, pg, back); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "the exports of PostgreSQL and the bbolt copy", srcExport, exportOf(t, back))
	var backExport bytes.Buffer
	if err := back.Export(&backExport); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "storage.DB.Export and dump.WriteExport", srcExport, backExport.Bytes())

	if err := back.Check(); err != nil {
		t.Errorf("the bbolt copy fails bbolt's check: %v", err)
	}
	want := reads(t, src, w)
	sameBytes(t, "the reads of bbolt and PostgreSQL", want, reads(t, pg, w))
	sameBytes(t, "the reads of bbolt and the bbolt copy", want, reads(t, back, w))

	for _, c := range []struct {
		name string
		s    bot.Store
		src  dump.Source
	}{{"PostgreSQL", pg, src}, {"the bbolt copy", back, pg}} {
		before := exportOf(t, c.s.(dump.Source))
		err := dump.Copy(ctx, c.src, c.s.(dump.Sink))
		if !errors.Is(err, dump.ErrNotEmpty) || !strings.Contains(err.Error(), "Migrate into an empty database") {
			t.Errorf("a copy into %s, which holds data: %v", c.name, err)
		}
		sameBytes(t, "the export before and after the refused copy into "+c.name, before, exportOf(t, c.s.(dump.Source)))

		for _, id := range w.deliveries[:3] {
			if ok, err := c.s.FirstDelivery(ctx, id, time.Now()); err != nil || ok {
				t.Errorf("%s: delivery %s is new after the copy (%v)", c.name, id, err)
			}
		}
		p := bot.Post{Group: "discord:100", Channel: "C1", CardID: w.cards["discord:100"][0], Category: w.cats[1], At: time.Now()}
		if err := c.s.CreatePost(ctx, &p); err != nil || p.ID != w.posts[len(w.posts)-1]+1 {
			t.Errorf("%s: a new post got id %d (%v); the last copied is %d", c.name, p.ID, err, w.posts[len(w.posts)-1])
		}
		a := bot.Answer{Kind: bot.KindAnswer, Group: p.Group, Channel: p.Channel, User: "ann", PostID: p.ID, CardID: p.CardID,
			Category: p.Category, Correct: true, Points: 10, At: p.At, Day: "2026-12-06", Periods: bot.Periods(p.At, time.UTC)}
		if _, err := c.s.Record(ctx, &a); err != nil || a.Seq != w.maxSeq+1 {
			t.Errorf("%s: a new answer got seq %d (%v); the last copied is %d", c.name, a.Seq, err, w.maxSeq)
		}
		anns := answersOf(t, srcExport, "discord:100", "ann")
		again := anns[len(anns)/2]
		again.Seq = 0
		if _, err := c.s.Record(ctx, &again); !errors.Is(err, bot.ErrAlreadyAnswered) {
			t.Errorf("%s: ann's copied answer to post %d recorded again: %v", c.name, again.PostID, err)
		}
		if m, err := c.s.Member(ctx, "discord:100", "ann"); err != nil || m.Answered != len(anns)+1 {
			t.Errorf("%s: after a new answer ann has answered %d (%v)", c.name, m.Answered, err)
		}
	}
}

// answersOf is a member's answers (not ratings) in an export.
func answersOf(t *testing.T, export []byte, group, user string) []bot.Answer {
	t.Helper()
	var doc struct {
		Answers []bot.Answer `json:"answers"`
	}
	if err := json.Unmarshal(export, &doc); err != nil {
		t.Fatal(err)
	}
	var out []bot.Answer
	for _, a := range doc.Answers {
		if a.Group == group && a.User == user && a.Kind == bot.KindAnswer {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s answered nothing in %s", user, group)
	}
	return out
}

// failAfter is a Source that fails after n records, as a source whose
// disk fails would.
type failAfter struct {
	dump.Source
	n int
}

var errDiskGone = errors.New("the disk went away")

func (f failAfter) Dump(ctx context.Context, fn func(dump.Record) error) error {
	n := 0
	return f.Source.Dump(ctx, func(r dump.Record) error {
		if n++; n > f.n {
			return errDiskGone
		}
		return fn(r)
	})
}

// A copy that fails within its first transaction writes nothing and says
// so, and a copy into the same database then succeeds; one that fails
// later says that the destination holds part of the data, which is the
// transactions before the failure, whole.
func TestMigrateFailureSaysWhatWasCopied(t *testing.T) {
	ctx := t.Context()
	db := openBolt(t, filepath.Join(t.TempDir(), "src.db"), storage.Options{})
	w := populate(t, db)
	// a larger team's history: enough records for several transactions
	var more []*bot.Answer
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for i := range dump.BatchSize {
		a := &bot.Answer{Kind: bot.KindAnswer, Group: "slack:T1", Channel: "C1", User: fmt.Sprintf("W%04d", i%700), PostID: w.posts[i%len(w.posts)],
			CardID: fmt.Sprintf("card-%d", i%90), Category: w.cats[1+i%3], Correct: i%3 > 0, Points: 10 * (i % 3), At: at.Add(time.Duration(i) * time.Second)}
		a.Day, a.Periods = a.At.Format("2006-01-02"), bot.Periods(a.At, time.UTC)
		more = append(more, a)
	}
	if err := db.Replay(more, 1000); err != nil {
		t.Fatal(err)
	}
	total := 0
	if err := db.Dump(ctx, func(dump.Record) error { total++; return nil }); err != nil {
		t.Fatal(err)
	}
	if total <= 2*dump.BatchSize {
		t.Fatalf("the data set has %d records: too few for three transactions of %d", total, dump.BatchSize)
	}

	pg := open(t, pgtest.Schema(t))
	err := dump.Copy(ctx, failAfter{db, dump.BatchSize - 1}, pg)
	if !errors.Is(err, errDiskGone) || !strings.Contains(err.Error(), "before anything was written") {
		t.Fatalf("a copy that failed in its first transaction: %v", err)
	}
	if err := dump.Copy(ctx, db, pg); err != nil {
		t.Fatalf("a copy after one that wrote nothing: %v", err)
	}
	sameBytes(t, "the exports of bbolt and PostgreSQL", exportOf(t, db), exportOf(t, pg))

	for name, dst := range map[string]dump.Sink{
		"PostgreSQL": open(t, pgtest.Schema(t)),
		"bbolt":      openBolt(t, filepath.Join(t.TempDir(), "dst.db"), storage.Options{}),
	} {
		err := dump.Copy(ctx, failAfter{db, 2*dump.BatchSize + 10}, dst)
		if !errors.Is(err, errDiskGone) || !strings.Contains(err.Error(), "holds part of the data") {
			t.Fatalf("%s: a copy that failed in its third transaction: %v", name, err)
		}
		written := 0
		if err := dst.(dump.Source).Dump(ctx, func(dump.Record) error { written++; return nil }); err != nil {
			t.Fatal(err)
		}
		if written != 2*dump.BatchSize {
			t.Errorf("%s: %d records were written before the failure; want the first two transactions' %d", name, written, 2*dump.BatchSize)
		}
	}
}

// The export of an empty database is valid JSON with every section empty,
// the same from either backend.
func TestExportEmpty(t *testing.T) {
	bolt := exportOf(t, openBolt(t, filepath.Join(t.TempDir(), "empty.db"), storage.Options{}))
	pg := exportOf(t, open(t, pgtest.Schema(t)))
	sameBytes(t, "the exports of empty bbolt and PostgreSQL databases", bolt, pg)
	var doc map[string]any
	if err := json.Unmarshal(pg, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, pg)
	}
	want := []string{"format", "groups", "posts", "bags", "answers", "members", "reviews", "activity", "scores", "peeks", "schedules", "rounds"}
	if len(doc) != len(want) || doc["format"] != 1.0 {
		t.Fatalf("export = %s", pg)
	}
	for _, k := range want[1:] {
		if v, ok := doc[k].([]any); !ok || len(v) != 0 {
			t.Errorf("%s = %v, want []", k, doc[k])
		}
	}
}
