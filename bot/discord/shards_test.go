package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/discord/discordtest"
)

// gatewayClock makes the adapter's waits between buckets of shards, and
// the fake's 5-second windows of max_concurrency, run on one clock that
// only moves when the adapter waits.
func (r *rig) gatewayClock() *bottest.Clock {
	c := bottest.NewClock(bottest.RigStart)
	r.f.SetClock(c.Now)
	r.a.gw.sleep = c.Sleep
	return c
}

// Discord recommends 6 shards and lets 2 identify together: the adapter
// runs all 6, each identifies once with [id, 6], and they go in buckets
// of 2, 5 seconds apart (the fake refuses, and fails the test on, an
// Identify that comes sooner for its rate limit key).
func TestShardsAutoIdentifiesEveryShardOnceInBuckets(t *testing.T) {
	r := newRig(t, Config{Shards: "auto"})
	r.f.SetGatewayBot(6, 1000, 2)
	clock := r.gatewayClock()
	start := clock.Now()
	if err := r.a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		r.f.WaitConnected()
	}
	at := map[int]time.Duration{}
	for _, id := range r.f.Identifies() {
		if id.Refused != "" {
			t.Errorf("shard %v refused: %s", id.Shard, id.Refused)
		}
		if !id.Sharded || id.Shard[1] != 6 {
			t.Errorf("identified as %v (sharded %v), want [id, 6]", id.Shard, id.Sharded)
		}
		if _, twice := at[id.Shard[0]]; twice {
			t.Errorf("shard %d identified twice", id.Shard[0])
		}
		at[id.Shard[0]] = id.At.Sub(start)
	}
	for sh := range 6 {
		want := time.Duration(sh/2) * 5 * time.Second // shards 0 and 1 at once, 2 and 3 at 5s, 4 and 5 at 10s
		if got, ok := at[sh]; !ok || got != want {
			t.Errorf("shard %d identified at %v (identified: %v), want %v", sh, got, ok, want)
		}
	}
	if !r.a.Ready() {
		t.Error("not ready with every shard connected")
	}
	// an interaction on any shard is answered
	ic := interaction(2, command("help"), "0")
	ic["guild_id"] = discordtest.GuildID(2) // guild 2 is on shard 3
	r.f.dispatch("INTERACTION_CREATE", ic)
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "/leaderboard")
}

// One Discord shard (recommended: 1) connects as before: no shard array.
func TestShardsAutoWithOneShardSendsNoShardArray(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	ids := r.f.Identifies()
	if len(ids) != 1 || ids[0].Sharded || ids[0].Refused != "" {
		t.Fatalf("identifies: %+v, want one without a shard array", ids)
	}
}

// "5/8": this process runs shard 5 alone, after the buckets before its own
// (5 / max_concurrency 2 = bucket 2: 10 seconds).
func TestShardsOneOfManyPerProcess(t *testing.T) {
	r := newRig(t, Config{Shards: "5/8"})
	r.f.SetGatewayBot(8, 1000, 2)
	clock := r.gatewayClock()
	start := clock.Now()
	r.start()
	ids := r.f.Identifies()
	if len(ids) != 1 || ids[0].Shard != [2]int{5, 8} || !ids[0].Sharded {
		t.Fatalf("identifies: %+v, want shard [5, 8] alone", ids)
	}
	if got := ids[0].At.Sub(start); got != 10*time.Second {
		t.Errorf("identified %v after start, want 10s (after buckets 0 and 1)", got)
	}
	if n := r.f.Connections(); n != 1 {
		t.Errorf("%d gateway connections, want 1", n)
	}
	if !r.a.Ready() {
		t.Error("not ready")
	}
}

// Starting more shards than Discord has session starts left would end
// every session and reset the token: Start refuses, and says why.
func TestShardsRefusedWhenTooFewSessionStartsAreLeft(t *testing.T) {
	for _, tc := range []struct {
		shards               string
		recommend, remaining int
		want                 string
	}{
		{"auto", 4, 3, "allows 3 more gateway session starts (of 1000 a day) until its limit resets in 4h0m0s, and starting 4 shard(s) takes 4"},
		{"1/2", 2, 0, "allows 0 more gateway session starts"},
	} {
		t.Run(tc.shards, func(t *testing.T) {
			r := newRig(t, Config{Shards: tc.shards})
			r.f.SetGatewayBot(tc.recommend, tc.remaining, 1)
			r.gatewayClock()
			err := r.a.Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start: %v\nwant an error saying %q", err, tc.want)
			}
			if ids := r.f.Identifies(); len(ids) != 0 {
				t.Errorf("identified anyway: %+v", ids)
			}
			if r.a.Ready() {
				t.Error("ready")
			}
		})
	}
}

func TestShardsConfig(t *testing.T) {
	for _, ok := range []string{"", "auto", "AUTO", "0/1", "3/4", " 1 / 2 "} {
		if _, err := New(Config{Token: "x", Shards: ok}, nil); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"4/4", "-1/2", "1/0", "2", "a/b", "1/2/3", "all"} {
		_, err := New(Config{Token: "x", Shards: bad}, nil)
		if err == nil || !strings.Contains(err.Error(), "discord.shards") {
			t.Errorf("%q: %v, want an error naming discord.shards", bad, err)
		}
	}
}

// Ready is true only when every shard is: not while one is still
// connecting, nor while one that dropped has not resumed.
func TestShardsReadyOnlyWhenEveryShardIs(t *testing.T) {
	r := newRig(t, Config{})
	r.f.SetGatewayBot(3, 1000, 3)
	r.gatewayClock()
	release := r.f.HoldShard(2)
	defer release()
	started := make(chan error, 1)
	go func() { started <- r.a.Start(context.Background()) }()
	r.f.WaitConnected()
	r.f.WaitConnected()
	if r.a.Ready() {
		t.Fatal("ready while shard 2 waits for READY")
	}
	release()
	if err := bottest.Await(t, "Start to return", started); err != nil {
		t.Fatal(err)
	}
	r.f.WaitConnected()
	if !r.a.Ready() {
		t.Fatal("not ready with every shard connected")
	}

	release = r.f.HoldShard(1)
	defer release()
	r.f.DropShard(1)
	bottest.WaitUntil(t, "the adapter to see shard 1 drop", func() bool { return !r.a.Ready() })
	release()
	r.f.WaitConnected() // resumed
	bottest.WaitUntil(t, "shard 1 to resume", r.a.Ready)
	if r.f.Resumes() != 1 {
		t.Errorf("%d resumes, want 1", r.f.Resumes())
	}
}

// Close closes every shard's connection, and waits for them.
func TestCloseClosesEveryShard(t *testing.T) {
	r := newRig(t, Config{})
	r.f.SetGatewayBot(4, 1000, 4)
	r.gatewayClock()
	if err := r.a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.f.AwaitConnections(4)
	if err := r.a.Close(); err != nil {
		t.Fatal(err)
	}
	r.f.AwaitConnections(0)
	if r.a.Ready() {
		t.Error("ready after Close")
	}
	if err := r.a.Start(context.Background()); err == nil {
		t.Error("Start after Close connected again")
	}
}

// discordgo keeps no cache of the guilds and channels the gateway
// announces: nothing reads it. (With Config.StateCache, which only the
// memory measurement sets, it does: the test can see a cache.)
func TestStateCacheOff(t *testing.T) {
	for _, cache := range []bool{false, true} {
		r := newRig(t, Config{StateCache: cache})
		r.f.Guilds(3, 5)
		r.start()
		// events are handled in order: once the interaction sent after
		// the guilds is answered, the guilds have been handled
		r.f.dispatch("INTERACTION_CREATE", interaction(2, command("help"), "0"))
		r.f.next("/interactions/")
		r.a.gw.mu.Lock()
		st := r.a.gw.shards[0].s.State
		r.a.gw.mu.Unlock()
		st.RLock()
		guilds := len(st.Guilds)
		st.RUnlock()
		_, chErr := st.Channel(discordtest.ChannelID(1, 3))
		if cache {
			if guilds != 3 || chErr != nil {
				t.Fatalf("cache on: %d guilds (want 3), channel: %v", guilds, chErr)
			}
			continue
		}
		if guilds != 0 || chErr == nil {
			t.Errorf("cache off, yet the state holds %d guilds and channel %s (%v)", guilds, discordtest.ChannelID(1, 3), chErr)
		}
		if st.User == nil || st.User.ID != "bot1" {
			t.Errorf("the state keeps the bot's own user (READY), got %+v", st.User)
		}
	}
}
