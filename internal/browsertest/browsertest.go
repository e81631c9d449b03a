// Package browsertest starts Debian's chromium for the browser tests: a
// headless browser with a fresh profile, WebGL in software (for the map),
// and the screen size of a totem or a phone.
package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Start launches chromium at width × height (a phone below 600 px) and
// returns its context, which ends after timeout or with the test.
func Start(t testing.TB, width, height int64, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: install the Debian package chromium (make test does this)")
	}
	// A fresh profile, removed once chromium has really exited (it may
	// still be writing it for a moment after the allocator stops it).
	profile, err := os.MkdirTemp("", "punto-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		// WebGL for the map, in software.
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.WindowSize(int(width), int(height)),
	)
	opts = append(opts, extra...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	// Dialogs (the top layer) make cdproto report events chromedp does not
	// know yet; they are harmless.
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithErrorf(func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "unhandled node event") {
			t.Log(msg)
		}
	}))
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(width, height, 1, width < 600)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// axe is axe-core, vendored from npm by `make vendor`.
//
//go:embed axe.min.js
var axe string

// Axe runs axe-core on the page in ctx and fails the test for every
// serious or critical violation.
func Axe(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	var res []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	}
	err := chromedp.Run(ctx, chromedp.Evaluate(axe, nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, &res,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil {
		t.Fatalf("%s: axe: %v", what, err)
	}
	for _, v := range res {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: axe %s (%s): %s at %v", what, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
}
