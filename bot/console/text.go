package console

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// plain is Markdown as the terminal shows it: **bold** and *emphasis*
// without their asterisks, a backslash escape (bot.EscapeMarkdown) as the
// character itself. Code is shown as written: inline `code` with its
// backticks, and the lines of a ``` block untouched. An asterisk that
// does not open or close emphasis (2 * 3, a*b, a bullet) stays.
func plain(text string) string {
	lines := strings.Split(text, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			lines[i] = plainLine([]rune(l))
		}
	}
	return strings.Join(lines, "\n")
}

// escapable are the characters a Markdown backslash escape may hide.
const escapable = "\\*_~`|<>[]()#"

func plainLine(r []rune) string {
	var b strings.Builder
	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r) && strings.ContainsRune(escapable, r[i+1]):
			b.WriteRune(r[i+1])
			i += 2
			continue
		case c == '`':
			if end := codeSpanEnd(r, i); end > 0 {
				b.WriteString(string(r[i:end]))
				i = end
				continue
			}
			n := run(r, i, '`') // backticks that close nothing are text
			b.WriteString(string(r[i : i+n]))
			i += n
			continue
		case c == '*' && i+1 < len(r) && r[i+1] == '*':
			if j := index(r, i+2, "**"); j > i+2 {
				b.WriteString(plainLine(r[i+2 : j]))
				i = j + 2
				continue
			}
		case c == '*' && opensEmphasis(r, i):
			if j := closesEmphasis(r, i); j > 0 {
				b.WriteString(plainLine(r[i+1 : j]))
				i = j + 1
				continue
			}
		}
		b.WriteRune(c)
		i++
	}
	return b.String()
}

// run is how many times c repeats from r[i].
func run(r []rune, i int, c rune) int {
	n := 0
	for i+n < len(r) && r[i+n] == c {
		n++
	}
	return n
}

// codeSpanEnd is the index after the inline code span opening at r[i] (a
// run of backticks closed by a run as long), or 0.
func codeSpanEnd(r []rune, i int) int {
	n := run(r, i, '`')
	for j := i + n; j < len(r); {
		if r[j] != '`' {
			j++
			continue
		}
		m := run(r, j, '`')
		if m == n {
			return j + m
		}
		j += m
	}
	return 0
}

// index is the first index of s in r from i, or -1.
func index(r []rune, from int, s string) int {
	if from > len(r) {
		return -1
	}
	k := strings.Index(string(r[from:]), s)
	if k < 0 {
		return -1
	}
	return from + utf8.RuneCountInString(string(r[from:])[:k])
}

func wordRune(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }

// opensEmphasis reports whether the '*' at r[i] may open emphasis: not
// inside a word or number, and followed by a word character or
// punctuation, not by a space or another '*'.
func opensEmphasis(r []rune, i int) bool {
	if i > 0 && (wordRune(r[i-1]) || r[i-1] == '*') {
		return false
	}
	return i+1 < len(r) && !unicode.IsSpace(r[i+1]) && r[i+1] != '*'
}

// closesEmphasis is the index of the '*' that closes the emphasis opened
// at r[i], on the same line and with no '*' between, or 0: it follows a
// character that is no space and is not followed by a word character.
func closesEmphasis(r []rune, i int) int {
	for j := i + 1; j < len(r); j++ {
		if r[j] != '*' {
			continue
		}
		if unicode.IsSpace(r[j-1]) || j+1 < len(r) && (wordRune(r[j+1]) || r[j+1] == '*') {
			return 0
		}
		return j
	}
	return 0
}

// wrap breaks the lines of text longer than width columns at spaces, the
// continuation indented under the text of a list item. It never breaks a
// word (a URL stays whole, on a line of its own if it must), an inline
// code span, nor any line of a ``` code block. A width of 0 or less wraps
// nothing.
func wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	lines := strings.Split(text, "\n")
	var out []string
	fenced := false
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			out = append(out, l)
			continue
		}
		if fenced || utf8.RuneCountInString(l) <= width {
			out = append(out, l)
			continue
		}
		out = append(out, wrapLine(l, width)...)
	}
	return strings.Join(out, "\n")
}

func wrapLine(l string, width int) []string {
	r := []rune(l)
	lead := run(r, 0, ' ')
	hang := lead + listMarker(r[lead:])
	words := tokens(r[lead:])
	var lines []string
	cur := string(r[:lead])
	curLen, empty := lead, true
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		if !empty && curLen+1+n > width {
			lines = append(lines, cur)
			cur, curLen, empty = strings.Repeat(" ", hang), hang, true
		}
		if !empty {
			cur += " "
			curLen++
		}
		cur += w
		curLen += n
		empty = false
	}
	return append(lines, cur)
}

// listMarker is the width of a list item's marker and the space after it
// ("- ", "12. ", "A. "), or 0.
func listMarker(r []rune) int {
	if len(r) >= 2 && (r[0] == '-' || r[0] == '*' || r[0] == '•') && r[1] == ' ' {
		return 2
	}
	n := 0
	for n < len(r) && unicode.IsDigit(r[n]) {
		n++
	}
	if n == 0 && len(r) > 0 && r[0] >= 'A' && r[0] <= 'Z' {
		n = 1
	}
	if n > 0 && n+1 < len(r) && (r[n] == '.' || r[n] == ')') && r[n+1] == ' ' {
		return n + 2
	}
	return 0
}

// tokens are a line's words, split at runs of spaces, an inline code span
// being one word whatever spaces it holds.
func tokens(r []rune) []string {
	var words []string
	var cur []rune
	for i := 0; i < len(r); {
		switch {
		case r[i] == '`':
			end := codeSpanEnd(r, i)
			if end == 0 {
				end = i + run(r, i, '`')
			}
			cur = append(cur, r[i:end]...)
			i = end
		case r[i] == ' ':
			if len(cur) > 0 {
				words = append(words, string(cur))
				cur = nil
			}
			i++
		default:
			cur = append(cur, r[i])
			i++
		}
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	return words
}
