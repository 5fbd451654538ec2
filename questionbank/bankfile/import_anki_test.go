package bankfile

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

// An export from Anki's File > Export > Notes in Plain Text with every
// column (GUID, note type, deck, tags) and HTML.
func TestImportAnkiExport(t *testing.T) {
	doc := importFile(t, "testdata/anki-notes.txt", ImportOptions{})
	type card struct {
		cat, prompt, answer, tags string
		line                      int
	}
	want := []card{
		{"interview-databases", "What is **MVCC**?", "Each transaction reads a *snapshot*.\n\nReaders never block writers.", "postgres mvcc", 7},
		{"interview-databases", "Name two index types", "- B-tree\n- GIN & GiST", "postgres", 8},
		{"interview-networking", "Ping @everyone: what does `SYN` do?", "Opens a connection <b>handshake</b>", "", 9},
		{"interview-networking", "[...] is reliable; UDP is not.", "TCP\n\nTransport layer.", "net", 10},
		{"interview-networking", "TCP is reliable; [a protocol] is not.", "UDP\n\nTransport layer.", "net", 10},
		{"interview-networking", "Quoted \"field\"\nwith a tab", "Line one line two", "quotes", 11},
	}
	if len(doc.Cards) != len(want) {
		t.Fatalf("%d cards, want %d: %+v", len(doc.Cards), len(want), doc.Cards)
	}
	for i, w := range want {
		c := doc.Cards[i]
		got := card{c.Category, c.Prompt, c.Answer, strings.Join(c.Tags, " "), doc.CardPos(c).IDLine}
		if got != w {
			t.Errorf("card %d:\n got %#v\nwant %#v", i, got, w)
		}
		if c.Number != i+1 || c.Source != fmt.Sprintf("testdata/anki-notes.txt:%d", w.line) {
			t.Errorf("card %d: number %d, source %s", i, c.Number, c.Source)
		}
	}
	if len(doc.Categories) != 2 || doc.Categories[0].Name != "Interview::Databases" || doc.Categories[1].ID != "interview-networking" {
		t.Errorf("categories = %+v", doc.Categories)
	}
}

// A hand-written file: another separator, plain text, a deck and tags for
// every note, named columns and a comment.
func TestImportAnkiPlainText(t *testing.T) {
	doc := importFile(t, "testdata/anki-plain.txt", ImportOptions{})
	if len(doc.Cards) != 2 || len(doc.Categories) != 1 || doc.Categories[0].ID != "go-basics" || doc.Categories[0].Name != "Go Basics" {
		t.Fatalf("cards = %+v, categories = %+v", doc.Cards, doc.Categories)
	}
	a, b := doc.Cards[0], doc.Cards[1]
	if a.Prompt != "What does <-ch do?" || a.Answer != "Receives from ch; blocks until a value is sent." || strings.Join(a.Tags, ",") != "golang,imported" {
		t.Errorf("card 1 = %+v", a)
	}
	if b.Prompt != "A slice has; what three parts?" || b.Answer != "pointer, length\ncapacity" || doc.CardPos(b).IDLine != 8 {
		t.Errorf("card 2 = %+v at line %d", b, doc.CardPos(b).IDLine)
	}
	// --category wins over the deck
	doc = importFile(t, "testdata/anki-plain.txt", ImportOptions{Category: "golang"})
	if doc.Cards[0].Category != "golang" || len(doc.Categories) != 1 {
		t.Errorf("forced category: %+v", doc.Categories)
	}
}

func TestImportAnkiVariants(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       []string // prompt|answer of each card
	}{
		{"no headers, tab separated", "What is 2+2?\t4\nCapital of France?\tParis\n", []string{"What is 2+2?|4", "Capital of France?|Paris"}},
		{"semicolons sniffed", "Front;Back\n", []string{"Front|Back"}},
		{"named separator in any case", "#separator:PIPE\na|b\n", []string{"a|b"}},
		{"literal separator", "#separator::\nkey:value:more\n", []string{"key|value"}},
		{"space separator", "#separator:Space\nhello world\n", []string{"hello|world"}},
		{"columns in another order", "#separator:Comma\n#columns:Back,Front\nanswer,question\n", []string{"question|answer"}},
		{"old tags line then headers", "tags:a b\n#separator:tab\nq\tr\n", []string{"q|r"}},
		{"html guessed from tags", "<b>q</b>\tr<br>s\n", []string{"**q**|r\ns"}},
		{"generic brackets are not html", "List<T> vs T[]?\tgenerics\n", []string{"List<T> vs T[]?|generics"}},
		{"html:false keeps tags as text", "#html:false\n<b>q</b>\tr\n", []string{"<b>q</b>|r"}},
		{"crlf and a quoted crlf", "#separator:tab\r\n\"a\r\nb\"\tc\r\nd\te\r\n", []string{"a\nb|c", "d|e"}},
		{"missing back", "#separator:tab\nonly a front\n", []string{"only a front|"}},
		{"cloze without a note type", "{{c1::Paris}} is the capital of {{c2::France}}\n", []string{"[...] is the capital of France|Paris", "Paris is the capital of [...]|France"}},
		{"basic note keeps braces", "#notetype:Basic\n{{c1::x}} y\tz\n", []string{"{{c1::x}} y|z"}},
		{"cloze hint and nesting", "#notetype column:1\nCloze\t{{c1::a {{c2::b}} c::hint}} d\n", []string{"[hint] d|a b c", "a [...] c d|b"}},
		{"same cloze twice", "#notetype column:1\nCloze\t{{c1::x}} and {{c1::y}}\n", []string{"[...] and [...]|x, y"}},
		{"unclosed cloze is text", "{{c1::never closed\tz\n", []string{"{{c1::never closed|z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Import("notes.txt", []byte(tc.data), ImportOptions{Format: FormatAnki})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range doc.Cards {
				got = append(got, c.Prompt+"|"+c.Answer)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("cards:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestImportAnkiErrorsNameFileLineField(t *testing.T) {
	many := strings.Builder{}
	for i := 1; i <= maxClozes+1; i++ {
		fmt.Fprintf(&many, "{{c%d::x}} ", i)
	}
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"sep.txt", "#separator:banana\na\tb\n", []string{`sep.txt:1: #separator: "banana" is not a separator Anki knows: write Tab, Comma, Semicolon, Space, Pipe or Colon`}},
		{"html.txt", "#separator:tab\n#html:yes\na\tb\n", []string{`html.txt:2: #html: "yes": write true (the fields are HTML) or false (plain text)`}},
		{"col.txt", "#deck column:first\na\tb\n", []string{`col.txt:1: #deck column: "first" is not a column number: write 1 for the first column`}},
		{"quote.txt", "#separator:tab\nok\tfine\n\"never closed\tb\nmore\n", []string{`quote.txt:3: this field opens with a quote that is never closed: end it with "`}},
		{"front.txt", "#separator:tab\n#columns:Front\tBack\n\tan answer without its question\n", []string{"front.txt:3: Front (column 1): empty: every note needs its question in this field; fill it in (in Anki, or in this file) or delete the line"}},
		{"markup.txt", "#html:true\n<div><br></div>\tx\n", []string{"markup.txt:2: column 1: has no text once its HTML is removed"}},
		{"hidden.txt", "<script>{{c1::x}}</script>\tback\n", []string{"hidden.txt:1: column 1: has no text once its HTML is removed: the cloze deletions"}},
		{"cloze.txt", many.String() + "\n", []string{fmt.Sprintf("cloze.txt:1: column 1: has %d cloze numbers in %d bytes: split the note", maxClozes+1, many.Len())}},
		{"nothing.txt", "#separator:tab\n\n# only comments\n", []string{"nothing.txt:1: found no questions in this anki file"}},
	} {
		_, err := Import(tc.name, []byte(tc.data), ImportOptions{Format: FormatAnki})
		var list questionbank.ErrorList
		if !errors.As(err, &list) {
			t.Errorf("%s: want an ErrorList, got %T %v", tc.name, err, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: missing %q in\n%v", tc.name, w, err)
			}
		}
	}
}

func TestHTMLToMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<script>alert(1)</script>hi", "hi"},
		{"<SCRIPT type=x>alert('</b>')</script >after", "after"},
		{"a<style>p { color: red }</style>b", "ab"},
		{"<!-- hidden -->shown<!doctype html>", "shown"},
		{"never <script>closed", "never"},
		{"x <b", "x"},
		{`<a href="x>`, ""},
		{"a < b &amp;&amp; c > d", "a < b && c > d"},
		{"&lt;@123&gt; and @everyone &lt;!channel&gt;", "<@123> and @everyone <!channel>"},
		{"&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
		{"<b> bold </b>text and <i></i>none", "**bold** text and none"},
		{"<strong>a<em>b</em></strong><del>c</del>", "**a*b***~~c~~"},
		{"line<br>next<br/><br>para", "line\nnext\n\npara"},
		{"<div>one</div><div>two</div><div><br></div><div>three</div>", "one\ntwo\n\nthree"},
		{"<p>one</p><p>two</p>", "one\n\ntwo"},
		{"<h2>Title</h2>body", "## Title\n\nbody"},
		{"<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>after", "- a\n- b\n  - c\n\nafter"},
		{strings.Repeat("<ul><li>x", 20), strings.TrimSpace(deepList(20))},
		{`<ol start="3"><li>x</li><li>y<br>more</li></ol>`, "3. x\n4. y\n   more"},
		{"<li>stray item</li>", "- stray item"},
		{`<pre><code class="language-go">if a &lt; b {` + "\n\treturn\n}</code></pre>", "```go\nif a < b {\n\treturn\n}\n```"},
		{"<pre>a<br>b <b>c</b></pre>", "```\na\nb c\n```"},
		{"<code>x  y</code> and <code>a`b</code>", "`x y` and ``a`b``"},
		{`<a href="https://example.com/a?b=1&amp;c=2">docs</a> <a href="javascript:alert(1)">evil</a>`, "[docs](https://example.com/a?b=1&c=2) evil"},
		{`<img src="paste-1a2b.jpg"> <img alt="diagram" src="x.png"> <img>`, "[image: paste-1a2b.jpg] [image: diagram] [image]"},
		{"a&nbsp;&nbsp;b\n\n  c\td", "a b c d"},
		{"<table><tr><td>k</td><td>v</td></tr></table>", "k v"},
		{"<hr>below", "---\n\nbelow"},
		{"<b>bold<div>block</div></b>", "**bold**\nblock"},
		{"</b></ul></li></pre></code></a>text", "text"},
	} {
		if got := htmlToMarkdown(tc.in); got != tc.want {
			t.Errorf("htmlToMarkdown(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestDetectAnki(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       Format
	}{
		{"notes.txt", "#separator:tab\n#html:true\na\tb\n", FormatAnki},
		{"notes.txt", "#html:false\na;b\n", FormatAnki},
		{"notes.txt", "tags:x\na\tb\n", FormatAnki},
		{"old.txt", "front\tback\n", FormatAnki},
		{"notes.txt", "# Notes\n\n1. **Topic:** question\n", FormatMarkdown},
		{"notes.txt", "#Hashtags are not headers\n", FormatMarkdown},
		{"notes.csv", "#separator:Comma\na,b\n", FormatAnki},
		{"cards.csv", "category\tprompt\nx\ty\n", FormatCSV},
		{"stdin", "#separator:tab\na\tb\n", FormatAnki},
		{"stdin", "# Databases\n\n| # | Question |\n", FormatMarkdown},
	} {
		if got := DetectFormat(tc.name, []byte(tc.data)); got != tc.want {
			t.Errorf("DetectFormat(%s, %q) = %s, want %s", tc.name, tc.data, got, tc.want)
		}
	}
}

// deepList is how a list nested n deep comes out: indented up to
// maxIndent, then no deeper.
func deepList(n int) string {
	var b strings.Builder
	indent := ""
	for range n {
		b.WriteString(indent + "- x\n")
		if len(indent) < maxIndent {
			indent += "  "
		}
	}
	return b.String()
}
