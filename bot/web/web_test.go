package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/web"
)

func TestWebGroupPage(t *testing.T) {
	f := newFixture(t)
	f.seed()
	code, body := f.get("/g/" + url.PathEscape(groupA))
	if code != http.StatusOK {
		t.Fatalf("group page: %d\n%s", code, body)
	}
	bottest.MustContain(t, body, "This week", "This month", "All time", "Days studied this month", "Ann", "Bob", "#study", "09:00",
		"Accuracy per category", "<svg", `class="meter"`)
	if strings.Index(body, "Ann") > strings.Index(body, "Bob") {
		t.Error("Ann (60 points) is listed after Bob (15 points)")
	}
	if strings.Contains(body, "Carol") {
		t.Error("group A's page shows a member of group B")
	}
}

func TestWebEscapesNicknames(t *testing.T) {
	f := newFixture(t)
	f.seed()
	_, body := f.get("/g/" + url.PathEscape(groupA))
	if strings.Contains(body, "<script>") {
		t.Fatal("a nickname's <script> is in the page as markup")
	}
	bottest.MustContain(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
}

func TestWebPagesOffAnswer404(t *testing.T) {
	f := newFixture(t)
	f.seed()
	for _, path := range []string{"/g/" + groupB, "/g/" + groupB + "/bank", "/g/discord:999", "/g/nobody/bank"} {
		if code, body := f.get(path); code != http.StatusNotFound || !strings.Contains(body, "/web on") {
			t.Errorf("%s: %d, want 404 saying how to turn pages on:\n%s", path, code, body)
		}
	}
	// a member of a group whose pages are off: a valid link, no page
	if code, _ := f.get(f.memberPath(groupB, "carol")); code != http.StatusNotFound {
		t.Errorf("member page of a group with pages off: %d, want 404", code)
	}
	f.pagesOn(groupA, false)
	if code, _ := f.get("/g/" + groupA); code != http.StatusNotFound {
		t.Errorf("group page after /web off: %d, want 404", code)
	}
}

func TestWebMemberLinks(t *testing.T) {
	f := newFixture(t)
	f.seed()
	path := f.memberPath(groupA, "ann")
	code, body := f.get(path)
	if code != http.StatusOK {
		t.Fatalf("member page: %d\n%s", code, body)
	}
	bottest.MustContain(t, body, "Ann", "days streak", "Your year", "Cards due for review", "Cards you miss most", "forgotten 1 time")

	// altered: a byte of the signature, or another user in the payload
	token := strings.TrimPrefix(path, "/m/")
	payload, sig, _ := strings.Cut(token, ".")
	tampered := []byte(sig)
	for i := range tampered {
		if tampered[i] != 'A' {
			tampered[i] = 'A'
			break
		}
	}
	for name, p := range map[string]string{
		"signature changed": "/m/" + payload + "." + string(tampered),
		"no signature":      "/m/" + payload,
		"someone else's":    "/m/" + strings.TrimPrefix(f.memberPath(groupA, "bob"), "/m/")[:len(payload)] + "." + sig,
		"garbage":           "/m/%3Cscript%3E",
	} {
		if code, body := f.get(p); code != http.StatusForbidden || !strings.Contains(body, "/stats") {
			t.Errorf("%s: %d, want 403 saying to ask /stats for a new link:\n%s", name, code, body)
		}
	}

	// expired: a week later
	f.clock.Add(web.DefaultTTL)
	if code, body := f.get(path); code != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Errorf("expired link: %d, want 403 saying it expired:\n%s", code, body)
	}
}

func TestWebTokenOfOneGroupReadsOnlyIt(t *testing.T) {
	f := newFixture(t)
	f.seed()
	f.pagesOn(groupB, true)
	// a link for carol in group A: she has no record there; nothing of
	// her group B record shows
	code, body := f.get(f.memberPath(groupA, "carol"))
	if code != http.StatusOK {
		t.Fatalf("%d", code)
	}
	if strings.Contains(body, "Carol of B") {
		t.Fatal("a link for group A shows the member's record in group B")
	}
	// and a token signed by another secret is refused
	other, err := web.New(web.Config{Store: f.db, Bank: f.bank, BaseURL: "http://127.0.0.1", Secret: []byte("another secret, as long as needed"), Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := f.get("/m/" + other.Token(groupB, "carol", now.Add(time.Hour))); code != http.StatusForbidden {
		t.Fatalf("token of another secret: %d, want 403", code)
	}
}

func TestWebBankPage(t *testing.T) {
	f := newFixture(t)
	f.seed()
	c := f.card(f.bank.Categories()[0].ID, 0)
	code, body := f.get("/g/" + groupA + "/bank?q=" + url.QueryEscape(c.Prompt))
	if code != http.StatusOK {
		t.Fatalf("%d\n%s", code, body)
	}
	bottest.MustContain(t, body, "<details>", "Show the answer", "1 card matches")
	_, body = f.get("/g/" + groupA + "/bank?q=" + url.QueryEscape("\"><script>x</script>"))
	if strings.Contains(body, "<script>x") {
		t.Fatal("the query is in the page as markup")
	}
	bottest.MustContain(t, body, "No card matches")
}

func TestWebNewRefusesWeakConfig(t *testing.T) {
	db := bottest.OpenDB(t)
	bank := bottest.Bank(t)
	if _, err := web.New(web.Config{Store: db, Bank: bank, BaseURL: "https://x.example", Secret: []byte("short")}); err == nil || !strings.Contains(err.Error(), "openssl rand") {
		t.Errorf("short secret: %v", err)
	}
	if _, err := web.New(web.Config{Store: db, Bank: bank, BaseURL: "x.example", Secret: []byte("a test secret of enough length")}); err == nil || !strings.Contains(err.Error(), "https://") {
		t.Errorf("base URL without scheme: %v", err)
	}
	if _, err := web.New(web.Config{Store: db, Bank: bank, BaseURL: "https://x.example/prep/", Secret: []byte("a test secret of enough length")}); err == nil || !strings.Contains(err.Error(), "without a path") {
		t.Errorf("base URL with a path: %v", err)
	}
	if _, err := web.New(web.Config{Store: db, Bank: bank, BaseURL: "https://x.example/", Secret: []byte("a test secret of enough length")}); err != nil {
		t.Errorf("base URL ending in /: %v", err)
	}
}

func TestWebSeasonBoard(t *testing.T) {
	f := newFixture(t)
	f.seed()
	if code, body := f.get("/g/" + groupA); code != http.StatusOK || strings.Contains(body, "Season:") {
		t.Fatalf("a season board with no season running: %d", code)
	}
	start := now.Add(-time.Hour)
	if err := f.db.UpdateGroup(context.Background(), groupA, func(g *bot.Group) error {
		g.Season = bot.Season{ID: "sq1-prep", Name: "Q1 <prep>", Start: start}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := f.card(f.bank.Categories()[0].ID, 5)
	a := &bot.Answer{Kind: bot.KindAnswer, Group: groupA, Channel: "c1", User: "bob", UserName: "Bob", PostID: f.post.Add(1), CardID: c.ID,
		Category: c.Category, Correct: true, Points: 20, At: now, Day: bot.Day(now, time.UTC), Periods: append(bot.Periods(now, time.UTC), "sq1-prep"), Zone: "UTC"}
	if _, err := f.db.Record(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Minute) // past the page drawn last
	code, body := f.get("/g/" + groupA)
	if code != http.StatusOK {
		t.Fatalf("%d", code)
	}
	season := body[strings.Index(body, `id="season"`):]
	season = season[:strings.Index(season, "</section>")]
	bottest.MustContain(t, season, "Season: Q1 &lt;prep&gt;", "Bob", "20 pts")
	if strings.Contains(season, "Ann") {
		t.Error("the season board counts answers from before the season")
	}
}

func TestWebMemberPageEscapesTheNickname(t *testing.T) {
	f := newFixture(t)
	f.seed()
	code, body := f.get(f.memberPath(groupA, "eve"))
	if code != http.StatusOK || strings.Contains(body, "<script>") {
		t.Fatalf("%d: the nickname is markup in the member page", code)
	}
	bottest.MustContain(t, body, "<title>&lt;script&gt;", "<h1>&lt;script&gt;")
}
