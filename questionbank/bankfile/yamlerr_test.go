package bankfile

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// A YAML syntax error is reported at the line that holds it, where yaml.v3
// names the line before (a tab after a plain value, a parser error) or none.
func TestYAMLSyntaxErrorLine(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		line int
	}{
		{"cards:\n  - id: a\n    prompt: b\n\tanswer: c\n", 4}, // a tab indents line 4
		{"cards:\n  - id: a\n\t  prompt: b\n", 3},              // a tab, then spaces
		{"db: x\n- y\n", 2},                                    // a parser error
		{"- x\ny: z\n", 2},                                     // and the other way round
		{"a: [1,\n  2,\n  3]\nb: c\n\td: e\n", 5},              // after a valid flow over lines
		{"cards:\n  - id: broken\n    prompt: [unclosed\n", 3}, // unclosed at the end
		{"a: \"unclosed\nb: c\n", 1},                           // a quote left open
		{"- a\n b: c\n", 2},                                    // a mapping where it cannot be
		{"\tcards: []\n", 1},                                   // on the first line
	} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(tc.doc), &n)
		if err == nil {
			t.Fatalf("%q parses", tc.doc)
		}
		line, msg, ok := YAMLSyntaxError([]byte(tc.doc), err)
		if !ok || line != tc.line || msg == "" || strings.Contains(msg, "line") {
			t.Errorf("%q: line %d %q %v, want line %d (yaml.v3 said %q)", tc.doc, line, msg, ok, tc.line, err)
		}
	}
	var v struct{ A int }
	err := yaml.Unmarshal([]byte("a: x\n"), &v)
	if _, _, ok := YAMLSyntaxError([]byte("a: x\n"), err); ok {
		t.Errorf("a type error (%v) is no syntax error", err)
	}
}

func TestValidateNamesTheTabsLine(t *testing.T) {
	_, list := ParseYAML("tab.yaml", strings.NewReader("categories:\n  - id: net\n    name: Networking\n\tdescription: a tab\n"))
	if len(list) != 1 || !strings.HasPrefix(list[0].Error(), "tab.yaml:4: not valid YAML: ") {
		t.Fatalf("%v", list)
	}
}

// A trivia list or an Open Trivia DB response given as a bank is told
// apart from a bank file, broken or not.
func TestForeignFormat(t *testing.T) {
	read := func(path string) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, tc := range []struct {
		name string
		data []byte
		want Format
	}{
		{"trivia-red.yaml", read("testdata/trivia-red.yaml"), FormatRed},
		{"opentdb.json", read("testdata/opentdb.json"), FormatOpenTDB},
		{"quiz.yml", []byte("\"Which port does SSH use?\":\n- 22\n"), FormatRed},
		{"quiz.yaml", []byte("AUTHOR: me\nName the protocol of the web:\n- HTTP\n"), FormatRed},
		{"01-system.yaml", read("testdata/valid/01-system.yaml"), ""},
		{"errors.yaml", read("testdata/invalid/errors.yaml"), ""},
		{"typo.yaml", []byte("card:\n  - id: x\n"), ""}, // a broken bank, for its own parser
		{"cards.json", []byte(`{"cards": [{"id": "x", "prompt": "Why?"}]}`), ""},
		{"results.json", []byte(`{"results": []}`), ""},
		{"trivia.txt", read("testdata/trivia-red.yaml"), ""}, // not given as a bank
	} {
		if got := ForeignFormat(tc.name, tc.data); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, f := range []struct {
		path string
		want Format
	}{
		{"../../../shared/fixtures/banks/red-trivia-general.yaml", FormatRed},
		{"../../../shared/fixtures/banks/red-trivia-computers.yaml", FormatRed},
		{"../../../shared/fixtures/banks/opentdb-response.json", FormatOpenTDB},
	} {
		if _, err := os.Stat(f.path); err != nil {
			t.Logf("%s is absent: skipped", f.path)
			continue
		}
		if got := ForeignFile(f.path); got != f.want {
			t.Errorf("%s: %q, want %q", f.path, got, f.want)
		}
	}
}

// Given to the loader, such a file is one problem, which says how to
// convert it, and not one for each of its questions.
func TestLoadForeignListIsOneProblem(t *testing.T) {
	for _, path := range []string{"testdata/trivia-red.yaml", "testdata/opentdb.json"} {
		_, err := Load(path)
		if err == nil {
			t.Fatalf("%s loads as a bank", path)
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != 1 || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), "`prepbot bank import "+path+" -o bank.yaml`") {
			t.Errorf("%s: %v", path, err)
		}
	}
}
