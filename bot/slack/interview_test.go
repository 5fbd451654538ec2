package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/bot/bottest"
)

// submitView is a view_submission of the answer modal, by user.
func submitView(user, id string, view map[string]any, text string) map[string]any {
	return map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": user, "name": user},
		"view": map[string]any{"id": id, "type": "modal", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
			"state": map[string]any{"values": map[string]any{"answer": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": text}}}}}}
}

// A mock interview on Slack: /prep interview answers privately, Answer
// opens a modal with a multiline input (views.open, checked by the strict
// fake), the submission is graded privately, the follow-up is answered the
// same way, and a second submission of the same question is refused.
func TestInterviewOnSlack(t *testing.T) {
	r := newRig(t, Config{})
	ack := r.f.Envelope("i1", "slash_commands", r.slash("interview postgres", "U1"), 0)
	payload := ack["payload"].(map[string]any)
	if payload["response_type"] != "ephemeral" {
		t.Fatalf("the question must be ephemeral: %v", payload)
	}
	k := blocksOf(payload)
	bottest.MustContain(t, k.text(), "Mock interview · PostgreSQL", "The interviewer asks:")
	card := k.card(t, r.Bank)

	r.f.Envelope("i2", "interactive", r.press(k.button("Answer")), 0)
	open := r.f.Next("views.open")
	view, _ := open.JSON["view"].(map[string]any)
	blocks, _ := view["blocks"].([]any)
	if len(blocks) != 1 {
		t.Fatalf("views.open = %v", open.JSON)
	}
	el, _ := blocks[0].(map[string]any)["element"].(map[string]any)
	if el["type"] != "plain_text_input" || el["multiline"] != true || el["max_length"] != float64(3000) || el["placeholder"] == nil {
		t.Fatalf("want a multiline input of at most 3,000 characters with a placeholder, got %v", el)
	}
	if !strings.HasPrefix(view["callback_id"].(string), "j:") || view["private_metadata"] != "C1" {
		t.Fatalf("the modal's callback and channel: %v", view)
	}

	ack = r.f.Envelope("i3", "interactive", submitView("U1", "V1", view, card.Answer), 0)
	if ack["payload"].(map[string]any)["response_action"] != "clear" {
		t.Fatalf("submission ack = %v", ack)
	}
	eph := r.f.Next("chat.postEphemeral")
	if eph.Form.Get("user") != "U1" {
		t.Fatalf("the grade went to %v", eph.Form)
	}
	g := blocksOf(eph.Form.Get("blocks"))
	bottest.MustContain(t, g.text(), "Your answer: ", "/100", "Key concepts", "covered")

	// graded once: the same question submitted again from another view
	r.f.Envelope("i4", "interactive", submitView("U1", "V2", view, "a second try"), 0)
	bottest.MustContain(t, blocksOf(r.f.Next("chat.postEphemeral").Form.Get("blocks")).text(), "already answered")
	// another member's submission is refused
	r.f.Envelope("i5", "interactive", submitView("U2", "V3", view, card.Answer), 0)
	bottest.MustContain(t, blocksOf(r.f.Next("chat.postEphemeral").Form.Get("blocks")).text(), "another member's")

	if len(card.FollowUps) == 0 {
		return
	}
	r.f.Envelope("i6", "interactive", r.press(g.button("Follow-up question")), 0)
	f := blocksOf(r.f.Next("response").JSON)
	bottest.MustContain(t, f.text(), "Follow-up 1 of", "The interviewer follows up:")
	r.f.Envelope("i7", "interactive", r.press(f.button("Answer")), 0)
	fv, _ := r.f.Next("views.open").JSON["view"].(map[string]any)
	r.f.Envelope("i8", "interactive", submitView("U1", "V4", fv, card.FollowUps[0].Answer), 0)
	bottest.MustContain(t, blocksOf(r.f.Next("chat.postEphemeral").Form.Get("blocks")).text(), "Your answer: ", "/100")
}

// A mock interview on the long bank with hostile text stays within Block
// Kit's limits (the strict fake checks every message and view), and the
// member's words never ping.
func TestInterviewOnTheLongBankFitsSlack(t *testing.T) {
	r := newRig(t, Config{})
	r.useBank(bottest.LongBank(t))
	cat := r.Bank.Categories()[0].ID
	k := blocksOf(r.f.Envelope("long-i1", "slash_commands", r.slash("interview "+cat, "U1"), 0)["payload"])
	card := k.card(t, r.Bank)
	r.f.Envelope("long-i2", "interactive", r.press(k.button("Answer")), 0)
	view, _ := r.f.Next("views.open").JSON["view"].(map[string]any)
	answer := string([]rune(card.Answer)[:2900])
	r.f.Envelope("long-i3", "interactive", submitView("U1", "V-long", view, answer), 0)
	eph := r.f.Next("chat.postEphemeral")
	bottest.MustContain(t, blocksOf(eph.Form.Get("blocks")).text(), "Your answer: ", "/100")
	var blocks any // the texts as Slack reads them, before its entities are decoded
	if err := json.Unmarshal([]byte(eph.Form.Get("blocks")), &blocks); err != nil {
		t.Fatal(err)
	}
	if raw := fmt.Sprint(blocks); !strings.Contains(raw, "&lt;!channel&gt;") || strings.Contains(raw, "<!channel>") || strings.Contains(raw, "<@U123>") {
		t.Errorf("the grade can ping, or does not show the member's words:\n%s", raw)
	}
}
