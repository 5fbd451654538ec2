package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
)

// links makes addresses the way bot/web does, without signing them.
type links struct{}

func (links) GroupURL(group string) string { return "https://prep.example/g/" + group }
func (links) MemberURL(group, user string) (string, error) {
	return "https://prep.example/m/" + group + "." + user, nil
}

func TestWebOnOffAndTheStatsLink(t *testing.T) {
	h := newHarness(t, nil)
	db := bottest.OpenDB(t)
	h.bot = bot.New(bot.Config{Bank: bottest.Bank(t), Store: db, Clock: h.clock, Chat: h.chat, DrawLimit: 1000, Links: links{}})

	r, err := h.command("ann", "web", "sub", "on")
	refused(t, "/web on by a member", r, err, bot.EForbidden, "Only server admins", "/web status")
	if !bot.NeedsAdmin(bot.Request{Command: "web", Args: map[string]string{"sub": "on"}}) {
		t.Error("/web on must ask whether the member is an admin")
	}

	// off by default: /stats has no link
	h.study("ann", 1, true)
	r, err = h.command("ann", "stats")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Fields {
		if strings.Contains(f.Value, "prep.example") {
			t.Fatalf("/stats links to a page while the pages are off: %+v", f)
		}
	}
	r, _ = h.command("ann", "web")
	bottest.MustContain(t, r.Text, "off", "/web on")

	r, err = h.admin("web", "sub", "on")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "https://prep.example/g/discord:g1", "/stats")
	if g, _ := db.Group(context.Background(), "discord:g1"); !g.Web {
		t.Fatal("/web on did not store the flag")
	}
	r, err = h.command("ann", "stats")
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Fields[len(r.Fields)-1]; f.Name != "Your web page" || !strings.Contains(f.Value, "https://prep.example/m/discord:g1.ann") {
		t.Fatalf("/stats' last field = %+v, want the member's link", f)
	}
	// another member's stats carry no link to their page
	r, _ = h.command("bob", "stats", "user", "ann")
	for _, f := range r.Fields {
		if strings.Contains(f.Value, "prep.example") {
			t.Fatalf("/stats user:ann shows bob a link to ann's page: %+v", f)
		}
	}

	if _, err := h.admin("web", "sub", "off"); err != nil {
		t.Fatal(err)
	}
	if g, _ := db.Group(context.Background(), "discord:g1"); g.Web {
		t.Fatal("/web off did not clear the flag")
	}
}

func TestWebOnWithoutAServer(t *testing.T) {
	h := newHarness(t, nil)
	r, err := h.admin("web", "sub", "on")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "web.base_url")
}
