package postgres_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/console"
	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// A disputed typed answer on PostgreSQL, through the console, with two
// replicas on one database: the member answers and disputes on one, admins
// on both see the dispute and accept it at once; the answer is re-scored
// once, in the week it was given, and the text counts for the group on
// either replica.
func TestDisputeAcrossReplicas(t *testing.T) {
	url := pgtest.Schema(t)
	clock := bottest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	bank := bottest.TestBank(t)
	var dbs []*postgres.DB
	var bots []*bot.Bot
	for range 2 {
		db := open(t, url)
		dbs = append(dbs, db)
		bots = append(bots, bot.New(bot.Config{Bank: bank, Store: db, Clock: clock}))
	}
	ctx := context.Background()
	buttonRE := regexp.MustCompile(`\[(\d+)\] ([^\[\n]+?)(?:  |$|\n)`)
	type session struct {
		c   *console.Console
		out *bytes.Buffer
	}
	user := func(b *bot.Bot, name string) *session {
		out := &bytes.Buffer{}
		return &session{c: console.New(console.Options{Bot: b, Out: out, User: name, PictureDir: t.TempDir()}), out: out}
	}
	do := func(s *session, line string) string {
		s.out.Reset()
		s.c.Exec(ctx, line)
		return s.out.String()
	}
	press := func(s *session, out, label string) string {
		t.Helper()
		for _, m := range buttonRE.FindAllStringSubmatch(out, -1) {
			if strings.TrimSpace(m[2]) == label {
				return do(s, m[1])
			}
		}
		t.Fatalf("no button %q in:\n%s", label, out)
		return ""
	}
	typeAnswer := func(s *session, text string) string {
		t.Helper()
		for range 6 {
			out := do(s, "/question category:networking")
			if strings.Contains(out, "(networking-dns-ttl)") {
				press(s, out, "Type answer")
				return do(s, text)
			}
		}
		t.Fatal("never drew the typed card")
		return ""
	}

	alice := user(bots[0], "alice")
	verdict := typeAnswer(alice, "time to live")
	bottest.MustContain(t, verdict, "Not quite")
	bottest.MustContain(t, press(alice, verdict, "Dispute"), "Dispute #1 sent")
	for i, b := range bots {
		bottest.MustContain(t, do(user(b, "admin"+strconv.Itoa(i)), "/disputes"), "alice typed “time to live”")
	}

	clock.Add(7 * 24 * time.Hour)
	outs := make([]string, len(bots))
	var wg sync.WaitGroup
	for i, b := range bots {
		s := user(b, "admin"+strconv.Itoa(i))
		wg.Go(func() { outs[i] = do(s, "/accept 1") })
	}
	wg.Wait()
	if n := strings.Count(strings.Join(outs, "\n"), "Dispute #1 accepted"); n != 1 {
		t.Errorf("%d replicas decided the dispute, want 1:\n%s", n, strings.Join(outs, "\n"))
	}
	m, err := dbs[1].Member(ctx, "console", "alice")
	if err != nil || m.Points != 15 || m.Correct != 1 || m.Answered != 1 || m.Streak != 1 {
		t.Errorf("alice after two accepts at once: %+v, %v", m, err)
	}
	for period, want := range map[string]int{"w2026-W48": 15, "w2026-W49": 0} {
		if _, s, err := dbs[0].Rank(ctx, "console", period, "", "alice", bot.ByPoints); err != nil || s.Points != want {
			t.Errorf("alice's %s score: %+v, %v; want %d points", period, s, err, want)
		}
	}
	if act, err := dbs[0].Activity(ctx, "console", "alice"); err != nil || len(act) != 1 || act["2026-11-25"] != 1 {
		t.Errorf("alice's activity: %v, %v", act, err)
	}
	bottest.MustContain(t, typeAnswer(user(bots[1], "bob"), "time to live"), "Correct! +15 points")
	bottest.MustContain(t, do(user(bots[1], "alice"), "/help"), "Your dispute #1", "Accepted")
}
