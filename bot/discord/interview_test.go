package discord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/discord/discordtest"
)

// modalResponse is a modal callback (type 9) as Discord receives it.
type modalResponse struct {
	Type int `json:"type"`
	Data struct {
		CustomID   string `json:"custom_id"`
		Title      string `json:"title"`
		Components []struct {
			Type       int `json:"type"`
			Components []struct {
				Type        int    `json:"type"`
				CustomID    string `json:"custom_id"`
				Label       string `json:"label"`
				Style       int    `json:"style"`
				Placeholder string `json:"placeholder"`
				Required    bool   `json:"required"`
				MaxLength   int    `json:"max_length"`
			} `json:"components"`
		} `json:"components"`
	} `json:"data"`
}

// as sends an interaction as another member of the server.
func as(user string, i map[string]any) map[string]any {
	i["member"] = map[string]any{"user": map[string]any{"id": user, "username": user}, "permissions": "0", "roles": []any{}}
	return i
}

func press(id string) map[string]any {
	return interaction(3, map[string]any{"custom_id": id, "component_type": 2}, "0")
}

func submit(customID, text string) map[string]any {
	return interaction(5, map[string]any{"custom_id": customID, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "value": text}}},
	}}, "0")
}

// A mock interview over the gateway: an ephemeral question, a modal with
// a paragraph input, the graded answer, a follow-up answered the same way;
// another member's press and a second submission are refused. Every body
// goes through the strict fake.
func TestInterviewOverTheGateway(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("interview", opt("category", 3, "postgres")), "0"))
	q := decode(t, r.f.next("/interactions/").Body)
	if q.Type != 4 || q.Data.Flags&64 == 0 {
		t.Fatalf("the question must be an ephemeral message: %+v", q)
	}
	bottest.MustContain(t, q.text(), "Mock interview · PostgreSQL", "The interviewer asks:")
	card := r.card(q)

	r.f.dispatch("INTERACTION_CREATE", press(q.button("Answer")))
	var modal modalResponse
	if err := json.Unmarshal(r.f.next("/interactions/").Body, &modal); err != nil {
		t.Fatal(err)
	}
	if modal.Type != 9 || len(modal.Data.Components) != 1 || len(modal.Data.Components[0].Components) != 1 {
		t.Fatalf("want a modal with one text input, got %+v", modal)
	}
	in := modal.Data.Components[0].Components[0]
	if in.Type != 4 || in.Style != 2 || in.MaxLength != 3000 || !in.Required || in.Label == "" || in.Placeholder == "" {
		t.Fatalf("want a required paragraph input (style 2) of at most 3,000 characters, got %+v", in)
	}

	// another member cannot answer it
	r.f.dispatch("INTERACTION_CREATE", as("u2", submit(modal.Data.CustomID, card.Answer)))
	refusal := decode(t, r.f.next("/interactions/").Body)
	bottest.MustContain(t, refusal.text(), "another member's")

	r.f.dispatch("INTERACTION_CREATE", submit(modal.Data.CustomID, card.Answer))
	g := decode(t, r.f.next("/interactions/").Body)
	if g.Data.Flags&64 == 0 {
		t.Fatal("the grade must be ephemeral")
	}
	bottest.MustContain(t, g.text(), "Your answer: ", "/100", "Key concepts", "covered")
	if g.button("Model answer") == "" {
		t.Fatalf("no model answer button: %s", g.text())
	}
	// graded once
	r.f.dispatch("INTERACTION_CREATE", submit(modal.Data.CustomID, "a second try"))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "already answered")

	if len(card.FollowUps) == 0 {
		bottest.MustContain(t, g.text(), "Interview summary")
		return
	}
	r.f.dispatch("INTERACTION_CREATE", press(g.button("Follow-up question")))
	f := decode(t, r.f.next("/interactions/").Body)
	bottest.MustContain(t, f.text(), "Follow-up 1 of", "The interviewer follows up:")
	r.f.dispatch("INTERACTION_CREATE", press(f.button("Answer")))
	fm := decode(t, r.f.next("/interactions/").Body)
	if fm.Type != 9 {
		t.Fatalf("the follow-up's Answer opened %+v", fm)
	}
	r.f.dispatch("INTERACTION_CREATE", submit(fm.Data.CustomID, card.FollowUps[0].Answer))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "Your answer: ", "/100")
	r.f.dispatch("INTERACTION_CREATE", press(f.button("End interview")))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "Interview ended", "1. Question: ")
}

// The strict fake refuses a modal Discord would refuse: a text input of
// style 3, a label or title over 45 characters, a max_length over 4,000.
func TestStrictFakeRefusesBadModals(t *testing.T) {
	f := discordtest.New(t)
	modal := func(title, label string, style, maxLength int) string {
		b, _ := json.Marshal(map[string]any{"type": 9, "data": map[string]any{"custom_id": "j:1", "title": title,
			"components": []any{map[string]any{"type": 1, "components": []any{map[string]any{
				"type": 4, "custom_id": "text", "label": label, "style": style, "max_length": maxLength, "required": true}}}}}})
		return string(b)
	}
	do := func(n int, body string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%sinteractions/%d/tok-m%d/callback", f.APIURL(), n, n), strings.NewReader(body))
		req.Header.Set("Authorization", "Bot "+discordtest.Token)
		req.Header.Set("Content-Type", "application/json")
		code, _ := bottest.Do(t, req)
		return code
	}
	for i, tc := range []struct {
		name, body, want string
	}{
		{"style 3", modal("Your answer", "Your answer", 3, 3000), "style"},
		{"a 46-character title", modal(strings.Repeat("t", 46), "Your answer", 2, 3000), "title"},
		{"a 46-character label", modal("Your answer", strings.Repeat("l", 46), 2, 3000), "label"},
		{"max_length 4,001", modal("Your answer", "Your answer", 2, 4001), "max_length"},
	} {
		if code := do(i+1, tc.body); code != 400 {
			t.Errorf("%s: %d, want 400", tc.name, code)
		}
		v := f.TakeViolations()
		if len(v) == 0 || !strings.Contains(fmt.Sprint(v), tc.want) {
			t.Errorf("%s: violations %v, want one naming %s", tc.name, v, tc.want)
		}
	}
	if code := do(9, modal(strings.Repeat("t", 45), strings.Repeat("l", 45), 2, 4000)); code != 204 {
		t.Errorf("a modal at every limit: %d, want 204", code)
	}
}

// A mock interview on the long bank with hostile text (3,000-character
// prompts, eight 300-character concepts, mentions and masked links in
// the member's answer) stays within Discord's limits, and nothing in it
// can ping: the strict fake checks every body.
func TestInterviewOnTheLongBankFitsDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.useBank(bottest.LongBank(t))
	r.start()
	cat := r.Bank.Categories()[0].ID
	r.f.dispatch("INTERACTION_CREATE", interaction(2, command("interview", opt("category", 3, cat)), "0"))
	q := decode(t, r.f.next("/interactions/").Body)
	card := r.card(q)
	modal := r.press(q, "Answer")
	if modal.Type != 9 {
		t.Fatalf("Answer opened %+v", modal)
	}
	answer := []rune(card.Answer)[:2900]
	r.f.dispatch("INTERACTION_CREATE", submit(modal.Data.CustomID, string(answer)))
	g := decode(t, r.f.next("/interactions/").Body)
	bottest.MustContain(t, g.text(), "Your answer: ", "/100")
	if strings.Contains(g.text(), "“<@") || strings.Contains(g.text(), "“[") {
		t.Errorf("the member's words are not escaped:\n%s", g.text())
	}
	r.press(g, "Model answer")
	r.press(q, "End interview")
}
