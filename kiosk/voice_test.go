package kiosk

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/voice"
)

type voiceAnswer struct {
	status int
	typ    string
	source string // X-Voice: synthesis or recording
	body   []byte
}

func speakReq(t *testing.T, srv *Server, ref, lang string) voiceAnswer {
	t.Helper()
	target := "/api/v1/voice?" + url.Values{"ref": {ref}, "lang": {lang}}.Encode()
	res, err := srv.App().Test(httptest.NewRequest("GET", target, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	return voiceAnswer{res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Voice"), body}
}

// TestVoiceAPI reads texts the totem holds, by reference only: UI strings
// in the 14 languages espeak-ng has, a result row, Tigrinya's "no voice"
// until a recording exists, the cache, and the requests it refuses.
func TestVoiceAPI(t *testing.T) {
	t.Parallel()
	synth, err := voice.New(voice.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServerWith(t, func(c *Config) { c.Voice = synth })
	st := srv.store

	t.Run("14 languages", func(t *testing.T) {
		for _, l := range Languages {
			a := speakReq(t, srv, "ui:ui.services_near", l.Tag)
			if l.Tag == "ti" {
				var e struct{ Code string }
				_ = json.Unmarshal(a.body, &e)
				if a.status != 404 || e.Code != "no_voice" {
					t.Errorf("ti: %d %s, want 404 no_voice", a.status, a.body)
				}
				continue
			}
			if a.status != 200 || a.typ != "audio/wav" || a.source != "synthesis" {
				t.Errorf("%s: %d %s %s", l.Tag, a.status, a.typ, a.body)
				continue
			}
			if au := testenv.DecodeAudio(t, a.body, "wav"); au.Seconds < 0.5 || au.RMS < 0.01 {
				t.Errorf("%s: %.2f s, RMS %.4f", l.Tag, au.Seconds, au.RMS)
			}
		}
	})

	t.Run("result row and cache", func(t *testing.T) {
		one := speakReq(t, srv, "ui:ui.home", "it")
		runs := synth.Runs()
		a := speakReq(t, srv, "service:ancona-info-0:summary", "ar")
		if a.status != 200 {
			t.Fatalf("%d %s", a.status, a.body)
		}
		name := speakReq(t, srv, "service:ancona-info-0:name", "ar")
		au, an := testenv.DecodeAudio(t, a.body, "wav"), testenv.DecodeAudio(t, name.body, "wav")
		if au.Seconds < an.Seconds+1 || au.RMS < 0.01 {
			t.Errorf("summary %.2f s, name alone %.2f s: the row says more than the name", au.Seconds, an.Seconds)
		}
		after := synth.Runs()
		if after <= runs {
			t.Error("the summary ran no synthesis")
		}
		again := speakReq(t, srv, "ui:ui.home", "it")
		speakReq(t, srv, "service:ancona-info-0:summary", "ar")
		if synth.Runs() != after {
			t.Errorf("the same texts again ran espeak-ng %d more times", synth.Runs()-after)
		}
		if string(again.body) != string(one.body) {
			t.Error("the cached audio differs")
		}
	})

	t.Run("recording wins", func(t *testing.T) {
		// A stand-in recording: Italian audio recorded "in Tigrinya".
		audio := speakReq(t, srv, "ui:ui.services_near", "it").body
		for _, ref := range []string{"ui:ui.home", "service:ancona-info-0:name"} {
			r, err := content.NewRecording("ti", ref, audio, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Write(context.Background(), func(b *content.Batch) error { return b.PutRecording(r) }); err != nil {
				t.Fatal(err)
			}
		}
		for _, ref := range []string{"ui:ui.home", "service:ancona-info-0:name", "service:ancona-info-0:summary"} {
			a := speakReq(t, srv, ref, "ti")
			if a.status != 200 || a.source != "recording" || string(a.body) != string(audio) {
				t.Errorf("%s in ti: %d %s %q", ref, a.status, a.source, a.body[:min(len(a.body), 80)])
			}
		}
		if a := speakReq(t, srv, "ui:ui.back", "ti"); a.status != 404 {
			t.Errorf("an unrecorded ti text: %d", a.status)
		}
	})

	t.Run("keyboard keys", func(t *testing.T) {
		// A key and a choice read in the keyboard's language, whatever
		// the visitor's: the Latin keyboard for an Arabic visitor, a
		// pinyin choice.
		for _, tt := range []struct{ ref, lang string }{{"key:it:b", "ar"}, {"key:ar:ب", "ar"}, {"key:zh:你好", "zh"}, {"key:bn:১", "bn"}} {
			a := speakReq(t, srv, tt.ref, tt.lang)
			if a.status != 200 || a.source != "synthesis" {
				t.Errorf("%s for %s: %d %s", tt.ref, tt.lang, a.status, a.body)
				continue
			}
			if au := testenv.DecodeAudio(t, a.body, "wav"); au.Seconds < 0.2 || au.RMS < 0.01 {
				t.Errorf("%s: %.2f s, RMS %.4f", tt.ref, au.Seconds, au.RMS)
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tt := range []struct {
			ref, lang string
			status    int
			field     string
		}{
			{"hello world", "it", 400, "ref"},
			{"text:ciao a tutti", "it", 400, "ref"},
			{"ui:ui.closes_at", "it", 400, "ref"}, // has arguments
			{"ui:no.such.key", "it", 404, ""},
			{"service:no-such:name", "it", 404, ""},
			{"service:ancona-info-0:phone", "it", 400, "ref"},
			{"service:a b:name", "it", 400, "ref"},
			{"language:xx", "it", 400, "ref"},
			{"key:xx:a", "it", 400, "ref"},
			{"key:it:", "it", 400, "ref"},
			{"key:it:abcdefghi", "it", 400, "ref"},
			{"key:it:a b", "it", 400, "ref"},
			{"key:it:a\u0007", "it", 400, "ref"},
			{"ui:ui.home", "de", 400, "lang"},
			{"ui:ui.home", "it,en", 400, "lang"},
			{"", "it", 400, "ref"},
			{"ui:" + string(make([]byte, 300)), "it", 400, "ref"},
		} {
			a := speakReq(t, srv, tt.ref, tt.lang)
			var e struct{ Field string }
			_ = json.Unmarshal(a.body, &e)
			if a.status != tt.status || e.Field != tt.field {
				t.Errorf("%q %s: %d %s, want %d naming %q", tt.ref, tt.lang, a.status, a.body, tt.status, tt.field)
			}
		}
	})
}
