package questionbank

import "slices"

// Document is the content of one bank file: the categories it declares and
// the cards it defines, with the lines they were defined on. Cards may use
// categories declared in other files of the same bank. The file formats
// (package bankfile) read documents; Build makes a bank of them.
type Document struct {
	File       string
	Categories []Category
	Cards      []*Card

	// where things were defined, for errors found across files
	catLine map[string]int // category id -> line
	cardPos map[*Card]CardPos
}

// CardPos is where a card is in its file, for the errors Build finds
// across files.
type CardPos struct {
	IDLine       int // the line of the card's id
	CategoryLine int // the line of the card's category
	Index        int // in the file's list of cards
}

// AddCategory declares a category on a line of the document's file.
func (d *Document) AddCategory(c Category, line int) {
	if d.catLine == nil {
		d.catLine = map[string]int{}
	}
	d.catLine[c.ID] = line
	d.Categories = append(d.Categories, c)
}

// CategoryLine returns the line a category was declared on, and whether
// the document declares it with AddCategory.
func (d *Document) CategoryLine(id string) (int, bool) {
	line, ok := d.catLine[id]
	return line, ok
}

// AddCard adds a card defined at p.
func (d *Document) AddCard(c *Card, p CardPos) {
	if d.cardPos == nil {
		d.cardPos = map[*Card]CardPos{}
	}
	c.syncConcepts()
	d.cardPos[c] = p
	d.Cards = append(d.Cards, c)
}

// CardPos returns where a card added with AddCard was defined (zero for
// any other card).
func (d *Document) CardPos(c *Card) CardPos { return d.cardPos[c] }

// Grow makes room for n more cards, so adding many cards does not copy
// them again and again.
func (d *Document) Grow(n int) {
	d.Cards = slices.Grow(d.Cards, n)
	if len(d.cardPos) == 0 {
		d.cardPos = make(map[*Card]CardPos, n)
	}
}
