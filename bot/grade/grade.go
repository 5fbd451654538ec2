// Package grade scores a typed answer to a card against its key concepts,
// the way an interviewer reads it: which concepts the answer covers, which
// it only touches, which it misses, and which wrong ideas it states.
//
// Grading is deterministic and explainable: a concept is covered when a
// sentence of the answer uses one of its terms (or most of the concept's
// own content words), with the words stemmed ("locks", "locking" and
// "locked" are one word), in any order and allowing one typo in words of
// five letters or more. A negation changes the meaning: "readers do not
// block" does not state the misconception "readers block writers". Words
// count fully only in sentences that explain (with function words and a
// verb between the terms); a bare list of keywords scores well below a
// real explanation, and so does a run of short phrases between commas or
// on lines of their own, whatever words the phrases hold ("a read is a
// use, moves the key to the end, ..."): a card's terms, listed, are not an
// explanation of them.
package grade

import (
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

// Status is how well an answer covers one concept.
type Status string

const (
	Covered Status = "covered"
	Partly  Status = "partly"
	Missed  Status = "missed"
)

// ConceptResult is the grade of one key concept.
type ConceptResult struct {
	Concept string
	Status  Status
	// Credit is the concept's share of the score, 0 to 1.
	Credit float64
	// Matched are the member's words that showed the concept, as written.
	Matched []string
	// Misconceptions are the concept's misconceptions the answer states.
	Misconceptions []string
}

// Result is the grade of an answer.
type Result struct {
	Score    int // 0 to 100
	Concepts []ConceptResult
	// Misconceptions are every misconception the answer states.
	Misconceptions []string
	// Prose is the share of the answer's words in sentences that explain,
	// 0 to 1: a bare keyword list has 0.
	Prose float64
}

// Weights of the score, and how much evidence from a keyword list counts.
const (
	conceptWeight   = 0.75 // the key concepts' credit
	overlapWeight   = 0.25 // the model answer's words the answer uses
	listFactor      = 0.3  // words outside explaining sentences count this much
	listCap         = 0.3  // and give a concept at most this credit
	misconceptPenal = 20   // points off per misconception stated (two at most)
	coveredAt       = 0.7
	partlyAt        = 0.3
)

// phrase is a term or misconception as the grader matches it.
type phrase struct {
	text  string
	stems []string
	neg   bool
}

func compile(s string) phrase {
	p := phrase{text: s}
	for _, sen := range split(s) {
		for _, t := range sen.toks {
			switch {
			case t.negWord:
				p.neg = true
			case !t.fn:
				p.stems = append(p.stems, t.stem)
			}
		}
	}
	return p
}

// match finds the phrase in a sentence: every content word present and the
// same polarity (a negated phrase needs a negation, and the other way
// round). It returns the indexes of the words that matched.
func (p phrase) match(s sentence) ([]int, bool) {
	if len(p.stems) == 0 {
		return nil, false
	}
	var at []int
	negated := false
	for _, st := range p.stems {
		found := -1
		for i, t := range s.toks {
			if !t.fn && near(t.stem, st) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, false
		}
		at = append(at, found)
		negated = negated || s.toks[found].negated
	}
	return at, negated == p.neg
}

// Grade grades text, a member's answer, against a card's key concepts and
// its model answer (Markdown).
func Grade(concepts []questionbank.Concept, modelAnswer, text string) Result {
	sens := split(text)
	var res Result
	words, prose := 0, 0
	for _, s := range sens {
		words += len(s.toks)
		if s.explains {
			prose += len(s.toks)
		}
	}
	if words > 0 {
		res.Prose = float64(prose) / float64(words)
	}
	total := 0.0
	for _, c := range concepts {
		cr := gradeConcept(c, sens)
		res.Misconceptions = append(res.Misconceptions, cr.Misconceptions...)
		total += cr.Credit
		res.Concepts = append(res.Concepts, cr)
	}
	conceptPart := 0.0
	if len(concepts) > 0 {
		conceptPart = total / float64(len(concepts))
	}
	score := 100 * (conceptWeight*conceptPart + overlapWeight*overlap(modelAnswer, concepts, sens))
	score -= float64(misconceptPenal * min(2, len(res.Misconceptions)))
	res.Score = int(max(0, min(100, score)) + 0.5)
	return res
}

func gradeConcept(c questionbank.Concept, sens []sentence) ConceptResult {
	cr := ConceptResult{Concept: c.Text}
	matched := map[string]bool{}
	use := func(s sentence, at []int) {
		for _, i := range at {
			if w := s.toks[i].word; !matched[w] {
				matched[w] = true
				cr.Matched = append(cr.Matched, w)
			}
		}
	}
	// misconceptions first: a sentence stating one shows nothing else
	wrong := make([]bool, len(sens))
	for _, m := range c.Misconceptions {
		p := compile(m)
		for i, s := range sens {
			if _, ok := p.match(s); ok {
				wrong[i] = true
				cr.Misconceptions = append(cr.Misconceptions, m)
				break
			}
		}
	}
	// terms: each one found in a sentence
	termProse, termList := 0.0, 0.0
	for _, t := range c.Terms {
		p := compile(t)
		for i, s := range sens {
			if wrong[i] {
				continue
			}
			if at, ok := p.match(s); ok {
				use(s, at)
				if s.explains {
					termProse += 0.7
				} else {
					termList += 0.7 * listFactor
				}
				break
			}
		}
	}
	// the concept's own words, within a sentence and the next
	own := compile(c.Text)
	textProse, textList := 0.0, 0.0
	if n := len(own.stems); n > 0 {
		for i := range sens {
			if wrong[i] {
				continue
			}
			found, explains := 0, sens[i].explains
			var hits [][2]int
			for _, st := range own.stems {
				for j := i; j < min(i+2, len(sens)); j++ {
					if wrong[j] {
						continue
					}
					if k := findStem(sens[j], st); k >= 0 {
						found++
						hits = append(hits, [2]int{j, k})
						explains = explains && sens[j].explains || j == i && sens[i].explains
						break
					}
				}
			}
			f := float64(found) / float64(n)
			credit := max(0, min(1, (f-0.15)/0.45))
			if found < 2 && n > 2 {
				credit = 0 // one shared word is no evidence
			}
			if credit == 0 {
				continue
			}
			for _, h := range hits {
				use(sens[h[0]], []int{h[1]})
			}
			if explains {
				textProse = max(textProse, credit)
			} else {
				textList = max(textList, credit*listFactor*2)
			}
		}
	}
	term := max(min(1, termProse), min(listCap, termList))
	txt := max(textProse, min(listCap, textList))
	credit := min(1, max(term, txt)+0.25*min(term, txt))
	if len(cr.Misconceptions) > 0 {
		credit *= 0.4
	}
	cr.Credit = credit
	switch {
	case credit >= coveredAt && len(cr.Misconceptions) == 0:
		cr.Status = Covered
	case credit >= partlyAt:
		cr.Status = Partly
	default:
		cr.Status = Missed
	}
	return cr
}

func findStem(s sentence, st string) int {
	for k, t := range s.toks {
		if !t.fn && near(t.stem, st) {
			return k
		}
	}
	return -1
}

// overlap is the share of the model answer's content words (and the
// concepts' terms) the answer uses, up to 15 of them; words outside
// explaining sentences count less, and at most listCap of it.
func overlap(modelAnswer string, concepts []questionbank.Concept, sens []sentence) float64 {
	want := map[string]bool{}
	add := func(text string) {
		for _, s := range split(text) {
			for _, t := range s.toks {
				if !t.fn && len(t.stem) >= 3 {
					want[t.stem] = true
				}
			}
		}
	}
	add(strings.ReplaceAll(modelAnswer, "`", " "))
	for _, c := range concepts {
		add(c.Text)
	}
	if len(want) == 0 {
		return 0
	}
	seen := map[string]float64{}
	for _, s := range sens {
		w := listFactor
		if s.explains {
			w = 1
		}
		for _, t := range s.toks {
			if want[t.stem] && seen[t.stem] < w {
				seen[t.stem] = w
			}
		}
	}
	prose, list := 0.0, 0.0
	for _, w := range seen {
		if w == 1 {
			prose++
		} else {
			list += w
		}
	}
	// a list of many of the model answer's words is still a list
	n := float64(min(15, len(want)))
	return min(1, prose/n+min(listCap, list/n))
}
