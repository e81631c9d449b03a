package portal

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestEditorUIRecordings: an editor uploads a recording of a screen's
// string in Tigrinya through the editor; it is published to the catalog
// (the feed's publish), listed with a player, and withdrawn again.
func TestEditorUIRecordings(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	file := filepath.Join(t.TempDir(), "home-ti.wav")
	if err := os.WriteFile(file, wavOf(8000), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := euiBrowser(t, 1280, 900)
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)
	euiMust(t, ctx, browsertest.Click(`nav a[data-route="recordings"]`), browsertest.Visible("#rec-form"))
	euiAxe(t, ctx, "recordings")
	euiType(t, ctx, "#rec-key", "ui.home")
	euiMust(t, ctx, chromedp.SetUploadFiles("#rec-file", []string{file}, chromedp.ByQuery),
		browsertest.Click(`#rec-form button[type="submit"]`))
	euiWait(t, ctx, "the recording listed", `!!document.querySelector('#recordings-list tr[data-id="ti:ui:ui.home"] audio')`)
	calls := pub.published()
	if len(calls) != 1 || calls[0].changes[0].Kind != content.KindRecording || calls[0].author != euiEditor {
		t.Fatalf("published %+v", calls)
	}
	if _, err := pub.st.Recording(context.Background(), "ti", "ui:ui.home"); err != nil {
		t.Fatalf("not in the catalog: %v", err)
	}
	// The player plays what was uploaded.
	euiWait(t, ctx, "the player loads it", `(() => { const a = document.querySelector('#recordings-list audio'); a.load(); return true; })()`)
	euiWait(t, ctx, "the audio's length", `document.querySelector('#recordings-list audio').duration > 0.9`)
	euiMust(t, ctx, browsertest.Click(`#recordings-list tr[data-id="ti:ui:ui.home"] .danger`))
	euiWait(t, ctx, "the recording withdrawn", `!document.querySelector('#recordings-list tr[data-id]')`)
	if _, err := pub.st.Recording(context.Background(), "ti", "ui:ui.home"); err == nil {
		t.Error("still in the catalog after withdrawal")
	}
}
