package console

import "testing"

func TestPlain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a *word* here", "a word here"},
		{"*Emphasis* at the start, and at the *end*.", "Emphasis at the start, and at the end."},
		{"**bold** and *em*", "bold and em"},
		{"**bold with *em* inside**", "bold with em inside"},
		{"2 * 3 * 4 = 24", "2 * 3 * 4 = 24"},
		{"a*b*c and 2*3*4", "a*b*c and 2*3*4"},
		{"*args and **kwargs", "*args and **kwargs"},
		{"- a bullet\n* another", "- a bullet\n* another"},
		{"`*not em*` and ``a `*` b``", "`*not em*` and ``a `*` b``"},
		{`\*escaped\* and a\_b`, "*escaped* and a_b"},
		{"```\nx = *p * 2  # *kept*\n\\*\n```\n*out*", "```\nx = *p * 2  # *kept*\n\\*\n```\nout"},
		{"an unclosed *star", "an unclosed *star"},
		{"`unclosed *em*", "`unclosed em"},
	} {
		if got := plain(tc.in); got != tc.want {
			t.Errorf("plain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"short", 20, "short"},
		{"one two three four five six", 10, "one two\nthree four\nfive six"},
		{"see https://example.org/a/very/long/path/indeed now", 12, "see\nhttps://example.org/a/very/long/path/indeed\nnow"},
		{"- a list item that wraps", 12, "- a list\n  item that\n  wraps"},
		{"B. an option that wraps", 13, "B. an option\n   that wraps"},
		{"run `go test ./...` today", 10, "run\n`go test ./...`\ntoday"},
		{"```\na very long line of code that stays\n```", 10, "```\na very long line of code that stays\n```"},
		{"  indented text that wraps", 14, "  indented\n  text that\n  wraps"},
		{"no width", 0, "no width"},
	} {
		if got := wrap(tc.in, tc.width); got != tc.want {
			t.Errorf("wrap(%q, %d) =\n%s\nwant\n%s", tc.in, tc.width, got, tc.want)
		}
	}
}
