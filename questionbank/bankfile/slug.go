package bankfile

import (
	"strconv"
	"strings"
	"unicode"
)

// Slug turns text into an id: lowercase ASCII letters and digits joined by
// single dashes (other characters separate words), at most max bytes, cut at a word boundary.
func Slug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’': // "don't" -> "dont"
		default:
			dash = true
		}
	}
	out := b.String()
	if max > 0 && len(out) > max {
		out = out[:max]
		if i := strings.LastIndexByte(out, '-'); i > max/2 {
			out = out[:i]
		}
		out = strings.TrimRight(out, "-")
	}
	return out
}

// idMaker hands out unique card ids within one import.
type idMaker map[string]bool

func (m idMaker) make(prefix, text string) string {
	base := Slug(text, max(16, 56-len(prefix)))
	if base == "" {
		base = "card"
	}
	if prefix != "" && !strings.HasPrefix(base, prefix+"-") {
		base = prefix + "-" + base
	}
	id := base
	for i := 2; m[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	m[id] = true
	return id
}
