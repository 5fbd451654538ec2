package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
)

// identifyWindow is the time between two buckets of shards: max_concurrency
// is "the number of identify requests allowed per 5 seconds"
// (https://discord.com/developers/docs/events/gateway#session-start-limit-object).
const identifyWindow = 5 * time.Second

// shardPlan is Config.Shards parsed: every shard Discord recommends
// (auto), or shard id of count.
type shardPlan struct {
	auto      bool
	id, count int
}

func parseShards(v string) (shardPlan, error) {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, "auto") {
		return shardPlan{auto: true}, nil
	}
	ids, counts, ok := strings.Cut(v, "/")
	id, err1 := strconv.Atoi(strings.TrimSpace(ids))
	count, err2 := strconv.Atoi(strings.TrimSpace(counts))
	if !ok || err1 != nil || err2 != nil || count < 1 || id < 0 || id >= count {
		return shardPlan{}, fmt.Errorf(`discord.shards %q: give "auto" (this process runs every shard Discord recommends) `+
			`or "ID/COUNT" such as "0/4" (this process runs shard ID of COUNT, 0 <= ID < COUNT)`, v)
	}
	return shardPlan{id: id, count: count}, nil
}

// shard is one gateway connection: a discordgo session with its shard
// id and count.
type shard struct {
	id, count int
	s         *discordgo.Session
	ready     atomic.Bool
}

func (sh *shard) String() string { return fmt.Sprintf("%d/%d", sh.id, sh.count) }

// gatewayShards is the adapter's gateway: the shards it runs.
type gatewayShards struct {
	mu     sync.Mutex
	want   int // shards this process runs, once Start has planned them
	shards []*shard
	closed bool
	stop   context.CancelFunc // ends a Start under way

	// sleep waits between buckets of shards; tests make it take no time.
	sleep func(ctx context.Context, d time.Duration) error
}

func (g *gatewayShards) init() {
	g.sleep = func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ready reports whether every shard planned is open and ready.
func (g *gatewayShards) ready() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.want == 0 || len(g.shards) < g.want {
		return false
	}
	for _, sh := range g.shards {
		if !sh.ready.Load() {
			return false
		}
	}
	return true
}

// add keeps a shard for Close, unless Close has been called.
func (g *gatewayShards) add(sh *shard) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.shards = append(g.shards, sh)
	return true
}

// take returns the shards and forgets them (closed, when Close takes them).
func (g *gatewayShards) take(closing bool) []*shard {
	g.mu.Lock()
	defer g.mu.Unlock()
	if closing {
		g.closed = true
		if g.stop != nil {
			g.stop()
		}
	}
	sh := g.shards
	g.shards = nil
	return sh
}

var errClosed = errors.New("discord: the adapter was closed")

// newSession returns a session with the adapter's settings and its HTTP
// client (once New has made it).
func (a *Adapter) newSession() (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + a.cfg.Token)
	if err != nil {
		return nil, err
	}
	if a.s != nil {
		s.Client = a.s.Client
	}
	a.setup(s)
	return s, nil
}

// newShard returns the session of shard id of count, not yet open.
func (a *Adapter) newShard(id, count int) (*shard, error) {
	s, err := a.newSession()
	if err != nil {
		return nil, err
	}
	sh := &shard{id: id, count: count, s: s}
	s.ShardID, s.ShardCount = id, count // discordgo sends [id, count] in Identify when count > 1
	s.ShouldReconnectOnError = true
	// Handlers run in order on the event loop, so a late Disconnect cannot
	// undo the Resumed that follows it; interactions are handed to their
	// own goroutines at once (inflight.Go).
	s.SyncEvents = true
	s.Identify.Intents = discordgo.IntentsGuilds
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		sh.ready.Store(true)
		a.log.Info("gateway ready", "shard", sh.String(), "user", r.User.Username, "guilds", len(r.Guilds))
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { sh.ready.Store(true) })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) { sh.ready.Store(false) })
	s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
		a.inflight.Go(func() { a.onGateway(ic.Interaction) })
	})
	return sh, nil
}

// openGateway opens the shards this process runs, bucket by bucket
// (https://discord.com/developers/docs/events/gateway#sharding, "Max
// Concurrency"): a shard's rate limit key is shard_id % max_concurrency,
// each key allows one Identify per 5 seconds, and buckets start in order,
// so shards 0 to max_concurrency-1 identify together, the next
// max_concurrency 5 seconds later, and so on.
func (a *Adapter) openGateway(ctx context.Context) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.gw.mu.Lock()
	if a.gw.closed {
		a.gw.mu.Unlock()
		return errClosed
	}
	a.gw.stop = cancel
	a.gw.mu.Unlock()
	defer func() {
		if err != nil { // leave nothing running
			closeShards(a.gw.take(false))
		}
	}()

	var gb *discordgo.GatewayBotResponse
	err = a.retry(ctx, func() error {
		var err error
		gb, err = a.s.GatewayBot(discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return fmt.Errorf("discord: GET /gateway/bot (is discord.token right?): %w", err)
	}
	var ids []int
	count := a.shards.count
	if a.shards.auto {
		count = max(gb.Shards, 1)
		for id := range count {
			ids = append(ids, id)
		}
	} else {
		ids = []int{a.shards.id}
		if count < gb.Shards {
			a.log.Warn("fewer shards than Discord recommends: a shard holds at most 2,500 guilds, and Discord closes one with more (4011 Sharding required)",
				"shards", count, "recommended", gb.Shards)
		}
	}
	limit := gb.SessionStartLimit
	if limit.Remaining < len(ids) {
		return fmt.Errorf("discord: Discord allows %d more gateway session starts (of %d a day) until its limit resets in %v, and starting %d shard(s) takes %d; "+
			"past the limit Discord ends every session and resets the token. Wait for the reset, or serve interactions over HTTP alone (discord.public_key without discord.token)",
			limit.Remaining, limit.Total, (time.Duration(limit.ResetAfter) * time.Millisecond).Round(time.Minute), len(ids), len(ids))
	}
	conc := max(limit.MaxConcurrency, 1)
	a.gw.mu.Lock()
	a.gw.want = len(ids)
	a.gw.mu.Unlock()
	a.log.Info("opening the gateway", "shards", fmt.Sprint(ids), "of", count, "max_concurrency", conc, "session_starts_left", limit.Remaining)

	// bucket b holds the shards whose id / max_concurrency is b; a process
	// that runs shard ID of COUNT waits for the buckets before its own, as
	// if every process had started at once
	buckets := map[int][]int{}
	for _, id := range ids {
		buckets[id/conc] = append(buckets[id/conc], id)
	}
	order := make([]int, 0, len(buckets))
	for b := range buckets {
		order = append(order, b)
	}
	slices.Sort(order)
	prev := 0
	for _, b := range order {
		if d := time.Duration(b-prev) * identifyWindow; d > 0 {
			if err := a.gw.sleep(ctx, d); err != nil {
				return fmt.Errorf("discord gateway: stopped before shards %v: %w", buckets[b], err)
			}
		}
		prev = b
		if err := a.openBucket(buckets[b], count); err != nil {
			return err
		}
	}
	return nil
}

// openBucket opens shards together.
func (a *Adapter) openBucket(ids []int, count int) error {
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		sh, err := a.newShard(id, count)
		if err != nil {
			return err
		}
		if !a.gw.add(sh) {
			return errClosed
		}
		wg.Go(func() {
			if err := sh.s.Open(); err != nil {
				errs[i] = fmt.Errorf("discord gateway, shard %s: %w", sh, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// closeGateway closes every shard at once, and waits for them.
func (a *Adapter) closeGateway() error { return closeShards(a.gw.take(true)) }

func closeShards(shards []*shard) error {
	errs := make([]error, len(shards))
	var wg sync.WaitGroup
	for i, sh := range shards {
		wg.Go(func() {
			// A heartbeat that fails on the close frame Close sends makes
			// discordgo reconnect, and its reconnect loop, once started,
			// never ends: it must not start. (Set under the session's
			// lock, which discordgo's own Close takes before it
			// reconnects, and Open holds while it connects.)
			sh.s.Lock()
			sh.s.ShouldReconnectOnError = false
			sh.s.Unlock()
			errs[i] = sh.s.Close()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
