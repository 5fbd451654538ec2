package bankfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

// csvColumns maps the accepted header names to the card field they fill.
var csvColumns = map[string]string{
	"id": "id", "category": "category", "number": "number", "no": "number", "#": "number",
	"difficulty": "difficulty", "tags": "tags",
	"prompt": "prompt", "question": "prompt",
	"key_concepts": "key_concepts", "key_concept": "key_concepts", "hint": "key_concepts", "hints": "key_concepts",
	"answer": "answer", "model_answer": "answer",
	"answers": "answers", "accepted_answers": "answers",
	"quick_check": "quick_check", "check_question": "quick_check",
	"options": "options", "choices": "options",
	"correct": "correct", "correct_option": "correct",
	"explanation": "explanation",
}

// CSVHeader lists the column names the CSV importer knows, in a sensible order.
var CSVHeader = []string{"id", "category", "number", "difficulty", "tags", "prompt", "key_concepts",
	"answer", "answers", "quick_check", "options", "correct", "explanation"}

// parseCSV reads a CSV file whose first row names the columns (see
// CSVHeader; case, spaces and dashes do not matter). Lists (tags,
// key_concepts, answers, options) are separated by "|". `correct` is the
// 1-based number of the correct option or its exact text. The quick check's
// question defaults to the prompt. A semicolon- or tab-separated file works
// too.
func parseCSV(file string, data []byte, opt ImportOptions) (*questionbank.Document, questionbank.ErrorList) {
	doc, cats, ids := newImport(file, opt)
	e := &errs{file: file}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffComma(data)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			e.add(1, "", "the file is empty: the first row names the columns (%s)", strings.Join(CSVHeader, ", "))
		} else {
			e.add(1, "", "not valid CSV: %v", err)
		}
		return doc, e.list
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
		f, ok := csvColumns[name]
		if !ok {
			e.add(1, h, "unknown column: the columns are %s", strings.Join(CSVHeader, ", "))
			continue
		}
		if _, dup := col[f]; dup {
			e.add(1, h, "column given twice")
			continue
		}
		col[f] = i
	}
	if _, ok := col["prompt"]; !ok {
		e.add(1, "prompt", "missing column: the header needs a prompt (or question) column")
	}
	if _, ok := col["category"]; !ok && opt.Category == "" {
		e.add(1, "category", "missing column: add a category column, or give --category")
	}
	if len(e.list) > 0 {
		return doc, e.list
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			e.add(line, "", "not valid CSV: %v", err)
			return doc, e.list
		}
		line, _ := r.FieldPos(0)
		get := func(f string) string {
			i, ok := col[f]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if strings.Join(rec, "") == "" {
			continue // a blank row
		}
		c := &questionbank.Card{Prompt: get("prompt"), Answer: get("answer"), KeyConcepts: splitList(get("key_concepts")),
			Answers: splitList(get("answers")), Tags: splitList(get("tags"))}
		if c.Prompt == "" {
			e.add(line, "prompt", "empty: every row needs its question")
			continue
		}
		if s := get("number"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				e.add(line, "number", "%q is not a whole number", s)
			}
			c.Number = n
		} else {
			c.Number = len(doc.Cards) + 1
		}
		d, err := questionbank.ParseDifficulty(get("difficulty"))
		if err != nil {
			e.add(line, "difficulty", "%v", err)
		}
		c.Difficulty = d
		if opts := splitList(get("options")); len(opts) > 0 {
			c.QuickCheck = csvQuickCheck(e, line, c.Prompt, get("quick_check"), opts, get("correct"), get("explanation"))
		} else if get("correct") != "" || get("quick_check") != "" {
			e.add(line, "options", "empty: a quick check needs its options, separated by |")
		}
		catName := get("category")
		if catName == "" && opt.Category == "" {
			e.add(line, "category", "empty: every row needs a category (or give --category)")
			continue
		}
		c.Category = cats.use(catName, "", line)
		if id := get("id"); id != "" {
			if !questionbank.ValidID(id) {
				e.add(line, "id", "%q is not a valid id: use lowercase letters, digits and dashes", id)
			}
			if ids[id] {
				e.add(line, "id", "duplicate id %q", id)
			}
			ids[id] = true
			c.ID = id
		} else {
			c.ID = ids.make(c.Category, c.Prompt)
		}
		addCard(doc, c, line)
	}
	return doc, e.list
}

func csvQuickCheck(e *errs, line int, prompt, question string, opts []string, correct, explanation string) *questionbank.QuickCheck {
	if question == "" {
		question = prompt
	}
	q := &questionbank.QuickCheck{Question: question, Explanation: explanation}
	idx := -1
	if n, err := strconv.Atoi(correct); err == nil {
		idx = n - 1
	} else {
		for i, o := range opts {
			if strings.EqualFold(o, correct) {
				idx = i
			}
		}
	}
	switch {
	case correct == "":
		e.add(line, "correct", "empty: give the number (1-%d) or the text of the correct option", len(opts))
	case idx < 0 || idx >= len(opts):
		e.add(line, "correct", "%q is not one of the options: give its number (1-%d) or its exact text", correct, len(opts))
	}
	if len(opts) < 2 || len(opts) > 5 {
		e.add(line, "options", "has %d options: give 2 to 5, separated by |", len(opts))
	}
	for i, o := range opts {
		q.Options = append(q.Options, questionbank.Option{Text: o, Correct: i == idx})
	}
	return q
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, "|") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sniffComma picks the separator of the header row: comma, semicolon or tab.
func sniffComma(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(first, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(first, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}
