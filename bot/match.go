package bot

import (
	"strings"
	"unicode"
)

// Matches reports whether a typed answer matches one of the accepted
// answers, forgivingly:
//
//   - case, punctuation and the articles a, an and the do not matter;
//   - spaces do not matter ("woodrowwilson" is "Woodrow Wilson", "1.4mb"
//     is "1.4 MB", "10 ms" is "10ms"), except between two numbers ("1 4"
//     is not "14");
//   - a small typo is forgiven: one edit in answers of 4 to 7 letters, two
//     from 8, where swapping two neighbouring letters ("Beatels") is one
//     edit;
//   - numbers must be exact: an answer with a digit in it forgives no
//     typo, and a decimal point counts ("1.5 MB" is not "1.4 MB", "1.4" is
//     not "14"); a comma before three digits is a thousands separator
//     ("1,000" is "1000"), any other between digits a decimal point.
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
		if allowed > 0 && !hasDigit(n) && !hasDigit(t) && distance(t, n, allowed) <= allowed {
			return true
		}
	}
	return false
}

// normalize is an answer as Matches compares it: lower case, without
// punctuation, articles and spaces, but with a space between two numbers
// and the decimal points of numbers.
func normalize(s string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(numberPunct(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.'
	}) {
		if w == "a" || w == "an" || w == "the" {
			continue
		}
		words = append(words, w)
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 && endsInDigit(words[i-1]) && startsWithDigit(w) {
			b.WriteByte(' ') // two numbers stay two
		}
		b.WriteString(w)
	}
	return b.String()
}

// numberPunct writes the punctuation of numbers the one way: a ',' before
// exactly three digits (a thousands separator) goes, any other '.' or ','
// between two digits becomes a decimal point '.', and every other '.' (a
// full stop, an abbreviation's) a space.
func numberPunct(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		switch {
		case (c == '.' || c == ',') && i > 0 && i+1 < len(r) && unicode.IsDigit(r[i-1]) && unicode.IsDigit(r[i+1]):
			if c == ',' && i+4 <= len(r) && digits(r[i+1:i+4]) && (i+4 == len(r) || !unicode.IsDigit(r[i+4])) {
				continue // 1,000
			}
			b.WriteByte('.')
		case c == '.':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func digits(r []rune) bool {
	for _, c := range r {
		if !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

func endsInDigit(s string) bool {
	r := []rune(s)
	return len(r) > 0 && unicode.IsDigit(r[len(r)-1])
}

func startsWithDigit(s string) bool {
	r := []rune(s)
	return len(r) > 0 && unicode.IsDigit(r[0])
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0 // "1969" vs "1968" is not a typo
}

// distance is the edit distance of a and b, giving up past max: an edit
// inserts, deletes or changes a letter, or swaps two neighbouring ones
// (the optimal string alignment distance).
func distance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	// three rows: the one before the previous, for swaps
	prev2 := make([]int, len(rb)+1)
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
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
