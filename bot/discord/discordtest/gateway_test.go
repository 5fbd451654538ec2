package discordtest

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// client is a bare gateway client: what the fake answers to raw payloads.
type client struct {
	t *testing.T
	c *websocket.Conn
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(s.wsURL()+"?v=10&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{t, c}
	if f := cl.read(); f.Op != 10 {
		t.Fatalf("first frame: op %d, want Hello (10)", f.Op)
	}
	return cl
}

type received struct {
	Op int             `json:"op"`
	T  string          `json:"t"`
	D  json.RawMessage `json:"d"`
}

func (cl *client) read() received {
	cl.t.Helper()
	cl.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f received
	if err := cl.c.ReadJSON(&f); err != nil {
		cl.t.Fatalf("reading: %v", err)
	}
	return f
}

// closed reads until the fake closes the connection and returns the code.
func (cl *client) closed() int {
	cl.t.Helper()
	cl.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var f received
		err := cl.c.ReadJSON(&f)
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			cl.t.Fatalf("want a close frame, got %v", err)
		}
	}
}

func (cl *client) identify(token string, intents int, shard []int) {
	cl.t.Helper()
	d := map[string]any{"token": token, "intents": intents, "properties": map[string]any{"os": "linux", "browser": "t", "device": "t"}}
	if shard != nil {
		d["shard"] = shard
	}
	if err := cl.c.WriteJSON(map[string]any{"op": 2, "d": d}); err != nil {
		cl.t.Fatal(err)
	}
}

// takeRefusal checks that the fake recorded one refused Identify that
// says want, and forgets it.
func takeRefusal(t *testing.T, s *Server, want string) {
	t.Helper()
	v := s.TakeViolations()
	if len(v) != 1 || !strings.Contains(v[0].String(), want) {
		t.Fatalf("violations %v, want one saying %q", v, want)
	}
}

func TestGatewayRefusesAsDiscordDoes(t *testing.T) {
	t.Run("a shard id not below num_shards: 4010", func(t *testing.T) {
		s := New(t)
		cl := dial(t, s)
		cl.identify(Token, 1, []int{4, 4})
		if code := cl.closed(); code != 4010 {
			t.Fatalf("close %d, want 4010 Invalid shard", code)
		}
		takeRefusal(t, s, "shard [4 4]")
	})
	t.Run("more than 2500 guilds on a shard: 4011", func(t *testing.T) {
		s := New(t)
		s.Guilds(2501, 0)
		cl := dial(t, s)
		cl.identify(Token, 1, nil)
		if code := cl.closed(); code != 4011 {
			t.Fatalf("close %d, want 4011 Sharding required", code)
		}
		takeRefusal(t, s, "2501 guilds")
		// two shards hold them
		for sh := range 2 {
			cl := dial(t, s)
			cl.identify(Token, 0, []int{sh, 2})
			if f := cl.read(); f.T != "READY" {
				t.Fatalf("shard %d: %+v, want READY", sh, f)
			}
			s.SetClock(func() time.Time { return time.Now().Add(time.Minute) }) // the next identify is in another window
		}
	})
	t.Run("the wrong token: 4004", func(t *testing.T) {
		s := New(t)
		cl := dial(t, s)
		cl.identify("Bot nope", 1, nil)
		if code := cl.closed(); code != 4004 {
			t.Fatalf("close %d, want 4004 Authentication failed", code)
		}
		takeRefusal(t, s, "token")
	})
	t.Run("no session starts left: 4004", func(t *testing.T) {
		s := New(t)
		s.SetGatewayBot(1, 0, 1)
		cl := dial(t, s)
		cl.identify(Token, 1, nil)
		if code := cl.closed(); code != 4004 {
			t.Fatalf("close %d, want 4004", code)
		}
		takeRefusal(t, s, "no session starts left")
	})
	t.Run("two identifies of one rate limit key within 5s: op 9", func(t *testing.T) {
		s := New(t)
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		s.SetGatewayBot(4, 1000, 2)
		for _, sh := range []int{0, 1} { // keys 0 and 1: together
			cl := dial(t, s)
			cl.identify(Token, 1, []int{sh, 4})
			if f := cl.read(); f.T != "READY" {
				t.Fatalf("shard %d: %+v, want READY", sh, f)
			}
		}
		cl := dial(t, s)
		cl.identify(Token, 1, []int{2, 4}) // key 0 again, at once
		if f := cl.read(); f.Op != 9 || string(f.D) != "false" {
			t.Fatalf("%+v, want Invalid Session (op 9, d false)", f)
		}
		takeRefusal(t, s, "rate limit key 0")
		mu.Lock()
		now = now.Add(5 * time.Second)
		mu.Unlock()
		cl = dial(t, s)
		cl.identify(Token, 1, []int{2, 4})
		if f := cl.read(); f.T != "READY" {
			t.Fatalf("5s later: %+v, want READY", f)
		}
		if got := s.Identifies(); len(got) != 4 || got[2].Refused == "" || got[3].Refused != "" {
			t.Fatalf("identifies %+v", got)
		}
	})
}

// Each shard is sent READY with its own guilds, unavailable, then a
// GUILD_CREATE for each, by Discord's formula; without the GUILDS intent,
// no GUILD_CREATE.
func TestGatewayAnnouncesEachShardItsGuilds(t *testing.T) {
	s := New(t)
	s.SetGatewayBot(2, 1000, 2)
	s.Guilds(5, 3)
	for sh := range 2 {
		cl := dial(t, s)
		cl.identify(Token, 1, []int{sh, 2})
		var ready struct {
			Guilds []struct {
				ID          string `json:"id"`
				Unavailable bool   `json:"unavailable"`
			} `json:"guilds"`
			Shard []int `json:"shard"`
		}
		f := cl.read()
		json.Unmarshal(f.D, &ready)
		var want []string
		for i := range 5 {
			if (i+1)%2 == sh {
				want = append(want, GuildID(i))
			}
		}
		if len(ready.Guilds) != len(want) || len(ready.Shard) != 2 || ready.Shard[0] != sh {
			t.Fatalf("shard %d READY: %s", sh, f.D)
		}
		for k, id := range want {
			if ready.Guilds[k].ID != id || !ready.Guilds[k].Unavailable {
				t.Errorf("shard %d READY guild %d: %+v, want %s unavailable", sh, k, ready.Guilds[k], id)
			}
			f := cl.read()
			var g struct {
				ID       string `json:"id"`
				Channels []struct {
					ID string `json:"id"`
				} `json:"channels"`
			}
			json.Unmarshal(f.D, &g)
			if f.T != "GUILD_CREATE" || g.ID != id || len(g.Channels) != 3 {
				t.Errorf("shard %d: %s %s, want GUILD_CREATE of %s with 3 channels", sh, f.T, f.D, id)
			}
		}
	}
	s.Guilds(1, 3)
	s.SetClock(func() time.Time { return time.Now().Add(time.Minute) })
	cl := dial(t, s)
	cl.identify(Token, 0, nil) // no GUILDS intent
	if f := cl.read(); f.T != "READY" {
		t.Fatalf("%+v, want READY", f)
	}
	cl.c.WriteJSON(map[string]any{"op": 1, "d": nil})
	if f := cl.read(); f.Op != 11 {
		t.Fatalf("%+v after READY without the GUILDS intent, want the heartbeat's ack (no GUILD_CREATE)", f)
	}
}
