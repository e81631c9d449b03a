package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// maxIssues bounds the problems one import reports.
const maxIssues = 50

// ImportIssue is one problem of an imported file: where it is (the file
// of a package, the line, or a JSON pointer / feature index), which field
// or column, and why.
type ImportIssue struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Pointer string `json:"pointer,omitempty"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
}

func (i ImportIssue) String() string {
	var parts []string
	where := i.File
	if i.Line > 0 {
		where = strings.TrimSpace(where + " line " + strconv.Itoa(i.Line))
	}
	if i.Pointer != "" {
		where = strings.TrimSpace(where + " " + i.Pointer)
	}
	if where != "" {
		parts = append(parts, where)
	}
	if i.Field != "" {
		parts = append(parts, i.Field)
	}
	parts = append(parts, i.Reason)
	return strings.Join(parts, ": ")
}

// ImportError lists what is wrong with an imported file (at most 50
// problems). When an import returns it, nothing was imported.
type ImportError struct {
	Format string
	Issues []ImportIssue
}

func (e *ImportError) Error() string {
	if len(e.Issues) == 0 {
		return "content: import " + e.Format + ": invalid file"
	}
	msg := "content: import " + e.Format + ": " + e.Issues[0].String()
	if n := len(e.Issues) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}

// issues collects the problems of one import.
type issues struct {
	format string
	opt    ImportOptions // the options of the import in progress
	list   []ImportIssue
}

func (is *issues) add(i ImportIssue) {
	if len(is.list) < maxIssues {
		is.list = append(is.list, i)
	}
}

func (is *issues) full() bool { return len(is.list) >= maxIssues }

func (is *issues) err() error {
	if len(is.list) == 0 {
		return nil
	}
	slices.SortStableFunc(is.list, func(a, b ImportIssue) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return &ImportError{Format: is.format, Issues: is.list}
}

// lineCol turns a byte offset of data into a line and column (1-based).
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// jsonIssue describes a JSON decoding error with its line and column.
func jsonIssue(data []byte, err error) ImportIssue {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(data, se.Offset)
		return ImportIssue{Line: line, Reason: fmt.Sprintf("column %d: %v", col, se)}
	case errors.As(err, &te):
		line, _ := lineCol(data, te.Offset)
		return ImportIssue{Line: line, Field: te.Field, Reason: fmt.Sprintf("must be %s, not %s", te.Type, te.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, _ := lineCol(data, int64(len(data)))
		return ImportIssue{Line: line, Reason: "the JSON ends too early"}
	}
	return ImportIssue{Reason: err.Error()}
}
