package questionbank

import "testing"

// A quick check with one option says "1 option", not "1 options".
func TestQuickCheckProblemCountsOptions(t *testing.T) {
	q := QuickCheck{Options: []Option{{Text: "only", Correct: true}}}
	ps := q.Problems()
	if len(ps) == 0 || ps[0].Msg != "has 1 option: give 2 to 5" {
		t.Errorf("problems of a one-option quick check: %+v", ps)
	}
}
