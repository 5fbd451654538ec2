package discord

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// discordMember makes an interaction come from a member: a user id, the
// name shown (global_name) and the member's permissions ("32" is Manage
// Server).
func discordMember(i map[string]any, id, name, perms string) map[string]any {
	i["member"] = map[string]any{"user": map[string]any{"id": id, "username": strings.ToLower(id), "global_name": name},
		"permissions": perms, "roles": []any{}}
	return i
}

// A member disputes their rejected typed answer on Discord; only they can,
// privately; members cannot decide it, nor an admin their own; another
// admin lists it, with the member's name and text escaped so that they
// format nothing and mention no one, and accepts it; the member, whose
// direct messages are closed, hears of it with their next reply. Every body
// is checked by the strict fake.
func TestDisputesOnDiscord(t *testing.T) {
	r := newRig(t, Config{})
	r.useBank(bottest.TestBank(t))
	r.start()
	send := func(i map[string]any) wireResponse {
		t.Helper()
		r.f.dispatch("INTERACTION_CREATE", i)
		return decode(t, r.f.next("/interactions/").Body)
	}
	const ann = "**Ann** @everyone <@&1>"
	const typed = "time *to* live <@&1> [x](https://example.org)"
	as := func(i map[string]any, id string) map[string]any {
		switch id {
		case "u1":
			return discordMember(i, "1001", ann, "0")
		case "u1-admin":
			return discordMember(i, "1001", ann, "32")
		case "u2":
			return discordMember(i, "1002", "Ben", "0")
		}
		return discordMember(i, "1003", "Cara", "32")
	}
	press := func(id, who string) wireResponse {
		return send(as(interaction(3, map[string]any{"custom_id": id, "component_type": 2}, "0"), who))
	}

	var card wireResponse
	for range 4 {
		card = send(as(interaction(2, command("question", opt("category", 3, "networking")), "0"), "u1"))
		if card.button("Type answer") != "" {
			break
		}
	}
	if card.button("Type answer") == "" {
		t.Fatal("never drew the typed card")
	}
	modal := press(card.button("Type answer"), "u1")
	v := send(as(interaction(5, map[string]any{"custom_id": modal.Data.CustomID, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "value": typed}}},
	}}, "0"), "u1"))
	bottest.MustContain(t, v.text(), "Not quite")
	disputeID := v.button("Dispute")
	if disputeID == "" || v.Data.Flags&64 == 0 {
		t.Fatalf("the private verdict of a rejected typed answer has a Dispute button: %s", v.text())
	}

	if w := press(disputeID, "u2"); w.Data.Flags&64 == 0 || !strings.Contains(w.text(), "You have no answer to this card to dispute") {
		t.Errorf("another member's press of the Dispute button: %s", w.text())
	}
	if w := press(disputeID, "u1"); w.Data.Flags&64 == 0 || !strings.Contains(w.text(), "Dispute #1 sent") {
		t.Fatalf("dispute: %s", w.text())
	}
	if w := press(disputeID, "u1"); !strings.Contains(w.text(), "You already disputed this answer (#1)") {
		t.Errorf("a second dispute: %s", w.text())
	}
	if w := send(as(interaction(2, command("disputes"), "0"), "u1")); w.Data.Flags&64 == 0 || !strings.Contains(w.text(), "Only server admins decide disputes") {
		t.Errorf("/disputes by a member: %s", w.text())
	}
	if w := send(as(interaction(2, command("accept", opt("id", 3, "1")), "32"), "u1-admin")); !strings.Contains(w.text(), "You cannot accept your own dispute") {
		t.Errorf("/accept of one's own dispute: %s", w.text())
	}

	list := send(as(interaction(2, command("disputes"), "32"), "u3"))
	if list.Data.Flags&64 == 0 {
		t.Error("/disputes is shown to the channel")
	}
	desc := list.Data.Embeds[0].Description
	bottest.MustContain(t, desc, "**#1**", "Accepted: caching, cache time",
		`\*\*Ann\*\* @everyone \<@&1\>`, `“time \*to\* live \<@&1\> \[x\]\(https://example.org\)”`)
	if strings.Contains(strings.ReplaceAll(desc, `\<`, ""), "<@") {
		t.Errorf("a mention left unescaped: %s", desc)
	}

	// ann closed her direct messages: she hears of it with her next reply
	r.f.CloseDMs("1001")
	acc := send(as(interaction(2, command("accept", opt("id", 3, "1")), "32"), "u3"))
	bottest.MustContain(t, acc.text(), "Dispute #1 accepted", "+15 points", "The member hears of it the next time they use the bot")
	if dms := r.f.DirectMessages(); len(dms) != 0 {
		t.Errorf("direct messages sent to a member who closed them: %v", dms)
	}
	m, err := r.DB.Member(context.Background(), "discord:g1", "1001")
	if err != nil || m.Points != 15 || m.Correct != 1 || m.Answered != 1 {
		t.Errorf("ann after the accept: %+v, %v", m, err)
	}
	told := send(as(interaction(2, command("help"), "0"), "u1"))
	bottest.MustContain(t, told.text(), "Your dispute #1: Accepted: your answer “time \\*to\\* live")

	// Ben's dispute is rejected, with a reason: his direct messages are
	// open, so he is told there at once
	card = wireResponse{}
	// the category's shuffle bag is the channel's, and Ann's draws took
	// part of it: two rounds of the bag hold the typed card whatever its
	// place in each
	for range 6 {
		card = send(as(interaction(2, command("question", opt("category", 3, "networking")), "0"), "u2"))
		if card.button("Type answer") != "" {
			break
		}
	}
	if card.button("Type answer") == "" {
		t.Fatalf("Ben never drew the typed card: %s", card.text())
	}
	modal = press(card.button("Type answer"), "u2")
	v = send(as(interaction(5, map[string]any{"custom_id": modal.Data.CustomID, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "text", "value": "how long it lives"}}},
	}}, "0"), "u2"))
	bottest.MustContain(t, press(v.button("Dispute"), "u2").text(), "Dispute #2 sent")
	rej := send(as(interaction(2, command("reject", opt("id", 3, "2"), opt("reason", 3, "a TTL bounds the *caching* @everyone")), "32"), "u3"))
	bottest.MustContain(t, rej.text(), "Dispute #2 rejected", "They were told in a private message")
	dms := r.f.DirectMessages()
	if len(dms) != 1 || dms[0].User != "1002" {
		t.Fatalf("direct messages: %v; want one to Ben", dms)
	}
	bottest.MustContain(t, string(dms[0].Body), "Your dispute #2", "Rejected: your answer", `a TTL bounds the \\*caching\\* @everyone`, `"allowed_mentions":{`)
	if m, err := r.DB.Member(context.Background(), "discord:g1", "1002"); err != nil || m.Points != 0 || m.Answered != 1 {
		t.Errorf("Ben after the rejection: %+v, %v", m, err)
	}
}

// /disputes stays within one message, whatever members typed and however
// many disputes wait: it lists what fits and says how many more there
// are, and the strict fake takes it.
func TestManyDisputesFitOneMessage(t *testing.T) {
	r := newRig(t, Config{})
	r.useBank(bottest.TestBank(t))
	r.start()
	hostile := strings.Repeat("*_~`|<>[]()#&@everyone ", 9)[:200]
	err := r.DB.UpdateGroup(context.Background(), "discord:g1", func(g *bot.Group) error {
		for i := range bot.MaxDisputes {
			g.DisputeSeq++
			g.Disputes = append(g.Disputes, bot.Dispute{ID: g.DisputeSeq, Post: uint64(100 + i), Card: "networking-dns-ttl", Channel: "c1",
				User: "m" + strconv.Itoa(i), Name: strings.Repeat("<@&1>*", 20), Text: hostile, At: r.Clock.Now()})
		}
		g.Accepted = map[string][]string{"networking-dns-ttl": {hostile[:40], strings.Repeat("_", 40)}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.f.dispatch("INTERACTION_CREATE", discordMember(interaction(2, command("disputes"), "32"), "1003", "Cara", "32"))
	w := decode(t, r.f.next("/interactions/").Body)
	if len(w.Data.Embeds) != 1 {
		t.Fatalf("%d embeds, want one", len(w.Data.Embeds))
	}
	desc := w.Data.Embeds[0].Description
	if n := utf8.RuneCountInString(desc); n > maxDescription || strings.Contains(desc, "cut to fit") {
		t.Errorf("/disputes was cut (%d characters):\n%s", n, desc)
	}
	bottest.MustContain(t, w.text(), "Disputes waiting: 100", "more.")
	if strings.Contains(strings.ReplaceAll(desc, `\<`, ""), "<@") {
		t.Errorf("a mention left unescaped: %s", desc)
	}
}
