// Package discordtest is a Discord as strict as the real one, for tests: a
// REST API and a gateway on 127.0.0.1 that validate every request body
// against Discord's official OpenAPI spec (when the file is beside the
// repository, see FindSpec) and against the documented rules the spec does
// not encode, and answer a violation as Discord does (400 Invalid Form
// Body) while failing the test that caused it.
package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Token is the bot token the fake accepts ("Bot " + Token).
const Token = "test-token"

// Request is one request the fake received.
type Request struct {
	Method, Path string
	ContentType  string
	Body         []byte
}

// Violation is a request Discord would have refused.
type Violation struct {
	Method, Path string
	Errors       []error
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s would be refused by Discord:", v.Method, v.Path)
	for _, e := range v.Errors {
		b.WriteString("\n  " + e.Error())
	}
	return b.String()
}

// TB is what the fake needs of the test it serves; a *testing.T has it
// all. A program (cmd/prepbench) gives its own.
type TB interface {
	Helper()
	Cleanup(func())
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// Server is the fake Discord.
type Server struct {
	t   TB
	srv *httptest.Server

	mu         sync.Mutex
	reqs       []Request
	violations []Violation
	limit      map[string]int    // path -> how many per-route 429s to answer
	global     int               // how many requests answer the global 429
	gone       map[string]bool   // channel ids that answer 404 Unknown Channel
	slow       map[string]func() // path -> called before answering
	types      map[string]int    // interaction token -> interaction type
	acked      map[string]bool   // interaction tokens with a callback
	dispatched map[string]bool   // interaction tokens sent over the gateway
	got        chan Request      // every request but the gateway lookup
	dmClosed   map[string]bool   // user ids whose DMs are closed to the bot
	dmUser     map[string]string // DM channel id -> its user
	dms        []DirectMessage   // messages posted to DM channels

	gw gateway // the websocket gateway (gateway.go)
}

// New starts a fake Discord; it stops, and fails the test if a request
// was refused and not taken with TakeViolations, when the test ends.
func New(t TB) *Server {
	s := &Server{t: t, got: make(chan Request, 1000), limit: map[string]int{}, gone: map[string]bool{},
		slow: map[string]func(){}, types: map[string]int{}, acked: map[string]bool{}, dispatched: map[string]bool{},
		dmClosed: map[string]bool{}, dmUser: map[string]string{}}
	s.gw.init()
	if sp, err := LoadSpec(); err != nil {
		t.Fatalf("Discord's OpenAPI spec: %v", err)
	} else if sp == nil {
		t.Logf("%s is not beside the repository: request bodies are checked against the documented rules only, not the spec", SpecFile)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws/", s.gateway)
	mux.HandleFunc("/", s.rest)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.closeGateway()
		s.srv.Close()
		for _, v := range s.TakeViolations() {
			t.Errorf("%s", v)
		}
	})
	return s
}

// APIURL is what the adapter's discord.api_url points at.
func (s *Server) APIURL() string { return s.srv.URL + "/api/v9/" }

// RateLimit makes the next n requests to path answer a per-route 429
// (retry_after 0.05 s).
func (s *Server) RateLimit(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit[path] = n
}

// GlobalLimit makes the next n requests bound to the global limit answer
// as Discord's documented global 429 does: Retry-After 65 (whole seconds),
// X-RateLimit-Global and X-RateLimit-Scope, no X-RateLimit-Reset-After, and
// retry_after 64.57 in the body.
func (s *Server) GlobalLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.global = n
}

// Interaction tells the fake of an interaction it did not dispatch (one
// sent to an Interactions Endpoint), so its callback and webhook calls are
// checked against its type.
func (s *Server) Interaction(token string, typ int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.types[token] = typ
}

// Gone makes a channel answer 404 Unknown Channel.
func (s *Server) Gone(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[channel] = true
}

// DirectMessage is a message posted to a user's DM channel.
type DirectMessage struct {
	User string
	Body []byte
}

// CloseDMs makes a user's DMs closed to the bot: creating the DM channel
// works, as on Discord, but a message to it answers 403 Cannot send
// messages to this user (code 50007,
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes).
func (s *Server) CloseDMs(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dmClosed[user] = true
}

// DirectMessages returns the messages posted to DM channels so far.
func (s *Server) DirectMessages() []DirectMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DirectMessage(nil), s.dms...)
}

// Stall calls fn before answering a request to path.
func (s *Server) Stall(path string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow[path] = fn
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// TakeViolations returns the refused requests and forgets them (for tests
// that expect a refusal).
func (s *Server) TakeViolations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

// boundByGlobalLimit: "Interaction endpoints are not bound to the bot's
// Global Rate Limit"
// (https://discord.com/developers/docs/topics/rate-limits#global-rate-limit).
func boundByGlobalLimit(path string) bool {
	return !strings.HasPrefix(path, "/interactions/") && !strings.HasPrefix(path, "/webhooks/")
}

func (s *Server) rest(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	if i := strings.Index(path, "/api/v"); i == 0 {
		path = path[len("/api/v"):]
		if j := strings.Index(path, "/"); j >= 0 {
			path = path[j:]
		}
	}
	rec := Request{r.Method, path, r.Header.Get("Content-Type"), body}
	s.mu.Lock()
	s.reqs = append(s.reqs, rec)
	n := s.limit[path]
	if n > 0 {
		s.limit[path] = n - 1
	}
	global := s.global > 0 && boundByGlobalLimit(path)
	if global {
		s.global--
	}
	stall := s.slow[path]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bot "+Token && boundByGlobalLimit(path) {
		w.WriteHeader(401)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
		s.got <- rec
		return
	}
	if global { // https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
		w.Header().Set("Retry-After", "65")
		w.Header().Set("X-RateLimit-Global", "true")
		w.Header().Set("X-RateLimit-Scope", "global")
		w.WriteHeader(429)
		io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 64.57, "global": true}`)
		s.got <- Request{"429", path, rec.ContentType, body}
		return
	}
	if n > 0 { // the documented per-route 429
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-RateLimit-Scope", "user")
		w.WriteHeader(429)
		io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 0.05, "global": false}`)
		s.got <- Request{"429", path, rec.ContentType, body}
		return
	}
	if errs := s.check(rec); len(errs) > 0 {
		s.refuse(w, rec, errs)
		s.got <- rec
		return
	}
	if stall != nil {
		stall()
	}
	switch {
	case path == "/gateway":
		json.NewEncoder(w).Encode(map[string]any{"url": s.wsURL()})
		return
	case path == "/gateway/bot":
		json.NewEncoder(w).Encode(s.gatewayBot())
		return
	case path == "/oauth2/applications/@me" || path == "/applications/@me":
		io.WriteString(w, `{"id": "app1", "name": "prepbot"}`)
	case strings.HasSuffix(path, "/commands") && r.Method == http.MethodPut:
		w.Write(body)
	case path == "/users/@me/channels" && r.Method == http.MethodPost:
		// https://discord.com/developers/docs/resources/user#create-dm:
		// returns the DM channel (type 1) with the recipient
		var req struct {
			RecipientID string `json:"recipient_id"`
		}
		json.Unmarshal(body, &req)
		s.mu.Lock()
		id := ""
		for ch, u := range s.dmUser {
			if u == req.RecipientID {
				id = ch
			}
		}
		if id == "" {
			id = fmt.Sprintf("9%017d", len(s.dmUser)+1)
			s.dmUser[id] = req.RecipientID
		}
		s.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"id": id, "type": 1, "last_message_id": nil, "flags": 0,
			"recipients": []map[string]any{{"id": req.RecipientID, "username": "member", "discriminator": "0", "global_name": nil, "avatar": nil}}})
	case strings.HasPrefix(path, "/channels/") && strings.HasSuffix(path, "/messages"):
		ch := strings.Split(path, "/")[2]
		s.mu.Lock()
		gone := s.gone[ch]
		user, dm := s.dmUser[ch]
		closed := dm && s.dmClosed[user]
		if dm && !closed && !gone {
			s.dms = append(s.dms, DirectMessage{user, body})
		}
		s.mu.Unlock()
		if closed {
			w.WriteHeader(403)
			io.WriteString(w, `{"message": "Cannot send messages to this user", "code": 50007}`)
		} else if gone {
			w.WriteHeader(404)
			io.WriteString(w, `{"message": "Unknown Channel", "code": 10003}`)
		} else {
			io.WriteString(w, `{"id": "m1", "channel_id": "`+ch+`"}`)
		}
	case strings.HasPrefix(path, "/interactions/"):
		w.WriteHeader(204)
	case strings.HasPrefix(path, "/webhooks/") && r.Method == http.MethodDelete:
		w.WriteHeader(204)
	case strings.HasPrefix(path, "/webhooks/"):
		io.WriteString(w, `{"id": "m2", "channel_id": "c1"}`)
	default:
		w.WriteHeader(404)
		io.WriteString(w, `{"message": "404: Not Found", "code": 0}`)
	}
	s.got <- rec
}

// check validates a request as Discord would: the spec first, then the
// documented rules for what the request carries.
func (s *Server) check(rec Request) []error {
	var errs []error
	sp, _ := LoadSpec()
	if sp != nil {
		if err := sp.ValidateRequest(rec.Method, rec.Path, rec.ContentType, rec.Body); err != nil {
			errs = append(errs, err)
		}
	}
	segs := strings.Split(strings.Trim(rec.Path, "/"), "/")
	var data []byte
	if len(rec.Body) > 0 {
		var err error
		if data, err = jsonBody(rec.ContentType, rec.Body); err != nil {
			return append(errs, err)
		}
	}
	switch {
	case rec.Method == http.MethodPut && segs[0] == "applications" && segs[len(segs)-1] == "commands":
		errs = append(errs, CheckCommands(data)...)
	case rec.Method == http.MethodPost && segs[0] == "interactions" && len(segs) == 4 && segs[3] == "callback":
		token := segs[2]
		s.mu.Lock()
		typ, acked := s.types[token], s.acked[token]
		s.acked[token] = true
		s.mu.Unlock()
		if acked {
			// Discord answers 400 "Interaction has already been acknowledged" (40060)
			errs = append(errs, fmt.Errorf("interaction %s: already acknowledged", segs[1]))
		}
		errs = append(errs, CheckCallback(typ, data)...)
	case segs[0] == "webhooks" && len(segs) >= 3:
		token := segs[2]
		s.mu.Lock()
		known, acked := s.dispatched[token], s.acked[token]
		s.mu.Unlock()
		if known && !acked {
			// the interaction's webhook exists once the interaction has
			// been answered (Discord: 404 Unknown Webhook)
			errs = append(errs, fmt.Errorf("%s %s: the interaction was not answered yet", rec.Method, rec.Path))
		}
		if len(data) > 0 {
			errs = append(errs, CheckMessage(data)...)
		}
	case segs[0] == "channels" && rec.Method == http.MethodPost && len(data) > 0:
		errs = append(errs, CheckMessage(data)...)
	}
	return errs
}

// refuse answers as Discord does for an invalid body, and records it.
func (s *Server) refuse(w http.ResponseWriter, rec Request, errs []error) {
	s.mu.Lock()
	s.violations = append(s.violations, Violation{rec.Method, rec.Path, errs})
	s.mu.Unlock()
	var unknown *UnknownOperationError
	if len(errs) == 1 && errors.As(errs[0], &unknown) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message": "404: Not Found", "code": 0}`)
		return
	}
	msgs := make([]map[string]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, map[string]string{"code": "BASE_TYPE_INVALID", "message": e.Error()})
	}
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]any{"code": 50035, "message": "Invalid Form Body",
		"errors": map[string]any{"_errors": msgs}})
}

// Next returns the next request whose path has the given prefix, skipping
// others; it fails the test after 10 seconds.
func (s *Server) Next(prefix string) Request {
	s.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case r := <-s.got:
			if strings.HasPrefix(r.Path, prefix) {
				return r
			}
		case <-deadline:
			s.t.Fatalf("no request to %s within 10s", prefix)
		}
	}
}

// None fails the test if a request whose path has the prefix arrives
// within d.
func (s *Server) None(prefix string, d time.Duration) {
	s.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case r := <-s.got:
			if strings.HasPrefix(r.Path, prefix) {
				s.t.Fatalf("unexpected %s %s: %s", r.Method, r.Path, r.Body)
			}
		case <-deadline:
			return
		}
	}
}
