package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// call posts a form to the fake's Web API with the bot token and decodes
// the answer.
func call(t *testing.T, f *Server, method string, form url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.APIURL()+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+BotToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
}

func button(label, id string) map[string]any {
	return map[string]any{"type": "actions", "elements": []any{map[string]any{"type": "button",
		"text": map[string]any{"type": "plain_text", "text": label}, "action_id": id, "value": id}}}
}

func post(t *testing.T, f *Server, blocks ...any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(blocks)
	return call(t, f, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"fallback"}, "blocks": {string(data)}})
}

// The strict fake refuses what Slack refuses, and answers as Slack does,
// so it cannot silently become kind again.
func TestStrictFakeRefusesWhatSlackRefuses(t *testing.T) {
	f := New(t)

	if out := post(t, f, section("fine"), button(strings.Repeat("b", 75), "a:1:0")); out["ok"] != true {
		t.Fatalf("a message within the limits is refused: %v", out)
	}
	var many []any
	for i := range 51 {
		many = append(many, section(fmt.Sprint(i)))
	}
	for name, tc := range map[string]struct {
		blocks []any
		want   string
	}{
		"51 blocks":              {many, "/blocks"},
		"a 76-character button":  {[]any{button(strings.Repeat("b", 76), "x")}, "/blocks/0/elements/0/text/text"},
		"a 256-character action": {[]any{button("ok", strings.Repeat("a", 256))}, "/blocks/0/elements/0/action_id"},
		"3,001 characters":       {[]any{section(strings.Repeat("x", 3001))}, "/blocks/0/text/text"},
		"a 151-character header": {[]any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("h", 151)}}}, "/blocks/0/text/text"},
		"a private picture":      {[]any{map[string]any{"type": "image", "alt_text": "x", "slack_file": map[string]any{"id": "F404"}}}, "/blocks/0/slack_file"},
	} {
		out := post(t, f, tc.blocks...)
		msgs, _ := out["response_metadata"].(map[string]any)["messages"].([]any)
		if out["ok"] != false || out["error"] != "invalid_blocks" || len(msgs) == 0 || !strings.Contains(fmt.Sprint(out["errors"]), "[json-pointer:"+tc.want+"]") {
			t.Errorf("%s: %v", name, out)
		}
	}
	if out := call(t, f, "chat.postMessage", url.Values{"channel": {"C1"}}); out["error"] != "no_text" {
		t.Errorf("an empty message: %v", out)
	}
	if got := len(f.TakeRefusals()); got != 7 {
		t.Errorf("%d refusals recorded, want 7", got)
	}

	// a method whose scope the manifest does not grant
	f.Mu.Lock()
	f.Scopes = []string{"commands", "chat:write"}
	f.Mu.Unlock()
	out := call(t, f, "files.getUploadURLExternal", url.Values{"filename": {"a.png"}, "length": {"3"}})
	if out["ok"] != false || out["error"] != "missing_scope" || out["needed"] != "files:write,files:read" || out["provided"] != "commands,chat:write" {
		t.Errorf("missing scope: %v", out)
	}
	if out := call(t, f, "users.info", url.Values{"user": {"U1"}}); out["error"] != "missing_scope" || out["needed"] != "users:read" {
		t.Errorf("users.info without users:read: %v", out)
	}

	// a trigger is good for 3 seconds, once (the fake's clock moves, no
	// sleeping)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f.Mu.Lock()
	f.Now = func() time.Time { return now }
	f.Mu.Unlock()
	view := `{"type":"modal","title":{"type":"plain_text","text":"Your answer"},"submit":{"type":"plain_text","text":"Answer"},` +
		`"blocks":[{"type":"input","block_id":"answer","label":{"type":"plain_text","text":"Answer"},"element":{"type":"plain_text_input","action_id":"text"}}]}`
	fresh, old := f.Trigger(), f.Trigger()
	f.Mu.Lock()
	now = now.Add(2900 * time.Millisecond)
	f.Mu.Unlock()
	if out := call(t, f, "views.open", url.Values{"trigger_id": {fresh}, "view": {view}}); out["ok"] != true {
		t.Errorf("a 2.9-second-old trigger: %v", out)
	}
	if out := call(t, f, "views.open", url.Values{"trigger_id": {fresh}, "view": {view}}); out["error"] != "exchanged_trigger_id" {
		t.Errorf("a used trigger: %v", out)
	}
	f.Mu.Lock()
	now = now.Add(200 * time.Millisecond)
	f.Mu.Unlock()
	if out := call(t, f, "views.open", url.Values{"trigger_id": {old}, "view": {view}}); out["error"] != "expired_trigger_id" {
		t.Errorf("a 3.1-second-old trigger: %v", out)
	}
	long := strings.Replace(view, "Your answer", strings.Repeat("t", 25), 1)
	if out := call(t, f, "views.open", url.Values{"trigger_id": {f.Trigger()}, "view": {long}}); out["ok"] != false {
		t.Errorf("a 25-character modal title: %v", out)
	}
	if got := len(f.TakeRefusals()); got != 5 {
		t.Errorf("%d refusals recorded, want 5", got)
	}
}

// The manifest the fake reads is the repository's, and it grants what the
// adapter calls.
func TestManifestScopes(t *testing.T) {
	path, err := FindManifest()
	if err != nil {
		t.Fatal(err)
	}
	scopes, err := ManifestScopes(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, need := range methodScopes {
		for _, s := range need {
			if !strings.Contains(","+strings.Join(scopes, ",")+",", ","+s+",") {
				t.Errorf("the manifest lacks %s", s)
			}
		}
	}
}

// The fake notes a mention that would ping, in mrkdwn text and the
// fallback text, and none in plain_text, which Slack shows as written.
func TestFakeNotesPings(t *testing.T) {
	f := New(t)
	header := map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": "<!channel> as written"}}
	if out := post(t, f, header, section("&lt;!channel&gt; escaped")); out["ok"] != true {
		t.Fatalf("refused: %v", out)
	}
	if p := f.Pings(); len(p) != 0 {
		t.Fatalf("plain_text or escaped text noted as pings: %v", p)
	}
	post(t, f, section("hello <!here> and <@U123>"))
	if p := f.Pings(); len(p) != 2 {
		t.Fatalf("pings in mrkdwn: %v, want <!here> and <@U123>", p)
	}
}
