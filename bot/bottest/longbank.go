package bottest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// LongBankDocument is a team's own bank at the edge of what is plausible:
// a 64-character category id (the longest a bank may use) and
// 100-character card ids, 3,000-character prompts, five 200-character
// options, 9,000-character model answers with code blocks, and text that
// tries to ping everyone (@everyone, <!channel>), carries &, < and > and
// masked links. Every card of it must validate and render within every
// limit of every platform.
func LongBankDocument() *questionbank.Document {
	cat := strings.Repeat("c", questionbank.MaxCategoryID)
	hostile := "Ping @everyone and @here and <!channel> <!here> <@U123> <#C123>; compare a < b && b > c; " +
		"see [the docs](https://example.com/a_(b)?q=1&r=<2>) and <https://example.com|a link>; **bold** _it_ ~~st~~ `x < y`. "
	doc := &questionbank.Document{File: "long.yaml", Categories: []questionbank.Category{{ID: cat, Name: strings.Repeat("Long category name ", 8)}}}
	for i := 0; i < 3; i++ {
		id := strings.Repeat("card", 24) + fmt.Sprintf("-%03d", i) // 100 characters
		var answer strings.Builder
		for answer.Len() < 9000 {
			answer.WriteString(hostile + "\n\n```python\nclass Node:\n    def __repr__(self):\n        return \"<class 'Node'> <-> & done\"\n" +
				strings.Repeat("    x = [i for i in range(10) if i < 5 and i > 2]  # <!channel>\n", 12) + "```\n\n")
		}
		var opts []questionbank.Option
		for o := 0; o < 5; o++ {
			opts = append(opts, questionbank.Option{Text: pad(fmt.Sprintf("Option %d: %s", o, hostile), 200), Correct: o == 2})
		}
		var concepts []string
		for k := 0; k < 8; k++ {
			concepts = append(concepts, pad(fmt.Sprintf("Concept %d: %s", k, hostile), 300))
		}
		doc.Cards = append(doc.Cards, &questionbank.Card{
			ID: id, Category: cat, Difficulty: questionbank.Difficulties[i%3],
			Prompt:      pad(hostile, 3000),
			KeyConcepts: concepts,
			Answer:      answer.String()[:9000],
			QuickCheck: &questionbank.QuickCheck{Question: pad("Which one? "+hostile, 500), Options: opts,
				Explanation: pad("Because "+hostile, 1000)},
		})
	}
	// a typed card, answered by typing
	doc.Cards = append(doc.Cards, &questionbank.Card{ID: strings.Repeat("t", 100), Category: cat, Difficulty: questionbank.Easy,
		Prompt: pad(hostile, 3000), Answer: pad(hostile, 9000), Answers: []string{pad("<!channel> & <b>", 200)}})
	return doc
}

// pad repeats s to exactly n bytes (ASCII text).
func pad(s string, n int) string {
	return strings.Repeat(s, n/len(s)+1)[:n]
}

// LongBank writes LongBankDocument as a bank file, loads it as `prepbot
// bank validate` and `--bank` do, and returns it.
func LongBank(t testing.TB) *questionbank.Bank {
	t.Helper()
	path := filepath.Join(t.TempDir(), "long.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := bankfile.WriteYAML(f, LongBankDocument()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := bankfile.Load(path)
	if err != nil {
		t.Fatalf("the long bank does not validate: %v", err)
	}
	return b
}
