package bankfile

import (
	"fmt"

	"github.com/prepbot/prepbot/questionbank"
)

// errs collects errors for one file.
type errs struct {
	file string
	list questionbank.ErrorList
}

func (e *errs) add(line int, field, format string, args ...any) {
	e.list = append(e.list, &questionbank.Error{File: e.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}
