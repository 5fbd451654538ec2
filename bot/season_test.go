package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank"
)

// admin runs a command as the admin "boss", with its options as name,
// value pairs.
func (h *harness) admin(name string, args ...string) (bot.Reply, error) {
	h.t.Helper()
	req := h.req("boss")
	req.User.Admin = true
	req.Command = name
	for i := 0; i+1 < len(args); i += 2 {
		req.Args[args[i]] = args[i+1]
	}
	return h.do(req)
}

// wrong is the action that picks an option of the card other than the
// correct one.
func wrong(r bot.Reply, c *questionbank.Card) string {
	n := len(c.QuickCheck.Options)
	return fmt.Sprintf("%s%d", strings.TrimSuffix(button(r, "a:"), "0"), (c.QuickCheck.CorrectIndex()+1)%n)
}

// study has a member draw n easy python cards (10 points each) and answer
// them, right or wrong.
func (h *harness) study(user string, n int, correct bool) {
	h.t.Helper()
	for range n {
		card, c := h.drawn(user, "category", "python", "difficulty", "easy")
		act := wrong(card, c)
		if correct {
			act = right(card, c)
		}
		if v, err := h.press(user, act, ""); err != nil || strings.HasPrefix(v.Title, "Correct") != correct {
			h.t.Fatalf("%s answering %s (correct %v): %q, %v", user, c.ID, correct, v.Title, err)
		}
	}
}

// refused checks that a request failed with an error of a code whose
// message says what it must.
func refused(t *testing.T, what string, r bot.Reply, err error, code string, says ...string) {
	t.Helper()
	if err == nil || bot.ErrorCode(err) != code {
		t.Fatalf("%s: %v (%q), want a refusal of code %s", what, err, r.Text, code)
	}
	bottest.MustContain(t, r.Text, says...)
}

// board runs /leaderboard for a member and returns the reply and its
// lines.
func (h *harness) board(user string, args ...string) (bot.Reply, []string) {
	h.t.Helper()
	r, err := h.command(user, "leaderboard", args...)
	if err != nil {
		h.t.Fatalf("/leaderboard %q for %s: %v", args, user, err)
	}
	return r, strings.Split(r.Text, "\n")
}

// An admin starts and ends named seasons; members list them. A season
// started while one runs ends that one first, and says so; names are
// unique in the group, whatever their case and spacing, ended seasons'
// names too.
func TestSeasonsStartEndAndList(t *testing.T) {
	h := newHarness(t, nil) // Friday 27 November 2026, UTC
	r, err := h.command("ann", "season", "sub", "list")
	if err != nil {
		t.Fatal(err)
	}
	bottest.MustContain(t, r.Text, "No season is running", `/season start name:"Q1 prep"`)

	r, err = h.admin("season", "sub", "end")
	refused(t, "ending when no season runs", r, err, bot.ENotFound, "No season is running", `Start one with /season start name:`)
	r, err = h.admin("season", "sub", "start")
	refused(t, "a season without a name", r, err, bot.EInvalid, `Name the season: /season start name:"Q1 prep"`)
	r, err = h.admin("season", "sub", "start", "name", strings.Repeat("long ", 13))
	refused(t, "a long name", r, err, bot.EInvalid, "at most 60")
	r, err = h.admin("season", "sub", "start", "name", `The "big" one`)
	refused(t, "a name with double quotes", r, err, bot.EInvalid, "without double quotes")

	r, err = h.admin("season", "sub", "start", "name", " Q1   prep ")
	if err != nil || r.Title != "Season started: Q1 prep" || r.Private {
		t.Fatalf("start: %+v, %v; want a public announcement", r, err)
	}
	bottest.MustContain(t, r.Text, "starts from zero", "/leaderboard season", "/season end")
	r, _ = h.command("ann", "season")
	bottest.MustContain(t, r.Text, "Running: **Q1 prep**, since 27 Nov 2026")

	r, err = h.admin("season", "sub", "start", "name", "q1 PREP")
	refused(t, "a name taken, in another case", r, err, bot.EConflict, `already had a season named "Q1 prep" (running now)`)

	h.clock.Add(48 * time.Hour)
	r, err = h.admin("season", "sub", "start", "name", "Q2 prep")
	if err != nil || r.Title != "Season started: Q2 prep" {
		t.Fatalf("second start: %+v, %v", r, err)
	}
	bottest.MustContain(t, r.Text, `Season "Q1 prep" was running: it has ended`, `/leaderboard season:"Q1 prep"`)

	h.clock.Add(24 * time.Hour)
	r, err = h.admin("season", "sub", "end")
	if err != nil || r.Title != "Season ended: Q2 prep" || r.Private {
		t.Fatalf("end: %+v, %v; want a public announcement", r, err)
	}
	bottest.MustContain(t, r.Footer, "Final standings: from 29 Nov 2026")
	r, _ = h.command("ann", "season", "sub", "list")
	bottest.MustContain(t, r.Text, "No season is running", "**Q2 prep**: 29 Nov 2026 to 30 Nov 2026\n- **Q1 prep**: 27 Nov 2026 to 29 Nov 2026")

	r, err = h.admin("season", "sub", "start", "name", "Q1 Prep")
	refused(t, "the name of an ended season", r, err, bot.EConflict, `"Q1 prep" (it ended 29 Nov 2026)`, "Choose another name")

	// a name is shown as typed, never as Markdown
	if _, err := h.admin("season", "sub", "start", "name", "*Q3* [prep](x)"); err != nil {
		t.Fatal(err)
	}
	r, _ = h.command("ann", "season", "sub", "list")
	bottest.MustContain(t, r.Text, `Running: **\*Q3\* \[prep\]\(x\)**`)
}

// Starting and ending a season is for admins; listing is for everyone,
// and Slack asks whether a member is an admin only when it matters.
func TestSeasonsAreForAdmins(t *testing.T) {
	h := newHarness(t, nil)
	r, err := h.command("ann", "season", "sub", "start", "name", "Mine")
	refused(t, "a member starting a season", r, err, bot.EForbidden, "Only server admins can start or end a season", "/season list")
	if _, err := h.admin("season", "sub", "start", "name", "Q1"); err != nil {
		t.Fatal(err)
	}
	r, err = h.command("ann", "season", "sub", "end")
	refused(t, "a member ending a season", r, err, bot.EForbidden, "Only server admins")
	r, _ = h.command("ann", "season", "sub", "list")
	bottest.MustContain(t, r.Text, "Running: **Q1**")

	for sub, want := range map[string]bool{"start": true, "end": true, "list": false, "": false} {
		req := bot.Request{Command: "season", Args: map[string]string{"sub": sub}}
		if bot.NeedsAdmin(req) != want {
			t.Errorf("NeedsAdmin(/season %s) = %v, want %v", sub, !want, want)
		}
	}
	for _, c := range bot.Commands {
		if c.Name != "season" {
			continue
		}
		for _, s := range c.Sub {
			if s.Admin != (s.Name != "list") {
				t.Errorf("/season %s: Admin %v in the command table", s.Name, s.Admin)
			}
		}
		return
	}
	t.Fatal("no season command in bot.Commands")
}

// A season's board starts from zero and counts the answers given while it
// runs; once it ended, its final standings stay readable by name and no
// longer change.
func TestSeasonBoardFromZeroAndItsFinalStandings(t *testing.T) {
	h := newHarness(t, nil)
	h.study("ann", 3, true) // 30 points before any season
	r, err := h.command("ann", "leaderboard", "period", "season")
	refused(t, "the season board without a season", r, err, bot.ENotFound, "No season is running", `/season start name:"Q1 prep"`)

	if _, err := h.admin("season", "sub", "start", "name", "Q1 prep"); err != nil {
		t.Fatal(err)
	}
	r, err = h.command("ann", "leaderboard", "period", "season")
	if err != nil || r.Title != "Leaderboard: season Q1 prep" {
		t.Fatalf("the new season's board: %+v, %v", r, err)
	}
	bottest.MustContain(t, r.Text, "No points yet for season Q1 prep")

	h.study("ben", 2, true)
	h.study("ann", 1, true)
	_, lines := h.board("ann", "period", "season")
	if len(lines) != 2 || !strings.Contains(lines[0], "**ben**: 20 points") || !strings.Contains(lines[1], "**ann**: 10 points") {
		t.Fatalf("the season's board counts only its answers: %q", lines)
	}
	_, lines = h.board("ann", "period", "all")
	if !strings.Contains(lines[0], "**ann**: 40 points") {
		t.Fatalf("all time counts the season's answers too: %q", lines)
	}

	if _, err := h.admin("season", "sub", "end"); err != nil {
		t.Fatal(err)
	}
	h.study("ann", 2, true) // after the end: not the season's
	r, lines = h.board("cy", "season", "q1 PREP")
	if r.Title != "Leaderboard: season Q1 prep" || len(lines) != 2 || !strings.Contains(lines[0], "**ben**: 20 points") || !strings.Contains(lines[1], "**ann**: 10 points") {
		t.Fatalf("the past season's final standings: %q %q", r.Title, lines)
	}
	bottest.MustContain(t, r.Footer, "Final standings")
	r, err = h.command("cy", "leaderboard", "period", "season")
	refused(t, "the season board after the end", r, err, bot.ENotFound, "No season is running", `Past seasons: "Q1 prep"`, `/leaderboard season:"Q1 prep"`)
	r, err = h.command("cy", "leaderboard", "season", "Q9")
	refused(t, "an unknown season", r, err, bot.ENotFound, `There is no season "Q9"`, `"Q1 prep"`)
	r, err = h.command("cy", "leaderboard", "period", "week", "season", "Q1 prep")
	refused(t, "a period and a season", r, err, bot.EInvalid, "Choose a period or a season, not both")

	// a name of the same slug is another season, with a board of its own
	if _, err := h.admin("season", "sub", "start", "name", "Q1-prep!"); err != nil {
		t.Fatal(err)
	}
	r, _ = h.command("ann", "leaderboard", "period", "season")
	bottest.MustContain(t, r.Text, "No points yet for season Q1-prep!")
	r, err = h.command("cy", "leaderboard", "season", "Q9")
	refused(t, "an unknown season while one runs", r, err, bot.ENotFound, `Past seasons: "Q1 prep"`, `The season running is "Q1-prep!": /leaderboard season.`)
	h.study("cy", 1, true)
	r, _ = h.command("ann", "leaderboard", "season", "Q1 prep")
	if strings.Contains(r.Text, "**cy**") {
		t.Fatalf("an answer in the new season changed the old one's final standings: %q", r.Text)
	}
}

// The consistency board ranks by days studied, then points: one answer a
// day for three days beats many answers on one day, and several answers on
// one day count one day.
func TestDaysBoardRewardsSteadyStudy(t *testing.T) {
	h := newHarness(t, nil)
	h.study("ben", 4, true) // 40 points, one day
	h.study("ann", 1, true)
	h.study("cy", 1, true)
	h.clock.Add(24 * time.Hour)
	h.study("ann", 1, false)
	h.study("cy", 1, true)
	h.clock.Add(24 * time.Hour)
	h.study("ann", 2, false)

	_, lines := h.board("ann", "period", "all")
	if !strings.Contains(lines[0], "**ben**: 40 points") || !strings.Contains(lines[2], "**ann**: 10 points") {
		t.Fatalf("points board: %q", lines)
	}
	r, lines := h.board("ann", "period", "all", "by", "days")
	want := []string{"🥇 **ann**: 3 days · 10 points", "🥈 **cy**: 2 days · 20 points", "🥉 **ben**: 1 day · 40 points"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") || r.Title != "Days studied: all time" {
		t.Fatalf("days board %q:\n%s\nwant\n%s", r.Title, r.Text, strings.Join(want, "\n"))
	}
	bottest.MustContain(t, r.Footer, "a day counts once")
	r, err := h.command("ann", "leaderboard", "by", "hours")
	refused(t, "an unknown order", r, err, bot.EInvalid, "choose by:points, or by:days")
}

// Under a board, a member below its top 10 sees their own place and
// points; a member in the top 10, or without a score there, sees nothing
// more.
func TestOwnRankBelowTheTop(t *testing.T) {
	h := newHarness(t, nil)
	for i := 1; i <= 12; i++ {
		h.study(fmt.Sprintf("u%02d", i), 1, true) // 10 points each: the first to answer ranks first
	}
	h.study("lou", 1, false) // a score of 0 points
	h.study("u12", 1, false) // a second day for u12 only
	h.clock.Add(24 * time.Hour)
	h.study("u12", 1, false)

	cases := []struct {
		user, by, want string // want "" for no line
	}{
		{"u11", "", "You: 11th, 10 points"},
		{"u12", "", "You: 12th, 10 points"},
		{"lou", "", "You: 13th, 0 points"},
		{"u03", "", ""},
		{"u10", "", ""},
		{"newbie", "", ""},
		{"u12", "days", ""}, // first by days
		{"u11", "days", "You: 12th, 1 day · 10 points"},
		{"lou", "days", "You: 13th, 1 day · 0 points"},
	}
	for _, c := range cases {
		r, lines := h.board(c.user, "period", "all", "by", c.by)
		if len(lines) < 10 || strings.HasPrefix(lines[9], "You") {
			t.Fatalf("%s's board (by %q) lists fewer than 10: %q", c.user, c.by, lines)
		}
		last := lines[len(lines)-1]
		switch {
		case c.want == "" && strings.Contains(r.Text, "You:"):
			t.Errorf("%s (by %q) is in the top 10 or has no score, yet sees %q", c.user, c.by, last)
		case c.want != "" && (last != c.want || lines[len(lines)-2] != ""):
			t.Errorf("%s (by %q) sees %q under the board, want %q on a line of its own:\n%s", c.user, c.by, last, c.want, r.Text)
		}
	}
	// a category board: the same rule
	r, _ := h.command("u12", "leaderboard", "period", "all", "category", "python")
	bottest.MustContain(t, r.Text, "You: 12th, 10 points")
}
