package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/bot/grade/llm"
	"github.com/prepbot/prepbot/bot/grade/llm/llmtest"
	"github.com/prepbot/prepbot/questionbank"
)

func TestGraderFromConfig(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"OPENAI_API_KEY": "sk-from-the-env"}[k] }
	// no grader block, and a key alone (set for other tools): the built-in grader
	for _, in := range []string{"db: x\n", "grader:\n  api_key: ${OPENAI_API_KEY}\n", "grader:\n  url: \"\"\n  timeout: 8s\n"} {
		cfg, err := ParseConfig("c.yaml", strings.NewReader(in), getenv)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		g, err := graderFrom(cfg)
		if _, ok := g.(grade.Builtin); err != nil || !ok {
			t.Errorf("%q: grader %T, %v; want the built-in grader", in, g, err)
		}
	}
	cfg, err := ParseConfig("c.yaml", strings.NewReader("grader:\n  url: http://127.0.0.1:11434/v1\n  model: llama3.1:8b\n  api_key: ${OPENAI_API_KEY}\n  timeout: 30s\n"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Grader.APIKey != "sk-from-the-env" {
		t.Errorf("api_key %q, want it from the environment", cfg.Grader.APIKey)
	}
	g, err := graderFrom(cfg)
	if _, ok := g.(*llm.Grader); err != nil || !ok {
		t.Errorf("grader %T, %v; want the model grader", g, err)
	}
}

// A bad grader block stops prepbot at start with what to do, and quotes
// neither the URL (it may carry credentials) nor the key.
func TestGraderConfigErrors(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"KEY": "sk-secret-123", "URL": "ftp://user:pw-secret@host/v1"}[k]
	}
	for _, tc := range []struct{ in, want string }{
		{"grader:\n  model: llama3.1:8b\n", "grader.url: grader.model is set but grader.url is not: give the endpoint's API base"},
		{"grader:\n  url: ${URL}\n  model: m\n  api_key: ${KEY}\n", "grader.url: not a full http(s) URL"},
		{"grader:\n  url: 127.0.0.1:11434\n  model: m\n", "grader.url: not a full http(s) URL"},
		{"grader:\n  url: http://127.0.0.1:11434/v1\n  api_key: ${KEY}\n", "grader.model: give the model's name"},
		{"grader:\n  url: http://127.0.0.1:11434/v1\n  model: m\n  timeout: soon\n", "grader.timeout: not a duration; give one such as 8s"},
		{"grader:\n  url: http://127.0.0.1:11434/v1\n  model: m\n  timeout: -1s\n", "grader.timeout: give a positive duration"},
		{"grader:\n  url: http://127.0.0.1:11434/v1\n  model: m\n  timeout: 1h\n", "grader.timeout: at most 2m0s"},
		{"grader:\n  endpoint: http://127.0.0.1:11434/v1\n", "field endpoint not found"},
	} {
		_, err := ParseConfig("c.yaml", strings.NewReader(tc.in), getenv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
			continue
		}
		for _, secret := range []string{"sk-secret", "pw-secret"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%q: the error quotes a secret: %v", tc.in, err)
			}
		}
	}
}

// The config's grader grades through the endpoint with the key from the
// environment, and the config file itself is not flagged as holding it.
func TestGraderFromGradesThroughTheEndpoint(t *testing.T) {
	srv := llmtest.New(t, "sk-from-the-env", "llama3.1:8b", func(r llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Content: `{"concepts":[{"id":1,"status":"covered","evidence":["dead tuples"],"misconceptions":[]}],"score":90}`}
	})
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	config := fmt.Sprintf("grader:\n  url: %s\n  model: llama3.1:8b\n  api_key: ${OPENAI_API_KEY}\n  timeout: 5s\n", srv.URL)
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(path, strings.NewReader(config), func(k string) string {
		return map[string]string{"OPENAI_API_KEY": "sk-from-the-env"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg := exposedSecrets(path, cfg); msg != "" {
		t.Errorf("a key from the environment is flagged: %s", msg)
	}
	g, err := graderFrom(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, err := g.Grade(context.Background(), bot.GradeRequest{
		Concepts: []questionbank.Concept{{Text: "Old row versions are dead tuples"}, {Text: "VACUUM reclaims them"}},
		Text:     "Updates leave dead tuples behind.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.By != "llama3.1:8b" || a.Note != "" || a.Score != 50 || len(srv.Requests()) != 1 {
		t.Errorf("by %q note %q score %d after %d requests (refused %q)", a.By, a.Note, a.Score, len(srv.Requests()), srv.Refused())
	}

	// a key written into a readable config file is flagged
	written := strings.Replace(config, "${OPENAI_API_KEY}", "sk-written-here", 1)
	os.WriteFile(path, []byte(written), 0o644)
	if msg := exposedSecrets(path, cfg); !strings.Contains(msg, "chmod 600") {
		t.Errorf("a key in a readable config file is not flagged: %q", msg)
	}
}

// interview eval --grader model grades the labelled set through the
// config's endpoint and says how many answers the model graded.
func TestInterviewEvalWithTheModelGrader(t *testing.T) {
	srv := llmtest.New(t, "sk-eval", "grader-model", func(r llmtest.Request) llmtest.Reply {
		if strings.Contains(r.User, "event loop") {
			return llmtest.Reply{Status: 503} // one card's answers fall back
		}
		return llmtest.Reply{Content: `{"concepts":[],"score":40}`}
	})
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte(fmt.Sprintf("grader:\n  url: %s\n  model: grader-model\n  api_key: sk-eval\n  timeout: %v\n", srv.URL, 10*time.Second)), 0o600)
	code, out, errs := runCmd(t, "interview", "eval", "testdata/interview-eval.json", "--grader", "model", "--config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	fell := 0
	for _, r := range srv.Requests() {
		if strings.Contains(r.User, "event loop") {
			fell++
		}
	}
	if len(srv.Requests()) != 60 || fell == 0 || fell == 60 {
		t.Fatalf("%d requests, %d of them to fall back: want 60, some", len(srv.Requests()), fell)
	}
	for _, want := range []string{"60 answers to 12 cards", fmt.Sprintf("graded by the model: %d of 60 answers", 60-fell), fmt.Sprintf("  %d: %s", fell, llm.NoteUnreachable)} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Count(errs, "HTTP 503") != fell || strings.Contains(errs, "sk-eval") || strings.Contains(errs, "event loop") {
		t.Errorf("want a log line per fallback, with its cause and without the key or the answer:\n%s", errs)
	}

	code, _, errs = runCmd(t, "interview", "eval", "testdata/interview-eval.json", "--grader", "oracle")
	if code != 2 || !strings.Contains(errs, "--grader is builtin or model") {
		t.Errorf("--grader oracle: exit %d, %s", code, errs)
	}
	empty := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(empty, []byte("db: x\n"), 0o600)
	code, _, errs = runCmd(t, "interview", "eval", "testdata/interview-eval.json", "--grader", "model", "--config", empty)
	if code != 1 || !strings.Contains(errs, "the config has no grader.url") {
		t.Errorf("--grader model without grader.url: exit %d, %s", code, errs)
	}
}
