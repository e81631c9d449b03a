package layout

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// chromedpWaits are chromedp's query actions that only wait: they ask
// chromium through the DevTools protocol every 5 ms for as long as the
// test waits, a sixth of a core each.
var chromedpWaits = regexp.MustCompile(`chromedp\.Wait(Visible|Ready|NotPresent|NotVisible|Enabled|Selected)\(`)

// TestBrowserTestsWaitInThePage: tests wait with browsertest's Visible,
// Present, Gone and Poll, which look from inside the page.
func TestBrowserTestsWaitInThePage(t *testing.T) {
	t.Parallel()
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if m := chromedpWaits.Find(src); m != nil {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: %s…): wait with browsertest.Visible, Present, Gone or Poll", filepath.ToSlash(rel), m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
