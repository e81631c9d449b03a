package exchange

import (
	"strings"
	"sync"

	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/punto-totem/punto/content"
)

// The Punto profile of HSDS 3 (profile/ in this package, JSON Schemas
// that patch the HSDS ones as HSDS profiles do): each text field holds
// the Italian text and a "translations" member the others; organizations,
// services and locations carry Punto's slug ("punto_id") beside their
// UUID; the page names the HSDS version and the profile. Plain HSDS
// (--profile hsds) has none of these and one language.
const (
	HSDSVersion = "3.0"
	// ProfileURI names the Punto profile in an export.
	ProfileURI = "https://github.com/punto-totem/punto/tree/main/content/exchange/profile"
	// ProfilePunto and ProfileHSDS are the profiles an export can follow.
	ProfilePunto = "punto"
	ProfileHSDS  = "hsds"
)

// Profiles lists the profiles, as the command line names them.
var Profiles = []string{ProfilePunto, ProfileHSDS}

// Options say how an export is written. The zero value is the Punto
// profile.
type Options struct {
	Profile string // ProfilePunto (or "") or ProfileHSDS
	Lang    string // ProfileHSDS: the language of the texts (default Italian)
}

func (o Options) out() hsdsOut {
	if o.Profile == ProfileHSDS {
		lang := o.Lang
		if lang == "" {
			lang = "it"
		}
		return hsdsOut{plain: true, lang: lang}
	}
	return hsdsOut{}
}

// The Punto taxonomy: the 13 categories, and the yes/no facts HSDS lacks.
// Its terms' URIs are stable; their UUIDs are derived from the URIs.
const (
	taxonomyURI     = "https://github.com/punto-totem/punto/blob/main/content/exchange/profile/taxonomy.md"
	puntoTaxonomy   = "punto"
	linkCategory    = "category"
	linkFact        = "punto"
	factAppointment = "by_appointment"
	factHolidays    = "open_on_holidays"
	factWheelchair  = "wheelchair"
)

// TermURI is the URI of a term of the Punto taxonomy (a category or a
// fact code).
func TermURI(code string) string { return taxonomyURI + "#" + code }

// termUUID is the UUID of the term with that code.
func termUUID(code string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(TermURI(code))).String()
}

// TaxonomyUUID is the UUID of the Punto taxonomy.
var TaxonomyUUID = uuid.NewSHA1(uuid.NameSpaceURL, []byte(taxonomyURI)).String()

var factNames = map[string]content.Text{
	factAppointment: {"it": "Su appuntamento", "en": "By appointment"},
	factHolidays:    {"it": "Aperto nei giorni festivi", "en": "Open on public holidays"},
	factWheelchair:  {"it": "Accessibile in sedia a rotelle", "en": "Wheelchair accessible"},
}

// termCodes maps each term's UUID back to its code, for import.
var termCodes = func() map[string]string {
	m := map[string]string{}
	for _, c := range content.Categories {
		m[termUUID(c.ID)] = c.ID
	}
	for f := range factNames {
		m[termUUID(f)] = f
	}
	return m
}()

// taxonomy is the Punto taxonomy as an HSDS object.
func (o hsdsOut) taxonomy() *hsdsTaxonomy {
	return &hsdsTaxonomy{ID: TaxonomyUUID, Name: "Punto", URI: taxonomyURI, Version: "1",
		Description: "Punto's categories of services for people from outside the EU living in Italy, and the yes/no facts Punto keeps"}
}

func (o hsdsOut) term(code string, name content.Text, desc content.Text) *hsdsTaxonomyTerm {
	t := &hsdsTaxonomyTerm{ID: termUUID(code), Code: code, Name: o.text(name), Description: o.text(desc),
		Taxonomy: puntoTaxonomy, TaxonomyID: TaxonomyUUID, TermURI: TermURI(code), Detail: o.taxonomy()}
	if t.Description == "" {
		t.Description = t.Name
	}
	t.Translations = o.tr(t.Translations, "name", name)
	t.Translations = o.tr(t.Translations, "description", desc)
	if o.plain {
		t.Language = o.lang
	}
	return t
}

// categoryTerm is the taxonomy term of a category, named in every
// language of the screens.
func categoryTerm(c string, o hsdsOut) *hsdsTaxonomyTerm {
	return o.term(c, content.CategoryLabels(c), nil)
}

func factTerm(f string, o hsdsOut) *hsdsTaxonomyTerm {
	return o.term(f, factNames[f], nil)
}

// languageName is the English name of an ISO 639 code ("" when unknown).
func languageName(code string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return ""
	}
	return display.English.Languages().Name(tag)
}

// languageCode is the ISO 639 code Punto keeps for a language an HSDS
// file gives by code (two or three letters, any case: "ur", "URD", "eng",
// a BCP 47 tag "pt-BR") or, failing that, by English name ("Urdu").
func languageCode(code, name string) (string, bool) {
	if code = strings.ToLower(strings.TrimSpace(code)); code != "" {
		if len(code) == 2 && content.ValidLanguage(code) {
			return code, true // ISO 639-1 as given (x/text would make tl fil)
		}
		if tag, err := language.Parse(code); err == nil {
			base, conf := tag.Base()
			if conf != language.No && content.ValidLanguage(base.String()) {
				return base.String(), true
			}
		}
	}
	if c, ok := languageNames()[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c, true
	}
	return "", false
}

// languageNames maps the English names of the ISO 639-1 languages (and
// the 639-3 ones Punto's screens use) to their codes.
var languageNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	namer := display.English.Languages()
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			code := string([]rune{a, b})
			tag, err := language.Parse(code)
			if err != nil {
				continue
			}
			if n := namer.Name(tag); n != "" && !strings.EqualFold(n, code) {
				m[strings.ToLower(n)] = code
			}
		}
	}
	return m
})
