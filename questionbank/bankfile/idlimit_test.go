package bankfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

// Category ids go into the platforms' own ids (Discord's custom_id and
// autocomplete values of at most 100 characters): validation refuses one
// that could not fit, with the file, line and field, and says what to do.
// Card ids go into none, so a long one is fine.
func TestCategoryIDLengthIsChecked(t *testing.T) {
	dir := t.TempDir()
	long, ok := strings.Repeat("a", questionbank.MaxCategoryID+1), strings.Repeat("b", questionbank.MaxCategoryID)
	yaml := "categories:\n  - id: " + ok + "\n  - id: " + long + "\ncards:\n  - id: " + strings.Repeat("x", 200) +
		"\n    category: " + ok + "\n    prompt: Why?\n    answers: [because]\n"
	json := `{"categories": [{"id": "` + ok + `"}, {"id": "` + long + `"}], "cards": [{"id": "` + strings.Repeat("y", 200) +
		`", "category": "` + ok + `", "prompt": "Why?", "answers": ["because"]}]}`
	for name, text := range map[string]string{"bank.yaml": yaml, "bank.json": json} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil {
			t.Fatalf("%s: a %d-character category id was accepted", name, len(long))
		}
		line := "3"
		if name == "bank.json" {
			line = "1"
		}
		want := path + ":" + line + ": categories[1].id: \"" + long + "\" is 65 characters long: shorten it to at most 64"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error\n%v\nwant it to contain\n%s", name, err, want)
		}
		if strings.Count(err.Error(), "\n") > 1 || strings.Contains(err.Error(), "x") && strings.Contains(err.Error(), "cards[0].id") {
			t.Errorf("%s: more refused than the long category id:\n%v", name, err)
		}
	}
	if _, err := Import("list.md", []byte("# Topic\n\n1. Why?\n"), ImportOptions{Category: long}); err == nil || !strings.Contains(err.Error(), "shorten it to at most 64") {
		t.Errorf("import --category with a long id: %v", err)
	}
}

// A category may carry its colour (#RRGGBB); anything else is refused with
// its file, line and field.
func TestCategoryColor(t *testing.T) {
	doc, errs := ParseYAML("c.yaml", strings.NewReader("categories:\n  - id: a\n    color: \"#3776ab\"\n  - id: b\n    color: blue\n  - id: c\n"))
	if len(errs) != 1 || !strings.Contains(errs.Error(), `c.yaml:5: categories[1].color: "blue" is not a colour: write it as #RRGGBB`) {
		t.Fatalf("errors: %v", errs)
	}
	if got := []int{doc.Categories[0].RGB(), doc.Categories[1].RGB(), doc.Categories[2].RGB()}; got[0] != 0x3776AB || got[1] != 0 || got[2] != 0 {
		t.Fatalf("colours %x", got)
	}
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Categories() {
		if c.RGB() == 0 {
			t.Errorf("built-in category %s has no colour", c.ID)
		}
	}
}
