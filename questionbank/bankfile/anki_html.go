package bankfile

import (
	"bytes"
	"html"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlToMarkdown turns the HTML of an Anki field into the Markdown a card
// holds, keeping what the HTML says and none of its markup:
//
//   - the contents of <script>, <style> and other elements that show no
//     text are removed with them, as are comments;
//   - <br> is a line break, <div>, <p>, headings and list items start new
//     lines (<p> and headings a new paragraph), <li> is a "- " or "1. "
//     item, nested lists are indented;
//   - <b>/<strong>, <i>/<em>, <s>/<del>, <code> and <pre> become **bold**,
//     *italics*, ~~struck~~, `code` and fenced code blocks (with the
//     language of a "language-…" class), <a href="https://…"> a Markdown
//     link, <img> the text "[image: NAME]";
//   - every other tag is dropped and its text kept;
//   - entities are decoded (&lt;b&gt; is the text "<b>", never a tag) and
//     runs of white space are one space, as a browser shows them (but not
//     inside <pre>).
//
// Text is kept as text: "@everyone" or "<@123>" written in a field stays
// those characters, which the chat adapters send without pinging anyone
// (as they do for every card). The work is linear in the input: a tag
// that is never closed ends the field.
func htmlToMarkdown(s string) string {
	c := &htmlConv{}
	c.run(s)
	return tidyMarkdown(string(c.out))
}

// maxIndent bounds the indentation of nested lists.
const maxIndent = 24

type htmlList struct {
	ordered bool
	n       int    // the next item's number
	indent  string // where this list's markers go
	item    string // the indentation of its current item's text
}

type htmlConv struct {
	out     []byte
	space   bool   // white space is pending between words
	noSpace bool   // just after an opening marker: drop leading white space
	lead    string // written before the next text on this line (a list marker, a heading's #s)
	blank   bool   // an empty line is due before what comes next (unless it is a list)
	lists   []htmlList
	marks   []htmlMark // open inline markers, innermost last
	code    *strings.Builder
	pre     *strings.Builder
	preLang string
	href    []string // the links open, innermost last ("" for one that is not a link)
}

type htmlMark struct {
	tag, open, close string
	at               int // len(out) just after the opening marker was written
}

// indent is the indentation of a continuation line in the current list item.
func (c *htmlConv) indent() string {
	if n := len(c.lists); n > 0 {
		return c.lists[n-1].item
	}
	return ""
}

func (c *htmlConv) atLineStart() bool { return len(c.out) == 0 || c.out[len(c.out)-1] == '\n' }

// newline ends the current line, if anything is on it.
func (c *htmlConv) newline() {
	c.space = false
	if c.lead != "" {
		return // nothing written on the item's line yet
	}
	if !c.atLineStart() {
		c.out = append(c.out, '\n')
	}
}

// paragraph leaves an empty line before what follows, but for a list: in
// Markdown a list may follow a paragraph's last line directly, and
// "Intro:" just above its list is how people write them.
func (c *htmlConv) paragraph() {
	c.newline()
	if c.lead != "" || len(c.out) == 0 || bytes.HasSuffix(c.out, []byte("\n\n")) {
		return
	}
	c.blank = true
}

func (c *htmlConv) flushBlank() {
	if c.blank {
		c.blank = false
		if !bytes.HasSuffix(c.out, []byte("\n\n")) {
			c.out = append(c.out, '\n')
		}
	}
}

// startText gets ready to write text: the line's indentation or pending
// marker, and a pending space.
func (c *htmlConv) startText() {
	c.flushBlank()
	if c.atLineStart() {
		if c.lead != "" {
			c.out = append(c.out, c.lead...)
			c.lead = ""
		} else {
			c.out = append(c.out, c.indent()...)
		}
		c.space = false
	} else if c.space && !c.noSpace {
		c.out = append(c.out, ' ')
	}
	c.space, c.noSpace = false, false
}

// text writes decoded text, collapsing white space.
func (c *htmlConv) text(s string) {
	if c.pre != nil {
		c.pre.WriteString(s)
		return
	}
	if c.code != nil {
		for _, r := range s {
			if isHTMLSpace(r) {
				if n := c.code.Len(); n == 0 || c.code.String()[n-1] != ' ' {
					c.code.WriteByte(' ')
				}
				continue
			}
			c.code.WriteRune(r)
		}
		return
	}
	for _, r := range s {
		if isHTMLSpace(r) {
			if !c.atLineStart() || c.lead != "" {
				c.space = true
			}
			continue
		}
		c.startText()
		c.out = utf8.AppendRune(c.out, r)
	}
}

// literal writes text that is already Markdown (inline code, a marker).
func (c *htmlConv) literal(s string) {
	c.startText()
	c.out = append(c.out, s...)
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0'
}

func (c *htmlConv) openMark(tag, open, close string) {
	if c.pre != nil || c.code != nil {
		return
	}
	c.literal(open)
	c.noSpace = true
	c.marks = append(c.marks, htmlMark{tag: tag, open: open, close: close, at: len(c.out)})
}

func (c *htmlConv) closeMark(tag string) {
	if c.pre != nil || c.code != nil {
		return
	}
	i := len(c.marks) - 1
	for i >= 0 && c.marks[i].tag != tag {
		i--
	}
	if i < 0 {
		return // a closing tag that was never opened
	}
	for len(c.marks) > i { // close what is still open inside it, innermost first
		m := c.marks[len(c.marks)-1]
		c.marks = c.marks[:len(c.marks)-1]
		if len(c.out) == m.at { // nothing inside: drop the opening marker
			c.out = c.out[:m.at-len(m.open)]
			c.noSpace = false
			continue
		}
		c.out = append(c.out, m.close...)
		c.noSpace = false
	}
}

// closeAllMarks closes the inline markers still open, before a block
// boundary where Markdown emphasis cannot continue.
func (c *htmlConv) closeAllMarks() {
	for len(c.marks) > 0 {
		c.closeMark(c.marks[len(c.marks)-1].tag)
	}
}

// skipUntil are the elements whose content is never shown as text.
var skipUntil = map[string]bool{
	"script": true, "style": true, "template": true, "head": true, "title": true,
	"iframe": true, "object": true, "svg": true, "noscript": true, "canvas": true,
	"audio": true, "video": true, "select": true,
}

var blockTags = map[string]bool{
	"div": true, "section": true, "article": true, "header": true, "footer": true,
	"blockquote": true, "table": true, "tr": true, "tbody": true, "thead": true, "dl": true,
	"dt": true, "dd": true, "figure": true, "figcaption": true, "center": true, "address": true,
	"details": true, "summary": true, "main": true, "nav": true, "aside": true, "form": true,
	"fieldset": true, "caption": true,
}

func (c *htmlConv) run(s string) {
	i := 0
	for i < len(s) {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			c.text(html.UnescapeString(s[i:]))
			return
		}
		if lt > 0 {
			c.text(html.UnescapeString(s[i : i+lt]))
		}
		i += lt
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return
			}
			i += 4 + end + 3
			continue
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return
			}
			i += end + 1
			continue
		}
		closing := strings.HasPrefix(rest, "</")
		nameAt := 1
		if closing {
			nameAt = 2
		}
		if nameAt >= len(rest) || !isASCIILetter(rest[nameAt]) {
			c.text("<") // "a < b": a lone angle bracket is text
			i++
			continue
		}
		tag, end, ok := parseTag(rest, nameAt)
		if !ok {
			return // a tag that never ends hides the rest, as in a browser
		}
		i += end
		if closing {
			c.end(tag.name)
			continue
		}
		if skipUntil[tag.name] && !tag.selfClosing {
			j := indexFold(s[i:], "</"+tag.name)
			if j < 0 {
				return
			}
			i += j
			if k := strings.IndexByte(s[i:], '>'); k >= 0 {
				i += k + 1
			} else {
				return
			}
			continue
		}
		c.start(tag)
	}
	c.finish()
}

func (c *htmlConv) finish() {
	if c.code != nil {
		c.end("code")
	}
	if c.pre != nil {
		c.end("pre")
	}
	c.closeAllMarks()
}

func (c *htmlConv) start(t htmlTag) {
	switch t.name {
	case "br":
		if c.pre != nil {
			c.pre.WriteByte('\n')
			return
		}
		if c.code != nil {
			c.text(" ")
			return
		}
		if c.lead != "" { // an item that starts with a break
			c.startText()
		}
		c.flushBlank()
		c.space = false
		c.out = append(c.out, '\n')
	case "p":
		c.closeAllMarks()
		c.paragraph()
	case "h1", "h2", "h3", "h4", "h5", "h6":
		c.closeAllMarks()
		c.paragraph()
		n, _ := strconv.Atoi(t.name[1:])
		c.lead = c.leadOrIndent() + strings.Repeat("#", n) + " "
	case "hr":
		c.closeAllMarks()
		c.paragraph()
		c.literal("---")
		c.paragraph()
	case "ul", "ol":
		c.closeAllMarks()
		if c.lead != "" { // a list that starts an item: keep the item's marker
			c.literal("")
		}
		c.newline()
		c.blank = false
		l := htmlList{ordered: t.name == "ol", n: 1, indent: c.indent()}
		if n, err := strconv.Atoi(t.attr["start"]); err == nil && n >= 0 && n < 1e9 {
			l.n = n
		}
		c.lists = append(c.lists, l)
	case "li":
		c.closeAllMarks()
		c.newline()
		if len(c.lists) == 0 {
			c.lists = append(c.lists, htmlList{})
		}
		l := &c.lists[len(c.lists)-1]
		marker := "- "
		if l.ordered {
			marker = strconv.Itoa(l.n) + ". "
			l.n++
		}
		c.lead = l.indent + marker
		l.item = l.indent
		if len(l.item) < maxIndent { // deeper lists stay at this depth: hostile nesting must not make every line longer
			l.item += strings.Repeat(" ", len(marker))
		}
	case "pre":
		c.closeAllMarks()
		if c.pre != nil {
			return
		}
		c.newline()
		c.pre = &strings.Builder{}
		c.preLang = langOf(t.attr["class"])
	case "code":
		if c.pre != nil {
			if c.preLang == "" && c.pre.Len() == 0 {
				c.preLang = langOf(t.attr["class"])
			}
			return
		}
		if c.code == nil {
			c.code = &strings.Builder{}
		}
	case "b", "strong":
		c.openMark(t.name, "**", "**")
	case "i", "em":
		c.openMark(t.name, "*", "*")
	case "s", "del", "strike":
		c.openMark(t.name, "~~", "~~")
	case "a":
		href := strings.TrimSpace(t.attr["href"])
		if c.pre != nil || c.code != nil || !linkable(href) {
			c.href = append(c.href, "")
			return
		}
		c.href = append(c.href, href)
		c.openMark("a", "[", "")
	case "img":
		name := strings.TrimSpace(t.attr["alt"])
		if name == "" {
			name = path.Base(strings.TrimSpace(t.attr["src"]))
		}
		if name == "" || name == "." || name == "/" {
			c.text(" [image] ")
		} else {
			c.text(" [image: " + name + "] ")
		}
	case "td", "th":
		c.text(" ")
	default:
		if blockTags[t.name] {
			c.closeAllMarks()
			c.newline()
		}
	}
}

func (c *htmlConv) end(name string) {
	switch name {
	case "p":
		c.closeAllMarks()
		c.paragraph()
	case "h1", "h2", "h3", "h4", "h5", "h6":
		c.closeAllMarks()
		c.lead = ""
		c.paragraph()
	case "ul", "ol":
		c.closeAllMarks()
		if len(c.lists) == 0 {
			return
		}
		c.lead = ""
		c.lists = c.lists[:len(c.lists)-1]
		if len(c.lists) == 0 {
			c.paragraph() // text after a list must not continue its last item
			c.flushBlank()
		} else {
			c.newline()
		}
	case "li":
		c.closeAllMarks()
		c.lead = ""
		c.newline()
	case "pre":
		if c.pre == nil {
			return
		}
		body := strings.TrimPrefix(c.pre.String(), "\n") // a browser drops a newline right after <pre>
		body = strings.TrimRight(body, "\n")
		lang := c.preLang
		c.pre, c.preLang = nil, ""
		fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
		c.literal(fence + lang)
		for _, line := range strings.Split(body, "\n") {
			c.out = append(c.out, '\n')
			if line != "" {
				c.out = append(c.out, c.indent()...)
				c.out = append(c.out, line...)
			}
		}
		c.out = append(c.out, '\n')
		c.out = append(c.out, c.indent()...)
		c.out = append(c.out, fence...)
		c.newline()
	case "code":
		if c.code == nil {
			return
		}
		body := c.code.String()
		c.code = nil
		if strings.TrimSpace(body) == "" {
			c.text(body)
			return
		}
		ticks := strings.Repeat("`", longestRun(body, '`')+1)
		if strings.HasPrefix(body, "`") || strings.HasSuffix(body, "`") {
			body = " " + body + " "
		}
		c.literal(ticks + body + ticks)
	case "b", "strong", "i", "em", "s", "del", "strike":
		c.closeMark(name)
	case "a":
		if len(c.href) == 0 {
			return
		}
		href := c.href[len(c.href)-1]
		c.href = c.href[:len(c.href)-1]
		if href == "" {
			return
		}
		for i := len(c.marks) - 1; i >= 0; i-- {
			if c.marks[i].tag == "a" {
				c.marks[i].close = "](" + href + ")"
				break
			}
		}
		c.closeMark("a")
	default:
		if blockTags[name] {
			c.closeAllMarks()
			c.newline()
		}
	}
}

// leadOrIndent is the indentation for a line that starts a block.
func (c *htmlConv) leadOrIndent() string {
	if c.lead != "" {
		l := c.lead
		c.lead = ""
		return l
	}
	return c.indent()
}

// linkable reports whether an href becomes a Markdown link: a web or
// mail address that Markdown can hold between its parentheses.
func linkable(href string) bool {
	h := strings.ToLower(href)
	return (strings.HasPrefix(h, "https://") || strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "mailto:")) &&
		!strings.ContainsAny(href, " \f\n\r\t<>()\"'\u00a0")
}

// langOf reads a code block's language from a class such as "language-go".
func langOf(class string) string {
	for _, f := range strings.Fields(class) {
		if l, ok := strings.CutPrefix(f, "language-"); ok && l != "" && !strings.ContainsAny(l, "`~") {
			return l
		}
	}
	return ""
}

func longestRun(s string, b byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

type htmlTag struct {
	name        string
	attr        map[string]string
	selfClosing bool
}

// parseTag reads the tag that starts s (s[0] is '<', the name starts at
// nameAt) and returns it with the length of its text; ok is false when
// the tag has no closing '>'.
func parseTag(s string, nameAt int) (t htmlTag, n int, ok bool) {
	i := nameAt
	for i < len(s) && (isASCIILetter(s[i]) || s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == ':') {
		i++
	}
	t.name = strings.ToLower(s[nameAt:i])
	for i < len(s) {
		switch ch := s[i]; {
		case ch == '>':
			return t, i + 1, true
		case ch == '/':
			t.selfClosing = i+1 < len(s) && s[i+1] == '>'
			i++
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f':
			i++
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\n\r\f/>=", rune(s[i])) {
				i++
			}
			key := strings.ToLower(s[start:i])
			for i < len(s) && strings.ContainsRune(" \t\n\r\f", rune(s[i])) {
				i++
			}
			val := ""
			if i < len(s) && s[i] == '=' {
				i++
				for i < len(s) && strings.ContainsRune(" \t\n\r\f", rune(s[i])) {
					i++
				}
				if i < len(s) && (s[i] == '"' || s[i] == '\'') {
					q := s[i]
					end := strings.IndexByte(s[i+1:], q)
					if end < 0 {
						return t, 0, false
					}
					val = s[i+1 : i+1+end]
					i += end + 2
				} else {
					vs := i
					for i < len(s) && !strings.ContainsRune(" \t\n\r\f>", rune(s[i])) {
						i++
					}
					val = s[vs:i]
				}
			}
			if key != "" && (key == "href" || key == "src" || key == "alt" || key == "class" || key == "start") {
				if t.attr == nil {
					t.attr = map[string]string{}
				}
				if _, seen := t.attr[key]; !seen {
					t.attr[key] = html.UnescapeString(val)
				}
			}
			if i == start { // a character that starts no attribute
				i++
			}
		}
	}
	return t, 0, false
}

// tidyMarkdown trims the spaces that end lines and keeps at most one
// empty line in a row, outside code blocks.
func tidyMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	fence := ""
	blank := 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if fence != "" {
			out = append(out, l)
			if strings.HasPrefix(t, fence) && strings.Trim(t, "`") == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") {
			fence = t[:leadingRun(t, '`')]
		}
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func leadingRun(s string, b byte) int {
	n := 0
	for n < len(s) && s[n] == b {
		n++
	}
	return n
}
