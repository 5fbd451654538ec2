package console

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prepbot/prepbot/bot"
)

// printButtons prints a reply's buttons as [1] label [2] label ..., the
// numbers starting at 1 again: from now on a number presses one of these.
// When they are a card's options, its letters answer it until another
// card with options is printed. The caller holds c.mu.
func (c *Console) printButtons(buttons []bot.Button) {
	c.buttons = c.buttons[:0]
	var letters map[string]string
	var labels []string
	for _, b := range buttons {
		c.buttons = append(c.buttons, b.ID)
		labels = append(labels, fmt.Sprintf("[%d] %s", len(c.buttons), b.Label))
		switch a, _ := bot.ParseAction(b.ID); a.Kind {
		case bot.ActionType:
			c.typed = b.ID
		case bot.ActionOption:
			if letters == nil {
				letters = map[string]string{}
			}
			letters[string(rune('A'+a.Option))] = b.ID
		}
	}
	if letters != nil {
		c.letters = letters
	}
	// the buttons on as many lines as the width needs, never one split
	line, n := "", 0
	for _, l := range labels {
		w := utf8.RuneCountInString(l)
		if n > 0 && c.opt.Width > 0 && n+2+w > c.opt.Width {
			fmt.Fprintln(c.out, line)
			line, n = "", 0
		}
		if n > 0 {
			line += "  "
			n += 2
		}
		line += l
		n += w
	}
	fmt.Fprintln(c.out, line)
}

// pressNumber is the action of button n of the buttons printed last, or
// what to tell the user.
func (c *Console) pressNumber(s string) (action, problem string) {
	n, _ := strconv.Atoi(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case len(c.buttons) == 0:
		return "", fmt.Sprintf("There is no button [%s]: nothing has buttons yet. Draw a card with /question.", s)
	case n < 1 || n > len(c.buttons):
		return "", fmt.Sprintf("There is no button [%s]: the buttons printed last are [1] to [%d].", s, len(c.buttons))
	}
	return c.buttons[n-1], ""
}

// isLetter reports whether s is one letter, an option typed by its letter.
func isLetter(s string) bool {
	return len(s) == 1 && (s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z')
}

// pressLetter is the action of the option with this letter on the latest
// card with lettered options, or what to tell the user.
func (c *Console) pressLetter(s string) (action, problem string) {
	s = strings.ToUpper(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.letters) == 0 {
		return "", "No card with options A, B, ... is waiting. Draw one with /question."
	}
	if a, ok := c.letters[s]; ok {
		return a, ""
	}
	return "", fmt.Sprintf("The latest card has no option %s: its options are A to %c.", s, rune('A'+len(c.letters)-1))
}
