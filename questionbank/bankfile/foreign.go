package bankfile

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// foreignHead is how much of a file ForeignFormat reads.
const foreignHead = 64 << 10

// redHeader and redQuestion are the lines of a Red-DiscordBot trivia list:
// its AUTHOR, DESCRIPTION or CONFIG key, or a question (a top-level key
// ending in "?", quoted or not).
var (
	redHeader   = regexp.MustCompile(`(?m)^(AUTHOR|DESCRIPTION|CONFIG):`)
	redQuestion = regexp.MustCompile(`(?m)^(?:"[^\n]*\?"|'[^\n]*\?'|[^\s#\-"'][^\n]*\?):[ \t]*$`)
)

// ForeignFormat reports whether a file given as a bank is instead a
// question list bank import converts: a Red-DiscordBot trivia list (YAML)
// or an Open Trivia DB response (JSON), from its name and its first bytes.
// It returns that format, or "" for anything else (a bank file, or a file
// the bank's own parser should judge).
func ForeignFormat(name string, head []byte) Format {
	head = head[:min(len(head), foreignHead)]
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		if !isNative(head) && (redHeader.Match(head) || redQuestion.Match(head)) {
			return FormatRed
		}
	case ".json":
		if bytes.Contains(head, []byte(`"results"`)) && (bytes.Contains(head, []byte(`"correct_answer"`)) || bytes.Contains(head, []byte(`"response_code"`))) {
			return FormatOpenTDB
		}
	}
	return ""
}

// ForeignFile is ForeignFormat of a file on disk ("" when it cannot be
// read: the bank's loader says why).
func ForeignFile(path string) Format {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, foreignHead))
	if err != nil {
		return ""
	}
	return ForeignFormat(path, head)
}

// ConvertMessage says that the file at path is a list of format f, not a
// bank file, and how to convert it.
func ConvertMessage(path string, f Format) string {
	what := "a Red-DiscordBot trivia list"
	if f == FormatOpenTDB {
		what = "an Open Trivia DB response"
	}
	return what + ", not a bank file: convert it once with `prepbot bank import " + shellQuote(path) + " -o bank.yaml`, then use bank.yaml"
}

// shellQuote quotes a path for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// peekForeign reads the start of r to tell whether it is a foreign list:
// it returns the format ("" when not) and a reader of the whole of r.
func peekForeign(name string, r io.Reader) (Format, io.Reader) {
	br := bufio.NewReaderSize(r, foreignHead)
	head, _ := br.Peek(foreignHead) // less at the end of the file: that is all of it
	return ForeignFormat(name, head), br
}
