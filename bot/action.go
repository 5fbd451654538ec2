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
)

// Action is a parsed button id (Button.ID, Request.Action, Modal.Action).
type Action struct {
	Kind     ActionKind
	Post     uint64
	Option   int
	Rating   string
	Category string
}

// The ids' first letters. Ids are short: Discord allows 100 characters in
// a custom_id. The post id ties a press to the card it was under.
var actionPrefix = map[ActionKind]string{
	ActionOption: "a", // a:POST:INDEX
	ActionHint:   "h", // h:POST
	ActionReveal: "r", // r:POST
	ActionType:   "t", // t:POST
	ActionTyped:  "w", // w:POST
	ActionRate:   "s", // s:POST:RATING
	ActionNext:   "q", // q:CATEGORY
	ActionReview: "v", // v:
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
	case ActionOption, ActionTyped, ActionRate:
		return true
	}
	return false
}

// Deals reports whether the action deals a new card: its reply is public
// for "next question", private for the review.
func (a Action) Deals() bool { return a.Kind == ActionNext || a.Kind == ActionReview }
