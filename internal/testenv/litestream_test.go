package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLitestreamPinned checks that the Makefile pins the Litestream the
// tests run, and builds it (make deps runs this test first, so that make
// test finds it built): the program is that module at that version.
func TestLitestreamPinned(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^LITESTREAM_VERSION\s*:=\s*(\S+)$`).FindSubmatch(mk)
	if m == nil || string(m[1]) != LitestreamVersion {
		t.Fatalf("the Makefile pins Litestream %q, the tests %s", m, LitestreamVersion)
	}
	bin := Litestream(t)
	out, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m %s: %v\n%s", bin, err, out)
	}
	if want := "\tmod\t" + LitestreamModule + "\t" + LitestreamVersion + "\t"; !strings.Contains(string(out), want) {
		t.Fatalf("%s is not %s@%s:\n%s", bin, LitestreamModule, LitestreamVersion, out)
	}
}
