package slacktest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// views.open refuses a plain_text_input Slack would refuse: a max_length
// over 3,000 or under 1, a min_length over 3,000 or over the max_length, a
// placeholder over 150 characters; a multiline input of 3,000 is taken.
func TestViewsOpenRefusesBadTextInputs(t *testing.T) {
	f := New(t)
	view := func(element map[string]any) string {
		element["type"], element["action_id"] = "plain_text_input", "text"
		b, _ := json.Marshal(map[string]any{"type": "modal", "callback_id": "j:1",
			"title": map[string]any{"type": "plain_text", "text": "Your answer"}, "submit": map[string]any{"type": "plain_text", "text": "Answer"},
			"blocks": []any{map[string]any{"type": "input", "block_id": "answer", "label": map[string]any{"type": "plain_text", "text": "Your answer"},
				"element": element}}})
		return string(b)
	}
	placeholder := func(n int) map[string]any {
		return map[string]any{"type": "plain_text", "text": strings.Repeat("p", n)}
	}
	for _, tc := range []struct {
		name    string
		element map[string]any
		want    string
	}{
		{"max_length 3,001", map[string]any{"multiline": true, "max_length": 3001}, "max_length"},
		{"max_length 0", map[string]any{"max_length": 0}, "max_length"},
		{"min_length 3,001", map[string]any{"min_length": 3001}, "min_length"},
		{"min_length over max_length", map[string]any{"min_length": 20, "max_length": 10}, "min_length"},
		{"a 151-character placeholder", map[string]any{"placeholder": placeholder(151)}, "placeholder"},
		{"multiline not a boolean", map[string]any{"multiline": "yes"}, "multiline"},
	} {
		out := call(t, f, "views.open", url.Values{"trigger_id": {f.Trigger()}, "view": {view(tc.element)}})
		r := f.TakeRefusals()
		if out["ok"] != false || len(r) != 1 || !strings.Contains(fmt.Sprint(r), tc.want) {
			t.Errorf("%s: %v, refusals %v; want one naming %s", tc.name, out, r, tc.want)
		}
	}
	ok := view(map[string]any{"multiline": true, "max_length": 3000, "min_length": 1, "placeholder": placeholder(150)})
	if out := call(t, f, "views.open", url.Values{"trigger_id": {f.Trigger()}, "view": {ok}}); out["ok"] != true {
		t.Errorf("a multiline input at every limit: %v (%v)", out, f.TakeRefusals())
	}
}
