// Package questionbank is prepbot's question bank: study cards in
// categories (Card, Category, QuickCheck), the bank they make (Bank, built
// and validated by Build, with every problem reported as file:line: field:
// message), the file formats (native YAML and JSON, read by ParseYAML and
// ParseJSON and written by WriteYAML and WriteJSON), importers for the
// lists teams already have (Markdown, CSV, Red-DiscordBot trivia, Open
// Trivia DB), the built-in bank (Default), and draws that deal every
// matching card once before repeating one (Pool, BagState).
package questionbank
