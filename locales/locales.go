// Package locales holds Punto's user-interface strings as go-i18n message
// files, one per language (named by its BCP 47 tag), with CLDR plural
// forms where a message counts something.
package locales

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.toml
var files embed.FS

// FS is the message files.
var FS fs.FS = files

// Tags lists the languages that have a message file, sorted.
func Tags() []string {
	entries, _ := fs.ReadDir(files, ".")
	var tags []string
	for _, e := range entries {
		tags = append(tags, strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
	}
	sort.Strings(tags)
	return tags
}
