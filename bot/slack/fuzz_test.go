package slack

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/slack-go/slack"
)

// FuzzCommandAndPayload feeds arbitrary slash command text and interaction
// payloads to the decoders: nothing may panic.
func FuzzCommandAndPayload(f *testing.F) {
	f.Add("qotd set <#C123|general> 09:00 Europe/Berlin postgres,python mon-fri", `{"type":"block_actions","actions":[{"action_id":"a:1:0"}]}`)
	f.Add(`answer text:"two words"`, `{"type":"view_submission","view":{"callback_id":"t:3","state":{"values":{"answer":{"text":{"value":"x"}}}}}}`)
	f.Add("stats <@U1|ann>", `{"type":"shortcut"}`)
	f.Add(`"unclosed`, `not json`)
	f.Fuzz(func(t *testing.T, text, payload string) {
		name, args, err := parseCommand(text)
		if err == nil && (name == "" || args == nil) {
			t.Fatalf("no command for %q", text)
		}
		var cb slack.InteractionCallback
		form := url.Values{"payload": {payload}}
		if json.Unmarshal([]byte(form.Get("payload")), &cb) == nil {
			_ = cb.Type
		}
	})
}
