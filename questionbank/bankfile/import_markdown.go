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

	// "Q1. What is MVCC?", "**Q2:** …", "Question 3: …", "Q: …"
	mdQLine    = regexp.MustCompile(`(?i)^(?:\*\*|__)?(?:q|question)\s*#?(\d*)\s*(?:\*\*|__)?\s*[.:)]\s*(?:\*\*|__)?\s*(.*)$`)
	mdQLineNum = regexp.MustCompile(`(?i)^(?:\*\*|__)?(?:q|question)\s*#?(\d+)(?:\*\*|__)?\s+(.*)$`)
	// "A: …", "**Answer:** …", "Ans: …", "Solution: …" (a colon: "a) …" is an
	// option of the question), or "**Answer**" on its own line
	mdALine     = regexp.MustCompile(`(?i)^(?:\*\*|__)?(?:a|ans|answer|solution)\s*#?(\d*)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$`)
	mdALineBare = regexp.MustCompile(`(?i)^(?:\*\*|__)?(?:answer|solution)()(?:\*\*|__)?()$`)
	// "**1. What is a generator?**" on a line of its own
	mdBoldNum = regexp.MustCompile(`^(?:\*\*|__)(\d+)[.)]\s+(.+?)(?:\*\*|__)$`)
	// question headings: "### Question 1", "### Q2: What is …?", "## 3. What is …?"
	mdHeadQ     = regexp.MustCompile(`(?i)^(?:q|question)\s*#?\s*(\d+)\s*[.:)\-–—]?\s*(.*)$`)
	mdHeadQText = regexp.MustCompile(`(?i)^(?:q|question)\s*[.:]\s*(.+)$`)
	mdNumHead   = regexp.MustCompile(`^(\d+)[.)]\s+(.+)$`)
	mdDetails   = regexp.MustCompile(`(?i)^</?details>$`)
	mdSummary   = regexp.MustCompile(`(?i)^(?:<details>)?\s*<summary>(.*?)</summary>\s*(.*)$`)
	mdFence     = regexp.MustCompile("^(`{3,}|~{3,})")
)

// markdownShapes is shown when a Markdown file holds no question.
const markdownShapes = `These shapes are understood (a short example of each):

  a table with a question column (and optionally #, answer, key concept, difficulty):
    | # | Question      | Answer                             |
    |---|---------------|------------------------------------|
    | 1 | What is MVCC? | Each transaction reads a snapshot. |

  a numbered list (bold topics optional; an indented Answer: line is the answer):
    1. **MVCC:** How do readers and writers avoid blocking each other?
       Answer: Each transaction reads a snapshot.

  Q/A lines:
    Q1. What is MVCC?
    A: Each transaction reads a snapshot.

  question headings, then the question, then the answer:
    ### Question 1
    What is MVCC?
    **Answer:** Each transaction reads a snapshot.

  numbered question headings (or a bold line), with the answer below:
    ## 1. What is MVCC?
    Each transaction reads a snapshot.

A heading such as "## Databases" above the questions names their category.`

// parseMarkdown reads question lists as people and language models write
// them (see markdownShapes): a heading per category, then a table (a
// question or topic column, optionally a number column, a key-concept
// column, an answer column and a difficulty column) or a numbered list
// whose items start with a bold topic. Indented bullets under a list item
// become its key concepts, and an "Answer:" (or "A:") line under it its
// answer. Question-and-answer documents work too: "Q1." and "A:" lines,
// "### Question 1" headings followed by the question and an answer
// section, and "## 1. What is …?" headings with the answer as their text.
// Code blocks are read as part of the question or answer they are in, and
// skipped elsewhere.
func parseMarkdown(file string, data []byte, opt ImportOptions) (*questionbank.Document, questionbank.ErrorList) {
	doc, cats, ids := newImport(file, opt)
	e := &errs{file: file}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")

	fallback := nameFromFile(file)
	heading, headingLine, description := "", 0, ""
	last, offset := 0, 0
	blockStart := true          // next numbered item starts a new block (new heading or table)
	var prev *questionbank.Card // the last list item, for its indented bullets and answer
	var table *mdTable
	var q *mdQuestion // a question from Q/A lines or a question heading, until it ends

	// the answer of the list item prev, while it is being read
	itemAnswer, answerIndent := []string(nil), -1
	endItemAnswer := func() {
		if prev != nil && answerIndent >= 0 {
			prev.Answer = tidyMarkdown(strings.Join(itemAnswer, "\n"))
		}
		itemAnswer, answerIndent = nil, -1
	}
	fence, fenceTo := "", 0 // the code block the lines are in, and where they go
	const (
		toNothing = iota
		toQuestion
		toItemAnswer
		toItemPrompt
	)
	blankBefore := false

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
	finish := func() {
		if q == nil {
			return
		}
		prompt, answer := q.text()
		if prompt == "" {
			e.add(q.line, "prompt", "%s", q.emptyMessage())
		} else {
			add(q.line, q.n, prompt, nil, answer, "")
		}
		q = nil
	}
	endItem := func() {
		endItemAnswer()
		prev = nil
	}

	for i := 0; i < len(lines); i++ {
		ln, text := i+1, lines[i]
		trimmed := strings.TrimSpace(text)
		blank := blankBefore
		blankBefore = trimmed == ""

		// code blocks belong to the question or answer they are in
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			switch fenceTo {
			case toQuestion:
				q.addLine(text)
			case toItemAnswer:
				itemAnswer = append(itemAnswer, dedent(text, answerIndent))
			case toItemPrompt:
				prev.Prompt += "\n" + dedent(text, indentOf(text))
			}
			continue
		}
		if m := mdFence.FindString(trimmed); m != "" {
			fence, fenceTo = m, toNothing
			switch {
			case q != nil:
				fenceTo = toQuestion
				q.addLine(text)
			case prev != nil && answerIndent >= 0:
				fenceTo = toItemAnswer
				itemAnswer = append(itemAnswer, dedent(text, answerIndent))
			case prev != nil && indentOf(text) >= 2:
				fenceTo = toItemPrompt
				prev.Prompt += "\n" + trimmed
			default:
				endItem()
			}
			continue
		}

		// tables
		if q == nil && strings.HasPrefix(trimmed, "|") {
			if table == nil {
				if i+1 < len(lines) && mdTableSep.MatchString(lines[i+1]) {
					endItem()
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
			level, title := len(m[1]), stripMarkdown(m[2])
			if q != nil && q.heading > 0 && level > q.heading { // a heading inside a question's section
				if isAnswerTitle(title) {
					q.markAnswer("")
				} else {
					q.addLine(text)
				}
				continue
			}
			finish()
			endItem()
			if n, head, ok := questionHeading(m[2], lines[i+1:]); ok {
				q = &mdQuestion{line: ln, n: n, heading: level, head: head}
				continue
			}
			heading = mdHeadCount.ReplaceAllString(mdHeadNum.ReplaceAllString(title, ""), "")
			headingLine, description, blockStart = ln, "", true
			continue
		}

		// Q/A lines, and the lines of the question being read
		qm := qaLine(mdQLine, mdQLineNum, trimmed)
		if q != nil {
			switch am := qaLine(mdALine, mdALineBare, trimmed); {
			case q.heading == boldLevel && mdBoldNum.MatchString(trimmed):
				finish()
				q = boldQuestion(ln, trimmed)
			case qm != nil && q.heading > 0 && !q.inAnswer && q.head == "" && !hasText(q.prompt):
				q.addLine(qm.text) // "### Question 1" then "Q: What is …?"
			case qm != nil && indentOf(text) < 2:
				finish()
				q = &mdQuestion{line: ln, n: qm.n, head: qm.text}
			case am != nil && !q.inAnswer:
				q.markAnswer(am.text)
			case mdDetails.MatchString(trimmed):
			case mdSummary.MatchString(trimmed):
				sm := mdSummary.FindStringSubmatch(trimmed)
				if isAnswerTitle(stripMarkdown(sm[1])) && !q.inAnswer {
					q.markAnswer(sm[2])
				} else {
					q.addLine(strings.TrimSpace(sm[1] + " " + sm[2]))
				}
			case trimmed == "---" || trimmed == "***" || trimmed == "___":
				if q.heading == 0 {
					finish()
				}
			default:
				q.addLine(strings.TrimRight(text, " \t"))
			}
			continue
		}
		if qm != nil && indentOf(text) < 2 {
			endItem()
			q = &mdQuestion{line: ln, n: qm.n, head: qm.text}
			continue
		}
		if bq := boldQuestion(ln, trimmed); bq != nil {
			endItem()
			q = bq
			continue
		}

		// the answer under a list item
		if prev != nil {
			if am := qaLine(mdALine, mdALineBare, trimmed); am != nil && answerIndent < 0 {
				answerIndent = indentOf(text)
				itemAnswer = []string{am.text}
				continue
			}
			if answerIndent >= 0 {
				indented := indentOf(text) >= 2 || indentOf(text) >= answerIndent && answerIndent > 0
				lazy := !blank && trimmed != "" && !mdNumbered.MatchString(text) && !mdBullet.MatchString(text) && !strings.HasPrefix(trimmed, "|")
				if trimmed == "" || indented || lazy {
					itemAnswer = append(itemAnswer, dedent(text, answerIndent))
					continue
				}
				endItemAnswer()
			}
		}

		if m := mdItalic.FindStringSubmatch(trimmed); m != nil && heading != "" && description == "" && prev == nil {
			description = strings.TrimSpace(m[1])
			continue
		}
		if m := mdNumbered.FindStringSubmatch(text); m != nil && len(m[1]) < 2 {
			endItem()
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
				endItem()
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
		endItem()
	}
	finish()
	endItemAnswer()
	return doc, e.list
}

// mdQuestion is a question being read from Q/A lines or under a question
// heading: the lines before its answer marker, and the lines after it.
type mdQuestion struct {
	line, n  int
	heading  int    // the heading's level; 0 for Q/A lines
	head     string // the question text on the heading or Q line
	prompt   []string
	answer   []string
	inAnswer bool
}

func (q *mdQuestion) addLine(s string) {
	if q.inAnswer {
		q.answer = append(q.answer, s)
	} else {
		q.prompt = append(q.prompt, s)
	}
}

// markAnswer starts the answer, with the text after the marker.
func (q *mdQuestion) markAnswer(rest string) {
	q.inAnswer = true
	if strings.TrimSpace(rest) != "" {
		q.answer = append(q.answer, rest)
	}
}

// text returns the question and the answer. Without an answer marker, the
// text under a question heading is the answer when the heading holds the
// question, and otherwise its first paragraph is the question and the
// rest the answer.
func (q *mdQuestion) text() (prompt, answer string) {
	lines, rest := q.prompt, q.answer
	if !q.inAnswer && q.heading > 0 {
		if q.head != "" {
			lines, rest = nil, q.prompt
		} else {
			lines, rest = firstParagraph(q.prompt)
		}
	}
	return unwrap(append([]string{q.head}, lines...)), tidyMarkdown(strings.Join(dedentAll(rest), "\n"))
}

func (q *mdQuestion) emptyMessage() string {
	if q.heading > 0 {
		return "the question under this heading is empty: write it on the heading line (\"### Question 1: What is …?\") or on the line below"
	}
	return "the question is empty: write it after the Q (\"Q1. What is …?\")"
}

type qaMatch struct {
	n    int
	text string
}

// qaLine matches a Q or A line, returning its number (0 for none) and the
// text after the marker, without a bold marker left from "**Q1: …**".
func qaLine(re, alt *regexp.Regexp, s string) *qaMatch {
	m := re.FindStringSubmatch(s)
	if m == nil && alt != nil {
		m = alt.FindStringSubmatch(s)
	}
	if m == nil {
		return nil
	}
	n, _ := strconv.Atoi(m[1])
	text := strings.TrimSpace(m[2])
	for _, b := range []string{"**", "__"} {
		if strings.HasSuffix(text, b) && strings.Count(text, b)%2 == 1 {
			text = strings.TrimSpace(strings.TrimSuffix(text, b))
		}
	}
	return &qaMatch{n, text}
}

// questionHeading reports whether a heading is a question rather than a
// category: "Question 1" or "Q1: What is …?", or a numbered heading whose
// text is a question ("1. What is MVCC?", "2. Explain the GIL") unless
// (for one without a question mark) a table or list of questions follows.
// It returns the number and the question on the heading line.
func questionHeading(raw string, after []string) (int, string, bool) {
	raw = stripBold(raw)
	title := stripMarkdown(raw)
	if m := mdHeadQ.FindStringSubmatch(title); m != nil {
		n, _ := strconv.Atoi(m[1])
		if r := mdHeadQ.FindStringSubmatch(raw); r != nil {
			return n, strings.TrimSpace(r[2]), true
		}
		return n, strings.TrimSpace(m[2]), true
	}
	if m := mdHeadQText.FindStringSubmatch(raw); m != nil {
		return 0, strings.TrimSpace(m[1]), true
	}
	m := mdNumHead.FindStringSubmatch(raw)
	if m == nil || mdHeadCount.MatchString(title) {
		return 0, "", false
	}
	n, _ := strconv.Atoi(m[1])
	text := strings.TrimSpace(m[2])
	if strings.HasSuffix(text, "?") {
		return n, text, true
	}
	first, _, _ := strings.Cut(strings.ToLower(stripMarkdown(text)), " ")
	if !questionWords[first] {
		return 0, "", false
	}
	for _, l := range after {
		t := strings.TrimSpace(l)
		if mdHeading.MatchString(l) || mdFence.MatchString(t) {
			break
		}
		if strings.HasPrefix(t, "|") || qaLine(mdQLine, mdQLineNum, t) != nil {
			return 0, "", false
		}
		if b := mdBullet.FindStringSubmatch(l); mdNumbered.MatchString(l) && indentOf(l) < 2 || b != nil && len(b[1]) < 2 && mdBoldTopic.MatchString(b[2]) {
			return 0, "", false
		}
	}
	return n, text, true
}

// boldLevel is the heading level of a bold numbered question: below every
// heading, so that any heading ends it.
const boldLevel = 7

// boldQuestion reads "**1. What is a generator?**", a line that stands
// for a numbered question heading; nil when the line is not one, or its
// text asks nothing (a bold "**3. Notes**").
func boldQuestion(line int, s string) *mdQuestion {
	m := mdBoldNum.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	n, _ := strconv.Atoi(m[1])
	text := strings.TrimSpace(m[2])
	first, _, _ := strings.Cut(strings.ToLower(stripMarkdown(text)), " ")
	if !strings.HasSuffix(text, "?") && !questionWords[first] {
		return nil
	}
	return &mdQuestion{line: line, n: n, heading: boldLevel, head: text}
}

// questionWords start the headings that ask something without a question
// mark ("## 2. Explain the GIL").
var questionWords = map[string]bool{
	"what": true, "why": true, "how": true, "when": true, "where": true, "which": true, "who": true,
	"explain": true, "describe": true, "compare": true, "define": true, "design": true, "implement": true,
	"write": true, "name": true, "list": true, "give": true, "is": true, "are": true, "can": true,
	"does": true, "do": true, "should": true, "would": true, "walk": true, "tell": true,
	"contrast": true, "discuss": true, "outline": true, "summarize": true, "summarise": true,
}

func isAnswerTitle(s string) bool {
	s = strings.ToLower(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ":")))
	switch s {
	case "answer", "answers", "a", "solution", "model answer", "sample answer", "show answer", "suggested answer":
		return true
	}
	return false
}

func hasText(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return true
		}
	}
	return false
}

// firstParagraph splits lines after the first paragraph.
func firstParagraph(lines []string) (para, rest []string) {
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	j := i
	for j < len(lines) && strings.TrimSpace(lines[j]) != "" {
		j++
	}
	return lines[i:j], lines[j:]
}

// unwrap joins the lines of a question: lines of one paragraph with a
// space, as Markdown shows them, but lists, tables and code blocks line
// by line.
func unwrap(lines []string) string {
	var b strings.Builder
	fence, plainBefore := "", false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if fence != "" || mdFence.MatchString(t) {
			if fence == "" {
				fence = mdFence.FindString(t)
			} else if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			b.WriteString("\n" + l)
			plainBefore = false
			continue
		}
		plain := t != "" && !mdNumbered.MatchString(l) && !mdBullet.MatchString(l) && !strings.HasPrefix(t, "|") && !strings.HasPrefix(t, ">")
		switch {
		case t == "":
			b.WriteString("\n")
		case plain && plainBefore:
			b.WriteString(" " + t)
		case plain:
			b.WriteString("\n" + t)
		default:
			b.WriteString("\n" + strings.TrimRight(l, " \t"))
		}
		plainBefore = plain
	}
	return tidyMarkdown(b.String())
}

func indentOf(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// dedent removes up to n columns of indentation.
func dedent(s string, n int) string {
	i := 0
	for i < len(s) && n > 0 && (s[i] == ' ' || s[i] == '\t') {
		if s[i] == '\t' {
			n -= 4
		} else {
			n--
		}
		i++
	}
	return s[i:]
}

// dedentAll removes the indentation the non-empty lines share.
func dedentAll(lines []string) []string {
	least := -1
	for _, l := range lines {
		if strings.TrimSpace(l) != "" && (least < 0 || indentOf(l) < least) {
			least = indentOf(l)
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = dedent(l, least)
	}
	return out
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
