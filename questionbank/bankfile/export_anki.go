package bankfile

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

// WriteAnki writes cards as an Anki text file that File > Import reads
// (see import_anki.go for the format): a header naming the separator (tab),
// the fields as HTML, the Basic note type and the columns Front, Back,
// Deck and Tags, then a note a line. The front is the prompt and the back
// the model answer, both rendered from Markdown to simple HTML (see
// markdownToHTML); a card without a model answer gets its accepted
// answers, key concepts or quick check answer on the back instead. The
// deck is the category's name, and the tags the card's.
//
// Import reads the file back to the same prompts and answers, but for
// what Markdown can say in more than one way: "*" and "+" bullets come
// back as "-", "1)" as "1.", ordered lists numbered from their first
// number, runs of spaces as one space, indentation inside list items as
// the item's, and the empty lines between blocks as one.
func WriteAnki(w io.Writer, categories []questionbank.Category, cards []*questionbank.Card) error {
	names := map[string]string{}
	for _, c := range categories {
		names[c.ID] = c.Name
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("#separator:tab\n#html:true\n#notetype:Basic\n#deck column:3\n#tags column:4\n#columns:Front\tBack\tDeck\tTags\n")
	for _, c := range cards {
		deck := strings.Join(strings.Fields(names[c.Category]), " ")
		if deck == "" {
			deck = c.Category
		}
		var tags []string
		for _, t := range c.Tags {
			if t = strings.Join(strings.Fields(t), "_"); t != "" {
				tags = append(tags, t)
			}
		}
		for i, f := range []string{markdownToHTML(c.Prompt), markdownToHTML(ankiBack(c)), deck, strings.Join(tags, " ")} {
			if i > 0 {
				bw.WriteByte('\t')
			}
			bw.WriteString(ankiField(f))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ankiBack is what the back of a card shows: its model answer, or, for a
// card without one, what it has to check an answer against.
func ankiBack(c *questionbank.Card) string {
	if strings.TrimSpace(c.Answer) != "" {
		return c.Answer
	}
	var parts []string
	if len(c.Answers) > 0 {
		parts = append(parts, "Accepted answers: "+strings.Join(c.Answers, ", "))
	}
	if q := c.QuickCheck; q != nil && q.CorrectIndex() >= 0 {
		a := "**" + q.Options[q.CorrectIndex()].Text + "**"
		if q.Explanation != "" {
			a += "\n\n" + q.Explanation
		}
		parts = append(parts, a)
	}
	if len(c.KeyConcepts) > 0 {
		parts = append(parts, "Key concepts:\n\n- "+strings.Join(c.KeyConcepts, "\n- "))
	}
	return strings.Join(parts, "\n\n")
}

// ankiField quotes a field that holds the separator, a quote, a line break
// or a # (a note whose line starts with # would be read as a comment;
// Anki's own export quotes every field with one).
func ankiField(s string) string {
	if !strings.ContainsAny(s, "\t\"\n\r#") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

var (
	mdListItem = regexp.MustCompile(`^(\s*)(?:([-*+])|(\d{1,9})([.)]))(?:\s+(.*))?$`)
	mdRule     = regexp.MustCompile(`^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)
)

// markdownToHTML renders the Markdown of a card as the simple HTML Anki
// shows: paragraphs (<p>, lines within one joined by <br>; a text of one
// paragraph is not wrapped), "-"/"*"/"+" and numbered lists (<ul>, <ol>,
// nested by indentation), fenced code blocks (<pre><code>, with a
// "language-…" class), headings (<h1>…), rules (<hr>), and inline **bold**,
// *italics*, ~~struck~~, `code` and [links](https://…). Everything else is
// text, escaped: tables and quotes show as their lines, and "_x_" stays as
// written (it is too often part of a name).
func markdownToHTML(md string) string {
	r := &mdRender{}
	r.render(strings.Split(strings.ReplaceAll(strings.ReplaceAll(md, "\r\n", "\n"), "\x00", "\uFFFD"), "\n"))
	out := r.b.String()
	if r.blocks == 1 && r.onlyPara {
		out = strings.TrimSuffix(strings.TrimPrefix(out, "<p>"), "</p>")
	}
	return out
}

type mdRender struct {
	b        strings.Builder
	para     []string // the lines of the open paragraph
	lists    []mdOpenList
	blocks   int  // top-level blocks written
	onlyPara bool // the first top-level block is a paragraph
}

type mdOpenList struct {
	ordered         bool
	marker, content int  // the columns of the item's marker and of its text
	inline          bool // the current item's last output is text
}

func (r *mdRender) block(para bool) {
	if len(r.lists) > 0 {
		return
	}
	r.blocks++
	if r.blocks == 1 {
		r.onlyPara = para
	}
}

func (r *mdRender) flushPara() {
	if len(r.para) == 0 {
		return
	}
	text := inlineHTML(strings.Join(r.para, "\n"))
	r.para = nil
	if n := len(r.lists); n > 0 {
		top := &r.lists[n-1]
		if top.inline {
			r.b.WriteString("<br><br>")
		}
		r.b.WriteString(text)
		top.inline = true
		return
	}
	r.block(true)
	r.b.WriteString("<p>" + text + "</p>")
}

func (r *mdRender) closeList() {
	top := r.lists[len(r.lists)-1]
	r.lists = r.lists[:len(r.lists)-1]
	if top.ordered {
		r.b.WriteString("</li></ol>")
	} else {
		r.b.WriteString("</li></ul>")
	}
}

// fit closes the lists a block at this indentation is not inside.
func (r *mdRender) fit(indent int) {
	for len(r.lists) > 0 && indent < r.lists[len(r.lists)-1].content {
		r.closeList()
	}
}

func (r *mdRender) openList(ordered bool, start, indent, content int) {
	r.block(false)
	if n := len(r.lists); n > 0 {
		r.lists[n-1].inline = false
	}
	switch {
	case !ordered:
		r.b.WriteString("<ul><li>")
	case start != 1:
		r.b.WriteString(`<ol start="` + strconv.Itoa(start) + `"><li>`)
	default:
		r.b.WriteString("<ol><li>")
	}
	r.lists = append(r.lists, mdOpenList{ordered: ordered, marker: indent, content: content})
}

func (r *mdRender) item(indent int, ordered bool, start, content int) {
	for {
		n := len(r.lists)
		if n == 0 {
			r.openList(ordered, start, indent, content)
			return
		}
		top := &r.lists[n-1]
		if indent >= top.content { // a list inside the current item
			r.openList(ordered, start, indent, content)
			return
		}
		if indent >= top.marker && top.ordered == ordered { // the next item
			r.b.WriteString("</li><li>")
			top.marker, top.content, top.inline = indent, content, false
			return
		}
		r.closeList()
	}
}

func (r *mdRender) render(lines []string) {
	fence, fenceIndent, lang := "", 0, ""
	var code []string
	blank := false
	for _, line := range lines {
		t := strings.TrimSpace(line)
		ind := indentOf(line)
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				r.code(lang, code)
				fence, code = "", nil
				continue
			}
			code = append(code, dedent(line, fenceIndent))
			continue
		}
		if t == "" {
			r.flushPara()
			blank = true
			continue
		}
		if f := mdFence.FindString(t); f != "" && !strings.Contains(t[len(f):], f[:1]) {
			r.flushPara()
			r.fit(ind)
			fence, fenceIndent, code = f, ind, nil
			lang, _, _ = strings.Cut(strings.TrimSpace(t[len(f):]), " ")
			blank = false
			continue
		}
		if mdRule.MatchString(line) {
			r.flushPara()
			r.fit(ind)
			r.block(false)
			r.b.WriteString("<hr>")
			blank = false
			continue
		}
		if m := mdListItem.FindStringSubmatch(line); m != nil && m[5] != "" {
			r.flushPara()
			ordered := m[2] == ""
			start := 1
			marker := m[2]
			if ordered {
				start, _ = strconv.Atoi(m[3])
				marker = m[3] + m[4]
			}
			content := len(m[1]) + len(marker) + 1
			r.item(ind, ordered, start, content)
			r.para = []string{m[5]}
			blank = false
			continue
		}
		if h := mdHeading.FindStringSubmatch(line); h != nil && ind < 4 && (len(r.lists) == 0 || ind < r.lists[len(r.lists)-1].content) {
			r.flushPara()
			r.fit(ind)
			r.block(false)
			n := strconv.Itoa(len(h[1]))
			r.b.WriteString("<h" + n + ">" + inlineHTML(h[2]) + "</h" + n + ">")
			blank = false
			continue
		}
		if len(r.para) == 0 || blank { // a new paragraph: inside the item it is indented under, or after the lists
			r.flushPara()
			if blank || len(r.lists) > 0 && !r.lists[len(r.lists)-1].inline {
				r.fit(ind)
			}
		}
		r.para = append(r.para, t)
		blank = false
	}
	if fence != "" {
		r.code(lang, code)
	}
	r.flushPara()
	for len(r.lists) > 0 {
		r.closeList()
	}
}

func (r *mdRender) code(lang string, lines []string) {
	r.block(false)
	if n := len(r.lists); n > 0 {
		r.lists[n-1].inline = false
	}
	class := ""
	if lang != "" {
		class = ` class="language-` + html.EscapeString(lang) + `"`
	}
	r.b.WriteString("<pre><code" + class + ">" + escapeText(strings.Join(lines, "\n")) + "</code></pre>")
}

var (
	mdLink   = regexp.MustCompile(`\[([^\[\]\n]+)\]\(((?:https?://|mailto:)[^()\s"'<>]+)\)`)
	mdStrong = regexp.MustCompile(`\*\*(\S(?:.*?\S)??)\*\*`)
	mdEm     = regexp.MustCompile(`\*([^\s*](?:[^*\n]*?[^\s*])?)\*`)
	mdStrike = regexp.MustCompile(`~~(\S(?:.*?\S)??)~~`)
	mdHold   = regexp.MustCompile("\x00([0-9]+)\x00")
)

// inlineHTML renders one paragraph's inline Markdown: code spans first
// (their text is never formatted), then links, bold, italics and
// strikethrough over the escaped text; line breaks become <br>.
func inlineHTML(s string) string {
	var b strings.Builder
	var codes []string
	for s != "" {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			b.WriteString(escapeText(s))
			break
		}
		b.WriteString(escapeText(s[:i]))
		n := leadingRun(s[i:], '`')
		end := closingRun(s[i+n:], n)
		if end < 0 { // no closing run: the backticks are text
			b.WriteString(s[i : i+n])
			s = s[i+n:]
			continue
		}
		fmt.Fprintf(&b, "\x00%d\x00", len(codes))
		code := strings.ReplaceAll(s[i+n:i+n+end], "\n", " ")
		if len(code) > 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
			code = code[1 : len(code)-1] // "`` `x` ``" is the code "`x`"
		}
		codes = append(codes, "<code>"+escapeText(code)+"</code>")
		s = s[i+n+end+n:]
	}
	out := b.String()
	out = mdLink.ReplaceAllStringFunc(out, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		if !linkable(html.UnescapeString(sub[2])) { // what import would not read back as a link
			return m
		}
		return `<a href="` + sub[2] + `">` + sub[1] + `</a>`
	})
	out = mdStrong.ReplaceAllString(out, "<b>$1</b>")
	out = mdEm.ReplaceAllString(out, "<i>$1</i>")
	out = mdStrike.ReplaceAllString(out, "<s>$1</s>")
	out = mdHold.ReplaceAllStringFunc(out, func(m string) string {
		k, err := strconv.Atoi(m[1 : len(m)-1])
		if err != nil || k >= len(codes) {
			return ""
		}
		return codes[k]
	})
	return strings.ReplaceAll(out, "\n", "<br>")
}

// escapeText escapes what HTML text needs (the quotes only matter in
// attributes, and escaped they would make the file harder to read).
var escapeText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// closingRun finds a run of exactly n backticks in s.
func closingRun(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		k := leadingRun(s[i:], '`')
		if k == n {
			return i
		}
		i += k
	}
	return -1
}
