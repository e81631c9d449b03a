// Package browsertest starts Debian's headless chromium for the browser
// tests: a browser with a fresh profile, WebGL in software (for the map),
// and the screen size of a totem or a phone.
package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/printing"
)

// Start opens a page at width × height (a phone below 600 px) and returns
// its context, which ends after timeout or with the test.
//
// Without options the page is a tab of the chromium the test binary's
// tests share, in a browser context of its own: cookies, storage, caches
// and service workers are the test's alone, as in a fresh profile, and a
// tab costs a fraction of a browser. With options (flags such as the
// browser's language) the test gets a chromium of its own.
func Start(t testing.TB, width, height int64, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	var parent context.Context
	var opts []chromedp.ContextOption
	if len(extra) == 0 {
		parent = sharedBrowser(t)
		opts = append(opts, chromedp.WithTargetID(newWindow(t, parent)))
	} else {
		aopts, profile, err := allocatorOptions(width, height, extra)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { removeProfile(profile) })
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), aopts...)
		t.Cleanup(cancelA)
		parent = actx
		opts = append(opts, chromedp.WithErrorf(logErrors(t.Log)))
	}
	cctx, cancelC := chromedp.NewContext(parent, opts...)
	ctx, cancelT := context.WithTimeout(cctx, timeout)
	t.Cleanup(func() {
		cancelT()
		if len(extra) > 0 {
			closeBrowser(cctx) // the test's own
		}
		cancelC()
	})
	// chromedp turns on every domain of the DevTools protocol a test could
	// want; the tests watch no requests and no style sheets, and chromium
	// then stops reporting them (a tenth of the CPU of a visit, in the
	// page, the browser and the test).
	if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(width, height, 1, width < 600), network.Disable(), css.Disable()); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// allocatorOptions are chromium's flags: headless, a fresh profile (the
// folder returned, to remove with removeProfile), WebGL in software (for
// the map) and the window's size.
func allocatorOptions(width, height int64, extra []chromedp.ExecAllocatorOption) (opts []chromedp.ExecAllocatorOption, profile string, err error) {
	// The browser the totem prints its cards with (its headless shell).
	path, err := printing.ChromiumPath()
	if err != nil {
		return nil, "", fmt.Errorf("%w: make test installs it", err)
	}
	if profile, err = os.MkdirTemp("", "punto-chromium-"); err != nil {
		return nil, "", err
	}
	opts = append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		// A tab's pages share a renderer where they can (the first page,
		// about:blank, and the app's), and no spare renderer waits for the
		// next tab: a renderer costs a tenth of a second of CPU to start.
		// The flag replaces chromedp's list of disabled features, which
		// it repeats.
		chromedp.Flag("renderer-process-limit", "1"),
		chromedp.Flag("disable-features", "site-per-process,Translate,BlinkGenPropertyTrees,SpareRendererForSitePerProcess"),
		chromedp.WindowSize(int(width), int(height)),
	)
	return append(opts, extra...), profile, nil
}

// SetLanguage makes the page's browser speak lang (a BCP 47 tag): its
// navigator.languages, Accept-Language and Intl's default locale, as a
// browser set to that language would. Call it before navigating.
func SetLanguage(t testing.TB, ctx context.Context, lang string) {
	t.Helper()
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, _, _, ua, _, err := browser.GetVersion().Do(ctx)
		if err != nil {
			return err
		}
		if err := emulation.SetUserAgentOverride(ua).WithAcceptLanguage(lang).Do(ctx); err != nil {
			return err
		}
		return emulation.SetLocaleOverride().WithLocale(strings.ReplaceAll(lang, "-", "_")).Do(ctx)
	}))
	if err != nil {
		t.Fatalf("browsertest: language %s: %v", lang, err)
	}
}

// newWindow opens a window of the shared browser in a new browser context
// (headless chromium opens a tab in a new context only in a window of its
// own), disposed of with the test.
func newWindow(t testing.TB, browser context.Context) target.ID {
	t.Helper()
	exec := cdp.WithExecutor(browser, chromedp.FromContext(browser).Browser)
	bc, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(exec)
	if err != nil {
		t.Fatalf("browsertest: a browser context: %v", err)
	}
	t.Cleanup(func() { _ = target.DisposeBrowserContext(bc).Do(exec) })
	id, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(exec)
	if err != nil {
		t.Fatalf("browsertest: a window: %v", err)
	}
	return id
}

// logErrors is chromedp's error log, through log. Dialogs (the top layer)
// make cdproto report events chromedp does not know yet; they are
// harmless.
func logErrors(log func(args ...any)) func(format string, args ...any) {
	return func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "unhandled node event") {
			log(msg)
		}
	}
}

// closeBrowser closes the browser that ctx (a chromedp context that
// started one) started, and waits for it to exit: cancelling the context
// alone leaves the kill to a goroutine, and a test binary that exits
// right after leaves chromium running.
func closeBrowser(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = chromedp.Cancel(ctx) // the process ends either way: killed after the timeout
}

// removeProfile removes a profile once chromium has really exited (it may
// still be writing it for a moment after the allocator stops it).
func removeProfile(dir string) {
	for range 50 {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shared is the chromium of the test binary, started by the first test
// that asks and stopped by testenv.Main (or, without it, killed with the
// test binary: chromedp gives it a parent-death signal).
var shared struct {
	once sync.Once
	ctx  context.Context
	err  error
}

func sharedBrowser(t testing.TB) context.Context {
	t.Helper()
	shared.once.Do(func() {
		opts, profile, err := allocatorOptions(1080, 1920, nil)
		if err != nil {
			shared.err = err
			return
		}
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelB := chromedp.NewContext(actx, chromedp.WithErrorf(logErrors(func(args ...any) {
			fmt.Fprintln(os.Stderr, append([]any{"browsertest: shared chromium:"}, args...)...)
		})))
		// The first run starts the browser (on a blank tab that stays).
		stop := func() {
			closeBrowser(bctx)
			cancelB()
			cancelA()
			removeProfile(profile)
		}
		if shared.err = chromedp.Run(bctx); shared.err != nil {
			stop()
			return
		}
		shared.ctx = bctx
		testenv.AtExit(stop)
	})
	if shared.err != nil {
		t.Fatalf("browsertest: starting the shared chromium: %v", shared.err)
	}
	return shared.ctx
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
	// axe-core is half a megabyte of script: a page that has it (the
	// same single-page app on its next screen) keeps it.
	var loaded bool
	err := chromedp.Run(ctx, chromedp.Evaluate(`typeof axe !== "undefined"`, &loaded),
		chromedp.ActionFunc(func(ctx context.Context) error {
			if loaded {
				return nil
			}
			return chromedp.Evaluate(axe, nil).Do(ctx)
		}),
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

// Click taps the first element sel (a CSS selector) matches, as
// chromedp.Click does, and again when the page drew the element anew
// between finding it and tapping it (a live list, a screen redrawn with
// fresh data): chromium then no longer knows the node it was given.
func Click(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		for range 5 {
			err = chromedp.Click(sel, chromedp.ByQuery, chromedp.RetryInterval(waitEvery)).Do(ctx)
			if err == nil || !redrawn(err) {
				return err
			}
		}
		return err
	})
}

// redrawn says whether err is chromium's word for a node the page has
// replaced.
func redrawn(err error) bool {
	return says(err, "Could not find node with given id", "Node is detached from document", "Could not compute box model", "No node with given id found")
}

// says whether err's message holds one of msgs.
func says(err error, msgs ...string) bool {
	return slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(err.Error(), m) })
}

// Visible waits until the first element sel (a CSS selector) matches is
// on show (it has a box), as chromedp.WaitVisible does. The page itself
// checks, every 20 ms, where chromedp's query actions ask chromium
// through the DevTools protocol every 5 ms: a sixth of a core for as long
// as a test waits, in the browser, the page and the test alike.
func Visible(sel string) chromedp.Action {
	return waitFor(fmt.Sprintf(`(e => !!e && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length))(document.querySelector(%q))`, sel))
}

// Present waits until sel matches an element, shown or not.
func Present(sel string) chromedp.Action {
	return waitFor(fmt.Sprintf(`!!document.querySelector(%q)`, sel))
}

// Gone waits until sel matches no element.
func Gone(sel string) chromedp.Action {
	return waitFor(fmt.Sprintf(`!document.querySelector(%q)`, sel))
}

// waitEvery is how often Visible, Present and Gone look at the page.
const waitEvery = 20 * time.Millisecond

// waitFor waits, with no time limit but the context's, until expr is
// true in the page, and looks again in the next page when the page it
// was looking at navigates away (a reload that forgets a visitor).
func waitFor(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			err := chromedp.Poll(expr, nil, chromedp.WithPollingInterval(waitEvery), chromedp.WithPollingTimeout(0)).Do(ctx)
			if err == nil || ctx.Err() != nil || !navigated(err) {
				return err
			}
			if err := chromedp.Sleep(waitEvery).Do(ctx); err != nil {
				return err
			}
		}
	})
}

// navigated says whether err is chromium's word for a page that went
// away while something was evaluated in it.
func navigated(err error) bool {
	return says(err, "Execution context was destroyed", "Cannot find context with specified id", "Inspected target navigated or closed")
}

// pollEvery is how often Poll evaluates its expression.
const pollEvery = 50 * time.Millisecond

// Poll is chromedp.Poll evaluating expr every 50 ms instead of at every
// animation frame: a page polled at every frame draws frames all the
// while (a tenth of a second of CPU for each second of waiting), one
// polled on a timer does not. Later options (a timeout, another
// interval) apply over this one.
func Poll(expr string, res any, opts ...chromedp.PollOption) chromedp.Action {
	return chromedp.Poll(expr, res, append([]chromedp.PollOption{chromedp.WithPollingInterval(pollEvery)}, opts...)...)
}
