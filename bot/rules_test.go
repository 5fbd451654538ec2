package bot_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// StandardRules are the domain's own rules, and OrStandard keeps the rules
// it is given and fills in only those missing.
func TestStandardRules(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	a := &bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "u", UserName: "Ada", CardID: "c1",
		Category: "go", Option: 1, Correct: true, Points: 10, At: at, Day: "2026-11-30"}
	r := bot.StandardRules()

	var m, wantM bot.Member
	r.Member(&m, a)
	wantM.Apply(a)
	if !reflect.DeepEqual(m, wantM) {
		t.Errorf("Member rule: %+v, want %+v", m, wantM)
	}
	rv, wantRv := bot.Review{Card: "c1", Category: "go"}, bot.Review{Card: "c1", Category: "go"}
	r.Review(&rv, a)
	wantRv.Apply(bot.Grade(a), a.Day)
	if !reflect.DeepEqual(rv, wantRv) || rv.Grade != 4 {
		t.Errorf("Review rule: %+v, want %+v graded 4", rv, wantRv)
	}
	var s, wantS bot.Score
	r.Score(&s, a)
	wantS.Apply(a)
	if s != wantS || s.Points != 10 {
		t.Errorf("Score rule: %+v, want %+v", s, wantS)
	}

	double := func(s *bot.Score, a *bot.Answer) { s.Points += 2 * a.Points }
	mixed := bot.Rules{Score: double}.OrStandard()
	if mixed.Member == nil || mixed.Review == nil {
		t.Fatal("OrStandard left a rule unset")
	}
	var s2 bot.Score
	mixed.Score(&s2, a)
	if s2.Points != 20 {
		t.Errorf("OrStandard replaced the Score rule it was given: %d points, want 20", s2.Points)
	}
}
