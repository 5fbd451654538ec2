package adapter

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func longCode(lang string) string {
	var b strings.Builder
	b.WriteString("Intro paragraph.\n\n```" + lang + "\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "x_%03d = compute(%d)  # a line of code\n", i, i)
	}
	b.WriteString("```\n\nClosing words.")
	return b.String()
}

// A code block cut in two is closed and reopened with its language, or
// with a bare fence for Slack; nothing is lost and every piece fits.
func TestSplitMarkdownReopensCodeBlocks(t *testing.T) {
	for _, tc := range []struct {
		opts   SplitOptions
		reopen string
	}{{SplitOptions{}, "```python\n"}, {SplitOptions{BareFence: true}, "```\n"}} {
		parts := SplitMarkdown(longCode("python"), 3000, tc.opts)
		if len(parts) < 3 {
			t.Fatalf("want the text split, got %d parts", len(parts))
		}
		for i, p := range parts {
			if n := utf8.RuneCountInString(p); n > 3000 {
				t.Errorf("part %d has %d runes", i, n)
			}
			if strings.Count(p, "```")%2 != 0 {
				t.Errorf("part %d has an unbalanced fence:\n%s", i, p)
			}
			if i > 0 && i < len(parts)-1 && !strings.HasPrefix(p, tc.reopen) {
				t.Errorf("%+v: part %d does not start with %q", tc.opts, i, tc.reopen)
			}
		}
		joined := strings.Join(parts, "\n")
		for i := 0; i < 400; i++ {
			if !strings.Contains(joined, fmt.Sprintf("x_%03d = compute(%d)", i, i)) {
				t.Fatalf("line %d lost", i)
			}
		}
	}
}

// A line longer than a piece is cut, not dropped; a tiny limit still ends.
func TestSplitMarkdownLongLine(t *testing.T) {
	line := strings.Repeat("é", 7000)
	parts := SplitMarkdown(line, 3000, SplitOptions{})
	if got := strings.Join(parts, ""); got != line {
		t.Fatalf("lost text: %d runes of %d", utf8.RuneCountInString(got), 7000)
	}
	if parts := SplitMarkdown("```go\nabc\n```", 2, SplitOptions{}); len(parts) == 0 {
		t.Fatal("no pieces")
	}
}

func TestTrim(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"hello", 5, "hello"}, {"hello!", 5, "hell…"}, {"ünïcödé", 4, "ünï…"}, {"abc", 0, ""}} {
		if got := Trim(tc.in, tc.n); got != tc.want {
			t.Errorf("Trim(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
