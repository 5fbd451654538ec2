package bot_test

import (
	"strings"
	"testing"

	"github.com/prepbot/prepbot/bot"
)

// /qotd set refuses what it cannot keep: the server's own "Local" zone
// (it differs from machine to machine) and a channel that is no channel;
// the refusal does not echo a huge value back.
func TestQotdSetRefusesLocalZoneAndJunkChannels(t *testing.T) {
	h := newHarness(t, nil)
	set := func(args ...string) (bot.Reply, error) { return h.qotd(append([]string{"sub", "set"}, args...)...) }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"time", "09:00", "timezone", "Local"}, "Local is the server's own time zone"},
		{[]string{"time", "09:00", "timezone", strings.Repeat("Z", 10000)}, "unknown time zone"},
		{[]string{"time", "09:00", "channel", strings.Repeat("1", 10000)}, "That is not a channel"},
		{[]string{"time", "09:00", "channel", "<#1> @everyone"}, "That is not a channel"},
	} {
		r, err := set(tc.args...)
		if err == nil || !strings.Contains(r.Text, tc.want) || len(r.Text) > 300 {
			t.Errorf("%.40v: %v, %.300q", tc.args, err, r.Text)
		}
	}
	if _, err := set("time", "09:00", "timezone", "Europe/Berlin", "channel", "#study"); err != nil {
		t.Fatalf("a good schedule: %v", err)
	}
	r, err := h.command("boss", "qotd", "sub", "status")
	if err != nil || !strings.Contains(r.Text, "#study") {
		t.Fatalf("status: %v %q", err, r.Text)
	}
}
