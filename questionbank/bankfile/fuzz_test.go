package bankfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/prepbot/prepbot/questionbank"
)

// FuzzImport feeds arbitrary bytes to every parser. None may panic; every
// error must be an ErrorList entry naming the file, or a plain error.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	more, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range append(files, more...) {
		if data, err := os.ReadFile(p); err == nil {
			for i := range Formats {
				f.Add(data, uint8(i))
			}
		}
	}
	f.Add([]byte("| a |\n|---|\n| **x** |\n"), uint8(1))
	f.Add([]byte(`{"results":[{"question":"&amp;","correct_answer":"a","incorrect_answers":["b"]}]}`), uint8(3))
	f.Add([]byte("Q1. What?\nA: That.\n### Question 2\nWhy?\n**Answer:**\n```\n# x\n```\n## 3. How?\nSo.\n1. Item\n   Answer: a\n"), uint8(1))
	f.Add([]byte("#separator:tab\n#html:true\n#deck column:3\n\"<b>q</b>\"\t{{c1::a::h}}\tdeck\n"), uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := Formats[int(which)%len(Formats)]
		doc, err := Import("fuzz", data, ImportOptions{Format: format})
		if err == nil {
			if doc == nil || len(doc.Cards) == 0 {
				t.Fatalf("%s: no error but no cards", format)
			}
			var sb strings.Builder
			if err := WriteYAML(&sb, doc); err != nil {
				t.Fatalf("%s: cannot write an imported bank: %v", format, err)
			}
			back, errs := ParseYAML("again", strings.NewReader(sb.String()))
			if len(errs) > 0 {
				t.Fatalf("%s: an imported bank does not parse back: %v\n%s", format, errs, sb.String())
			}
			if _, err := questionbank.Build(back); err != nil {
				t.Fatalf("%s: an imported bank is not valid once written: %v\n%s", format, err, sb.String())
			}
		}
	})
}

// FuzzCardJSON checks the card decoder of JSON banks against encoding/json
// with unknown fields refused: where encoding/json reads a card, the
// decoder must read the same card.
func FuzzCardJSON(f *testing.F) {
	f.Add([]byte(`{"id":"a-1","category":"a","number":3,"prompt":"Why?","key_concepts":["x","y"],"answer":"Because\nof \"this\" \u00e9","difficulty":"hard","tags":["t"],"answers":["z"],"examples":[{"input":"1+1","output":"2"}],"quick_check":{"question":"Q?","options":["a","b"],"correct":1,"explanation":"e"}}`))
	f.Add([]byte(`{"id":null,"tags":null,"quick_check":null,"number":-2}`))
	f.Add([]byte(`{"id":"x","promt":"typo"}`))
	f.Add([]byte(`{"prompt":"\ud83d\ude00 \/ \t","number":1.5}`))
	f.Add([]byte(`{"id": "x" , "prompt" : "p"  }`))
	f.Add([]byte(`{"number":+1,"quick_check":{"correct":01}}`))
	f.Add([]byte(`{"key_concepts":["a",{"concept":"b","terms":["t","u"],"misconceptions":["m"]},null],"follow_ups":[{"prompt":"p","key_concepts":[{"Concept":"c","terms":null}],"answer":"a"}]}`))
	f.Add([]byte(`{"key_concepts":[{"concept":"b","terms":["t"]}],"key_concepts":["x",{"misconceptions":["m"]}],"follow_ups":null}`))
	f.Add([]byte(`{"key_concepts":[{"concept":"b","term":["t"]}],"follow_ups":[{"prompt":"p","extra":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want, got questionbank.Card
		wantErr := strictJSON(data, &want)
		if !json.Valid(data) { // a Decoder stops after the first value
			wantErr = errors.New("not one JSON value")
		}
		gotErr := decodeCardJSON(data, &got)
		if wantErr == nil && gotErr == nil {
			if wq, gq := want.QuickCheck, got.QuickCheck; (wq == nil) != (gq == nil) || wq != nil && wq.CorrectIndex() != gq.CorrectIndex() {
				t.Fatalf("quick checks differ: %+v vs %+v", wq, gq)
			}
			want.QuickCheck, got.QuickCheck = nil, nil
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("cards differ:\nencoding/json %+v\ndecoder       %+v", want, got)
			}
		}
		if wantErr == nil && gotErr != nil {
			t.Fatalf("encoding/json reads %q, the decoder says %v", data, gotErr)
		}
		if gotErr == nil && wantErr != nil {
			t.Fatalf("encoding/json refuses %q (%v), the decoder reads it", data, wantErr)
		}
		if gotErr != nil {
			if _, ok := gotErr.(*cardError); !ok {
				t.Fatalf("not a cardError: %v", gotErr)
			}
		}
	})
}

// FuzzAnki feeds arbitrary text to the Anki reader and its HTML converter.
// Neither may panic; a file that imports must be a valid bank (see
// FuzzImport); the converter's output is valid UTF-8 when its input is,
// and holds no text of a <script> or <style> element.
func FuzzAnki(f *testing.F) {
	for _, p := range []string{"testdata/anki-notes.txt", "testdata/anki-plain.txt"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("#separator:Pipe\n#columns:Back|Front\n\"a\"\"b\"|{{c1::x {{c2::y}}::hint}}\n"))
	f.Add([]byte("<ol start=9><li><pre><code class=language-go>x</code></pre><ul><li><a href=https://x>y</a><img src=z>"))
	f.Add([]byte("#guid column:1\n#notetype column:2\nid\tCloze\t{{c1::\t\"open"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Import("fuzz.txt", data, ImportOptions{Format: FormatAnki})
		if err == nil {
			var sb strings.Builder
			if err := WriteYAML(&sb, doc); err != nil {
				t.Fatal(err)
			}
			back, errs := ParseYAML("again", strings.NewReader(sb.String()))
			if len(errs) > 0 {
				t.Fatalf("an imported bank does not parse back: %v\n%s", errs, sb.String())
			}
			if _, err := questionbank.Build(back); err != nil {
				t.Fatalf("an imported bank is not valid once written: %v", err)
			}
		}
		s := string(data)
		md := htmlToMarkdown(s)
		if utf8.ValidString(s) && !utf8.ValidString(md) {
			t.Fatalf("invalid UTF-8 from %q: %q", s, md)
		}
		const secret = "SECRETxyz"
		if !strings.Contains(s, secret) && !tagStart.MatchString(s) { // every < of s is text
			for _, tag := range []string{"script", "style"} {
				if out := htmlToMarkdown(s + "<" + tag + ">" + secret + "</" + tag + ">"); strings.Contains(out, secret) {
					t.Fatalf("the text of a <%s> element survives after %q: %q", tag, s, out)
				}
			}
		}
	})
}

// FuzzAnkiRoundTrip exports a card and imports it back: the prompt and
// the answer keep every letter, in order (the formatting may change as
// WriteAnki documents; a code block keeps only its language word).
func FuzzAnkiRoundTrip(f *testing.F) {
	f.Add("What is `x < y` **really**?", "- a\n  - b\n\n```go\nfunc() {}\n```\n\n1. one\n2. two")
	f.Add("#1 \"quoted\"\tand tabbed", "[docs](https://example.com/?a=1&b=2) &amp; <script>x</script> @everyone")
	f.Add("{{c1::not a cloze}}", "*it* _it_ ~~s~~ *** ---")
	f.Add("Heading\n# one", "> quote\n| a | b |\n|---|---|\n| 1 | 2 |")
	f.Fuzz(func(t *testing.T, prompt, answer string) {
		if !utf8.ValidString(prompt) || !utf8.ValidString(answer) || letters(prompt) == "" {
			return
		}
		cards := []*questionbank.Card{{ID: "x", Category: "c", Prompt: prompt, Answer: answer}}
		var buf bytes.Buffer
		if err := WriteAnki(&buf, []questionbank.Category{{ID: "c", Name: "Deck"}}, cards); err != nil {
			t.Fatal(err)
		}
		doc, err := Import("rt.txt", buf.Bytes(), ImportOptions{})
		if err != nil {
			t.Fatalf("the export does not import: %v\n%s", err, buf.String())
		}
		if len(doc.Cards) != 1 {
			t.Fatalf("%d cards from\n%s", len(doc.Cards), buf.String())
		}
		got := doc.Cards[0]
		if letters(got.Prompt) != letters(prompt) {
			t.Fatalf("prompt %q came back as %q (via %q)", prompt, got.Prompt, buf.String())
		}
		if strings.TrimSpace(answer) != "" && letters(got.Answer) != letters(answer) {
			t.Fatalf("answer %q came back as %q (via %q)", answer, got.Answer, buf.String())
		}
	})
}

var tagStart = regexp.MustCompile(`<[a-zA-Z/!?]`)

var fenceInfo = regexp.MustCompile("(?m)^([ \t]*(?:`{3,}|~{3,})[ \t]*[^`\\s]*)[^`\n]*$")

// letters keeps the letters of a text, leaving out the words after a code
// block's language.
func letters(s string) string {
	s = fenceInfo.ReplaceAllString(s, "$1")
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, s)
}
