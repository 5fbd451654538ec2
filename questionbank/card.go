package questionbank

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Difficulty is how hard a card is. The empty difficulty means the source
// did not say; such cards are drawn only when no difficulty is asked for.
type Difficulty string

const (
	Easy   Difficulty = "easy"
	Medium Difficulty = "medium"
	Hard   Difficulty = "hard"
)

// Difficulties lists the valid difficulties, easiest first.
var Difficulties = []Difficulty{Easy, Medium, Hard}

// ParseDifficulty accepts a difficulty name in any case. An unknown name is
// an error that lists the valid ones.
func ParseDifficulty(s string) (Difficulty, error) {
	d := Difficulty(strings.ToLower(strings.TrimSpace(s)))
	switch d {
	case "", Easy, Medium, Hard:
		return d, nil
	}
	return "", fmt.Errorf("unknown difficulty %q: choose easy, medium or hard", s)
}

// MaxCategoryID is the longest category id a bank may use. A category id
// travels inside the chat platforms' own ids: the "Next question" button's
// id ("q:" and the category id; Discord allows 100 characters in a
// custom_id, Slack 255 in an action_id) and the value of a Discord
// autocomplete choice (at most 100 characters). 64 fits every one with
// room to spare. Card ids travel in none of them, so they have no such
// limit.
const MaxCategoryID = 64

// idRE is what card and category ids look like.
var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidID reports whether id is lowercase letters, digits and dashes, such
// as "postgres-mvcc": what card and category ids are made of.
func ValidID(id string) bool { return idRE.MatchString(id) }

// CategoryIDProblem says what is wrong with a category id, or "" when it
// is fine.
func CategoryIDProblem(id string) string {
	switch {
	case !ValidID(id):
		return fmt.Sprintf("%q is not a valid id: use lowercase letters, digits and dashes, such as \"system-design\"", id)
	case len(id) > MaxCategoryID:
		return fmt.Sprintf("%q is %d characters long: shorten it to at most %d (category ids go into Discord's and Slack's button and autocomplete ids)", id, len(id), MaxCategoryID)
	}
	return ""
}

// Category groups cards. ID is what users type (postgres); Name is what
// they read (PostgreSQL & Persistence).
type Category struct {
	ID          string `json:"id" yaml:"id"`
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Color is the category's accent where a platform shows one (Discord's
	// embed colour), as #RRGGBB; empty for none.
	Color string `json:"color,omitempty" yaml:"color,omitempty"`
}

// RGB is the category's colour as 0xRRGGBB, 0 when it has none.
func (c Category) RGB() int {
	v, err := strconv.ParseUint(strings.TrimPrefix(c.Color, "#"), 16, 32)
	if err != nil || !colorRE.MatchString(c.Color) {
		return 0
	}
	return int(v)
}

var colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// ColorProblem says what is wrong with a category colour, or "".
func ColorProblem(s string) string {
	if s == "" || colorRE.MatchString(s) {
		return ""
	}
	return fmt.Sprintf("%q is not a colour: write it as #RRGGBB, such as \"#336791\"", s)
}

// Option is one choice of a quick check.
type Option struct {
	Text    string
	Correct bool
}

// QuickCheck is the multiple-choice question the bot scores automatically.
// Exactly one option is correct.
type QuickCheck struct {
	Question    string
	Options     []Option
	Explanation string
}

// CorrectIndex returns the index of the correct option, or -1.
func (q *QuickCheck) CorrectIndex() int {
	for i, o := range q.Options {
		if o.Correct {
			return i
		}
	}
	return -1
}

// Problem is one thing wrong with a quick check's options.
type Problem struct {
	Option int    // index of the option at fault, or -1
	Field  string // appended to "options", such as "[2].text"
	Msg    string
}

// Problems checks the rules every quick check obeys, whatever format it
// came from: 2 to 5 options, each with text and none repeated, exactly one
// correct.
func (q *QuickCheck) Problems() []Problem {
	var out []Problem
	if len(q.Options) < 2 || len(q.Options) > 5 {
		n := fmt.Sprintf("%d options", len(q.Options))
		if len(q.Options) == 1 {
			n = "1 option"
		}
		out = append(out, Problem{-1, "", "has " + n + ": give 2 to 5"})
	}
	correct := 0
	for i, o := range q.Options {
		if o.Correct {
			correct++
		}
		switch {
		case o.Text == "":
			out = append(out, Problem{i, fmt.Sprintf("[%d].text", i), "missing or empty: every option needs its text"})
		case slices.ContainsFunc(q.Options[:i], func(p Option) bool { return strings.EqualFold(p.Text, o.Text) }):
			out = append(out, Problem{i, fmt.Sprintf("[%d]", i), fmt.Sprintf("option %q appears twice", o.Text)})
		}
	}
	if correct != 1 {
		out = append(out, Problem{-1, "", fmt.Sprintf("has %d correct options: mark exactly one with `correct: true`", correct)})
	}
	return out
}

type quickCheckJSON struct {
	Question    string   `json:"question"`
	Options     []string `json:"options"`
	Correct     int      `json:"correct"`
	Explanation string   `json:"explanation,omitempty"`
}

// MarshalJSON writes the options as strings and the correct one as an index.
func (q *QuickCheck) MarshalJSON() ([]byte, error) {
	out := quickCheckJSON{Question: q.Question, Correct: q.CorrectIndex(), Explanation: q.Explanation}
	for _, o := range q.Options {
		out.Options = append(out.Options, o.Text)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (q *QuickCheck) UnmarshalJSON(b []byte) error {
	var in quickCheckJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return err
	}
	*q = QuickCheck{Question: in.Question, Explanation: in.Explanation}
	for i, text := range in.Options {
		q.Options = append(q.Options, Option{Text: text, Correct: i == in.Correct})
	}
	return nil
}

// Example is a worked example of a coding card's solution: Input is Python
// (statements, then an expression on the last line) and Output is a Python
// expression equal to that last expression's value.
type Example struct {
	Input  string `json:"input" yaml:"input"`
	Output string `json:"output" yaml:"output"`
}

// ExamplesMarkdown shows a card's worked examples as a Python code block
// (examples are Python: see Example), or "" when it has none.
func (c *Card) ExamplesMarkdown() string {
	if len(c.Examples) == 0 {
		return ""
	}
	var t strings.Builder
	t.WriteString("```python\n")
	for _, ex := range c.Examples {
		fmt.Fprintf(&t, "%s\n# -> %s\n", ex.Input, ex.Output)
	}
	t.WriteString("```")
	return t.String()
}

// Card is one study card.
type Card struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Number   int    `json:"number,omitempty"`
	Prompt   string `json:"prompt"`
	// KeyConcepts are the texts of Concepts. A card made with KeyConcepts
	// only gets plain Concepts when it is added to a Document or built.
	KeyConcepts []string    `json:"-"`
	Concepts    []Concept   `json:"key_concepts,omitempty"`
	Answer      string      `json:"answer,omitempty"` // the model answer, Markdown
	QuickCheck  *QuickCheck `json:"quick_check,omitempty"`
	// Answers are accepted typed answers, for cards (such as imported trivia)
	// that are answered by typing rather than by choosing an option.
	Answers    []string   `json:"answers,omitempty"`
	Difficulty Difficulty `json:"difficulty,omitempty"`
	Tags       []string   `json:"tags,omitempty"`
	Examples   []Example  `json:"examples,omitempty"`
	// FollowUps are questions an interviewer asks next (at most
	// MaxFollowUps).
	FollowUps []FollowUp `json:"follow_ups,omitempty"`

	// Source is where the card was defined, "file:line".
	Source string `json:"-"`
}
