package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prepbot/prepbot/bot/discord"
	"github.com/prepbot/prepbot/bot/discord/discordtest"
)

// The gateway's memory: one process whose Discord adapter is connected to
// a fake gateway (discordtest, on 127.0.0.1) that announces 10,000 guilds
// of 50 channels each, as Discord does after READY (a GUILD_CREATE a
// guild, with its channels, roles and the bot's member). The adapter runs
// in a child process (this program again, told so by gatewayChildEnv), so
// its resident memory is its own and not the fake's; it reads it from
// /proc/self/status after a GC once every guild has been handled. The
// baseline is the same process with discordgo's state cache on, as the
// adapter had it before.
const (
	gatewayGuilds   = 10_000
	gatewayChannels = 50
	// 10 shards of about 1,000 guilds (a shard holds at most 2,500).
	gatewayShards = 10
	// All 10 identify together. A bot of 10,000 guilds has
	// max_concurrency 1, and its shards would start over 45 seconds: the
	// same memory, later.
	gatewayConcurrency = 16

	gatewayChildEnv = "PREPBENCH_GATEWAY_CHILD" // the fake's API URL
	gatewayCacheEnv = "PREPBENCH_GATEWAY_CACHE" // "on": discordgo's state cache on
)

func init() {
	// The child: connect, then measure when told (see gatewayChild).
	if api := os.Getenv(gatewayChildEnv); api != "" {
		if err := gatewayChild(api, os.Getenv(gatewayCacheEnv) == "on", os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "prepbench gateway child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// gatewayLoad is what the fake gateway announces.
type gatewayLoad struct{ guilds, channels, shards int }

// gatewayRSS is what one child reports.
type gatewayRSS struct {
	before, after int64 // resident memory before the gateway and with every guild handled
	peak          int64 // the most it was resident at once (VmHWM), while the guilds arrived
	heap          int64 // the Go heap in use, with every guild handled
	took          time.Duration
}

// benchGateway is measurement 8: resident memory with the gateway
// announcing 10,000 guilds of 50 channels, discordgo's state cache off
// (as the adapter runs) and on (the baseline).
func benchGateway(_ string, _ map[int]float64) ([]row, float64, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, 0, err
	}
	run := map[bool]gatewayRSS{}
	for _, cache := range []bool{false, true} {
		name := map[bool]string{false: "off", true: "on"}[cache]
		progress("gateway: %d guilds of %d channels on %d shards, discordgo's state cache %s", gatewayGuilds, gatewayChannels, gatewayShards, name)
		m, err := gatewayRun(exe, cache, gatewayLoad{gatewayGuilds, gatewayChannels, gatewayShards})
		if err != nil {
			return nil, 0, fmt.Errorf("state cache %s: %w", name, err)
		}
		progress("gateway: every guild handled %v after start; RSS %s before connecting, %s after (Go heap in use %s), at most %s",
			m.took.Round(10*time.Millisecond), megabytes(m.before), megabytes(m.after), megabytes(m.heap), megabytes(m.peak))
		run[cache] = m
	}
	off, on := run[false], run[true]
	return []row{
		{8, "RSS, gateway: 10k guilds x 50 channels, cache off", megabytes(off.after), megabytes(on.after) + " (cache on)",
			ratio(float64(off.after), float64(on.after)), "< 200 MB", off.after < 200e6},
		{8, "RSS, the same with discordgo's state cache on", megabytes(on.after), megabytes(on.before) + " (before connecting)",
			ratio(float64(on.after), float64(on.before)), "-", false},
		{8, "peak RSS while the guilds arrive, cache off", megabytes(off.peak), megabytes(on.peak) + " (cache on)",
			ratio(float64(off.peak), float64(on.peak)), "-", false},
	}, float64(off.after), nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// gatewayRun starts a fake Discord, and a child whose adapter connects to
// it; waits until the child has handled every guild; and has it measure.
func gatewayRun(exe string, cache bool, load gatewayLoad) (m gatewayRSS, err error) {
	tb := &benchTB{}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(benchFatal)
			if !ok {
				panic(r)
			}
			err = errors.Join(err, f)
		}
		err = errors.Join(err, tb.finish())
	}()
	f := discordtest.New(tb)
	f.SetGatewayBot(load.shards, 1000, gatewayConcurrency)
	f.Guilds(load.guilds, load.channels)

	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), gatewayChildEnv+"="+f.APIURL(), gatewayCacheEnv+"="+map[bool]string{false: "off", true: "on"}[cache])
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return m, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return m, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	defer func() {
		stdin.Close() // the child closes the adapter and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case werr := <-done:
			if werr != nil {
				err = errors.Join(err, fmt.Errorf("the child: %w", werr))
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			err = errors.Join(err, errors.New("the child did not exit"))
		}
	}()
	out := bufio.NewReader(stdout)
	line := func(what string) ([]string, error) {
		l, err := out.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("the child, %s: %w", what, err)
		}
		return strings.Fields(l), nil
	}
	w, err := line("starting")
	if err != nil {
		return m, err
	}
	if len(w) != 2 || w[0] != "started" {
		return m, fmt.Errorf("the child says %q", w)
	}
	m.before, _ = strconv.ParseInt(w[1], 10, 64)

	// every shard has been sent its guilds...
	for deadline := time.Now().Add(5 * time.Minute); f.Connected() < load.shards; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return m, fmt.Errorf("%d of %d shards connected in 5 minutes", f.Connected(), load.shards)
		}
	}
	// ...and has handled them: each shard handles its events in order, so
	// an interaction sent after the guilds is answered after them
	for k := range load.shards {
		g := (k + load.shards - 1) % load.shards // guild g is on shard (g+1) % shards
		f.Dispatch("INTERACTION_CREATE", map[string]any{"id": fmt.Sprint(950000 + k), "application_id": "app1", "type": 2,
			"token": fmt.Sprint("tok-gw-", k), "version": 1, "guild_id": discordtest.GuildID(g), "channel_id": discordtest.ChannelID(g, 1),
			"member": map[string]any{"user": map[string]any{"id": "u1", "username": "ann"}, "permissions": "0", "roles": []any{}},
			"data":   map[string]any{"id": "cmd-help", "name": "help", "type": 1, "options": []any{}}})
	}
	for range load.shards {
		f.Next("/interactions/")
	}
	m.took = time.Since(start)

	if _, err := io.WriteString(stdin, "measure\n"); err != nil {
		return m, err
	}
	w, err = line("measuring")
	if err != nil {
		return m, err
	}
	if len(w) != 6 || w[0] != "rss" || w[2] != "peak" || w[4] != "heap" {
		return m, fmt.Errorf("the child says %q", w)
	}
	m.after, _ = strconv.ParseInt(w[1], 10, 64)
	m.peak, _ = strconv.ParseInt(w[3], 10, 64)
	m.heap, _ = strconv.ParseInt(w[5], 10, 64)
	return m, nil
}

// gatewayChild is the measured process: a bot (as measurement 2 makes
// it) and its Discord adapter, connected to the gateway at api. It says
// "started RSS" once every shard is connected, and "rss RSS peak PEAK heap
// HEAP" each time it reads "measure"; it closes the adapter when in ends.
func gatewayChild(api string, cache bool, in io.Reader, out io.Writer) error {
	dir, err := os.MkdirTemp("", "prepbench-gateway")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b, db, err := setupBot(dir, "gateway.db")
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := discord.New(discord.Config{Token: discordtest.Token, APIURL: api, StateCache: cache,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}, b)
	if err != nil {
		return err
	}
	before, _, err := settledRSS()
	if err != nil {
		return err
	}
	if err := a.Start(context.Background()); err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(out, "started", before)
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		if lines.Text() != "measure" {
			continue
		}
		rss, peak, err := settledRSS()
		if err != nil {
			return err
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintln(out, "rss", rss, "peak", peak, "heap", ms.HeapInuse)
	}
	return lines.Err()
}

// settledRSS is this process's resident memory (VmRSS) after a GC that
// returns what it freed to the system, and the most it has been (VmHWM).
func settledRSS() (rss, peak int64, err error) {
	runtime.GC()
	debug.FreeOSMemory()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, fmt.Errorf("reading resident memory needs Linux's /proc: %w", err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	if rss == 0 || peak == 0 {
		return 0, 0, errors.New("no VmRSS or VmHWM in /proc/self/status")
	}
	return rss, peak, nil
}

// benchTB is what the fake Discord needs of a test, for a program: its
// failures become the measurement's error.
type benchTB struct {
	mu       sync.Mutex
	errs     []error
	cleanups []func()
}

// benchFatal is a fatal failure of the fake, recovered by gatewayRun.
type benchFatal string

func (f benchFatal) Error() string { return "fake Discord: " + string(f) }

func (b *benchTB) Helper()             {}
func (b *benchTB) Logf(string, ...any) {}
func (b *benchTB) Cleanup(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cleanups = append(b.cleanups, f)
}
func (b *benchTB) Errorf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, fmt.Errorf("fake Discord: "+format, args...))
}
func (b *benchTB) Fatal(args ...any)                 { panic(benchFatal(fmt.Sprint(args...))) }
func (b *benchTB) Fatalf(format string, args ...any) { panic(benchFatal(fmt.Sprintf(format, args...))) }

// finish runs the cleanups, last first, and returns the failures.
func (b *benchTB) finish() error {
	b.mu.Lock()
	cleanups := b.cleanups
	b.cleanups = nil
	b.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return errors.Join(b.errs...)
}
