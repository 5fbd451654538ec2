// Package slacktest is a fake Slack, as strict as Slack: its Web API,
// response_url and socket mode speak the real wire protocol on 127.0.0.1
// and refuse what Slack refuses (Block Kit's limits, a method whose scope
// the app manifest does not grant, an expired trigger_id, a picture the
// viewer may not see), answering as Slack does. Every refusal fails the
// test that caused it unless the test takes it with TakeRefusals.
//
// Each rule cites its documentation page once, in rules.go.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Tokens the fake accepts.
const (
	BotToken = "xoxb-test"
	AppToken = "xapp-test"
)

// Call is one Web API call, response_url post or upload the fake received.
type Call struct {
	Method string     // "chat.postMessage", "response", "upload", ...
	Form   url.Values // form-encoded calls
	JSON   map[string]any
	At     time.Time // when it arrived (wall clock)
	Error  string    // what the fake answered when it refused the call
}

// Refusal is a call the fake refused as Slack would.
type Refusal struct {
	Method string
	Error  string
	Errors []string
}

func (r Refusal) String() string {
	if len(r.Errors) == 0 {
		return r.Method + ": " + r.Error
	}
	return r.Method + ": " + r.Error + ": " + strings.Join(r.Errors, "; ")
}

// Ack is a socket-mode acknowledgement and how long after its envelope was
// sent it came.
type Ack struct {
	Body  map[string]any
	After time.Duration
}

type file struct {
	name     string
	uploaded bool
	complete bool
	shared   map[string]bool // channel ids and user ids it was shared to
}

type sentEnvelope struct {
	at      time.Time
	channel string
}

type trigger struct {
	at   time.Time
	used bool
}

// Server is the fake Slack.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	// Mu guards the exported maps and counters below.
	Mu     sync.Mutex
	All    []Call
	Admins map[string]bool // users.info is_admin
	// Zones are users' time zones, users.info's tz (an IANA name, as
	// Slack gives it: https://docs.slack.dev/reference/objects/user-object);
	// for a user not in it the fake leaves tz out, and the member's day
	// follows the group's.
	Zones   map[string]string
	Limited map[string]int // method -> 429s before it succeeds
	// RetryAfter is the Retry-After, in seconds, of those 429s.
	RetryAfter int
	Gone       map[string]bool          // channel -> channel_not_found
	NotIn      map[string]bool          // channel the bot is not in: no file is shared there
	Stall      map[string]time.Duration // method (or "*") -> time it takes to answer
	held       map[string]chan struct{} // method -> closed when Hold's release is called
	Opens      int                      // apps.connections.open calls
	// Scopes are the bot token's scopes: the manifest's
	// oauth_config.scopes.bot unless the test sets them.
	Scopes []string
	// Now is the clock trigger ids are issued and checked with.
	Now func() time.Time

	calls     chan Call
	refusals  []Refusal
	files     map[string]*file
	triggers  map[string]*trigger
	responses map[string]string // response path -> channel
	uses      map[string]int    // response path -> posts
	sent      map[string]sentEnvelope
	pings     []string
	seq       int

	wmu       sync.Mutex
	conn      *websocket.Conn
	connected chan struct{}
	acks      chan Ack // a nudge: an ack arrived
	acked     map[string]Ack
}

// New starts a fake Slack whose bot scopes are those of the repository's
// slack-manifest.yaml. It stops, and fails the test for every refusal the
// test did not take, when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	path, err := FindManifest()
	if err != nil {
		t.Fatal(err)
	}
	scopes, err := ManifestScopes(path)
	if err != nil {
		t.Fatal(err)
	}
	f := &Server{t: t, calls: make(chan Call, 10000), Admins: map[string]bool{}, Zones: map[string]string{}, Limited: map[string]int{},
		Gone: map[string]bool{}, NotIn: map[string]bool{}, Stall: map[string]time.Duration{}, Scopes: scopes, Now: time.Now,
		files: map[string]*file{}, triggers: map[string]*trigger{}, responses: map[string]string{},
		uses: map[string]int{}, sent: map[string]sentEnvelope{},
		connected: make(chan struct{}, 10), acks: make(chan Ack, 100), acked: map[string]Ack{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", f.api)
	mux.HandleFunc("/response/", f.response)
	mux.HandleFunc("/upload/", f.upload)
	mux.HandleFunc("/ws", f.socket)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.wmu.Lock()
		if f.conn != nil {
			f.conn.Close()
		}
		f.wmu.Unlock()
		f.srv.Close()
		f.Mu.Lock()
		defer f.Mu.Unlock()
		for _, r := range f.refusals {
			t.Errorf("Slack would refuse this: %s", r)
		}
	})
	return f
}

// APIURL is the Web API base URL to give the adapter.
func (f *Server) APIURL() string { return f.srv.URL + "/api/" }

// ResponseURL returns a new response_url for a command or interaction in
// channel.
func (f *Server) ResponseURL(channel string) string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.seq++
	path := "/response/" + strconv.Itoa(f.seq)
	f.responses[path] = channel
	return f.srv.URL + path
}

// Trigger issues a trigger_id as Slack does with an interaction or a slash
// command, stamped with the fake's clock.
func (f *Server) Trigger() string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.seq++
	id := fmt.Sprintf("%d.%d.trig%d", 1000+f.seq, 2000+f.seq, f.seq)
	f.triggers[id] = &trigger{at: f.Now()}
	return id
}

// Hold makes the calls of a Web API method wait, unanswered, until release
// is called (a Slack that has not answered yet: the test decides when it
// does). Release before the test ends.
func (f *Server) Hold(method string) (release func()) {
	ch := make(chan struct{})
	f.Mu.Lock()
	if f.held == nil {
		f.held = map[string]chan struct{}{}
	}
	f.held[method] = ch
	f.Mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.Mu.Lock()
			delete(f.held, method)
			f.Mu.Unlock()
			close(ch)
		})
	}
}

// StallAll makes every Web API call, response_url post and upload take d.
func (f *Server) StallAll(d time.Duration) {
	f.Mu.Lock()
	f.Stall["*"] = d
	f.Mu.Unlock()
}

// TakeRefusals returns the refusals so far and forgets them, so they do
// not fail the test.
func (f *Server) TakeRefusals() []Refusal {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	r := f.refusals
	f.refusals = nil
	return r
}

// Pings returns the mentions that would notify people (<!channel>,
// <!here>, <!everyone>, <@U…>) found in messages the fake accepted.
func (f *Server) Pings() []string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return slices.Clone(f.pings)
}

// FileShares returns where a file was shared (channel and user ids), and
// whether it exists.
func (f *Server) FileShares(id string) ([]string, bool) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	fl, ok := f.files[id]
	if !ok {
		return nil, false
	}
	var out []string
	for k := range fl.shared {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, true
}

// Calls returns a copy of every call so far.
func (f *Server) Calls() []Call {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return slices.Clone(f.All)
}

func (f *Server) record(c Call) {
	f.Mu.Lock()
	f.All = append(f.All, c)
	f.Mu.Unlock()
	select {
	case f.calls <- c:
	default:
	}
}

func (f *Server) refuse(r Refusal) {
	f.Mu.Lock()
	f.refusals = append(f.refusals, r)
	f.Mu.Unlock()
}

func (f *Server) stall(method string) {
	f.Mu.Lock()
	d, ok := f.Stall[method]
	if !ok {
		d = f.Stall["*"]
	}
	held := f.held[method]
	f.Mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	if held != nil {
		<-held
	}
}

var pingRE = regexp.MustCompile(`<!(channel|here|everyone)[^>]*>|<@[UW][A-Z0-9]+(\|[^>]*)?>|<!subteam\^[^>]*>`)

// notePings records the mentions in a message's text and blocks.
func (f *Server) notePings(body map[string]any) {
	data, _ := json.Marshal(body)
	var found []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			found = append(found, pingRE.FindAllString(x, -1)...)
			if strings.HasPrefix(strings.TrimSpace(x), "[") { // form-encoded blocks
				var inner any
				if json.Unmarshal([]byte(x), &inner) == nil {
					walk(inner)
				}
			}
		case map[string]any:
			if x["type"] == "plain_text" {
				return // shown as written: markup is parsed only in mrkdwn (docs.slack.dev/reference/block-kit/composition-objects/text-object)
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var v any
	json.Unmarshal(data, &v)
	walk(v)
	if len(found) > 0 {
		f.Mu.Lock()
		f.pings = append(f.pings, found...)
		f.Mu.Unlock()
	}
}

func (f *Server) filesOf(id string) (map[string]bool, bool) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	fl, ok := f.files[id]
	if !ok || !fl.complete {
		return nil, false
	}
	return fl.shared, true
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// slackError answers as the Web API does: HTTP 200, ok false.
func slackError(w http.ResponseWriter, name string, errs []string) {
	body := map[string]any{"ok": false, "error": name}
	if len(errs) > 0 {
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, "[ERROR] "+e)
		}
		body["errors"] = errs
		body["response_metadata"] = map[string]any{"messages": msgs}
	}
	writeJSON(w, body)
}

func (f *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	c := Call{Method: method, At: time.Now()}
	params := map[string]any{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(body, &c.JSON)
		params = c.JSON
	} else {
		c.Form, _ = url.ParseQuery(string(body))
		for k := range c.Form {
			params[k] = c.Form.Get(k)
		}
	}
	get := func(k string) string { s, _ := params[k].(string); return s }
	auth := r.Header.Get("Authorization")
	if auth == "" && get("token") != "" {
		auth = "Bearer " + get("token")
	}
	f.Mu.Lock()
	n := f.Limited[method]
	if n > 0 {
		f.Limited[method] = n - 1
	}
	retryAfter := f.RetryAfter
	f.Mu.Unlock()
	if n > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"ok": false, "error": "ratelimited"}`)
		f.record(Call{Method: "429 " + method, At: time.Now()})
		return
	}
	fail := func(name string, errs []string) {
		f.refuse(Refusal{Method: method, Error: name, Errors: errs})
		c.Error = name
		slackError(w, name, errs)
		f.record(c)
	}
	// apps.connections.open takes the app-level token (connections:write);
	// every other method the bot token.
	if method == "apps.connections.open" {
		if auth != "Bearer "+AppToken {
			fail("not_allowed_token_type", nil)
			return
		}
	} else if auth != "Bearer "+BotToken {
		fail("invalid_auth", nil)
		return
	}
	if need, ok := methodScopes[method]; ok {
		f.Mu.Lock()
		var missing []string
		for _, s := range need {
			if !slices.Contains(f.Scopes, s) {
				missing = append(missing, s)
			}
		}
		provided := strings.Join(f.Scopes, ",")
		f.Mu.Unlock()
		if len(missing) > 0 {
			f.refuse(Refusal{Method: method, Error: "missing_scope", Errors: []string{"needed " + strings.Join(missing, ",")}})
			c.Error = "missing_scope"
			writeJSON(w, map[string]any{"ok": false, "error": "missing_scope", "needed": strings.Join(missing, ","), "provided": provided})
			f.record(c)
			return
		}
	} else if method != "apps.connections.open" {
		fail("unknown_method", nil)
		return
	}
	// a trigger's age counts when Slack receives views.open
	var triggerErr string
	if method == "views.open" {
		f.Mu.Lock()
		tr, ok := f.triggers[get("trigger_id")]
		switch {
		case !ok:
			triggerErr = "invalid_trigger_id"
		case tr.used:
			triggerErr = "exchanged_trigger_id"
		case f.Now().Sub(tr.at) > 3*time.Second:
			triggerErr = "expired_trigger_id"
		default:
			tr.used = true
		}
		f.Mu.Unlock()
	}
	f.stall(method)
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "url": "https://example.slack.com/", "team": "Study", "user": "prepbot", "team_id": "T1", "user_id": "B1"})
	case "apps.connections.open":
		f.Mu.Lock()
		f.Opens++
		f.Mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"})
	case "users.info":
		u := get("user")
		f.Mu.Lock()
		admin := f.Admins[u]
		tz, ok := f.Zones[u]
		f.Mu.Unlock()
		user := map[string]any{"id": u, "name": u, "is_admin": admin}
		if ok {
			user["tz"], user["tz_label"] = tz, tz
		}
		writeJSON(w, map[string]any{"ok": true, "user": user})
	case "chat.postMessage", "chat.postEphemeral":
		ch := get("channel")
		f.Mu.Lock()
		gone := f.Gone[ch]
		f.Mu.Unlock()
		if gone {
			c.Error = "channel_not_found"
			slackError(w, "channel_not_found", nil)
			break
		}
		if method == "chat.postEphemeral" && get("user") == "" {
			fail("user_not_in_channel", nil)
			return
		}
		if name, errs := checkMessage(params, surface{channel: ch, user: get("user"), files: f.filesOf}); name != "" {
			fail(name, errs)
			return
		}
		f.notePings(params)
		if method == "chat.postMessage" {
			writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": "1700000000.000100"})
		} else {
			writeJSON(w, map[string]any{"ok": true, "message_ts": "1700000000.000200"})
		}
	case "files.getUploadURLExternal":
		size, _ := strconv.Atoi(get("length"))
		if get("filename") == "" || size <= 0 {
			fail("invalid_arguments", nil)
			return
		}
		f.Mu.Lock()
		f.seq++
		id := "F" + strconv.Itoa(f.seq)
		f.files[id] = &file{name: get("filename"), shared: map[string]bool{}}
		f.Mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + id, "file_id": id})
	case "files.completeUploadExternal":
		var list []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		switch v := params["files"].(type) {
		case string:
			json.Unmarshal([]byte(v), &list)
		case []any:
			data, _ := json.Marshal(v)
			json.Unmarshal(data, &list)
		}
		if len(list) == 0 {
			fail("invalid_arguments", nil)
			return
		}
		var where []string
		if ch := get("channel_id"); ch != "" {
			where = append(where, ch)
		}
		for _, ch := range strings.Split(get("channels"), ",") {
			if ch = strings.TrimSpace(ch); ch != "" {
				where = append(where, ch)
			}
		}
		f.Mu.Lock()
		for _, ch := range where {
			if f.Gone[ch] || f.NotIn[ch] {
				f.Mu.Unlock()
				c.Error = "not_in_channel"
				slackError(w, "not_in_channel", nil)
				f.record(c)
				return
			}
		}
		var out []map[string]any
		var bad bool
		for _, it := range list {
			fl, ok := f.files[it.ID]
			if !ok || !fl.uploaded {
				bad = true
				break
			}
			fl.complete = true
			for _, ch := range where {
				fl.shared[ch] = true
			}
			out = append(out, map[string]any{"id": it.ID, "title": it.Title})
		}
		f.Mu.Unlock()
		if bad {
			fail("file_not_found", nil)
			return
		}
		writeJSON(w, map[string]any{"ok": true, "files": out})
	case "views.open":
		if triggerErr != "" {
			fail(triggerErr, nil)
			return
		}
		var view map[string]any
		switch v := params["view"].(type) {
		case string:
			json.Unmarshal([]byte(v), &view)
		case map[string]any:
			view = v
		}
		if view == nil {
			fail("invalid_arguments", nil)
			return
		}
		if errs := checkView(view, surface{files: f.filesOf}); len(errs) > 0 {
			fail("invalid_arguments", errs)
			return
		}
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
	}
	f.record(c)
}

// response takes a response_url post: JSON, at most 5 per url, checked
// like a message in the url's channel. Slack answers a refused one with
// HTTP 404 and an error body.
func (f *Server) response(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := Call{Method: "response", At: time.Now()}
	json.Unmarshal(body, &c.JSON)
	f.Mu.Lock()
	ch, ok := f.responses[r.URL.Path]
	f.uses[r.URL.Path]++
	uses := f.uses[r.URL.Path]
	f.Mu.Unlock()
	fail := func(name string, errs []string) {
		f.refuse(Refusal{Method: "response_url", Error: name, Errors: errs})
		c.Error = name
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": name})
		f.record(c)
	}
	if !ok {
		fail("invalid_response_url", nil)
		return
	}
	if uses > maxResponseUses {
		fail("used_url", nil)
		return
	}
	f.stall("response")
	if c.JSON == nil {
		fail("invalid_payload", nil)
		return
	}
	if name, errs := checkMessage(c.JSON, surface{channel: ch, files: f.filesOf}); name != "" {
		fail(name, errs)
		return
	}
	f.notePings(c.JSON)
	writeJSON(w, map[string]any{"ok": true})
	f.record(c)
}

// upload takes the file bytes at the URL files.getUploadURLExternal gave.
func (f *Server) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	body, _ := io.ReadAll(r.Body)
	f.stall("upload")
	f.Mu.Lock()
	fl, ok := f.files[id]
	if ok {
		fl.uploaded = len(body) > 0
	}
	f.Mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	io.WriteString(w, "OK - "+strconv.Itoa(len(body)))
	f.record(Call{Method: "upload", Form: url.Values{"bytes": {string(body)}, "file": {id}}, At: time.Now()})
}

// CheckResponse checks the body of an HTTP acknowledgement (a slash
// command's inline reply) as Slack would, in channel; an empty body is a
// plain acknowledgement.
func (f *Server) CheckResponse(channel string, body []byte) {
	f.t.Helper()
	if len(strings.TrimSpace(string(body))) == 0 {
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		f.refuse(Refusal{Method: "ack", Error: "invalid_payload", Errors: []string{err.Error()}})
		return
	}
	f.checkAck(channel, m)
}

func (f *Server) checkAck(channel string, m map[string]any) {
	if _, ok := m["response_action"]; ok { // a view_submission's answer
		return
	}
	if name, errs := checkMessage(m, surface{channel: channel, files: f.filesOf}); name != "" {
		f.refuse(Refusal{Method: "ack", Error: name, Errors: errs})
		return
	}
	f.notePings(m)
}

// Next returns the next call of a method, skipping others.
func (f *Server) Next(method string) Call {
	f.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case c := <-f.calls:
			if c.Method == method {
				return c
			}
		case <-deadline:
			f.t.Fatalf("no %s call within 15s", method)
		}
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket: hello, then the envelopes the test sends, reading acks. An ack's
// payload is checked as Slack checks a slash command's reply.
func (f *Server) socket(w http.ResponseWriter, r *http.Request) {
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
		id, _ := ack["envelope_id"].(string)
		f.Mu.Lock()
		sent, ok := f.sent[id]
		f.Mu.Unlock()
		var after time.Duration
		if ok {
			after = time.Since(sent.at)
		}
		if p, ok := ack["payload"].(map[string]any); ok {
			f.checkAck(sent.channel, p)
		}
		f.Mu.Lock()
		f.acked[id] = Ack{Body: ack, After: after}
		f.Mu.Unlock()
		select {
		case f.acks <- Ack{}:
		default:
		}
	}
}

// Send writes a message on the socket-mode connection.
func (f *Server) Send(v any) {
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

// Envelope sends a socket-mode envelope and returns its acknowledgement.
func (f *Server) Envelope(id, typ string, payload any, retry int) map[string]any {
	f.t.Helper()
	return f.TimedEnvelope(id, typ, payload, retry).Body
}

// TimedEnvelope sends a socket-mode envelope and returns its
// acknowledgement with the time it took.
func (f *Server) TimedEnvelope(id, typ string, payload any, retry int) Ack {
	f.t.Helper()
	f.SendEnvelope(id, typ, payload, retry)
	return f.WaitAck(id)
}

// SendEnvelope sends a socket-mode envelope without waiting for its
// acknowledgement (see WaitAck).
func (f *Server) SendEnvelope(id, typ string, payload any, retry int) {
	f.t.Helper()
	channel := ""
	if p, ok := payload.(map[string]any); ok {
		channel, _ = p["channel_id"].(string)
	}
	f.Mu.Lock()
	f.sent[id] = sentEnvelope{at: time.Now(), channel: channel}
	f.Mu.Unlock()
	f.Send(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ == "slash_commands", "retry_attempt": retry})
}

// WaitAck waits for the acknowledgement of envelope id.
func (f *Server) WaitAck(id string) Ack {
	f.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		f.Mu.Lock()
		ack, ok := f.acked[id]
		if ok {
			delete(f.acked, id)
		}
		f.Mu.Unlock()
		if ok {
			return ack
		}
		select {
		case <-f.acks:
		case <-time.After(10 * time.Millisecond): // another waiter took the nudge
		case <-deadline:
			f.t.Fatalf("envelope %s was not acknowledged", id)
		}
	}
}

// WaitConnected waits for a socket-mode connection.
func (f *Server) WaitConnected() {
	f.t.Helper()
	select {
	case <-f.connected:
	case <-time.After(10 * time.Second):
		f.t.Fatal("socket mode did not connect")
	}
}
