package printing

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// sample is a card with an Arabic and an Italian section.
func sample(lang, dir, name string) *Card {
	sec := func(lang, dir, looking, name string) Section {
		return Section{Lang: lang, Dir: dir, LookingFor: looking, Name: Text{name, lang},
			Address: Labeled{"Indirizzo", []string{"Via dei Tigli 12 (demo), Ancona"}}, Hours: "Orari",
			Days:  []Day{{"lunedì 07/12", "09:00–13:00"}, {"martedì 08/12", "Chiuso · Immacolata Concezione"}},
			Phone: Labeled{"Telefono", []string{"+39 000 000 1234"}}}
	}
	return &Card{Sections: []Section{sec(lang, dir, "LOOK "+lang, name), sec("it", "ltr", "Cerco questo ufficio", "Sportello immigrati")},
		QR: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>`, QRCaption: "scan", QRLang: lang, URL: "http://localhost:8080/s/x?lang=" + lang}
}

// pdfText reads a PDF's text with pdftotext (poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "card.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian package poppler-utils): %v", err)
	}
	return string(out)
}

func TestCardPDFScripts(t *testing.T) {
	t.Parallel()
	p := &Printer{Paper: Receipt80}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, c := range []struct{ lang, dir, name string }{{"ar", "rtl", "مكتب استقبال المهاجرين"}, {"zh", "ltr", "移民接待处"}} {
		html, err := sample(c.lang, c.dir, c.name).HTML(p.Paper)
		if err != nil {
			t.Fatal(err)
		}
		pdf, h, err := p.PDF(ctx, html)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, pdf)
		t.Logf("%s: %d bytes, %.0f mm\n%s", c.lang, len(pdf), h, text)
		if !strings.Contains(text, c.name) {
			t.Errorf("%s: no %q in the PDF", c.lang, c.name)
		}
	}
}

func TestPrintCUPS(t *testing.T) {
	t.Parallel()
	cups := testenv.StartCUPS(t)
	p := &Printer{Queue: cups.Queue, Server: cups.Server, Paper: Receipt80}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := p.Check(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := p.Print(ctx, sample("zh", "ltr", "移民接待处"))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(id)
	f := cups.WaitJob(t, id)
	b, _ := os.ReadFile(f)
	t.Log(f, pdfText(t, b))
}
