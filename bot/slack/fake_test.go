package slack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// call is one Web API call or response_url post the fake Slack received.
type call struct {
	Method string     // "chat.postMessage", "response", ...
	Form   url.Values // form-encoded calls
	JSON   map[string]any
}

// fakeSlack speaks Slack's Web API and socket mode on 127.0.0.1.
type fakeSlack struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	calls chan call
	all   []call

	admins  map[string]bool
	limited map[string]int  // method -> 429s before success
	gone    map[string]bool // channel -> channel_not_found

	wmu       sync.Mutex
	conn      *websocket.Conn
	opens     int
	connected chan struct{}
	acks      chan map[string]any
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, calls: make(chan call, 100), admins: map[string]bool{}, limited: map[string]int{},
		gone: map[string]bool{}, connected: make(chan struct{}, 10), acks: make(chan map[string]any, 100)}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", f.api)
	mux.HandleFunc("/response/", f.response)
	mux.HandleFunc("/upload/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.record(call{Method: "upload", Form: url.Values{"bytes": {string(body)}}})
		io.WriteString(w, "OK - 1")
	})
	mux.HandleFunc("/ws", f.socket)
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

func (f *fakeSlack) apiURL() string      { return f.srv.URL + "/api/" }
func (f *fakeSlack) responseURL() string { return f.srv.URL + "/response/1" }

func (f *fakeSlack) record(c call) {
	f.mu.Lock()
	f.all = append(f.all, c)
	f.mu.Unlock()
	f.calls <- c
}

func (f *fakeSlack) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	c := call{Method: method}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	auth := r.Header.Get("Authorization")
	f.mu.Lock()
	n := f.limited[method]
	if n > 0 {
		f.limited[method] = n - 1
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if n > 0 {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"ok": false, "error": "ratelimited"}`)
		f.record(call{Method: "429 " + method})
		return
	}
	want := "Bearer xoxb-test"
	if method == "apps.connections.open" {
		want = "Bearer xapp-test"
	}
	if auth == "" && c.Form != nil && c.Form.Get("token") != "" {
		auth = "Bearer " + c.Form.Get("token")
	}
	if auth != want {
		io.WriteString(w, `{"ok": false, "error": "invalid_auth"}`)
		return
	}
	switch method {
	case "auth.test":
		io.WriteString(w, `{"ok": true, "url": "https://example.slack.com/", "team": "Study", "user": "prepbot", "team_id": "T1", "user_id": "B1"}`)
	case "apps.connections.open":
		f.mu.Lock()
		f.opens++
		f.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"})
	case "users.info":
		u := c.Form.Get("user")
		f.mu.Lock()
		admin := f.admins[u]
		f.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{"id": u, "name": u, "is_admin": admin}})
	case "chat.postMessage":
		ch := c.Form.Get("channel")
		f.mu.Lock()
		gone := f.gone[ch]
		f.mu.Unlock()
		if gone {
			io.WriteString(w, `{"ok": false, "error": "channel_not_found"}`)
		} else {
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": ch, "ts": "1700000000.000100"})
		}
	case "chat.postEphemeral":
		io.WriteString(w, `{"ok": true, "message_ts": "1700000000.000200"}`)
	case "files.getUploadURLExternal":
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/F1", "file_id": "F1"})
	case "files.completeUploadExternal":
		io.WriteString(w, `{"ok": true, "files": [{"id": "F1", "title": "stats"}]}`)
	case "views.open":
		io.WriteString(w, `{"ok": true, "view": {"id": "V1"}}`)
	default:
		io.WriteString(w, `{"ok": false, "error": "unknown_method"}`)
	}
	f.record(c)
}

func (f *fakeSlack) response(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := call{Method: "response"}
	json.Unmarshal(body, &c.JSON)
	io.WriteString(w, "ok")
	f.record(c)
}

// next returns the next call of a method, skipping others.
func (f *fakeSlack) next(method string) call {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c := <-f.calls:
			if c.Method == method {
				return c
			}
		case <-deadline:
			f.t.Fatalf("no %s call within 10s", method)
		}
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket: hello, then envelopes the test sends, reading acks.
func (f *fakeSlack) socket(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.wmu.Lock()
	f.conn = c
	c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "applink-test", "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": "A1"}})
	f.wmu.Unlock()
	f.connected <- struct{}{}
	for {
		var ack map[string]any
		if err := c.ReadJSON(&ack); err != nil {
			return
		}
		f.acks <- ack
	}
}

func (f *fakeSlack) send(v any) {
	f.t.Helper()
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.conn == nil {
		f.t.Fatal("no socket-mode connection")
	}
	if err := f.conn.WriteJSON(v); err != nil {
		f.t.Fatalf("send: %v", err)
	}
}

// envelope sends a socket-mode envelope and returns its ack.
func (f *fakeSlack) envelope(id, typ string, payload any, retry int) map[string]any {
	f.t.Helper()
	f.send(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ == "slash_commands", "retry_attempt": retry})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ack := <-f.acks:
			if ack["envelope_id"] == id {
				return ack
			}
		case <-deadline:
			f.t.Fatalf("envelope %s was not acknowledged", id)
		}
	}
}

func (f *fakeSlack) waitConnected() {
	f.t.Helper()
	select {
	case <-f.connected:
	case <-time.After(10 * time.Second):
		f.t.Fatal("socket mode did not connect")
	}
}
