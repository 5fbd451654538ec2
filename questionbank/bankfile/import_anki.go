package bankfile

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prepbot/prepbot/questionbank"
)

// Anki's text files, as its manual describes them:
//
//   - importing, https://docs.ankiweb.net/importing/text-files.html: one
//     note a line, fields separated by a character; a field that holds the
//     separator, a quote or a line break is quoted CSV-style ("" is a
//     quote); lines starting with # are comments; "File Headers" at the top,
//     #key:value lines: separator (Comma, Semicolon, Tab, Space, Pipe, Colon
//     or the character itself), html (true or false), tags, columns (names
//     separated by the separator), notetype, deck, and "notetype column",
//     "deck column", "tags column", "guid column" (1-based column numbers);
//     an old-style "tags:" line may come first;
//   - exporting, https://docs.ankiweb.net/exporting.html#text-files: "Notes
//     in Plain Text" writes those headers and one note a line, tab-separated,
//     with the fields' HTML kept.

// ankiSeparators are the separators Anki names in #separator.
var ankiSeparators = []struct {
	name string
	r    rune
}{{"tab", '\t'}, {"comma", ','}, {"semicolon", ';'}, {"space", ' '}, {"pipe", '|'}, {"colon", ':'}}

var ankiHeaderKeys = map[string]bool{
	"separator": true, "html": true, "tags": true, "columns": true, "notetype": true, "deck": true,
	"notetype column": true, "deck column": true, "tags column": true, "guid column": true,
}

// hasAnkiHeader reports whether a file starts with one of the #key:value
// headers of Anki's text files (or the old "tags:" line). A Markdown
// heading has a space after its #s, so "#separator:tab" is never one.
func hasAnkiHeader(data []byte) bool {
	first := firstLine(data)
	if strings.HasPrefix(first, "tags:") {
		return true
	}
	k, _, ok := strings.Cut(strings.TrimPrefix(first, "#"), ":")
	return ok && strings.HasPrefix(first, "#") && ankiHeaderKeys[strings.ToLower(strings.TrimSpace(k))]
}

// looksLikeAnkiText reports whether a .txt file is an Anki export: it has
// Anki's headers, or (an export from before Anki 2.1.54, without them) its
// first line is tab-separated, which Markdown and prose rarely are.
func looksLikeAnkiText(data []byte) bool {
	first := firstLine(data)
	return hasAnkiHeader(data) || strings.Contains(first, "\t") && !strings.HasPrefix(first, "#") && !strings.HasPrefix(first, "|")
}

func firstLine(data []byte) string {
	head := strings.TrimPrefix(string(data[:min(len(data), 4096)]), "\ufeff")
	first, _, _ := strings.Cut(head, "\n")
	return strings.TrimRight(first, "\r")
}

type ankiHeader struct {
	sep                                    rune
	html, htmlSet                          bool
	columns                                []string
	deck, notetype                         string
	tags                                   []string
	notetypeCol, deckCol, tagsCol, guidCol int // 1-based; 0 for none
}

// parseAnki reads an Anki text export (see above). Each note is a card:
// the Front field (or the first field that is not a deck, tags, note type
// or GUID column) is the prompt and the Back field (or the next one) the
// answer; a cloze note ({{c1::…}}) gives a card per cloze number, its
// prompt with that cloze shown as [...] and the cloze text as the answer.
// The deck column (or #deck, or the file's name) is the category and the
// tags column the card's tags; GUIDs and note types are not kept.
func parseAnki(file string, data []byte, opt ImportOptions) (*questionbank.Document, questionbank.ErrorList) {
	doc, cats, ids := newImport(file, opt)
	e := &errs{file: file}
	text := string(data)

	h, body, bodyLine := parseAnkiHeader(e, text)
	if len(e.list) > 0 {
		return doc, e.list
	}
	if h.sep == 0 {
		h.sep = sniffAnkiSeparator(body)
	}
	if h.columns != nil { // names, separated (and quoted) like the notes
		if cols, err := readAnkiRecords(h.columns[0], h.sep, 1); err == nil && len(cols) == 1 {
			h.columns = cols[0].fields
		} else {
			h.columns = strings.Split(h.columns[0], string(h.sep))
		}
	}
	records, err := readAnkiRecords(body, h.sep, bodyLine)
	if err != nil {
		e.add(err.line, "", "%s", err.msg)
		return doc, e.list
	}
	if !h.htmlSet {
		h.html = slices.ContainsFunc(records, func(r ankiRecord) bool { return slices.ContainsFunc(r.fields, looksLikeHTML) })
	}

	meta := map[int]bool{h.notetypeCol: true, h.deckCol: true, h.tagsCol: true, h.guidCol: true}
	name := func(i int) string { // a column's name for messages
		if i < len(h.columns) && strings.TrimSpace(h.columns[i]) != "" {
			return fmt.Sprintf("%s (column %d)", strings.TrimSpace(h.columns[i]), i+1)
		}
		return fmt.Sprintf("column %d", i+1)
	}
	// Named columns: Front/Back (Basic), Text/Back Extra (Cloze), or
	// Question/Answer; Deck and Tags columns by name too.
	front, back := -1, -1
	for i, c := range h.columns {
		switch strings.ToLower(strings.TrimSpace(c)) {
		case "front", "question", "prompt", "text", "q":
			if front < 0 && !meta[i+1] {
				front = i
			}
		case "back", "answer", "back extra", "extra", "a":
			if back < 0 && !meta[i+1] {
				back = i
			}
		case "deck":
			if h.deckCol == 0 {
				h.deckCol = i + 1
			}
		case "tags":
			if h.tagsCol == 0 {
				h.tagsCol = i + 1
			}
		}
	}
	meta = map[int]bool{h.notetypeCol: true, h.deckCol: true, h.tagsCol: true, h.guidCol: true}
	// Otherwise the first column that is not a deck, tags, note type or
	// GUID column is the question and the next such one the answer.
	for i := 0; front < 0 || back < 0; i++ {
		if meta[i+1] || i == front || i == back {
			continue
		}
		if front < 0 {
			front = i
		} else {
			back = i
		}
	}

	field := func(r ankiRecord, i int) string {
		if i < 0 || i >= len(r.fields) {
			return ""
		}
		return r.fields[i]
	}
	convert := func(s string) string {
		if h.html {
			return htmlToMarkdown(s)
		}
		return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	}
	fallback := h.deck
	if fallback == "" {
		fallback = nameFromFile(file)
	}
	for _, r := range records {
		empty := true
		for i, f := range r.fields {
			if !meta[i+1] && strings.TrimSpace(f) != "" {
				empty = false
				break
			}
		}
		if empty {
			continue // a note with no text
		}
		deck := strings.TrimSpace(field(r, h.deckCol-1))
		if deck == "" {
			deck = fallback
		}
		cat := cats.use(deck, "", r.line)
		var tags []string
		for _, t := range append(slices.Clone(h.tags), strings.Fields(field(r, h.tagsCol-1))...) {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		rawFront, rawBack := field(r, front), field(r, back)
		notetype := h.notetype
		if h.notetypeCol > 0 {
			notetype = field(r, h.notetypeCol-1)
		}
		// A cloze note: of a Cloze note type, or with cloze deletions when the
		// file names no note type (a Basic note shows "{{c1::…}}" as it is).
		var cloze []clozeCard
		if clozeRE.MatchString(rawFront) && (notetype == "" || strings.Contains(strings.ToLower(notetype), "cloze")) {
			var problem string
			if cloze, problem = clozeCards(rawFront); problem != "" {
				e.add(r.line, name(front), "%s", problem)
				continue
			}
		}
		if len(cloze) > 0 { // (a field whose deletions are all unclosed is a note like any other)
			extra := convert(rawBack)
			for _, cc := range cloze {
				prompt, answer := convert(cc.prompt), convert(cc.answer)
				if prompt == "" { // the deletion was inside markup that shows nothing
					e.add(r.line, name(front), "has no text once its HTML is removed: the cloze deletions must be in the text Anki shows")
					break
				}
				if extra != "" {
					answer = strings.TrimSpace(answer + "\n\n" + extra)
				}
				c := &questionbank.Card{Category: cat, Number: len(doc.Cards) + 1, Prompt: prompt, Answer: answer, Tags: tags}
				c.ID = ids.make(cat, prompt)
				addCard(doc, c, r.line)
			}
			continue
		}
		prompt := convert(rawFront)
		if prompt == "" {
			what := "empty"
			if strings.TrimSpace(rawFront) != "" {
				what = "has no text once its HTML is removed"
			}
			e.add(r.line, name(front), "%s: every note needs its question in this field; fill it in (in Anki, or in this file) or delete the line", what)
			continue
		}
		c := &questionbank.Card{Category: cat, Number: len(doc.Cards) + 1, Prompt: prompt, Answer: convert(rawBack), Tags: tags}
		c.ID = ids.make(cat, prompt)
		addCard(doc, c, r.line)
	}
	return doc, e.list
}

// parseAnkiHeader reads the header lines at the top of the text and returns
// them with the rest of the text and the line the rest starts on.
func parseAnkiHeader(e *errs, text string) (h ankiHeader, body string, bodyLine int) {
	line := 1
	rest := text
	next := func() (string, string) {
		l, r, found := strings.Cut(rest, "\n")
		if !found {
			r = ""
		}
		return strings.TrimSuffix(l, "\r"), r
	}
	if l, r := next(); strings.HasPrefix(l, "tags:") { // the old syntax, allowed on the first line only
		h.tags = strings.Fields(strings.TrimPrefix(l, "tags:"))
		rest, line = r, line+1
	}
	for strings.HasPrefix(rest, "#") {
		l, r := next()
		key, value, ok := strings.Cut(l[1:], ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if ok && ankiHeaderKeys[key] {
			h.set(e, line, key, value)
		}
		rest, line = r, line+1
	}
	return h, rest, line
}

func (h *ankiHeader) set(e *errs, line int, key, value string) {
	v := strings.TrimSpace(value)
	field := "#" + key
	switch key {
	case "separator":
		for _, s := range ankiSeparators {
			if strings.EqualFold(v, s.name) || value == string(s.r) {
				h.sep = s.r
				return
			}
		}
		e.add(line, field, "%q is not a separator Anki knows: write Tab, Comma, Semicolon, Space, Pipe or Colon (or the character itself)", value)
	case "html":
		switch strings.ToLower(v) {
		case "true":
			h.html, h.htmlSet = true, true
		case "false":
			h.html, h.htmlSet = false, true
		default:
			e.add(line, field, "%q: write true (the fields are HTML) or false (plain text)", value)
		}
	case "tags":
		h.tags = append(h.tags, strings.Fields(v)...)
	case "columns":
		h.columns = []string{value} // split once the separator is known
	case "notetype":
		h.notetype = v
	case "deck":
		h.deck = v
	default: // the column numbers
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			e.add(line, field, "%q is not a column number: write 1 for the first column, 2 for the second, and so on", value)
			return
		}
		switch key {
		case "notetype column":
			h.notetypeCol = n
		case "deck column":
			h.deckCol = n
		case "tags column":
			h.tagsCol = n
		case "guid column":
			h.guidCol = n
		}
	}
}

// sniffAnkiSeparator picks the separator of a file without a #separator
// header from its first note: a tab, else (as the manual says) a
// semicolon, else a comma, else a pipe. A line with none of them is one
// field.
func sniffAnkiSeparator(body string) rune {
	first := body
	for {
		l, r, found := strings.Cut(first, "\n")
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") || !found {
			first = l
			break
		}
		first = r
	}
	for _, r := range []rune{'\t', ';', ',', '|'} {
		if strings.ContainsRune(first, r) {
			return r
		}
	}
	return '\t'
}

var htmlLike = regexp.MustCompile(`(?i)<(?:/?(?:br|div|p|span|b|i|u|s|strong|em|img|a|ul|ol|li|pre|code|font|sub|sup|table|tr|td|th|hr|h[1-6]|blockquote|script|style)[\s/>]|!--)|&(?:[a-z]+|#[0-9]+|#x[0-9a-f]+);`)

// looksLikeHTML guesses, as Anki does when a file does not say #html,
// whether a field is HTML: it has a common tag or an entity (so the
// generic "List<T>" in a plain-text card stays text).
func looksLikeHTML(s string) bool { return htmlLike.MatchString(s) }

type ankiRecord struct {
	line   int
	fields []string
}

type ankiError struct {
	line int
	msg  string
}

// readAnkiRecords splits text into records the way Anki's CSV reader does:
// fields separated by sep, records by line breaks (\n, \r\n or \r); a field
// that starts with a quote runs to the next lone quote ("" is a quote) and
// may hold separators and line breaks; a quote elsewhere is a character;
// empty lines and lines starting with # are skipped. A quote that is never
// closed is an error: Anki would swallow the rest of the file into one
// field.
func readAnkiRecords(text string, sep rune, line int) ([]ankiRecord, *ankiError) {
	var out []ankiRecord
	i := 0
	n := len(text)
	atEOL := func(j int) bool { return j >= n || text[j] == '\n' || text[j] == '\r' }
	skipEOL := func(j int) int {
		if j < n && text[j] == '\r' {
			j++
			if j < n && text[j] == '\n' {
				j++
			}
			return j
		}
		if j < n && text[j] == '\n' {
			j++
		}
		return j
	}
	for i < n {
		if atEOL(i) { // an empty line
			i = skipEOL(i)
			line++
			continue
		}
		if text[i] == '#' { // a comment
			for i < n && !atEOL(i) {
				i++
			}
			continue
		}
		rec := ankiRecord{line: line}
		for {
			var f strings.Builder
			if text[i] == '"' {
				start := line
				i++
				for {
					if i >= n {
						return out, &ankiError{start, "this field opens with a quote that is never closed: end it with \" (and write a quote inside a field as \"\")"}
					}
					c := text[i]
					if c == '"' {
						if i+1 < n && text[i+1] == '"' {
							f.WriteByte('"')
							i += 2
							continue
						}
						i++
						break
					}
					if c == '\n' || c == '\r' && (i+1 >= n || text[i+1] != '\n') {
						line++
					}
					f.WriteByte(c)
					i++
				}
			}
			for i < n && !atEOL(i) { // unquoted text, or what follows a closing quote
				r, size := rune(text[i]), 1
				if r >= 0x80 {
					r, size = utf8.DecodeRuneInString(text[i:])
				}
				if r == sep {
					break
				}
				f.WriteString(text[i : i+size])
				i += size
			}
			rec.fields = append(rec.fields, f.String())
			if i < n && !atEOL(i) { // a separator
				_, size := utf8.DecodeRuneInString(text[i:])
				i += size
				if i >= n || atEOL(i) { // a trailing separator: one more, empty field
					rec.fields = append(rec.fields, "")
					break
				}
				continue
			}
			break
		}
		out = append(out, rec)
		if i < n {
			i = skipEOL(i)
			line++
		}
	}
	return out, nil
}

var clozeRE = regexp.MustCompile(`\{\{c\d+::`)

// clozeSeg is a piece of a cloze field: text, or a deletion ({{cN::text}}
// or {{cN::text::hint}}) with its own pieces, for nested deletions.
type clozeSeg struct {
	text  string
	n     int // 0 for text
	inner []clozeSeg
	hint  string
}

type clozeCard struct{ prompt, answer string }

// maxClozes bounds the cloze numbers of one note (Anki makes a card for
// each; a hostile file could ask for millions of copies of a long field).
const (
	maxClozes     = 100
	maxClozeBytes = 16 << 20
)

// clozeCards makes a card for each cloze number of a field, in number
// order, as Anki does: that number's deletions are shown as [...] (or
// [hint]) and the others as their text. The answer is the deleted text.
func clozeCards(field string) ([]clozeCard, string) {
	segs, _ := parseCloze(field, 0, 0)
	nums := map[int]bool{}
	var walk func([]clozeSeg)
	walk = func(ss []clozeSeg) {
		for _, s := range ss {
			if s.n > 0 {
				nums[s.n] = true
				walk(s.inner)
			}
		}
	}
	walk(segs)
	if len(nums) > maxClozes || len(nums)*len(field) > maxClozeBytes {
		return nil, fmt.Sprintf("has %d cloze numbers in %d bytes: split the note (Anki makes a card of the whole field for each number; at most %d numbers, %d bytes of cards)", len(nums), len(field), maxClozes, maxClozeBytes)
	}
	var out []clozeCard
	for _, k := range slices.Sorted(mapKeys(nums)) {
		var prompt, answer strings.Builder
		var answers []string
		renderCloze(&prompt, segs, k, &answers)
		for i, a := range answers {
			if i > 0 {
				answer.WriteString(", ")
			}
			answer.WriteString(a)
		}
		out = append(out, clozeCard{prompt.String(), answer.String()})
	}
	return out, ""
}

func mapKeys(m map[int]bool) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// renderCloze writes the field as card k shows it and gathers the text of
// its deletions.
func renderCloze(b *strings.Builder, segs []clozeSeg, k int, answers *[]string) {
	for _, s := range segs {
		switch {
		case s.n == 0:
			b.WriteString(s.text)
		case s.n == k:
			if s.hint != "" {
				b.WriteString("[" + s.hint + "]")
			} else {
				b.WriteString("[...]")
			}
			var a strings.Builder
			renderCloze(&a, s.inner, -1, nil)
			*answers = append(*answers, a.String())
		default:
			renderCloze(b, s.inner, k, answers)
		}
	}
}

// maxClozeDepth bounds nested deletions; deeper ones are kept as text.
const maxClozeDepth = 8

// parseCloze reads pieces from s[i:] up to the "}}" that closes the
// deletion at depth (or the end at depth 0) and returns them with the
// index after that "}}". Anything that is not a complete deletion is text.
func parseCloze(s string, i, depth int) ([]clozeSeg, int) {
	var segs []clozeSeg
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			segs = append(segs, clozeSeg{text: text.String()})
			text.Reset()
		}
	}
	for i < len(s) {
		if depth > 0 && strings.HasPrefix(s[i:], "}}") {
			flush()
			return segs, i + 2
		}
		if depth < maxClozeDepth && strings.HasPrefix(s[i:], "{{c") {
			j := i + 3
			for j < len(s) && s[j] >= '0' && s[j] <= '9' && j-i < 9 {
				j++
			}
			if j > i+3 && strings.HasPrefix(s[j:], "::") {
				n, _ := strconv.Atoi(s[i+3 : j])
				inner, end := parseCloze(s, j+2, depth+1)
				if end < 0 { // never closed: the opening is text
					text.WriteString(s[i : j+2])
					for _, seg := range inner {
						text.WriteString(segText(seg))
					}
					i = len(s)
					continue
				}
				flush()
				seg := clozeSeg{n: max(n, 1), inner: inner}
				splitHint(&seg)
				segs = append(segs, seg)
				i = end
				continue
			}
		}
		text.WriteByte(s[i])
		i++
	}
	flush()
	if depth > 0 {
		return segs, -1
	}
	return segs, i
}

// splitHint moves the text after the last "::" of a deletion's top-level
// text into its hint.
func splitHint(seg *clozeSeg) {
	for i := len(seg.inner) - 1; i >= 0; i-- {
		t := seg.inner[i]
		if t.n != 0 {
			continue
		}
		if before, hint, ok := strings.Cut(t.text, "::"); ok {
			seg.hint = hint
			seg.inner = append(slices.Clone(seg.inner[:i]), clozeSeg{text: before})
			return
		}
	}
}

// segText is a piece written back as the source had it.
func segText(s clozeSeg) string {
	if s.n == 0 {
		return s.text
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{{c%d::", s.n)
	for _, in := range s.inner {
		b.WriteString(segText(in))
	}
	if s.hint != "" {
		b.WriteString("::" + s.hint)
	}
	b.WriteString("}}")
	return b.String()
}
