package chart

import (
	"slices"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// checkFit checks what fit made of s: at most n lines, each within width,
// the words of s in order; an ellipsis only at the end of the last line,
// and only if something was left out.
func checkFit(t *testing.T, f *face, s string, width, n int, lines []string) {
	t.Helper()
	if len(lines) > n {
		t.Errorf("%q in %d px: %d lines, at most %d: %q", s, width, len(lines), n, lines)
	}
	for _, l := range lines {
		if w := f.width(l); w > width && len([]rune(l)) > 2 {
			t.Errorf("%q in %d px: line %q is %d px", s, width, l, w)
		}
		if strings.Contains(l, "~") && !strings.Contains(s, "~") {
			t.Errorf("%q: cut with a tilde: %q", s, lines)
		}
	}
	all := strings.Join(lines, "")
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	cut := strings.HasSuffix(all, ellipsis) && !strings.HasSuffix(s, ellipsis)
	if strings.Count(all, ellipsis) > strings.Count(s, ellipsis)+1 || (cut && !strings.HasSuffix(lines[len(lines)-1], ellipsis)) {
		t.Errorf("%q: ellipsis not at the end: %q", s, lines)
	}
	kept := squash(strings.TrimSuffix(all, ellipsis))
	if !cut {
		kept = squash(all)
	}
	if whole := squash(string([]rune(s)[:min(len([]rune(s)), maxRunes)])); !strings.HasPrefix(whole, kept) || (!cut && kept != whole) {
		t.Errorf("%q: lines %q are not its text (cut %v)", s, lines, cut)
	}
}

func TestFit(t *testing.T) {
	f := bodyStyle.face()
	name := "Coding & Logic Challenges"
	for _, c := range []struct {
		s     string
		width int
		n     int
		want  []string
	}{
		{name, f.width(name), 1, []string{name}},
		{name, f.width(name) - 1, 1, []string{"Coding & Logic…"}},
		{name, f.width("Coding & Logic") - 1, 1, []string{"Coding…"}}, // not "Coding &…"
		{name, f.width("Coding & Logic"), 2, []string{"Coding & Logic", "Challenges"}},
		{name, f.width("Coding & Logic") - 1, 2, []string{"Coding &", "Logic…"}},
		{"Microservices & System Design", f.width("Microservices"), 2, []string{"Microservices", "& System…"}},
		{"Dorothea Featherstonehaugh-Cholmondeley", f.width("Dorothea Featherstonehaugh-C"), 1, []string{"Dorothea Featherstonehaugh…"}},
		{"Featherstonehaugh-Cholmondeley", f.width("Featherstonehaugh-"), 2, []string{"Featherstonehaugh-", "Cholmondeley"}},
		{"Supercalifragilistic", f.width("Superca" + ellipsis), 1, []string{"Superca…"}},
		{"a Supercalifragilistic", f.width("a Supercal"), 1, []string{"a…"}},
		{"Supercalifragilistic", f.width("Supercal"), 2, []string{"Supercal", fit(f, "ifragilistic", f.width("Supercal"), 1)[0]}},
		{"数据库与持久化", f.width("数据库" + ellipsis), 1, []string{"数据库…"}},
		{"数据库与持久化", f.width("数据库与"), 2, []string{"数据库与", "持久化"}},
		{"", 100, 2, nil},
		{"   ", 100, 2, nil},
	} {
		got := fit(f, c.s, c.width, c.n)
		if !slices.Equal(got, c.want) {
			t.Errorf("fit(%q, %d, %d) = %q, want %q", c.s, c.width, c.n, got, c.want)
		}
		checkFit(t, f, c.s, c.width, c.n, got)
	}
}

// Text from anywhere: within its place, its words in order, never
// panicking; characters with their marks and emoji with their modifiers
// kept whole.
func TestFitAnything(t *testing.T) {
	f := bodyStyle.face()
	texts := []string{
		strings.Repeat("Wide", 16),
		"The Quick Brown Fox Jumps Over Lazy Dogs Again And Again Often",
		"数据库与持久化：事务、索引和查询计划的深入理解以及实践中的常见陷阱与解决方法汇总",
		"🔥🐍 Python 👩‍💻👍🏽🇯🇵 Ünïcödé ñame e\u0301e\u0301e\u0301e\u0301",
		"x",
		"& & & & & & & & & & & & & & & & & & & & & & & & & & & & & &",
		strings.Repeat("é", 500),
	}
	for _, s := range texts {
		for _, width := range []int{1, 30, 100, 200, 340, 460, 1000} {
			for _, n := range []int{1, 2, 3} {
				lines := fit(f, s, width, n)
				checkFit(t, f, s, width, n, lines)
				for _, l := range lines {
					if strings.HasPrefix(l, "\u0301") || strings.HasPrefix(l, "\U0001F3FD") || strings.HasSuffix(strings.TrimSuffix(l, ellipsis), "\u200d") {
						t.Errorf("%q in %d px: a character split: %q", s, width, lines)
					}
				}
			}
		}
	}
}

// The built-in bank's category names are drawn whole in the stats
// picture: on one line, in the widest name column.
func TestBankCategoriesFit(t *testing.T) {
	bank, err := bankfile.Default()
	if err != nil {
		t.Fatal(err)
	}
	f := bodyStyle.face()
	for _, c := range bank.Categories() {
		if lines := fit(f, c.Name, statsNameMax, 2); len(lines) != 1 || lines[0] != c.Name {
			t.Errorf("%q is drawn as %q", c.Name, lines)
		}
	}
}
