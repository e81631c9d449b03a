// Package locales holds Punto's user-interface strings as go-i18n message
// files, one per language (named by its BCP 47 tag), with CLDR plural
// forms where a message counts something: the public screens' (15
// languages) and the editor's (editor/, Italian and English). Data only: it
// imports no other package of Punto.
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
