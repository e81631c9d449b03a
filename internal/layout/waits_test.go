package layout

import (
	"regexp"
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
	err := walkGo(func(rel, _ string, src []byte) error {
		if m := chromedpWaits.Find(src); m != nil {
			t.Errorf("%s: %s…): wait with browsertest.Visible, Present, Gone or Poll", rel, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
