package slacktest

import (
	"net/url"
	"testing"
)

// users.info gives a user's tz when the fake has one for them, and only
// with users:read; chat.postMessage to a user id (their direct messages
// with the app) needs chat:write like any other post.
func TestUserZoneAndDirectMessageScopes(t *testing.T) {
	f := New(t)
	f.Zones["U1"] = "Europe/Berlin"
	out := call(t, f, "users.info", url.Values{"user": {"U1"}})
	if user, _ := out["user"].(map[string]any); out["ok"] != true || user["tz"] != "Europe/Berlin" {
		t.Fatalf("users.info of a user with a zone: %v", out)
	}
	out = call(t, f, "users.info", url.Values{"user": {"U2"}})
	if user, _ := out["user"].(map[string]any); out["ok"] != true || user["tz"] != nil {
		t.Fatalf("users.info of a user without one: %v", out)
	}
	if out := call(t, f, "chat.postMessage", url.Values{"channel": {"U1"}, "text": {"keep your streak"}}); out["ok"] != true {
		t.Fatalf("a direct message: %v", out)
	}
	f.Scopes = []string{"commands"}
	if out := call(t, f, "users.info", url.Values{"user": {"U1"}}); out["error"] != "missing_scope" || out["needed"] != "users:read" {
		t.Fatalf("users.info without users:read: %v", out)
	}
	if out := call(t, f, "chat.postMessage", url.Values{"channel": {"U1"}, "text": {"keep your streak"}}); out["error"] != "missing_scope" || out["needed"] != "chat:write" {
		t.Fatalf("a direct message without chat:write: %v", out)
	}
	if r := f.TakeRefusals(); len(r) != 2 {
		t.Fatalf("refusals: %v", r)
	}
}
