package questionbank

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// sameTree reports the first difference between two node trees, ignoring
// comments.
func sameTree(path string, a, b *ynode) error {
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value ||
		a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Errorf("%s: fast {kind %d style %d tag %s value %q at %d:%d, %d children}, yaml.v3 {kind %d style %d tag %s value %q at %d:%d, %d children}",
			path, a.Kind, a.Style, a.Tag, a.Value, a.Line, a.Column, len(a.Content),
			b.Kind, b.Style, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if err := sameTree(fmt.Sprintf("%s/%d", path, i), a.Content[i], b.Content[i]); err != nil {
			return err
		}
	}
	return nil
}

// checkFast fails when the fast reader reads data differently from yaml.v3.
func checkFast(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := fastRead(data, nil)
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatalf("the fast reader reads what yaml.v3 refuses (%v):\n%s", err, data)
	}
	if err := sameTree("", got, fromYAML(&want)); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return true
}

// The built-in bank, generated banks and the test banks are all read by the
// fast path, and read the same as yaml.v3 reads them.
func TestFastYAMLReadsBanks(t *testing.T) {
	err := fs.WalkDir(defaultFS, "defaultbank", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(defaultFS, path)
		if err != nil {
			return err
		}
		if !checkFast(t, data) {
			t.Errorf("%s: the fast reader gave up on the built-in bank", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !checkFast(t, []byte(Synthetic(50))) {
		t.Error("the fast reader gave up on a generated bank")
	}
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkFast(t, data)
	}
	// what WriteYAML writes, so what `bank import` writes
	bank, err := Load(DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := WriteYAML(&out, &Document{Categories: bank.Categories(), Cards: bank.Cards()}); err != nil {
		t.Fatal(err)
	}
	if !checkFast(t, []byte(out.String())) {
		t.Error("the fast reader gave up on what WriteYAML writes")
	}
	doc, errs := ParseYAML("default", strings.NewReader(Synthetic(10)))
	if len(errs) > 0 || len(doc.Cards) != 10 {
		t.Fatalf("%d cards, %v", len(doc.Cards), errs)
	}
}

var fastYAMLSeeds = []string{
	"a: 1\nb: [x, \"y\", 'z''s']\nc:\n- d\n- e: f\n  g: h\n",
	"k: |\n  line one\n\n    indented\n  last\nm: >-\n  folded\n  text\n\n  para\n",
	"a:\n  b:\n    - \"\\u00e9\\n\\t\\\\\"\n    - 'q'\n# comment\nc: d # not a comment?\n",
	"x: |-\n  a\n\n\ny: true\nz: null\nw: 1.5\nv: ~\n",
	"list:\n  - |\n    text\n  -\n    a: 1\n  - [ ]\n",
	"a: b\n  # indented comment\nc: d\n",
	"k: >\n  a\n   b\n  c\n",
	"k: |\n  a\n # c\nm: 1\n",
	"s: 'it''s'\nt: \"a\\\"b\"\nu: [a b, c , 'd']\n",
	"é: 1\n",
	"a: [é, b]\nb: - x\n",
	"- a\n- b: c\n",
	"a:\n",
	"a: yes\nb: No\nc: on\nd: ~\ne: .5\nf: 0x1F\ng: 1e3\nh: -.inf\ni: <<\nj: True\nk: NULL\nl: 2026-11-25\nm: +1\nn: [1, true, null, x]\nyes: 1\n1: a\n",
}

// FuzzFastYAML checks the fast reader against yaml.v3: wherever it reads a
// file, yaml.v3 must read the same tree.
func FuzzFastYAML(f *testing.F) {
	for _, s := range fastYAMLSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(Synthetic(2)))
	if data, err := fs.ReadFile(defaultFS, "defaultbank/1-python.yaml"); err == nil {
		f.Add(data[:4000])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data)
	})
}

// The seeds run as a plain test too, and the ones built to be read must be.
func TestFastYAMLSeeds(t *testing.T) {
	read := 0
	for _, s := range fastYAMLSeeds {
		if checkFast(t, []byte(s)) {
			read++
		}
	}
	if read < 6 {
		t.Errorf("the fast reader read only %d of the seeds", read)
	}
}

// A bank large enough to be read on every core, with errors in some cards,
// comments between them and its list of cards not indented, reads the same
// (cards, their places and the errors) as with yaml.v3 alone.
func TestFastYAMLLargeBankMatchesYAMLv3(t *testing.T) {
	text := Synthetic(3000)
	if len(text) < 2*parallelFrom {
		t.Fatalf("the bank is %d bytes: too small to be read in parallel", len(text))
	}
	text = strings.Replace(text, "difficulty: medium", "difficulty: extreme", 7)
	text = strings.Replace(text, "  - id: gen-1500\n", "# the second half\n  - id: gen-1500\n    tags: [a]\n", 1)
	text = strings.Replace(text, "    category: postgres\n", "", 3)
	text = strings.Replace(text, "        - text: The third option\n", "        - text: The third option\n          correct: maybe\n", 2)
	text = strings.ReplaceAll(text, "\n  ", "\n") // cards at column 0 under `cards:`
	if got, ok := fastRead([]byte(text), nil); !ok {
		t.Fatal("the fast reader gave up")
	} else {
		var want yaml.Node
		if err := yaml.Unmarshal([]byte(text), &want); err != nil {
			t.Fatal(err)
		}
		if err := sameTree("", got, fromYAML(&want)); err != nil {
			t.Fatal(err)
		}
	}
	w := &cardWalker{file: "big.yaml"}
	if _, ok := fastRead([]byte(text), w); !ok || w.node == nil {
		t.Fatal("the fast reader did not read the cards as it went")
	}
	if errs := sameAsYAMLv3(t, text, 3000); len(errs) < 13 {
		t.Fatalf("the broken cards gave only %d errors: %v", len(errs), errs)
	}
	// a second list of cards is refused, and the first is still read
	_, list, _ := strings.Cut(text, "\ncards:\n")
	if errs := sameAsYAMLv3(t, text+"cards:\n"+list, 3000); !strings.Contains(errs.Error(), "cards: given twice") {
		t.Fatalf("a second `cards:` is not reported: %v", errs)
	}
}

// sameAsYAMLv3 parses text with and without the fast reader, fails unless
// both give the same cards and errors, and returns the errors.
func sameAsYAMLv3(t *testing.T, text string, cards int) ErrorList {
	t.Helper()
	fastDoc, fastErrs := ParseYAML("big.yaml", strings.NewReader(text))
	slowYAML = true
	defer func() { slowYAML = false }()
	slowDoc, slowErrs := ParseYAML("big.yaml", strings.NewReader(text))
	if fastErrs.Error() != slowErrs.Error() {
		t.Fatalf("errors differ:\nfast: %v\nyaml.v3: %v", fastErrs, slowErrs)
	}
	if len(fastDoc.Cards) != len(slowDoc.Cards) || len(fastDoc.Cards) != cards {
		t.Fatalf("%d cards, yaml.v3 %d, want %d", len(fastDoc.Cards), len(slowDoc.Cards), cards)
	}
	for i, c := range fastDoc.Cards {
		s := slowDoc.Cards[i]
		if !reflect.DeepEqual(c, s) || fastDoc.cardLine[c] != slowDoc.cardLine[s] {
			t.Fatalf("card %d differs:\nfast %+v %+v\nyaml.v3 %+v %+v", i, c, fastDoc.cardLine[c], s, slowDoc.cardLine[s])
		}
	}
	return slowErrs
}

// plainText finds a character yaml.v3 refuses wherever it is in a large
// file, including across the places where the file is split between cores.
func TestPlainTextLarge(t *testing.T) {
	data := []byte(Synthetic(4000))
	if !plainText(data) {
		t.Fatal("a generated bank is refused")
	}
	for _, at := range []int{0, len(data) / 2, len(data)/2 - 1, len(data) - 1, len(data) / 3} {
		bad := slices.Clone(data)
		bad[at] = '\r'
		if plainText(bad) {
			t.Errorf("a carriage return at %d of %d is not seen", at, len(data))
		}
	}
	e := slices.Insert(slices.Clone(data), len(data)/2, []byte("\u2028")...)
	if plainText(e) {
		t.Error("a line separator in the middle is not seen")
	}
}
