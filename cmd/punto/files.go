package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// existingFile refuses a path that is missing or is a folder, so that
// opening a catalog never creates an empty one by mistake.
func existingFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s does not exist", path)
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%s is a folder, not a catalog file", path)
	}
	return nil
}

// closeAfter closes c as a function returns, adding its error to the
// function's: a store that fails to close may not have written all.
func closeAfter(err *error, c io.Closer) { *err = errors.Join(*err, c.Close()) }
