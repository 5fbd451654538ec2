//go:build !unix

package main

import "os"

// ttyWidth is 0 where the terminal's width is not asked: the console wraps
// to $COLUMNS or 80.
func ttyWidth(*os.File) int { return 0 }
