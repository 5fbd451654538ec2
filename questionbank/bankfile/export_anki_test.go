package bankfile

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

func TestMarkdownToHTML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"What is `x < y` **really**?", "What is <code>x &lt; y</code> <b>really</b>?"},
		{"one\ntwo", "one<br>two"},
		{"one\n\ntwo", "<p>one</p><p>two</p>"},
		{"*it* and **bold *both* too**, ~~gone~~, 2 * 3 * 4, a_b_c, __init__", "<i>it</i> and <b>bold <i>both</i> too</b>, <s>gone</s>, 2 * 3 * 4, a_b_c, __init__"},
		{"**`code` in bold**", "<b><code>code</code> in bold</b>"},
		{"see [docs](https://example.com/a?b=1&c=2) or [x](javascript:alert(1))", `see <a href="https://example.com/a?b=1&amp;c=2">docs</a> or [x](javascript:alert(1))`},
		{"<script>alert(1)</script> & @everyone", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; @everyone"},
		{"Intro:\n- a\n- b\n  - c\n\nafter", "<p>Intro:</p><ul><li>a</li><li>b<ul><li>c</li></ul></li></ul><p>after</p>"},
		{"3. x\n4. y\n\n   more", `<ol start="3"><li>x</li><li>y<br><br>more</li></ol>`},
		{"- a\n1. b", "<ul><li>a</li></ul><ol><li>b</li></ol>"},
		{"```go\nif a < b {\n\treturn\n}\n```", `<pre><code class="language-go">if a &lt; b {` + "\n\treturn\n}</code></pre>"},
		{"- item:\n  ```sql\n  SELECT 1;\n  ```\n  after", `<ul><li>item:<pre><code class="language-sql">SELECT 1;</code></pre>after</li></ul>`},
		{"```\nunclosed", "<pre><code>unclosed</code></pre>"},
		{"## Heading\ntext\n\n---\n\n| a | b |", "<h2>Heading</h2><p>text</p><hr><p>| a | b |</p>"},
		{"`` a`b ``", "<code>a`b</code>"},
		{"` x `", "<code>x</code>"},
		{"a ` b", "a ` b"},
	} {
		if got := markdownToHTML(tc.in); got != tc.want {
			t.Errorf("markdownToHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestWriteAnki(t *testing.T) {
	cats := []questionbank.Category{{ID: "net", Name: "Networking & Protocols"}}
	cards := []*questionbank.Card{
		{ID: "net-a", Category: "net", Prompt: "#1 choice: the \"best\" one", Answer: "Line one\nline two", Tags: []string{"tcp", "two words"}},
		{ID: "net-b", Category: "net", Prompt: "Port of HTTPS?", Answers: []string{"443", "port 443"}},
		{ID: "net-c", Category: "net", Prompt: "Pick one", KeyConcepts: []string{"handshake"}, QuickCheck: &questionbank.QuickCheck{
			Options: []questionbank.Option{{Text: "UDP"}, {Text: "TCP", Correct: true}}, Explanation: "It is reliable."}},
		{ID: "other-d", Category: "other", Prompt: "No category declared"},
	}
	var buf bytes.Buffer
	if err := WriteAnki(&buf, cats, cards); err != nil {
		t.Fatal(err)
	}
	want := "#separator:tab\n#html:true\n#notetype:Basic\n#deck column:3\n#tags column:4\n#columns:Front\tBack\tDeck\tTags\n" +
		"\"#1 choice: the \"\"best\"\" one\"\tLine one<br>line two\tNetworking & Protocols\ttcp two_words\n" +
		"Port of HTTPS?\tAccepted answers: 443, port 443\tNetworking & Protocols\t\n" +
		"Pick one\t<p><b>TCP</b></p><p>It is reliable.</p><p>Key concepts:</p><ul><li>handshake</li></ul>\tNetworking & Protocols\t\n" +
		"No category declared\t\tother\t\n"
	if buf.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	doc, err := Import("export.txt", buf.Bytes(), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Cards) != 4 || doc.Cards[0].Prompt != cards[0].Prompt || doc.Cards[0].Answer != cards[0].Answer ||
		strings.Join(doc.Cards[0].Tags, " ") != "tcp two_words" || doc.Categories[0].Name != "Networking & Protocols" {
		t.Errorf("read back: %+v %+v", doc.Cards[0], doc.Categories)
	}
}

// The built-in bank survives export and import: every prompt is the same,
// and every answer but for the layout WriteAnki documents (here: empty
// lines between blocks, and a line break inside inline code).
func TestAnkiRoundTripDefaultBank(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteAnki(&buf, b.Categories(), b.Cards()); err != nil {
		t.Fatal(err)
	}
	if DetectFormat("bank.txt", buf.Bytes()) != FormatAnki {
		t.Fatal("an export is not detected as Anki")
	}
	doc, err := Import("bank.txt", buf.Bytes(), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Cards) != b.Len() || len(doc.Categories) != len(b.Categories()) {
		t.Fatalf("%d cards in %d categories, want %d in %d", len(doc.Cards), len(doc.Categories), b.Len(), len(b.Categories()))
	}
	exact := 0
	for i, c := range b.Cards() {
		got := doc.Cards[i]
		if got.Prompt != strings.TrimSpace(c.Prompt) {
			t.Errorf("%s: prompt\n got %q\nwant %q", c.ID, got.Prompt, c.Prompt)
		}
		if got.Answer == strings.TrimSpace(c.Answer) {
			exact++
		} else if g, w := layout(got.Answer), layout(c.Answer); g != w {
			t.Errorf("%s: answer differs:\n%s", c.ID, firstDiff(g, w))
		}
		cat, _ := b.Category(c.Category)
		if doc.Categories[slicesIndex(doc, got.Category)].Name != cat.Name || strings.Join(got.Tags, ",") != strings.Join(c.Tags, ",") {
			t.Errorf("%s: deck or tags differ: %s %v", c.ID, got.Category, got.Tags)
		}
	}
	t.Logf("%d of %d answers came back exactly", exact, b.Len())
	if exact < b.Len()/2 {
		t.Errorf("only %d of %d answers came back exactly", exact, b.Len())
	}
}

func slicesIndex(doc *questionbank.Document, id string) int {
	for i, c := range doc.Categories {
		if c.ID == id {
			return i
		}
	}
	return -1
}

var codeSpanBreak = regexp.MustCompile("(`[^`\n]*)\n([^`\n]*`)")

// layout drops empty lines and turns a line break inside inline code into
// a space (outside code blocks).
func layout(s string) string {
	var out []string
	fence := false
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
		}
		if strings.TrimSpace(l) == "" && !fence {
			continue
		}
		if !fence && len(out) > 0 && codeSpanBreak.MatchString(out[len(out)-1]+"\n"+l) && strings.Count(out[len(out)-1], "`")%2 == 1 {
			out[len(out)-1] += " " + l
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "got  " + al[i] + "\nwant " + bl[i]
		}
	}
	return "lengths differ"
}
