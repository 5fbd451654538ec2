package discordtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The rules below are Discord's documented ones that its OpenAPI spec does
// not encode; each cites its documentation page once.

// Interaction types (as Discord numbers them).
const (
	InteractionPing         = 1
	InteractionCommand      = 2
	InteractionComponent    = 3
	InteractionAutocomplete = 4
	InteractionModalSubmit  = 5
)

// https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-naming:
// CHAT_INPUT command names and command option names must match
// ^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$, and use the lowercase
// variant of any letter that has one.
var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-structure:
// "Required options must be listed before optional options"; a command or
// subcommand has at most 25 options, an option at most 25 choices, and a
// choice's name and string value at most 100 characters.
const (
	maxOptions     = 25
	maxChoices     = 25
	maxChoiceChars = 100
)

// https://discord.com/developers/docs/resources/message#embed-object-embed-limits:
// at most 10 embeds in a message, and the characters of every title,
// description, field name and value, footer text and author name over all
// of a message's embeds add up to at most 6,000.
// Each part has its own limit too (the spec has these as well).
const (
	maxEmbeds     = 10
	maxEmbedChars = 6000
	maxFields     = 25
)

var embedLimits = []struct {
	path []string
	max  int
}{
	{[]string{"title"}, 256}, {[]string{"description"}, 4096}, {[]string{"footer", "text"}, 2048}, {[]string{"author", "name"}, 256},
}

// https://discord.com/developers/docs/components/reference#anatomy-of-a-component:
// a custom_id is at most 100 characters and unique among the components of
// a message (or a modal).
const maxCustomID = 100

// CheckCommands checks a bulk overwrite (an array of application commands).
func CheckCommands(body []byte) []error {
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		return []error{fmt.Errorf("the command list is not a JSON array of objects: %v", err)}
	}
	var errs []error
	for i, c := range cmds {
		at := fmt.Sprintf("%d", i)
		chatInput := c["type"] == nil || c["type"] == float64(1)
		if name, _ := c["name"].(string); chatInput {
			errs = append(errs, checkName(at+".name", name)...)
		}
		errs = append(errs, checkOptions(at+".options", c["options"])...)
	}
	return errs
}

func checkName(at, name string) []error {
	var errs []error
	if !commandName.MatchString(name) {
		errs = append(errs, fmt.Errorf("%s: %q does not match %s", at, name, commandName))
	}
	if strings.ToLower(name) != name {
		errs = append(errs, fmt.Errorf("%s: %q must be lower case", at, name))
	}
	return errs
}

func checkOptions(at string, v any) []error {
	opts, _ := v.([]any)
	var errs []error
	if len(opts) > maxOptions {
		errs = append(errs, fmt.Errorf("%s: %d options, at most %d", at, len(opts), maxOptions))
	}
	optional := ""
	for i, o := range opts {
		o, _ := o.(map[string]any)
		oat := fmt.Sprintf("%s.%d", at, i)
		name, _ := o["name"].(string)
		errs = append(errs, checkName(oat+".name", name)...)
		if o["required"] == true && optional != "" {
			errs = append(errs, fmt.Errorf("%s: required option %q comes after the optional %q (required options must be listed before optional options)", oat, name, optional))
		}
		if o["required"] != true && optional == "" {
			optional = name
		}
		choices, _ := o["choices"].([]any)
		if len(choices) > maxChoices {
			errs = append(errs, fmt.Errorf("%s.choices: %d choices, at most %d", oat, len(choices), maxChoices))
		}
		for j, ch := range choices {
			errs = append(errs, checkChoice(fmt.Sprintf("%s.choices.%d", oat, j), ch)...)
		}
		errs = append(errs, checkOptions(oat+".options", o["options"])...)
	}
	return errs
}

func checkChoice(at string, v any) []error {
	ch, _ := v.(map[string]any)
	var errs []error
	if name, _ := ch["name"].(string); utf8.RuneCountInString(name) > maxChoiceChars {
		errs = append(errs, fmt.Errorf("%s.name: %d characters, at most %d", at, utf8.RuneCountInString(name), maxChoiceChars))
	}
	if value, ok := ch["value"].(string); ok && utf8.RuneCountInString(value) > maxChoiceChars {
		errs = append(errs, fmt.Errorf("%s.value: %d characters, at most %d", at, utf8.RuneCountInString(value), maxChoiceChars))
	}
	return errs
}

// CheckMessage checks a message body (a channel message, a webhook edit or
// follow-up, an interaction response's data): the embed limits and the
// custom_ids of its components.
func CheckMessage(body []byte) []error {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return []error{fmt.Errorf("the message is not a JSON object: %v", err)}
	}
	return checkMessage(m)
}

func checkMessage(m map[string]any) []error {
	var errs []error
	embeds, _ := m["embeds"].([]any)
	if len(embeds) > maxEmbeds {
		errs = append(errs, fmt.Errorf("embeds: %d embeds, at most %d", len(embeds), maxEmbeds))
	}
	total := 0
	count := func(v any) {
		if s, ok := v.(string); ok {
			total += utf8.RuneCountInString(s)
		}
	}
	for i, e := range embeds {
		e, _ := e.(map[string]any)
		for _, l := range embedLimits {
			var v any = e
			for _, k := range l.path {
				m, _ := v.(map[string]any)
				v = m[k]
			}
			if s, ok := v.(string); ok && utf8.RuneCountInString(s) > l.max {
				errs = append(errs, fmt.Errorf("embeds.%d.%s: %d characters, at most %d", i, strings.Join(l.path, "."), utf8.RuneCountInString(s), l.max))
			}
		}
		if fields, _ := e["fields"].([]any); len(fields) > maxFields {
			errs = append(errs, fmt.Errorf("embeds.%d.fields: %d fields, at most %d", i, len(fields), maxFields))
		}
		count(e["title"])
		count(e["description"])
		fields, _ := e["fields"].([]any)
		for j, f := range fields {
			f, _ := f.(map[string]any)
			count(f["name"])
			count(f["value"])
			for k, max := range map[string]int{"name": 256, "value": 1024} {
				if s, ok := f[k].(string); ok && utf8.RuneCountInString(s) > max {
					errs = append(errs, fmt.Errorf("embeds.%d.fields.%d.%s: %d characters, at most %d", i, j, k, utf8.RuneCountInString(s), max))
				}
			}
		}
		if f, ok := e["footer"].(map[string]any); ok {
			count(f["text"])
		}
		if a, ok := e["author"].(map[string]any); ok {
			count(a["name"])
		}
	}
	if total > maxEmbedChars {
		errs = append(errs, fmt.Errorf("embeds: %d characters over all embeds, at most %d", total, maxEmbedChars))
	}
	errs = append(errs, checkCustomIDs("components", m["components"], map[string]bool{})...)
	return errs
}

func checkCustomIDs(at string, v any, seen map[string]bool) []error {
	comps, _ := v.([]any)
	var errs []error
	for i, c := range comps {
		c, _ := c.(map[string]any)
		cat := fmt.Sprintf("%s.%d", at, i)
		if id, ok := c["custom_id"].(string); ok {
			if n := utf8.RuneCountInString(id); n > maxCustomID {
				errs = append(errs, fmt.Errorf("%s.custom_id: %d characters, at most %d", cat, n, maxCustomID))
			}
			if seen[id] {
				errs = append(errs, fmt.Errorf("%s.custom_id: %q is used twice in the message", cat, id))
			}
			seen[id] = true
		}
		errs = append(errs, checkCustomIDs(cat+".components", c["components"], seen)...)
	}
	return errs
}

// CheckCallback checks an interaction response (the body of the callback,
// or of an Interactions Endpoint's answer) given the type of the
// interaction it answers (0 when unknown).
func CheckCallback(interactionType int, body []byte) []error {
	var r struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return []error{fmt.Errorf("the interaction response is not JSON: %v", err)}
	}
	var errs []error
	// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type:
	// MODAL (9) is "not available for MODAL_SUBMIT and PING interactions";
	// APPLICATION_COMMAND_AUTOCOMPLETE_RESULT (8) answers an autocomplete
	// interaction, which takes nothing else; its data has at most 25
	// choices (the autocomplete object).
	switch {
	case r.Type == 9 && (interactionType == InteractionModalSubmit || interactionType == InteractionPing):
		errs = append(errs, fmt.Errorf("type: a modal (9) cannot answer a MODAL_SUBMIT interaction"))
	case r.Type == 8 && interactionType != 0 && interactionType != InteractionAutocomplete:
		errs = append(errs, fmt.Errorf("type: an autocomplete result (8) answers only an autocomplete interaction, not type %d", interactionType))
	case r.Type != 8 && interactionType == InteractionAutocomplete:
		errs = append(errs, fmt.Errorf("type: an autocomplete interaction takes an autocomplete result (8), not %d", r.Type))
	case (r.Type == 6 || r.Type == 7) && interactionType != 0 && interactionType != InteractionComponent && interactionType != InteractionModalSubmit:
		errs = append(errs, fmt.Errorf("type: %d answers only a component or a modal submission", r.Type))
	}
	switch r.Type {
	case 4, 5, 7:
		if r.Data != nil {
			errs = append(errs, checkMessage(r.Data)...)
		}
	case 8:
		choices, _ := r.Data["choices"].([]any)
		if len(choices) > maxChoices {
			errs = append(errs, fmt.Errorf("data.choices: %d choices, at most %d", len(choices), maxChoices))
		}
		for i, ch := range choices {
			errs = append(errs, checkChoice(fmt.Sprintf("data.choices.%d", i), ch)...)
		}
	case 9:
		seen := map[string]bool{}
		if id, _ := r.Data["custom_id"].(string); utf8.RuneCountInString(id) > maxCustomID {
			errs = append(errs, fmt.Errorf("data.custom_id: %d characters, at most %d", utf8.RuneCountInString(id), maxCustomID))
		}
		errs = append(errs, checkCustomIDs("data.components", r.Data["components"], seen)...)
		errs = append(errs, checkModal(r.Data)...)
	}
	return errs
}

// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-modal
// and https://discord.com/developers/docs/components/reference#text-input:
// a modal has a custom_id, a title of 1 to 45 characters and at least
// one component; a text input's style is 1 (short) or 2 (paragraph), its label 1
// to 45 characters, its placeholder at most 100, min_length 0 to 4,000
// and max_length 1 to 4,000. (The spec has these too; they hold without
// it.)
const (
	maxModalTitle     = 45
	maxInputLabel     = 45
	maxInputHolder    = 100
	maxTextInputChars = 4000
)

func checkModal(d map[string]any) []error {
	var errs []error
	title, _ := d["title"].(string)
	if n := utf8.RuneCountInString(title); n < 1 || n > maxModalTitle {
		errs = append(errs, fmt.Errorf("data.title: %d characters, 1 to %d", n, maxModalTitle))
	}
	if id, _ := d["custom_id"].(string); id == "" {
		errs = append(errs, fmt.Errorf("data.custom_id: required"))
	}
	rows, _ := d["components"].([]any)
	if len(rows) < 1 {
		errs = append(errs, fmt.Errorf("data.components: a modal needs at least one component"))
	}
	for i, row := range rows {
		row, _ := row.(map[string]any)
		comps, _ := row["components"].([]any)
		for j, c := range comps {
			c, _ := c.(map[string]any)
			if c["type"] != float64(4) {
				continue
			}
			at := fmt.Sprintf("data.components.%d.components.%d", i, j)
			if st, _ := c["style"].(float64); st != 1 && st != 2 {
				errs = append(errs, fmt.Errorf("%s.style: %v, a text input's style is 1 (short) or 2 (paragraph)", at, c["style"]))
			}
			if label, ok := c["label"].(string); ok {
				if n := utf8.RuneCountInString(label); n < 1 || n > maxInputLabel {
					errs = append(errs, fmt.Errorf("%s.label: %d characters, 1 to %d", at, n, maxInputLabel))
				}
			}
			if p, ok := c["placeholder"].(string); ok && utf8.RuneCountInString(p) > maxInputHolder {
				errs = append(errs, fmt.Errorf("%s.placeholder: %d characters, at most %d", at, utf8.RuneCountInString(p), maxInputHolder))
			}
			minLen, hasMin := c["min_length"].(float64)
			maxLen, hasMax := c["max_length"].(float64)
			if hasMin && (minLen < 0 || minLen > maxTextInputChars) {
				errs = append(errs, fmt.Errorf("%s.min_length: %v, 0 to %d", at, minLen, maxTextInputChars))
			}
			if hasMax && (maxLen < 1 || maxLen > maxTextInputChars) {
				errs = append(errs, fmt.Errorf("%s.max_length: %v, 1 to %d", at, maxLen, maxTextInputChars))
			}
			if hasMin && hasMax && minLen > maxLen {
				errs = append(errs, fmt.Errorf("%s.min_length: %v is more than max_length %v", at, minLen, maxLen))
			}
			if v, ok := c["value"].(string); ok && utf8.RuneCountInString(v) > maxTextInputChars {
				errs = append(errs, fmt.Errorf("%s.value: %d characters, at most %d", at, utf8.RuneCountInString(v), maxTextInputChars))
			}
		}
	}
	return errs
}

// CheckInteractionResponse checks what an Interactions Endpoint returns to
// an interaction of the given type: against the callback schema of the
// spec (when loaded) and the documented rules.
func CheckInteractionResponse(interactionType int, body []byte) []error {
	var errs []error
	if s, err := LoadSpec(); err != nil {
		errs = append(errs, fmt.Errorf("loading the spec: %v", err))
	} else if s != nil {
		if err := s.Validate(CallbackPointer, body); err != nil {
			errs = append(errs, err)
		}
	}
	return append(errs, CheckCallback(interactionType, body)...)
}
