package printing

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sample is a card with a visitor's section and an Italian one.
func sample(lang, dir, looking, name string) *Card {
	sec := func(lang, dir, looking, name string) Section {
		return Section{Lang: lang, Dir: dir, LookingFor: looking, Name: Text{name, lang},
			Address: Labeled{"Indirizzo", []string{"Via dei Tigli 12 (demo), Ancona"}}, Hours: "Orari",
			Days:  []Day{{"lunedì 07/12", "09:00–13:00"}, {"martedì 08/12", "Chiuso · Immacolata Concezione"}},
			Phone: Labeled{"Telefono", []string{"+39 000 000 1234"}}}
	}
	return &Card{Sections: []Section{sec(lang, dir, looking, name), sec("it", "ltr", "Cerco questo ufficio", "Sportello immigrati")},
		QR: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>`, QRCaption: "scan", QRLang: lang, URL: "http://localhost:8080/s/x?lang=" + lang}
}

func TestParsePaper(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Paper{"80mm": Receipt80, " A6 ": A6, "a6": A6, "a4": "", "": "", "58mm": ""} {
		if got, ok := ParsePaper(in); got != want || ok != (want != "") {
			t.Errorf("ParsePaper(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for name, ok := range map[string]bool{"punto": true, "Receipt_80.mm-1": true, "": false, "a b": false, "a/b": false, "q@host": false, "-x": true, strings.Repeat("q", 128): false} {
		if ValidQueue(name) != ok {
			t.Errorf("ValidQueue(%q) = %v", name, !ok)
		}
	}
}

// TestCardHTMLEscapes: catalog texts are text on the card, never markup.
func TestCardHTMLEscapes(t *testing.T) {
	t.Parallel()
	html, err := sample("en", "ltr", "I am looking for this office", `<img src=x onerror=alert(1)> & "office"`).HTML(Receipt80)
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	if strings.Contains(s, "<img") || !strings.Contains(s, "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;office&#34;") {
		t.Errorf("the name is not escaped:\n%s", s)
	}
	if !strings.Contains(s, "width: 80mm") || !strings.Contains(s, `<section lang="en" dir="ltr">`) {
		t.Errorf("no 80 mm body or section language:\n%s", s)
	}
}

// TestCardPaper lays a card out in chromium on each paper and reads the
// PDF's page size: 80 mm wide and as long as the card, or A6.
func TestCardPaper(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	card := sample("ar", "rtl", "أبحث عن هذا المكتب", "مكتب استقبال المهاجرين")
	for _, tt := range []struct {
		paper  Paper
		width  float64
		height float64 // 0: as long as the card
	}{{Receipt80, 80, 0}, {A6, 105, 148}} {
		p := &Printer{Paper: tt.paper}
		html, err := card.HTML(p.Paper)
		if err != nil {
			t.Fatal(err)
		}
		pdf, h, err := p.PDF(ctx, html)
		if err != nil {
			t.Fatal(err)
		}
		w, gotH := pageSize(t, pdf)
		if !near(w, tt.width) || !near(gotH, h) || (tt.height > 0 && !near(h, tt.height)) {
			t.Errorf("%s: page %.1f × %.1f mm (layout said %.1f), want %.0f wide", tt.paper, w, gotH, h, tt.width)
		}
		if tt.height == 0 && (h < 60 || h > maxReceiptMM) {
			t.Errorf("%s: a receipt %.0f mm long for a short card", tt.paper, h)
		}
		t.Logf("%s: %.1f × %.1f mm, %d bytes", tt.paper, w, gotH, len(pdf))
	}
}

func near(a, b float64) bool { return a > b-1 && a < b+1 }

var pageSizeLine = regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`)

// pageSize reads the first page's size in millimetres with pdfinfo
// (poppler-utils).
func pageSize(t *testing.T, pdf []byte) (w, h float64) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "card.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", f).Output()
	if err != nil {
		t.Fatalf("pdfinfo (Debian package poppler-utils): %v", err)
	}
	m := pageSizeLine.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo gives no page size:\n%s", out)
	}
	pt := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(fmt.Errorf("page size %q: %w", s, err))
		}
		return v * 25.4 / 72
	}
	return pt(m[1]), pt(m[2])
}

// TestNoBrowserOutlivesItsCard: once PDF returns, the chromium it started
// has exited, children and all (a totem prints all day). The browser's
// processes are found by a mark in the environment they inherit.
func TestNoBrowserOutlivesItsCard(t *testing.T) {
	mark := fmt.Sprintf("PUNTO_CARD_TEST=%d", time.Now().UnixNano())
	name, value, _ := strings.Cut(mark, "=")
	t.Setenv(name, value) // not parallel: the environment is the process's
	p := &Printer{Paper: A6}
	html, err := sample("it", "ltr", "Cerco questo ufficio", "Sportello").HTML(p.Paper)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.PDF(context.Background(), html); err != nil {
		t.Fatal(err)
	}
	var left []string
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range procs {
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !strings.Contains("\x00"+string(env)+"\x00", "\x00"+mark+"\x00") || filepath.Base(dir) == strconv.Itoa(os.Getpid()) {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join(dir, "stat")); err == nil && !strings.Contains(string(stat), ") Z ") {
			cmd, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
			left = append(left, filepath.Base(dir)+": "+strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	if len(left) > 0 {
		t.Errorf("%d processes of the card's browser still running:\n%s", len(left), strings.Join(left, "\n"))
	}
}
