package bot_test

import (
	"testing"

	"github.com/prepbot/prepbot/bot"
)

// The rule for typed answers, case by case: spaces are ignored everywhere
// but between two numbers, a swap of two neighbouring letters is one typo,
// and numbers are exact.
func TestMatchesRule(t *testing.T) {
	for _, tc := range []struct {
		typed, accepted string
		ok              bool
	}{
		// a swap of neighbouring letters is one edit
		{"Beatels", "The Beatles", true},
		{"Baetles", "Beatles", true},
		{"Btaeles", "Beatles", false}, // two swaps in a 7-letter answer
		{"Wodrow Wilsno", "Woodrow Wilson", true},
		// spaces do not matter, anywhere
		{"woodrowwilson", "Woodrow Wilson", true},
		{"Woo drow Wil son", "Woodrow Wilson", true},
		{"icecream", "ice cream", true},
		// nor around units, nor between a number and its unit
		{"1.4mb", "1.4 MB", true},
		{"1.4 MB", "1.4mb", true},
		{"10 ms", "10ms", true},
		{"10ms", "10 ms", true},
		{"Apollo11", "Apollo 11", true},
		{"1,000", "1000", true},
		{"1,4 MB", "1.4 MB", true},
		{"1.4 MB.", "1.4 MB", true}, // a full stop is punctuation
		// numbers are exact
		{"1.5 MB", "1.4 MB", false},
		{"14 MB", "1.4 MB", false},
		{"1.4 KB", "1.4 MB", false},
		{"1 4", "14", false},
		{"1969", "1968", false},
		{"Apollo 12", "Apollo 11", false},
		{"Apolo 11", "Apollo 11", false}, // no typo forgiven beside a number
		// short answers forgive nothing
		{"dsn", "DNS", false},
		{"", "DNS", false},
	} {
		if got := bot.Matches(tc.typed, []string{tc.accepted}); got != tc.ok {
			t.Errorf("Matches(%q, %q) = %v, want %v", tc.typed, tc.accepted, got, tc.ok)
		}
	}
}
