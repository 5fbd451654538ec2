package slack

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// A member disputes their rejected typed answer on Slack (the Dispute
// button under the ephemeral verdict); only they can; /prep disputes and
// /prep accept are for admins (users.info), who see the typed text escaped
// (it pings no one); the member hears of the outcome at once, in their
// direct messages with the bot.
func TestDisputesOnSlack(t *testing.T) {
	r := newTypedRig(t, Config{})
	r.f.Mu.Lock()
	r.f.Admins["U-BOSS"] = true
	r.f.Mu.Unlock()

	k := r.drawTyped()
	action := k.button("Type answer")
	r.f.Envelope("d-type", "interactive", r.press(action), 0)
	r.f.Next("views.open")
	typed := "time to live <!channel> & *bold* <@U2>"
	r.f.Envelope("d-submit", "interactive", r.submit("w:"+postOf(action), typed), 0)
	v := blocksOf(r.f.Next("chat.postEphemeral").Form.Get("blocks"))
	bottest.MustContain(t, v.text(), "Not quite")
	dispute := v.button("Dispute")
	if dispute == "" {
		t.Fatalf("no Dispute button under the verdict of a rejected typed answer:\n%s", v.text())
	}

	ben := r.press(dispute)
	ben["user"] = map[string]any{"id": "U2", "username": "ben", "name": "ben", "team_id": "T1"}
	r.f.Envelope("d-ben", "interactive", ben, 0)
	bottest.MustContain(t, blocksOf(r.f.Next("response").JSON).text(), "You have no answer to this card to dispute")
	r.f.Envelope("d-ann", "interactive", r.press(dispute), 0)
	sent := r.f.Next("response")
	if sent.JSON["response_type"] != "ephemeral" {
		t.Errorf("the dispute's reply is shown to the channel: %v", sent.JSON)
	}
	bottest.MustContain(t, blocksOf(sent.JSON).text(), "Dispute #1 sent")

	slash := func(id, text, user string) string {
		t.Helper()
		ack := r.f.Envelope(id, "slash_commands", r.slash(text, user), 0)
		p, _ := ack["payload"].(map[string]any)
		if p["response_type"] == "in_channel" {
			t.Errorf("/prep %s is shown to the channel", text)
		}
		return blocksOf(p).text()
	}
	bottest.MustContain(t, slash("d-list-member", "disputes", "U1"), "Only server admins decide disputes")
	list := slash("d-list", "disputes", "U-BOSS")
	// shown as typed (the fake reads the escaped text as Slack shows it),
	// and the fake finds no mention in it (Pings, below)
	bottest.MustContain(t, list, "*#1*", "Accepted: caching, cache time", "*ann* typed “time to live <!channel> & ", "<@U2>”")
	bottest.MustContain(t, slash("d-accept", "accept 1", "U-BOSS"), "Dispute #1 accepted", "+15 points", "The member was told in a private message")
	if m, err := r.DB.Member(context.Background(), "slack:T1", "U1"); err != nil || m.Points != 15 || m.Correct != 1 {
		t.Errorf("the member after the accept: %+v, %v", m, err)
	}
	// the member is told at once, in their direct messages with the bot,
	// and not again with their next reply
	dm := r.f.Next("chat.postMessage")
	if dm.Form.Get("channel") != "U1" || dm.Error != "" {
		t.Fatalf("the outcome went to %q (%s), want U1's direct messages", dm.Form.Get("channel"), dm.Error)
	}
	bottest.MustContain(t, blocksOf(dm.Form.Get("blocks")).text(), "Your dispute #1", "Accepted: your answer “time to live")
	if help := slash("d-help", "help", "U1"); strings.Contains(help, "Your dispute #1") {
		t.Errorf("told twice:\n%s", help)
	}
	if pings := r.f.Pings(); len(pings) > 0 {
		t.Errorf("pings: %v", pings)
	}
}

// /prep disputes fits Block Kit's limits whatever members typed and however
// many disputes wait, and says how many more there are.
func TestManyDisputesFitBlockKit(t *testing.T) {
	r := newTypedRig(t, Config{})
	r.f.Mu.Lock()
	r.f.Admins["U-BOSS"] = true
	r.f.Mu.Unlock()
	hostile := strings.Repeat("&<>*_~`<!channel><@U1>", 10)[:200]
	err := r.DB.UpdateGroup(context.Background(), "slack:T1", func(g *bot.Group) error {
		for i := range bot.MaxDisputes {
			g.DisputeSeq++
			g.Disputes = append(g.Disputes, bot.Dispute{ID: g.DisputeSeq, Post: uint64(100 + i), Card: "networking-dns-ttl", Channel: "C1",
				User: "M" + strconv.Itoa(i), Name: strings.Repeat("&<!here>", 10), Text: hostile, At: r.Clock.Now()})
		}
		g.Accepted = map[string][]string{"networking-dns-ttl": {hostile[:40], strings.Repeat("&", 40)}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ack := r.f.Envelope("many", "slash_commands", r.slash("disputes", "U-BOSS"), 0)
	text := blocksOf(ack["payload"]).text()
	bottest.MustContain(t, text, "Disputes waiting: 100", "more.")
	// escaped for mrkdwn (&amp;, &lt;, zero-width spaces), the list stays
	// within one section's 3,000 characters, far from what Slack takes in
	// one message
	for _, b := range blocksOf(ack["payload"]).blocks {
		if m := b.(map[string]any); m["type"] == "section" {
			if tx, ok := m["text"].(map[string]any); ok {
				if n := utf8.RuneCountInString(tx["text"].(string)); n > 3000 {
					t.Errorf("a section of %d characters", n)
				}
			}
		}
	}
	if refused := r.f.TakeRefusals(); len(refused) > 0 {
		t.Errorf("refused: %v", refused)
	}
	if pings := r.f.Pings(); len(pings) > 0 {
		t.Errorf("pings: %v", pings)
	}
}
