package web_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The pages take a bot.Store: they import no storage backend and no
// platform SDK, only the standard library, the domain, the card model and
// the pictures' palette.
func TestWebImportsNoBackendOrPlatform(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/prepbot/prepbot/bot": true, "github.com/prepbot/prepbot/bot/chart": true, "github.com/prepbot/prepbot/questionbank": true}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.SplitN(path, "/", 2)[0], ".") && !allowed[path] {
				t.Errorf("%s imports %s: the pages read the store through bot.Store and draw with the standard library", name, path)
			}
		}
	}
}
