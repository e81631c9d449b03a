package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"
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
// ideographs that share their glyph, no bidi controls, no Arabic vowel
// marks.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if u, ok := radicals[r]; ok {
			return u
		}
		if (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F {
			return -1
		}
		if (r >= 0x064B && r <= 0x065F) || r == 0x0670 {
			return -1 // Arabic vowel marks: pdftotext places them apart from their letter
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

// TestPrintCard prints a service's card for an Arabic visitor through the
// kiosk's endpoint, and for a Chinese one from the detail screen, on a
// real CUPS with a CUPS-PDF queue, and reads each PDF back: the service's name in the visitor's language and in
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
	checkCard := func(lang, file string) {
		t.Helper()
		text := printedText(t, file)
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
	{
		const lang = "ar"
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
		t.Logf("%s: answered in %v, PDF in CUPS-PDF after %v", lang, answered.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
		checkCard(lang, file)
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

	// On the totem's screen: the detail's Print button prints the card
	// and says so in the visitor's language; a totem without a printer
	// shows no button.
	ctx := browsertest.Start(t, 1080, 1920, 120*time.Second)
	var status string
	runIn(t, ctx, chromedp.Navigate(base+"/s/"+id+"?lang=zh&kiosk=1"), detailShown(), browsertest.Visible("#print"))
	browsertest.Axe(t, ctx, "detail with the Print button")
	printed := srv.msgs.Localize("zh", "ui.printed").Text
	runIn(t, ctx, browsertest.Click("#print"),
		browsertest.Poll(`document.querySelector("#print-status").textContent === `+strconvQuote(printed), nil, chromedp.WithPollingTimeout(90*time.Second)),
		chromedp.Text("#print-status", &status, chromedp.ByQuery))
	browsertest.Screenshot(t, ctx, "print-detail-zh")
	// The screen's card is the second job (the Arabic one, then this one).
	checkCard("zh", cups.WaitJob(t, cups.Queue+"-2"))
	plain := listen(t, newTestServerWith(t, func(c *Config) { c.Role = "totem" }))
	var buttons int
	runIn(t, ctx, chromedp.Navigate(plain+"/s/"+id+"?lang=ar&kiosk=1"), detailShown(), browsertest.Visible("#qr"),
		chromedp.Evaluate(`document.querySelectorAll("#print").length`, &buttons))
	if buttons != 0 {
		t.Error("a totem without a printer shows a Print button")
	}

	// A printer that never prints: after its wait the card is cancelled,
	// never to come out later, and the answer says so.
	offline := newTestServerWith(t, func(c *Config) {
		c.Role = "totem"
		c.Printer = &printing.Printer{Queue: cups.Offline, Server: cups.Server, Paper: printing.Receipt80, Wait: 2 * time.Second}
	})
	code, out := post(t, listen(t, offline)+"/api/v1/services/"+id+"/print?lang=ar", "")
	if code != 503 || !strings.Contains(out, `"code":"printer_failed"`) || !strings.Contains(out, "still in the queue after 2s, cancelled") {
		t.Errorf("a printer that never prints: %d %s, want 503 printer_failed", code, out)
	}
	if pending, err := exec.Command("lpstat", "-h", cups.Server, "-W", "not-completed", "-o", cups.Offline).Output(); err != nil || len(strings.TrimSpace(string(pending))) != 0 {
		t.Errorf("the card that was not printed is still queued: %q %v", pending, err)
	}

	// A stopped queue: no card is made for it.
	if out, err := exec.Command("cupsdisable", "-h", cups.Server, cups.Offline).CombinedOutput(); err != nil {
		t.Fatalf("cupsdisable: %v %s", err, out)
	}
	code, out = post(t, listen(t, offline)+"/api/v1/services/"+id+"/print?lang=zh", "")
	if code != 503 || !strings.Contains(out, `"code":"printer_failed"`) || !strings.Contains(out, cups.Offline+" is stopped") {
		t.Errorf("a stopped queue: %d %s, want 503 printer_failed", code, out)
	}

	// A queue CUPS does not know: a clear 503, and the screen can say so.
	broken := newTestServerWith(t, func(c *Config) {
		c.Role = "totem"
		c.Printer = &printing.Printer{Queue: "no-such-queue", Server: cups.Server, Paper: printing.A6}
	})
	code, out = post(t, listen(t, broken)+"/api/v1/services/"+id+"/print?lang=ar", "")
	if code != 503 || !strings.Contains(out, `"code":"printer_failed"`) || !strings.Contains(out, "no-such-queue") {
		t.Errorf("unknown queue: %d %s, want 503 printer_failed naming the queue", code, out)
	}
}

// TestCardScripts lays out one card holding a section in each of the 15
// languages and reads chromium's PDF back: every script is there as text,
// and drawn with a font of its own (Noto), not as empty boxes.
func TestCardScripts(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.Role = "totem" })
	card, err := srv.card(context.Background(), "ancona-info-0", "ar", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	card.Sections = nil
	for _, l := range Languages {
		v, err := srv.store.ServiceView(context.Background(), "ancona-info-0", l.Tag, content.DemoTotem, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sec := srv.cardSection(v, l.Tag)
		card.Sections = append(card.Sections, sec)
		want = append(want, sec.LookingFor, sec.Name.Text)
	}
	p := &printing.Printer{Paper: printing.A6}
	html, err := card.HTML(p.Paper)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pdf, _, err := p.PDF(ctx, html)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "card.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text := printedText(t, file)
	for _, s := range want {
		for _, w := range words(s) {
			if !strings.Contains(text, w) {
				t.Errorf("the card lacks %q of %q", w, s)
			}
		}
	}
	fonts, err := exec.Command("pdffonts", file).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	// Each script drawn with its own Noto font (CJK fonts, CFF, come as
	// unnamed Type 3 fonts): a missing font would draw empty boxes that
	// still read back as text.
	for _, f := range []string{"NotoSans-Regular", "NotoSansArabic", "NotoSansBengali", "NotoSansGurmukhi", "NotoSansEthiopic", "Type 3"} {
		if !strings.Contains(string(fonts), f) {
			t.Errorf("the card's PDF has no font %s:\n%s", f, fonts)
		}
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestPrinterInUIConfig: the screen learns from /api/v1/ui whether to
// offer Print: a totem with a printer does; one without, and a portal,
// do not.
func TestPrinterInUIConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		role    string
		printer bool
		want    bool
	}{{"totem", true, true}, {"totem", false, false}, {"portal", true, false}} {
		srv := newTestServerWith(t, func(c *Config) {
			c.Role = tt.role
			if tt.printer {
				c.Printer = &printing.Printer{Queue: "punto", Paper: printing.Receipt80}
			}
		})
		code, m := get(t, srv, "/api/v1/ui?lang=en")
		node, _ := m["node"].(map[string]any)
		if code != 200 || node["printer"] != tt.want {
			t.Errorf("%s with printer %v: %d node %v, want printer %v", tt.role, tt.printer, code, node, tt.want)
		}
		if !tt.want {
			req := httptest.NewRequest("POST", "/api/v1/services/ancona-info-0/print?lang=en", nil)
			res, err := srv.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 404 {
				t.Errorf("%s with printer %v: print answers %d, want 404", tt.role, tt.printer, res.StatusCode)
			}
		}
	}
}

func TestPrintLimit(t *testing.T) {
	t.Parallel()
	var l printLimit
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for i := range cardBurst {
		if _, ok := l.take(t0.Add(time.Duration(i) * time.Millisecond)); !ok {
			t.Fatalf("card %d of a burst refused", i+1)
		}
		l.done()
	}
	if wait, ok := l.take(t0.Add(time.Second)); ok || wait < 1 || wait > int(cardEvery.Seconds()) {
		t.Errorf("a card beyond the burst: ok %v, wait %d s", ok, wait)
	}
	if _, ok := l.take(t0.Add(cardEvery + time.Second)); !ok {
		t.Fatal("no card after the wait")
	}
	if _, ok := l.take(t0.Add(time.Hour)); ok {
		t.Error("a second card while one is being made")
	}
	l.done()
	if _, ok := l.take(t0.Add(time.Hour)); !ok {
		t.Error("no card once the printer is free")
	}
}

// TestCardSections: what a card holds, before any printer: the visitor's
// section then the Italian one (one only for an Italian visitor), seven
// days of hours, the address and phones, and the QR code's link with the
// visitor's second language, as the detail screen's.
func TestCardSections(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.Role = "totem"; c.PublicURL = "https://punto.example/" })
	ctx := context.Background()
	card, err := srv.card(ctx, "ancona-info-0", "ti,en", time.Date(2026, 12, 7, 10, 0, 0, 0, content.Rome))
	if err != nil {
		t.Fatal(err)
	}
	if len(card.Sections) != 2 || card.Sections[0].Lang != "ti" || card.Sections[1].Lang != "it" {
		t.Fatalf("sections %+v", card.Sections)
	}
	if card.URL != "https://punto.example/s/ancona-info-0?lang=ti&second=en" || !strings.HasPrefix(string(card.QR), "<svg ") {
		t.Errorf("QR of %q: %.40s", card.URL, card.QR)
	}
	for _, sec := range card.Sections {
		if sec.LookingFor != srv.msgs.Localize(sec.Lang, "print.looking_for").Text || len(sec.Days) != 7 || len(sec.Address.Lines) != 1 || len(sec.Phone.Lines) == 0 {
			t.Errorf("%s: %+v", sec.Lang, sec)
		}
	}
	// 8 December, a national holiday, is named on the card.
	if d := card.Sections[1].Days[1]; d.Label != "martedì 08/12" || !strings.Contains(d.Hours, "Immacolata") {
		t.Errorf("the holiday reads %+v", d)
	}
	if card, err = srv.card(ctx, "ancona-info-0", "it", time.Now()); err != nil || len(card.Sections) != 1 {
		t.Errorf("an Italian visitor's card: %v, %v", card, err)
	}
	if _, err = srv.card(ctx, "no-such-service", "ar", time.Now()); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("an unknown service: %v", err)
	}
}
