package bankfile

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

var defaultCategories = []struct {
	id       string
	from, to int
}{
	{"python", 1, 20}, {"fastapi", 21, 40}, {"postgres", 41, 60}, {"microservices", 61, 80}, {"coding", 81, 100},
}

// Every seed question is a complete study card in the built-in bank.
func TestDefaultBankIsComplete(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatalf("the built-in bank does not validate: %v", err)
	}
	if b.Len() != 100 {
		t.Fatalf("built-in bank has %d cards, want 100", b.Len())
	}
	if got := len(b.Categories()); got != 5 {
		t.Fatalf("built-in bank has %d categories, want 5", got)
	}
	numbers := map[int]string{}
	for i, want := range defaultCategories {
		cat := b.Categories()[i]
		if cat.ID != want.id || cat.Name == "" || cat.Name == cat.ID || cat.Description == "" {
			t.Errorf("category %d = %+v, want id %s with a display name and description", i, cat, want.id)
		}
		pool, _ := b.Pool(questionbank.Filter{Category: want.id})
		if len(pool) != 20 {
			t.Errorf("category %s has %d cards, want 20", want.id, len(pool))
		}
		diffs := map[questionbank.Difficulty]int{}
		for _, c := range pool {
			diffs[c.Difficulty]++
			if c.Number < want.from || c.Number > want.to {
				t.Errorf("%s: number %d outside %d-%d", c.ID, c.Number, want.from, want.to)
			}
			if prev, dup := numbers[c.Number]; dup {
				t.Errorf("%s and %s share number %d", prev, c.ID, c.Number)
			}
			numbers[c.Number] = c.ID
		}
		for _, d := range questionbank.Difficulties {
			if diffs[d] < 3 {
				t.Errorf("category %s has only %d %s cards", want.id, diffs[d], d)
			}
		}
	}
	positions := map[int]int{}
	for _, c := range b.Cards() {
		checkDefaultCard(t, c)
		if c.QuickCheck != nil {
			positions[c.QuickCheck.CorrectIndex()]++
		}
	}
	// the right answer must not sit in one place: no position holds more than 40%
	for p, n := range positions {
		if n > 40 {
			t.Errorf("the correct option is at position %d in %d of 100 cards", p, n)
		}
	}
}

var wordRE = regexp.MustCompile(`\S+`)

func checkDefaultCard(t *testing.T, c *questionbank.Card) {
	t.Helper()
	if !strings.HasPrefix(c.ID, c.Category+"-") {
		t.Errorf("%s: id should start with its category", c.ID)
	}
	if len(c.Prompt) < 30 || !strings.ContainsAny(c.Prompt, "?.") {
		t.Errorf("%s: prompt is not a full question: %q", c.ID, c.Prompt)
	}
	if len(c.KeyConcepts) == 0 {
		t.Errorf("%s: no key concepts", c.ID)
	}
	if n := len(wordRE.FindAllString(c.Answer, -1)); n < 80 || n > 250 {
		t.Errorf("%s: model answer has %d words, want 80-250", c.ID, n)
	}
	if strings.Count(c.Answer, "```")%2 != 0 {
		t.Errorf("%s: unbalanced code fence in the answer", c.ID)
	}
	q := c.QuickCheck
	if q == nil {
		t.Errorf("%s: no quick check", c.ID)
		return
	}
	if len(q.Options) < 3 || len(q.Options) > 5 || q.CorrectIndex() < 0 || q.Explanation == "" || q.Question == "" {
		t.Errorf("%s: quick check needs a question, 3-5 options, one correct and an explanation: %+v", c.ID, q)
	}
	if c.Difficulty == "" || len(c.Tags) == 0 {
		t.Errorf("%s: difficulty %q, tags %v", c.ID, c.Difficulty, c.Tags)
	}
	if c.Category == "coding" {
		if strings.Count(c.Answer, "```python") != 1 {
			t.Errorf("%s: a coding answer has exactly one ```python block", c.ID)
		}
		if len(c.Examples) < 2 || len(c.Examples) > 3 {
			t.Errorf("%s: %d worked examples, want 2-3", c.ID, len(c.Examples))
		}
		if !regexp.MustCompile(`O\([^)]*\)`).MatchString(c.Answer) {
			t.Errorf("%s: a coding answer states its complexity in O() notation", c.ID)
		}
	} else if len(c.Examples) > 0 {
		t.Errorf("%s: examples belong to coding cards", c.ID)
	}
}

// The seed document's own mistakes are fixed, not copied.
func TestDefaultBankFixesSeedErrors(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Cards() {
		text := c.Prompt + strings.Join(c.KeyConcepts, " ") + c.Answer
		if strings.Contains(text, "CQR S") {
			t.Errorf("%s still says \"CQR S\"", c.ID)
		}
		if strings.Contains(text, "for  complexity") || strings.Contains(text, "lists in .") {
			t.Errorf("%s still has the seed's missing complexity", c.ID)
		}
	}
	card := func(n int) *questionbank.Card {
		for _, c := range b.Cards() {
			if c.Number == n {
				return c
			}
		}
		t.Fatalf("no card %d", n)
		return nil
	}
	if c := card(75); !strings.Contains(c.Prompt+c.Answer, "CQRS") {
		t.Errorf("card 75 should name CQRS: %q", c.Prompt)
	}
	if c := card(85); !strings.Contains(c.Prompt+strings.Join(c.KeyConcepts, " "), "O(N log k)") {
		t.Errorf("card 85 should state O(N log k): %q %q", c.Prompt, c.KeyConcepts)
	}
	if c := card(94); !strings.Contains(c.Prompt+strings.Join(c.KeyConcepts, " "), "O(n + m)") {
		t.Errorf("card 94 should state O(n + m): %q %q", c.Prompt, c.KeyConcepts)
	}
	mvcc := card(41)
	all := strings.ToLower(mvcc.Prompt + " " + strings.Join(mvcc.KeyConcepts, " ") + " " + mvcc.Answer)
	if strings.Contains(all, "without locking") && !strings.Contains(all, "not without locking") {
		t.Errorf("card 41 repeats the seed's claim that MVCC works without locking")
	}
	if !strings.Contains(all, "row lock") {
		t.Errorf("card 41 should say that writers of the same row still take a row lock")
	}
}

// Every coding card's solution runs against its worked examples.
func TestCodingSolutionsRun(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the coding cards' solutions were not run (install python3 to run them)")
	}
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := b.Pool(questionbank.Filter{Category: "coding"})
	data, err := json.Marshal(pool)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cards := filepath.Join(dir, "cards.json")
	if err := os.WriteFile(cards, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "testdata/run_examples.py", cards).CombinedOutput()
	if err != nil {
		t.Fatalf("python3 run_examples.py: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), "\nok "); got+boolToInt(strings.HasPrefix(string(out), "ok ")) != len(pool) {
		t.Fatalf("expected %d cards to pass:\n%s", len(pool), out)
	}
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
