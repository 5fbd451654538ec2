package bankfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/prepbot/prepbot/questionbank"
)

func importFile(t *testing.T, path string, opt ImportOptions) *questionbank.Document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Import(path, data, opt)
	if err != nil {
		t.Fatalf("Import(%s): %v", path, err)
	}
	// Whatever was imported must survive the native format unchanged.
	var buf strings.Builder
	if err := WriteYAML(&buf, doc); err != nil {
		t.Fatal(err)
	}
	back, errs := ParseYAML("out.yaml", strings.NewReader(buf.String()))
	if len(errs) > 0 {
		t.Fatalf("imported bank does not parse back: %v", errs)
	}
	if _, err := questionbank.Build(back); err != nil {
		t.Fatalf("imported bank is not valid: %v", err)
	}
	if len(back.Cards) != len(doc.Cards) {
		t.Fatalf("round trip lost cards: %d -> %d", len(doc.Cards), len(back.Cards))
	}
	return doc
}

func TestDetectFormat(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Format
	}{
		{"testdata/seedlike.md", FormatMarkdown},
		{"testdata/trivia-red.yaml", FormatRed},
		{"testdata/opentdb.json", FormatOpenTDB},
		{"testdata/cards.csv", FormatCSV},
		{"testdata/valid/01-system.yaml", FormatYAML},
	} {
		data, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if got := DetectFormat(tc.file, data); got != tc.want {
			t.Errorf("DetectFormat(%s) = %s, want %s", tc.file, got, tc.want)
		}
		// without an extension the content decides
		if got := DetectFormat("stdin", data); got != tc.want {
			t.Errorf("DetectFormat(content of %s) = %s, want %s", tc.file, got, tc.want)
		}
	}
}

func TestImportMarkdown(t *testing.T) {
	doc := importFile(t, "testdata/seedlike.md", ImportOptions{})
	var prompts []string
	for _, c := range doc.Cards {
		prompts = append(prompts, c.Prompt)
	}
	want := []string{"B-Trees", "LSM Trees", "The `VACUUM` command",
		"TCP vs UDP: When would you pick UDP?", "HTTP/2: What does multiplexing fix, and what does it not?",
		"Mutex vs semaphore: What is the difference?"}
	if strings.Join(prompts, "\n") != strings.Join(want, "\n") {
		t.Fatalf("prompts:\n%s\nwant:\n%s", strings.Join(prompts, "\n"), strings.Join(want, "\n"))
	}
	cats := map[string]string{}
	for _, c := range doc.Categories {
		cats[c.ID] = c.Name + "|" + c.Description
	}
	if cats["databases"] != "Databases|Focus: storage engines." || cats["networking"] != "Networking|" || cats["concurrency"] != "Concurrency|" {
		t.Errorf("categories = %v", cats)
	}
	c := doc.Cards
	if c[0].Category != "databases" || c[3].Category != "networking" || c[5].Category != "concurrency" {
		t.Errorf("cards in the wrong categories: %s %s %s", c[0].Category, c[3].Category, c[5].Category)
	}
	if got := c[2].KeyConcepts; len(got) != 1 || got[0] != "Dead tuples | bloat." {
		t.Errorf("escaped pipe in a table cell: %q", got)
	}
	if got := c[4].KeyConcepts; len(got) != 2 || got[1] != "HPACK header compression" {
		t.Errorf("indented bullets should be key concepts: %q", got)
	}
	// The numbered list restarts at 1 after the table's 1-3: it continues at 4.
	for i, n := range []int{1, 2, 3, 4, 5, 6} {
		if c[i].Number != n {
			t.Errorf("card %d number = %d, want %d", i, c[i].Number, n)
		}
	}
	if c[0].Answer != "" || c[0].QuickCheck != nil || c[0].Difficulty != "" {
		t.Errorf("import invented content: %+v", c[0])
	}
}

func TestImportMarkdownForcedCategory(t *testing.T) {
	doc := importFile(t, "testdata/seedlike.md", ImportOptions{Category: "mixed"})
	if len(doc.Categories) != 1 || doc.Categories[0].ID != "mixed" {
		t.Fatalf("categories = %+v", doc.Categories)
	}
	for _, c := range doc.Cards {
		if c.Category != "mixed" || !strings.HasPrefix(c.ID, "mixed-") {
			t.Errorf("card %s in %s", c.ID, c.Category)
		}
	}
}

func TestImportRed(t *testing.T) {
	doc := importFile(t, "testdata/trivia-red.yaml", ImportOptions{})
	if len(doc.Cards) != 2 {
		t.Fatalf("cards = %d, want 2 (the repeated question merges)", len(doc.Cards))
	}
	https := doc.Cards[0]
	if https.Prompt != "What port does HTTPS use by default?" || strings.Join(https.Answers, ",") != "443,port 443,443/tcp" {
		t.Errorf("card = %+v", https)
	}
	if doc.Categories[0].ID != "trivia-red" || doc.Categories[0].Description != "Questions about protocols." {
		t.Errorf("category = %+v", doc.Categories[0])
	}
	if https.QuickCheck != nil || https.Answer != "" {
		t.Errorf("import invented content: %+v", https)
	}
}

func TestImportOpenTDB(t *testing.T) {
	doc := importFile(t, "testdata/opentdb.json", ImportOptions{})
	if len(doc.Cards) != 2 {
		t.Fatalf("cards = %d", len(doc.Cards))
	}
	c := doc.Cards[0]
	if c.Prompt != `What does "HTTP" stand for?` || c.Difficulty != questionbank.Easy || c.Category != "science-computers" {
		t.Errorf("card = %+v", c)
	}
	q := c.QuickCheck
	if len(q.Options) != 4 || q.Options[q.CorrectIndex()].Text != "HyperText Transfer Protocol" {
		t.Errorf("quick check = %+v", q)
	}
	b := doc.Cards[1]
	if b.Prompt != "The C programming language's <stdio.h> defines printf." {
		t.Errorf("entities not decoded: %q", b.Prompt)
	}
	if b.QuickCheck.Options[0].Text != "True" || !b.QuickCheck.Options[0].Correct {
		t.Errorf("boolean options = %+v", b.QuickCheck.Options)
	}
}

func TestImportCSV(t *testing.T) {
	doc := importFile(t, "testdata/cards.csv", ImportOptions{})
	if len(doc.Cards) != 3 || len(doc.Categories) != 2 {
		t.Fatalf("cards = %d, categories = %d", len(doc.Cards), len(doc.Categories))
	}
	a := doc.Cards[0]
	if a.QuickCheck.CorrectIndex() != 1 || a.QuickCheck.Question != a.Prompt || a.Tags[1] != "http" || a.Difficulty != questionbank.Easy {
		t.Errorf("card = %+v %+v", a, a.QuickCheck)
	}
	if !strings.Contains(a.Answer, "must be revalidated") {
		t.Errorf("answer = %q", a.Answer)
	}
	if b := doc.Cards[1]; b.QuickCheck != nil || len(b.KeyConcepts) != 2 {
		t.Errorf("card without options = %+v", b)
	}
	if c := doc.Cards[2]; c.QuickCheck.CorrectIndex() != 1 || c.Number != 3 {
		t.Errorf("correct given as text: %+v", c.QuickCheck)
	}
}

func TestImportErrorsNameFileLineField(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		format     Format
		want       []string
	}{
		{"bad.csv", mustRead(t, "testdata/bad.csv"), FormatCSV, []string{
			"bad.csv:1: colour: unknown column: the columns are id, category",
		}},
		{"bad2.csv", "category,prompt,options,correct\nx,What?,a|b,3\nx,,a|b,1\n", FormatCSV, []string{
			`bad2.csv:2: correct: "3" is not one of the options`,
			"bad2.csv:3: prompt: empty",
		}},
		{"bad.json", `{"response_code":0,"results":[{"question":"Q?","correct_answer":"","incorrect_answers":["x"]}]}`, FormatOpenTDB, []string{
			"bad.json:1: results[0].correct_answer: missing or empty",
		}},
		{"codes.json", `{"response_code":5,"results":[]}`, FormatOpenTDB, []string{"codes.json:1: response_code: is 5"}},
		{"broken.json", "{\n\"results\": [\n{\"question\": }", FormatOpenTDB, []string{"broken.json:3: not valid JSON"}},
		{"red.yaml", "Q one?:\n- a\nQ two?: []\n", FormatRed, []string{"red.yaml:3: Q two?: no accepted answers"}},
		{"empty.md", "# Nothing here\n\nJust prose.\n", FormatMarkdown, []string{"empty.md:1: found no questions in this markdown file"}},
		{"diff.md", "| # | Question | Difficulty |\n|---|---|---|\n| 1 | Q? | extreme |\n", FormatMarkdown, []string{`diff.md:3: difficulty: unknown difficulty "extreme"`}},
	} {
		_, err := Import(tc.name, []byte(tc.data), ImportOptions{Format: tc.format})
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		var list questionbank.ErrorList
		if !errors.As(err, &list) {
			t.Errorf("%s: want an ErrorList, got %T %v", tc.name, err, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: missing %q in\n%v", tc.name, w, err)
			}
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The user's own document: every prompt and its category come back.
func TestImportSeed(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "seed", "interview-questions.md")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the seed document is not beside the checkout (%v)", err)
	}
	doc := importFile(t, path, ImportOptions{})
	if len(doc.Cards) != 100 || len(doc.Categories) != 5 {
		t.Fatalf("cards = %d, categories = %d; want 100 and 5", len(doc.Cards), len(doc.Categories))
	}
	per := map[string]int{}
	for i, c := range doc.Cards {
		per[c.Category]++
		if c.Number != i+1 {
			t.Errorf("card %q number = %d, want %d", c.Prompt, c.Number, i+1)
		}
	}
	for _, cat := range doc.Categories {
		if per[cat.ID] != 20 {
			t.Errorf("category %s has %d cards", cat.ID, per[cat.ID])
		}
	}
	byNumber := map[int]*questionbank.Card{}
	for _, c := range doc.Cards {
		byNumber[c.Number] = c
	}
	for n, want := range map[int]string{
		1:   "GIL (Global Interpreter Lock)",
		21:  "Dependency Injection: How does it improve testability and code reuse?",
		41:  "MVCC",
		75:  "CQR S (Command Query Responsibility Segregation): When is the complexity worth it?",
		100: "Matrix Rotation: Rotate a 2D matrix by 90 degrees in-place.",
	} {
		if byNumber[n].Prompt != want {
			t.Errorf("card %d prompt = %q, want %q", n, byNumber[n].Prompt, want)
		}
	}
	if k := byNumber[4].KeyConcepts; len(k) != 1 || k[0] != "The `__enter__` and `__exit__` methods; use of `with` blocks." {
		t.Errorf("key concepts of 4 = %q", k)
	}
	if doc.Categories[2].Name != "PostgreSQL & Persistence" {
		t.Errorf("category name = %q", doc.Categories[2].Name)
	}
}

// Real files from the two public trivia formats, beside the checkout.
func TestImportFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "banks")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared fixtures are not beside the checkout (%v)", err)
	}
	for _, name := range []string{"red-trivia-computers.yaml", "red-trivia-general.yaml"} {
		path := filepath.Join(dir, name)
		doc := importFile(t, path, ImportOptions{})
		// count the questions independently: every top-level key but the three Red reserves
		var m map[string]any
		if err := yaml.Unmarshal([]byte(mustRead(t, path)), &m); err != nil {
			t.Fatal(err)
		}
		want := 0
		for k := range m {
			if k != "AUTHOR" && k != "DESCRIPTION" && k != "CONFIG" {
				want++
				if !hasPrompt(doc, k) {
					t.Errorf("%s: question %q was not imported", name, k)
				}
			}
		}
		if len(doc.Cards) != want || want < 100 {
			t.Errorf("%s: imported %d cards, the file has %d questions", name, len(doc.Cards), want)
		}
		for _, c := range doc.Cards {
			if len(c.Answers) == 0 {
				t.Errorf("%s: %q has no accepted answers", name, c.Prompt)
			}
		}
	}
	path := filepath.Join(dir, "opentdb-response.json")
	doc := importFile(t, path, ImportOptions{})
	if len(doc.Cards) != 10 {
		t.Errorf("opentdb: %d cards, want 10", len(doc.Cards))
	}
	for _, c := range doc.Cards {
		if strings.ContainsAny(c.Prompt, "&;") && strings.Contains(c.Prompt, "&quot;") {
			t.Errorf("entity left in %q", c.Prompt)
		}
		if c.QuickCheck == nil || c.QuickCheck.CorrectIndex() < 0 || c.Difficulty == "" {
			t.Errorf("opentdb card incomplete: %+v", c)
		}
	}
	if !hasPrompt(doc, `In the game "Undertale", who was Mettaton's creator?`) {
		t.Errorf("decoded Undertale question missing")
	}
}

func hasPrompt(doc *questionbank.Document, p string) bool {
	for _, c := range doc.Cards {
		if c.Prompt == strings.TrimSpace(p) {
			return true
		}
	}
	return false
}
