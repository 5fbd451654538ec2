package bankfile

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/prepbot/prepbot/questionbank"
)

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// maxFileSize bounds what one bank file may hold, so a wrong path (a disk
// image, a log) fails fast with a clear message instead of eating memory.
const maxFileSize = 512 << 20

// ParseYAML reads a bank file in the native YAML format. It returns the
// document and every problem it found; problems that need other files (a
// duplicate id, an unknown category) are found when the bank is built.
// Cards are checked on every core. (A bank of many thousands of cards
// loads several times faster as JSON: `prepbot bank import big.yaml -o
// big.json`.)
func ParseYAML(file string, r io.Reader) (*questionbank.Document, questionbank.ErrorList) {
	e := &errs{file: file}
	data, ok := e.readAll(r)
	if !ok {
		return nil, e.list
	}
	var y yaml.Node
	if err := yaml.Unmarshal(data, &y); err != nil {
		e.yamlError(data, err)
		return nil, e.list
	}
	root := fromYAML(&y)
	doc := &questionbank.Document{File: file}
	if len(root.Content) == 0 {
		e.add(1, "", "the file is empty: a bank file has `categories:` and `cards:`")
		return doc, e.list
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		e.add(top.Line, "", "a bank file is a mapping with the keys `categories` and `cards`")
		return doc, e.list
	}
	forEachKey(e, top, "", []string{"categories", "cards"}, func(key string, k, v *ynode) {
		switch key {
		case "categories":
			forEachItem(e, v, "categories", func(i int, n *ynode) {
				parseCategory(e, doc, fmt.Sprintf("categories[%d]", i), n)
			})
		case "cards":
			if v.Kind == yaml.SequenceNode {
				parsed := parseCards(file, v.Content)
				doc.Grow(len(parsed))
				for _, p := range parsed {
					e.list = append(e.list, p.errs...)
					doc.AddCard(p.card, p.pos)
				}
				return
			}
			forEachItem(e, v, "cards", func(int, *ynode) {}) // reports what is wrong
		}
	})
	return doc, e.list
}

func parseCategory(e *errs, doc *questionbank.Document, field string, n *ynode) {
	var c questionbank.Category
	forEachKey(e, n, field, []string{"id", "name", "description", "color"}, func(key string, k, v *ynode) {
		switch key {
		case "id":
			c.ID = scalar(e, v, field+".id")
			if problem := questionbank.CategoryIDProblem(c.ID); c.ID != "" && problem != "" {
				e.add(v.Line, field+".id", "%s", problem)
			}
		case "name":
			c.Name = scalar(e, v, field+".name")
		case "description":
			c.Description = scalar(e, v, field+".description")
		case "color":
			c.Color = scalar(e, v, field+".color")
			if problem := questionbank.ColorProblem(c.Color); problem != "" {
				e.add(v.Line, field+".color", "%s", problem)
				c.Color = ""
			}
		}
	})
	if c.ID == "" {
		e.add(n.Line, field+".id", "missing: every category needs an id")
		return
	}
	if questionbank.CategoryIDProblem(c.ID) != "" {
		return // reported above
	}
	if c.Name == "" {
		c.Name = c.ID
	}
	if line, ok := doc.CategoryLine(c.ID); ok {
		e.add(n.Line, field+".id", "duplicate category %q (first declared on line %d)", c.ID, line)
		return
	}
	doc.AddCategory(c, n.Line)
}

var cardKeys = []string{"id", "category", "number", "difficulty", "tags", "prompt", "key_concepts",
	"answer", "answers", "quick_check", "examples", "follow_ups"}

type parsedCard struct {
	card *questionbank.Card
	pos  questionbank.CardPos
	errs questionbank.ErrorList
}

// parseCards reads the cards' nodes on every core: with the fast reader, a
// large bank's load time is mostly this.
func parseCards(file string, nodes []*ynode) []parsedCard {
	out := make([]parsedCard, len(nodes))
	onEveryCore(len(nodes), func(i int) {
		e := errs{file: file}
		c, p := parseCard(&e, i, nodes[i])
		out[i] = parsedCard{card: c, pos: p, errs: e.list}
	})
	return out
}

// onEveryCore calls fn for 0 <= i < n, spread over the cores (one goroutine
// for fewer than 512 items).
func onEveryCore(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/256))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}

func parseCard(e *errs, index int, n *ynode) (*questionbank.Card, questionbank.CardPos) {
	field := "cards[" + strconv.Itoa(index) + "]"
	c := &questionbank.Card{Source: e.file + ":" + strconv.Itoa(n.Line)}
	p := questionbank.CardPos{Index: index}
	promptLine := n.Line
	forEachKey(e, n, field, cardKeys, func(key string, k, v *ynode) {
		f := field + "." + key
		switch key {
		case "id":
			c.ID, p.IDLine = scalar(e, v, f), v.Line
		case "category":
			c.Category, p.CategoryLine = scalar(e, v, f), v.Line
		case "number":
			s := scalar(e, v, f)
			num, err := strconv.Atoi(s)
			if s != "" && (err != nil || num < 0) {
				e.add(v.Line, f, "%q is not a whole number", s)
			}
			c.Number = num
		case "difficulty":
			d, err := questionbank.ParseDifficulty(scalar(e, v, f))
			if err != nil {
				e.add(v.Line, f, "%v", err)
			}
			c.Difficulty = d
		case "tags":
			c.Tags = stringList(e, v, f)
		case "prompt":
			c.Prompt, promptLine = strings.TrimSpace(scalar(e, v, f)), v.Line
		case "key_concepts":
			c.Concepts = parseConcepts(e, v, f)
		case "follow_ups":
			c.FollowUps = parseFollowUps(e, k, v, f)
		case "answer":
			c.Answer = strings.TrimSpace(scalar(e, v, f))
		case "answers":
			c.Answers = stringList(e, v, f)
		case "quick_check":
			c.QuickCheck = parseQuickCheck(e, f, v)
		case "examples":
			forEachItem(e, v, f, func(i int, n *ynode) {
				var ex questionbank.Example
				ef := fmt.Sprintf("%s[%d]", f, i)
				forEachKey(e, n, ef, []string{"input", "output"}, func(key string, k, v *ynode) {
					if key == "input" {
						ex.Input = strings.TrimSpace(scalar(e, v, ef+".input"))
					} else {
						ex.Output = strings.TrimSpace(scalar(e, v, ef+".output"))
					}
				})
				if ex.Input == "" || ex.Output == "" {
					e.add(n.Line, ef, "an example needs both `input` and `output`")
				}
				c.Examples = append(c.Examples, ex)
			})
		}
	})
	if p.IDLine == 0 {
		p.IDLine = n.Line
	}
	if p.CategoryLine == 0 {
		p.CategoryLine = n.Line
	}
	switch {
	case c.ID == "":
		e.add(n.Line, field+".id", "missing: every card needs a stable id, such as \"postgres-mvcc\"")
	case !questionbank.ValidID(c.ID):
		e.add(p.IDLine, field+".id", "%q is not a valid id: use lowercase letters, digits and dashes, such as \"postgres-mvcc\"", c.ID)
	}
	if c.Category == "" {
		e.add(n.Line, field+".category", "missing: every card names its category")
	}
	if c.Prompt == "" {
		e.add(promptLine, field+".prompt", "missing or empty: every card needs the question to ask")
	}
	return c, p
}

var conceptKeys = []string{"concept", "terms", "misconceptions"}

// parseConcepts reads a list of key concepts: each is text, or a mapping
// with the concept's text and its terms and misconceptions.
func parseConcepts(e *errs, n *ynode, field string) []questionbank.Concept {
	if n.Kind == yaml.ScalarNode {
		return questionbank.PlainConcepts(stringList(e, n, field))
	}
	var out []questionbank.Concept
	var lines []*ynode // the node of each concept in out
	var mis []*ynode   // and of its misconceptions, if any
	forEachItem(e, n, field, func(i int, item *ynode) {
		f := field + "[" + strconv.Itoa(i) + "]"
		if item.Kind == yaml.AliasNode && len(item.Content) == 1 {
			item = item.Content[0]
		}
		if item.Kind != yaml.MappingNode {
			s := strings.TrimSpace(scalar(e, item, f))
			if s == "" {
				if item.Kind == yaml.ScalarNode {
					e.add(item.Line, f, "empty entry")
				}
				return
			}
			out, lines, mis = append(out, questionbank.Concept{Text: s}), append(lines, item), append(mis, nil)
			return
		}
		var c questionbank.Concept
		var misNode *ynode
		forEachKey(e, item, f, conceptKeys, func(key string, k, v *ynode) {
			switch key {
			case "concept":
				c.Text = strings.TrimSpace(scalar(e, v, f+".concept"))
			case "terms":
				c.Terms = stringList(e, v, f+".terms")
			case "misconceptions":
				c.Misconceptions, misNode = stringList(e, v, f+".misconceptions"), v
			}
		})
		out, lines, mis = append(out, c), append(lines, item), append(mis, misNode)
	})
	for _, p := range questionbank.ConceptProblems(out) {
		line := lines[p.Option].Line
		var i, j int
		if m := mis[p.Option]; m != nil {
			if _, err := fmt.Sscanf(p.Field, "[%d].misconceptions[%d]", &i, &j); err == nil {
				line = m.Line
				if m.Kind == yaml.SequenceNode && j < len(m.Content) {
					line = m.Content[j].Line
				}
			}
		}
		e.add(line, field+p.Field, "%s", p.Msg)
	}
	return out
}

// parseFollowUps reads a card's follow-up questions.
func parseFollowUps(e *errs, k, n *ynode, field string) []questionbank.FollowUp {
	var out []questionbank.FollowUp
	var nodes []*ynode
	forEachItem(e, n, field, func(i int, item *ynode) {
		f := field + "[" + strconv.Itoa(i) + "]"
		var fu questionbank.FollowUp
		forEachKey(e, item, f, []string{"prompt", "key_concepts", "answer"}, func(key string, k, v *ynode) {
			switch key {
			case "prompt":
				fu.Prompt = strings.TrimSpace(scalar(e, v, f+".prompt"))
			case "key_concepts":
				fu.Concepts = parseConcepts(e, v, f+".key_concepts")
			case "answer":
				fu.Answer = strings.TrimSpace(scalar(e, v, f+".answer"))
			}
		})
		out, nodes = append(out, fu), append(nodes, item)
	})
	for _, p := range questionbank.FollowUpProblems(out) {
		if strings.Contains(p.Field, ".key_concepts[") {
			continue // parseConcepts reported it
		}
		line := k.Line
		if p.Option >= 0 {
			line = nodes[p.Option].Line
		}
		e.add(line, field+p.Field, "%s", p.Msg)
	}
	return out
}

func parseQuickCheck(e *errs, field string, n *ynode) *questionbank.QuickCheck {
	q := &questionbank.QuickCheck{}
	optionsLine := n.Line
	forEachKey(e, n, field, []string{"question", "options", "explanation"}, func(key string, k, v *ynode) {
		switch key {
		case "question":
			q.Question = strings.TrimSpace(scalar(e, v, field+".question"))
		case "explanation":
			q.Explanation = strings.TrimSpace(scalar(e, v, field+".explanation"))
		case "options":
			optionsLine = k.Line
			forEachItem(e, v, field+".options", func(i int, n *ynode) {
				of := field + ".options[" + strconv.Itoa(i) + "]"
				var o questionbank.Option
				forEachKey(e, n, of, []string{"text", "correct"}, func(key string, k, v *ynode) {
					if key == "text" {
						o.Text = strings.TrimSpace(scalar(e, v, of+".text"))
						return
					}
					switch scalar(e, v, of+".correct") {
					case "true":
						o.Correct = true
					case "false":
					default:
						e.add(v.Line, of+".correct", "must be true or false")
					}
				})
				q.Options = append(q.Options, o)
			})
		}
	})
	if q.Question == "" {
		e.add(n.Line, field+".question", "missing or empty: the quick check needs its question")
	}
	for _, p := range q.Problems() {
		line := optionsLine
		if p.Option >= 0 && p.Option < len(n.Content) {
			line = n.Content[p.Option].Line
		}
		e.add(line, field+".options"+p.Field, "%s", p.Msg)
	}
	return q
}

// readAll reads a bank file, refusing one larger than maxFileSize.
func (e *errs) readAll(r io.Reader) ([]byte, bool) {
	// Read into a buffer of the right size when the size is known: a large
	// bank would otherwise be copied a dozen times as the buffer grows.
	size := -1
	switch r := r.(type) {
	case interface{ Len() int }: // strings.Reader, bytes.Reader, bytes.Buffer
		size = r.Len()
	case interface{ Stat() (fs.FileInfo, error) }: // files
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			size = int(min(fi.Size(), maxFileSize+1))
		}
	}
	var data []byte
	if size >= 0 && size <= maxFileSize {
		data = make([]byte, size, size+1)
		n, err := io.ReadFull(r, data)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF { // shorter than said is fine
			e.add(0, "", "cannot read: %v", err)
			return nil, false
		}
		data = data[:n]
	}
	// the rest: all of it when the size is unknown, nothing unless the file grew
	rest, err := io.ReadAll(io.LimitReader(r, maxFileSize+1-int64(len(data))))
	if err != nil {
		e.add(0, "", "cannot read: %v", err)
		return nil, false
	}
	data = append(data, rest...)
	if len(data) > maxFileSize {
		e.add(0, "", "file is larger than %d MiB; is this really a question bank?", maxFileSize>>20)
		return nil, false
	}
	return data, true
}

// yamlError reports a YAML syntax error in data at its line.
func (e *errs) yamlError(data []byte, err error) {
	line, msg, ok := YAMLSyntaxError(data, err)
	if !ok {
		msg = err.Error()
	}
	e.add(line, "", "not valid YAML: %s", msg)
}

// forEachKey walks a mapping node, reporting keys that are not allowed and
// keys given twice.
func forEachKey(e *errs, n *ynode, field string, allowed []string, fn func(key string, k, v *ynode)) {
	if n.Kind != yaml.MappingNode {
		e.add(n.Line, field, "must be a mapping of keys (%s)", strings.Join(allowed, ", "))
		return
	}
	var buf [16]*ynode
	seen := buf[:0] // keys so far: mappings here have a dozen keys at most
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !contains(allowed, k.Value) {
			e.add(k.Line, join(field, k.Value), "unknown key: the keys here are %s", strings.Join(allowed, ", "))
			continue
		}
		if first := seenKey(seen, k.Value); first != nil {
			e.add(k.Line, join(field, k.Value), "given twice (first on line %d)", first.Line)
			continue
		}
		seen = append(seen, k)
		fn(k.Value, k, v)
	}
}

func seenKey(seen []*ynode, key string) *ynode {
	for _, s := range seen {
		if s.Value == key {
			return s
		}
	}
	return nil
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func forEachItem(e *errs, n *ynode, field string, fn func(i int, n *ynode)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		e.add(n.Line, field, "must be a list")
		return
	}
	for i, item := range n.Content {
		fn(i, item)
	}
}

func scalar(e *errs, n *ynode, field string) string {
	if n.Kind == yaml.AliasNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.ScalarNode {
		e.add(n.Line, field, "must be a single value, not a list or mapping")
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// stringList accepts a list of values, or a single value as a list of one.
func stringList(e *errs, n *ynode, field string) []string {
	if n.Kind == yaml.ScalarNode {
		if s := strings.TrimSpace(scalar(e, n, field)); s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	forEachItem(e, n, field, func(i int, item *ynode) {
		f := func() string { return field + "[" + strconv.Itoa(i) + "]" }
		s := item.Value // the common case, without building the field's name
		if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
			s = scalar(e, item, f())
		}
		if s = strings.TrimSpace(s); s == "" {
			e.add(item.Line, f(), "empty entry")
			return
		}
		out = append(out, s)
	})
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteYAML writes a document in the native format, readable by ParseYAML.
func WriteYAML(w io.Writer, doc *questionbank.Document) error {
	type option struct {
		Text    string `yaml:"text"`
		Correct bool   `yaml:"correct,omitempty"`
	}
	type quickCheck struct {
		Question    string   `yaml:"question"`
		Options     []option `yaml:"options"`
		Explanation string   `yaml:"explanation,omitempty"`
	}
	type concept struct {
		Concept        string   `yaml:"concept"`
		Terms          []string `yaml:"terms,omitempty,flow"`
		Misconceptions []string `yaml:"misconceptions,omitempty,flow"`
	}
	concepts := func(cs []questionbank.Concept) []any {
		var out []any
		for _, c := range cs {
			if c.Plain() {
				out = append(out, c.Text)
			} else {
				out = append(out, concept{c.Text, c.Terms, c.Misconceptions})
			}
		}
		return out
	}
	type followUp struct {
		Prompt      string `yaml:"prompt"`
		KeyConcepts []any  `yaml:"key_concepts,omitempty"`
		Answer      string `yaml:"answer,omitempty"`
	}
	type card struct {
		ID          string                  `yaml:"id"`
		Category    string                  `yaml:"category"`
		Number      int                     `yaml:"number,omitempty"`
		Difficulty  questionbank.Difficulty `yaml:"difficulty,omitempty"`
		Tags        []string                `yaml:"tags,omitempty,flow"`
		Prompt      string                  `yaml:"prompt"`
		KeyConcepts []any                   `yaml:"key_concepts,omitempty"`
		Answer      string                  `yaml:"answer,omitempty"`
		Answers     []string                `yaml:"answers,omitempty"`
		QuickCheck  *quickCheck             `yaml:"quick_check,omitempty"`
		Examples    []questionbank.Example  `yaml:"examples,omitempty"`
		FollowUps   []followUp              `yaml:"follow_ups,omitempty"`
	}
	type file struct {
		Categories []questionbank.Category `yaml:"categories"`
		Cards      []card                  `yaml:"cards"`
	}
	out := file{Categories: doc.Categories}
	for _, c := range doc.Cards {
		oc := card{ID: c.ID, Category: c.Category, Number: c.Number, Difficulty: c.Difficulty, Tags: c.Tags,
			Prompt: c.Prompt, KeyConcepts: concepts(c.Rubric()), Answer: c.Answer, Answers: c.Answers, Examples: c.Examples}
		for _, f := range c.FollowUps {
			oc.FollowUps = append(oc.FollowUps, followUp{f.Prompt, concepts(f.Concepts), f.Answer})
		}
		if q := c.QuickCheck; q != nil {
			oq := &quickCheck{Question: q.Question, Explanation: q.Explanation}
			for _, o := range q.Options {
				oq.Options = append(oq.Options, option(o))
			}
			oc.QuickCheck = oq
		}
		out.Cards = append(out.Cards, oc)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
