package bot

import (
	"strings"
	"unicode"
)

// Matches reports whether a typed answer matches one of the accepted
// answers, forgivingly: case, punctuation, spacing and the articles a, an
// and the do not matter, and a small typo is forgiven (one edit in answers
// of 4 to 7 letters, two from 8).
func Matches(typed string, accepted []string) bool {
	t := normalize(typed)
	if t == "" {
		return false
	}
	for _, a := range accepted {
		n := normalize(a)
		if n == "" {
			continue
		}
		if t == n {
			return true
		}
		allowed := 0
		switch l := len([]rune(n)); {
		case l >= 8:
			allowed = 2
		case l >= 4:
			allowed = 1
		}
		if allowed > 0 && !hasDigit(n) && distance(t, n, allowed) <= allowed {
			return true
		}
	}
	return false
}

func normalize(s string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if w == "a" || w == "an" || w == "the" {
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0 // "1969" vs "1968" is not a typo
}

// distance is the Levenshtein distance, giving up past max.
func distance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
