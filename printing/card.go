// Package printing makes the card a visitor takes away from a totem (a
// service's essentials in their language and in Italian, with a QR code)
// and prints it on the totem's CUPS queue.
//
// The card is HTML laid out by the headless chromium already on the
// totem, which shapes every script of the 15 languages (Arabic, Ge'ez,
// Bengali, Gurmukhi, CJK) with the system's Noto fonts and embeds them in
// a PDF; CUPS takes the PDF (`lp`, Debian cups-client) and its filters
// turn it into whatever the queue's printer needs.
package printing

import (
	"bytes"
	_ "embed"
	"html/template"
	"strings"
)

// Section is a card's essentials in one language, ready to print: every
// text already localized. A text the catalog lacks in the section's
// language carries the language it came in (Lang fields), so chromium
// picks the right glyphs and direction.
type Section struct {
	Lang       string // BCP 47 tag of the section
	Dir        string // "ltr" or "rtl"
	LookingFor string // "I am looking for this office"
	Name       Text
	Org        *Text
	Address    Labeled
	Hours      string // "Opening hours"
	Days       []Day
	Phone      Labeled
}

// Text is a text and the language it is in.
type Text struct {
	Text string
	Lang string
}

// Labeled is a label and its lines (an address, phone numbers).
type Labeled struct {
	Label string
	Lines []string
}

// Day is one of the next seven days: its name and date, and its hours or
// why it is closed.
type Day struct {
	Label string
	Hours string
}

// Card is what is printed: one section per language (the visitor's, then
// Italian; one only for an Italian visitor) and a QR code of the
// service's page.
type Card struct {
	Sections  []Section
	QR        template.HTML // an SVG QR code (made by the node, trusted)
	QRCaption string        // what to do with it, in the visitor's language
	QRLang    string
	URL       string // the page the code opens
}

//go:embed card.html
var cardHTML string

var cardTemplate = template.Must(template.New("card").Parse(cardHTML))

// HTML renders the card for paper; every text is escaped, and the page
// loads nothing: its fonts are the system's and the QR code is inline.
func (c *Card) HTML(p Paper) ([]byte, error) {
	var b bytes.Buffer
	err := cardTemplate.Execute(&b, struct {
		*Card
		Width, Margin string
	}{c, fmtMM(p.width()), fmtMM(p.margin())})
	return b.Bytes(), err
}

// Paper is the card's paper.
type Paper string

// The papers a card prints on: an 80 mm receipt roll (as long as the card)
// or an A6 sheet.
const (
	Receipt80 Paper = "80mm"
	A6        Paper = "a6"
)

// ParsePaper reads a paper's name, as --printer-paper takes it.
func ParsePaper(s string) (Paper, bool) {
	switch p := Paper(strings.ToLower(strings.TrimSpace(s))); p {
	case Receipt80, A6:
		return p, true
	}
	return "", false
}

// width is the paper's width in millimetres.
func (p Paper) width() float64 {
	if p == A6 {
		return 105
	}
	return 80
}

// margin is the blank edge in millimetres: receipt printers print on
// about 72 of their 80 mm.
func (p Paper) margin() float64 {
	if p == A6 {
		return 6
	}
	return 4
}

// height is the A6 sheet's height in millimetres; a receipt is as long as
// its card (0 here).
func (p Paper) height() float64 {
	if p == A6 {
		return 148
	}
	return 0
}
