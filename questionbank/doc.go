// Package questionbank is prepbot's card model: study cards in categories
// (Card, Category, QuickCheck), the bank they make (Bank, built and
// validated by Build from Documents, with every problem reported as
// file:line: field: message), and draws that deal every matching card once
// before repeating one (Pool, BagState). It needs nothing but the standard
// library; the file formats, the importers and the built-in bank are in
// package bankfile.
package questionbank
