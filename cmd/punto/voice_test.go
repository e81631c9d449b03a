package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/voice"
)

// upload sends raw bytes as the editor UI does (session cookie, CSRF).
func (e *editorClient) upload(method, path string, body []byte) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "audio/wav")
	req.Header.Set("X-CSRF-Token", e.csrf)
	res, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// speakOn asks a node to read ref in lang: the status, where the audio
// comes from, and the audio.
func speakOn(t *testing.T, base, ref, lang string) (int, string, []byte) {
	t.Helper()
	res, err := http.Get(base + "/api/v1/voice?" + url.Values{"ref": {ref}, "lang": {lang}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("X-Voice"), body
}

// TestEditorAdditionsReachTotem: what editors add for the visitors'
// languages on the portal, a recording and a search word, travels in the
// signed feed to a totem (separate processes over a websocket) and works
// there.
func TestEditorAdditionsReachTotem(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	a := n.syncedTotem(t, "totem-additions", 43.6169, 13.5153)
	t.Run("a recording", func(t *testing.T) { recordingReachesTotem(t, n, a) })
	t.Run("a search word", func(t *testing.T) { lexiconTermReachesTotem(t, n, a) })
}

// recordingReachesTotem: an editor uploads a recording of a service's
// name in Tigrinya, which no voice reads; the totem's API then plays it
// instead of answering "no voice", and its screen plays it when the
// service's row is tapped with read-aloud on.
func recordingReachesTotem(t *testing.T, n *network, a *totemProc) {
	var near struct {
		Results []struct{ ID string } `json:"results"`
	}
	testenv.GetJSON(t, a.base+"/api/v1/services/nearby?category=info&limit=1", &near)
	if len(near.Results) == 0 {
		t.Fatal("no information desk near the totem")
	}
	id := near.Results[0].ID
	ref := "service:" + id + ":name"
	if code, _, body := speakOn(t, a.base, ref, "ti"); code != 404 || !bytes.Contains(body, []byte(`"no_voice"`)) {
		t.Fatalf("before the recording: %d %s", code, body)
	}

	// The recording: speech made with espeak-ng here, standing in for a
	// mediator's voice.
	synth, err := voice.New(voice.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	audio, err := synth.WAV(context.Background(), "Sportello informazioni e orientamento per stranieri", "it")
	if err != nil {
		t.Fatal(err)
	}
	ed := loginEditor(t, n.portalURL, "editor-ancona", editorPassword)
	code, body := ed.upload("PUT", "/editor/api/recordings?"+url.Values{"ref": {ref}, "lang": {"ti"}}.Encode(), audio)
	var up struct {
		Seq int64 `json:"seq"`
	}
	if code != 200 || json.Unmarshal(body, &up) != nil || up.Seq == 0 {
		t.Fatalf("upload: %d %s", code, body)
	}
	waitSeq(t, a.base, up.Seq)
	if d, p := feedOf(t, a.base, true).Digest, feedOf(t, n.portalURL, true).Digest; d != p {
		t.Error("the totem's catalog differs from the portal's after the recording")
	}
	code, source, got := speakOn(t, a.base, ref, "ti")
	if code != 200 || source != "recording" || !bytes.Equal(got, audio) {
		t.Fatalf("on the totem: %d %s, %d bytes (uploaded %d)", code, source, len(got), len(audio))
	}
	if au := testenv.DecodeAudio(t, got, "wav"); au.Seconds < 0.5 || au.RMS < 0.01 {
		t.Errorf("the recording on the totem: %.2f s, RMS %.4f", au.Seconds, au.RMS)
	}

	// The totem's screen plays it.
	ctx := browser(t, 1080, 1920)
	must(t, ctx, chromedp.Navigate(a.base+"/?kiosk=1&idle=600"), screen("attract"),
		browsertest.Click(".attract"), screen("languages"),
		browsertest.Click(`.lang[lang="ti"]`), screen("home"),
		browsertest.Click(`.tile[data-category="info"]`), screen("results"),
		browsertest.Click("#speaker"),
		browsertest.Click(fmt.Sprintf(`.row[data-id=%q]`, id)),
		browsertest.Poll(`(() => { const a = document.querySelector("#voice-audio"); return a.dataset.ref === "service:`+id+`:summary" && !a.paused && a.currentTime > 0.2; })()`,
			nil, chromedp.WithPollingTimeout(30*time.Second)))
	var screenNow string
	must(t, ctx, chromedp.Evaluate(`document.body.dataset.screen`, &screenNow))
	if screenNow != "results" {
		t.Errorf("the first tap left the results for %s", screenNow)
	}

	// Withdrawn, the totem has no voice for it again.
	if code, body := ed.upload("DELETE", "/editor/api/recordings?"+url.Values{"ref": {ref}, "lang": {"ti"}}.Encode(), nil); code != 200 {
		t.Fatalf("delete: %d %s", code, body)
	}
	testenv.Eventually(t, 20*time.Second, "the totem forgets the recording", func() bool {
		code, _, _ := speakOn(t, a.base, ref, "ti")
		return code == 404
	})
}
