package bankfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

type openTDBResult struct {
	Type             string   `json:"type"`
	Difficulty       string   `json:"difficulty"`
	Category         string   `json:"category"`
	Question         string   `json:"question"`
	CorrectAnswer    string   `json:"correct_answer"`
	IncorrectAnswers []string `json:"incorrect_answers"`
}

// parseOpenTDB reads an Open Trivia DB API response ({"response_code": 0,
// "results": [...]}) or a bare array of its results. HTML entities, which
// the API sends by default, are decoded. Each result becomes a card whose
// quick check has the correct and incorrect answers, ordered alphabetically
// (True before False) so the position gives nothing away.
func parseOpenTDB(file string, data []byte, opt ImportOptions) (*questionbank.Document, questionbank.ErrorList) {
	doc, cats, ids := newImport(file, opt)
	e := &errs{file: file}
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(err error) {
		line := lineAt(data, dec.InputOffset())
		if se, ok := err.(*json.SyntaxError); ok {
			line = lineAt(data, se.Offset)
		}
		e.add(line, "", "not valid JSON: %v", err)
	}
	tok, err := dec.Token()
	if err != nil {
		fail(err)
		return doc, e.list
	}
	var field string
	switch tok {
	case json.Delim('['):
		field = "results"
	case json.Delim('{'):
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				fail(err)
				return doc, e.list
			}
			key, _ := keyTok.(string)
			if key == "response_code" {
				var code int
				if err := dec.Decode(&code); err != nil {
					fail(err)
					return doc, e.list
				}
				if code != 0 {
					e.add(lineAt(data, dec.InputOffset()), "response_code", "is %d: the Open Trivia DB request failed (1 no results, 2 invalid parameter, 3 token not found, 4 token empty, 5 rate limited)", code)
				}
				continue
			}
			if key != "results" {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					fail(err)
					return doc, e.list
				}
				continue
			}
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				e.add(lineAt(data, dec.InputOffset()), "results", "must be a list")
				return doc, e.list
			}
			field = "results"
			break
		}
		if field == "" {
			if len(e.list) == 0 {
				e.add(1, "results", "missing: an Open Trivia DB response has a `results` list")
			}
			return doc, e.list
		}
	default:
		e.add(1, "", "an Open Trivia DB file is a JSON object with a `results` list")
		return doc, e.list
	}
	lines := lineCounter{data: data}
	for i := 0; dec.More(); i++ {
		f := fmt.Sprintf("results[%d]", i)
		line := lines.at(dec.InputOffset() + 1)
		var r openTDBResult
		if err := dec.Decode(&r); err != nil {
			fail(err)
			return doc, e.list
		}
		prompt := strings.TrimSpace(html.UnescapeString(r.Question))
		correct := strings.TrimSpace(html.UnescapeString(r.CorrectAnswer))
		if prompt == "" {
			e.add(line, f+".question", "missing or empty")
			continue
		}
		if correct == "" {
			e.add(line, f+".correct_answer", "missing or empty")
			continue
		}
		if len(r.IncorrectAnswers) == 0 {
			e.add(line, f+".incorrect_answers", "missing or empty: a question needs at least one wrong answer")
			continue
		}
		if len(r.IncorrectAnswers) > 4 {
			e.add(line, f+".incorrect_answers", "has %d answers: at most 4 fit a quick check", len(r.IncorrectAnswers))
			continue
		}
		diff, err := questionbank.ParseDifficulty(r.Difficulty)
		if err != nil {
			e.add(line, f+".difficulty", "%v", err)
		}
		q := &questionbank.QuickCheck{Question: prompt, Options: []questionbank.Option{{Text: correct, Correct: true}}}
		for _, w := range r.IncorrectAnswers {
			q.Options = append(q.Options, questionbank.Option{Text: strings.TrimSpace(html.UnescapeString(w))})
		}
		if r.Type == "boolean" {
			sort.SliceStable(q.Options, func(a, b int) bool { return q.Options[a].Text == "True" && q.Options[b].Text != "True" })
		} else {
			sort.SliceStable(q.Options, func(a, b int) bool {
				return strings.ToLower(q.Options[a].Text) < strings.ToLower(q.Options[b].Text)
			})
		}
		catName := html.UnescapeString(r.Category)
		if catName == "" {
			catName = nameFromFile(file)
		}
		cat := cats.use(catName, "", line)
		c := &questionbank.Card{Category: cat, Number: len(doc.Cards) + 1, Prompt: prompt, QuickCheck: q, Difficulty: diff}
		c.ID = ids.make(cat, prompt)
		addCard(doc, c, line)
	}
	return doc, e.list
}
