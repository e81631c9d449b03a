package kiosk

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/printing"
	"golang.org/x/text/unicode/norm"
)

// printedText reads a printed PDF back with pdftotext (poppler-utils),
// folded for comparison (see fold) and without white space.
func printedText(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s (Debian package poppler-utils): %v", file, err)
	}
	return strings.Join(strings.Fields(fold(string(out))), "")
}

// fold makes a text and its reading from a PDF comparable: NFKC (Arabic
// comes back as presentation forms), CJK radicals read back as the
// ideographs that share their glyph, no bidi controls.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if u, ok := radicals[r]; ok {
			return u
		}
		if (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
}

// words are a text's runs of letters and digits in one script: what a
// printed text must hold, whatever order pdftotext puts a line of mixed
// directions in ("… في Ancona (تجريبي)") and wherever a line wraps.
func words(s string) []string {
	var out []string
	var cur []rune
	script := ""
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
		}
		cur = cur[:0]
	}
	for _, r := range fold(s) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			flush()
			continue
		}
		sc := scriptOf(r)
		if sc != script && !unicode.IsMark(r) {
			flush()
			script = sc
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

func scriptOf(r rune) string {
	for _, name := range []string{"Latin", "Arabic", "Han", "Cyrillic", "Bengali", "Gurmukhi", "Ethiopic"} {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	return "other"
}

// radicals are CJK radicals that Noto Sans CJK draws with the glyph of a
// unified ideograph: a PDF made through PostScript (as CUPS-PDF does) names
// the glyph by the font's first code point for it, the radical
// (Unicode's EquivalentUnifiedIdeograph.txt).
var radicals = map[rune]rune{
	'⺠': '民', '⻅': '见', '⻉': '贝', '⻋': '车', '⻓': '长', '⻔': '门', '⻚': '页', '⻛': '风',
	'⻜': '飞', '⻢': '马', '⻥': '鱼', '⻦': '鸟', '⻨': '麦', '⻩': '黄', '⻬': '齐', '⻮': '齿',
	'⻰': '龙', '⻳': '龟', '⻈': '讠', '⻊': '足', '⻗': '雨', '⻘': '青', '⻝': '食', '⻣': '骨',
}

// TestPrintCard prints a service's card for an Arabic and a Chinese visitor
// through the kiosk's endpoint on a real CUPS with a CUPS-PDF queue, and
// reads each PDF back: the service's name in the visitor's language and in
// Italian, and "I am looking for this office" in both. Then the endpoint's
// refusals, and a queue that fails.
func TestPrintCard(t *testing.T) {
	t.Parallel()
	cups := testenv.StartCUPS(t)
	printer := &printing.Printer{Queue: cups.Queue, Server: cups.Server, Paper: printing.Receipt80}
	srv := newTestServerWith(t, func(c *Config) { c.Role = "totem"; c.Printer = printer })
	base := listen(t, srv)
	const id = "ancona-info-0"
	name := func(lang string) string {
		v, err := srv.store.ServiceView(context.Background(), id, lang, content.DemoTotem, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if v.Name.Lang != lang {
			t.Fatalf("the demo service %s has no name in %s", id, lang)
		}
		return v.Name.Text
	}
	for _, lang := range []string{"ar", "zh"} {
		start := time.Now()
		code, out := post(t, base+"/api/v1/services/"+id+"/print?lang="+lang, "")
		if code != 200 {
			t.Fatalf("%s: print: %d %s", lang, code, out)
		}
		var ans struct {
			Printed bool   `json:"printed"`
			Job     string `json:"job"`
		}
		if err := json.Unmarshal([]byte(out), &ans); err != nil || !ans.Printed || ans.Job == "" {
			t.Fatalf("%s: answer %s (%v)", lang, out, err)
		}
		answered := time.Since(start)
		file := cups.WaitJob(t, ans.Job)
		text := printedText(t, file)
		t.Logf("%s: answered in %v, PDF in CUPS-PDF after %v", lang, answered.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
		for _, want := range []string{name(lang), name("it"), srv.msgs.Localize(lang, "print.looking_for").Text, srv.msgs.Localize("it", "print.looking_for").Text} {
			for _, w := range words(want) {
				if !strings.Contains(text, w) {
					t.Errorf("%s: the printed card lacks %q of %q; pdftotext reads:\n%s", lang, w, want, text)
				}
			}
		}
		// The code on the card opens the service's page in the visitor's
		// language, as the detail screen's code does.
		png, err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", file).Output()
		if err != nil {
			t.Fatalf("pdftoppm: %v", err)
		}
		browsertest.Save(t, "print-card-"+lang+".png", png)
		if got, want := browsertest.DecodeQR(t, png), "http://localhost:8080/s/"+id+"?lang="+lang; got != want {
			t.Errorf("%s: the card's QR code reads %q, want %q", lang, got, want)
		}
	}

	for _, tt := range []struct {
		target, body string
		code         int
		field        string
	}{
		{"/api/v1/services/no-such-service/print?lang=ar", "", 404, ""},
		{"/api/v1/services/a%20b/print?lang=ar", "", 400, "id"},
		{"/api/v1/services/" + id + "/print?lang=xx-%%", "", 400, "lang"},
		{"/api/v1/services/" + id + "/print?lang=ja", "", 400, "lang"},
		{"/api/v1/services/" + id + "/print?lang=ar&lang=zh", "", 400, "lang"},
		{"/api/v1/services/" + id + "/print?lang=ar", `{"name":"visitor"}`, 400, "body"},
	} {
		code, out := post(t, base+tt.target, tt.body)
		if code != tt.code || (tt.field != "" && !strings.Contains(out, `"field":"`+tt.field+`"`)) {
			t.Errorf("%s %s: %d %s, want %d on %q", tt.target, tt.body, code, out, tt.code, tt.field)
		}
	}

	// A queue CUPS does not know: a clear 503, and the screen can say so.
	broken := newTestServerWith(t, func(c *Config) {
		c.Role = "totem"
		c.Printer = &printing.Printer{Queue: "no-such-queue", Server: cups.Server, Paper: printing.A6}
	})
	code, out := post(t, listen(t, broken)+"/api/v1/services/"+id+"/print?lang=ar", "")
	if code != 503 || !strings.Contains(out, `"code":"printer_failed"`) || !strings.Contains(out, "no-such-queue") {
		t.Errorf("unknown queue: %d %s, want 503 printer_failed naming the queue", code, out)
	}
}
