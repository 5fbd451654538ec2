package grade

import (
	"context"
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

func TestBuiltinGradesThroughTheDomainInterface(t *testing.T) {
	var g bot.Grader = Builtin{}
	q := bot.GradeRequest{
		Concepts: []questionbank.Concept{{Text: "Readers never block writers", Terms: []string{"readers don't block"}}, {Text: "VACUUM removes dead tuples"}},
		Text:     "Under MVCC readers don't block writers because each one reads its own snapshot.",
	}
	a, err := g.Grade(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if a.By != "built-in" || len(a.Concepts) != 2 {
		t.Fatalf("got %+v", a)
	}
	if a.Concepts[0].Status != bot.ConceptCovered || a.Concepts[1].Status != bot.ConceptMissed {
		t.Errorf("statuses %q and %q, want covered and missed", a.Concepts[0].Status, a.Concepts[1].Status)
	}
	if a.Score <= 0 || a.Score >= 100 {
		t.Errorf("score %d, want between 0 and 100 for one concept of two", a.Score)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Grade(ctx, q); err == nil {
		t.Error("a cancelled context graded anyway")
	}
}
