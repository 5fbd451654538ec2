package questionbank

import (
	"fmt"
	"slices"
	"strings"
)

// Bank is a validated, read-only set of categories and cards, indexed for
// draws. It is safe for concurrent use.
type Bank struct {
	categories []Category
	catIndex   map[string]int
	cards      []*Card
	byID       map[string]*Card
	pools      map[Filter]*pool
}

// Categories returns the categories in the order they were declared.
func (b *Bank) Categories() []Category { return b.categories }

// Category returns a category by id.
func (b *Bank) Category(id string) (Category, bool) {
	i, ok := b.catIndex[id]
	if !ok {
		return Category{}, false
	}
	return b.categories[i], true
}

// Cards returns every card, grouped by category in declaration order and
// sorted by number within a category.
func (b *Bank) Cards() []*Card { return b.cards }

// Card returns a card by id.
func (b *Bank) Card(id string) (*Card, bool) {
	c, ok := b.byID[id]
	return c, ok
}

// Len is the number of cards.
func (b *Bank) Len() int { return len(b.cards) }

// Build validates documents together and indexes them. Later documents may
// add categories and cards; a card may use a category declared in any
// document. It returns every problem found, as an ErrorList.
func Build(docs ...*Document) (*Bank, error) {
	b := &Bank{catIndex: map[string]int{}, byID: map[string]*Card{}}
	var list ErrorList
	catWhere := map[string]string{}
	for _, d := range docs {
		for _, c := range d.Categories {
			where := fmt.Sprintf("%s:%d", d.File, d.catLine[c.ID])
			if first, dup := catWhere[c.ID]; dup {
				list = append(list, &Error{File: d.File, Line: d.catLine[c.ID], Field: "categories", Msg: fmt.Sprintf("category %q is declared again (first at %s)", c.ID, first)})
				continue
			}
			catWhere[c.ID] = where
			b.catIndex[c.ID] = len(b.categories)
			b.categories = append(b.categories, c)
		}
	}
	n := 0
	for _, d := range docs {
		n += len(d.Cards)
	}
	type where struct {
		file string
		line int
	}
	cardWhere := make(map[string]where, n)
	b.byID = make(map[string]*Card, n)
	b.cards = make([]*Card, 0, n)
	for _, d := range docs {
		for _, c := range d.Cards {
			p := d.cardPos[c]
			if c.ID != "" {
				if first, dup := cardWhere[c.ID]; dup {
					list = append(list, &Error{File: d.File, Line: p.IDLine, Field: fmt.Sprintf("cards[%d].id", p.Index), Msg: fmt.Sprintf("duplicate id %q (first used at %s:%d)", c.ID, first.file, first.line)})
					continue
				}
				cardWhere[c.ID] = where{d.File, p.IDLine}
			}
			if c.Category != "" {
				if _, ok := b.catIndex[c.Category]; !ok {
					list = append(list, &Error{File: d.File, Line: p.CategoryLine, Field: fmt.Sprintf("cards[%d].category", p.Index), Msg: fmt.Sprintf("unknown category %q: %s", c.Category, b.validCategories())})
					continue
				}
			}
			if c.ID == "" || c.Category == "" || c.Prompt == "" {
				continue // already reported by the parser
			}
			c.syncConcepts()
			b.byID[c.ID] = c
			b.cards = append(b.cards, c)
		}
	}
	if len(list) > 0 {
		list.Sort()
		return nil, list
	}
	// Draw pools keep their cards in id order (see index): sort once by id,
	// then order the bank's own list by category and number.
	byID := slices.Clone(b.cards)
	slices.SortFunc(byID, func(x, y *Card) int { return strings.Compare(x.ID, y.ID) })
	b.index(byID)
	type place struct {
		cat, number int
		card        *Card
	}
	order := make([]place, len(b.cards))
	for i, c := range b.cards {
		order[i] = place{b.catIndex[c.Category], c.Number, c}
	}
	slices.SortStableFunc(order, func(x, y place) int {
		if c := x.cat - y.cat; c != 0 {
			return c
		}
		return x.number - y.number
	})
	for i, p := range order {
		b.cards[i] = p.card
	}
	return b, nil
}

func (b *Bank) validCategories() string {
	if len(b.categories) == 0 {
		return "no categories are declared; add a `categories:` list"
	}
	ids := make([]string, len(b.categories))
	for i, c := range b.categories {
		ids[i] = c.ID
	}
	return "valid categories are " + strings.Join(ids, ", ")
}
