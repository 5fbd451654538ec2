package bankfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

func TestJSONRoundTripAndLoad(t *testing.T) {
	docs, err := ReadDocuments("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i, d := range docs {
		f, err := os.Create(filepath.Join(dir, []string{"a.json", "b.json"}[i]))
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(f, d); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	b := mustLoad(t, dir)
	want := mustLoad(t, "testdata/valid")
	if b.Len() != want.Len() || len(b.Categories()) != 2 {
		t.Fatalf("JSON bank: %d cards, %d categories", b.Len(), len(b.Categories()))
	}
	for _, c := range want.Cards() {
		got, ok := b.Card(c.ID)
		if !ok || got.Prompt != c.Prompt || got.Answer != c.Answer || strings.Join(got.Answers, "|") != strings.Join(c.Answers, "|") ||
			(c.QuickCheck != nil) != (got.QuickCheck != nil) || c.QuickCheck != nil && got.QuickCheck.CorrectIndex() != c.QuickCheck.CorrectIndex() {
			t.Errorf("%s changed in JSON: %+v", c.ID, got)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "a.json"))
	if DetectFormat("x.json", data) != FormatJSON || DetectFormat("stdin", data) != FormatJSON {
		t.Errorf("a native JSON bank is detected as %s", DetectFormat("x.json", data))
	}
	otdb, _ := os.ReadFile("testdata/opentdb.json")
	if DetectFormat("x.json", otdb) != FormatOpenTDB {
		t.Errorf("an Open Trivia DB file is detected as %s", DetectFormat("x.json", otdb))
	}
}

// A bare list of cards, as `bank list --json` prints, loads beside the
// file that declares its categories.
func TestJSONBareListWithDefault(t *testing.T) {
	p := filepath.Join(t.TempDir(), "extra.json")
	os.WriteFile(p, []byte(`[{"id":"postgres-extra","category":"postgres","prompt":"An extra question?","quick_check":{"question":"Q?","options":["a","b","c"],"correct":2}}]`), 0o644)
	b := mustLoad(t, DefaultName, p)
	if b.Len() != 101 {
		t.Fatalf("cards = %d", b.Len())
	}
	c, _ := b.Card("postgres-extra")
	if c.QuickCheck.CorrectIndex() != 2 {
		t.Errorf("correct = %d", c.QuickCheck.CorrectIndex())
	}
}

func TestJSONErrorsNameLineAndField(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(p, []byte(`{
  "categories": [{"id": "x", "name": "X"}],
  "colour": "blue",
  "cards": [
    {"id": "x-1", "category": "x", "prompt": "Fine?"},
    {"id": "x-2", "category": "x", "prompt": "", "difficulty": "brutal"},
    {"id": "x-3", "category": "x", "prompt": "Bad option?",
     "quick_check": {"question": "Q?", "options": ["a", "b"], "correct": 5}},
    {"id": "x-4", "category": "x", "prompt": "Typo?", "promt": "oops"},
    {"id": "x-1", "category": "y", "prompt": "Again?"}
  ]
}`), 0o644)
	_, err := Load(p)
	var list questionbank.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("want an ErrorList, got %v", err)
	}
	for _, want := range []string{
		p + `:3: colour: unknown key`,
		p + `:6: cards[1].prompt: missing or empty`,
		p + `:6: cards[1].difficulty: unknown difficulty "brutal"`,
		p + `:7: cards[2].quick_check.options: has 0 correct options`,
		p + `:9: cards[3]: unknown key "promt"`,
		p + `:10: cards[4].id: duplicate id "x-1" (first used at ` + p + `:5)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}

func BenchmarkLoad100k(b *testing.B) {
	data := Synthetic(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, errs := ParseYAML("gen.yaml", strings.NewReader(data))
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		if _, err := questionbank.Build(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad100kJSON(b *testing.B) {
	doc, errs := ParseYAML("gen.yaml", strings.NewReader(Synthetic(100_000)))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	var sb strings.Builder
	if err := WriteJSON(&sb, doc); err != nil {
		b.Fatal(err)
	}
	data := sb.String()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		doc, errs := ParseJSON("gen.json", strings.NewReader(data))
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		if _, err := questionbank.Build(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// A mistake inside a card is reported at the line of the field, with the
// field's path and what was expected.
func TestJSONCardErrorsPointAtTheField(t *testing.T) {
	data := `[
  {"id": "x-1", "category": "x", "prompt": "Fine?"},
  {"id": "x-2",
   "category": "x",
   "prompt": "Number?",
   "number": "seven"},
  {"id": "x-3", "category": "x", "prompt": "Options?",
   "quick_check": {"question": "Q?",
      "options": ["a", 2], "correct": 0}},
  {"id": "x-4", "category": "x", "prompt": "Fraction?", "number": 1.5},
  {"id": "x-5", "category": "x", "prompt": "Examples?",
   "examples": [{"input": "1", "output": "1"},
                {"input": "2", "outptu": "2"}]},
  {"id": "x-6", "category": "x", "prompt": "Tab	inside?"}
]`
	_, errs := ParseJSON("list.json", strings.NewReader(data))
	got := errs.Error()
	for _, want := range []string{
		`list.json:6: cards[1].number: want a whole number, got text`,
		`list.json:9: cards[2].quick_check.options[1]: want text in quotes, got a number`,
		`list.json:10: cards[3].number: want a whole number, got 1.5`,
		`list.json:13: cards[4].examples[1]: unknown key "outptu"`,
		`list.json:14: cards[5].prompt: a line break or control character inside quotes`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(errs) != 5 {
		t.Errorf("%d errors, want 5:\n%s", len(errs), got)
	}
}
