package questionbank

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// genBank builds a bank of n cards over the given categories, cycling
// difficulties, without touching the disk.
func genBank(tb testing.TB, n int, cats ...string) *Bank {
	tb.Helper()
	doc := &Document{File: "gen.yaml"}
	for _, c := range cats {
		doc.Categories = append(doc.Categories, Category{ID: c, Name: c})
	}
	for i := 0; i < n; i++ {
		doc.Cards = append(doc.Cards, &Card{
			ID:         fmt.Sprintf("card-%06d", i),
			Category:   cats[i%len(cats)],
			Number:     i + 1,
			Prompt:     "Question?",
			Difficulty: Difficulties[i%3],
		})
	}
	b, err := Build(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestPermuteIsAPermutation(t *testing.T) {
	for n := uint64(1); n <= 300; n++ {
		for _, seed := range []uint64{0, 1, 0xdeadbeef, 1 << 63} {
			seen := make([]bool, n)
			for i := uint64(0); i < n; i++ {
				x := permute(seed, i, n)
				if x >= n || seen[x] {
					t.Fatalf("permute(seed %d, n %d) is not a permutation at %d -> %d", seed, n, i, x)
				}
				seen[x] = true
			}
		}
	}
}

// Within one bag no card repeats until every matching card has been drawn,
// and no card is drawn twice in a row across rounds.
func TestDrawNoRepeatUntilAllDrawn(t *testing.T) {
	b := genBank(t, 61, "a", "b")
	for _, f := range []Filter{{}, {Category: "a"}, {Category: "b", Difficulty: Hard}, {Difficulty: Easy}} {
		pool, err := b.Pool(f)
		if err != nil {
			t.Fatal(err)
		}
		n := len(pool)
		var st BagState
		prev := ""
		for round := 0; round < 5; round++ {
			seen := map[string]bool{}
			for i := 0; i < n; i++ {
				c, err := b.Draw(f, &st)
				if err != nil {
					t.Fatal(err)
				}
				if seen[c.ID] {
					t.Fatalf("%v round %d: %s drawn twice before the bag was empty", f, round, c.ID)
				}
				if c.ID == prev {
					t.Fatalf("%v: %s drawn twice in a row", f, c.ID)
				}
				if f.Category != "" && c.Category != f.Category || f.Difficulty != "" && c.Difficulty != f.Difficulty {
					t.Fatalf("%v drew %s (%s, %s)", f, c.ID, c.Category, c.Difficulty)
				}
				seen[c.ID] = true
				prev = c.ID
			}
			if len(seen) != n {
				t.Fatalf("%v round %d drew %d distinct cards of %d", f, round, len(seen), n)
			}
		}
	}
}

// The bag's state survives a save and restore (a restart) mid-round.
func TestDrawStateSurvivesRestore(t *testing.T) {
	b := genBank(t, 40, "a")
	f := Filter{Category: "a"}
	var st BagState
	seen := map[string]bool{}
	for i := 0; i < 17; i++ {
		c, _ := b.Draw(f, &st)
		seen[c.ID] = true
	}
	saved, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	b2 := genBank(t, 40, "a") // a restarted process loads the same bank again
	var restored BagState
	if err := json.Unmarshal(saved, &restored); err != nil {
		t.Fatal(err)
	}
	for i := 17; i < 40; i++ {
		c, _ := b2.Draw(f, &restored)
		if seen[c.ID] {
			t.Fatalf("after restore, %s repeated at draw %d", c.ID, i)
		}
		seen[c.ID] = true
	}
	if len(seen) != 40 {
		t.Fatalf("drew %d distinct of 40", len(seen))
	}
}

func TestDrawStartsOverWhenTheBankChanged(t *testing.T) {
	var st BagState
	small := genBank(t, 10, "a")
	for i := 0; i < 5; i++ {
		small.Draw(Filter{}, &st)
	}
	bigger := genBank(t, 12, "a")
	seen := map[string]bool{}
	for i := 0; i < 12; i++ {
		c, err := bigger.Draw(Filter{}, &st)
		if err != nil {
			t.Fatal(err)
		}
		seen[c.ID] = true
	}
	if len(seen) != 12 {
		t.Fatalf("after the bank grew, a full round drew %d distinct of 12", len(seen))
	}
}

func TestDrawErrors(t *testing.T) {
	b := genBank(t, 3, "alpha", "beta")
	var st BagState
	_, err := b.Draw(Filter{Category: "gamma"}, &st)
	if err == nil || err.Error() != `unknown category "gamma": valid categories are alpha, beta` {
		t.Errorf("unknown category: %v", err)
	}
	_, err = b.Draw(Filter{Difficulty: "brutal"}, &st)
	if err == nil || !strings.Contains(err.Error(), "choose easy, medium or hard") {
		t.Errorf("unknown difficulty: %v", err)
	}
	_, err = b.Draw(Filter{Category: "beta", Difficulty: Easy}, &st) // beta holds card 1 (medium) only
	var none *ErrNoCards
	if !errors.As(err, &none) || !strings.Contains(err.Error(), "no cards match category beta and difficulty easy") {
		t.Errorf("empty pool: %v", err)
	}
	c, err := b.Draw(Filter{Category: "beta"}, &st)
	if err != nil || c.ID != "card-000001" {
		t.Errorf("single-card pool: %v %v", c, err)
	}
	if c, err = b.Draw(Filter{Category: "beta"}, &st); err != nil || c.ID != "card-000001" {
		t.Errorf("a pool of one deals its card again: %v %v", c, err)
	}
}

// Draws are spread evenly: over many rounds each card leads a round about
// equally often (a broken permutation would favour some).
func TestDrawIsFair(t *testing.T) {
	b := genBank(t, 8, "a")
	first := map[string]int{}
	var st BagState
	const rounds = 8000
	for r := 0; r < rounds; r++ {
		for i := 0; i < 8; i++ {
			c, _ := b.Draw(Filter{}, &st)
			if i == 0 {
				first[c.ID]++
			}
		}
	}
	for id, n := range first {
		// expected 1000 per card (7/8 of that for ones that just ended a round: ~1000±15%)
		if n < 800 || n > 1200 {
			t.Errorf("%s led %d of %d rounds, want about %d", id, n, rounds, rounds/8)
		}
	}
}

// BenchmarkDraw draws with a category and difficulty filter from banks of
// growing size: the cost per draw should not grow with the bank.
func BenchmarkDraw(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run(fmt.Sprintf("cards=%d", n), func(b *testing.B) {
			bank := genBank(b, n, "python", "fastapi", "postgres", "microservices", "coding")
			f := Filter{Category: "postgres", Difficulty: Medium}
			var st BagState
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bank.Draw(f, &st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
