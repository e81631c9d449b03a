package voice_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/locales"
	"github.com/punto-totem/punto/voice"
)

func newSynth(t *testing.T, maxBytes int64) *voice.Synth {
	t.Helper()
	s, err := voice.New(voice.Config{Dir: t.TempDir(), MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// uiText is a message of the screens in lang, as locales/ holds it.
func uiText(t *testing.T, lang, id string) string {
	t.Helper()
	var m map[string]any
	if _, err := toml.DecodeFS(locales.FS, lang+".toml", &m); err != nil {
		t.Fatal(err)
	}
	s, ok := m[id].(string)
	if !ok {
		t.Fatalf("%s has no %s", lang, id)
	}
	return s
}

// Every language of the screens but Tigrinya is read, with audible audio;
// Tigrinya says it has no voice.
func TestEveryLanguageSpeaks(t *testing.T) {
	t.Parallel()
	s := newSynth(t, 0)
	ctx := context.Background()
	langs := locales.Tags()
	if len(langs) != 15 {
		t.Fatalf("%d locales, want 15", len(langs))
	}
	var wg sync.WaitGroup
	results := make([][]byte, len(langs))
	errs := make([]error, len(langs))
	for i, lang := range langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.WAV(ctx, uiText(t, lang, "ui.services_near"), lang)
		}()
	}
	wg.Wait()
	spoken := 0
	for i, lang := range langs {
		if lang == "ti" {
			if !errors.Is(errs[i], voice.ErrNoVoice) {
				t.Errorf("ti: %v, want ErrNoVoice", errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("%s: %v", lang, errs[i])
			continue
		}
		a := testenv.DecodeAudio(t, results[i], "wav")
		if a.Seconds < 0.5 || a.RMS < 0.01 {
			t.Errorf("%s: %.2f s, RMS %.4f: want > 0.5 s and audible", lang, a.Seconds, a.RMS)
		}
		spoken++
	}
	if spoken != 14 || len(voice.Languages()) != 14 {
		t.Errorf("%d languages spoken, %d voices; want 14", spoken, len(voice.Languages()))
	}
}

// The same text twice runs espeak-ng once, even asked for at the same
// moment; another language is another run.
func TestCacheAndSingleFlight(t *testing.T) {
	t.Parallel()
	s := newSynth(t, 0)
	ctx := context.Background()
	text := uiText(t, "it", "ui.services_near")
	var wg sync.WaitGroup
	out := make([][]byte, 8)
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := s.WAV(ctx, text, "it")
			if err != nil {
				t.Error(err)
			}
			out[i] = b
		}()
	}
	wg.Wait()
	if n := s.Runs(); n != 1 {
		t.Errorf("8 requests at once ran espeak-ng %d times, want 1", n)
	}
	if _, err := s.WAV(ctx, text, "it"); err != nil {
		t.Fatal(err)
	}
	if n := s.Runs(); n != 1 {
		t.Errorf("a cached text ran espeak-ng again (%d runs)", n)
	}
	for i := range out {
		if string(out[i]) != string(out[0]) {
			t.Errorf("request %d got other audio", i)
		}
	}
	if _, err := s.WAV(ctx, text, "fr"); err != nil {
		t.Fatal(err)
	}
	if n := s.Runs(); n != 2 {
		t.Errorf("another language: %d runs, want 2", n)
	}
}

// The cache stays within its bound, pushing out what was used least
// recently.
func TestCacheBound(t *testing.T) {
	t.Parallel()
	const bound = 200 << 10
	s := newSynth(t, bound)
	ctx := context.Background()
	keep := uiText(t, "en", "ui.home")
	for _, id := range []string{"ui.services_near", "ui.search", "ui.open_now", "ui.information", "ui.take_with_you", "ui.scan_hint", "ui.what_to_bring"} {
		if _, err := s.WAV(ctx, keep, "en"); err != nil { // used again and again: stays
			t.Fatal(err)
		}
		if _, err := s.WAV(ctx, uiText(t, "en", id), "en"); err != nil {
			t.Fatal(err)
		}
		if got := s.CacheBytes(); got > bound {
			t.Fatalf("cache holds %d bytes, bound %d", got, bound)
		}
	}
	runs := s.Runs()
	if _, err := s.WAV(ctx, keep, "en"); err != nil {
		t.Fatal(err)
	}
	if s.Runs() != runs {
		t.Error("the text used most recently was pushed out")
	}
	if runs < 8 {
		t.Errorf("%d runs for 8 texts", runs)
	}
}

// Nothing but a text of bounded length is read.
func TestRefusesBadText(t *testing.T) {
	t.Parallel()
	s := newSynth(t, 0)
	ctx := context.Background()
	for name, text := range map[string]string{"empty": "  ", "long": string(make([]rune, voice.MaxText+1)), "not utf-8": "\xff\xfe"} {
		if _, err := s.WAV(ctx, text, "en"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if s.Runs() != 0 {
		t.Errorf("espeak-ng ran %d times for refused texts", s.Runs())
	}
}

func TestJoin(t *testing.T) {
	t.Parallel()
	s := newSynth(t, 0)
	ctx := context.Background()
	a, err := s.WAV(ctx, "uno", "it")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.WAV(ctx, "two", "en")
	if err != nil {
		t.Fatal(err)
	}
	j, err := voice.Join(300_000_000, a, b)
	if err != nil {
		t.Fatal(err)
	}
	da, _ := voice.Duration(a)
	db, _ := voice.Duration(b)
	dj, _ := voice.Duration(j)
	if want := da + db + 300_000_000; dj < want-time1ms || dj > want+time1ms {
		t.Errorf("joined %v, want %v", dj, want)
	}
	if got := testenv.DecodeAudio(t, j, "wav"); got.Seconds < dj.Seconds()-0.01 {
		t.Errorf("sox reads %.3f s, want %.3f", got.Seconds, dj.Seconds())
	}
}

const time1ms = 1_000_000

// A run that takes longer than the time limit is stopped, and nothing is
// cached.
func TestTimeLimit(t *testing.T) {
	t.Parallel()
	s, err := voice.New(voice.Config{Dir: t.TempDir(), Timeout: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat(uiText(t, "en", "ui.services_near")+". ", 150)
	start := time.Now()
	if _, err := s.WAV(context.Background(), long, "en"); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err %v, want the time limit", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("stopped after %v", took)
	}
	if s.CacheBytes() != 0 {
		t.Error("a stopped run left audio in the cache")
	}
}
