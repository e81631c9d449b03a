// Package assets embeds the web UI that a Punto node serves, and renders
// its pages once with hashed asset URLs. Set PUNTO_ASSETS_DIR to a folder
// to serve files from disk while developing. Files only: it imports no
// other package of Punto.
package assets

import (
	"embed"
	"io/fs"
	"os"
)

//go:embed web
var embedded embed.FS

// Web returns the UI files: from PUNTO_ASSETS_DIR when set, else embedded.
func Web() fs.FS {
	if dir := os.Getenv("PUNTO_ASSETS_DIR"); dir != "" {
		return os.DirFS(dir)
	}
	sub, err := fs.Sub(embedded, "web")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}
