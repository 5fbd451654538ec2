package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/discord"
	"github.com/prepbot/prepbot/bot/slack"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
)

const clients = 64

// presigned is how many requests each client has built and signed before
// the clock starts: more than it sends in the warm-up and the measured
// seconds at the rates measured here (6 s at 7,000 answers a second is 656
// a client). A client that has sent all of its own stops the run with a
// message.
const presigned = 720

// warmUp is how long the clients send before the clock starts; what they
// send meanwhile is answered but not counted. Their first requests open 64
// connections at once, and that first wave of a run took about 90 ms where
// the rest took 25: 1% of a run's requests, enough to set its p99. A
// server meets such a wave when it starts, not once a second.
const warmUp = time.Second

// load is the result of a bounded run of concurrent clients.
type load struct {
	ok       int
	took     time.Duration
	p50, p99 time.Duration
	pages    int64 // pages the database wrote meanwhile
}

func (l load) rate() float64 { return rate(l.ok, l.took) }

// prepared is a request built and signed ahead: its body, its headers
// (name, value; unused pairs are empty) and, when the time it was sent is
// wanted, an id to report it under.
type prepared struct {
	Body   []byte
	Header [3][2]string
	ID     string
}

// request makes the HTTP request of a prepared one.
func (p prepared) request(target string) *http.Request {
	r, _ := http.NewRequest("POST", target, bytes.NewReader(p.Body))
	for _, h := range p.Header {
		if h[0] != "" {
			r.Header.Set(h[0], h[1])
		}
	}
	return r
}

// presign builds each client's n requests before the clock starts, on
// every core: the platform signs its requests on its side, so signing them
// while the clock runs would only take the two cores from the server under
// test.
func presign(n int, build func(c, i int) prepared) [][]prepared {
	pool := make([][]prepared, clients)
	var wg sync.WaitGroup
	for c := range pool {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pool[c] = make([]prepared, n)
			for i := range n {
				pool[c][i] = build(c, i)
			}
		}()
	}
	wg.Wait()
	return pool
}

// clientJob is what the client process is asked to do: its clients each
// POST their requests to Target for Warm and then D (with Cycle, starting
// again at a client's first request when it has sent them all; without, a
// client that has sent them all stops, and the run says so). Only requests
// sent after Warm are counted and timed; a 200 response counts when its
// body contains Want.
type clientJob struct {
	Target string
	Warm   time.Duration
	D      time.Duration
	Cycle  bool
	Want   string
	Pool   [][]prepared
}

// clientResult is what the client process measured.
type clientResult struct {
	OK       int
	Took     time.Duration
	P50, P99 time.Duration
	RanOut   int
}

func (r clientResult) load() load { return load{ok: r.OK, took: r.Took, p50: r.P50, p99: r.P99} }

// clientHello is the client process's first word: where its response
// sink listens (Slack's side of a press's response_url).
type clientHello struct{ SinkURL string }

// clientVerdicts are the times from each request with an ID to the
// sink's first POST under that ID, the client process's last word.
type clientVerdicts struct{ Latencies []time.Duration }

// clientEnv, set in the environment, makes prepbench the client process.
const clientEnv = "PREPBENCH_CLIENTS"

// clientProc is the client process: the clients run in a process of their
// own (this program again), as the platform's side of the exchange is not
// prepbot's: in the measured process their goroutines would queue with the
// server's on one scheduler and their memory would be marked by the
// server's garbage collections. The process also plays the part of
// Slack's servers that take the verdicts at the response_url. The two
// processes share the machine's cores.
type clientProc struct {
	cmd   *exec.Cmd
	enc   *gob.Encoder
	dec   *gob.Decoder
	in    io.Closer
	hello clientHello
}

// startClients starts the client process and reads its hello.
func startClients() (*clientProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), clientEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &clientProc{cmd: cmd, enc: gob.NewEncoder(in), dec: gob.NewDecoder(out), in: in}
	if err := p.dec.Decode(&p.hello); err != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		return nil, fmt.Errorf("the client process did not start: %w", err)
	}
	return p, nil
}

// run has the client process run a job.
func (p *clientProc) run(job clientJob) (clientResult, error) {
	var res clientResult
	if err := p.enc.Encode(job); err != nil {
		return res, fmt.Errorf("the client process: %w", err)
	}
	if err := p.dec.Decode(&res); err != nil {
		return res, fmt.Errorf("the client process: %w", err)
	}
	if res.RanOut > 0 {
		return res, fmt.Errorf("%d of %d clients sent all %d requests signed ahead before the time was up: raise presigned", res.RanOut, clients, presigned)
	}
	return res, nil
}

// finish ends the client process and returns the latencies of the
// verdicts its sink took.
func (p *clientProc) finish() ([]time.Duration, error) {
	p.in.Close()
	var v clientVerdicts
	decErr := p.dec.Decode(&v)
	if err := p.cmd.Wait(); err != nil {
		return nil, fmt.Errorf("the client process: %w", err)
	}
	if decErr != nil {
		return nil, fmt.Errorf("the client process: %w", decErr)
	}
	return v.Latencies, nil
}

// drive runs one job in a client process of its own.
func drive(job clientJob) (clientResult, error) {
	p, err := startClients()
	if err != nil {
		return clientResult{}, err
	}
	res, err := p.run(job)
	_, ferr := p.finish()
	return res, errors.Join(err, ferr)
}

// runClients is the client process: it starts its sink and says where,
// then runs each job read from standard input and writes its result to
// standard output; at the end of its input it writes the verdicts' latencies.
func runClients() {
	var mu sync.Mutex
	sent, verdict := map[string]time.Time{}, map[string]time.Time{}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if id, ok := strings.CutPrefix(r.URL.Path, "/response/"); ok {
			now := time.Now()
			mu.Lock()
			if _, seen := verdict[id]; !seen {
				verdict[id] = now
			}
			mu.Unlock()
		}
		io.WriteString(w, "ok")
	}))
	defer sink.Close()
	enc, dec := gob.NewEncoder(os.Stdout), gob.NewDecoder(os.Stdin)
	if err := enc.Encode(clientHello{SinkURL: sink.URL}); err != nil {
		fatal(fmt.Errorf("client process: %w", err))
	}
	for {
		var job clientJob
		err := dec.Decode(&job)
		if err == io.EOF {
			break
		}
		if err != nil {
			fatal(fmt.Errorf("client process: reading a job: %w", err))
		}
		res, times := runJob(job)
		mu.Lock()
		maps.Copy(sent, times)
		mu.Unlock()
		if err := enc.Encode(res); err != nil {
			fatal(fmt.Errorf("client process: %w", err))
		}
	}
	mu.Lock()
	var v clientVerdicts
	for id, at := range verdict {
		if t0, ok := sent[id]; ok {
			v.Latencies = append(v.Latencies, at.Sub(t0))
		}
	}
	mu.Unlock()
	if err := enc.Encode(v); err != nil {
		fatal(fmt.Errorf("client process: %w", err))
	}
}

// runJob runs the clients of a job in this process; it returns when each
// request with an ID was sent.
func runJob(job clientJob) (clientResult, map[string]time.Time) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 10 * time.Second}
	var ok, ranOut atomic.Int64
	lat := make([][]time.Duration, len(job.Pool))
	sent := make([]map[string]time.Time, len(job.Pool))
	start := time.Now().Add(job.Warm) // the clock starts after the warm-up
	deadline := start.Add(job.D)
	var wg sync.WaitGroup
	for c, reqs := range job.Pool {
		sent[c] = map[string]time.Time{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				if i >= len(reqs) && !job.Cycle {
					ranOut.Add(1)
					return
				}
				p := reqs[i%len(reqs)]
				r := p.request(job.Target)
				t0 := time.Now()
				counted := !t0.Before(start)
				if p.ID != "" && counted {
					sent[c][p.ID] = t0
				}
				resp, err := hc.Do(r)
				if err != nil {
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !counted {
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
				if resp.StatusCode == 200 && bytes.Contains(body, []byte(job.Want)) {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	hc.CloseIdleConnections()
	l := latencies(lat, int(ok.Load()), time.Since(start))
	all := map[string]time.Time{}
	for _, m := range sent {
		maps.Copy(all, m)
	}
	return clientResult{OK: l.ok, Took: l.took, P50: l.p50, P99: l.p99, RanOut: int(ranOut.Load())}, all
}

// latencies is the load of ok successes in took, with the median and
// 99th percentile of every client's latencies.
func latencies(lat [][]time.Duration, ok int, took time.Duration) load {
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	l := load{ok: ok, took: took}
	if len(all) > 0 {
		l.p50, l.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return l
}

func setupBot(dir, name string) (*bot.Bot, *storage.DB, error) {
	db, err := storage.Open(filepath.Join(dir, name), storage.Options{})
	if err != nil {
		return nil, nil, err
	}
	b, err := newBot(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return b, db, nil
}

// newBot is a bot with the built-in bank on store.
func newBot(store bot.Store) (*bot.Bot, error) {
	bank, err := bankfile.Default()
	if err != nil {
		return nil, err
	}
	return bot.New(bot.Config{Bank: bank, Store: store}), nil
}

// posts draws one card per client channel and returns its first option's
// button id, which clients then press as ever-new members.
func posts(b *bot.Bot, platform, group string) ([]string, error) {
	out := make([]string, clients)
	for c := range out {
		r, err := b.Handle(context.Background(), bot.Request{Platform: platform, Group: group, Channel: fmt.Sprint("c", c),
			User: bot.User{ID: fmt.Sprint("drawer", c)}, Command: "question"})
		if err != nil {
			return nil, err
		}
		out[c] = r.Buttons[0].ID
	}
	return out, nil
}

// chatBench drives measurement 2's loads, signed Discord interactions and
// Slack button presses from 64 clients, at bots on one store: measurement
// 2 on bbolt files, measurement 7 on PostgreSQL.
type chatBench struct {
	label string // put before progress lines ("PostgreSQL ")
	// newBot returns a bot on the store measured, and how many answers
	// that store has recorded so far.
	newBot func() (*bot.Bot, func() (int, error), error)
	// pages, when set, counts the pages the store has written (bbolt).
	pages func() int64
	// warm, when set, runs after the cards are dealt and before the clock
	// starts.
	warm func() error
}

// discord measures signed component interactions to the Interactions
// Endpoint against a handler that only verifies the signature.
func (c chatBench) discord(ctx context.Context, d time.Duration) (ours, base load, err error) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	b, count, err := c.newBot()
	if err != nil {
		return ours, base, err
	}
	a, err := discord.New(discord.Config{PublicKey: hex.EncodeToString(pub)}, b)
	if err != nil {
		return ours, base, err
	}
	a.Start(ctx)
	defer a.Close()
	mux := http.NewServeMux()
	a.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	buttons, err := posts(b, "discord", "discord:bench")
	if err != nil {
		return ours, base, err
	}
	if c.warm != nil {
		if err := c.warm(); err != nil {
			return ours, base, err
		}
	}
	var seq atomic.Int64
	req := func(ci, i int) prepared {
		id := seq.Add(1)
		body := fmt.Sprintf(`{"id":"%d","application_id":"a","type":3,"token":"t%d","version":1,"guild_id":"bench","channel_id":"c%d",`+
			`"member":{"user":{"id":"m%d","username":"m"},"permissions":"0"},"data":{"custom_id":%q,"component_type":2}}`, id, id, ci, id, buttons[ci])
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(priv, append([]byte(ts), body...))
		return prepared{Body: []byte(body), Header: [3][2]string{{"X-Signature-Ed25519", hex.EncodeToString(sig)}, {"X-Signature-Timestamp", ts}}}
	}
	const ok = `"type":4`
	progress("%sDiscord: signing %d requests", c.label, clients*presigned)
	pool := presign(presigned, req)
	before, err := count()
	if err != nil {
		return ours, base, err
	}
	pages := c.pageCount()
	progress("%sDiscord: %d clients sending signed answers for %v after a %v warm-up", c.label, clients, d, warmUp)
	res, err := drive(clientJob{Target: srv.URL + "/discord/interactions", Warm: warmUp, D: d, Want: ok, Pool: pool})
	if err != nil {
		return ours, base, err
	}
	ours = res.load()
	ours.pages = c.pageCount() - pages
	if recorded, err := count(); err != nil || recorded-before < ours.ok {
		return ours, base, fmt.Errorf("discord: %d answers acknowledged but %d recorded (%v)", ours.ok, recorded-before, err)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig, _ := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
		if !ed25519.Verify(pub, append([]byte(r.Header.Get("X-Signature-Timestamp")), body...), sig) {
			w.WriteHeader(401)
			return
		}
		io.WriteString(w, `{"type":4}`)
	}))
	defer bare.Close()
	progress("%sDiscord baseline: a handler that only verifies the signature", c.label)
	res, err = drive(clientJob{Target: bare.URL, Warm: warmUp, D: d, Cycle: true, Want: ok, Pool: pool})
	base = res.load()
	progress("  %.0f/s, p50 %v, p99 %v", ours.rate(), ours.p50, ours.p99)
	return ours, base, err
}

// slack measures HMAC-signed block_actions presses to /slack/interactions,
// from the press to its verdict at the press's own response_url (Slack
// acknowledges a press at once, and the member sees the verdict when it
// reaches the response_url), against a handler that only verifies the
// signature.
func (c chatBench) slack(ctx context.Context, d time.Duration) (ours, base load, err error) {
	const secret = "bench-signing-secret"
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok": true, "team": "bench", "user": "prepbot"}`)
	}))
	defer api.Close()
	b, count, err := c.newBot()
	if err != nil {
		return ours, base, err
	}
	a, err := slack.New(slack.Config{BotToken: "xoxb-bench", SigningSecret: secret, APIURL: api.URL + "/api/"}, b)
	if err != nil {
		return ours, base, err
	}
	if err := a.Start(ctx); err != nil {
		return ours, base, err
	}
	defer a.Close()
	mux := http.NewServeMux()
	a.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	buttons, err := posts(b, "slack", "slack:bench")
	if err != nil {
		return ours, base, err
	}
	if c.warm != nil {
		if err := c.warm(); err != nil {
			return ours, base, err
		}
	}
	clientsProc, err := startClients()
	if err != nil {
		return ours, base, err
	}
	sinkURL := clientsProc.hello.SinkURL
	var seq atomic.Int64
	req := func(ci, i int) prepared {
		id := seq.Add(1)
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]any{"id": "bench"},
			"user": map[string]any{"id": fmt.Sprint("M", id), "name": "m"}, "channel": map[string]any{"id": fmt.Sprint("c", ci)},
			"response_url": fmt.Sprint(sinkURL, "/response/", id), "trigger_id": "t",
			"actions": []any{map[string]any{"action_id": buttons[ci], "block_id": "b", "type": "button", "action_ts": fmt.Sprint(id)}}})
		body := "payload=" + url.QueryEscape(string(payload))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("v0:" + ts + ":" + body))
		h := [3][2]string{{"Content-Type", "application/x-www-form-urlencoded"},
			{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", "v0=" + hex.EncodeToString(mac.Sum(nil))}}
		return prepared{[]byte(body), h, fmt.Sprint(id)}
	}
	progress("%sSlack: signing %d requests", c.label, clients*presigned)
	pool := presign(presigned, req)
	before, err := count()
	if err != nil {
		clientsProc.finish()
		return ours, base, err
	}
	pages := c.pageCount()
	progress("%sSlack: %d clients sending signed button presses for %v after a %v warm-up", c.label, clients, d, warmUp)
	res, err := clientsProc.run(clientJob{Target: srv.URL + "/slack/interactions", Warm: warmUp, D: d, Pool: pool})
	if err != nil {
		clientsProc.finish()
		return ours, base, err
	}
	acked := res.load()
	// the presses still being handled finish (Close waits for them)
	drain := time.Now()
	a.Close()
	took := acked.took + time.Since(drain)
	verdicts, err := clientsProc.finish()
	if err != nil {
		return ours, base, err
	}
	ours = latencies([][]time.Duration{verdicts}, len(verdicts), took)
	ours.pages = c.pageCount() - pages
	recorded, err := count()
	if err != nil {
		return ours, base, err
	}
	if recorded-before < ours.ok || ours.ok < acked.ok {
		return ours, base, fmt.Errorf("slack: %d presses acknowledged, %d verdicts posted, %d answers recorded", acked.ok, ours.ok, recorded-before)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !slack.Verify(secret, r.Header, body, time.Now()) {
			w.WriteHeader(401)
		}
	}))
	defer bare.Close()
	progress("%sSlack baseline: a handler that only verifies the signature", c.label)
	res, err = drive(clientJob{Target: bare.URL, Warm: warmUp, D: d, Cycle: true, Pool: pool})
	base = res.load()
	progress("  %.0f/s, p50 %v, p99 %v", ours.rate(), ours.p50, ours.p99)
	return ours, base, err
}

func (c chatBench) pageCount() int64 {
	if c.pages == nil {
		return 0
	}
	return c.pages()
}

// benchInteractions is measurement 2: Discord and Slack on bbolt files.
func benchInteractions(dir string, prev map[int]float64) ([]row, float64, error) {
	const d = 5 * time.Second
	ctx := context.Background()
	var rows []row
	discordRate := 0.0
	for _, platform := range []string{"Discord", "Slack"} {
		var db *storage.DB
		c := chatBench{
			newBot: func() (*bot.Bot, func() (int, error), error) {
				b, bdb, err := setupBot(dir, strings.ToLower(platform)+".db")
				db = bdb
				return b, func() (int, error) { return countAnswers(bdb) }, err
			},
			pages: func() int64 { return pagesWritten(db) },
		}
		run := c.discord
		if platform == "Slack" {
			run = c.slack
		}
		ours, base, err := run(ctx, d)
		if db != nil {
			db.Close()
		}
		if err != nil {
			return nil, 0, err
		}
		rows = append(rows, interactionRows(platform, ours, base, prev[1])...)
		if platform == "Discord" {
			discordRate = ours.rate()
		}
	}
	return rows, discordRate, nil
}

func interactionRows(platform string, ours, base load, durable float64) []row {
	rows := []row{
		{2, platform + " answers/s (64 clients), vs verify-only handler", fmt.Sprintf("%.0f/s", ours.rate()), fmt.Sprintf("%.0f/s", base.rate()), ratio(ours.rate(), base.rate()), "-", true},
		{2, platform + " p50 / p99 latency", ms(ours.p50) + " / " + ms(ours.p99), ms(base.p50) + " / " + ms(base.p99), ratio(float64(ours.p99), float64(base.p99)), "p99 < 50 ms", ours.p99 < 50*time.Millisecond},
	}
	if ours.ok > 0 {
		rows = append(rows, row{2, platform + " pages written per answer (bbolt's count)", fmt.Sprintf("%.1f", float64(ours.pages)/float64(ours.ok)), "", "", "-", true})
	}
	if durable > 0 {
		rows = append(rows, row{2, platform + " answers/s vs durable rate (1)", fmt.Sprintf("%.0f/s", ours.rate()), fmt.Sprintf("%.0f/s", durable), ratio(ours.rate(), durable), ">= 0.5x", ours.rate() >= 0.5*durable})
	}
	return rows
}

func countAnswers(db *storage.DB) (int, error) {
	n := 0
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		n = tx.Bucket([]byte("answers")).Stats().KeyN
		return nil
	})
	return n, err
}
