package printing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Printer is a CUPS queue a totem prints cards on.
type Printer struct {
	Queue string // the CUPS queue (lp -d)
	Paper Paper  // what the queue holds: an 80 mm roll or A6 sheets
	// Server is the CUPS server (host:port or a socket's path, lp -h);
	// empty: the system's (CUPS_SERVER, /etc/cups/client.conf).
	Server string
	// Chromium is the browser that lays the card out; empty:
	// chromium-headless-shell on the PATH (chromium's engine without the
	// desktop browser, made for this), else chromium.
	Chromium string
	// Wait is how long a card may take to come out once CUPS has it
	// (default 30 s); a card still queued then is cancelled, so that it
	// never comes out later for someone else.
	Wait time.Duration
}

// ErrQueue is the queue refusing a card (unknown, stopped, not accepting
// jobs, or CUPS not answering); the error says what CUPS said.
var ErrQueue = errors.New("printing: the printer queue failed")

var queueName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,127}$`)

// ValidQueue reports whether name can be a CUPS queue's name.
func ValidQueue(name string) bool { return queueName.MatchString(name) }

// Check asks CUPS whether the queue exists and is enabled, before a card
// is laid out for it.
func (p *Printer) Check(ctx context.Context) error {
	out, err := p.cups(ctx, "lpstat", nil, "-p", p.Queue)
	if err != nil {
		return err
	}
	if strings.Contains(out, " disabled") {
		return fmt.Errorf("%w: %s is stopped: %s", ErrQueue, p.Queue, firstLine(out))
	}
	return nil
}

// Print lays the card out, makes its PDF and sends it to the queue; it
// returns the job's ID. Nothing is written to disk by Punto: the PDF goes
// to lp on its standard input.
func (p *Printer) Print(ctx context.Context, c *Card) (string, error) {
	html, err := c.HTML(p.Paper)
	if err != nil {
		return "", fmt.Errorf("printing: %w", err)
	}
	pdf, heightMM, err := p.PDF(ctx, html)
	if err != nil {
		return "", err
	}
	job, err := p.Submit(ctx, pdf, heightMM)
	if err != nil {
		return "", err
	}
	return job, p.WaitDone(ctx, job)
}

// pollEvery is how often WaitDone asks CUPS about a job.
const pollEvery = 250 * time.Millisecond

// WaitDone waits until CUPS has printed the job. When the queue stops
// (the printer failed: CUPS's default error policy), or the job is still
// there after p.Wait (no paper, the printer unplugged), it cancels the
// job and says why.
func (p *Printer) WaitDone(ctx context.Context, job string) error {
	wait := p.Wait
	if wait <= 0 {
		wait = 30 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		pending, err := p.cups(ctx, "lpstat", nil, "-W", "not-completed", "-o", p.Queue)
		if err != nil {
			return err
		}
		if !slices.Contains(strings.Fields(pending), job) {
			return nil
		}
		state, err := p.cups(ctx, "lpstat", nil, "-p", p.Queue)
		if err != nil {
			return err
		}
		why := ""
		switch {
		case strings.Contains(state, " disabled"):
			why = "the printer stopped: " + strings.Join(strings.Fields(state), " ")
		case time.Now().After(deadline):
			why = "still in the queue after " + wait.String() + ", cancelled: " + strings.Join(strings.Fields(state), " ")
		}
		if why != "" {
			// A card that was not printed is not kept for later.
			_, cerr := p.cups(context.WithoutCancel(ctx), "cancel", nil, job)
			return errors.Join(fmt.Errorf("%w: %s", ErrQueue, why), cerr)
		}
		select {
		case <-ctx.Done():
			_, cerr := p.cups(context.WithoutCancel(ctx), "cancel", nil, job)
			return errors.Join(ctx.Err(), cerr)
		case <-time.After(pollEvery):
		}
	}
}

// maxReceiptMM bounds a receipt's length: a card longer than this (a
// service with a very long address) is cut onto more pages.
const maxReceiptMM = 600

// ChromiumPath is the headless browser: chromium-headless-shell,
// chromium's engine without the desktop browser around it (made for
// printing and tests: a third of the CPU), else the full chromium.
//
// Debian's /usr/bin/chromium-headless-shell is a shell script that runs
// the browser as its child, not in its place: stopping the script would
// leave the browser running, so the binary it runs is used instead.
func ChromiumPath() (string, error) {
	if fi, err := os.Stat(debianHeadlessShell); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return debianHeadlessShell, nil
	}
	for _, name := range []string{"chromium-headless-shell", "chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("chromium is not installed (Debian package chromium-headless-shell or chromium)")
}

// debianHeadlessShell is the browser that Debian's chromium-headless-shell
// script runs.
const debianHeadlessShell = "/usr/lib/chromium/chromium-headless-shell"

// PDF lays html out in a fresh headless chromium and prints it to PDF on
// the paper; it returns the PDF and the page's height in millimetres. A
// receipt is as long as its card.
func (p *Printer) PDF(ctx context.Context, html []byte) ([]byte, float64, error) {
	path := p.Chromium
	if path == "" {
		var err error
		if path, err = ChromiumPath(); err != nil {
			return nil, 0, fmt.Errorf("printing: %w", err)
		}
	}
	// The page is the node's own escaped template and loads nothing, so
	// chromium's sandbox (which needs user namespaces, and refuses root)
	// guards nothing here.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		// The card has no script: V8 without its JIT needs no memory both
		// writable and executable (a unit with MemoryDenyWriteExecute).
		chromedp.Flag("js-flags", "--jitless"))
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	defer func() {
		// Stopped, and waited for: no chromium outlives its card.
		cancelB()
		cancelA()
		if c := chromedp.FromContext(bctx); c != nil && c.Allocator != nil {
			c.Allocator.Wait()
		}
	}()
	pxPerMM := 96 / 25.4
	width := p.Paper.width()
	heightMM := p.Paper.height()
	var pdf []byte
	err := chromedp.Run(bctx,
		emulation.SetDeviceMetricsOverride(int64(math.Round(width*pxPerMM)), 800, 1, false),
		emulation.SetEmulatedMedia().WithMedia("print"),
		chromedp.Navigate("about:blank"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			tree, err := page.GetFrameTree().Do(ctx)
			if err != nil {
				return err
			}
			return page.SetDocumentContent(tree.Frame.ID, string(html)).Do(ctx)
		}),
		chromedp.ActionFunc(func(ctx context.Context) error {
			if heightMM > 0 {
				return nil
			}
			var px float64
			if err := chromedp.Evaluate(`document.fonts.ready.then(() => document.body.getBoundingClientRect().height)`, &px,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }).Do(ctx); err != nil {
				return err
			}
			heightMM = min(math.Ceil(px/pxPerMM)+2, maxReceiptMM)
			return nil
		}),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().
				WithPaperWidth(width / 25.4).WithPaperHeight(heightMM / 25.4).
				WithMarginTop(0).WithMarginBottom(0).WithMarginLeft(0).WithMarginRight(0).
				WithPrintBackground(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		return nil, 0, fmt.Errorf("printing: laying the card out in chromium: %w", err)
	}
	return pdf, heightMM, nil
}

// Submit sends a PDF to the queue with lp and returns the job's ID. The
// job's title names Punto, never the service or the visitor.
func (p *Printer) Submit(ctx context.Context, pdf []byte, heightMM float64) (string, error) {
	media := "A6"
	if p.Paper != A6 {
		media = "Custom." + strconv.Itoa(int(p.Paper.width())) + "x" + strconv.Itoa(int(math.Ceil(heightMM))) + "mm"
	}
	out, err := p.cups(ctx, "lp", pdf, "-d", p.Queue, "-t", "Punto", "-o", "media="+media)
	if err != nil {
		return "", err
	}
	// "request id is pdf-12 (1 file(s))"
	if _, id, ok := strings.Cut(out, "request id is "); ok {
		if id, _, ok := strings.Cut(id, " "); ok {
			return id, nil
		}
	}
	return "", fmt.Errorf("%w: lp answered %q", ErrQueue, firstLine(out))
}

// cupsTimeout bounds one lp or lpstat.
const cupsTimeout = 20 * time.Second

// cups runs a CUPS client command against the printer's server.
func (p *Printer) cups(ctx context.Context, name string, stdin []byte, args ...string) (string, error) {
	if p.Server != "" {
		args = append([]string{"-h", p.Server}, args...)
	}
	ctx, cancel := context.WithTimeout(ctx, cupsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return "", fmt.Errorf("%w: %s: %v (Debian package cups-client)", ErrQueue, name, err)
		}
		msg := firstLine(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("%w: %s", ErrQueue, msg)
	}
	return stdout.String(), nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func fmtMM(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
