package questionbank

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
)

// ParseJSON reads a bank file in the JSON form of the native format:
//
//	{"categories": [{"id": ..., "name": ..., "description": ...}],
//	 "cards": [ ...cards as `prepbot bank list --json` prints them... ]}
//
// or a bare array of cards (whose categories another file declares). It
// reads large banks several times faster than YAML: use it for banks of
// tens of thousands of cards. Errors name the file, the line where the
// card starts, and the field.
func ParseJSON(file string, r io.Reader) (*Document, ErrorList) {
	e := &errs{file: file}
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		e.add(0, "", "cannot read: %v", err)
		return nil, e.list
	}
	if len(data) > maxFileSize {
		e.add(0, "", "file is larger than %d MiB; is this really a question bank?", maxFileSize>>20)
		return nil, e.list
	}
	doc := &Document{File: file}
	doc.init()
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(err error) (*Document, ErrorList) {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		e.add(lineAt(data, off), "", "not valid JSON: %v", err)
		return doc, e.list
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	var cards []rawCard
	switch tok {
	case json.Delim('['):
		if cards, err = rawElements(dec, data); err != nil {
			return fail(err)
		}
	case json.Delim('{'):
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return fail(err)
			}
			key, _ := t.(string)
			line := lineAt(data, dec.InputOffset())
			switch key {
			case "categories":
				var cats []json.RawMessage
				if err := dec.Decode(&cats); err != nil {
					return fail(err)
				}
				for i, raw := range cats {
					var c Category
					if err := strictJSON(raw, &c); err != nil {
						e.add(line, fmt.Sprintf("categories[%d]", i), "%v", jsonMsg(err))
						continue
					}
					switch {
					case c.ID == "":
						e.add(line, fmt.Sprintf("categories[%d].id", i), "missing: every category needs an id")
					case !slugRE.MatchString(c.ID):
						e.add(line, fmt.Sprintf("categories[%d].id", i), "%q is not a valid id: use lowercase letters, digits and dashes", c.ID)
					case doc.catLine[c.ID] != 0:
						e.add(line, fmt.Sprintf("categories[%d].id", i), "duplicate category %q", c.ID)
					default:
						if c.Name == "" {
							c.Name = c.ID
						}
						doc.catLine[c.ID] = line
						doc.Categories = append(doc.Categories, c)
					}
				}
			case "cards":
				t, err := dec.Token()
				if err != nil {
					return fail(err)
				}
				if t != json.Delim('[') {
					e.add(line, "cards", "must be a list")
					return doc, e.list
				}
				if cards, err = rawElements(dec, data); err != nil {
					return fail(err)
				}
			default:
				e.add(line, key, "unknown key: the keys here are categories, cards")
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return fail(err)
				}
			}
		}
	default:
		e.add(1, "", "a JSON bank is an object with `categories` and `cards`, or a list of cards")
		return doc, e.list
	}
	parsed := decodeCards(cards)
	for i, rc := range cards {
		c, err := parsed[i].card, parsed[i].err
		field := fmt.Sprintf("cards[%d]", i)
		if err != nil {
			e.add(rc.line, field, "%v", jsonMsg(err))
			continue
		}
		c.Source = fmt.Sprintf("%s:%d", file, rc.line)
		checkCard(e, rc.line, field, c)
		doc.cardLine[c] = pos{id: rc.line, category: rc.line, index: i}
		doc.Cards = append(doc.Cards, c)
	}
	return doc, e.list
}

type rawCard struct {
	raw  json.RawMessage
	line int
}

// rawElements reads the elements of the array whose '[' dec just read.
func rawElements(dec *json.Decoder, data []byte) ([]rawCard, error) {
	var out []rawCard
	for dec.More() {
		line := lineAt(data, skipSpace(data, dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, rawCard{raw, line})
	}
	_, err := dec.Token() // ']'
	return out, err
}

// skipSpace returns the offset of the next byte that is not white space
// or a comma: where the next element starts.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

type decoded struct {
	card *Card
	err  error
}

// decodeCards decodes cards on every core: a large bank's load time is
// mostly this.
func decodeCards(raws []rawCard) []decoded {
	out := make([]decoded, len(raws))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(raws)/256))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(raws); i += workers {
				c := &Card{}
				out[i] = decoded{c, strictJSON(raws[i].raw, c)}
			}
		}(w)
	}
	wg.Wait()
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
func checkCard(e *errs, line int, field string, c *Card) {
	switch {
	case c.ID == "":
		e.add(line, field+".id", "missing: every card needs a stable id, such as \"postgres-mvcc\"")
	case !slugRE.MatchString(c.ID):
		e.add(line, field+".id", "%q is not a valid id: use lowercase letters, digits and dashes, such as \"postgres-mvcc\"", c.ID)
	}
	if c.Category == "" {
		e.add(line, field+".category", "missing: every card names its category")
	}
	if strings.TrimSpace(c.Prompt) == "" {
		e.add(line, field+".prompt", "missing or empty: every card needs the question to ask")
	}
	if _, err := ParseDifficulty(string(c.Difficulty)); err != nil {
		e.add(line, field+".difficulty", "%v", err)
	}
	if q := c.QuickCheck; q != nil {
		if strings.TrimSpace(q.Question) == "" {
			e.add(line, field+".quick_check.question", "missing or empty")
		}
		for _, p := range q.problems() {
			e.add(line, field+".quick_check.options"+p.field, "%s", p.msg)
		}
	}
	for j, a := range c.Answers {
		if strings.TrimSpace(a) == "" {
			e.add(line, fmt.Sprintf("%s.answers[%d]", field, j), "empty accepted answer")
		}
	}
}

// WriteJSON writes a document in the JSON form, readable by ParseJSON.
func WriteJSON(w io.Writer, doc *Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	cards := doc.Cards
	if cards == nil {
		cards = []*Card{}
	}
	return enc.Encode(struct {
		Categories []Category `json:"categories"`
		Cards      []*Card    `json:"cards"`
	}{doc.Categories, cards})
}
