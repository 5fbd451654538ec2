package bankfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

func mustLoad(t *testing.T, paths ...string) *questionbank.Bank {
	t.Helper()
	b, err := Load(paths...)
	if err != nil {
		t.Fatalf("Load(%v): %v", paths, err)
	}
	return b
}

func TestLoadFolderLaterFilesAddCategories(t *testing.T) {
	b := mustLoad(t, "testdata/valid")
	if b.Len() != 4 {
		t.Fatalf("cards = %d, want 4", b.Len())
	}
	if got := len(b.Categories()); got != 2 {
		t.Fatalf("categories = %d, want 2", got)
	}
	c, ok := b.Card("networking-tls")
	if !ok || c.Category != "networking" {
		t.Fatalf("networking-tls from the second file should use the first file's category: %+v", c)
	}
	if !strings.HasSuffix(c.Source, "02-more.yaml:11") {
		t.Errorf("source = %q, want it to end in 02-more.yaml:11", c.Source)
	}
	dns, _ := b.Card("networking-dns-ttl")
	if len(dns.Tags) != 1 || dns.Tags[0] != "dns" || len(dns.KeyConcepts) != 1 || len(dns.Answers) != 2 {
		t.Errorf("single values should become one-element lists: %+v", dns)
	}
	h, _ := b.Card("networking-tcp-handshake")
	if h.QuickCheck.CorrectIndex() != 1 || !strings.Contains(h.Answer, "**SYN-ACK**") {
		t.Errorf("quick check or answer not read: %+v", h)
	}
}

func TestValidationReportsEveryErrorWithFileLineField(t *testing.T) {
	_, err := Load("testdata/invalid/errors.yaml")
	var list questionbank.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("want an ErrorList, got %v", err)
	}
	want := []string{
		`testdata/invalid/errors.yaml:4: categories[1].id: "Not A Slug" is not a valid id`,
		`testdata/invalid/errors.yaml:9: cards[1].id: duplicate id "ok-one" (first used at testdata/invalid/errors.yaml:6)`,
		`testdata/invalid/errors.yaml:13: cards[2].category: unknown category "nowhere": valid categories are ok` + "\n",
		`testdata/invalid/errors.yaml:17: cards[3].prompt: missing or empty`,
		`testdata/invalid/errors.yaml:23: cards[4].quick_check.options: has 0 correct options`,
		`testdata/invalid/errors.yaml:31: cards[5].quick_check.options: has 2 correct options`,
		`testdata/invalid/errors.yaml:39: cards[6].colour: unknown key`,
		`testdata/invalid/errors.yaml:43: cards[7].difficulty: unknown difficulty "impossible": choose easy, medium or hard`,
		`testdata/invalid/errors.yaml:44: cards[7].number: "twelve" is not a whole number`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing error\n  %s\nin\n%s", w, got)
		}
	}
	if len(list) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(list), len(want), got)
	}
	for i := 1; i < len(list); i++ {
		if list[i].Line < list[i-1].Line {
			t.Errorf("errors are not in line order: %v before %v", list[i-1], list[i])
		}
	}
}

func TestValidationSyntaxErrorNamesLine(t *testing.T) {
	_, err := Load("testdata/invalid/syntax.yaml")
	if err == nil || !regexp.MustCompile(`^testdata/invalid/syntax.yaml:\d+: not valid YAML`).MatchString(err.Error()) {
		t.Fatalf("want a file:line syntax error, got %v", err)
	}
}

func TestValidationAcrossFilesReportsAll(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.yaml", "categories:\n  - id: x\n    name: X\ncards:\n  - id: x-1\n    category: x\n    prompt: one\n")
	b := write("b.yaml", "categories:\n  - id: x\n    name: X again\ncards:\n  - id: x-1\n    category: x\n    prompt: two\n  - id: x-2\n    category: y\n    prompt: three\n  - id: x-3\n    category: x\n")
	_, err := Load(a, b)
	var list questionbank.ErrorList
	if !errors.As(err, &list) || len(list) != 4 {
		t.Fatalf("want 4 errors (duplicate category, duplicate id, unknown category, missing prompt), got %v", err)
	}
	for _, w := range []string{"b.yaml:2: categories: category \"x\" is declared again (first at " + a + ":2)",
		"b.yaml:5: cards[0].id: duplicate id \"x-1\" (first used at " + a + ":5)",
		"b.yaml:9: cards[1].category: unknown category \"y\": valid categories are x",
		"b.yaml:11: cards[2].prompt: missing or empty"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
}

func TestLoadMissingPathSaysWhatToGive(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), `or "default" for the built-in bank`) {
		t.Fatalf("got %v", err)
	}
}

func TestQuickCheckJSON(t *testing.T) {
	b := mustLoad(t, "testdata/valid")
	c, _ := b.Card("networking-tcp-handshake")
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		QuickCheck struct {
			Options []string `json:"options"`
			Correct int      `json:"correct"`
		} `json:"quick_check"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.QuickCheck.Options) != 3 || back.QuickCheck.Correct != 1 {
		t.Errorf("quick check JSON = %s", data)
	}
	var round questionbank.Card
	if err := json.Unmarshal(data, &round); err != nil || round.QuickCheck.CorrectIndex() != 1 {
		t.Errorf("round trip lost the correct option: %v %+v", err, round.QuickCheck)
	}
}

func TestWriteYAMLRoundTrip(t *testing.T) {
	docs, err := ReadDocuments("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	merged := &questionbank.Document{File: "merged"}
	for _, d := range docs {
		merged.Categories = append(merged.Categories, d.Categories...)
		merged.Cards = append(merged.Cards, d.Cards...)
	}
	if err := WriteYAML(&buf, merged); err != nil {
		t.Fatal(err)
	}
	back, errs := ParseYAML("merged.yaml", strings.NewReader(buf.String()))
	if len(errs) > 0 {
		t.Fatalf("written YAML does not parse: %v\n%s", errs, buf.String())
	}
	if len(back.Cards) != 4 || back.Cards[0].Answer != merged.Cards[0].Answer ||
		back.Cards[0].QuickCheck.CorrectIndex() != 1 || back.Cards[1].Answers[1] != "cache time" {
		t.Errorf("round trip changed the cards:\n%s", buf.String())
	}
}
