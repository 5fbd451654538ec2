package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// replica is one prepbot process of several on one database: its own
// pool, its own bot, its own chat; the clock is shared.
type replica struct {
	db   bot.Store
	bot  *bot.Bot
	chat *dayChat
}

// dayChat records each post with the moment the shared clock showed.
type dayChat struct {
	clock   *bottest.Clock
	mu      sync.Mutex
	posts   []dayPost
	directs []dayPost // private messages: channel is the user
}

type dayPost struct {
	channel, title string
	at             time.Time
}

func (c *dayChat) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts = append(c.posts, dayPost{channel, r.Title, c.clock.Now()})
	return nil
}

func (c *dayChat) Direct(ctx context.Context, group, user string, r bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.directs = append(c.directs, dayPost{user, r.Title, c.clock.Now()})
	return nil
}

// replicas opens n replicas on one new schema.
func replicas(t *testing.T, n int, clock *bottest.Clock) []*replica {
	url := pgtest.Schema(t)
	bank := bottest.Bank(t)
	var out []*replica
	for range n {
		db := open(t, url)
		chat := &dayChat{clock: clock}
		b := bot.New(bot.Config{Bank: bank, Store: db, Clock: clock, Chat: chat, DrawLimit: -1})
		out = append(out, &replica{db: db, bot: b, chat: chat})
	}
	return out
}

// all runs fn on every replica at once and fails t on an error.
func all(t *testing.T, rs []*replica, fn func(r *replica) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(rs))
	for i, r := range rs {
		wg.Go(func() { errs[i] = fn(r) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
}

// posts returns every replica's posts whose title starts with prefix.
func posts(rs []*replica, prefix string) []dayPost {
	var out []dayPost
	for _, r := range rs {
		r.chat.mu.Lock()
		for _, p := range r.chat.posts {
			if strings.HasPrefix(p.title, prefix) {
				out = append(out, p)
			}
		}
		r.chat.mu.Unlock()
	}
	return out
}

// TestReplicasPostEachDayOnce runs three replicas on one database over
// three simulated weeks, every replica ticking at each quarter hour at
// the same moment: every channel gets its question of the day exactly
// once on each of its days, and its weekly digest once a week.
func TestReplicasPostEachDayOnce(t *testing.T) {
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday
	clock := bottest.NewClock(start)
	rs := replicas(t, 3, clock)
	ctx := t.Context()
	schedules := []bot.Schedule{
		{Group: "g", Channel: "C1", Time: "09:00", TimeZone: "UTC", DigestDay: "fri"},
		{Group: "g", Channel: "C2", Time: "17:30", TimeZone: "America/New_York",
			Weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Friday}},
		{Group: "g", Channel: "C3", Time: "06:15", TimeZone: "Asia/Kolkata", DigestDay: "mon"},
		{Group: "h", Channel: "C4", Time: "23:40", TimeZone: "Pacific/Kiritimati"},
	}
	for _, s := range schedules {
		if err := rs[0].db.SaveSchedule(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	const days = 21
	end := start.Add(days * 24 * time.Hour)
	for clock.Now().Before(end) {
		clock.Add(15 * time.Minute)
		all(t, rs, func(r *replica) error { _, err := r.bot.Tick(ctx); return err })
	}

	for _, s := range schedules {
		loc, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			t.Fatal(err)
		}
		daily, digest := map[string]int{}, map[string]int{}
		for _, p := range posts(rs, "") {
			if p.channel != s.Channel {
				continue
			}
			day := p.at.In(loc).Format("2006-01-02")
			switch {
			case strings.HasPrefix(p.title, "Question of the day"):
				daily[day]++
			case p.title == "This week in study":
				digest[day]++
			default:
				t.Errorf("%s: unexpected post %q", s.Channel, p.title)
			}
		}
		wantDaily, wantDigest := 0, 0
		for d := start.In(loc); !d.After(end.In(loc)); d = d.AddDate(0, 0, 1) {
			day := d.Format("2006-01-02")
			at, _ := time.ParseInLocation("2006-01-02 15:04", day+" "+s.Time, loc)
			if at.Before(start) || at.After(end) {
				continue
			}
			if s.PostsOn(at.Weekday()) {
				wantDaily++
				if daily[day] != 1 {
					t.Errorf("%s on %s: %d questions of the day, want 1", s.Channel, day, daily[day])
				}
			}
			if s.DigestDay != "" && strings.EqualFold(at.Weekday().String()[:3], s.DigestDay) {
				wantDigest++
				if digest[day] != 1 {
					t.Errorf("%s on %s: %d digests, want 1", s.Channel, day, digest[day])
				}
			}
		}
		if got := sum(daily); got != wantDaily {
			t.Errorf("%s: %d questions of the day in %d days, want %d", s.Channel, got, days, wantDaily)
		}
		if got := sum(digest); got != wantDigest {
			t.Errorf("%s: %d digests, want %d", s.Channel, got, wantDigest)
		}
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestReplicasDriveARoundOnce starts a study round on one replica while
// three tick the rounds at the same moments: each card is dealt and
// revealed once, and the round ends once.
func TestReplicasDriveARoundOnce(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	rs := replicas(t, 3, clock)
	ctx := t.Context()
	const cards = 4
	_, err := rs[0].bot.Handle(ctx, bot.Request{Platform: "console", Group: "g", Channel: "R1",
		User: bot.User{ID: "ann", Name: "Ann"}, Command: "study",
		Args: map[string]string{"count": fmt.Sprint(cards), "seconds": "10"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 12 * cards {
		clock.Add(time.Second)
		all(t, rs, func(r *replica) error { return r.bot.TickRounds(ctx) })
	}
	for i := 1; i <= cards; i++ {
		if n := len(posts(rs, fmt.Sprintf("Time! Card %d of %d", i, cards))); n != 1 {
			t.Errorf("card %d revealed %d times, want 1", i, n)
		}
	}
	for i := 2; i <= cards; i++ {
		if n := len(posts(rs, fmt.Sprintf("Study round: card %d of %d", i, cards))); n != 1 {
			t.Errorf("card %d dealt %d times, want 1", i, n)
		}
	}
	if n := len(posts(rs, "Study round over")); n != 1 {
		t.Errorf("the round ended %d times, want 1", n)
	}
}

// stallChat is a replica's chat that hangs on its first post until
// released: the replica stalls (or dies) in the middle of a round's step.
type stallChat struct {
	*dayChat
	once    sync.Once
	stalled chan struct{}
	release chan struct{}
}

func (c *stallChat) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	first := false
	c.once.Do(func() { first = true })
	if first {
		close(c.stalled)
		<-c.release
	}
	return c.dayChat.Post(ctx, group, channel, r)
}

// TestReplicasTakeOverAStalledRound: the replica that claimed a round's
// step stalls before posting; when its lease runs out, another replica
// makes the step, and the round goes on and ends once. When the stalled
// replica wakes up, it finds the step made and deals nothing.
func TestReplicasTakeOverAStalledRound(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	rs := replicas(t, 3, clock)
	ctx := t.Context()
	stall := &stallChat{dayChat: rs[0].chat, stalled: make(chan struct{}), release: make(chan struct{})}
	rs[0].bot.SetChat(stall)
	const cards = 3
	_, err := rs[1].bot.Handle(ctx, bot.Request{Platform: "console", Group: "g", Channel: "R1",
		User: bot.User{ID: "ann", Name: "Ann"}, Command: "study",
		Args: map[string]string{"count": fmt.Sprint(cards), "seconds": "10"}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(11 * time.Second) // card 1's time is up
	stalled := make(chan error, 1)
	go func() { stalled <- rs[0].bot.TickRounds(ctx) }()
	<-stall.stalled // replica 0 claimed the step and hangs posting the reveal
	live := rs[1:]
	all(t, live, func(r *replica) error { return r.bot.TickRounds(ctx) })
	if n := len(posts(rs, "Time! Card 1")); n != 0 {
		t.Fatalf("card 1 revealed %d times while replica 0 holds the step, want 0", n)
	}
	for range 40 * cards {
		clock.Add(time.Second)
		all(t, live, func(r *replica) error { return r.bot.TickRounds(ctx) })
	}
	close(stall.release)
	if err := <-stalled; err != nil {
		t.Fatalf("the stalled replica's tick: %v", err)
	}
	for i := 2; i <= cards; i++ {
		if n := len(posts(rs, fmt.Sprintf("Study round: card %d of %d", i, cards))); n != 1 {
			t.Errorf("card %d dealt %d times, want 1", i, n)
		}
	}
	if n := len(posts(live, "Time! Card 1")); n != 1 {
		t.Errorf("card 1 revealed %d times by the live replicas, want 1 (after the lease ran out)", n)
	}
	if n := len(posts(rs, "Study round over")); n != 1 {
		t.Errorf("the round ended %d times, want 1", n)
	}
}

// TestAbandonedRoundIsClosed: a round whose card's time ran out while
// every replica was down is closed with its scoreboard, not resumed.
func TestAbandonedRoundIsClosed(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	rs := replicas(t, 2, clock)
	ctx := t.Context()
	_, err := rs[0].bot.Handle(ctx, bot.Request{Platform: "console", Group: "g", Channel: "R1",
		User: bot.User{ID: "ann", Name: "Ann"}, Command: "study", Args: map[string]string{"count": "3", "seconds": "10"}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour)
	all(t, rs, func(r *replica) error { return r.bot.TickRounds(ctx) })
	if n := len(posts(rs, "Study round closed")); n != 1 {
		t.Errorf("the abandoned round closed %d times, want 1", n)
	}
	if n := len(posts(rs, "Time!")) + len(posts(rs, "Study round: card")); n != 0 {
		t.Errorf("the abandoned round went on: %d reveals and cards posted", n)
	}
	if rounds, err := rs[1].db.Rounds(ctx); err != nil || len(rounds) != 0 {
		t.Errorf("rounds after closing = %v, %v; want none", rounds, err)
	}
}

// failChat is a replica's chat whose first post hangs until released and
// then fails: the replica dies between claiming a day and posting it.
type failChat struct {
	stallChat
}

func (c *failChat) Post(ctx context.Context, group, channel string, r bot.Reply) error {
	first := false
	c.once.Do(func() { first = true })
	if first {
		close(c.stalled)
		<-c.release
		return fmt.Errorf("the replica died")
	}
	return c.dayChat.Post(ctx, group, channel, r)
}

// TestReplicasTakeOverADailyClaim: the replica that claimed a channel's
// day stalls before posting; once the claim's lease has run out, another
// replica posts the day's question, and the stalled replica's failure
// afterwards does not release the day the other one posted.
func TestReplicasTakeOverADailyClaim(t *testing.T) {
	start := time.Date(2026, 11, 23, 8, 55, 0, 0, time.UTC)
	clock := bottest.NewClock(start)
	rs := replicas(t, 3, clock)
	ctx := t.Context()
	dead := &failChat{stallChat{dayChat: rs[0].chat, stalled: make(chan struct{}), release: make(chan struct{})}}
	rs[0].bot.SetChat(dead)
	if err := rs[0].db.SaveSchedule(ctx, bot.Schedule{Group: "g", Channel: "C1", Time: "09:00", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.Add(5 * time.Minute))
	stalled := make(chan error, 1)
	go func() { _, err := rs[0].bot.Tick(ctx); stalled <- err }()
	<-dead.stalled
	live := rs[1:]
	tick := func() { all(t, live, func(r *replica) error { _, err := r.bot.Tick(ctx); return err }) }
	tick()
	if n := len(posts(rs, "Question of the day")); n != 0 {
		t.Fatalf("%d questions posted while replica 0 holds the day's claim, want 0", n)
	}
	for clock.Now().Before(start.Add(5*time.Minute + bot.ClaimLease)) {
		clock.Add(time.Minute)
		tick()
	}
	if n := len(posts(live, "Question of the day")); n != 1 {
		t.Fatalf("%d questions posted by the live replicas once the claim expired, want 1", n)
	}
	close(dead.release)
	if err := <-stalled; err == nil {
		t.Fatal("the dead replica's tick reported no error")
	}
	for range 60 {
		clock.Add(time.Minute)
		tick()
	}
	if n := len(posts(rs, "Question of the day")); n != 1 {
		t.Errorf("%d questions of the day in all, want 1: the dead replica's failure released the day another replica posted", n)
	}
}

// TestReplicasShareTheDrawCooldown: a member who draws from each replica
// in turn gets the one allowance (5 cards a minute), not one per replica.
func TestReplicasShareTheDrawCooldown(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	url := pgtest.Schema(t)
	bank := bottest.Bank(t)
	var bots []*bot.Bot
	for range 3 {
		bots = append(bots, bot.New(bot.Config{Bank: bank, Store: open(t, url), Clock: clock})) // the default cooldown
	}
	draw := func(i int) error {
		_, err := bots[i%3].Handle(t.Context(), bot.Request{Platform: "console", Group: "g", Channel: "c",
			User: bot.User{ID: "ann", Name: "Ann"}, Command: "question"})
		return err
	}
	for i := range 5 {
		if err := draw(i); err != nil {
			t.Fatalf("draw %d: %v", i+1, err)
		}
		clock.Add(time.Second)
	}
	err := draw(5)
	if bot.ErrorCode(err) != bot.ETooMany {
		t.Fatalf("a sixth draw within a minute, on another replica: %v; want refused (too many)", err)
	}
	if msg := bot.ErrorMessage(err); !strings.Contains(msg, "55 seconds") {
		t.Errorf("the refusal says %q; want when to try again (in 55 seconds)", msg)
	}
	clock.Add(56 * time.Second)
	if err := draw(6); err != nil {
		t.Errorf("a draw once the first left the window: %v", err)
	}
}

// TestReplicasStartSeasonsAtOnce: two admins start seasons on two replicas
// at the same moment, while a third sets the daily question (which changes
// the group's time zone): every change is kept, none saved over another.
func TestReplicasStartSeasonsAtOnce(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	rs := replicas(t, 3, clock)
	ctx := t.Context()
	admin := func(name string) bot.User { return bot.User{ID: name, Name: name, Admin: true} }
	reqs := []bot.Request{
		{Platform: "console", Group: "g", Channel: "c", User: admin("ann"), Command: "season", Args: map[string]string{"sub": "start", "name": "Spring"}},
		{Platform: "console", Group: "g", Channel: "c", User: admin("bob"), Command: "season", Args: map[string]string{"sub": "start", "name": "Summer"}},
		{Platform: "console", Group: "g", Channel: "c", User: admin("cid"), Command: "qotd",
			Args: map[string]string{"sub": "set", "channel": "c", "time": "09:00", "timezone": "Asia/Tokyo"}},
	}
	all(t, rs, func(r *replica) error {
		for i, x := range rs {
			if x == r {
				_, err := r.bot.Handle(ctx, reqs[i])
				return err
			}
		}
		return nil
	})
	g, err := rs[0].db.Group(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{g.Season.Name}
	for _, s := range g.Seasons {
		names = append(names, s.Name)
	}
	if len(names) != 2 || g.Season.Name == "" || len(g.Seasons) != 1 {
		t.Errorf("after two seasons started at once: running %q, past %+v; want one running and the other ended", g.Season.Name, g.Seasons)
	}
	if g.TimeZone != "Asia/Tokyo" {
		t.Errorf("the group's time zone %q: the /qotd set made at the same time was lost", g.TimeZone)
	}
}
