package questionbank

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxFollowUps is how many follow-up questions a card may carry.
const MaxFollowUps = 2

// Concept is one key concept of a card: what a good answer covers. Terms
// are phrases and synonyms that show an answer covers it (the concept's own
// words count too); Misconceptions are phrases that show a wrong idea about
// it. A concept without terms or misconceptions is written as plain text
// in both file formats.
type Concept struct {
	Text           string
	Terms          []string
	Misconceptions []string
}

// Plain reports whether the concept is only its text.
func (c Concept) Plain() bool { return len(c.Terms) == 0 && len(c.Misconceptions) == 0 }

type conceptJSON struct {
	Concept        string   `json:"concept"`
	Terms          []string `json:"terms,omitempty"`
	Misconceptions []string `json:"misconceptions,omitempty"`
}

// MarshalJSON writes a plain concept as text and any other as an object
// {"concept": ..., "terms": [...], "misconceptions": [...]}.
func (c Concept) MarshalJSON() ([]byte, error) {
	if c.Plain() {
		return json.Marshal(c.Text)
	}
	return json.Marshal(conceptJSON{c.Text, c.Terms, c.Misconceptions})
}

// UnmarshalJSON reads what MarshalJSON writes, refusing unknown keys; null
// leaves the concept as it was.
func (c *Concept) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &c.Text)
	case len(b) > 0 && b[0] == '{':
		in := conceptJSON{Concept: c.Text, Terms: c.Terms, Misconceptions: c.Misconceptions}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return err
		}
		*c = Concept{in.Concept, in.Terms, in.Misconceptions}
		return nil
	}
	return fmt.Errorf("a key concept is text or an object with \"concept\", \"terms\" and \"misconceptions\"")
}

// FollowUp is a question an interviewer asks after the card's prompt, with
// what its answer covers and a short model answer.
type FollowUp struct {
	Prompt   string    `json:"prompt"`
	Concepts []Concept `json:"key_concepts,omitempty"`
	Answer   string    `json:"answer,omitempty"`
}

// Rubric returns the card's key concepts with their terms: Concepts, or
// KeyConcepts as plain concepts for a card that only has those.
func (c *Card) Rubric() []Concept {
	if len(c.Concepts) > 0 {
		return c.Concepts
	}
	return PlainConcepts(c.KeyConcepts)
}

// PlainConcepts makes concepts of texts.
func PlainConcepts(texts []string) []Concept {
	if len(texts) == 0 {
		return nil
	}
	out := make([]Concept, len(texts))
	for i, t := range texts {
		out[i] = Concept{Text: t}
	}
	return out
}

// syncConcepts makes KeyConcepts the texts of Concepts, or Concepts the
// plain form of KeyConcepts when a card was made with KeyConcepts only.
func (c *Card) syncConcepts() {
	if len(c.Concepts) == 0 {
		if len(c.KeyConcepts) > 0 {
			c.Concepts = PlainConcepts(c.KeyConcepts)
		}
		return
	}
	if len(c.KeyConcepts) == len(c.Concepts) {
		same := true
		for i, k := range c.Concepts {
			same = same && c.KeyConcepts[i] == k.Text
		}
		if same {
			return
		}
	}
	c.KeyConcepts = make([]string, len(c.Concepts))
	for i, k := range c.Concepts {
		c.KeyConcepts[i] = k.Text
	}
}

// ConceptProblems checks the rules every list of key concepts obeys: each
// has its text, no empty term or misconception, and no misconception that
// is also a term. Problem.Option is the concept's index; Field is appended
// to the list's field, such as "[1].terms[0]".
func ConceptProblems(cs []Concept) []Problem {
	var out []Problem
	for i, c := range cs {
		if strings.TrimSpace(c.Text) == "" {
			out = append(out, Problem{i, fmt.Sprintf("[%d].concept", i), "missing or empty: every key concept needs its text"})
		}
		for j, t := range c.Terms {
			if strings.TrimSpace(t) == "" {
				out = append(out, Problem{i, fmt.Sprintf("[%d].terms[%d]", i, j), "empty term"})
			}
		}
		for j, m := range c.Misconceptions {
			switch {
			case strings.TrimSpace(m) == "":
				out = append(out, Problem{i, fmt.Sprintf("[%d].misconceptions[%d]", i, j), "empty misconception"})
			case containsFold(c.Terms, m):
				out = append(out, Problem{i, fmt.Sprintf("[%d].misconceptions[%d]", i, j), fmt.Sprintf("%q is also a term of this concept: a phrase cannot show both that the concept is covered and a wrong idea", m)})
			}
		}
	}
	return out
}

// FollowUpProblems checks a card's follow-ups: at most MaxFollowUps, each
// with its prompt and key concepts (checked as ConceptProblems does).
// Problem.Option is the follow-up's index, or -1 for the list.
func FollowUpProblems(fs []FollowUp) []Problem {
	var out []Problem
	if len(fs) > MaxFollowUps {
		out = append(out, Problem{-1, "", fmt.Sprintf("has %d follow-ups: give at most %d", len(fs), MaxFollowUps)})
	}
	for i, f := range fs {
		if strings.TrimSpace(f.Prompt) == "" {
			out = append(out, Problem{i, fmt.Sprintf("[%d].prompt", i), "missing or empty: every follow-up needs its question"})
		}
		if len(f.Concepts) == 0 {
			out = append(out, Problem{i, fmt.Sprintf("[%d].key_concepts", i), "missing or empty: every follow-up needs the key concepts its answer covers"})
		}
		for _, p := range ConceptProblems(f.Concepts) {
			out = append(out, Problem{i, fmt.Sprintf("[%d].key_concepts%s", i, p.Field), p.Msg})
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	s = strings.TrimSpace(s)
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}
