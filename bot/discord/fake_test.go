package discord

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// recorded is one request the fake Discord received.
type recorded struct {
	Method, Path string
	Body         []byte
}

// fakeDiscord speaks Discord's REST API and gateway on 127.0.0.1.
type fakeDiscord struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
	got  chan recorded // every request but the gateway lookup

	limit map[string]int    // path -> how many 429s to answer before succeeding
	gone  map[string]bool   // channel ids that answer 404 Unknown Channel
	slow  map[string]func() // path -> called before answering (to stall a response)

	// gateway
	wmu        sync.Mutex
	conn       *websocket.Conn
	seq        int
	identifies int
	resumes    int
	connected  chan struct{}
	sent       []map[string]any // dispatched events, replayed after a Resume as Discord does
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{t: t, got: make(chan recorded, 100), limit: map[string]int{}, gone: map[string]bool{},
		slow: map[string]func(){}, connected: make(chan struct{}, 10)}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws/", f.gateway)
	mux.HandleFunc("/", f.rest)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.wmu.Lock()
		if f.conn != nil {
			f.conn.Close()
		}
		f.wmu.Unlock()
		f.srv.Close()
	})
	return f
}

// apiURL is what the adapter's discord.api_url points at.
func (f *fakeDiscord) apiURL() string { return f.srv.URL + "/api/v9/" }

func (f *fakeDiscord) rest(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	rec := recorded{r.Method, path, body}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	n := f.limit[path]
	if n > 0 {
		f.limit[path] = n - 1
	}
	stall := f.slow[path]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bot test-token" && !strings.HasPrefix(path, "/webhooks/") && !strings.HasPrefix(path, "/interactions/") {
		w.WriteHeader(401)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
		return
	}
	if n > 0 { // Discord's documented 429 body
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-RateLimit-Scope", "user")
		w.WriteHeader(429)
		io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 0.05, "global": false}`)
		f.got <- recorded{"429", path, body}
		return
	}
	if stall != nil {
		stall()
	}
	switch {
	case path == "/gateway":
		json.NewEncoder(w).Encode(map[string]string{"url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws/"})
		return
	case path == "/oauth2/applications/@me":
		io.WriteString(w, `{"id": "app1", "name": "prepbot"}`)
	case strings.HasSuffix(path, "/commands") && r.Method == http.MethodPut:
		w.Write(body)
	case strings.HasPrefix(path, "/channels/") && strings.HasSuffix(path, "/messages"):
		ch := strings.Split(path, "/")[2]
		if f.gone[ch] {
			w.WriteHeader(404)
			io.WriteString(w, `{"message": "Unknown Channel", "code": 10003}`)
		} else {
			io.WriteString(w, `{"id": "m1", "channel_id": "`+ch+`"}`)
		}
	case strings.HasPrefix(path, "/interactions/"):
		w.WriteHeader(204)
	case strings.HasPrefix(path, "/webhooks/"):
		io.WriteString(w, `{"id": "m2"}`)
	default:
		w.WriteHeader(404)
		io.WriteString(w, `{"message": "404: Not Found", "code": 0}`)
	}
	f.got <- rec
}

// next returns the next request whose path has the given prefix, skipping others.
func (f *fakeDiscord) next(prefix string) recorded {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case r := <-f.got:
			if strings.HasPrefix(r.Path, prefix) {
				return r
			}
		case <-deadline:
			f.t.Fatalf("no request to %s within 10s", prefix)
		}
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (f *fakeDiscord) send(c *websocket.Conn, v any) error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	return c.WriteJSON(v)
}

// gateway: Hello, then Identify (READY) or Resume (RESUMED), then
// heartbeat acks until the connection closes.
func (f *fakeDiscord) gateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.send(c, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
	var first struct {
		Op int             `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	if err := c.ReadJSON(&first); err != nil {
		c.Close()
		return
	}
	f.wmu.Lock()
	f.conn = c
	f.seq++
	seq := f.seq
	f.wmu.Unlock()
	switch first.Op {
	case 2:
		f.mu.Lock()
		f.identifies++
		f.mu.Unlock()
		f.send(c, map[string]any{"op": 0, "t": "READY", "s": seq, "d": map[string]any{
			"v": 10, "session_id": "session-1", "resume_gateway_url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws/",
			"user":   map[string]any{"id": "bot1", "username": "prepbot", "bot": true},
			"guilds": []any{}, "application": map[string]any{"id": "app1", "flags": 0},
		}})
	case 6:
		f.mu.Lock()
		f.resumes++
		f.mu.Unlock()
		// Discord replays the events sent after the last one the client
		// saw, then says RESUMED: an event sent on a connection that the
		// client then dropped is not lost.
		var resume struct {
			Seq int `json:"seq"`
		}
		json.Unmarshal(first.D, &resume)
		f.wmu.Lock()
		var missed []map[string]any
		for _, e := range f.sent {
			if e["s"].(int) > resume.Seq {
				missed = append(missed, e)
			}
		}
		f.wmu.Unlock()
		for _, e := range missed {
			f.send(c, e)
		}
		f.send(c, map[string]any{"op": 0, "t": "RESUMED", "s": seq, "d": map[string]any{}})
	default:
		c.Close()
		return
	}
	f.connected <- struct{}{}
	for {
		var m struct {
			Op int `json:"op"`
		}
		if err := c.ReadJSON(&m); err != nil {
			return
		}
		if m.Op == 1 {
			f.send(c, map[string]any{"op": 11})
		}
	}
}

// dispatch sends an event to the connected client.
func (f *fakeDiscord) dispatch(event string, d any) {
	f.t.Helper()
	f.wmu.Lock()
	c := f.conn
	f.seq++
	e := map[string]any{"op": 0, "t": event, "s": f.seq, "d": d}
	f.sent = append(f.sent, e)
	f.wmu.Unlock()
	if c == nil {
		f.t.Fatal("no gateway connection")
	}
	if err := f.send(c, e); err != nil {
		f.t.Logf("dispatch: %v (replayed when the client resumes)", err)
	}
}

// drop closes the gateway connection, as a network failure would.
func (f *fakeDiscord) drop() {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.conn.Close()
	f.conn = nil
}

func (f *fakeDiscord) waitConnected() {
	f.t.Helper()
	select {
	case <-f.connected:
	case <-time.After(10 * time.Second):
		f.t.Fatal("the adapter did not connect to the gateway")
	}
}
