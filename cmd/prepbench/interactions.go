package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
// the clock starts: more than it sends in the measured seconds at the rates
// measured here (5 s at 5,000 answers a second is 391 a client), and no
// more, as they all wait in the measured process's memory.
const presigned = 400

// load is the result of a bounded run of concurrent clients.
type load struct {
	ok       int
	took     time.Duration
	p50, p99 time.Duration
	pages    int64 // pages the database wrote meanwhile
}

func (l load) rate() float64 { return rate(l.ok, l.took) }

// prepared is a request built and signed ahead. It holds its headers
// inline and as few pointers as it can: tens of thousands wait in the
// measured process, and as http.Header maps and closures they were over
// 100 MB of objects that every garbage collection of the server under
// test had to mark (about 110 ms a cycle, a quarter of the run).
type prepared struct {
	body   []byte
	header [3][2]string // name, value; unused pairs are empty
	sentAt *sync.Map    // told (under id) when the request goes out; nil: nobody asks
	id     string
}

// request makes the HTTP request of a prepared one.
func (p prepared) request(target string) *http.Request {
	r, _ := http.NewRequest("POST", target, bytes.NewReader(p.body))
	for _, h := range p.header {
		if h[0] != "" {
			r.Header.Set(h[0], h[1])
		}
	}
	return r
}

// presign builds each client's first n requests before the clock starts,
// on every core: the platform signs its requests on its side, so signing
// them here would only take the two cores from the server under test.
// Past n, requests are built as they are sent, or, with cycle, the first n
// are sent again (for the baselines, which only verify).
func presign(n int, cycle bool, build func(c, i int) prepared) func(c, i int) prepared {
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
	return func(c, i int) prepared {
		switch {
		case i < n:
			return pool[c][i]
		case cycle:
			return pool[c][i%n]
		}
		return build(c, i)
	}
}

// drive runs clients that each POST the requests next gives them to target
// until d is over; check says whether a 200 response's body is a success.
func drive(d time.Duration, target string, next func(c, i int) prepared, check func([]byte) bool) load {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 10 * time.Second}
	var ok atomic.Int64
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				p := next(c, i)
				r := p.request(target)
				t0 := time.Now()
				if p.sentAt != nil {
					p.sentAt.Store(p.id, t0)
				}
				resp, err := hc.Do(r)
				if err != nil {
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if resp.StatusCode == 200 && check(body) {
					ok.Add(1)
				}
			}
		}(c)
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	l := load{ok: int(ok.Load()), took: time.Since(start)}
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
		return prepared{body: []byte(body), header: [3][2]string{{"X-Signature-Ed25519", hex.EncodeToString(sig)}, {"X-Signature-Timestamp", ts}}}
	}
	ok := func(b []byte) bool { return strings.Contains(string(b), `"type":4`) }
	progress("%sDiscord: signing %d requests", c.label, clients*presigned)
	next := presign(presigned, false, req)
	before, err := count()
	if err != nil {
		return ours, base, err
	}
	pages := c.pageCount()
	progress("%sDiscord: %d clients sending signed answers for %v", c.label, clients, d)
	ours = drive(d, srv.URL+"/discord/interactions", next, ok)
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
	base = drive(d, bare.URL, presign(presigned, true, req), ok)
	progress("  %.0f/s, p50 %v, p99 %v", ours.rate(), ours.p50, ours.p99)
	return ours, base, nil
}

// slack measures HMAC-signed block_actions presses to /slack/interactions,
// from the press to its verdict at the press's own response_url (Slack
// acknowledges a press at once, and the member sees the verdict when it
// reaches the response_url), against a handler that only verifies the
// signature.
func (c chatBench) slack(ctx context.Context, d time.Duration) (ours, base load, err error) {
	const secret = "bench-signing-secret"
	var sentAt, verdictAt sync.Map // press id -> time
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if id, ok := strings.CutPrefix(r.URL.Path, "/response/"); ok {
			verdictAt.LoadOrStore(id, time.Now())
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok": true, "team": "bench", "user": "prepbot"}`)
	}))
	defer sink.Close()
	b, count, err := c.newBot()
	if err != nil {
		return ours, base, err
	}
	a, err := slack.New(slack.Config{BotToken: "xoxb-bench", SigningSecret: secret, APIURL: sink.URL + "/api/"}, b)
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
	var seq atomic.Int64
	req := func(ci, i int) prepared {
		id := seq.Add(1)
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]any{"id": "bench"},
			"user": map[string]any{"id": fmt.Sprint("M", id), "name": "m"}, "channel": map[string]any{"id": fmt.Sprint("c", ci)},
			"response_url": fmt.Sprint(sink.URL, "/response/", id), "trigger_id": "t",
			"actions": []any{map[string]any{"action_id": buttons[ci], "block_id": "b", "type": "button", "action_ts": fmt.Sprint(id)}}})
		body := "payload=" + url.QueryEscape(string(payload))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("v0:" + ts + ":" + body))
		h := [3][2]string{{"Content-Type", "application/x-www-form-urlencoded"},
			{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", "v0=" + hex.EncodeToString(mac.Sum(nil))}}
		key := fmt.Sprint(id)
		return prepared{[]byte(body), h, &sentAt, key}
	}
	any200 := func([]byte) bool { return true }
	progress("%sSlack: signing %d requests", c.label, clients*presigned)
	next := presign(presigned, false, req)
	before, err := count()
	if err != nil {
		return ours, base, err
	}
	pages := c.pageCount()
	progress("%sSlack: %d clients sending signed button presses for %v", c.label, clients, d)
	acked := drive(d, srv.URL+"/slack/interactions", next, any200)
	// the presses still being handled finish (Close waits for them)
	drain := time.Now()
	a.Close()
	ours = slackVerdicts(&sentAt, &verdictAt, acked.took+time.Since(drain))
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
	base = drive(d, bare.URL, presign(presigned, true, req), any200)
	progress("  %.0f/s, p50 %v, p99 %v", ours.rate(), ours.p50, ours.p99)
	return ours, base, nil
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

// slackVerdicts measures Slack presses as the member sees them: from the
// press to its verdict at the response_url; took is the time until the
// last verdict.
func slackVerdicts(sentAt, verdictAt *sync.Map, took time.Duration) load {
	var lat []time.Duration
	verdictAt.Range(func(id, at any) bool {
		if t0, ok := sentAt.Load(id); ok {
			lat = append(lat, at.(time.Time).Sub(t0.(time.Time)))
		}
		return true
	})
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	l := load{ok: len(lat), took: took}
	if len(lat) > 0 {
		l.p50, l.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return l
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
