package discordtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends a JSON body to the fake's REST API as the bot.
func post(t *testing.T, s *Server, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.APIURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot "+Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

// The fake opens DM channels as Discord does, and refuses a message to a
// member who closed their DMs with 50007.
func TestDirectMessages(t *testing.T) {
	s := New(t)
	code, ch := post(t, s, "users/@me/channels", `{"recipient_id": "80351110224678912"}`)
	if code != 200 || ch["type"] != float64(1) || ch["id"] == "" {
		t.Fatalf("create DM: %d %v", code, ch)
	}
	if _, again := post(t, s, "users/@me/channels", `{"recipient_id": "80351110224678912"}`); again["id"] != ch["id"] {
		t.Fatalf("a second create DM opened another channel: %v, then %v", ch["id"], again["id"])
	}
	msg := `{"content": "keep your streak"}`
	if code, _ := post(t, s, "channels/"+ch["id"].(string)+"/messages", msg); code != 200 {
		t.Fatalf("message to an open DM: %d", code)
	}
	if dms := s.DirectMessages(); len(dms) != 1 || dms[0].User != "80351110224678912" {
		t.Fatalf("DMs recorded: %+v", dms)
	}
	s.CloseDMs("80351110224678912")
	code, out := post(t, s, "channels/"+ch["id"].(string)+"/messages", msg)
	if code != 403 || out["code"] != float64(50007) {
		t.Fatalf("message to closed DMs: %d %v; want 403, code 50007", code, out)
	}
	if len(s.DirectMessages()) != 1 {
		t.Fatal("a refused DM was recorded as sent")
	}
	if sp, _ := LoadSpec(); sp != nil {
		// the spec types recipient_id as a snowflake
		if code, _ := post(t, s, "users/@me/channels", `{"recipient_id": "ann"}`); code != 400 {
			t.Fatalf("a recipient that is no snowflake: %d, want 400", code)
		}
		if v := s.TakeViolations(); len(v) != 1 {
			t.Fatalf("violations: %v", v)
		}
	}
}
