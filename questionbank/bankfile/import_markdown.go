package bankfile

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

var (
	mdHeading   = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdNumbered  = regexp.MustCompile(`^(\s*)(\d+)[.)]\s+(.*)$`)
	mdBullet    = regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`)
	mdTableSep  = regexp.MustCompile(`^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$`)
	mdBoldTopic = regexp.MustCompile(`^(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:\-–—]?\s*(.*)$`)
	mdItalic    = regexp.MustCompile(`^[*_]([^*_].*[^*_])[*_]$`)
	mdHeadNum   = regexp.MustCompile(`^\d+[.)]\s*`)
	mdHeadCount = regexp.MustCompile(`(?i)\s*\(\s*\d+\s+(questions?|items?|cards?)\s*\)\s*$`)
)

// parseMarkdown reads question lists as people and language models write
// them: a heading per category, then a table (a question or topic column,
// optionally a number column and a key-concept column) or a numbered list
// whose items start with a bold topic. Indented bullets under a list item
// become its key concepts.
func parseMarkdown(file string, data []byte, opt ImportOptions) (*questionbank.Document, questionbank.ErrorList) {
	doc, cats, ids := newImport(file, opt)
	e := &errs{file: file}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")

	fallback := nameFromFile(file)
	heading, headingLine, description := "", 0, ""
	last, offset := 0, 0
	blockStart := true          // next numbered item starts a new block (new heading or table)
	var prev *questionbank.Card // the last list item, for its indented bullets
	var table *mdTable

	number := func(n int) int {
		if n <= 0 {
			last++
			return last
		}
		if blockStart {
			offset = 0
			if n <= last {
				offset = last - n + 1 // a list that restarts at 1 continues the numbering
			}
			blockStart = false
		}
		n += offset
		if n > last {
			last = n
		}
		return n
	}
	category := func(line int) string {
		name := heading
		if name == "" {
			name = fallback
			headingLine = line
		}
		return cats.use(name, description, headingLine)
	}
	add := func(line, n int, prompt string, concepts []string, answer string, diff string) *questionbank.Card {
		prompt = strings.TrimSpace(prompt)
		if prompt == "" {
			e.add(line, "prompt", "the question is empty")
			return nil
		}
		d, err := questionbank.ParseDifficulty(stripMarkdown(diff))
		if err != nil {
			e.add(line, "difficulty", "%v", err)
		}
		cat := category(line)
		c := &questionbank.Card{Category: cat, Number: number(n), Prompt: prompt, KeyConcepts: concepts, Answer: answer, Difficulty: d}
		c.ID = ids.make(cat, topicOf(prompt))
		addCard(doc, c, line)
		return c
	}

	for i := 0; i < len(lines); i++ {
		ln, text := i+1, lines[i]
		trimmed := strings.TrimSpace(text)

		// tables
		if strings.HasPrefix(trimmed, "|") {
			if table == nil {
				if i+1 < len(lines) && mdTableSep.MatchString(lines[i+1]) {
					table = newMDTable(splitRow(trimmed))
					blockStart = true
					i++ // skip the separator
					continue
				}
			} else {
				cells := splitRow(trimmed)
				get := func(col int) string {
					if col < 0 || col >= len(cells) {
						return ""
					}
					return cells[col]
				}
				n, _ := strconv.Atoi(strings.TrimSpace(stripMarkdown(get(table.num))))
				var concepts []string
				if k := stripBold(get(table.concept)); k != "" {
					concepts = []string{k}
				}
				add(ln, n, stripBold(get(table.prompt)), concepts, strings.TrimSpace(get(table.answer)), get(table.difficulty))
				prev = nil
				continue
			}
		}
		table = nil

		if m := mdHeading.FindStringSubmatch(text); m != nil {
			heading = mdHeadCount.ReplaceAllString(mdHeadNum.ReplaceAllString(stripMarkdown(m[2]), ""), "")
			headingLine, description, blockStart, prev = ln, "", true, nil
			continue
		}
		if m := mdItalic.FindStringSubmatch(trimmed); m != nil && heading != "" && description == "" && prev == nil {
			description = strings.TrimSpace(m[1])
			continue
		}
		if m := mdNumbered.FindStringSubmatch(text); m != nil && len(m[1]) < 2 {
			n, _ := strconv.Atoi(m[2])
			prev = add(ln, n, listPrompt(m[3]), nil, "", "")
			continue
		}
		if m := mdBullet.FindStringSubmatch(text); m != nil {
			if len(m[1]) >= 2 && prev != nil { // an indented bullet: a key concept of the item above
				if k := strings.TrimSpace(m[2]); k != "" {
					prev.KeyConcepts = append(prev.KeyConcepts, k)
				}
				continue
			}
			if len(m[1]) < 2 && mdBoldTopic.MatchString(strings.TrimSpace(m[2])) {
				prev = add(ln, 0, listPrompt(m[2]), nil, "", "")
				continue
			}
		}
		if trimmed == "" || trimmed == "---" {
			continue
		}
		if prev != nil && strings.HasPrefix(text, "  ") { // continuation of a list item
			prev.Prompt += " " + trimmed
			continue
		}
		prev = nil
	}
	return doc, e.list
}

type mdTable struct{ num, prompt, concept, answer, difficulty int }

func newMDTable(header []string) *mdTable {
	t := &mdTable{num: -1, prompt: -1, concept: -1, answer: -1, difficulty: -1}
	for i, h := range header {
		h = strings.ToLower(stripMarkdown(h))
		switch {
		case h == "no" || h == "no." || h == "#" || h == "number" || h == "num" || h == "n":
			t.num = i
		case strings.Contains(h, "question") || strings.Contains(h, "topic") || strings.Contains(h, "prompt"):
			if t.prompt < 0 {
				t.prompt = i
			}
		case strings.Contains(h, "concept") || strings.Contains(h, "context") || strings.Contains(h, "hint") || strings.Contains(h, "key"):
			t.concept = i
		case strings.Contains(h, "answer"):
			t.answer = i
		case strings.Contains(h, "difficult") || h == "level":
			t.difficulty = i
		}
	}
	if t.prompt < 0 { // no named question column: the first column that is not the number
		for i := range header {
			if i != t.num && i != t.concept && i != t.answer && i != t.difficulty {
				t.prompt = i
				break
			}
		}
	}
	return t
}

// splitRow splits a table row on unescaped pipes.
func splitRow(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	if strings.HasSuffix(row, "|") && !strings.HasSuffix(row, `\|`) {
		row = row[:len(row)-1]
	}
	var cells []string
	var cur strings.Builder
	code := false
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteByte('|')
			i++
		case row[i] == '`':
			code = !code
			cur.WriteByte('`')
		case row[i] == '|' && !code:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// listPrompt turns "**Saga Pattern:** Managing distributed transactions."
// into "Saga Pattern: Managing distributed transactions."
func listPrompt(s string) string {
	s = strings.TrimSpace(s)
	m := mdBoldTopic.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	topic := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(m[1]), ":"))
	if rest := strings.TrimSpace(m[2]); rest != "" {
		return topic + ": " + rest
	}
	return topic
}

// topicOf is the part of a prompt that names the topic, for making an id.
func topicOf(prompt string) string {
	if i := strings.Index(prompt, ": "); i > 0 && i < 60 {
		return prompt[:i]
	}
	return prompt
}

// stripBold removes bold markers but keeps inline code (and so dunder
// names such as __init__, which is why "__" bold is left alone).
func stripBold(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "**", ""))
}

// stripMarkdown removes emphasis and code markers.
func stripMarkdown(s string) string {
	return strings.TrimSpace(strings.NewReplacer("**", "", "__", "", "`", "", "*", "").Replace(s))
}
