package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/discord"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
)

// limiter is a fake Discord's global rate limit: at most perSecond
// requests in each second, 429 with retry_after past it.
type limiter struct {
	mu        sync.Mutex
	perSecond int
	window    time.Time
	count     int
	limited   int
	posts     map[string]int
}

func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.window) >= time.Second {
		l.window, l.count = now, 0
	}
	if l.count >= l.perSecond {
		l.limited++
		wait := time.Second - now.Sub(l.window)
		l.mu.Unlock()
		w.WriteHeader(429)
		fmt.Fprintf(w, `{"message": "You are being rate limited.", "retry_after": %.3f, "global": true}`, wait.Seconds())
		return
	}
	l.count++
	ch := strings.Split(r.URL.Path, "/")[4] // /api/v9/channels/ID/messages
	l.posts[ch]++
	l.mu.Unlock()
	io.WriteString(w, `{"id": "1"}`)
}

// benchFanout is measurement 5: 1,000 channels due in the same minute,
// posted to a fake Discord that allows 50 requests per second.
func benchFanout(dir string, _ map[int]float64) ([]row, float64, error) {
	const channels, perSecond = 1000, 50
	lim := &limiter{perSecond: perSecond, posts: map[string]int{}}
	srv := httptest.NewServer(lim)
	defer srv.Close()
	bank, err := bankfile.Default()
	if err != nil {
		return nil, 0, err
	}
	db, err := storage.Open(filepath.Join(dir, "fanout.db"), storage.Options{})
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for i := 0; i < channels; i++ {
		if err := db.SaveSchedule(ctx, bot.Schedule{Group: "discord:bench", Channel: fmt.Sprint(100000 + i), Time: "09:00", TimeZone: "UTC"}); err != nil {
			return nil, 0, err
		}
	}
	b := bot.New(bot.Config{Bank: bank, Store: db, Clock: bottest.NewClock(at)})
	a, err := discord.New(discord.Config{Token: "bench", APIURL: srv.URL + "/api/v9/"}, b) // the default pacing
	if err != nil {
		return nil, 0, err
	}
	b.SetChat(bot.Chats{"discord": a})
	need := time.Duration(channels/perSecond) * time.Second
	progress("posting the daily question to %d channels at %d requests/s (the limit alone needs %v)", channels, perSecond, need)
	start := time.Now()
	n, err := b.Tick(ctx)
	took := time.Since(start)
	if err != nil {
		return nil, 0, err
	}
	once := n == channels && len(lim.posts) == channels
	for _, c := range lim.posts {
		once = once && c == 1
	}
	return []row{
		{5, fmt.Sprintf("daily post to %d channels, %d/s limit", channels, perSecond), took.Round(10 * time.Millisecond).String(), "limit needs " + need.String(),
			ratio(took.Seconds(), need.Seconds()), "<= 1.15x, each once", took <= need*115/100 && once},
		{5, "429s during the fan-out", fmt.Sprint(lim.limited), "-", "-", "a handful (<= 5)", lim.limited <= 5},
	}, took.Seconds(), nil
}
