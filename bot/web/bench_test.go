package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/web"
	"github.com/prepbot/prepbot/storage"
)

// BenchmarkGroupPage renders the page of a group of 10,000 members, each
// with answers this week (so on every board): drawn afresh, and served
// from the page drawn last (Config.CacheFor). The target is under 50 ms.
func BenchmarkGroupPage(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "prepbot.db"), storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bottest.CloseAndCheck(b, db) })
	f := newFixtureOn(b, db)
	cards := f.bank.Cards()
	const members = 10_000
	var wg sync.WaitGroup
	work := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range work {
				for j := range 1 + i%3 {
					c := cards[(i*7+j)%len(cards)]
					at := now.Add(-time.Duration(j) * time.Hour)
					a := &bot.Answer{Kind: bot.KindAnswer, Group: groupA, Channel: "c1", User: fmt.Sprintf("u%05d", i), UserName: fmt.Sprintf("Member %d", i),
						PostID: f.post.Add(1), CardID: c.ID, Category: c.Category, Correct: (i+j)%4 != 0, Points: 10 + i%11, At: at,
						Day: bot.Day(at, time.UTC), Periods: bot.Periods(at, time.UTC), Zone: "UTC"}
					if _, err := db.Record(context.Background(), a); err != nil {
						b.Error(err)
					}
				}
			}
		})
	}
	for i := range members {
		work <- i
	}
	close(work)
	wg.Wait()
	f.pagesOn(groupA, true)
	drawn, err := web.New(web.Config{Store: db, Bank: f.bank, BaseURL: "http://127.0.0.1", Secret: []byte("a test secret of enough length"), Clock: f.clock, CacheFor: -1})
	if err != nil {
		b.Fatal(err)
	}
	// drawn: every visit reads the store and draws the page; served: visits
	// within CacheFor of the last drawing, as most are
	for _, c := range []struct {
		name string
		srv  *web.Server
	}{{"drawn", drawn}, {"served", f.web}} {
		b.Run(c.name, func(b *testing.B) {
			mux := http.NewServeMux()
			c.srv.Routes(mux)
			for b.Loop() {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", "/g/"+groupA, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
