package slack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds a request from Slack; theirs are a few kilobytes.
const maxBody = 64 << 10

// maxSkew is Slack's 5-minute window for request timestamps.
const maxSkew = 5 * time.Minute

// Routes adds the HTTP endpoints when a signing secret is set.
func (a *Adapter) Routes(mux *http.ServeMux) {
	if a.cfg.SigningSecret == "" {
		return
	}
	mux.HandleFunc("POST /slack/commands", a.verified(a.serveCommand))
	mux.HandleFunc("POST /slack/interactions", a.verified(a.serveInteraction))
	mux.HandleFunc("POST /slack/events", a.verified(a.serveEvent))
}

// Verify checks a request's signature: HMAC-SHA256 of "v0:timestamp:body"
// with the signing secret, and a timestamp within five minutes of now.
func Verify(secret string, h http.Header, body []byte, now time.Time) bool {
	ts := h.Get("X-Slack-Request-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return false
	}
	v0, ok := strings.CutPrefix(h.Get("X-Slack-Signature"), "v0=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(v0)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// verified reads the body (bounded), checks the signature and hands the
// body on; a bad or stale signature gets 401 and nothing else happens.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte, received time.Time)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		received := time.Now() // Slack's 3 seconds run from here
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if !Verify(a.cfg.SigningSecret, r.Header, body, a.cfg.Now()) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body, received)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte, received time.Time) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("command") == "" || form.Get("team_id") == "" {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	payload, ok := a.slashCommand(a.ctx, cmd, "", received)
	if !ok {
		w.WriteHeader(http.StatusOK) // acknowledged; the reply goes to response_url
		return
	}
	writeJSON(w, payload)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte, received time.Time) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "malformed interaction: want payload=JSON", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			http.Error(w, "malformed interaction: block_actions without a block action", http.StatusBadRequest)
			return
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.State == nil {
			http.Error(w, "malformed interaction: view_submission without the view's state", http.StatusBadRequest)
			return
		}
	default:
		http.Error(w, "unsupported interaction type", http.StatusBadRequest)
		return
	}
	payload, ok := a.interaction(a.ctx, cb, received)
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, payload)
}

func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte, _ time.Time) {
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		var c slackevents.ChallengeResponse
		json.Unmarshal(body, &c)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, c.Challenge)
		return
	case slackevents.CallbackEvent:
		var outer struct {
			EventID string `json:"event_id"`
		}
		json.Unmarshal(body, &outer)
		// Acknowledged first. Slack retries an event it thinks failed
		// (X-Slack-Retry-Num); the event id makes a retry a no-op.
		a.inflight.Go(func() { a.eventOnce(a.ctx, outer.EventID, ev) })
		w.WriteHeader(http.StatusOK)
		return
	}
	http.Error(w, "unsupported event type", http.StatusBadRequest)
}
