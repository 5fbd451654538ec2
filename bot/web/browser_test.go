package web_test

import (
	"context"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

var screenshots = flag.Bool("screenshots", false, "write the browser tests' screenshots to testdata/screenshots (for the README)")

// browser starts a headless Chromium for a test, or skips the test when
// there is none (and fails it under CI, where there must be one). It
// returns the tab's context and the console messages of level error and
// the exceptions seen so far.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		msg := "no Chromium on PATH (chromium, chromium-browser or google-chrome; or set CHROMIUM): the browser tests need one; install it with apt-get install chromium"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	// every step below is bounded; the browser lives as long as the test
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	return tctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// view sets the tab's width and colour scheme.
func view(width int64, scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.EmulateViewport(width, 900, func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
		p.Mobile = width < 600
		p.DeviceScaleFactor = 1
	}),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		}))
}

// shoot takes a screenshot of the viewport: into testdata/screenshots with
// -screenshots, else into the test's temporary folder.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if *screenshots {
		dir = filepath.Join("testdata", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func TestWebInBrowser(t *testing.T) {
	f := newFixture(t)
	f.seed()
	ctx, problems := browser(t)
	base := f.srv.URL // 127.0.0.1

	// the group page: the ranking as a person reads it, at both widths
	for _, v := range []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {390, "dark"}} {
		if err := chromedp.Do(ctx, view(v.width, v.scheme), chromedp.Navigate(base+"/g/"+url.PathEscape(groupA))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, "#week li:first-child .name"); got != "Ann" {
			t.Errorf("first of the week at %dpx: %q, want Ann", v.width, got)
		}
		if got := text(t, ctx, "#week li:nth-child(2) .name"); got != "Bob" && got != `<script>alert("x")</script>` {
			t.Errorf("second of the week: %q", got)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !wide {
			t.Errorf("the group page scrolls sideways at %dpx (%v)", v.width, err)
		}
		shoot(t, ctx, "group-"+map[int64]string{1280: "desktop", 390: "phone"}[v.width])
	}
	// a nickname of markup reads as text, and ran nothing
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#all .name")].map(e => e.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(names, "|"), `<script>alert("x")</script>`) {
		t.Errorf("the names on the all-time board: %q", names)
	}

	// a member's page: the streak
	for _, v := range []struct {
		width  int64
		scheme string
	}{{1280, "dark"}, {390, "light"}} {
		if err := chromedp.Do(ctx, view(v.width, v.scheme), chromedp.Navigate(base+f.memberPath(groupA, "ann"))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, ".big.streak"); got != "4" {
			t.Errorf("Ann's streak at %dpx: %q, want 4", v.width, got)
		}
		shoot(t, ctx, "member-"+map[int64]string{1280: "desktop", 390: "phone"}[v.width])
	}

	// the bank: a card's answer shows after a click on its <details>
	c := f.card(f.bank.Categories()[0].ID, 0)
	if err := chromedp.Do(ctx, view(390, "dark"), chromedp.Navigate(base+"/g/"+url.PathEscape(groupA)+"/bank?q="+url.QueryEscape(c.ID)+"&c="+c.Category)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "article .prompt"); got != strings.TrimSpace(strings.Join(strings.Fields(c.Prompt), " ")) {
		t.Errorf("the first card found: %q, want %q", got, c.Prompt)
	}
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("article details .answer, article details p").checkVisibility()`))
	if err != nil || hidden {
		t.Fatalf("the answer shows before a click (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("article details summary"), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector("article details"); return e.open && e.querySelector(".answer, p").checkVisibility() ? e.innerText : "" })()`))
	if err != nil || shown == "" {
		t.Fatalf("the answer does not show after a click: %q %v", shown, err)
	}
	want := c.Answer
	if c.QuickCheck != nil && c.QuickCheck.CorrectIndex() >= 0 {
		want = c.QuickCheck.Options[c.QuickCheck.CorrectIndex()].Text
	}
	if first := strings.Fields(want); len(first) > 0 && !strings.Contains(shown, first[0]) {
		t.Errorf("the answer shown %q does not have %q", shown, first[0])
	}
	shoot(t, ctx, "bank-phone")

	// a search from the form, without JavaScript doing anything
	if err := chromedp.Do(ctx, view(1280, "light"), chromedp.Navigate(base+"/g/"+url.PathEscape(groupA)+"/bank"),
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), c.ID), chromedp.Submit(chromedp.CSS(`input[name="q"]`)),
		chromedp.WaitVisible(chromedp.CSS(".count .q"))); err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "q="+url.QueryEscape(c.ID)) {
		t.Errorf("the search form went to %q (%v)", loc, err)
	}

	if p := problems(); len(p) > 0 {
		t.Errorf("console errors: %q", p)
	}
}
