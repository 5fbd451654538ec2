// Package llmtest is a fake OpenAI-compatible chat-completions endpoint on
// 127.0.0.1, for tests of the model grader. It speaks the wire format of
// POST /v1/chat/completions and refuses what the hosted API refuses: a
// missing or wrong bearer token (401), an unknown model (404), a body with
// unknown fields, no messages, a streaming request, and a response_format
// json_schema that strict mode does not take (400: a name outside
// [a-zA-Z0-9_-]{1,64}, an object without additionalProperties false or with
// a property not required). What it answers is up to the test: a reply's
// content, a refusal, an error status, or a stall until the client gives
// up.
package llmtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is what the fake received, as the test asserts on it.
type Request struct {
	Model    string
	System   string // the system message
	User     string // the user message
	Format   ResponseFormat
	Header   http.Header
	Messages []Message
}

// Message is a chat message as sent.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	Name    string `json:"name,omitempty"`
}

// ResponseFormat is the request's response_format.
type ResponseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Schema      json.RawMessage `json:"schema"`
		Strict      bool            `json:"strict"`
	} `json:"json_schema,omitempty"`
}

// Reply is what the fake answers one request with.
type Reply struct {
	Content string // the assistant message's content
	Refusal string // a refusal instead of content
	Status  int    // an error status instead of a completion
	Stall   bool   // answer nothing until the client gives up
	// FinishReason defaults to "stop".
	FinishReason string
}

// Server is the fake endpoint.
type Server struct {
	URL   string // the API base, ending in /v1
	Key   string // the bearer token it accepts
	Model string // the model it serves

	srv     *httptest.Server
	mu      sync.Mutex
	answer  func(Request) Reply
	got     []Request
	refused []string
	done    chan struct{}
	close   sync.Once
}

// New starts a fake serving model to clients with key, answering with
// answer. It stops when the test ends.
func New(t testing.TB, key, model string, answer func(Request) Reply) *Server {
	t.Helper()
	s := &Server{Key: key, Model: model, answer: answer, done: make(chan struct{})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}}
	s.srv.Start()
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.Close)
	return s
}

// Close stops the fake: a stalled request ends, and nothing answers at
// its address any more.
func (s *Server) Close() {
	s.close.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Requests are the requests the fake answered (not those it refused).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.got...)
}

// Refused are the reasons of the requests it refused.
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refused...)
}

// body is the request body: the fields a chat completion takes that a
// grader might send; any other field is refused.
type body struct {
	Model               string          `json:"model"`
	Messages            []Message       `json:"messages"`
	ResponseFormat      *ResponseFormat `json:"response_format"`
	Stream              *bool           `json:"stream"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	Seed                *int            `json:"seed"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	N                   *int            `json:"n"`
	User                string          `json:"user"`
}

var schemaName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	refuse := func(status int, typ, msg string) {
		s.mu.Lock()
		s.refused = append(s.refused, msg)
		s.mu.Unlock()
		writeError(w, status, typ, msg)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		refuse(http.StatusNotFound, "invalid_request_error", "unknown url "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Key {
		refuse(http.StatusUnauthorized, "invalid_request_error", "incorrect API key provided")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		refuse(http.StatusBadRequest, "invalid_request_error", "content type "+ct+" is not application/json")
		return
	}
	var b body
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		refuse(http.StatusBadRequest, "invalid_request_error", "the body does not parse: "+err.Error())
		return
	}
	if b.Model != s.Model {
		refuse(http.StatusNotFound, "invalid_request_error", fmt.Sprintf("the model %q does not exist", b.Model))
		return
	}
	if len(b.Messages) == 0 {
		refuse(http.StatusBadRequest, "invalid_request_error", "messages: empty")
		return
	}
	if b.Stream != nil && *b.Stream {
		refuse(http.StatusBadRequest, "invalid_request_error", "stream: this fake does not stream")
		return
	}
	for i, m := range b.Messages {
		switch m.Role {
		case "system", "developer", "user", "assistant":
		default:
			refuse(http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("messages[%d].role: %q", i, m.Role))
			return
		}
	}
	if f := b.ResponseFormat; f != nil {
		if msg := checkFormat(*f); msg != "" {
			refuse(http.StatusBadRequest, "invalid_request_error", msg)
			return
		}
	}
	req := Request{Model: b.Model, Header: r.Header.Clone(), Messages: b.Messages}
	if b.ResponseFormat != nil {
		req.Format = *b.ResponseFormat
	}
	for _, m := range b.Messages {
		switch m.Role {
		case "system", "developer":
			req.System += m.Content
		case "user":
			req.User += m.Content
		}
	}
	s.mu.Lock()
	s.got = append(s.got, req)
	s.mu.Unlock()
	rep := s.answer(req)
	switch {
	case rep.Stall:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	case rep.Status != 0:
		typ := "server_error"
		if rep.Status == http.StatusTooManyRequests {
			typ = "rate_limit_exceeded"
			w.Header().Set("Retry-After", "20")
		}
		writeError(w, rep.Status, typ, http.StatusText(rep.Status))
		return
	}
	msg := map[string]any{"role": "assistant", "content": rep.Content, "refusal": nil}
	if rep.Refusal != "" {
		msg["content"], msg["refusal"] = nil, rep.Refusal
	}
	finish := rep.FinishReason
	if finish == "" {
		finish = "stop"
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id":      "chatcmpl-fake",
		"object":  "chat.completion",
		"created": 1764680000,
		"model":   b.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
	})
}

// checkFormat refuses a response_format strict mode does not take.
func checkFormat(f ResponseFormat) string {
	switch f.Type {
	case "text", "json_object":
		return ""
	case "json_schema":
	default:
		return fmt.Sprintf("response_format.type: %q", f.Type)
	}
	js := f.JSONSchema
	if js == nil {
		return "response_format.json_schema: missing"
	}
	if !schemaName.MatchString(js.Name) {
		return "response_format.json_schema.name: must match [a-zA-Z0-9_-]{1,64}"
	}
	var schema any
	if err := json.Unmarshal(js.Schema, &schema); err != nil {
		return "response_format.json_schema.schema: not JSON"
	}
	if _, ok := schema.(map[string]any); !ok {
		return "response_format.json_schema.schema: not an object"
	}
	if js.Strict {
		if msg := strictProblem(schema, "schema"); msg != "" {
			return "response_format.json_schema." + msg
		}
	}
	return ""
}

// strictProblem finds what strict mode refuses: an object that allows
// other properties or leaves one out of required.
func strictProblem(v any, at string) string {
	switch x := v.(type) {
	case map[string]any:
		if props, ok := x["properties"].(map[string]any); ok || x["type"] == "object" {
			if x["additionalProperties"] != false {
				return at + ": additionalProperties must be false in strict mode"
			}
			req := map[string]bool{}
			if rs, ok := x["required"].([]any); ok {
				for _, r := range rs {
					if s, ok := r.(string); ok {
						req[s] = true
					}
				}
			}
			var missing []string
			for k := range props {
				if !req[k] {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				return at + ": every property must be required in strict mode: " + strings.Join(missing, ", ")
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if msg := strictProblem(x[k], at+"."+k); msg != "" {
				return msg
			}
		}
	case []any:
		for i, e := range x {
			if msg := strictProblem(e, fmt.Sprintf("%s[%d]", at, i)); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
}

// Answer is the text between the markers of the user message: the member's
// answer as the grader quoted it, and whether the markers were found.
func (r Request) Answer() (string, bool) {
	m := markers.FindStringSubmatch(r.User)
	if m == nil || m[1] != m[3] {
		return "", false
	}
	return m[2], true
}

var markers = regexp.MustCompile(`(?s)<<<ANSWER ([0-9a-f]+)>>>\n(.*)\n<<<END ANSWER ([0-9a-f]+)>>>`)
