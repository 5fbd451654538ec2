// Package bankfile reads and writes question banks: the native formats
// (YAML through yaml.v3, read by ParseYAML and written by WriteYAML, and
// JSON with a decoder of its own, ParseJSON and WriteJSON), importers for
// the lists teams already have (Markdown, CSV, Red-DiscordBot trivia, Open
// Trivia DB), loading files and folders into a bank (Load), and the
// built-in bank (Default). Every problem is reported as file:line: field:
// message. The cards and banks themselves are package questionbank's.
package bankfile
