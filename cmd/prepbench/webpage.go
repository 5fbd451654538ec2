package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/web"
	"github.com/prepbot/prepbot/questionbank/bankfile"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/postgres"
)

// pageMembers and pageAnswers are measurement 9's group: 10,000 members
// with three answers each over the last 60 days.
const (
	pageMembers = 10_000
	pageAnswers = 30_000
	pageVisits  = 50
)

// benchWebPage measures a group's web page of 10,000 members drawn afresh
// (every board, the accuracy per category, the schedules), against the
// same page served as drawn (what most visits get, within web.CacheFor),
// on bbolt and, when it answers, on PostgreSQL.
func benchWebPage(dir string, _ map[int]float64) ([]row, float64, error) {
	ctx := context.Background()
	now := time.Now().UTC()
	answers := history(pageMembers, pageAnswers, now)
	db, err := storage.Open(filepath.Join(dir, "webpage.db"), storage.Options{NoSync: true})
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	progress("recording %d answers from %d members (setup, not measured)", pageAnswers, pageMembers)
	if err := fill(db, answers); err != nil {
		return nil, 0, err
	}
	rows, err := pageRows(ctx, "bbolt", db)
	if err != nil {
		return nil, 0, err
	}
	base := pgURL()
	s, why := openPostgres(ctx, base)
	if s == nil {
		progress("no PostgreSQL at %s (%s): its row is skipped", redacted(base), why)
		return rows, 0, nil
	}
	defer s.Close()
	u, err := s.schema(ctx, "webpage")
	if err != nil {
		return nil, 0, err
	}
	defer s.drop("webpage")
	pg, err := postgres.Open(ctx, u, postgres.Options{})
	if err != nil {
		return nil, 0, err
	}
	defer pg.Close()
	progress("PostgreSQL: loading the same answers with COPY (setup, not measured)")
	if err := loadPostgres(ctx, pg.Pool(), answers); err != nil {
		return nil, 0, err
	}
	// after a load autovacuum runs (PostgreSQL's default): it gathers the
	// statistics and marks the pages all-visible, so that the category
	// tallies are read from the scores' key alone (migration 00007)
	if _, err := pg.Pool().Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return nil, 0, err
	}
	// the load's pages, and those the measurements before this one
	// dirtied, are written before the visits, not while they are timed
	checkpoint(ctx, pg.Pool())
	more, err := pageRows(ctx, "PostgreSQL", pg)
	return append(rows, more...), 0, err
}

// pageRows draws the page pageVisits times afresh and as many times served
// as drawn, and gives the rows of one backend.
func pageRows(ctx context.Context, backend string, store bot.Store) ([]row, error) {
	bank, err := bankfile.Default()
	if err != nil {
		return nil, err
	}
	const group = "discord:bench"
	if err := store.UpdateGroup(ctx, group, func(g *bot.Group) error { g.Web = true; return nil }); err != nil {
		return nil, err
	}
	visit := func(cacheFor time.Duration) ([]time.Duration, error) {
		srv, err := web.New(web.Config{Store: store, Bank: bank, BaseURL: "http://127.0.0.1", Secret: []byte("prepbench web page secret"), CacheFor: cacheFor})
		if err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		srv.Routes(mux)
		took := make([]time.Duration, 0, pageVisits)
		for i := range pageVisits + 1 {
			rec := httptest.NewRecorder()
			start := time.Now()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", "/g/"+group, nil).WithContext(ctx))
			d := time.Since(start)
			if rec.Code != http.StatusOK {
				return nil, fmt.Errorf("the group page answered %d: %.200s", rec.Code, rec.Body)
			}
			if i > 0 { // the first visit draws the page the others are served
				took = append(took, d)
			}
		}
		slices.Sort(took)
		return took, nil
	}
	progress("%s: the group page of %d members, %d visits drawn afresh and %d served as drawn", backend, pageMembers, pageVisits, pageVisits)
	drawn, err := visit(-1)
	if err != nil {
		return nil, err
	}
	served, err := visit(time.Hour)
	if err != nil {
		return nil, err
	}
	p50, worst := drawn[len(drawn)/2], drawn[len(drawn)-1]
	progress("  drawn: median %v, slowest %v; served: median %v", p50, worst, served[len(served)/2])
	return []row{{9, fmt.Sprintf("%s: group page of %d members drawn afresh, median / slowest of %d, vs served as drawn", backend, pageMembers, pageVisits),
		ms(p50) + " / " + ms(worst), ms(served[len(served)/2]), ratio(float64(p50), float64(served[len(served)/2])), "< 50 ms", worst < 50*time.Millisecond}}, nil
}
