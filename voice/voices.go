package voice

import (
	"errors"
	"sort"
)

// ErrNoVoice: espeak-ng has no voice for the language (Tigrinya).
var ErrNoVoice = errors.New("voice: no voice for this language")

// voices maps the screens' languages to espeak-ng voices. Tigrinya has
// none: its texts are read only where an editor uploaded a recording.
var voices = map[string]string{
	"it": "it", "en": "en-gb", "fr": "fr-fr", "es": "es", "ar": "ar", "fa": "fa",
	"ur": "ur", "bn": "bn", "pa": "pa", "zh": "cmn", "ru": "ru", "uk": "uk",
	"ro": "ro", "sq": "sq",
}

// VoiceFor returns the espeak-ng voice that reads lang, or ErrNoVoice.
func VoiceFor(lang string) (string, error) {
	v, ok := voices[lang]
	if !ok {
		return "", ErrNoVoice
	}
	return v, nil
}

// Languages lists the languages that have a voice, sorted.
func Languages() []string {
	out := make([]string, 0, len(voices))
	for l := range voices {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}
