package main

import (
	"errors"
	"fmt"
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
