package adapter

import (
	"strings"
	"unicode/utf8"
)

// Trim shortens s to at most n runes, ending it with "…" when it was cut.
func Trim(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// SplitOptions tune SplitMarkdown for a platform.
type SplitOptions struct {
	// BareFence reopens a code block cut in two with a bare ``` instead
	// of its opening line: Slack's mrkdwn has no fence languages and
	// would print the language as the block's first line.
	BareFence bool
}

// SplitMarkdown cuts text into pieces of at most limit runes, at paragraph
// breaks where it can, then at line breaks, then at spaces, then
// anywhere. A piece that ends inside a ``` code block gets a closing
// fence, and the next piece reopens it with the same opening line (its
// language kept, unless opts.BareFence).
func SplitMarkdown(text string, limit int, opts SplitOptions) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	var out []string
	fence := "" // the opening fence line of the block the next piece continues
	for text != "" {
		prefix := ""
		if fence != "" {
			prefix = fence + "\n"
			if opts.BareFence {
				prefix = "```\n"
			}
		}
		room := max(limit-utf8.RuneCountInString(prefix)-len("\n```"), 1)
		if utf8.RuneCountInString(text) <= room {
			out = append(out, prefix+text)
			break
		}
		cut := cutPoint(text, room)
		piece := strings.TrimRight(text[:cut], "\n")
		text = strings.TrimLeft(text[cut:], "\n")
		open := openFence(fence, piece)
		if open != "" {
			piece += "\n```"
		}
		out = append(out, prefix+piece)
		fence = open
	}
	return out
}

// cutPoint returns a byte offset at most room runes into s, preferring a
// paragraph break, then a line break, then a space.
func cutPoint(s string, room int) int {
	end, n := len(s), 0
	for i := range s {
		if n == room {
			end = i
			break
		}
		n++
	}
	if end == 0 { // no room at all: one rune, so every piece makes progress
		_, size := utf8.DecodeRuneInString(s)
		return size
	}
	window := s[:end]
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(window, sep); i > end/2 {
			return i + len(sep)
		}
	}
	return end
}

// openFence reports the fence line still open at the end of piece, given
// the one open at its start ("" for none).
func openFence(open, piece string) string {
	for _, line := range strings.Split(piece, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") {
			if open == "" {
				open = t
			} else {
				open = ""
			}
		}
	}
	return open
}
