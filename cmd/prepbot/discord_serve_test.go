package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot/discord/discordtest"
)

// The server with a Discord token, against the strict fake Discord (every
// body checked against Discord's OpenAPI spec and documented rules): it
// starts, the bulk overwrite of the commands is accepted, it connects to
// the gateway and answers an interaction. Discord used to refuse the
// commands (an optional option before a required one) and serve exited.
func TestServeDiscordGatewayAgainstStrictFake(t *testing.T) {
	f := discordtest.New(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	conf := "db: " + filepath.Join(dir, "serve.db") + "\nhttp:\n  addr: 127.0.0.1:0\n" +
		"discord:\n  token: ${PREPBOT_TEST_DISCORD_TOKEN}\n  public_key: " + hex.EncodeToString(pub) + "\n  api_url: " + f.APIURL() + "\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PREPBOT_TEST_DISCORD_TOKEN", discordtest.Token)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		err := m.Run(ctx)
		close(stopped)
		done <- err
	}()
	defer func() {
		cancel()
		<-stopped
		m.Close()
	}()

	put := f.Next("/applications/app1/commands")
	if put.Method != http.MethodPut {
		t.Fatalf("want the bulk overwrite, got %s %s", put.Method, put.Path)
	}
	select { // serve used to exit here: Discord refused the commands
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	f.WaitConnected()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v", err)
		default:
		}
		code, body := get(t, "http://"+m.Addr()+"/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %d %s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v := f.TakeViolations(); len(v) > 0 {
		t.Fatalf("Discord would refuse what serve sent at start: %v", v)
	}

	f.Dispatch("INTERACTION_CREATE", map[string]any{"id": "901", "application_id": "app1", "type": 2, "token": "tok-901", "version": 1,
		"guild_id": "g1", "channel_id": "c1",
		"member": map[string]any{"user": map[string]any{"id": "u1", "username": "kim"}, "permissions": "0", "roles": []any{}},
		"data":   map[string]any{"id": "cmd-question", "name": "question", "type": 1, "options": []any{}}})
	cb := f.Next("/interactions/901/")
	if !strings.HasSuffix(cb.Path, "/callback") || !strings.Contains(string(cb.Body), `"type":4`) {
		t.Fatalf("want a card as the interaction's response: %s %s", cb.Path, cb.Body)
	}

	// the Interactions Endpoint's answer is checked against the callback
	// schema and the documented rules too
	body := []byte(`{"id":"902","application_id":"app1","type":2,"token":"tok-902","version":1,"guild_id":"g1","channel_id":"c1",` +
		`"member":{"user":{"id":"u2","username":"lee"},"permissions":"0"},"data":{"id":"x","name":"leaderboard","type":1,"options":[{"name":"period","type":3,"value":"all"}]}}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest("POST", "http://"+m.Addr()+"/discord/interactions", bytes.NewReader(body))
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("endpoint: %d %s", resp.StatusCode, out)
	}
	for _, err := range discordtest.CheckInteractionResponse(discordtest.InteractionCommand, out) {
		t.Errorf("Discord would refuse the endpoint's answer: %v\n%s", err, out)
	}
	// discordtest.New's cleanup fails the test on any refused request
}
