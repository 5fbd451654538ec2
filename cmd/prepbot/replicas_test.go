package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/slack/slacktest"
	"github.com/prepbot/prepbot/storage/postgres"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// TestReplicasUnderKills runs three `prepbot serve` processes on one
// PostgreSQL database. Clients answer cards over Discord's interactions
// endpoint, each request to a replica picked at random, and a third of the
// answers are delivered again, with the same interaction id, to another
// replica; replicas are killed with SIGKILL and restarted at random. Every
// acknowledged answer is in the database exactly once, and each Slack
// channel's question of the day is posted once, however many replicas
// start, die and start again. PREPBOT_REPLICA_KILLS sets the kills
// (default 12).
func TestReplicasUnderKills(t *testing.T) {
	dbURL := pgtest.Schema(t)
	kills := 12
	if v, err := strconv.Atoi(os.Getenv("PREPBOT_REPLICA_KILLS")); err == nil && v > 0 {
		kills = v
	}
	ctx := t.Context()
	// the daily questions: five Slack channels, due from midnight
	pg, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const channels = 5
	for i := range channels {
		s := bot.Schedule{Group: "slack:T1", Channel: fmt.Sprint("C", i), Time: "00:00", TimeZone: "UTC"}
		if err := pg.SaveSchedule(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	pg.Close()

	slackFake := slacktest.New(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	replicas := make([]*server, 3)
	for i := range replicas {
		s := &server{t: t, bin: bin, dir: t.TempDir(), db: dbURL, addr: freePort(t), priv: priv}
		cfg := fmt.Sprintf("db: %q\nhttp:\n  addr: %q\nlog:\n  level: warn\ndiscord:\n  public_key: %s\n"+
			"slack:\n  bot_token: %s\n  signing_secret: replica-test-secret\n  api_url: %s\n",
			dbURL, s.addr, hex.EncodeToString(pub), slacktest.BotToken, slackFake.APIURL())
		if err := os.WriteFile(filepath.Join(s.dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		replicas[i] = s
	}
	var live [3]atomic.Bool
	for i, s := range replicas {
		s.start()
		live[i].Store(true)
	}
	dailyPosts := func() map[string]int {
		n := map[string]int{}
		for _, c := range slackFake.Calls() {
			if c.Method != "chat.postMessage" {
				continue
			}
			ch := c.Form.Get("channel")
			if v, ok := c.JSON["channel"].(string); ok {
				ch = v
			}
			n[ch]++
		}
		return n
	}
	// the replicas' first ticks post the day's questions
	deadline := time.Now().Add(30 * time.Second)
	for len(dailyPosts()) < channels && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling the fake for the posts
	}

	// clients: draw on one replica, answer on another, sometimes twice
	pick := func() *server {
		for {
			i := rand.IntN(len(replicas))
			if live[i].Load() {
				return replicas[i]
			}
		}
	}
	acks := make(chan ack, 1<<16)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var redelivered atomic.Int64
	for c := range 8 {
		wg.Go(func() {
			hc := &http.Client{Timeout: 5 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				user := fmt.Sprintf("r%d-%d", c, i)
				channel := fmt.Sprint("d", c)
				code, body, err := signedInteraction(hc, pick().addr, priv, nextID(), user, channel, 2, `{"id":"q","name":"question","type":1}`)
				if err != nil || code != 200 {
					continue
				}
				m := optionButton.FindSubmatch(body)
				if m == nil {
					continue
				}
				id := nextID()
				press := fmt.Sprintf(`{"custom_id":%q,"component_type":2}`, m[1])
				sends := 1
				if i%3 == 0 {
					sends = 2 // the platform delivers it again, to another replica
					redelivered.Add(1)
				}
				for range sends {
					code, body, err = signedInteraction(hc, pick().addr, priv, id, user, channel, 3, press)
					if err == nil && code == 200 && (bytes.Contains(body, []byte("Correct!")) || bytes.Contains(body, []byte("Not quite"))) {
						acks <- ack{user, string(m[2])}
					}
				}
			}
		})
	}
	for range kills {
		time.Sleep(time.Duration(100+rand.IntN(300)) * time.Millisecond) // a random moment to kill at
		i := rand.IntN(len(replicas))
		live[i].Store(false)
		replicas[i].kill()
		// others serve while it is down; then it starts again
		time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond)
		replicas[i].start()
		live[i].Store(true)
	}
	close(stop)
	wg.Wait()
	close(acks)
	for _, s := range replicas {
		s.kill()
	}
	acked := map[ack]bool{}
	for a := range acks {
		acked[a] = true
	}

	// every acknowledged answer, once
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT usr, post_id, count(*) FROM answers WHERE kind = 'answer' GROUP BY usr, post_id")
	if err != nil {
		t.Fatal(err)
	}
	got := map[ack]int{}
	var user string
	var post, n int64
	if _, err := pgx.ForEachRow(rows, []any{&user, &post, &n}, func() error {
		got[ack{user, strconv.FormatInt(post, 10)}] = int(n)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var list []ack
	for a := range acked {
		list = append(list, a)
	}
	lost, doubled := verify(t, list, got)
	// the members' tallies agree with the answers: no answer counted twice
	var answered, recorded int64
	if err := conn.QueryRow(ctx, "SELECT coalesce(sum((data->>'answered')::bigint), 0) FROM members").Scan(&answered); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM answers WHERE kind = 'answer'").Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if answered != recorded {
		t.Errorf("the members' tallies count %d answers, the answers table holds %d", answered, recorded)
	}
	posts := dailyPosts()
	for ch, n := range posts {
		if n != 1 {
			t.Errorf("channel %s: %d questions of the day, want 1", ch, n)
		}
	}
	if len(posts) != channels {
		t.Errorf("questions of the day posted in %d channels, want %d: %v", len(posts), channels, posts)
	}
	msg := fmt.Sprintf("replicas: 3 on one PostgreSQL database, %d kills (SIGKILL), %d answers acknowledged (%d delivered twice), %d lost, %d doubled, %d daily posts in %d channels",
		kills, len(acked), redelivered.Load(), lost, doubled, len(posts), channels)
	t.Log(msg)
	fmt.Println(msg)
	if len(acked) < kills {
		t.Fatalf("only %d answers acknowledged: the harness did not load the replicas", len(acked))
	}
}

var replicaIDs atomic.Int64

// nextID is a new interaction id.
func nextID() string { return fmt.Sprint("r", replicaIDs.Add(1)) }

// signedInteraction sends one signed Discord interaction to addr.
func signedInteraction(hc *http.Client, addr string, priv ed25519.PrivateKey, id, user, channel string, typ int, data string) (int, []byte, error) {
	body := fmt.Sprintf(`{"id":%q,"application_id":"app","type":%d,"token":"tok-%s","version":1,"guild_id":"g1","channel_id":%q,`+
		`"member":{"user":{"id":%q,"username":%q},"permissions":"0"},"data":%s}`, id, typ, id, channel, user, user, data)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(priv, append([]byte(ts), body...))
	req, _ := http.NewRequest("POST", "http://"+addr+"/discord/interactions", strings.NewReader(body))
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}
