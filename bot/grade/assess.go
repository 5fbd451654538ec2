package grade

import (
	"context"

	"github.com/prepbot/prepbot/bot"
)

// Builtin is the built-in grader as a bot.Grader: deterministic, needing
// nothing but the card.
type Builtin struct{}

// Grade implements bot.Grader.
func (Builtin) Grade(ctx context.Context, q bot.GradeRequest) (bot.Assessment, error) {
	if err := ctx.Err(); err != nil {
		return bot.Assessment{}, err
	}
	return Assess(Grade(q.Concepts, q.Model, q.Text)), nil
}

// Assess turns a Result into the domain's Assessment.
func Assess(r Result) bot.Assessment {
	out := bot.Assessment{Score: r.Score, By: "built-in", Misconceptions: r.Misconceptions}
	for _, c := range r.Concepts {
		out.Concepts = append(out.Concepts, bot.ConceptGrade{Concept: c.Concept, Status: bot.ConceptStatus(c.Status),
			Matched: c.Matched, Misconceptions: c.Misconceptions})
	}
	return out
}
