package bot

import (
	"context"

	"github.com/prepbot/prepbot/questionbank"
)

// Grader grades a member's typed explanation of a card's prompt, or of one
// of its follow-ups, against what a good answer covers. The binary gives
// the bot one (the built-in grader of bot/grade, or a model behind an
// OpenAI-compatible endpoint that falls back to it); the domain imports
// neither.
type Grader interface {
	Grade(ctx context.Context, q GradeRequest) (Assessment, error)
}

// GradeRequest is one answer to grade.
type GradeRequest struct {
	Prompt   string                 // the question asked
	Concepts []questionbank.Concept // its key concepts, with terms and misconceptions
	Model    string                 // the model answer
	Text     string                 // the member's answer, as typed
}

// ConceptStatus is how well an answer covers one key concept.
type ConceptStatus string

const (
	ConceptCovered ConceptStatus = "covered"
	ConceptPartly  ConceptStatus = "partly"
	ConceptMissed  ConceptStatus = "missed"
)

// ConceptGrade is the grade of one key concept.
type ConceptGrade struct {
	Concept string
	Status  ConceptStatus
	// Matched are the member's words that showed the concept, as written.
	Matched []string
	// Misconceptions are the concept's misconceptions the answer states.
	Misconceptions []string
}

// Assessment is the grade of one typed explanation.
type Assessment struct {
	Score          int // 0 to 100
	Concepts       []ConceptGrade
	Misconceptions []string // every misconception the answer states
	// By names the grader that gave the grade ("built-in", or the model's
	// name); Note says why it is not the one configured, when it is not
	// (a model that timed out, for one), and is shown to the member.
	By   string
	Note string
}
