// Package storetest is the conformance suite of bot.Store. Every backend
// (bbolt in package storage, PostgreSQL next) runs it against itself, so
// that all of them behave alike: errors, ordering and ties, exactly-once
// recording, claims, concurrency and what survives a restart.
//
// A backend's tests call Run with an Opener:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (bot.Store, func() bot.Store) {
//			path := filepath.Join(t.TempDir(), "prepbot.db")
//			db := openDB(t, path) // closes db with t.Cleanup
//			return db, func() bot.Store {
//				db.Close()
//				db = openDB(t, path)
//				return db
//			}
//		})
//	}
//
// The suite holds a backend to what bot.Store's doc comments promise and,
// where they are silent, to what the bbolt backend does today; the few
// places of the second kind say so in their subtest's comment. Results that
// the interface does not order (Schedules, Rounds, Members, Reviews) are
// compared as sets. Times are compared with time.Time.Equal, and the suite
// uses no precision finer than a microsecond (PostgreSQL's timestamptz).
// It never sleeps, and every time in it is a fixed value.
//
// The package imports only the domain and the standard library, so that
// any backend can run it.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// Opener opens a new, empty store for one test and arranges, with
// t.Cleanup, for it to be closed when that test ends. The suite calls it
// once per subtest, with the subtest's t.
//
// reopen is how the suite checks durability. For a backend that keeps its
// data, it closes the store last returned (by the Opener or by an earlier
// reopen), opens the same data again, as a restart of the process would,
// and returns the new store, which it too arranges to close when the test
// ends (so a store reopened away is closed twice: the backend's Close, or
// the Opener's cleanup, must allow that). The suite never uses a store
// after reopening it, and may call reopen several times. For a backend that
// keeps nothing across a restart (a fake in memory) reopen is nil, and the
// suite skips its restart checks.
type Opener func(t *testing.T) (s bot.Store, reopen func() bot.Store)

// Run runs the conformance suite against the stores open returns, one
// subtest per area of bot.Store.
func Run(t *testing.T, open Opener) {
	areas := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Group", testGroup},
		{"UpdateGroup", testUpdateGroup},
		{"Post", testPost},
		{"Draw", testDraw},
		{"Record", testRecord},
		{"Rescore", testRescore},
		{"Reviews", testReviews},
		{"Member", testMember},
		{"Leaderboard", testLeaderboard},
		{"DaysBoardAndRank", testDaysBoardAndRank},
		{"Schedule", testSchedule},
		{"UpdateSchedule", testUpdateSchedule},
		{"Claim", testClaim},
		{"Activity", testActivity},
		{"Round", testRound},
		{"Members", testMembers},
		{"UpdateMember", testUpdateMember},
		{"PeriodTallies", testPeriodTallies},
		{"Peek", testPeek},
		{"ReadPress", testReadPress},
		{"Interview", testInterview},
		{"Delivery", testDelivery},
		{"Limits", testLimits},
		{"Restart", testRestart},
		{"Context", testContext},
	}
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) { a.run(t, open) })
	}
}

// t0 is the suite's first moment: Monday 23 November 2026, 09:00 UTC, in
// ISO week 48. Every time in the suite is t0 plus a fixed offset.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// day returns t0's calendar day plus n days (2006-01-02).
func day(n int) string { return t0.AddDate(0, 0, n).Format("2006-01-02") }

// errFn is the error the suite's callbacks fail with.
var errFn = errors.New("storetest: the callback failed")

// store opens a fresh store for a subtest.
func store(t *testing.T, open Opener) bot.Store {
	t.Helper()
	s, _ := open(t)
	if s == nil {
		t.Fatal("the Opener returned a nil store")
	}
	return s
}

// ev is one answer or self-rating in a scenario, built with ans or rate and
// changed with its methods.
type ev struct {
	group, user, name string
	post              string // the post's label: the fixture creates it on first use
	card, cat         string
	kind              bot.EventKind
	correct           bool
	points            int
	rating            string
	at                time.Time
	day               string // the local day, when not at's UTC day
}

// ans is a correct answer worth points (a wrong one when points is 0) of
// user in group "g" to the post labelled post, whose card is in category
// cat.
func ans(user, post, cat string, points int, at time.Time) ev {
	return ev{group: "g", user: user, name: nameOf(user), post: post, cat: cat, kind: bot.KindAnswer,
		correct: points > 0, points: points, at: at}
}

// rate is a self-rating (nailed, partly, missed) worth bot.PointsRating.
func rate(user, post, cat, rating string, at time.Time) ev {
	return ev{group: "g", user: user, name: nameOf(user), post: post, cat: cat, kind: bot.KindRating,
		rating: rating, points: bot.PointsRating, at: at}
}

func nameOf(user string) string { return strings.ToUpper(user[:1]) + user[1:] }

// in moves the event to another group.
func (e ev) in(group string) ev { e.group = group; return e }

// onCard sets the post's card (by default "card-" and the post's label).
func (e ev) onCard(card string) ev { e.card = card; return e }

// named sets the name the platform gave the user.
func (e ev) named(name string) ev { e.name = name; return e }

// onDay sets the local day, for a group whose day differs from UTC's.
func (e ev) onDay(d string) ev { e.day = d; return e }

// fixture is a store under test and the model of what it must hold.
type fixture struct {
	t     *testing.T
	s     bot.Store
	m     *model
	posts map[string]bot.Post // by group and label
	seqs  map[uint64]string   // the Seq of each answer recorded, and what it was
}

func newFixture(t *testing.T, s bot.Store) *fixture {
	return &fixture{t: t, s: s, m: newModel(), posts: map[string]bot.Post{}, seqs: map[uint64]string{}}
}

// post returns the post an event answers, creating it on first use.
func (f *fixture) post(e ev) bot.Post {
	f.t.Helper()
	if p, ok := f.posts[e.group+"\x00"+e.post]; ok {
		return p
	}
	card := e.card
	if card == "" {
		card = "card-" + e.post
	}
	p := bot.Post{Group: e.group, Channel: "C1", CardID: card, Category: e.cat, By: "U0", At: e.at}
	if err := f.s.CreatePost(f.t.Context(), &p); err != nil {
		f.t.Fatalf("CreatePost(%+v): %v", p, err)
	}
	for _, q := range f.posts {
		if q.ID == p.ID {
			f.t.Fatalf("CreatePost set ID %d, the id of %+v", p.ID, q)
		}
	}
	f.posts[e.group+"\x00"+e.post] = p
	return p
}

// answer builds the bot.Answer of an event, as the bot fills it.
func (f *fixture) answer(e ev) *bot.Answer {
	f.t.Helper()
	p := f.post(e)
	a := &bot.Answer{Kind: e.kind, Group: e.group, Channel: p.Channel, User: e.user, UserName: e.name,
		PostID: p.ID, CardID: p.CardID, Category: p.Category, Option: -1, Rating: e.rating,
		Correct: e.correct, Points: e.points, At: e.at, Day: e.at.Format("2006-01-02"),
		Periods: bot.Periods(e.at, time.UTC), Zone: "UTC"}
	if e.kind == bot.KindAnswer {
		a.Option = 0
		if e.correct {
			a.Option = 2
		}
	}
	if e.day != "" {
		a.Day = e.day
	}
	return a
}

// record records events that must be new, checking that each sets Seq and
// returns the member as Member.Apply leaves it.
func (f *fixture) record(evs ...ev) {
	f.t.Helper()
	for _, e := range evs {
		a := f.answer(e)
		got, err := f.s.Record(f.t.Context(), a)
		if err != nil {
			f.t.Fatalf("Record(%s of %s to post %s): %v", a.Kind, a.User, e.post, err)
		}
		f.checkSeq(a, e.post)
		want, dup := f.m.record(*a)
		if dup {
			f.t.Fatalf("the scenario repeats %s of %s to post %s: check a repeat with Record itself", a.Kind, a.User, e.post)
		}
		if !equalMember(got, want) {
			f.t.Errorf("Record(%s of %s to post %s) returned the member\n got %+v\nwant %+v", a.Kind, a.User, e.post, got, want)
		}
	}
}

// checkSeq checks that Record set a new Seq.
func (f *fixture) checkSeq(a *bot.Answer, post string) {
	f.t.Helper()
	what := fmt.Sprintf("%s of %s to post %s", a.Kind, a.User, post)
	if a.Seq == 0 {
		f.t.Errorf("Record(%s) left Seq 0", what)
	} else if prev, ok := f.seqs[a.Seq]; ok {
		f.t.Errorf("Record(%s) set Seq %d, the Seq of %s", what, a.Seq, prev)
	} else {
		f.seqs[a.Seq] = what
	}
}

// memberKeys lists the model's members.
func (f *fixture) memberKeys() []memberKey {
	keys := make([]memberKey, 0, len(f.m.members))
	for k := range f.m.members {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b memberKey) int { return strings.Compare(a.group+"\x00"+a.user, b.group+"\x00"+b.user) })
	return keys
}

// checkAll compares everything the store reads back about members with the
// model: each member, its reviews and activity, every leaderboard in full,
// each group's members and its tallies per period.
func (f *fixture) checkAll() {
	f.t.Helper()
	ctx := f.t.Context()
	groups := map[string]bool{}
	for _, k := range f.memberKeys() {
		groups[k.group] = true
		f.checkMember(k.group, k.user)
		f.checkReviews(k.group, k.user)
		f.checkActivity(k.group, k.user)
	}
	for b := range f.m.boards() {
		f.checkBoard(b.group, b.period, b.cat)
	}
	for g := range groups {
		got, err := f.s.Members(ctx, g)
		if err != nil {
			f.t.Fatalf("Members(%q): %v", g, err)
		}
		if want := f.m.groupMembers(g); !equalMembers(got, want) {
			f.t.Errorf("Members(%q)\n got %+v\nwant %+v", g, sortedMembers(got), want)
		}
	}
	for gp := range f.m.periods() {
		f.checkTallies(gp[0], gp[1])
	}
}

func (f *fixture) checkMember(group, user string) {
	f.t.Helper()
	got, err := f.s.Member(f.t.Context(), group, user)
	if err != nil {
		f.t.Fatalf("Member(%q, %q): %v", group, user, err)
	}
	if want := f.m.members[memberKey{group, user}]; !equalMember(got, want) {
		f.t.Errorf("Member(%q, %q)\n got %+v\nwant %+v", group, user, got, want)
	}
}

func (f *fixture) checkReviews(group, user string) {
	f.t.Helper()
	got, err := f.s.Reviews(f.t.Context(), group, user)
	if err != nil {
		f.t.Fatalf("Reviews(%q, %q): %v", group, user, err)
	}
	got = slices.Clone(got)
	slices.SortFunc(got, func(a, b bot.Review) int { return strings.Compare(a.Card, b.Card) })
	if want := f.m.memberReviews(group, user); !reflect.DeepEqual(normReviews(got), normReviews(want)) {
		f.t.Errorf("Reviews(%q, %q)\n got %s\nwant %s", group, user, showReviews(got), showReviews(want))
	}
}

func (f *fixture) checkActivity(group, user string) {
	f.t.Helper()
	got, err := f.s.Activity(f.t.Context(), group, user)
	if err != nil {
		f.t.Fatalf("Activity(%q, %q): %v", group, user, err)
	}
	if want := f.m.activity[memberKey{group, user}]; !equalCounts(got, want) {
		f.t.Errorf("Activity(%q, %q) = %v, want %v", group, user, got, want)
	}
}

// checkBoard compares a whole leaderboard (no limit cuts it) with the
// model's scores, order included.
func (f *fixture) checkBoard(group, period, cat string) {
	f.t.Helper()
	want := f.m.board(group, period, cat)
	got, err := f.s.Leaderboard(f.t.Context(), group, period, cat, len(want)+10)
	if err != nil {
		f.t.Fatalf("Leaderboard(%q, %q, %q): %v", group, period, cat, err)
	}
	if !equalScores(got, want) {
		f.t.Errorf("Leaderboard(%q, %q, %q)\n got %s\nwant %s", group, period, cat, showScores(got), showScores(want))
	}
}

func (f *fixture) checkTallies(group, period string) {
	f.t.Helper()
	got, err := f.s.PeriodTallies(f.t.Context(), group, period)
	if err != nil {
		f.t.Fatalf("PeriodTallies(%q, %q): %v", group, period, err)
	}
	if want := f.m.tallies[[2]string{group, period}]; !equalCounts(got, want) {
		f.t.Errorf("PeriodTallies(%q, %q) = %v, want %v", group, period, got, want)
	}
}

// ---- comparisons that see through representation: a nil map or slice
// equals an empty one, and times are equal when they are the same instant.

func equalMember(a, b bot.Member) bool { return reflect.DeepEqual(normMember(a), normMember(b)) }

func normMember(m bot.Member) bot.Member {
	if len(m.Categories) == 0 {
		m.Categories = nil
	}
	if len(m.Ratings) == 0 {
		m.Ratings = nil
	}
	return m
}

func sortedMembers(ms []bot.Member) []bot.Member {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b bot.Member) int { return strings.Compare(a.Group+"\x00"+a.User, b.Group+"\x00"+b.User) })
	return ms
}

// equalMembers compares two lists of members as sets.
func equalMembers(got, want []bot.Member) bool {
	got, want = sortedMembers(got), sortedMembers(want)
	return slices.EqualFunc(got, want, equalMember)
}

func normReviews(rs []bot.Review) []bot.Review {
	if len(rs) == 0 {
		return nil
	}
	return rs
}

func showReviews(rs []bot.Review) string {
	var b strings.Builder
	for _, r := range rs {
		before := "nil"
		if r.Before != nil {
			before = fmt.Sprintf("%+v", *r.Before)
		}
		fmt.Fprintf(&b, "\n\t%+v before %s", r, before)
	}
	if len(rs) == 0 {
		b.WriteString("none")
	}
	return b.String()
}

func equalScore(a, b bot.Score) bool {
	return a.User == b.User && a.Name == b.Name && a.Points == b.Points && a.Tally == b.Tally && a.ReachedAt.Equal(b.ReachedAt) &&
		a.Days == b.Days && a.LastDay == b.LastDay
}

func equalScores(got, want []bot.Score) bool { return slices.EqualFunc(got, want, equalScore) }

func showScores(ss []bot.Score) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "\n\t%s (%s): %d points, %d/%d correct, reached %s, %d days to %s", s.User, s.Name, s.Points, s.Correct, s.Answered,
			s.ReachedAt.UTC().Format(time.RFC3339Nano), s.Days, s.LastDay)
	}
	if len(ss) == 0 {
		b.WriteString("none")
	}
	return b.String()
}

func users(ss []bot.Score) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.User)
	}
	return out
}

// equalCounts compares activity maps (day -> count) or tallies by category;
// a key whose value is zero equals a key absent: bot.Store does not say
// which a backend returns (bbolt lists a category that was only rated, with
// a zero tally).
func equalCounts[V comparable](got, want map[string]V) bool {
	for k, v := range got {
		if want[k] != v {
			return false
		}
	}
	for k, w := range want {
		if got[k] != w {
			return false
		}
	}
	return true
}

func equalPost(a, b bot.Post) bool {
	a.At, b.At = a.At.UTC(), b.At.UTC()
	return a == b
}

func normSchedule(s bot.Schedule) bot.Schedule {
	if len(s.Categories) == 0 {
		s.Categories = nil
	}
	if len(s.Weekdays) == 0 {
		s.Weekdays = nil
	}
	s.DailyUntil, s.DigestUntil = s.DailyUntil.UTC(), s.DigestUntil.UTC()
	return s
}

func equalSchedule(a, b bot.Schedule) bool {
	return reflect.DeepEqual(normSchedule(a), normSchedule(b))
}

func normRound(r bot.Round) bot.Round {
	if len(r.Scores) == 0 {
		r.Scores = nil
	}
	if len(r.Names) == 0 {
		r.Names = nil
	}
	r.Deadline, r.Lease = r.Deadline.UTC(), r.Lease.UTC()
	return r
}

func equalRound(a, b bot.Round) bool { return reflect.DeepEqual(normRound(a), normRound(b)) }

// claim is a claim of day made at t0, held ten minutes.
func claim(day string) bot.Claim {
	return bot.Claim{Day: day, At: t0, Until: t0.Add(10 * time.Minute)}
}
