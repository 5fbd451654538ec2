package bankfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

// ParseJSON reads a bank file in the JSON form of the native format:
//
//	{"categories": [{"id": ..., "name": ..., "description": ...}],
//	 "cards": [ ...cards as `prepbot bank list --json` prints them... ]}
//
// or a bare array of cards (whose categories another file declares). Cards
// are decoded and checked on every core. Errors name the file, the line and
// the field.
func ParseJSON(file string, r io.Reader) (*questionbank.Document, questionbank.ErrorList) {
	e := &errs{file: file}
	data, ok := e.readAll(r)
	if !ok {
		return nil, e.list
	}
	doc := &questionbank.Document{File: file}
	lines := lineCounter{data: data}
	bad := func(off int, msg string) (*questionbank.Document, questionbank.ErrorList) {
		e.add(lineAt(data, int64(off)), "", "not valid JSON: %s", msg)
		return doc, e.list
	}
	i := skipWS(data, 0)
	var cards []rawCard
	switch {
	case i < len(data) && data[i] == '[':
		var err error
		if cards, _, err = elements(data, i, &lines); err != nil {
			return bad(i, err.Error())
		}
	case i < len(data) && data[i] == '{':
		i = skipWS(data, i+1)
		for i < len(data) && data[i] != '}' {
			if data[i] != '"' {
				return bad(i, "want a key in quotes")
			}
			kend, err := spanValue(data, i)
			if err != nil {
				return bad(i, err.Error())
			}
			var key string
			if err := json.Unmarshal(data[i:kend], &key); err != nil {
				return bad(i, err.Error())
			}
			line := lines.at(int64(i))
			i = skipWS(data, kend)
			if i >= len(data) || data[i] != ':' {
				return bad(i, "want : after a key")
			}
			i = skipWS(data, i+1)
			var vend int
			if key == "cards" && i < len(data) && data[i] == '[' {
				// the cards' list: split it into cards as it is scanned
				if cards, vend, err = elements(data, i, &lines); err != nil {
					return bad(i, err.Error())
				}
			} else if vend, err = spanValue(data, i); err != nil {
				return bad(i, err.Error())
			}
			switch key {
			case "categories":
				parseJSONCategories(e, doc, data[i:vend], line)
			case "cards":
				if data[i] != '[' {
					e.add(line, "cards", "must be a list")
					return doc, e.list
				}
			default:
				e.add(line, key, "unknown key: the keys here are categories, cards")
			}
			i = skipWS(data, vend)
			if i < len(data) && data[i] == ',' {
				i = skipWS(data, i+1)
			}
		}
		if i >= len(data) {
			return bad(i, "unexpected end of the file")
		}
	default:
		e.add(1, "", "a JSON bank is an object with `categories` and `cards`, or a list of cards")
		return doc, e.list
	}
	parsed := decodeCards(file, cards)
	doc.Grow(len(cards))
	for i, rc := range cards {
		p := parsed[i]
		e.list = append(e.list, p.errs...)
		if p.card == nil {
			continue
		}
		doc.AddCard(p.card, questionbank.CardPos{IDLine: rc.line, CategoryLine: rc.line, Index: i})
	}
	return doc, e.list
}

type rawCard struct {
	raw  json.RawMessage
	line int
}

func parseJSONCategories(e *errs, doc *questionbank.Document, data []byte, line int) {
	var cats []json.RawMessage
	if err := json.Unmarshal(data, &cats); err != nil {
		e.add(line, "categories", "must be a list of {id, name, description}")
		return
	}
	for i, raw := range cats {
		var c questionbank.Category
		f := fmt.Sprintf("categories[%d]", i)
		if err := strictJSON(raw, &c); err != nil {
			e.add(line, f, "%v", jsonMsg(err))
			continue
		}
		_, dup := doc.CategoryLine(c.ID)
		switch {
		case c.ID == "":
			e.add(line, f+".id", "missing: every category needs an id")
		case questionbank.CategoryIDProblem(c.ID) != "":
			e.add(line, f+".id", "%s", questionbank.CategoryIDProblem(c.ID))
		case questionbank.ColorProblem(c.Color) != "":
			e.add(line, f+".color", "%s", questionbank.ColorProblem(c.Color))
		case dup:
			e.add(line, f+".id", "duplicate category %q", c.ID)
		default:
			if c.Name == "" {
				c.Name = c.ID
			}
			doc.AddCategory(c, line)
		}
	}
}

// elements returns the elements of the JSON array starting at data[i] (as
// sub-slices, without copying or decoding them) and the offset after it.
// Decoding happens later, on every core; this pass only tracks nesting and
// strings, which is several times faster than a full decode.
func elements(data []byte, i int, lines *lineCounter) ([]rawCard, int, error) {
	var out []rawCard
	i = skipWS(data, i+1)
	for i < len(data) && data[i] != ']' {
		end, err := spanValue(data, i)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, rawCard{raw: data[i:end], line: lines.at(int64(i))})
		i = skipWS(data, end)
		if i < len(data) && data[i] == ',' {
			i = skipWS(data, i+1)
		} else if i < len(data) && data[i] != ']' {
			return nil, 0, fmt.Errorf("want , or ] at line %d", lineAt(data, int64(i)))
		}
	}
	if i >= len(data) {
		return nil, 0, errors.New("unexpected end of the file inside a list")
	}
	return out, i + 1, nil
}

// spanValue returns the offset just after the JSON value starting at data[i].
// It checks only nesting and strings; the decoder checks the rest.
func spanValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errors.New("unexpected end of the file")
	}
	switch data[i] {
	case '"':
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errors.New("unterminated string")
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, err := spanValue(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("unclosed { or [")
	}
	j := i
	for j < len(data) && !strings.ContainsRune(" \t\r\n,]}", rune(data[j])) {
		j++
	}
	if j == i {
		return 0, fmt.Errorf("unexpected %q", data[i])
	}
	return j, nil
}

func skipWS(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

type decoded struct {
	card *questionbank.Card // nil when it could not be decoded
	errs questionbank.ErrorList
}

// decodeCards decodes and checks cards on every core: a large bank's load
// time is mostly this.
func decodeCards(file string, raws []rawCard) []decoded {
	out := make([]decoded, len(raws))
	onEveryCore(len(raws), func(i int) {
		rc := raws[i]
		e := errs{file: file}
		field := "cards[" + strconv.Itoa(i) + "]"
		c := &questionbank.Card{}
		if err := decodeCardJSON(rc.raw, c); err != nil {
			ce := err.(*cardError)
			e.add(rc.line+bytes.Count(rc.raw[:ce.off], []byte("\n")), field+ce.field, "%s", ce.msg)
			out[i] = decoded{errs: e.list}
			return
		}
		c.Source = file + ":" + strconv.Itoa(rc.line)
		checkCard(&e, rc.line, field, c)
		out[i] = decoded{card: c, errs: e.list}
	})
	return out
}

func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// jsonMsg turns encoding/json's messages into ours.
func jsonMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return "unknown key " + f
	}
	return msg
}

// checkCard applies the per-card rules of the native format.
func checkCard(e *errs, line int, field string, c *questionbank.Card) {
	switch {
	case c.ID == "":
		e.add(line, field+".id", "missing: every card needs a stable id, such as \"postgres-mvcc\"")
	case !questionbank.ValidID(c.ID):
		e.add(line, field+".id", "%q is not a valid id: use lowercase letters, digits and dashes, such as \"postgres-mvcc\"", c.ID)
	}
	if c.Category == "" {
		e.add(line, field+".category", "missing: every card names its category")
	}
	if strings.TrimSpace(c.Prompt) == "" {
		e.add(line, field+".prompt", "missing or empty: every card needs the question to ask")
	}
	if _, err := questionbank.ParseDifficulty(string(c.Difficulty)); err != nil {
		e.add(line, field+".difficulty", "%v", err)
	}
	if q := c.QuickCheck; q != nil {
		if strings.TrimSpace(q.Question) == "" {
			e.add(line, field+".quick_check.question", "missing or empty")
		}
		for _, p := range q.Problems() {
			e.add(line, field+".quick_check.options"+p.Field, "%s", p.Msg)
		}
	}
	for _, p := range questionbank.ConceptProblems(c.Concepts) {
		e.add(line, field+".key_concepts"+p.Field, "%s", p.Msg)
	}
	for _, p := range questionbank.FollowUpProblems(c.FollowUps) {
		e.add(line, field+".follow_ups"+p.Field, "%s", p.Msg)
	}
	for j, a := range c.Answers {
		if strings.TrimSpace(a) == "" {
			e.add(line, fmt.Sprintf("%s.answers[%d]", field, j), "empty accepted answer")
		}
	}
}

// WriteJSON writes a document in the JSON form, readable by ParseJSON.
func WriteJSON(w io.Writer, doc *questionbank.Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	cards := doc.Cards
	if cards == nil {
		cards = []*questionbank.Card{}
	}
	return enc.Encode(struct {
		Categories []questionbank.Category `json:"categories"`
		Cards      []*questionbank.Card    `json:"cards"`
	}{doc.Categories, cards})
}
