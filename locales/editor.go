package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

//go:embed editor/*.toml
var editorFiles embed.FS

// EditorFS is the editor's message files (it.toml, en.toml): the words of
// the regional staff's editor, served to it by the portal.
var EditorFS fs.FS = mustSub(editorFiles, "editor")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// Load reads the go-i18n message files (TAG.toml) of fsys and returns
// each language's messages, tag → id → message. Every message must be
// one the browser toolkit renders (see Parse): a go-i18n plural table
// or a message that does not parse is an error.
func Load(fsys fs.FS) (map[string]map[string]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".toml" {
			continue
		}
		buf, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		mf, err := i18n.ParseMessageFileBytes(buf, e.Name(), map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			return nil, fmt.Errorf("locales: %s: %w", e.Name(), err)
		}
		tag := strings.TrimSuffix(e.Name(), ".toml")
		msgs := map[string]string{}
		for _, m := range mf.Messages {
			if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
				return nil, fmt.Errorf("locales: %s: %s: write plurals as {n, plural, one {…} other {…}}, not as go-i18n forms", e.Name(), m.ID)
			}
			if _, err := Parse(m.Other); err != nil {
				return nil, fmt.Errorf("locales: %s: %s: %w", e.Name(), m.ID, err)
			}
			msgs[m.ID] = m.Other
		}
		out[tag] = msgs
	}
	return out, nil
}

var editorOnce = sync.OnceValues(func() (map[string]map[string]string, error) { return Load(EditorFS) })

// Editor returns the editor's messages, tag → id → message, read once.
// The tables are shared: callers must not change them.
func Editor() (map[string]map[string]string, error) { return editorOnce() }
