package questionbank

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			if _, err := Build(back); err != nil {
				t.Fatalf("%s: an imported bank is not valid once written: %v\n%s", format, err, sb.String())
			}
		}
	})
}
