package bankfile

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prepbot/prepbot/questionbank"
)

// cardError is a problem in one card of a JSON bank: the field below the
// card ("" for the card itself, ".quick_check.correct"...), the offset in
// the card's text where it was found, and the message.
type cardError struct {
	field string
	off   int
	msg   string
}

func (e *cardError) Error() string { return e.field + ": " + e.msg }

// cardDecoder reads one card of a JSON bank. It knows the card's fields,
// so it decodes in one pass without reflection (several times faster than
// encoding/json on a bank of 100,000 cards), refuses unknown keys, and says
// which field is wrong and where.
type cardDecoder struct {
	data []byte
	i    int
}

// decodeCardJSON decodes a card from its JSON object.
func decodeCardJSON(data []byte, c *questionbank.Card) (err error) {
	d := &cardDecoder{data: data}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*cardError)
			if !ok {
				panic(r)
			}
			err = ce
		}
	}()
	d.object("", func(key string, at int) {
		switch fold(key, jsonCardKeys) {
		case "id":
			c.ID = d.str(".id")
		case "category":
			c.Category = d.str(".category")
		case "number":
			c.Number = d.integer(".number")
		case "prompt":
			c.Prompt = d.str(".prompt")
		case "key_concepts":
			c.Concepts = d.concepts(".key_concepts", c.Concepts)
		case "follow_ups":
			c.FollowUps = d.followUps(c.FollowUps)
		case "answer":
			c.Answer = d.str(".answer")
		case "quick_check":
			c.QuickCheck = d.quickCheck()
		case "answers":
			c.Answers = d.strs(".answers")
		case "difficulty":
			c.Difficulty = questionbank.Difficulty(d.str(".difficulty"))
		case "tags":
			c.Tags = d.strs(".tags")
		case "examples":
			c.Examples = d.examples()
		default:
			d.fail("", at, "unknown key %q", key)
		}
	})
	if d.ws(); d.i < len(d.data) {
		d.fail("", d.i, "unexpected text after the card")
	}
	return nil
}

var (
	jsonCardKeys       = []string{"id", "category", "number", "prompt", "key_concepts", "answer", "quick_check", "answers", "difficulty", "tags", "examples", "follow_ups"}
	jsonConceptKeys    = []string{"concept", "terms", "misconceptions"}
	jsonFollowUpKeys   = []string{"prompt", "key_concepts", "answer"}
	jsonQuickCheckKeys = []string{"question", "options", "correct", "explanation"}
	jsonExampleKeys    = []string{"input", "output"}
)

// fold returns the known key that key names. Like encoding/json, it
// matches keys regardless of case ("Prompt" is "prompt").
func fold(key string, known []string) string {
	for _, k := range known {
		if k == key {
			return k
		}
	}
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return key
}

func (d *cardDecoder) fail(field string, off int, format string, args ...any) {
	panic(&cardError{field: field, off: off, msg: fmt.Sprintf(format, args...)})
}

func (d *cardDecoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end).
func (d *cardDecoder) peek() byte {
	d.ws()
	if d.i >= len(d.data) {
		return 0
	}
	return d.data[d.i]
}

// null consumes a null and reports whether there was one: null leaves a
// field as it was, as in encoding/json.
func (d *cardDecoder) null() bool {
	if d.peek() == 'n' && d.i+4 <= len(d.data) && string(d.data[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// kind names the JSON value starting at the next byte, for messages.
func (d *cardDecoder) kind() string {
	switch d.peek() {
	case '"':
		return "text"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "true or false"
	case 0:
		return "the end of the card"
	}
	if c := d.data[d.i]; c == '-' || c >= '0' && c <= '9' {
		return "a number"
	}
	return fmt.Sprintf("%q", d.data[d.i])
}

// object reads an object, calling fn for each key with the decoder just
// before the value; fn must consume the value.
func (d *cardDecoder) object(field string, fn func(key string, at int)) {
	if d.null() {
		return
	}
	if d.peek() != '{' {
		d.fail(field, d.i, "want an object, got %s", d.kind())
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return
	}
	for {
		if d.peek() != '"' {
			d.fail(field, d.i, "want a key in quotes, got %s", d.kind())
		}
		at := d.i
		key := d.str(field)
		if d.peek() != ':' {
			d.fail(field, d.i, "want : after the key %q", key)
		}
		d.i++
		d.peek()
		fn(key, at)
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return
		default:
			d.fail(field, d.i, "want , or } after the value of %q", key)
		}
	}
}

// list reads a list, calling fn for each element.
func (d *cardDecoder) list(field string, fn func(i int)) {
	if d.null() {
		return
	}
	if d.peek() != '[' {
		d.fail(field, d.i, "want a list, got %s", d.kind())
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return
	}
	for n := 0; ; n++ {
		fn(n)
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return
		default:
			d.fail(field, d.i, "want , or ] in the list")
		}
	}
}

// str reads a string (null gives "").
func (d *cardDecoder) str(field string) string { return d.strIdx(field, -1) }

// name is a field's name in messages: field itself, or its element idx
// when idx >= 0. It is built only when there is something to report.
func name(field string, idx int) string {
	if idx < 0 {
		return field
	}
	return fmt.Sprintf("%s[%d]", field, idx)
}

// strIdx reads the string at index idx of the list field (or the field
// itself when idx < 0).
func (d *cardDecoder) strIdx(field string, idx int) string {
	if d.null() {
		return ""
	}
	if d.peek() != '"' {
		d.fail(name(field, idx), d.i, "want text in quotes, got %s", d.kind())
	}
	start := d.i
	plain := true
	for j := start + 1; j < len(d.data); j++ {
		switch c := d.data[j]; {
		case c == '"':
			d.i = j + 1
			if plain && utf8.Valid(d.data[start+1:j]) {
				return string(d.data[start+1 : j])
			}
			// escapes or bad UTF-8: let encoding/json apply its rules
			var s string
			if err := json.Unmarshal(d.data[start:j+1], &s); err != nil {
				d.fail(name(field, idx), start, "bad text: %v", jsonMsg(err))
			}
			return s
		case c == '\\':
			plain = false
			j++
		case c < 0x20:
			d.fail(name(field, idx), j, "a line break or control character inside quotes: write it as \\n or \\t")
		}
	}
	d.fail(name(field, idx), start, "unterminated text: a closing quote is missing")
	return ""
}

// strs reads a list of strings.
func (d *cardDecoder) strs(field string) []string {
	if d.null() {
		return nil
	}
	out := []string{} // [] is an empty list, as in encoding/json
	d.list(field, func(i int) { out = append(out, d.strIdx(field, i)) })
	return out
}

// integer reads a whole number, written as JSON writes one (-12, 0, 7).
func (d *cardDecoder) integer(field string) int {
	if d.null() {
		return 0
	}
	start := d.i
	if d.i < len(d.data) && d.data[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		d.i++
	}
	if d.i == digits {
		d.fail(field, start, "want a whole number, got %s", d.kind())
	}
	end := d.i
	for d.i < len(d.data) && strings.IndexByte("+-.eE0123456789", d.data[d.i]) >= 0 {
		d.i++
	}
	n, err := strconv.Atoi(string(d.data[start:end]))
	if err != nil || d.i != end || d.data[digits] == '0' && end-digits > 1 {
		d.fail(field, start, "want a whole number, got %s", d.data[start:d.i])
	}
	return n
}

func (d *cardDecoder) quickCheck() *questionbank.QuickCheck {
	if d.null() {
		return nil
	}
	q := &questionbank.QuickCheck{}
	correct := 0
	d.object(".quick_check", func(key string, at int) {
		switch fold(key, jsonQuickCheckKeys) {
		case "question":
			q.Question = d.str(".quick_check.question")
		case "options":
			q.Options = nil
			for _, t := range d.strs(".quick_check.options") {
				q.Options = append(q.Options, questionbank.Option{Text: t})
			}
		case "correct":
			correct = d.integer(".quick_check.correct")
		case "explanation":
			q.Explanation = d.str(".quick_check.explanation")
		default:
			d.fail(".quick_check", at, "unknown key %q", key)
		}
	})
	if correct >= 0 && correct < len(q.Options) {
		q.Options[correct].Correct = true
	}
	return q
}

func (d *cardDecoder) examples() []questionbank.Example {
	if d.null() {
		return nil
	}
	out := []questionbank.Example{}
	d.list(".examples", func(i int) {
		field := fmt.Sprintf(".examples[%d]", i)
		var ex questionbank.Example
		d.object(field, func(key string, at int) {
			switch fold(key, jsonExampleKeys) {
			case "input":
				ex.Input = d.str(field + ".input")
			case "output":
				ex.Output = d.str(field + ".output")
			default:
				d.fail(field, at, "unknown key %q", key)
			}
		})
		out = append(out, ex)
	})
	return out
}

// concepts reads a list of key concepts, each text or an object (see
// questionbank.Concept). Like encoding/json, it reads a list into a fresh
// slice and null leaves the field (or a concept) as it was.
func (d *cardDecoder) concepts(field string, old []questionbank.Concept) []questionbank.Concept {
	if d.null() {
		return nil // encoding/json makes a slice nil on null, also one a repeated key filled
	}
	out := []questionbank.Concept{}
	d.list(field, func(i int) {
		f := name(field, i)
		var c questionbank.Concept
		if i < len(old) {
			c = old[i] // encoding/json decodes into the existing element
		}
		switch d.peek() {
		case 'n':
			d.null()
		case '"':
			c.Text = d.str(f)
		case '{':
			d.object(f, func(key string, at int) {
				switch fold(key, jsonConceptKeys) {
				case "concept":
					if !d.null() {
						c.Text = d.str(f + ".concept")
					}
				case "terms": // null makes a list nil, as in encoding/json
					c.Terms = d.strs(f + ".terms")
				case "misconceptions":
					c.Misconceptions = d.strs(f + ".misconceptions")
				default:
					d.fail(f, at, "unknown key %q", key)
				}
			})
		default:
			d.fail(f, d.i, "want text or an object with \"concept\", got %s", d.kind())
		}
		out = append(out, c)
	})
	return out
}

// followUps reads a card's follow-up questions.
func (d *cardDecoder) followUps(old []questionbank.FollowUp) []questionbank.FollowUp {
	if d.null() {
		return nil // encoding/json makes a slice nil on null
	}
	out := []questionbank.FollowUp{}
	d.list(".follow_ups", func(i int) {
		f := name(".follow_ups", i)
		var fu questionbank.FollowUp
		if i < len(old) {
			fu = old[i]
		}
		d.object(f, func(key string, at int) {
			switch fold(key, jsonFollowUpKeys) {
			case "prompt":
				if !d.null() {
					fu.Prompt = d.str(f + ".prompt")
				}
			case "key_concepts":
				fu.Concepts = d.concepts(f+".key_concepts", fu.Concepts)
			case "answer":
				if !d.null() {
					fu.Answer = d.str(f + ".answer")
				}
			default:
				d.fail(f, at, "unknown key %q", key)
			}
		})
		out = append(out, fu)
	})
	return out
}
