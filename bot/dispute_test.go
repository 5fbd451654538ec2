package bot_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// A re-score (bot.KindRescore) adds its points and one correct answer to
// the member and to each score, and nothing else: no answer, no day
// studied, no review, no activity. A rejection's re-score (not correct, no
// points) changes nothing.
func TestRescoreRules(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	wrong := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "u", UserName: "Ada", PostID: 1, CardID: "c1", Category: "net",
		Option: -1, Text: "time to live", At: at, Day: "2026-11-25", Periods: []string{"all"}, Zone: "UTC"}
	later := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "u", UserName: "Ada B.", PostID: 2, CardID: "c2", Category: "net",
		Option: 1, Correct: true, Points: 10, At: at.Add(48 * time.Hour), Day: "2026-11-27", Periods: []string{"all"}, Zone: "UTC"}
	rules := bot.StandardRules()
	var m bot.Member
	var s bot.Score
	rv := bot.Review{Card: "c1", Category: "net"}
	for _, a := range []*bot.Answer{wrong, later} {
		rules.Member(&m, a)
		rules.Score(&s, a)
	}
	rules.Review(&rv, wrong)
	beforeM, beforeS, beforeRv := m, s, rv
	beforeM.Categories = map[string]bot.Tally{"net": m.Categories["net"]}

	rs := *wrong
	rs.Kind, rs.Correct, rs.Points, rs.UserName = bot.KindRescore, true, 15, ""
	if rules.Activity(&rs) || !rules.Activity(wrong) {
		t.Errorf("activity: a re-score counts %v, an answer %v; want false and true", rules.Activity(&rs), rules.Activity(wrong))
	}
	rules.Member(&m, &rs)
	rules.Score(&s, &rs)
	rules.Review(&rv, &rs)
	want := beforeM
	want.Points += 15
	want.Correct++
	want.Categories = map[string]bot.Tally{"net": {Answered: 2, Correct: 2}}
	if !reflect.DeepEqual(m, want) || m.Name != "Ada B." || m.Streak != beforeM.Streak {
		t.Errorf("member after the re-score:\n%+v\nwant\n%+v", m, want)
	}
	wantS := beforeS
	wantS.Points += 15
	wantS.Correct++
	if s != wantS || !s.ReachedAt.Equal(later.At) {
		t.Errorf("score after the re-score: %+v, want %+v (reached its points when the later answer came)", s, wantS)
	}
	if !reflect.DeepEqual(rv, beforeRv) {
		t.Errorf("a re-score changed the review: %+v, was %+v", rv, beforeRv)
	}

	// a re-score of the latest answer reached its points then
	var s2 bot.Score
	rules.Score(&s2, wrong)
	rules.Score(&s2, &rs)
	if s2.Points != 15 || s2.Answered != 1 || s2.Correct != 1 || s2.Days != 1 || !s2.ReachedAt.Equal(at) {
		t.Errorf("a re-scored only answer: %+v", s2)
	}

	rejected := rs
	rejected.Correct, rejected.Points, rejected.Periods = false, 0, nil
	m2, s3 := m, s
	rules.Member(&m2, &rejected)
	rules.Score(&s3, &rejected)
	if !reflect.DeepEqual(m2, m) || s3 != s {
		t.Errorf("a rejection changed the member (%+v) or the score (%+v)", m2, s3)
	}
}

// The Dispute button reads back as itself.
func TestDisputeAction(t *testing.T) {
	a := bot.Action{Kind: bot.ActionDispute, Post: 42}
	if a.ID() != "d:42" {
		t.Errorf("id %q, want d:42", a.ID())
	}
	if got, err := bot.ParseAction(a.ID()); err != nil || got != a || got.Records() || got.Deals() {
		t.Errorf("%q -> %+v, %v", a.ID(), got, err)
	}
	for _, id := range []string{"d:", "d:x", "d:1:2"} {
		if a, err := bot.ParseAction(id); err == nil {
			t.Errorf("%q read as %+v", id, a)
		}
	}
	if !bot.NeedsAdmin(bot.Request{Command: "accept"}) || !bot.NeedsAdmin(bot.Request{Command: "disputes"}) || !bot.NeedsAdmin(bot.Request{Command: "reject"}) {
		t.Error("deciding disputes does not ask whether the member is an admin")
	}
	if !bot.PrivateReply(bot.Request{Command: "disputes"}) || !bot.PrivateReply(bot.Request{Action: a.ID()}) {
		t.Error("disputes are answered in public")
	}
}
