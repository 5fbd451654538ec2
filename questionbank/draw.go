package questionbank

import (
	"fmt"
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
	"strings"
)

// Filter narrows a draw. Empty fields match everything.
type Filter struct {
	Category   string
	Difficulty Difficulty
}

// Key is a short stable name for the filter, for keying saved bag state.
func (f Filter) Key() string {
	c, d := f.Category, string(f.Difficulty)
	if c == "" {
		c = "*"
	}
	if d == "" {
		d = "*"
	}
	return c + "/" + d
}

// pool is the cards that match one filter, in a stable order, with a
// fingerprint of that order so saved bag state can tell when the bank changed.
type pool struct {
	cards []*Card
	sum   uint64
}

// index builds the draw pools from the cards sorted by id, so each pool is
// in id order too.
func (b *Bank) index(byID []*Card) {
	b.pools = map[Filter]*pool{}
	add := func(f Filter, c *Card) {
		p := b.pools[f]
		if p == nil {
			p = &pool{}
			b.pools[f] = p
		}
		p.cards = append(p.cards, c)
	}
	for _, c := range byID {
		add(Filter{}, c)
		add(Filter{Category: c.Category}, c)
		if c.Difficulty != "" {
			add(Filter{Difficulty: c.Difficulty}, c)
			add(Filter{Category: c.Category, Difficulty: c.Difficulty}, c)
		}
	}
	for _, p := range b.pools {
		h := fnv.New64a()
		for _, c := range p.cards {
			h.Write([]byte(c.ID))
			h.Write([]byte{0})
		}
		p.sum = h.Sum64()
	}
}

// Pool returns the cards that match a filter, sorted by id. An unknown
// category is an error that lists the valid ones.
func (b *Bank) Pool(f Filter) ([]*Card, error) {
	if err := b.CheckFilter(f); err != nil {
		return nil, err
	}
	if p := b.pools[f]; p != nil {
		return p.cards, nil
	}
	return nil, nil
}

// CheckFilter reports an unknown category or difficulty, naming the valid ones.
func (b *Bank) CheckFilter(f Filter) error {
	if f.Category != "" {
		if _, ok := b.catIndex[f.Category]; !ok {
			return fmt.Errorf("unknown category %q: %s", f.Category, b.validCategories())
		}
	}
	if _, err := ParseDifficulty(string(f.Difficulty)); err != nil {
		return err
	}
	return nil
}

// ErrNoCards is returned by Draw when the filter is valid but matches no card.
type ErrNoCards struct{ Filter Filter }

func (e *ErrNoCards) Error() string {
	var what []string
	if e.Filter.Category != "" {
		what = append(what, "category "+e.Filter.Category)
	}
	if e.Filter.Difficulty != "" {
		what = append(what, "difficulty "+string(e.Filter.Difficulty))
	}
	return fmt.Sprintf("no cards match %s: try another difficulty or leave it out", strings.Join(what, " and "))
}

// BagState is the saved state of one shuffle bag: which permutation of the
// pool is being dealt and how far it has got. It is small and fixed-size
// whatever the bank's size, so it can be stored per channel and filter.
type BagState struct {
	Seed uint64 `json:"seed"`
	Pos  int    `json:"pos"`  // cards dealt from this permutation
	Size int    `json:"size"` // pool size the permutation was made for
	Sum  uint64 `json:"sum"`  // pool fingerprint the permutation was made for
	Last string `json:"last"` // id of the last card dealt, to avoid a repeat across cycles
}

// Draw deals the next card of the bag for a filter: within one bag no card
// repeats until every matching card has been dealt, and the first card of a
// new round is never the last card of the previous one. st is updated in
// place; save it to make the bag survive a restart. A zero BagState starts a
// fresh bag. If the bank changed since st was saved (cards added or removed
// for this filter), the bag starts over.
//
// A draw costs O(1) whatever the size of the bank: the permutation is never
// materialised, its i-th element is computed from the seed.
func (b *Bank) Draw(f Filter, st *BagState) (*Card, error) {
	if err := b.CheckFilter(f); err != nil {
		return nil, err
	}
	p := b.pools[f]
	if p == nil || len(p.cards) == 0 {
		return nil, &ErrNoCards{Filter: f}
	}
	n := len(p.cards)
	if st.Size != n || st.Sum != p.sum || st.Pos >= n || st.Pos < 0 {
		newRound(st, p)
	}
	c := p.cards[permute(st.Seed, uint64(st.Pos), uint64(n))]
	st.Pos++
	st.Last = c.ID
	return c, nil
}

func newRound(st *BagState, p *pool) {
	n := uint64(len(p.cards))
	for try := 0; ; try++ {
		st.Seed = rand.Uint64()
		// keep the first card of the new round off the last one dealt
		if n < 2 || try == 16 || p.cards[permute(st.Seed, 0, n)].ID != st.Last {
			break
		}
	}
	st.Pos, st.Size, st.Sum = 0, int(n), p.sum
}

// permute returns the i-th element of a pseudo-random permutation of [0, n)
// chosen by seed. It is a 4-round Feistel network over the smallest
// even-bit power of two ≥ n, with cycle walking to stay below n; the domain
// is less than 4n, so the expected number of walks is below 4.
func permute(seed, i, n uint64) uint64 {
	if n <= 1 {
		return 0
	}
	w := uint(bits.Len64(n - 1))
	w += w & 1 // even number of bits
	half := w / 2
	mask := uint64(1)<<half - 1
	x := i
	for {
		l, r := x>>half, x&mask
		for round := uint64(0); round < 4; round++ {
			l, r = r, l^(mix(seed, round, r)&mask)
		}
		x = l<<half | r
		if x < n {
			return x
		}
	}
}

// mix is a round function: splitmix64's finaliser over seed, round and input.
func mix(seed, round, v uint64) uint64 {
	z := seed ^ (round+1)*0x9e3779b97f4a7c15 ^ v*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
