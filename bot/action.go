package bot

import (
	"strconv"
	"strings"
)

// ActionKind is what a button does. Adapters read it (through
// ParseAction) instead of decoding button ids themselves.
type ActionKind int

const (
	ActionUnknown ActionKind = iota
	ActionOption             // choose a quick-check option: Post, Option
	ActionHint               // show the key concepts: Post
	ActionReveal             // show the model answer: Post
	ActionType               // open the prompt for a typed answer: Post (the reply is a Modal)
	ActionTyped              // the text typed into that prompt comes back in Request.Text: Post
	ActionRate               // rate yourself after the model answer: Post, Rating
	ActionNext               // draw another card: Category ("" for any)
	ActionReview             // the next card of /review
	ActionDispute            // dispute one's rejected typed answer to a card: Post
	// A mock interview's question (/interview) is a Post: Answer opens the
	// prompt for the member's explanation (the reply is a long Modal), the
	// explanation comes back in Request.Text, and Step does the rest (Post,
	// Step: ask the question, show its model answer, end the session).
	ActionInterviewType  // i:POST
	ActionInterviewTyped // j:POST
	ActionInterviewStep  // k:POST:STEP
)

// The steps of ActionInterviewStep.
const (
	StepAsk   = "ask"   // show the question of Post (a follow-up)
	StepModel = "model" // show the model answer of Post's question
	StepEnd   = "end"   // end the session: the summary of the answers before Post
	StepNext  = "next"  // start another interview, in the category Post's was started with
)

// Action is a parsed button id (Button.ID, Request.Action, Modal.Action).
type Action struct {
	Kind     ActionKind
	Post     uint64
	Option   int
	Rating   string
	Category string
	Step     string // ActionInterviewStep's step
}

// The ids' first letters. Ids are short: Discord allows 100 characters in
// a custom_id. The post id ties a press to the card it was under.
var actionPrefix = map[ActionKind]string{
	ActionOption:  "a", // a:POST:INDEX
	ActionHint:    "h", // h:POST
	ActionReveal:  "r", // r:POST
	ActionType:    "t", // t:POST
	ActionTyped:   "w", // w:POST
	ActionRate:    "s", // s:POST:RATING
	ActionNext:    "q", // q:CATEGORY
	ActionReview:  "v", // v:
	ActionDispute: "d", // d:POST

	ActionInterviewType:  "i", // i:POST
	ActionInterviewTyped: "j", // j:POST
	ActionInterviewStep:  "k", // k:POST:STEP
}

// ID is the action as a button id.
func (a Action) ID() string {
	p := actionPrefix[a.Kind] + ":"
	switch a.Kind {
	case ActionNext:
		return p + a.Category
	case ActionReview:
		return p
	case ActionOption:
		return p + strconv.FormatUint(a.Post, 10) + ":" + strconv.Itoa(a.Option)
	case ActionRate:
		return p + strconv.FormatUint(a.Post, 10) + ":" + a.Rating
	case ActionInterviewStep:
		return p + strconv.FormatUint(a.Post, 10) + ":" + a.Step
	}
	return p + strconv.FormatUint(a.Post, 10)
}

// errNotOurs refuses a button id the bot did not make.
var errNotOurs = Errorf(EInvalid, "That button is not one of ours. Draw a card with /question.")

// ParseAction reads a button id the bot made.
func ParseAction(id string) (Action, error) {
	parts := strings.Split(id, ":")
	var a Action
	for k, p := range actionPrefix {
		if parts[0] == p {
			a.Kind = k
		}
	}
	switch {
	case a.Kind == ActionUnknown || len(parts) < 2:
		return Action{}, errNotOurs
	case a.Kind == ActionNext && len(parts) == 2:
		a.Category = parts[1]
		return a, nil
	case a.Kind == ActionReview && len(parts) == 2 && parts[1] == "":
		return a, nil
	case a.Kind == ActionNext || a.Kind == ActionReview:
		return Action{}, errNotOurs
	}
	post, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil {
		return Action{}, errNotOurs
	}
	a.Post = post
	switch a.Kind {
	case ActionOption:
		if len(parts) != 3 {
			return Action{}, errNotOurs
		}
		if a.Option, err = strconv.Atoi(parts[2]); err != nil {
			return Action{}, errNotOurs
		}
	case ActionRate:
		if len(parts) != 3 {
			return Action{}, errNotOurs
		}
		a.Rating = parts[2]
	case ActionInterviewStep:
		if len(parts) != 3 || (parts[2] != StepAsk && parts[2] != StepModel && parts[2] != StepEnd && parts[2] != StepNext) {
			return Action{}, errNotOurs
		}
		a.Step = parts[2]
	default:
		if len(parts) != 2 {
			return Action{}, errNotOurs
		}
	}
	return a, nil
}

// Records reports whether handling the action records an answer or a
// self-rating.
func (a Action) Records() bool {
	switch a.Kind {
	case ActionOption, ActionTyped, ActionRate, ActionInterviewTyped:
		return true
	}
	return false
}

// Deals reports whether the action deals a new card: its reply is public
// for "next question", private for the review and a mock interview.
func (a Action) Deals() bool {
	return a.Kind == ActionNext || a.Kind == ActionReview || a.Kind == ActionInterviewStep && a.Step == StepNext
}
