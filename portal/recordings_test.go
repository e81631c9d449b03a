package portal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
)

// wavOf is a short WAV file of a tone, as an editor's recorder would make.
func wavOf(samples int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	_ = binary.Write(&b, le, uint32(36+2*samples))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		_ = binary.Write(&b, le, v)
	}
	b.WriteString("data")
	_ = binary.Write(&b, le, uint32(2*samples))
	for i := range samples {
		_ = binary.Write(&b, le, int16((i%16-8)*2000))
	}
	return b.Bytes()
}

func recURL(ref, lang string) string {
	return "/editor/api/recordings?" + url.Values{"ref": {ref}, "lang": {lang}}.Encode()
}

func TestRecordings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	anna := e.login(editorName, editorPass) // Ancona's editor
	audio := wavOf(8000)
	audioHdr := []string{"Content-Type", "audio/wav"}

	r := anna.do("PUT", recURL("ui:ui.home", "ti"), audio, audioHdr...)
	if r.status != 200 || r.str("id") != "ti:ui:ui.home" || r.str("type") != "audio/wav" {
		t.Fatalf("upload: %d %s", r.status, r.raw)
	}
	calls := e.pub.published()
	if len(calls) != 1 || len(calls[0].changes) != 1 {
		t.Fatalf("published %+v", calls)
	}
	c := calls[0].changes[0]
	if c.Kind != content.KindRecording || c.ID != "ti:ui:ui.home" || c.Op != content.OpPut || calls[0].author != editorName {
		t.Fatalf("change %s %s %s by %s", c.Kind, c.ID, c.Op, calls[0].author)
	}
	v, err := content.DecodeDoc(c.Kind, c.Doc)
	if err != nil {
		t.Fatal(err)
	}
	if rec := v.(*content.Recording); !bytes.Equal(rec.Audio, audio) || rec.Lang != "ti" || rec.Ref != "ui:ui.home" {
		t.Errorf("the feed carries %s %s, %d bytes", rec.Lang, rec.Ref, len(rec.Audio))
	}
	// The audit says who and what, without the audio.
	a := admin.do("GET", "/editor/api/audit?kind=recording", nil)
	if a.status != 200 || !strings.Contains(string(a.raw), "recording.put") || strings.Contains(string(a.raw), `"audio":`) {
		t.Errorf("audit: %d %.400s", a.status, a.raw)
	}

	// An editor records the services of their territories; an admin any.
	if r := anna.do("PUT", recURL("service:"+anconaService+":name", "ti"), audio, audioHdr...); r.status != 200 {
		t.Errorf("Ancona's editor, Ancona's service: %d %s", r.status, r.raw)
	}
	if r := anna.do("PUT", recURL("service:"+perugiaService+":name", "ti"), audio, audioHdr...); r.status != 403 {
		t.Errorf("Ancona's editor, Perugia's service: %d %s", r.status, r.raw)
	}
	if r := admin.do("PUT", recURL("service:"+perugiaService+":name", "ar"), audio, audioHdr...); r.status != 200 {
		t.Errorf("admin: %d %s", r.status, r.raw)
	}

	ogg := append([]byte("OggS"), make([]byte, 200)...)
	for _, tt := range []struct {
		name, ref, lang string
		body            []byte
		status          int
		field           string
	}{
		{"no audio", "ui:ui.home", "ti", nil, 400, "audio"},
		{"not audio", "ui:ui.home", "ti", []byte("<html>hello</html>"), 400, "audio"},
		{"too large", "ui:ui.home", "ti", append(wavOf(10), make([]byte, content.MaxRecording)...), 400, "audio"},
		{"a language the screens lack", "ui:ui.home", "de", audio, 400, "lang"},
		{"free text", "hello there", "ti", audio, 400, "ref"},
		{"a field that is not read", "service:" + anconaService + ":phones", "ti", audio, 400, "ref"},
		{"a string the screens lack", "ui:ui.nothing", "ti", audio, 404, ""},
		{"a service that does not exist", "service:nobody:name", "ti", audio, 404, ""},
		{"ogg", "ui:ui.back", "ti", ogg, 200, ""},
	} {
		r := anna.do("PUT", recURL(tt.ref, tt.lang), tt.body, audioHdr...)
		var e struct{ Field string }
		_ = json.Unmarshal(r.raw, &e)
		if r.status != tt.status || e.Field != tt.field {
			t.Errorf("%s: %d %s, want %d naming %q", tt.name, r.status, r.raw, tt.status, tt.field)
		}
	}
	if r := e.anon().do("PUT", recURL("ui:ui.home", "ti"), audio, audioHdr...); r.status != 401 && r.status != 403 {
		t.Errorf("signed out: %d", r.status)
	}
}
