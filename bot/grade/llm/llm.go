// Package llm grades typed answers with a language model behind any
// OpenAI-compatible chat-completions endpoint (a local Ollama or vLLM, or a
// hosted API), and falls back to the built-in grader whenever the model
// cannot be used.
//
// # What is sent
//
// One request per answer: a system message with the rubric (the question,
// the key concepts numbered, with the phrases that show each and the wrong
// ideas that betray it, and the model answer) and the instructions, and a
// user message holding the member's answer between two markers that carry
// a random token, introduced as data to grade, never as instructions. The
// member's answer leaves the machine when the endpoint is elsewhere.
//
// # What is believed
//
// The reply must be JSON matching the schema embedded in this package
// (grade.schema.json; requested as response_format json_schema and checked
// with santhosh-tekuri/jsonschema). It is then clamped and checked, so an
// answer that talks the model into a high grade gets no more than its
// content earns:
//
//   - every key concept of the rubric is graded exactly once: concepts the
//     rubric does not have are dropped, a concept graded twice keeps its
//     first grade, and one not graded is missed;
//   - evidence must occur in the member's text (compared ignoring case,
//     punctuation and spacing), be a short quote (50 words at most) and
//     share a word with the rubric, and a quote that showed one concept
//     shows another only when it uses that concept's own words (its text,
//     terms or misconceptions); quotes that do not are dropped, and a
//     concept left with no evidence is missed;
//   - misconceptions count only when they are the rubric's own, and a
//     concept whose misconception the answer states is at most partly
//     covered;
//   - the score is clamped to 0-100 and capped by what the checked statuses
//     allow: 100 times the concepts' mean credit (covered 1, partly 1/2,
//     missed 0), less 20 points for each misconception stated (two at
//     most), as the built-in grader takes them off.
//
// # When it falls back
//
// A timeout, a transport error, an HTTP status other than 2xx, a refusal, or
// a reply that is not JSON matching the schema: the answer is graded by the
// fallback grader (the built-in one), Assessment.Note says so in a sentence
// for the member, and the cause is logged without the member's text or the
// key. A card with no key concepts gives the model nothing to be checked
// against, so it is graded by the fallback too.
//
// # The client library
//
// Requests go through github.com/sashabaranov/go-openai: it is maintained,
// speaks the chat-completions wire format with response_format json_schema
// and the refusal field, takes a base URL for any compatible endpoint, and
// needs nothing beyond the standard library. It does not retry on its own,
// which is what a grader with a budget of seconds and a fallback wants.
// The official github.com/openai/openai-go/v3 would serve as well, but its
// module brings the Azure and AWS SDKs into the module graph and retries by
// default.
package llm

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	openai "github.com/sashabaranov/go-openai"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/grade"
)

// DefaultTimeout is how long a grade may take when Config.Timeout is zero.
const DefaultTimeout = 8 * time.Second

//go:embed grade.schema.json
var schemaJSON []byte

// Schema is the JSON schema a reply must match, as sent to the endpoint.
func Schema() []byte { return bytes.Clone(schemaJSON) }

// Config configures a Grader.
type Config struct {
	// URL is the endpoint's API base, such as http://127.0.0.1:11434/v1
	// (Ollama) or https://api.openai.com/v1; a URL ending in
	// /chat/completions is taken as its base.
	URL string
	// Model is the model's name at the endpoint.
	Model string
	// APIKey is sent as a bearer token when set. It is never logged.
	APIKey string
	// Timeout bounds one grade, from the request to the parsed reply
	// (DefaultTimeout when zero).
	Timeout time.Duration
	// Fallback grades when the model cannot (grade.Builtin when nil; the
	// notes the member reads name it the built-in grader).
	Fallback bot.Grader
	// Logger receives the causes of fallbacks (slog.Default when nil).
	Logger *slog.Logger
	// HTTPClient sends the requests (a client of its own when nil).
	HTTPClient *http.Client
}

// Grader is a bot.Grader backed by a language model.
type Grader struct {
	client   *openai.Client
	model    string
	timeout  time.Duration
	fallback bot.Grader
	log      *slog.Logger
	schema   *jsonschema.Schema
}

var _ bot.Grader = (*Grader)(nil)

// New checks cfg and returns a Grader. It sends nothing.
func New(cfg Config) (*Grader, error) {
	base, err := BaseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("grader.model: give the model's name at the endpoint, such as llama3.1:8b or gpt-4o-mini")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("grader.timeout: give a positive duration, such as 8s")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Fallback == nil {
		cfg.Fallback = grade.Builtin{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	sch, err := compileSchema()
	if err != nil {
		return nil, err
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = base
	oc.HTTPClient = cfg.HTTPClient
	return &Grader{
		client:   openai.NewClientWithConfig(oc),
		model:    cfg.Model,
		timeout:  cfg.Timeout,
		fallback: cfg.Fallback,
		log:      cfg.Logger,
		schema:   sch,
	}, nil
}

// BaseURL checks an endpoint URL and returns its API base (without a
// trailing /chat/completions). Its errors never quote the URL, which may
// carry credentials.
func BaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if raw == "" || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", errors.New("grader.url: not a full http(s) URL; give the endpoint's API base, such as http://127.0.0.1:11434/v1 for Ollama or https://api.openai.com/v1")
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/chat/completions")
	u.RawPath = ""
	return u.String(), nil
}

func compileSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("the grade schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("grade.schema.json", doc); err != nil {
		return nil, fmt.Errorf("the grade schema: %w", err)
	}
	return c.Compile("grade.schema.json")
}

// The notes a member reads when the fallback graded their answer.
const (
	NoteTimeout     = "The model grader did not answer in time; graded by the built-in grader."
	NoteBusy        = "The model grader is busy; graded by the built-in grader."
	NoteUnreachable = "The model grader could not be reached; graded by the built-in grader."
	NoteRefused     = "The model grader declined to grade this answer; graded by the built-in grader."
	NoteBadReply    = "The model grader's reply could not be used; graded by the built-in grader."
	NoteNoConcepts  = "This card has no key concepts to check the model grader's grade against; graded by the built-in grader."
)

// failure is why the model's grade was not used: a note for the member and
// a cause for the log (neither holds the member's text or the key).
type failure struct {
	note, cause string
	status      int
	expected    bool // no failure of the model: logged at debug level
}

func (f *failure) Error() string { return f.cause }

// Grade implements bot.Grader: the model's grade, checked, or the
// fallback's with a note saying why.
func (g *Grader) Grade(ctx context.Context, q bot.GradeRequest) (bot.Assessment, error) {
	if err := ctx.Err(); err != nil {
		return bot.Assessment{}, err
	}
	if len(q.Concepts) == 0 {
		return g.fallBack(ctx, q, &failure{note: NoteNoConcepts, cause: "the card has no key concepts", expected: true})
	}
	a, err := g.ask(ctx, q)
	if err != nil {
		if ctx.Err() != nil {
			// the caller gave up: nobody waits for a grade
			return bot.Assessment{}, ctx.Err()
		}
		var f *failure
		if !errors.As(err, &f) {
			f = &failure{note: NoteBadReply, cause: err.Error()}
		}
		return g.fallBack(ctx, q, f)
	}
	return a, nil
}

func (g *Grader) fallBack(ctx context.Context, q bot.GradeRequest, f *failure) (bot.Assessment, error) {
	attrs := []any{"model", g.model, "cause", f.cause}
	if f.status != 0 {
		attrs = append(attrs, "status", f.status)
	}
	level, msg := slog.LevelWarn, "model grader failed; graded by the fallback"
	if f.expected {
		level, msg = slog.LevelDebug, "graded by the fallback"
	}
	g.log.LogAttrs(ctx, level, msg, slog.Group("grader", attrs...))
	a, err := g.fallback.Grade(ctx, q)
	if err != nil {
		return a, err
	}
	a.Note = f.note
	return a, nil
}

// ask sends the request and checks the reply.
func (g *Grader) ask(ctx context.Context, q bot.GradeRequest) (bot.Assessment, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	r := newRubric(q)
	token, err := newToken()
	if err != nil {
		return bot.Assessment{}, &failure{note: NoteUnreachable, cause: "no random token for the answer's markers: " + err.Error()}
	}
	req := openai.ChatCompletionRequest{
		Model: g.model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: r.systemPrompt(token)},
			{Role: openai.ChatMessageRoleUser, Content: answerMessage(token, q.Text)},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:        "grade",
				Description: "The grade of the answer against the rubric.",
				Schema:      rawSchema(schemaJSON),
				Strict:      true,
			},
		},
	}
	resp, err := g.client.CreateChatCompletion(ctx, req)
	if err != nil {
		return bot.Assessment{}, classify(ctx, err)
	}
	if len(resp.Choices) == 0 {
		return bot.Assessment{}, &failure{note: NoteBadReply, cause: "the reply has no choices"}
	}
	msg := resp.Choices[0].Message
	if msg.Refusal != "" || resp.Choices[0].FinishReason == openai.FinishReasonContentFilter {
		return bot.Assessment{}, &failure{note: NoteRefused, cause: "the model refused"}
	}
	if resp.Choices[0].FinishReason == openai.FinishReasonLength {
		return bot.Assessment{}, &failure{note: NoteBadReply, cause: "the reply was cut at the model's length limit"}
	}
	reply, err := g.parse(msg.Content)
	if err != nil {
		return bot.Assessment{}, &failure{note: NoteBadReply, cause: err.Error()}
	}
	a := check(r, q.Text, reply)
	a.By = g.model
	return a, nil
}

// rawSchema is the schema as the request's json.Marshaler.
type rawSchema []byte

func (s rawSchema) MarshalJSON() ([]byte, error) { return s, nil }

// classify turns a client error into a failure.
func classify(ctx context.Context, err error) *failure {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	status := 0
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return &failure{note: NoteTimeout, cause: "no answer in time"}
	case status == http.StatusTooManyRequests:
		return &failure{note: NoteBusy, cause: "the endpoint is rate limiting (429)", status: status}
	case status != 0:
		// the body may echo the request: only the status is logged
		return &failure{note: NoteUnreachable, cause: fmt.Sprintf("the endpoint answered HTTP %d", status), status: status}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// without the URL, which may carry credentials
		return &failure{note: NoteUnreachable, cause: "transport: " + ue.Err.Error()}
	}
	// a 2xx whose body is not a chat completion
	return &failure{note: NoteBadReply, cause: "the reply is not a chat completion"}
}
