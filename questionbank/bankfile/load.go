package bankfile

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

//go:embed defaultbank/*.yaml
var defaultFS embed.FS

// DefaultName is the name that stands for the embedded default bank where a
// bank path is expected (`--bank default`).
const DefaultName = "default"

// Load reads bank files and folders (every .yaml, .yml and .json file
// below a folder, in name order) and builds one bank from all of them. The name
// "default" stands for the embedded default bank. Errors from every file
// are reported together.
func Load(paths ...string) (*questionbank.Bank, error) {
	docs, err := ReadDocuments(paths...)
	b, berr := questionbank.Build(docs...)
	if err == nil {
		return b, berr
	}
	// Report the problems of every file together, parse errors and cross-file
	// errors alike, so one run of `bank validate` shows everything to fix.
	var list questionbank.ErrorList
	errors.As(err, &list)
	var more questionbank.ErrorList
	if errors.As(berr, &more) {
		list = append(list, more...)
	}
	list.Sort()
	return nil, list
}

// Default returns the embedded default bank.
func Default() (*questionbank.Bank, error) { return Load(DefaultName) }

// ReadDocuments parses bank files without building a bank. Parse errors of
// every file are gathered into one ErrorList.
func ReadDocuments(paths ...string) ([]*questionbank.Document, error) {
	var docs []*questionbank.Document
	var list questionbank.ErrorList
	add := func(fsys fs.FS, name, display string) {
		f, err := fsys.Open(name)
		if err != nil {
			list = append(list, &questionbank.Error{File: display, Msg: fmt.Sprintf("cannot open: %v", errors.Unwrap(err))})
			return
		}
		defer f.Close()
		parse := ParseYAML
		if strings.EqualFold(path.Ext(name), ".json") {
			parse = ParseJSON
		}
		foreign, r := peekForeign(name, f)
		if foreign != "" { // one line, not an error for each of its questions
			list = append(list, &questionbank.Error{File: display, Msg: ConvertMessage(display, foreign)})
			return
		}
		doc, errs := parse(display, r)
		list = append(list, errs...)
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	for _, p := range paths {
		if p == DefaultName {
			names, _ := fs.Glob(defaultFS, "defaultbank/*.yaml")
			slices.Sort(names)
			for _, n := range names {
				add(defaultFS, n, "default:"+strings.TrimPrefix(n, "defaultbank/"))
			}
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			list = append(list, &questionbank.Error{File: p, Msg: fmt.Sprintf("cannot read the bank: %v (give a .yaml file, a folder of them, or %q for the built-in bank)", errors.Unwrap(err), DefaultName)})
			continue
		}
		if !info.IsDir() {
			add(os.DirFS(filepath.Dir(p)), filepath.Base(p), p)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := strings.ToLower(filepath.Ext(path)); !d.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			list = append(list, &questionbank.Error{File: p, Msg: fmt.Sprintf("cannot read the folder: %v", err)})
			continue
		}
		if len(files) == 0 {
			list = append(list, &questionbank.Error{File: p, Msg: "the folder holds no .yaml, .yml or .json bank files"})
		}
		slices.Sort(files)
		for _, f := range files {
			add(os.DirFS(filepath.Dir(f)), filepath.Base(f), f)
		}
	}
	list.Sort()
	return docs, list.Err()
}
