package slacktest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Block Kit's documented limits. Each rule cites its page once.
const (
	// https://docs.slack.dev/reference/block-kit/blocks: "You can include up
	// to 50 blocks in each message, and 100 blocks in modals or Home tabs."
	maxMessageBlocks = 50
	maxModalBlocks   = 100
	// https://docs.slack.dev/reference/block-kit/blocks/section-block: text
	// at most 3,000 characters; at most 10 fields of at most 2,000 each;
	// block_id at most 255 (the same on every block's page).
	maxSectionText = 3000
	maxFields      = 10
	maxFieldText   = 2000
	maxBlockID     = 255
	// https://docs.slack.dev/reference/block-kit/blocks/header-block: a
	// plain_text object of at most 150 characters.
	maxHeaderText = 150
	// https://docs.slack.dev/reference/block-kit/blocks/actions-block: at
	// most 25 interactive elements.
	maxActionsElements = 25
	// https://docs.slack.dev/reference/block-kit/blocks/context-block: at
	// most 10 elements.
	maxContextElements = 10
	// https://docs.slack.dev/reference/block-kit/block-elements/button-element:
	// text (plain_text) at most 75 characters, action_id at most 255, value
	// at most 2,000, url at most 3,000.
	maxButtonText = 75
	maxActionID   = 255
	maxButtonVal  = 2000
	maxURL        = 3000
	// https://docs.slack.dev/reference/block-kit/blocks/image-block: alt_text
	// (required) and title at most 2,000; image_url or slack_file, one of the
	// two. https://docs.slack.dev/reference/block-kit/composition-objects/slack-file-object:
	// id or url, not both; "the user posting these blocks must have access to
	// this file" (a file completed without a channel is private to its
	// uploader: see files.completeUploadExternal below).
	maxAltText    = 2000
	maxImageTitle = 2000
	// https://docs.slack.dev/reference/views/modal-views: title, submit and
	// close at most 24 characters, private_metadata at most 3,000,
	// callback_id at most 255, at most 100 blocks; submit is required when an
	// input block is in the view.
	maxModalTitle   = 24
	maxModalButton  = 24
	maxPrivateMeta  = 3000
	maxCallbackID   = 255
	maxInputLabel   = 2000 // https://docs.slack.dev/reference/block-kit/blocks/input-block
	maxInputHint    = 2000
	maxPlaceholder  = 150  // https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
	maxInputLength  = 3000 // the same page: min_length and max_length
	maxMessageText  = 40000
	maxResponseUses = 5
)

// Other documented rules the fake enforces:
//
//   - https://docs.slack.dev/reference/methods/chat.postMessage: without
//     text and blocks the answer is no_text; Slack truncates text over
//     40,000 characters (https://api.slack.com/changelog/2018-04-truncating-really-long-messages),
//     and the fake refuses it (msg_too_long), so a message is never cut
//     silently; bad blocks are invalid_blocks with "errors" and
//     response_metadata.messages naming the json-pointer.
//   - https://api.slack.com/docs/triggers: "Triggers expire in three
//     seconds ... Triggers may only be used once"; views.open
//     (https://docs.slack.dev/reference/methods/views.open) answers
//     expired_trigger_id and exchanged_trigger_id.
//   - https://docs.slack.dev/interactivity/handling-user-interaction#message_responses:
//     a response_url takes up to 5 responses within 30 minutes.
//   - https://docs.slack.dev/interactivity/implementing-slash-commands#responding_to_commands
//     and https://docs.slack.dev/apis/events-api/using-socket-mode#acknowledge:
//     a slash command, an interaction and a socket-mode envelope must be
//     acknowledged within 3 seconds; the tests time it (Server.Stall makes
//     every Web API call slow).
//   - https://docs.slack.dev/reference/methods/files.completeUploadExternal:
//     "channel_id: Channel ID where the file will be shared. If not
//     specified the file will be private"; "channels: Comma-separated
//     string of channel IDs or user IDs where the file will be shared."
//   - https://docs.slack.dev/messaging/formatting-message-text#escaping:
//     &, < and > are control characters in mrkdwn; a <!channel>, <!here>,
//     <!everyone> or <@U…> in a message pings. The fake records pings so
//     tests can refuse them (Server.Pings).

// methodScopes are the bot scopes each Web API method needs, from each
// method's page (https://docs.slack.dev/reference/methods/<method>, "Scopes"):
// chat.postMessage and chat.postEphemeral chat:write; users.info
// users:read; files.getUploadURLExternal files:write (and files:read, as
// the upload is refused without it in practice); files.completeUploadExternal
// files:write; views.open and auth.test none. apps.connections.open takes
// an app-level token with connections:write
// (https://docs.slack.dev/reference/methods/apps.connections.open), which
// is not a bot scope of the manifest.
var methodScopes = map[string][]string{
	"chat.postMessage":             {"chat:write"},
	"chat.postEphemeral":           {"chat:write"},
	"users.info":                   {"users:read"},
	"files.getUploadURLExternal":   {"files:write", "files:read"},
	"files.completeUploadExternal": {"files:write"},
	"views.open":                   nil,
	"auth.test":                    nil,
}

// ManifestScopes reads oauth_config.scopes.bot from a Slack app manifest.
func ManifestScopes(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m.OAuth.Scopes.Bot, nil
}

// FindManifest returns the path of slack-manifest.yaml at the root of the
// module the working directory is in.
func FindManifest() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "slack-manifest.yaml"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// surface is where blocks are shown.
type surface struct {
	modal   bool
	channel string // where a message is shown: a file must be shared there
	user    string // who sees an ephemeral message
	files   func(id string) (shared map[string]bool, ok bool)
}

// checker collects Block Kit errors as Slack words them, with the
// json-pointer of the offending field.
type checker struct {
	errs []string
	s    surface
}

func (c *checker) errorf(ptr, format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

func length(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

func (c *checker) maxLen(ptr string, v any, n int) {
	if l := length(v); l > n {
		c.errorf(ptr, "must be less than %d characters", n+1)
	}
}

// text checks a text object: plain_text or mrkdwn, non-empty, at most n.
func (c *checker) text(ptr string, v any, n int, plainOnly bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	typ, _ := m["type"].(string)
	switch {
	case typ == "plain_text":
	case typ == "mrkdwn" && !plainOnly:
	default:
		c.errorf(ptr+"/type", "must be a valid enum value")
	}
	if length(m["text"]) == 0 {
		c.errorf(ptr+"/text", "must be more than 0 characters")
	}
	c.maxLen(ptr+"/text", m["text"], n)
}

// Blocks checks blocks against Block Kit's documented limits.
func (c *checker) blocks(ptr string, v any) {
	bl, ok := v.([]any)
	if !ok {
		c.errorf(ptr, "must provide an array")
		return
	}
	limit := maxMessageBlocks
	if c.s.modal {
		limit = maxModalBlocks
	}
	if len(bl) > limit {
		c.errorf(ptr, "must provide no more than %d items", limit)
	}
	for i, b := range bl {
		c.block(fmt.Sprintf("%s/%d", ptr, i), b)
	}
}

func (c *checker) block(ptr string, v any) {
	b, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	c.maxLen(ptr+"/block_id", b["block_id"], maxBlockID)
	switch b["type"] {
	case "section":
		if b["text"] == nil && b["fields"] == nil {
			c.errorf(ptr, "must provide text or fields")
		}
		if b["text"] != nil {
			c.text(ptr+"/text", b["text"], maxSectionText, false)
		}
		if f, ok := b["fields"].([]any); ok {
			if len(f) > maxFields {
				c.errorf(ptr+"/fields", "must provide no more than %d items", maxFields)
			}
			for i, t := range f {
				c.text(fmt.Sprintf("%s/fields/%d", ptr, i), t, maxFieldText, false)
			}
		} else if b["fields"] != nil {
			c.errorf(ptr+"/fields", "must provide an array")
		}
	case "header":
		c.text(ptr+"/text", b["text"], maxHeaderText, true)
	case "divider":
	case "context":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > maxContextElements {
			c.errorf(ptr+"/elements", "must provide between 1 and %d items", maxContextElements)
		}
		for i, e := range els {
			p := fmt.Sprintf("%s/elements/%d", ptr, i)
			if m, ok := e.(map[string]any); ok && m["type"] == "image" {
				c.image(p, m)
				continue
			}
			c.text(p, e, maxSectionText, false)
		}
	case "actions":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > maxActionsElements {
			c.errorf(ptr+"/elements", "must provide between 1 and %d items", maxActionsElements)
		}
		for i, e := range els {
			c.element(fmt.Sprintf("%s/elements/%d", ptr, i), e)
		}
	case "image":
		m := b
		c.image(ptr, m)
		if m["title"] != nil {
			c.text(ptr+"/title", m["title"], maxImageTitle, true)
		}
	case "input":
		c.text(ptr+"/label", b["label"], maxInputLabel, true)
		if b["hint"] != nil {
			c.text(ptr+"/hint", b["hint"], maxInputHint, true)
		}
		if b["element"] == nil {
			c.errorf(ptr, "missing required field: element")
		} else {
			c.element(ptr+"/element", b["element"])
		}
	default:
		c.errorf(ptr+"/type", "unsupported type %v", b["type"])
	}
}

func (c *checker) image(ptr string, m map[string]any) {
	if length(m["alt_text"]) == 0 {
		c.errorf(ptr, "missing required field: alt_text")
	}
	c.maxLen(ptr+"/alt_text", m["alt_text"], maxAltText)
	u, hasURL := m["image_url"]
	f, hasFile := m["slack_file"]
	switch {
	case hasURL == hasFile:
		c.errorf(ptr, "must provide exactly one of image_url or slack_file")
	case hasURL:
		c.maxLen(ptr+"/image_url", u, maxURL)
	default:
		c.slackFile(ptr+"/slack_file", f)
	}
}

func (c *checker) slackFile(ptr string, v any) {
	m, _ := v.(map[string]any)
	id, _ := m["id"].(string)
	u, _ := m["url"].(string)
	if (id == "") == (u == "") {
		c.errorf(ptr, "invalid slack file")
		return
	}
	if id == "" || c.s.files == nil {
		c.errorf(ptr, "invalid slack file")
		return
	}
	shared, ok := c.s.files(id)
	if !ok || len(shared) == 0 || (!c.s.modal && !shared[c.s.channel]) {
		// unknown, never completed, private to the app, or shared elsewhere
		c.errorf(ptr, "invalid slack file")
	}
}

func (c *checker) element(ptr string, v any) {
	e, ok := v.(map[string]any)
	if !ok {
		c.errorf(ptr, "must provide an object")
		return
	}
	c.maxLen(ptr+"/action_id", e["action_id"], maxActionID)
	switch e["type"] {
	case "button":
		c.text(ptr+"/text", e["text"], maxButtonText, true)
		c.maxLen(ptr+"/value", e["value"], maxButtonVal)
		c.maxLen(ptr+"/url", e["url"], maxURL)
		if s, ok := e["style"]; ok && s != "primary" && s != "danger" {
			c.errorf(ptr+"/style", "must be a valid enum value")
		}
	case "plain_text_input":
		if e["placeholder"] != nil {
			c.text(ptr+"/placeholder", e["placeholder"], maxPlaceholder, true)
		}
		// min_length 0 to 3,000, max_length 1 to 3,000, min at most max
		minLen, hasMin := e["min_length"].(float64)
		maxLen, hasMax := e["max_length"].(float64)
		if _, ok := e["min_length"]; ok && (!hasMin || minLen < 0 || minLen > maxInputLength || minLen != float64(int(minLen))) {
			c.errorf(ptr+"/min_length", "must be an integer from 0 to %d", maxInputLength)
		}
		if _, ok := e["max_length"]; ok && (!hasMax || maxLen < 1 || maxLen > maxInputLength || maxLen != float64(int(maxLen))) {
			c.errorf(ptr+"/max_length", "must be an integer from 1 to %d", maxInputLength)
		}
		if hasMin && hasMax && minLen > maxLen {
			c.errorf(ptr+"/min_length", "must not be more than max_length")
		}
		if m, ok := e["multiline"]; ok {
			if _, isBool := m.(bool); !isBool {
				c.errorf(ptr+"/multiline", "must be a boolean")
			}
		}
		if v, ok := e["initial_value"]; ok {
			c.maxLen(ptr+"/initial_value", v, maxInputLength)
		}
	default:
		c.errorf(ptr+"/type", "unsupported type %v", e["type"])
	}
}

// checkMessage checks a message body (chat.*, a response_url post, a slash
// command's acknowledgement): text and blocks.
func checkMessage(body map[string]any, s surface) (errName string, errs []string) {
	c := &checker{s: s}
	text, _ := body["text"].(string)
	bl, hasBlocks := body["blocks"]
	if s, ok := bl.(string); ok { // form-encoded: a JSON string
		var v []any
		if err := jsonUnmarshal(s, &v); err != nil {
			return "invalid_blocks_format", []string{"blocks must be a JSON array"}
		}
		bl = v
	}
	if list, _ := bl.([]any); len(list) == 0 {
		hasBlocks = false
	}
	if strings.TrimSpace(text) == "" && !hasBlocks {
		return "no_text", nil
	}
	if utf8.RuneCountInString(text) > maxMessageText {
		return "msg_too_long", nil
	}
	if hasBlocks {
		c.blocks("/blocks", bl)
	}
	if len(c.errs) > 0 {
		return "invalid_blocks", c.errs
	}
	return "", nil
}

// checkView checks a modal view (views.open).
func checkView(v map[string]any, s surface) []string {
	s.modal = true
	c := &checker{s: s}
	if v["type"] != "modal" {
		c.errorf("/view/type", "must be a valid enum value")
	}
	c.text("/view/title", v["title"], maxModalTitle, true)
	if v["close"] != nil {
		c.text("/view/close", v["close"], maxModalButton, true)
	}
	hasInput := false
	if bl, ok := v["blocks"].([]any); ok {
		for _, b := range bl {
			if m, _ := b.(map[string]any); m["type"] == "input" {
				hasInput = true
			}
		}
	}
	if v["submit"] != nil {
		c.text("/view/submit", v["submit"], maxModalButton, true)
	} else if hasInput {
		c.errorf("/view", "submit is required when an input block is in the view")
	}
	c.maxLen("/view/private_metadata", v["private_metadata"], maxPrivateMeta)
	c.maxLen("/view/callback_id", v["callback_id"], maxCallbackID)
	c.blocks("/view/blocks", v["blocks"])
	return c.errs
}
