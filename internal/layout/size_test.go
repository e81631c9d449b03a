package layout

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The house rule: a Go file a reader can hold in mind, a function a reader
// can follow in one screen. Tests and generated files are not counted.
const (
	maxFileLines = 600
	maxFuncLines = 80
)

// sizeExceptions names the files allowed past the limits, and why. Keep it
// short: an entry is a debt with a reason, not a permission.
var sizeExceptions = map[string]string{}

// generated matches the line Go tools write at the top of generated files
// (https://go.dev/s/generatedcode).
var generated = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

func TestFilesAndFunctionsStayShort(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	seen := map[string]bool{}
	err := walkGo(func(rel, path string, src []byte) error {
		if strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		if generated.Match(src) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if _, ok := sizeExceptions[rel]; ok {
			seen[rel] = true
			return nil
		}
		if n := bytes.Count(src, []byte("\n")); n > maxFileLines {
			t.Errorf("%s: %d lines, over %d: split it by concern", rel, n, maxFileLines)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			from, to := fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line
			if n := to - from + 1; n > maxFuncLines {
				t.Errorf("%s:%d: func %s is %d lines, over %d: extract its steps", rel, from, funcName(fn), n, maxFuncLines)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel := range sizeExceptions {
		if !seen[rel] {
			t.Errorf("sizeExceptions names %s, which is not a Go file here any more: drop the entry", rel)
		}
	}
}

// walkGo calls fn with every Go file of the repository (tests too): its
// path from the repository's root, with slashes, its path from here, and
// its source. Hidden, vendored, test data and "_" folders are left out.
func walkGo(fn func(rel, path string, src []byte) error) error {
	const root = "../.."
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "node_modules" || name == "vendor" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), path, src)
	})
}

// funcName names a function as a reader looks for it: Type.Method or func.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch r := t.(type) {
	case *ast.IndexExpr:
		t = r.X
	case *ast.IndexListExpr:
		t = r.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}
