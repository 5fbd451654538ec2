package bot_test

import (
	"strings"
	"testing"
)

// "/question easy" asks for an easy card: easy is a difficulty, not an
// unknown category.
func TestQuestionTakesADifficultyWhereTheCategoryGoes(t *testing.T) {
	h := newHarness(t, nil)
	r, err := h.command("ann", "question", "category", "easy")
	if err != nil {
		t.Fatalf("/question easy: %v", err)
	}
	if !strings.Contains(r.Title, "easy") {
		t.Errorf("/question easy dealt %q, want an easy card", r.Title)
	}
}

// With no schedule left, /qotd status does not say "yet" of a group that
// had one.
func TestQotdStatusWithoutSchedules(t *testing.T) {
	h := newHarness(t, nil)
	r, err := h.qotd("sub", "status")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Text, "yet") || !strings.Contains(r.Text, "/qotd set") {
		t.Errorf("/qotd status with no schedule: %q", r.Text)
	}
}
