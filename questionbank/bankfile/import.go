package bankfile

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/prepbot/prepbot/questionbank"
)

// Format names a bank file format.
type Format string

const (
	FormatYAML     Format = "yaml"     // the native format
	FormatJSON     Format = "json"     // the native format as JSON
	FormatMarkdown Format = "markdown" // question lists: tables and numbered lists
	FormatRed      Format = "red"      // Red-DiscordBot trivia lists
	FormatOpenTDB  Format = "opentdb"  // Open Trivia DB API responses
	FormatCSV      Format = "csv"      // CSV with a header row
	FormatAnki     Format = "anki"     // Anki's "Notes in Plain Text" export
)

// Formats lists the formats Import reads.
var Formats = []Format{FormatYAML, FormatMarkdown, FormatRed, FormatOpenTDB, FormatCSV, FormatJSON, FormatAnki}

// ParseFormat accepts a format name; an unknown one is an error naming the valid ones.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	switch f {
	case "md":
		return FormatMarkdown, nil
	case "yml", "native":
		return FormatYAML, nil
	}
	for _, v := range Formats {
		if f == v {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: choose markdown, red, opentdb, csv, anki, yaml or json", s)
}

// DetectFormat guesses a file's format from its name and, for YAML, text
// and unknown extensions, from its content.
func DetectFormat(name string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown":
		return FormatMarkdown
	case ".txt": // Anki exports notes as .txt
		if looksLikeAnkiText(data) {
			return FormatAnki
		}
		return FormatMarkdown
	case ".csv", ".tsv":
		if hasAnkiHeader(data) {
			return FormatAnki
		}
		return FormatCSV
	case ".json":
		if isNativeJSON(data) {
			return FormatJSON
		}
		return FormatOpenTDB
	case ".yaml", ".yml":
		if isNative(data) {
			return FormatYAML
		}
		return FormatRed
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		if isNativeJSON(data) {
			return FormatJSON
		}
		return FormatOpenTDB
	case hasAnkiHeader(data):
		return FormatAnki
	case isNative(data):
		return FormatYAML
	case bytes.Contains(data, []byte("\n|")) || bytes.HasPrefix(trimmed, []byte("#")):
		return FormatMarkdown
	case bytes.Contains(data, []byte("?:\n")):
		return FormatRed
	}
	return FormatCSV
}

// isNativeJSON reports whether JSON text looks like a native bank (cards
// with ids and prompts) rather than an Open Trivia DB response.
func isNativeJSON(data []byte) bool {
	head := data[:min(len(data), 4096)]
	return !bytes.Contains(head, []byte(`"results"`)) &&
		(bytes.Contains(head, []byte(`"cards"`)) || bytes.Contains(head, []byte(`"prompt"`)))
}

// isNative reports whether YAML text has the top-level keys of the native format.
func isNative(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "cards:") || strings.HasPrefix(line, "categories:") {
			return true
		}
	}
	return false
}

// ImportOptions controls Import.
type ImportOptions struct {
	// Format is the source format; empty means DetectFormat.
	Format Format
	// Category, when set, puts every imported card in this category id
	// instead of the one the source gives (or the file name).
	Category string
}

// Import converts a file in any supported format to a native document.
// The cards get what the source has and nothing invented: ids are made
// from the text when the source has none, and numbers follow the source's
// order. The result is validated as a bank on its own; every problem is
// returned as an ErrorList naming the file, line and field.
func Import(name string, data []byte, opt ImportOptions) (*questionbank.Document, error) {
	format := opt.Format
	if format == "" {
		format = DetectFormat(name, data)
	}
	if opt.Category != "" && questionbank.CategoryIDProblem(opt.Category) != "" {
		return nil, fmt.Errorf("--category: %s", questionbank.CategoryIDProblem(opt.Category))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet exports
	var doc *questionbank.Document
	var list questionbank.ErrorList
	switch format {
	case FormatYAML:
		doc, list = ParseYAML(name, bytes.NewReader(data))
	case FormatJSON:
		doc, list = ParseJSON(name, bytes.NewReader(data))
	case FormatMarkdown:
		doc, list = parseMarkdown(name, data, opt)
	case FormatRed:
		doc, list = parseRed(name, data, opt)
	case FormatOpenTDB:
		doc, list = parseOpenTDB(name, data, opt)
	case FormatCSV:
		doc, list = parseCSV(name, data, opt)
	case FormatAnki:
		doc, list = parseAnki(name, data, opt)
	default:
		_, err := ParseFormat(string(format))
		return nil, err
	}
	if format != FormatYAML && format != FormatJSON { // the native parsers have checked this
		list = append(list, checkCards(doc)...)
	}
	if len(list) > 0 {
		list.Sort()
		return doc, list
	}
	if len(doc.Cards) == 0 {
		msg := fmt.Sprintf("found no questions in this %s file; is the format right? (give --format %s)", format, formatHint(format))
		if format == FormatMarkdown {
			msg = "found no questions in this markdown file. " + markdownShapes + fmt.Sprintf("\nIf the file is in another format, give --format %s.", formatHint(format))
		}
		return doc, questionbank.ErrorList{{File: name, Line: 1, Msg: msg}}
	}
	if _, err := questionbank.Build(doc); err != nil {
		return doc, err
	}
	return doc, nil
}

// checkCards applies the native format's per-card rules to imported cards,
// reporting at the line the card came from.
func checkCards(doc *questionbank.Document) questionbank.ErrorList {
	e := &errs{file: doc.File}
	for _, c := range doc.Cards {
		p := doc.CardPos(c)
		checkCard(e, p.IDLine, fmt.Sprintf("cards[%d]", p.Index), c)
	}
	return e.list
}

func formatHint(f Format) string {
	var others []string
	for _, v := range Formats {
		if v != f {
			others = append(others, string(v))
		}
	}
	return strings.Join(others, "|")
}

// categorySet gathers the categories of an import in first-seen order.
type categorySet struct {
	doc    *questionbank.Document
	forced string
}

// use returns the id for a category name from the source, declaring it on
// first use. A forced category (ImportOptions.Category) wins.
func (s *categorySet) use(name, description string, line int) string {
	id := s.forced
	if id == "" {
		id = Slug(name, 40)
		if id == "" {
			id = "general"
		}
	}
	if _, ok := s.doc.CategoryLine(id); !ok {
		display := strings.TrimSpace(name)
		if s.forced != "" || display == "" {
			display = id
		}
		s.doc.AddCategory(questionbank.Category{ID: id, Name: display, Description: description}, line)
	}
	return id
}

func newImport(file string, opt ImportOptions) (*questionbank.Document, *categorySet, idMaker) {
	doc := &questionbank.Document{File: file}
	return doc, &categorySet{doc: doc, forced: opt.Category}, idMaker{}
}

// addCard adds an imported card, defined on a line of the document's file.
func addCard(d *questionbank.Document, c *questionbank.Card, line int) {
	c.Source = fmt.Sprintf("%s:%d", d.File, line)
	d.AddCard(c, questionbank.CardPos{IDLine: line, CategoryLine: line, Index: len(d.Cards)})
}

// nameFromFile turns "red-trivia_computers.yaml" into "Red Trivia Computers".
func nameFromFile(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	words := strings.FieldsFunc(base, func(r rune) bool { return r == '-' || r == '_' || r == ' ' || r == '.' })
	for i, w := range words {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

// lineAt returns the 1-based line of a byte offset.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// lineCounter returns lines of increasing offsets in one pass over the data
// (lineAt from the start each time would be quadratic in a large file).
type lineCounter struct {
	data []byte
	off  int64
	line int
}

func (l *lineCounter) at(off int64) int {
	if l.line == 0 {
		l.line = 1
	}
	off = min(off, int64(len(l.data)))
	if off < l.off {
		return lineAt(l.data, off)
	}
	l.line += bytes.Count(l.data[l.off:off], []byte("\n"))
	l.off = off
	return l.line
}
