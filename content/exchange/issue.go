package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// maxIssues bounds the problems one import collects: enough for every
// problem of a real directory in one run, bounded in memory. Messages and
// the editor list the first listIssues.
const (
	maxIssues  = 100000
	listIssues = 50
)

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

// ImportError lists what is wrong with an imported file (every problem,
// up to 100,000). When an import returns it, nothing was imported.
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

// unzipBudget is how many unzipped bytes a package may hold.
func (is *issues) unzipBudget() int64 {
	if is.opt.maxUnzipped > 0 {
		return is.opt.maxUnzipped
	}
	return maxUnzipped
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

// ReasonCounts counts problems by kind: the field and the reason with
// quoted values and numbers left out, most frequent first.
func ReasonCounts(list []ImportIssue) []ReasonCount {
	counts := map[string]int{}
	for _, i := range list {
		k := quoted.ReplaceAllString(i.Reason, "…")
		k = number.ReplaceAllString(k, "N")
		if i.Field != "" {
			k = number.ReplaceAllString(i.Field, "N") + ": " + k
		}
		counts[k]++
	}
	out := make([]ReasonCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, ReasonCount{Reason: k, Count: n})
	}
	slices.SortFunc(out, func(a, b ReasonCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return out
}

// ReasonCount is how many problems share a reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

var (
	quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	number = regexp.MustCompile(`\d+(\.\d+)?`)
)
