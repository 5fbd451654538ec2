package grade

import (
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// The built-in bank's grading content is checked against the grader that
// reads it: a card's model answer (and each follow-up's) must cover its
// key concepts and state none of its misconceptions, and a bare list of
// the concepts' terms must score below it.
func TestBuiltInBankModelAnswersGradeWell(t *testing.T) {
	bank, err := bankfile.Default()
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, concepts []questionbank.Concept, model string) {
		t.Helper()
		if len(concepts) == 0 || model == "" {
			return
		}
		r := Grade(concepts, model, model)
		if len(r.Misconceptions) > 0 {
			t.Errorf("%s: its model answer states its own misconceptions %q", name, r.Misconceptions)
		}
		for _, c := range r.Concepts {
			if c.Status == Missed {
				t.Errorf("%s: its model answer misses its key concept %q (add terms the answer uses)", name, c.Concept)
			}
		}
		if r.Score < 60 {
			t.Errorf("%s: its model answer grades %d, want at least 60", name, r.Score)
		}
		var terms []string
		for _, c := range concepts {
			if len(c.Terms) == 0 {
				t.Errorf("%s: key concept %q has no terms", name, c.Text)
			}
			terms = append(terms, c.Terms...)
		}
		for _, sep := range []string{", ", "\n", ". "} {
			list := Grade(concepts, model, strings.Join(terms, sep))
			if list.Score >= r.Score || list.Score > 50 {
				t.Errorf("%s: a bare list of its terms (joined by %q) grades %d against its model answer's %d; want below both it and 50", name, sep, list.Score, r.Score)
			}
		}
	}
	for _, c := range bank.Cards() {
		if len(c.FollowUps) != questionbank.MaxFollowUps {
			t.Errorf("%s: %d follow-ups, want %d", c.ID, len(c.FollowUps), questionbank.MaxFollowUps)
		}
		mis := 0
		for _, k := range c.Rubric() {
			mis += len(k.Misconceptions)
		}
		if mis == 0 {
			t.Errorf("%s: no misconception on any key concept", c.ID)
		}
		check(c.ID, c.Rubric(), c.Answer)
		for i, f := range c.FollowUps {
			check(c.ID+" follow-up "+string(rune('1'+i)), f.Concepts, f.Answer)
		}
	}
}
