package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

func runBank(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "prepbot bank: say what to do: validate, list, import or export\n\n"+usage)
		return exitError{2}
	}
	switch args[0] {
	case "validate":
		return bankValidate(args[1:], stdout, stderr)
	case "list":
		return bankList(args[1:], stdout, stderr)
	case "import":
		return bankImport(args[1:], stdin, stdout, stderr)
	case "export":
		return bankExport(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "prepbot bank: unknown command %q: use validate, list, import or export\n", args[0])
	return exitError{2}
}

// printBankErrors prints one PATH:LINE: message per problem and a count.
func printBankErrors(err error, stdout, stderr io.Writer) error {
	var list questionbank.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	for _, e := range list {
		fmt.Fprintln(stdout, e)
	}
	files := map[string]bool{}
	for _, e := range list {
		files[e.File] = true
	}
	fmt.Fprintf(stderr, "%d %s in %d %s: fix them and run the command again\n",
		len(list), plural(len(list), "problem", "problems"), len(files), plural(len(files), "file", "files"))
	return exitError{1}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func bankValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bank validate", stderr, "prepbot bank validate [PATH...]\n\nChecks bank files together (later files may use the categories of earlier ones)\nand prints every problem as PATH:LINE: field: message. With no PATH it checks\nthe built-in bank. Exits 1 when there is any problem.")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return exitError{2}
	}
	if len(paths) == 0 {
		paths = []string{bankfile.DefaultName}
	}
	b, err := bankfile.Load(paths...)
	if err != nil {
		return printBankErrors(err, stdout, stderr)
	}
	fmt.Fprintf(stdout, "ok: %d %s in %d %s\n", b.Len(), plural(b.Len(), "card", "cards"), len(b.Categories()), plural(len(b.Categories()), "category", "categories"))
	return nil
}

// loadBank loads the banks named by --bank flags, or the built-in one.
func loadBank(paths []string, stdout, stderr io.Writer) (*questionbank.Bank, error) {
	if len(paths) == 0 {
		paths = []string{bankfile.DefaultName}
	}
	for _, p := range paths {
		if f := bankfile.ForeignFile(p); f != "" {
			fmt.Fprintf(stderr, "prepbot: %s is %s.\n", p, bankfile.ConvertMessage(p, f))
			return nil, exitError{1}
		}
	}
	b, err := bankfile.Load(paths...)
	if err != nil {
		fmt.Fprintln(stderr, "prepbot: the question bank has problems:")
		return nil, printBankErrors(err, stderr, stderr)
	}
	return b, nil
}

func bankList(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bank list", stderr, "prepbot bank list [--category C] [--difficulty D] [--json] [--bank PATH]...")
	var banks stringsFlag
	fs.Var(&banks, "bank", "bank `PATH`: a .yaml file, a folder, or \"default\" (repeatable; default: the built-in bank)")
	category := fs.String("category", "", "only cards of this category `id`")
	difficulty := fs.String("difficulty", "", "only cards of this difficulty (easy, medium, hard)")
	asJSON := fs.Bool("json", false, "print a JSON array of full cards")
	if rest, err := parseArgs(fs, args); err != nil {
		return exitError{2}
	} else if len(rest) > 0 {
		fmt.Fprintf(stderr, "prepbot bank list: unexpected %q: give bank files with --bank\n", rest[0])
		return exitError{2}
	}
	b, err := loadBank(banks, stdout, stderr)
	if err != nil {
		return err
	}
	d, err := questionbank.ParseDifficulty(*difficulty)
	if err != nil {
		return err
	}
	cards, err := b.Pool(questionbank.Filter{Category: *category, Difficulty: d})
	if err != nil {
		return err
	}
	// Pool is sorted by id; list in the bank's own order (category, number).
	keep := map[*questionbank.Card]bool{}
	for _, c := range cards {
		keep[c] = true
	}
	var list []*questionbank.Card
	for _, c := range b.Cards() {
		if keep[c] {
			list = append(list, c)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if list == nil {
			list = []*questionbank.Card{}
		}
		return enc.Encode(list)
	}
	current := ""
	for _, c := range list {
		if c.Category != current {
			current = c.Category
			cat, _ := b.Category(current)
			n := 0
			for _, x := range list {
				if x.Category == current {
					n++
				}
			}
			if current != list[0].Category {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "%s (%s): %d %s\n", cat.Name, cat.ID, n, plural(n, "card", "cards"))
		}
		diff := string(c.Difficulty)
		if diff == "" {
			diff = "-"
		}
		fmt.Fprintf(stdout, "  %3d  %-6s  %-36s  %s\n", c.Number, diff, c.ID, shorten(oneLine(c.Prompt), 70))
	}
	fmt.Fprintf(stderr, "%d %s\n", len(list), plural(len(list), "card", "cards"))
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func bankImport(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("bank import", stderr, "prepbot bank import FILE [--format F] [--category C] [-o OUT.yaml|OUT.json]\n\nConverts a question list to the bank format (YAML, or JSON when OUT ends in .json).\nFILE may be - for standard input.\nThe format is guessed from the file name and content when --format is not given.")
	format := fs.String("format", "", "source format: markdown, red, opentdb, csv, anki, yaml or json (default: guessed)")
	category := fs.String("category", "", "put every card in this category `id` (default: from the source)")
	out := fs.String("o", "", "write the bank to this `file` instead of standard output")
	files, err := parseArgs(fs, args)
	if err != nil {
		return exitError{2}
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "prepbot bank import: give exactly one FILE to import (run with -h for help)")
		return exitError{2}
	}
	opt := bankfile.ImportOptions{Category: *category}
	if *format != "" {
		f, err := bankfile.ParseFormat(*format)
		if err != nil {
			return err
		}
		opt.Format = f
	}
	name := files[0]
	var data []byte
	if name == "-" {
		data, err = io.ReadAll(stdin)
		name = "stdin"
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", name, errors.Unwrap(err))
	}
	if opt.Format == "" {
		opt.Format = bankfile.DetectFormat(name, data)
	}
	doc, err := bankfile.Import(name, data, opt)
	if err != nil {
		return printBankErrors(err, stdout, stderr)
	}
	w := stdout
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return err
		}
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("cannot write the bank: %w", err)
		}
		defer f.Close()
		w = f
	}
	write := bankfile.WriteYAML
	if strings.EqualFold(filepath.Ext(*out), ".json") {
		write = bankfile.WriteJSON
	}
	if err := write(w, doc); err != nil {
		return fmt.Errorf("cannot write the bank: %w", err)
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		if err := f.Close(); err != nil {
			return fmt.Errorf("cannot write the bank: %w", err)
		}
	}
	where := "standard output"
	if *out != "" {
		where = *out
	}
	fmt.Fprintf(stderr, "imported %d %s in %d %s from %s (%s format) to %s\n", len(doc.Cards), plural(len(doc.Cards), "card", "cards"),
		len(doc.Categories), plural(len(doc.Categories), "category", "categories"), name, opt.Format, where)
	return nil
}

func bankExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bank export", stderr, "prepbot bank export [--format anki] [--category C] [--bank PATH]... [-o FILE]\n\n"+
		"Writes the cards of a bank (default: the built-in one) for another program.\n"+
		"anki: a text file for Anki's File > Import, a deck per category, the prompt\n"+
		"on the front and the answer on the back as HTML; prepbot bank import reads it back.")
	format := fs.String("format", "anki", "the format to write: anki")
	category := fs.String("category", "", "only the cards of this category `id`")
	var banks stringsFlag
	fs.Var(&banks, "bank", "bank `PATH`: a .yaml file, a folder, or \"default\" (repeatable; default: the built-in bank)")
	out := fs.String("o", "", "write to this `file` instead of standard output")
	if rest, err := parseArgs(fs, args); err != nil {
		return exitError{2}
	} else if len(rest) > 0 {
		fmt.Fprintf(stderr, "prepbot bank export: unexpected %q: give bank files with --bank\n", rest[0])
		return exitError{2}
	}
	if f := strings.ToLower(strings.TrimSpace(*format)); f != string(bankfile.FormatAnki) {
		fmt.Fprintf(stderr, "prepbot bank export: unknown format %q: the format it writes is anki\n", *format)
		return exitError{2}
	}
	b, err := loadBank(banks, stdout, stderr)
	if err != nil {
		return err
	}
	cards := b.Cards()
	if *category != "" {
		if _, err := b.Pool(questionbank.Filter{Category: *category}); err != nil {
			return err
		}
		var only []*questionbank.Card
		for _, c := range cards {
			if c.Category == *category {
				only = append(only, c)
			}
		}
		cards = only
	}
	decks := map[string]bool{}
	for _, c := range cards {
		decks[c.Category] = true
	}
	where := "standard output"
	w := stdout
	var f *os.File
	if *out != "" {
		where = *out
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return fmt.Errorf("cannot write the export: %w", err)
		}
		if f, err = os.Create(*out); err != nil {
			return fmt.Errorf("cannot write the export: %w", err)
		}
		defer f.Close()
		w = f
	}
	if err := bankfile.WriteAnki(w, b.Categories(), cards); err != nil {
		return fmt.Errorf("cannot write the export: %w", err)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("cannot write the export: %w", err)
		}
	}
	fmt.Fprintf(stderr, "exported %d %s in %d %s to %s (anki format); in Anki: File > Import\n", len(cards), plural(len(cards), "card", "cards"),
		len(decks), plural(len(decks), "deck", "decks"), where)
	return nil
}
