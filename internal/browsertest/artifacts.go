package browsertest

import (
	"bytes"
	"context"
	"image"
	_ "image/png" // screenshots are PNG
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/punto-totem/punto/internal/testenv"
)

// Screenshot saves what the page shows as name.png into .screenshots/ at
// the repository root (or $PUNTO_SCREENSHOTS), to look at as a visitor
// would.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	var buf []byte
	// What the visitor sees once it settles: a region still loading (the
	// map under its pins: aria-busy) is waited for, a few seconds at most.
	_ = chromedp.Run(ctx, Poll(`!document.querySelector('[aria-busy="true"]')`, nil, chromedp.WithPollingTimeout(5*time.Second)))
	// Encoded for speed: half the CPU of a screenshot, for a larger file.
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) (err error) {
		buf, err = page.CaptureScreenshot().WithOptimizeForSpeed(true).Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	Save(t, name+".png", buf)
}

// Save keeps a file a test made (a screenshot, a printed card) as name in
// .screenshots/ at the repository root (or $PUNTO_SCREENSHOTS).
func Save(t testing.TB, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("PUNTO_SCREENSHOTS")
	if dir == "" {
		// From the test's folder (its working directory), not this
		// file's: make test builds with -trimpath.
		root, err := testenv.ModuleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, ".screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// DecodeQR reads the QR code in a PNG screenshot of it, as a phone's
// camera would; it fails the test if it does not decode.
func DecodeQR(t testing.TB, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	return res.GetText()
}
