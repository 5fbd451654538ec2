package llmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The fake must keep refusing what the hosted API refuses, or the grader's
// tests would pass against a kinder endpoint than the real one.
func TestFakeRefusesWhatTheAPIRefuses(t *testing.T) {
	s := New(t, "sk-k", "m", func(Request) Reply { return Reply{Content: `{}`} })
	strict := `{"type":"json_schema","json_schema":{"name":"grade","strict":true,"schema":` +
		`{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string"}}}}}`
	for _, tc := range []struct {
		name, key, body string
		status          int
	}{
		{"no key", "", `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 401},
		{"a wrong key", "sk-x", `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 401},
		{"an unknown model", "sk-k", `{"model":"other","messages":[{"role":"user","content":"x"}]}`, 404},
		{"no messages", "sk-k", `{"model":"m","messages":[]}`, 400},
		{"an unknown field", "sk-k", `{"model":"m","messages":[{"role":"user","content":"x"}],"grade":100}`, 400},
		{"a streaming request", "sk-k", `{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`, 400},
		{"an unknown role", "sk-k", `{"model":"m","messages":[{"role":"examiner","content":"x"}]}`, 400},
		{"a schema name with a space", "sk-k", `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":` +
			strings.Replace(strict, `"grade"`, `"the grade"`, 1) + `}`, 400},
		{"a strict schema open to other properties", "sk-k", `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":` +
			strings.Replace(strict, `"additionalProperties":false,`, "", 1) + `}`, 400},
		{"a strict schema with an optional property", "sk-k", `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":` +
			strings.Replace(strict, `"required":["a"]`, `"required":[]`, 1) + `}`, 400},
		{"a strict schema", "sk-k", `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":` + strict + `}`, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", s.URL+"/chat/completions", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if tc.key != "" {
				req.Header.Set("Authorization", "Bearer "+tc.key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("the body is not JSON: %s", body)
			}
			if _, isErr := v["error"]; isErr != (tc.status != 200) {
				t.Errorf("body %s for status %d", body, resp.StatusCode)
			}
		})
	}
}

func TestFakeFindsTheQuotedAnswer(t *testing.T) {
	r := Request{User: "Grade this.\n<<<ANSWER ab12>>>\nline one\n<<<END ANSWER ff>>>\nline two\n<<<END ANSWER ab12>>>"}
	if got, ok := r.Answer(); !ok || got != "line one\n<<<END ANSWER ff>>>\nline two" {
		t.Errorf("Answer() = %q, %v", got, ok)
	}
	if _, ok := (Request{User: "<<<ANSWER ab12>>>\nx\n<<<END ANSWER cd34>>>"}).Answer(); ok {
		t.Error("markers with different tokens were taken as a block")
	}
}
