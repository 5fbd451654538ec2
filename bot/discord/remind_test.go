package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot/bottest"
)

// ann is a member with a snowflake id, as Discord's are: the DM channel is
// opened with it (the spec refuses anything else as a recipient_id).
const ann = "80351110224678912"

// as makes an interaction come from ann.
func asAnn(in map[string]any) map[string]any {
	in["member"].(map[string]any)["user"].(map[string]any)["id"] = ann
	return in
}

// /timezone and /remind over the gateway, and the reminder as a DM: the
// DM channel is opened (POST /users/@me/channels), then posted to. A
// member whose DMs are closed (Discord's 50007) loses the reminder and is
// told so the next time.
func TestTimezoneAndReminderDM(t *testing.T) {
	r := newRig(t, Config{})
	r.start()
	r.f.dispatch("INTERACTION_CREATE", asAnn(interaction(2, command("timezone", opt("zone", 3, "Narnia/Cair")), "0")))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "Unknown time zone", "/timezone Europe/Berlin")
	r.f.dispatch("INTERACTION_CREATE", asAnn(interaction(2, command("timezone", opt("zone", 3, "Europe/Berlin")), "0")))
	w := decode(t, r.f.next("/interactions/").Body)
	if w.Data.Flags&64 == 0 {
		t.Fatalf("/timezone answers privately: %+v", w)
	}
	bottest.MustContain(t, w.text(), "now follows **Europe/Berlin**")
	r.f.dispatch("INTERACTION_CREATE", asAnn(interaction(2, command("remind", opt("time", 3, "20:00")), "0")))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "**20:00**", "Europe/Berlin")

	// 19:00 UTC is 20:00 in Berlin
	r.Clock.Set(time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC))
	if _, err := r.Bot.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	opened := 0
	for _, q := range r.f.Requests() {
		if q.Method == http.MethodPost && q.Path == "/users/@me/channels" {
			var body struct {
				RecipientID string `json:"recipient_id"`
			}
			json.Unmarshal(q.Body, &body)
			if body.RecipientID != ann {
				t.Fatalf("DM channel opened with %q, want %s", body.RecipientID, ann)
			}
			opened++
		}
	}
	dms := r.f.DirectMessages()
	if opened != 1 || len(dms) != 1 || dms[0].User != ann {
		t.Fatalf("%d DM channels opened, DMs %+v; want one to ann", opened, dms)
	}
	var msg wireResponse
	if err := json.Unmarshal(dms[0].Body, &msg.Data); err != nil {
		t.Fatal(err)
	}
	if msg.Data.Flags&64 != 0 {
		t.Fatalf("a DM carries no ephemeral flag: %s", dms[0].Body)
	}
	bottest.MustContain(t, msg.text(), "Time to study", "/question", "Streak freezes: 0 of 2", "/remind off")
	if _, err := r.Bot.Tick(context.Background()); err != nil || len(r.f.DirectMessages()) != 1 {
		t.Fatalf("a second tick the same day: %v, %d DMs", err, len(r.f.DirectMessages()))
	}

	// the next day ann's DMs are closed: the reminder turns off, and the
	// next command says why
	r.f.CloseDMs(ann)
	r.Clock.Set(time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC))
	if _, err := r.Bot.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.DB.Member(context.Background(), "discord:g1", ann); m.Remind != "" || m.RemindOff == "" {
		t.Fatalf("after Discord refused the DM: %+v", m)
	}
	r.f.dispatch("INTERACTION_CREATE", asAnn(interaction(2, command("remind"), "0")))
	bottest.MustContain(t, decode(t, r.f.next("/interactions/").Body).text(), "Your reminder is off", "Reminder off", "Discord refused the private message")
}
