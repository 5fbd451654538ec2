package bottest_test

import (
	"testing"

	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/questionbank"
)

// The long bank is what it says it is, and validates.
func TestLongBankValidates(t *testing.T) {
	b := bottest.LongBank(t)
	if b.Len() != 4 {
		t.Fatalf("%d cards, want 4", b.Len())
	}
	for _, c := range b.Cards() {
		if len(c.ID) != 100 || len(c.Category) != questionbank.MaxCategoryID || len(c.Prompt) != 3000 {
			t.Errorf("card %q: id %d, category id %d, prompt %d characters", c.ID, len(c.ID), len(c.Category), len(c.Prompt))
		}
		if c.QuickCheck == nil && len(c.Answers) == 0 {
			t.Errorf("card %q can be answered neither way", c.ID)
		}
	}
}
