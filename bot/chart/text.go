package chart

import (
	"image"
	"image/color"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The Go fonts, built into golang.org/x/image: parsed once, on first use.
var fonts = sync.OnceValue(func() [2]*sfnt.Font {
	var fs [2]*sfnt.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			panic("chart: the Go fonts do not parse: " + err.Error()) // built in: cannot happen
		}
		fs[i] = f
	}
	return fs
})

// style is a font and its size in pixels.
type style struct {
	bold bool
	size float64
}

// face is a font at one size. An opentype face is not safe for concurrent
// use (it draws every glyph into one buffer), so each use holds mu.
type face struct {
	mu sync.Mutex
	f  font.Face
	// ascent and capHeight in pixels, and the distance between baselines
	ascent, capHeight, lineHeight int
}

var faces = struct {
	sync.Mutex
	m map[style]*face
}{m: map[style]*face{}}

// face returns the face of a style, made once and kept.
func (s style) face() *face {
	faces.Lock()
	defer faces.Unlock()
	if f, ok := faces.m[s]; ok {
		return f
	}
	i := 0
	if s.bold {
		i = 1
	}
	of, err := opentype.NewFace(fonts()[i], &opentype.FaceOptions{Size: s.size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic("chart: " + err.Error()) // only for a size below zero
	}
	m := of.Metrics()
	f := &face{f: of, ascent: m.Ascent.Ceil(), capHeight: m.CapHeight.Round(), lineHeight: m.Height.Ceil()}
	faces.m[s] = f
	return f
}

// width is how wide s is drawn, in pixels.
func (f *face) width(s string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return font.MeasureString(f.f, s).Ceil()
}

// draw draws s antialiased with its baseline at y, from x.
func (f *face) draw(dst *image.RGBA, x, y int, s string, c color.Color) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := &font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: f.f, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// drawRight draws s ending at x.
func (f *face) drawRight(dst *image.RGBA, x, y int, s string, c color.Color) {
	f.draw(dst, x-f.width(s), y, s, c)
}

// middle is the baseline that centres capitals on y.
func (f *face) middle(y int) int { return y + f.capHeight/2 }

// ellipsis ends a text that was shortened.
const ellipsis = "…"

// maxRunes bounds the text fit looks at: nothing longer fits a picture.
const maxRunes = 400

// token is a piece of text no line breaks inside: a word, or one CJK
// character; space is whether a space comes before it.
type token struct {
	text  string
	space bool
}

// fit breaks s into at most n lines no wider than width: between words
// (and between CJK characters, which have no spaces). A word wider than a
// line is broken where the line ends. What does not fit in n lines is
// left out after the last whole word that fits on the last line with an
// ellipsis, and with the space or joining punctuation before it
// ("Coding & Logic Challenges" becomes "Coding & Logic…", never
// "Coding & …"); only a first word too long for the line is cut inside.
func fit(f *face, s string, width, n int) []string {
	toks := tokens(s)
	var lines []string
	for len(toks) > 0 && len(lines) < n {
		last := len(lines) == n-1
		line, k := "", 0
		for k < len(toks) {
			cand := join(line, toks[k])
			if f.width(cand) > width {
				break
			}
			line, k = cand, k+1
		}
		switch {
		case k == len(toks): // the rest fits
		case last:
			line = abbreviate(f, toks, width)
		case k == 0: // a word longer than a line: break it where the line ends
			head, tail := split(f, toks[0].text, width, "")
			line = head
			if tail == "" { // one character wider than the line
				k = 1
			} else {
				toks[0] = token{text: tail}
			}
		}
		lines = append(lines, line)
		toks = toks[k:]
		if last {
			break
		}
	}
	return lines
}

// abbreviate is as many whole words of toks as fit in width with an
// ellipsis, or the first word cut inside if not even it fits.
func abbreviate(f *face, toks []token, width int) string {
	line, best := "", ""
	for _, t := range toks {
		line = join(line, t)
		trimmed := strings.TrimRightFunc(line, joiner)
		if trimmed == "" {
			continue
		}
		if f.width(trimmed+ellipsis) > width {
			break
		}
		best = trimmed + ellipsis
	}
	if best == "" {
		best, _ = split(f, toks[0].text, width, ellipsis)
		best += ellipsis
	}
	return best
}

// joiner is a rune a line does not end on before an ellipsis: a space,
// or punctuation that joins what follows ("&", "-", ",", ":", "(").
func joiner(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("&+-–—,:;/|·([{", r)
}

func join(line string, t token) string {
	if line != "" && t.space {
		return line + " " + t.text
	}
	return line + t.text
}

// split cuts a word into the longest head that fits in width with suffix
// after it, and the rest, between characters (a character with its
// combining marks, an emoji with its modifiers, never apart). The head has
// at least one character.
func split(f *face, word string, width int, suffix string) (head, tail string) {
	cs := clusters(word)
	// the most characters that fit, at least one: a binary search
	k := 1 + sort.Search(len(cs)-1, func(i int) bool {
		return f.width(strings.Join(cs[:i+2], "")+suffix) > width
	})
	return strings.Join(cs[:k], ""), strings.Join(cs[k:], "")
}

// clusters splits s into what reads as characters, near enough: a rune
// with the combining marks, variation selectors and emoji modifiers after
// it, and runes joined by a zero-width joiner.
func clusters(s string) []string {
	var cs []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && (extends(rs[j]) || rs[j-1] == '\u200d') {
			j++
		}
		cs = append(cs, string(rs[i:j]))
		i = j
	}
	return cs
}

func extends(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || r == '\u200d' ||
		(r >= 0xfe00 && r <= 0xfe0f) || (r >= 0x1f3fb && r <= 0x1f3ff) || (r >= 0xe0020 && r <= 0xe007f)
}

// tokens splits s into words at white space and after hyphens within a
// word, and each CJK character into its own.
func tokens(s string) []token {
	rs := []rune(s)
	if len(rs) > maxRunes {
		rs = rs[:maxRunes]
	}
	var toks []token
	var word []rune
	space := false
	flush := func() {
		if len(word) > 0 {
			toks = append(toks, token{text: string(word), space: space})
			word, space = nil, false
		}
	}
	for _, r := range rs {
		switch {
		case unicode.IsSpace(r):
			flush()
			space = len(toks) > 0
		case cjk(r):
			flush()
			toks = append(toks, token{text: string(r), space: space})
			space = false
		case hyphen(r) && len(word) > 0:
			word = append(word, r)
			flush()
		default:
			word = append(word, r)
		}
	}
	flush()
	return toks
}

func hyphen(r rune) bool { return r == '-' || r == '\u2010' || r == '/' }

func cjk(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}
