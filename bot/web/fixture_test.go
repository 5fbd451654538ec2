package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/web"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/storage"
)

// now is the fixture's clock: Wednesday 25 November 2026, 08:00 UTC.
var now = bottest.RigStart

const groupA, groupB = "discord:100", "discord:200"

// fixture is the pages on a real database with two groups, served on
// 127.0.0.1.
type fixture struct {
	t     testing.TB
	db    *storage.DB
	bank  *questionbank.Bank
	clock *bottest.Clock
	web   *web.Server
	srv   *httptest.Server
	post  atomic.Uint64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, bottest.OpenDB(t))
}

func newFixtureOn(t testing.TB, db *storage.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, bank: bottest.Bank(t), clock: bottest.NewClock(now)}
	var err error
	f.web, err = web.New(web.Config{Store: db, Bank: f.bank, BaseURL: "http://127.0.0.1", Secret: []byte("a test secret of enough length"), Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	f.web.Routes(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// pagesOn turns a group's pages on, as /web on does.
func (f *fixture) pagesOn(group string, on bool) {
	f.t.Helper()
	if err := f.db.UpdateGroup(context.Background(), group, func(g *bot.Group) error { g.Web = on; return nil }); err != nil {
		f.t.Fatal(err)
	}
}

// answer records a member's answer to a card of a category, days ago.
func (f *fixture) answer(group, user, name string, card *questionbank.Card, correct bool, daysAgo int) {
	f.t.Helper()
	at := now.AddDate(0, 0, -daysAgo)
	a := &bot.Answer{Kind: bot.KindAnswer, Group: group, Channel: "c1", User: user, UserName: name, PostID: f.post.Add(1),
		CardID: card.ID, Category: card.Category, Correct: correct, At: at, Day: bot.Day(at, time.UTC), Periods: bot.Periods(at, time.UTC), Zone: "UTC"}
	if correct {
		a.Points = bot.PointsMedium
	}
	if _, err := f.db.Record(context.Background(), a); err != nil {
		f.t.Fatal(err)
	}
}

// card returns the bank's n-th card of a category.
func (f *fixture) card(category string, n int) *questionbank.Card {
	for _, c := range f.bank.Cards() {
		if c.Category == category {
			if n == 0 {
				return c
			}
			n--
		}
	}
	f.t.Fatalf("no card %d in %s", n, category)
	return nil
}

// seed fills group A: ann leads with a streak of 4 days, bob follows, and
// a member whose nickname is markup; group B has its own member, carol.
func (f *fixture) seed() {
	cats := f.bank.Categories()
	c0, c1 := cats[0].ID, cats[1].ID
	for d := 3; d >= 0; d-- {
		f.answer(groupA, "ann", "Ann", f.card(c0, d), true, d)
	}
	f.answer(groupA, "ann", "Ann", f.card(c1, 0), false, 10)
	f.answer(groupA, "ann", "Ann", f.card(c1, 0), false, 1) // forgotten again
	f.answer(groupA, "bob", "Bob", f.card(c0, 0), true, 0)
	f.answer(groupA, "eve", `<script>alert("x")</script>`, f.card(c1, 1), true, 0)
	f.answer(groupB, "carol", "Carol of B", f.card(c0, 0), true, 0)
	f.pagesOn(groupA, true)
	ctx := context.Background()
	if err := f.db.SaveSchedule(ctx, bot.Schedule{Group: groupA, Channel: "#study", Time: "09:00", TimeZone: "UTC", By: "boss", DigestDay: "fri"}); err != nil {
		f.t.Fatal(err)
	}
}

// get fetches a path and returns its status and body.
func (f *fixture) get(path string) (int, string) {
	f.t.Helper()
	res, err := http.Get(f.srv.URL + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// memberPath is the path of a member's signed link.
func (f *fixture) memberPath(group, user string) string {
	f.t.Helper()
	u, err := f.web.MemberURL(group, user)
	if err != nil {
		f.t.Fatal(err)
	}
	_, path, _ := strings.Cut(u, "127.0.0.1")
	return path
}
