package kiosk

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/voice"
)

// audioState is what the page's read-aloud player is doing.
type audioState struct {
	Ref, Src      string
	Paused        bool
	Time, Volume  float64
	Picked        string // data-id of the highlighted control, if a result row
	Pressed       string // the speaker button's aria-pressed
	VolumeHidden  bool
	Label, Note   string
	NoteHidden    bool
	Screen        string
	SpeakerInView bool
}

const audioJS = `(() => { const a = document.querySelector("#voice-audio"), p = document.querySelector(".voice-picked"), s = document.querySelector("#speaker");
	const r = s.getBoundingClientRect();
	return { Ref: a.dataset.ref || "", Src: a.getAttribute("src") || "", Paused: a.paused, Time: a.currentTime, Volume: a.volume,
		Picked: p ? (p.dataset.id || p.id || p.className) : "", Pressed: s.getAttribute("aria-pressed"),
		VolumeHidden: document.querySelector("#volume-up").hidden, Label: s.textContent, Note: document.querySelector(".voice-note").textContent,
		NoteHidden: document.querySelector(".voice-note").hidden, Screen: document.body.dataset.screen,
		SpeakerInView: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth }; })()`

// dockReady waits for the read-aloud dock, styled (voice.js loads on the
// totem after the app, with its stylesheet).
// dockReady waits for the dock with voice.css applied (on the totem it
// takes its own row above the navigation bar: display flex, not fixed).
func dockReady() chromedp.Action {
	return browsertest.Poll(`(() => { const d = document.querySelector("#voice"); return !!d && getComputedStyle(d).display === "flex"; })()`, nil, chromedp.WithPollingTimeout(20*time.Second))
}

func audioNow(t *testing.T, ctx context.Context) audioState {
	t.Helper()
	var s audioState
	runIn(t, ctx, chromedp.Evaluate(audioJS, &s))
	return s
}

// playing waits until the player plays ref with its time moving on.
func playing(t *testing.T, ctx context.Context, ref string) audioState {
	t.Helper()
	runIn(t, ctx, browsertest.Poll(`(() => { const a = document.querySelector("#voice-audio"); return a.dataset.ref === `+jsString(ref)+` && !a.paused && a.currentTime > 0.1; })()`, nil, chromedp.WithPollingTimeout(30*time.Second)))
	first := audioNow(t, ctx)
	runIn(t, ctx, browsertest.Poll(`document.querySelector("#voice-audio").currentTime > `+jsFloat(first.Time+0.1), nil, chromedp.WithPollingTimeout(10*time.Second)))
	return first
}

// reading waits until the player has ref's audio and has started it: a
// short reading (a letter) may be over before its time is seen to move.
func reading(t *testing.T, ctx context.Context, ref string) audioState {
	t.Helper()
	runIn(t, ctx, browsertest.Poll(`(() => { const a = document.querySelector("#voice-audio"); return a.dataset.ref === `+jsString(ref)+` && (a.currentTime > 0 || a.ended); })()`, nil, chromedp.WithPollingTimeout(30*time.Second)))
	return audioNow(t, ctx)
}

func jsString(s string) string { return strconv.Quote(s) }
func jsFloat(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// fetchAudio fetches what the page plays, as the browser did, and decodes
// it with sox.
func fetchAudio(t *testing.T, base, src string) (testenv.Audio, string) {
	t.Helper()
	res, err := http.Get(base + src)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", src, res.StatusCode, body)
	}
	ext := map[string]string{"audio/wav": "wav", "audio/ogg": "ogg", "audio/mpeg": "mp3"}[res.Header.Get("Content-Type")]
	return testenv.DecodeAudio(t, body, ext), res.Header.Get("X-Voice")
}

// TestReadAloudInChromium: on a totem, the speaker button turns read-aloud
// on; the first tap on a result reads it (the player plays, and what it
// fetched is speech longer than half a second) and highlights it; a change
// of screen stops it; the same row again is read from the cache; a second
// tap opens the service. In Tigrinya the button says there is no voice,
// and a text an editor recorded is played all the same. At idle the
// reading stops and read-aloud turns off.
func TestReadAloudInChromium(t *testing.T) {
	t.Parallel()
	synth, err := voice.New(voice.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServerWith(t, func(c *Config) { c.Voice = synth })
	// A recording of a service's name in Tigrinya (Italian speech stands in).
	const recorded = "ancona-info-0"
	rec, err := synth.WAV(context.Background(), "Informazioni e orientamento, Ancona", "it")
	if err != nil {
		t.Fatal(err)
	}
	r, err := content.NewRecording("ti", "service:"+recorded+":name", rec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.store.Write(context.Background(), func(b *content.Batch) error { return b.PutRecording(r) }); err != nil {
		t.Fatal(err)
	}
	base := listen(t, srv)
	ctx := browsertest.Start(t, 1080, 1920, 150*time.Second)

	// Italian: the speaker button on the attract screen already.
	runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1&idle=600"), screenShown("attract"), dockReady())
	if s := audioNow(t, ctx); s.Pressed != "false" || !s.VolumeHidden || !s.SpeakerInView {
		t.Fatalf("attract screen: %+v", s)
	}
	runIn(t, ctx, browsertest.Click(".attract"), screenShown("languages"),
		browsertest.Click(`.lang[lang="it"]`), screenShown("home"),
		browsertest.Click(`.tile[data-category="info"]`), screenShown("results"),
		browsertest.Click("#speaker"))
	s := audioNow(t, ctx)
	if s.Pressed != "true" || s.VolumeHidden || !strings.Contains(s.Label, "Leggi ad alta voce") || !s.SpeakerInView {
		t.Fatalf("speaker on: %+v", s)
	}
	var first string
	runIn(t, ctx, chromedp.Evaluate(`document.querySelector(".row").dataset.id`, &first))
	ref := "service:" + first + ":summary"
	runIn(t, ctx, browsertest.Click(".row"))
	s = playing(t, ctx, ref)
	if s.Screen != "results" || s.Picked != first {
		t.Errorf("first tap: on %s, highlighted %q (want the row %s, and no change of screen)", s.Screen, s.Picked, first)
	}
	au, source := fetchAudio(t, base, s.Src)
	if au.Seconds < 0.5 || au.RMS < 0.01 || source != "synthesis" {
		t.Errorf("the row's audio: %.2f s, RMS %.4f, %s", au.Seconds, au.RMS, source)
	}
	browsertest.Axe(t, ctx, "results with read-aloud on")

	// Volume: a step down, then up again.
	runIn(t, ctx, browsertest.Click("#volume-down"))
	if s := audioNow(t, ctx); s.Volume > 0.81 || s.Volume < 0.79 || s.Paused {
		t.Errorf("volume down: %+v", s)
	}
	runIn(t, ctx, browsertest.Click("#volume-up"))

	// A change of screen (here the app's own navigation) stops the reading.
	runIn(t, ctx, chromedp.Evaluate(`document.querySelector("#home").click()`, nil), screenShown("home"))
	if s := audioNow(t, ctx); !s.Paused || s.Src != "" || s.Picked != "" {
		t.Errorf("after a change of screen: %+v", s)
	}

	// The same row again: read from the cache; a second tap opens it.
	runs := synth.Runs()
	runIn(t, ctx, chromedp.Evaluate(`document.querySelector('.tile[data-category="info"]').click()`, nil), screenShown("results"),
		browsertest.Click(`.row[data-id="`+first+`"]`))
	playing(t, ctx, ref)
	if n := synth.Runs(); n != runs {
		t.Errorf("the same row read again ran espeak-ng %d times", n-runs)
	}
	runIn(t, ctx, browsertest.Click(`.row[data-id="`+first+`"]`), screenShown("detail"))
	if s := audioNow(t, ctx); !s.Paused {
		t.Errorf("the service opened, the reading goes on: %+v", s)
	}
	// The top bar's controls are read by their strings.
	runIn(t, ctx, browsertest.Click("#home"))
	playing(t, ctx, "ui:ui.home")
	runIn(t, ctx, browsertest.Click("#home"), screenShown("home"))

	// The keyboard: a letter is read in the keyboard's language and typed
	// only on the second tap; a named key reads its name.
	runIn(t, ctx, browsertest.Click(".tile.search"), browsertest.Poll(`document.querySelector(".voice-picked.tile.search") !== null`, nil),
		browsertest.Click(".tile.search"), screenShown("search"),
		browsertest.Visible(`.simple-keyboard [data-skbtn="b"]`),
		browsertest.Click(`.simple-keyboard [data-skbtn="b"]`))
	s = reading(t, ctx, "key:it:b")
	if au, _ := fetchAudio(t, base, s.Src); au.Seconds < 0.2 || au.RMS < 0.01 {
		t.Errorf("the key b: %.2f s, RMS %.4f", au.Seconds, au.RMS)
	}
	var typed string
	runIn(t, ctx, chromedp.Value("#q", &typed, chromedp.ByQuery))
	if typed != "" {
		t.Errorf("the first tap on a key typed %q", typed)
	}
	runIn(t, ctx, browsertest.Click(`.simple-keyboard [data-skbtn="b"]`), chromedp.Value("#q", &typed, chromedp.ByQuery))
	if typed != "b" {
		t.Errorf("the second tap on a key typed %q, want b", typed)
	}
	runIn(t, ctx, browsertest.Click(`.simple-keyboard [data-skbtn="{bksp}"]`))
	reading(t, ctx, "ui:ui.key_backspace")
	runIn(t, ctx, chromedp.Evaluate(`document.querySelector("#home").click()`, nil), screenShown("home"))

	// Tigrinya: no voice, said in Tigrinya; a recorded text still plays.
	runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1&idle=20"), screenShown("attract"), dockReady(),
		browsertest.Click(".attract"), screenShown("languages"),
		browsertest.Click(`.lang[lang="ti"]`), screenShown("home"),
		browsertest.Click(`.tile[data-category="info"]`), screenShown("results"),
		browsertest.Click("#speaker"))
	noVoice := srv.msgs.Localize("ti", "ui.no_voice").Text
	s = audioNow(t, ctx)
	if !strings.Contains(s.Label, noVoice) || s.NoteHidden || s.Note != noVoice {
		t.Errorf("Tigrinya: %+v, want %q said", s, noVoice)
	}
	runIn(t, ctx, browsertest.Click(`.row[data-id="`+recorded+`"]`))
	s = playing(t, ctx, "service:"+recorded+":summary")
	if au, source := fetchAudio(t, base, s.Src); source != "recording" || au.Seconds < 0.5 {
		t.Errorf("the recorded name: %s, %.2f s", source, au.Seconds)
	}
	browsertest.Axe(t, ctx, "Tigrinya results with read-aloud on")

	// Idle: the visit ends, the reading stops, read-aloud is off.
	runIn(t, ctx, browsertest.Poll(`document.body.dataset.screen === "attract"`, nil, chromedp.WithPollingTimeout(40*time.Second)))
	if s := audioNow(t, ctx); !s.Paused || s.Pressed != "false" || !s.VolumeHidden {
		t.Errorf("after idle: %+v", s)
	}
}
