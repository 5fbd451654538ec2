package questionbank

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a bank file. It names the file, the line
// (1-based; 0 when the problem has no single line) and the field, so a
// person can open the file and fix it.
type Error struct {
	File  string
	Line  int
	Field string // the key path, such as "cards[3].quick_check.options"; may be empty
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList holds every problem found in a bank, not just the first. It is
// returned as an error by Build, and by package bankfile's Load and
// importers; use errors.As to get at the individual errors.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems in the question bank:", len(l))
	for _, e := range l {
		b.WriteString("\n")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Sort orders the errors by file, then line, so output reads top to bottom.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].File != l[j].File {
			return l[i].File < l[j].File
		}
		return l[i].Line < l[j].Line
	})
}

// Err returns nil for an empty list and the list otherwise, so callers can
// write `return list.Err()` without returning a typed nil.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
