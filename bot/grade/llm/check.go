package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/prepbot/prepbot/bot"
)

// reply is a model's grade as the schema has it.
type reply struct {
	Concepts []struct {
		ID             float64  `json:"id"`
		Status         string   `json:"status"`
		Evidence       []string `json:"evidence"`
		Misconceptions []string `json:"misconceptions"`
	} `json:"concepts"`
	Score float64 `json:"score"`
}

// How the score is capped: a concept's credit by its checked status, and
// the points a stated misconception costs (as the built-in grader takes
// them off, two at most).
const (
	partlyCredit        = 0.5
	misconceptionPoints = 20
	maxMisconceptions   = 2
	maxEvidence         = 5  // quotes kept per concept
	maxQuoteWords       = 50 // evidence is a short quote, not the whole answer
)

// parse reads the message's content: JSON (also inside a Markdown code
// fence, as some local models write it) that matches the schema. Its
// errors name where the reply is wrong, never a value from it (a value may
// quote the member).
func (g *Grader) parse(content string) (reply, error) {
	s := strings.TrimSpace(content)
	if rest, ok := strings.CutPrefix(s, "```"); ok {
		rest = strings.TrimPrefix(rest, "json")
		if body, ok := strings.CutSuffix(strings.TrimSpace(rest), "```"); ok {
			s = strings.TrimSpace(body)
		}
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		return reply{}, errors.New("the reply is not JSON")
	}
	if err := g.schema.Validate(inst); err != nil {
		return reply{}, fmt.Errorf("the reply does not match the schema: %s", schemaProblem(err))
	}
	var r reply
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return reply{}, errors.New("the reply does not decode")
	}
	return r, nil
}

// schemaProblem says where and by which keyword a reply fails the schema.
func schemaProblem(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return "invalid"
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	kw := "invalid"
	if ve.ErrorKind != nil {
		if p := ve.ErrorKind.KeywordPath(); len(p) > 0 {
			kw = strings.Join(p, "/")
		}
	}
	return "/" + strings.Join(ve.InstanceLocation, "/") + ": " + kw
}

// check turns a reply into an Assessment the answer's own text supports:
// see the package doc.
func check(r rubric, text string, rep reply) bot.Assessment {
	a := bot.Assessment{Concepts: make([]bot.ConceptGrade, len(r.concepts))}
	for i, c := range r.concepts {
		a.Concepts[i] = bot.ConceptGrade{Concept: c.Text, Status: bot.ConceptMissed}
	}
	seen := make([]bool, len(r.concepts))
	quotedFor := map[string]int{} // a quote, normalized, and the concept it showed first
	for _, rc := range rep.Concepts {
		if rc.ID != math.Trunc(rc.ID) || rc.ID < 1 || rc.ID > float64(len(r.concepts)) || seen[int(rc.ID)-1] {
			continue // not in the rubric, or graded already
		}
		i := int(rc.ID) - 1
		seen[i] = true
		c := r.concepts[i]
		g := &a.Concepts[i]
		for _, m := range rc.Misconceptions {
			for _, want := range c.Misconceptions {
				if sameText(m, want) && !slices.Contains(g.Misconceptions, want) {
					g.Misconceptions = append(g.Misconceptions, want)
				}
			}
		}
		a.Misconceptions = append(a.Misconceptions, g.Misconceptions...)
		status := bot.ConceptStatus(rc.Status)
		if status != bot.ConceptCovered && status != bot.ConceptPartly {
			continue
		}
		for _, e := range rc.Evidence {
			q, ok := findQuote(text, e)
			if !ok || !r.relevant(q, r.vocab) || len(strings.Fields(q)) > maxQuoteWords || slices.Contains(g.Matched, q) || len(g.Matched) >= maxEvidence {
				continue
			}
			// one sentence quoted for every concept shows only those whose
			// own words it uses
			key := string(normalize(q).runes)
			if first, used := quotedFor[key]; used && first != i && !r.relevant(q, r.own[i]) {
				continue
			}
			if _, used := quotedFor[key]; !used {
				quotedFor[key] = i
			}
			g.Matched = append(g.Matched, q)
		}
		switch {
		case len(g.Matched) == 0:
			// nothing in the answer shows it
		case status == bot.ConceptCovered && len(g.Misconceptions) > 0:
			g.Status = bot.ConceptPartly
		default:
			g.Status = status
		}
		if g.Status == bot.ConceptMissed {
			g.Matched = nil
		}
	}
	a.Score = min(clampScore(rep.Score), capScore(a))
	return a
}

// capScore is the most the checked statuses allow.
func capScore(a bot.Assessment) int {
	if len(a.Concepts) == 0 {
		return 0
	}
	credit := 0.0
	for _, c := range a.Concepts {
		switch c.Status {
		case bot.ConceptCovered:
			credit++
		case bot.ConceptPartly:
			credit += partlyCredit
		}
	}
	score := 100*credit/float64(len(a.Concepts)) - float64(misconceptionPoints*min(maxMisconceptions, len(a.Misconceptions)))
	return clampScore(score)
}

func clampScore(f float64) int {
	if math.IsNaN(f) {
		return 0
	}
	return int(math.Round(max(0, min(100, f))))
}

// normalized is text lower-cased with every run of characters other than
// letters and digits made one space, remembering where each of its runes
// came from.
type normalized struct {
	runes      []rune
	start, end []int // byte offsets in the original of each rune
}

func normalize(s string) normalized {
	var n normalized
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			n.runes = append(n.runes, unicode.ToLower(r))
			n.start, n.end = append(n.start, i), append(n.end, i+w)
		case len(n.runes) > 0 && n.runes[len(n.runes)-1] != ' ':
			n.runes = append(n.runes, ' ')
			n.start, n.end = append(n.start, i), append(n.end, i+w)
		}
	}
	if k := len(n.runes); k > 0 && n.runes[k-1] == ' ' {
		n.runes, n.start, n.end = n.runes[:k-1], n.start[:k-1], n.end[:k-1]
	}
	return n
}

// findQuote finds quote in text, whole words, ignoring case, punctuation
// and spacing, and returns it as the text writes it.
func findQuote(text, quote string) (string, bool) {
	q := normalize(quote).runes
	if len(q) < 2 {
		return "", false
	}
	t := normalize(text)
	for i := 0; i+len(q) <= len(t.runes); i++ {
		if i > 0 && t.runes[i-1] != ' ' {
			continue
		}
		j := i + len(q)
		if j < len(t.runes) && t.runes[j] != ' ' {
			continue
		}
		if slices.Equal(t.runes[i:j], q) {
			return text[t.start[i]:t.end[j-1]], true
		}
	}
	return "", false
}

func sameText(a, b string) bool {
	return slices.Equal(normalize(a).runes, normalize(b).runes)
}

// relevant reports whether a quote shares a word with vocab (words of the
// rubric): the member's own words that ask for a grade ("ignore the
// rubric") are no evidence of a concept.
func (r rubric) relevant(quote string, vocab map[string]bool) bool {
	if len(r.vocab) == 0 {
		return true // nothing to compare with (a rubric in a script without long words)
	}
	for _, w := range words(quote) {
		for v := range vocab {
			if strings.HasPrefix(v, w) || strings.HasPrefix(w, v) {
				return true
			}
		}
	}
	return false
}

// stopWords are words of four letters or more that show no concept,
// among them the words an answer uses to address its grader.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`about above after again also answer because been before below
		being both could does doing during each every everything from full give have having here into
		just like made make mark more most much only other over same should some such than that their
		them then there these they this those through under very were what when where which while will
		with would your yours ignore ignoring rubric grade grader score point points instruction
		instructions previous prior system prompt assistant covered concept concepts perfect marks
		correct please must`) {
		m[w] = true
	}
	return m
}()

// words are the content words of s, lower-cased, of four letters or more,
// with a plural or verb ending cut.
func words(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(f)) < 4 || stopWords[f] {
			continue
		}
		for _, suf := range []string{"ing", "ed", "es", "s"} {
			if st, ok := strings.CutSuffix(f, suf); ok && len([]rune(st)) >= 4 {
				f = st
				break
			}
		}
		if !stopWords[f] {
			out = append(out, f)
		}
	}
	return out
}
