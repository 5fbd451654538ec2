package main

import (
	"io"
	"os"
	"strconv"
	"strings"
)

// terminalWidth is the width the console wraps its text to: $COLUMNS when
// set, else the terminal's width when out is one, else 80.
func terminalWidth(out io.Writer) int {
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if f, ok := out.(*os.File); ok {
		if n := ttyWidth(f); n > 0 {
			return n
		}
	}
	return 80
}
